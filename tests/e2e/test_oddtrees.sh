#!/usr/bin/env bash
# Odd trees get clear errors (docs/errors.md): a root that is a file, init
# in a folder that holds something else, a user config that cannot be read,
# an argument too long to echo whole.
. "$(dirname "$0")/lib.sh"

# ---- A root that names a file is no empty team ---------------------------
printf 'notes\n' > notes.md
for cmd in status.lua list.lua "search.lua x" "view.lua 1" "update.lua 1 --note x" init.lua \
    "archive.lua --stale 3" "create.lua 1 Dev Goal"; do
  # shellcheck disable=SC2086
  run env SESSLUA_ROOT="$WORK/notes.md" "$SESSLUA" $cmd
  expect_rc 3 "SESSLUA_ROOT naming a file: $cmd"
  expect_err "sesslua: $WORK/notes.md: not a folder; the coordination root is a folder" "$cmd says so"
done
sl --root notes.md status.lua
expect_rc 3 "--root naming a file"
expect_err "hint: check --root / \$SESSLUA_ROOT" "with a hint"
expect_eq "$(cat notes.md)" "notes" "the file is left as it was"

# ---- init asks before filling a folder that is not a tree ----------------
mkdir project && printf 'x\n' > project/README
sl --root project init.lua
expect_rc 2 "init in a non-empty folder that is no tree"
expect_err "sesslua: init: project: the folder holds 1 other item(s) and no coordination tree; nothing was created" "init says why"
expect_err "hint: to create the tree there anyway: sesslua --root project init.lua --force" "init hints at --force"
expect_absent project/sessions "nothing was created"
# At / itself only when the refusal above works: a regression must not
# scatter sessions/, messages/... over the machine's /.
if [ "$RC" -eq 2 ] && [ ! -e project/sessions ] && [ ! -e /sessions ]; then
  run env SESSLUA_ROOT=/ "$SESSLUA" init.lua
  expect_rc 2 "init at /"
  expect_err "sesslua: init: /: the folder holds" "init at / says why"
  expect_absent /sessions "init at / creates no /sessions"
else
  bad "init at / not tried: init in a non-empty folder was not refused (or /sessions exists)"
fi
sl --root project init.lua --force
expect_rc 0 "init --force"
expect_exists project/sessions/ACTIVE "--force creates the tree"
sl --root project init.lua
expect_rc 0 "init again in what is now a tree"
expect_out "is complete; nothing changed" "and finds it complete"
mkdir empty
sl --root empty init.lua
expect_rc 0 "init in an empty folder"
sl --root new/deeper init.lua
expect_rc 0 "init in a new folder"

# ---- A user config that cannot be read is an error -----------------------
mkdir -p tree && sl --root tree init.lua
mkdir -p "$HOME/.config/sesslua/sesslua.lua"
sl --root tree status.lua
expect_rc 5 "a user config that is a folder"
expect_err "sesslua: config: $HOME/.config/sesslua/sesslua.lua: Is a directory" "names it"
rmdir "$HOME/.config/sesslua/sesslua.lua"
printf 'return { stale_hours = 2 }\n' > "$HOME/.config/sesslua/sesslua.lua"
chmod 000 "$HOME/.config/sesslua/sesslua.lua"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  if command -v setpriv > /dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  elif command -v runuser > /dev/null; then
    as_user=(runuser -u nobody --)
  fi
fi
if [ "$(id -u)" -ne 0 ] || [ "${#as_user[@]}" -gt 0 ]; then
  chmod a+x "$WORK" && chmod -R a+rX tree "$HOME" && chmod 000 "$HOME/.config/sesslua/sesslua.lua"
  run "${as_user[@]}" env HOME="$HOME" "$SESSLUA" --root "$WORK/tree" status.lua
  expect_rc 5 "an unreadable user config"
  expect_err "sesslua: config: $HOME/.config/sesslua/sesslua.lua: Permission denied" "names the file and why"
else
  echo "oddtrees: running as root without setpriv or runuser: the unreadable config case is skipped"
fi
rm -f "$HOME/.config/sesslua/sesslua.lua"

# ---- Errors cut a long value to a readable length ------------------------
LONG=$(head -c 131000 /dev/zero | tr '\0' a)
sl --root tree view.lua "$LONG"
expect_rc 2 "a 131 KB id"
expect_err "(130760 bytes cut)" "the error says how much was cut"
expect_err "': session id longer than 100 characters" "and keeps the reason at the end"
[ "${#ERR}" -lt 400 ] && ok || bad "the error line is ${#ERR} bytes long"

# ---- One length limit for learning topics everywhere ---------------------
# share refuses a category over 60 characters; eod and archive refuse to
# share a learning whose topic is over it, with the same words, before
# anything is written. 60 characters, not bytes: CJK topics get 60 too.
T61=$(printf 'x%.0s' $(seq 1 61)); T60=${T61:1}
sl --root tree create.lua 7 Dev "Goal"
sl --root tree update.lua 7 --learning "$T61" "a learning with a long topic"
expect_rc 2 "update: a 61-character learning topic"
# written by hand, as a person might: eod and archive must still refuse it
TODAY=$(date +%Y-%m-%d)
python3 - "tree/sessions/ACTIVE/session-7.md" "$TODAY" "$T61" <<'PY'
import sys
p, day, topic = sys.argv[1:]
s = open(p).read()
s = s.replace("## Learnings & Discoveries\n", "## Learnings & Discoveries\n\n**%s - %s:**\n- a learning with a long topic\n" % (day, topic), 1)
open(p, "w").write(s)
PY
sl --root tree --session 7 share.lua "$T61" "some text"
expect_rc 2 "share: a 61-character category"
expect_err "sesslua: share: the category is longer than 60 characters or spans lines" "share's words"
before=$(snapshot tree)
sl --root tree eod.lua 7 --share-all --yes
expect_rc 2 "eod: a 61-character topic to share"
expect_err "learning topic '$T61' is longer than 60 characters or spans lines; nothing was changed" "eod's words"
expect_eq "$(snapshot tree)" "$before" "eod changed nothing"
sl --root tree archive.lua 7 --force
expect_rc 2 "archive: a 61-character topic to share"
expect_err "learning topic '$T61' is longer than 60 characters or spans lines; nothing was changed" "archive's words"
expect_eq "$(snapshot tree)" "$before" "archive changed nothing"
expect_exists tree/sessions/ACTIVE/session-7.md "the log stays in ACTIVE"
sl --root tree --session 7 share.lua "$T60" "sixty is fine"
expect_rc 0 "share: a 60-character category"
CJK=$(printf '漢%.0s' $(seq 1 60))
sl --root tree --session 7 share.lua "$CJK" "sixty CJK characters are fine"
expect_rc 0 "share: 60 CJK characters (180 bytes)"
sl --root tree --session 7 share.lua "${CJK}漢" "but not 61"
expect_rc 2 "share: 61 CJK characters"

# ---- A warning line is cut as an error line is ---------------------------
LONGSTATUS=$(printf 'é%.0s' $(seq 1 3000)) # 6000 bytes, two per character
sl --root tree update.lua 7 --status "$LONGSTATUS"
expect_rc 0 "an unusual status is written with a warning"
expect_err "sesslua: warning: status '" "the warning is there"
expect_err "bytes cut)" "and cut"
expect_err "is not one of Planning" "its tail, which says why, stays"
n=$(printf '%s' "$ERR" | wc -c)
[ "$n" -lt 500 ] && ok || bad "a warning line of $n bytes reached the terminal"
printf '%s' "$ERR" | iconv -f UTF-8 -t UTF-8 > /dev/null 2>&1 && ok || bad "the cut split a character"

# ---- A file where a folder belongs: a clear line from every workflow -----
mkdir -p filetree && sl --root filetree init.lua && sl --root filetree create.lua s1 Dev Goal
mv filetree/sessions/ACTIVE filetree/ACTIVE.real && printf 'not a folder\n' > filetree/sessions/ACTIVE
A_FILE="$WORK/filetree/sessions/ACTIVE"
sl --root "$WORK/filetree" create.lua s2 Dev Goal
expect_rc 4 "create with sessions/ACTIVE a file"
expect_err "sesslua: $A_FILE: a file where a folder belongs; remove or rename it" "create says so"
expect_err_lines 1 "in one line"
sl --root "$WORK/filetree" init.lua
expect_rc 4 "init with sessions/ACTIVE a file"
expect_err "$A_FILE: a file where a folder belongs; remove or rename it" "init says so"
sl --root "$WORK/filetree" --session s1 message.lua send s1 hi body
[ "$RC" -ne 0 ] && ok || bad "message send to a session whose ACTIVE is a file succeeded"
printf 'not a folder\n' > filetree/messages.file && rm -rf filetree/messages && mv filetree/messages.file filetree/messages
sl --root "$WORK/filetree" --session s1 message.lua send s1 hi body --force
expect_rc 3 "message send with messages/ a file"
expect_err "$WORK/filetree/messages is a file where a folder belongs; remove or rename it" "send names the file"
printf 'not a folder\n' > filetree/shared.file && rm -rf filetree/shared-knowledge && mv filetree/shared.file filetree/shared-knowledge
sl --root "$WORK/filetree" --session s1 share.lua Docker "a learning" Low
expect_rc 4 "share with shared-knowledge/ a file (share makes the folder)"
expect_err "sesslua: $WORK/filetree/shared-knowledge: a file where a folder belongs; remove or rename it" "share names the file"
expect_eq "$(cat filetree/sessions/ACTIVE)" "not a folder" "the file is left as it was"

finish
