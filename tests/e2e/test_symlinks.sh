#!/usr/bin/env bash
# Symlinks never lead sesslua out of the root (issue 14): every path under
# the root is opened beneath it (core/fs_path.c: openat2 RESOLVE_BENEATH, or
# a walk by hand where the kernel has no openat2). For each kind of file and
# folder a tree holds, a link to outside is refused with one line
# `sesslua: <path>: ...` and exit 5 (or the workflow's documented refusal),
# nothing is written outside, and the outside files keep their bytes
# (checksums). A link that stays inside the root is followed for reads;
# a write never replaces a link. The FIFO and folder-as-file cases are here
# too: no hang, a clear line. The main cases run twice: with openat2, and
# with the walk (the fault shim makes openat2 ENOSYS), when the shim is built.
. "$(dirname "$0")/lib.sh"

X="$WORK/outside" # not $OUT: lib.sh keeps stdout there
mkdir -p "$X/dir" "$X/msgs" "$X/kb"
printf 'secret key\n' > "$X/key"
printf '# Outside\n\n## Session Notes\nprivate\n' > "$X/log.md"
printf 'outside read state\n' > "$X/read-state"
outside_sum() { (cd "$X" && find . -print0 | sort -z | xargs -0 -r -n1 sh -c \
  'if [ -f "$1" ]; then sha1sum "$1"; else echo "dir $1"; fi' _); }
outside_sum > "$WORK/outside.sum"
outside_same() { # outside_same DESCRIPTION: nothing outside was added, changed or removed
  outside_sum > "$WORK/outside.now"
  if cmp -s "$WORK/outside.sum" "$WORK/outside.now"; then ok
  else bad "$1: the outside folder changed: $(diff "$WORK/outside.sum" "$WORK/outside.now" | tr '\n' ' ')"; fi
}
refused() { # refused LINK TARGET DESCRIPTION: one line naming the link and where it leads
  local n; n=$(printf '%s' "$ERR" | grep -c '')
  if [ "$n" -eq 1 ] && [[ $ERR == "sesslua: $1"* ]] && [[ $ERR == *"a symlink out of the root (to $2); refused" ]]; then ok
  else bad "$3: expected one line 'sesslua: $1...a symlink out of the root (to $2); refused', got: $ERR"; fi
}
one_line() { # one_line PREFIX DESCRIPTION: stderr is that one line
  local n; n=$(printf '%s' "$ERR" | grep -c '')
  if [ "$n" -eq 1 ] && [[ $ERR == "sesslua: $1"* ]]; then ok
  else bad "$2: expected one line 'sesslua: $1...', got: $ERR"; fi
}

# fresh NAME: a new tree with sessions s1 and s2, in $R
fresh() {
  R="$WORK/$1/docs/coordination"
  mkdir -p "$WORK/$1"
  "$SESSLUA" --root "$R" init.lua > /dev/null 2>&1 || bad "init $1"
  "$SESSLUA" --root "$R" create.lua s1 Dev "Goal one" > /dev/null 2>&1 || bad "create s1 in $1"
  "$SESSLUA" --root "$R" create.lua s2 Dev "Goal two" > /dev/null 2>&1 || bad "create s2 in $1"
}
s() { run "${PRE[@]}" "$SESSLUA" --root "$R" "$@"; }

cases() { # cases LABEL: every case, in fresh trees
  local L=$1 K="$1"
  # ---- a knowledge file that is a link to a file outside
  fresh "$K-kfile"
  ln -sf "$X/key" "$R/shared-knowledge/patterns.md"
  s --session s1 share.lua pattern Caching "a pattern" Low
  expect_rc 5 "$L: share into a knowledge file linked outside"
  refused "$R/shared-knowledge/patterns.md" "$X/key" "$L: share names the link and where it leads"
  [ -L "$R/shared-knowledge/patterns.md" ] && ok || bad "$L: the link was replaced"
  # search opens every file beneath the root: the file outside is not read
  s search.lua secret
  expect_rc 1 "$L: search with a knowledge file linked outside"
  [[ $OUT != *secret* ]] && ok || bad "$L: search printed the file outside: $OUT"
  expect_err "$R/shared-knowledge/patterns.md: a symlink out of the root (to $X/key); refused" \
    "$L: search says why it skipped the knowledge file"
  outside_same "$L: knowledge file link"

  # ---- shared-knowledge/ itself a link to a folder outside
  fresh "$K-kdir"
  cp -a "$R/shared-knowledge/." "$X/kb/" && outside_sum > "$WORK/outside.sum"
  rm -rf "$R/shared-knowledge" && ln -s "$X/kb" "$R/shared-knowledge"
  s --session s1 share.lua learning Docker "a learning" Low
  expect_rc 5 "$L: share into shared-knowledge/ linked outside"
  refused "$R/shared-knowledge" "$X/kb" "$L: the folder link is named"
  outside_same "$L: shared-knowledge link"

  # ---- sessions/ACTIVE a link to a folder outside: no log is made there
  fresh "$K-active"
  # an old broadcast s1 has not read: prune must not take ACTIVE as empty
  "$SESSLUA" --root "$R" --session s2 message.lua send broadcast "unread" "body" > /dev/null 2>&1 || bad "$L: broadcast"
  for f in "$R"/messages/broadcast/*.json; do sed -i 's/"sent": "[^"]*"/"sent": "2020-01-01T00:00:00Z"/' "$f"; done
  mv "$R/sessions/ACTIVE" "$WORK/$K-active/ACTIVE.real"
  ln -s "$X/dir" "$R/sessions/ACTIVE"
  s create.lua s9 Dev "Goal nine"
  expect_rc 5 "$L: create in an ACTIVE linked outside"
  refused "$R/sessions/ACTIVE" "$X/dir" "$L: create names ACTIVE and where it leads"
  s update.lua s1 --note "through ACTIVE"
  [ "$RC" -ne 0 ] && ok || bad "$L: update through an ACTIVE linked outside succeeded"
  s view.lua s1
  [ "$RC" -ne 0 ] && ok || bad "$L: view through an ACTIVE linked outside succeeded"
  expect_rc 5 "$L: view says why, not 'no active log'"
  refused "$R/sessions/ACTIVE" "$X/dir" "$L: view names ACTIVE and where it leads"
  # status and list say the team cannot be read, not that it is empty
  s status.lua
  expect_rc 5 "$L: status over an ACTIVE linked outside"
  refused "$R/sessions/ACTIVE" "$X/dir" "$L: status names the link"
  s list.lua
  expect_rc 5 "$L: list over an ACTIVE linked outside"
  # the MCP server's resource list lacks the logs: its stderr says why
  printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
    '{"jsonrpc":"2.0","id":1,"method":"resources/list"}' > "$WORK/$K-active/mcp.in"
  s mcp < "$WORK/$K-active/mcp.in"
  expect_out '"id":1,"result":{"resources":[' "$L: resources/list answered"
  expect_err "sesslua: mcp: $R/sessions/ACTIVE: a symlink out of the root (to $X/dir); refused; its resources are not listed" \
    "$L: resources/list says why the logs are missing"
  s message.lua prune --older-than 0
  expect_rc 5 "$L: prune over an ACTIVE linked outside"
  refused "$R/sessions/ACTIVE" "$X/dir" "$L: prune names the link"
  [ "$(ls "$R/messages/broadcast" | wc -l)" -eq 1 ] && ok || bad "$L: prune deleted a broadcast s1 never read"
  outside_same "$L: ACTIVE link"

  # ---- messages/, messages/<id> and messages/broadcast as links outside
  fresh "$K-msgs"
  mv "$R/messages" "$WORK/$K-msgs/messages.real"
  ln -s "$X/msgs" "$R/messages"
  s --session s1 message.lua send s2 "hello" "body"
  expect_rc 5 "$L: send into messages/ linked outside"
  refused "$R/messages" "$X/msgs" "$L: send names messages/"
  s message.lua prune --older-than 0
  expect_rc 5 "$L: prune over messages/ linked outside, not 'Removed 0'"
  refused "$R/messages" "$X/msgs" "$L: prune names messages/"
  rm "$R/messages" && mv "$WORK/$K-msgs/messages.real" "$R/messages"
  ln -s "$X/msgs" "$R/messages/s2"
  s --session s1 message.lua send s2 "hello" "body"
  expect_rc 5 "$L: send into messages/<id> linked outside"
  refused "$R/messages/s2" "$X/msgs" "$L: the mailbox link is named"
  ln -s "$X/msgs" "$R/messages/broadcast"
  s --session s1 message.lua send broadcast "to all" "body"
  expect_rc 5 "$L: broadcast into messages/broadcast linked outside"
  refused "$R/messages/broadcast" "$X/msgs" "$L: the broadcast link is named"
  outside_same "$L: message folder links"

  # ---- a read-state file (broadcast-read) that is a link outside
  fresh "$K-rstate"
  s --session s2 message.lua send broadcast "to all" "body"
  expect_rc 0 "$L: a broadcast to read"
  mkdir -p "$R/messages/s1"
  ln -s "$X/read-state" "$R/messages/s1/broadcast-read"
  s --session s1 message.lua read --all
  expect_rc 5 "$L: read --all with broadcast-read linked outside"
  refused "$R/messages/s1/broadcast-read" "$X/read-state" "$L: the read state link is named"
  [ -L "$R/messages/s1/broadcast-read" ] && ok || bad "$L: the read-state link was replaced"
  outside_same "$L: read-state link"

  # ---- a log that is a link to a file outside
  fresh "$K-log"
  ln -s "$X/log.md" "$R/sessions/ACTIVE/s3.md"
  # prune keeps an old broadcast all have read but s3, whose log is the link
  "$SESSLUA" --root "$R" --session s2 message.lua send broadcast "for s3" "body" > /dev/null 2>&1 || bad "$L: broadcast"
  "$SESSLUA" --root "$R" --session s1 message.lua read --all > /dev/null 2>&1 || bad "$L: s1 reads"
  for f in "$R"/messages/broadcast/*.json; do sed -i 's/"sent": "[^"]*"/"sent": "2020-01-01T00:00:00Z"/' "$f"; done
  s message.lua prune --older-than 0
  expect_rc 0 "$L: prune with a log linked outside"
  [ "$(ls "$R/messages/broadcast" | wc -l)" -eq 1 ] && ok || bad "$L: prune deleted a broadcast s3 has not read"
  for cmd in "update.lua s3 --note x" "view.lua s3" "eod.lua s3 --yes" "archive.lua s3 --force"; do
    # shellcheck disable=SC2086
    s $cmd
    expect_rc 5 "$L: $cmd on a log linked outside"
    expect_err "$R/sessions/ACTIVE/s3.md: a symlink to outside the coordination root; refused" "$L: $cmd says why"
  done
  s search.lua private
  expect_rc 1 "$L: search with a log linked outside"
  [[ $OUT != *private* ]] && ok || bad "$L: search printed the log outside: $OUT"
  outside_same "$L: log link"

  # ---- links that stay inside the root: followed for reads
  fresh "$K-inside"
  "$SESSLUA" --root "$R" update.lua s1 --note "inside note" > /dev/null 2>&1
  ln -s s1.md "$R/sessions/ACTIVE/alias.md"
  ln -s "$R/sessions/ACTIVE/s1.md" "$R/sessions/ACTIVE/absalias.md"
  s view.lua alias
  expect_rc 0 "$L: a relative link inside the root is read"
  expect_out "inside note" "$L: through the relative link"
  s view.lua absalias
  expect_rc 0 "$L: an absolute link naming a place inside the root is read"
  expect_out "inside note" "$L: through the absolute link"
  before=$(sha1sum < "$R/sessions/ACTIVE/s1.md")
  s update.lua alias --note "through the alias"
  expect_rc 5 "$L: a write never replaces a link, even one inside"
  one_line "$R/sessions/ACTIVE/alias.md: a symbolic link; sesslua never writes through a link" "$L: the write says why"
  expect_eq "$(readlink "$R/sessions/ACTIVE/alias.md")" "s1.md" "$L: the link stays a link"
  expect_eq "$(sha1sum < "$R/sessions/ACTIVE/s1.md")" "$before" "$L: the file it names is unchanged"
  # a folder link inside the root is followed for writes too
  mv "$R/shared-knowledge" "$R/kb-store" && ln -s kb-store "$R/shared-knowledge"
  s --session s1 share.lua learning Docker "through an inside folder link" Low
  expect_rc 0 "$L: share through shared-knowledge linked inside the root"
  expect_file_has "$R/kb-store/learnings.md" "**Learning:** through an inside folder link" "$L: written where the link leads"
  # ../ that climbs out of the root, even to come back beside it, is out
  rm "$R/shared-knowledge" && ln -s ../coordination/kb-store "$R/shared-knowledge"
  s --session s1 share.lua learning Docker "climbing link" Low
  expect_rc 5 "$L: a relative link that climbs out of the root"
  refused "$R/shared-knowledge" "../coordination/kb-store" "$L: the climbing link is named"
  outside_same "$L: inside links"
}

PRE=()
cases openat2
if [ -n "${FAULT_SHIM:-}" ] && [ -e "$FAULT_SHIM" ]; then
  PRELOAD=$FAULT_SHIM
  asan=$(ldd "$SESSLUA" 2>/dev/null | awk '/libasan/ { print $3 }')
  [ -n "$asan" ] && PRELOAD="$asan $FAULT_SHIM"
  PRE=(env LD_PRELOAD="$PRELOAD" SESSLUA_FAULT_NO_OPENAT2=1)
  cases walk
  PRE=()
else
  echo "symlinks: the walk without openat2 not tried: no fault shim (FAULT_SHIM='${FAULT_SHIM:-}')"
fi

# ---- team code that is a link out of the tree -----------------------------
# A trusted tree's workflows and hooks are read beneath the root too: a
# symlinked scripts/ or hooks/ folder, or a script or hook that is a link,
# leading outside is refused (exit 5, the link named), never run. The code
# outside would leave a file in $X, which outside_same would see.
fresh teamcode
mkdir -p "$X/scripts" "$X/hooks"
for f in status team; do
  printf -- '--- outside %s\nio.open("%s/ran-%s", "w"):write("ran")\nreturn 0\n' "$f" "$X" "$f" > "$X/scripts/$f.lua"
done
printf 'io.open("%s/ran-hook", "w"):write("ran")\nreturn function() return true end\n' "$X" > "$X/hooks/h.lua"
outside_sum > "$WORK/outside.sum"
export SESSLUA_TRUST=1
rm -rf "$R/scripts" && ln -s "$X/scripts" "$R/scripts"
s status.lua
expect_rc 5 "a trusted tree whose scripts/ links outside: status"
refused "$R/scripts/status.lua" "$X/scripts" "the scripts/ link is named"
s team.lua
expect_rc 5 "a workflow only the linked scripts/ holds"
s --list
expect_rc 0 "--list with scripts/ linked outside"
expect_err "sesslua: warning: $R/scripts: a symlink out of the root (to $X/scripts); refused; its workflows are not listed" \
  "--list says the team's folder could not be listed"
rm "$R/scripts" && mkdir "$R/scripts"
ln -s "$X/scripts/team.lua" "$R/scripts/team.lua"
s team.lua
expect_rc 5 "a team workflow that is a link outside"
refused "$R/scripts/team.lua" "$X/scripts/team.lua" "the workflow link is named"
# a module the team's workflow requires, linked outside: Lua's own
# searcher would have loaded it (and any file the next template names)
printf 'io.open("%s/ran-module", "w"):write("ran")\nreturn {}\n' "$X" > "$X/helper.lua"
outside_sum > "$WORK/outside.sum"
ln -s "$X/helper.lua" "$R/scripts/helper.lua"
printf -- '--- uses a module\nrequire("helper")\nreturn 0\n' > "$R/scripts/usehelper.lua"
s usehelper.lua
expect_rc 5 "a team module that is a link outside"
refused "$R/scripts/helper.lua" "$X/helper.lua" "the module link is named"
mkdir -p "$R/hooks" && ln -s "$X/hooks/h.lua" "$R/hooks/before_archive.lua"
s archive.lua s2 --force
expect_rc 5 "a before_archive hook that is a link outside"
refused "hook $R/hooks/before_archive.lua" "$X/hooks/h.lua" "the hook link is named"
expect_exists "$R/sessions/ACTIVE/s2.md" "the hook refused: nothing archived"
rm -rf "$R/hooks" && ln -s "$X/hooks" "$R/hooks" && ln -sf h.lua "$X/hooks/after_update.lua"
outside_sum > "$WORK/outside.sum"
s update.lua s1 --note "after a linked hooks/"
expect_rc 0 "an after_update hook in a hooks/ linked outside: the update is done"
one_line "warning: hook $R/hooks/after_update.lua: $R/hooks is a symlink out of the root (to $X/hooks); refused" \
  "the after hook is refused with a warning"
expect_file_has "$R/sessions/ACTIVE/s1.md" "after a linked hooks/" "the update was written"
outside_same "team code links: nothing outside ran"
rm "$R/hooks" "$X/hooks/after_update.lua" && outside_sum > "$WORK/outside.sum"
# a link that stays inside is followed; loadfile's line numbers are kept
# (a BOM and a #! line skipped)
mkdir -p "$R/team-src"
printf '\357\273\277#!/usr/bin/env sesslua\n--- inside\nlocal x = nil\nreturn x.y\n' > "$R/team-src/inside.lua"
ln -s ../team-src/inside.lua "$R/scripts/inside.lua"
s inside.lua
expect_rc 2 "a team workflow linked inside the root runs"
expect_err "scripts/inside.lua:4: attempt to index a nil value" "its error names the file and line as loadfile did"
unset SESSLUA_TRUST
# not trusted: the team's folder is not looked into, the built-in runs
rm -rf "$R/scripts" && ln -s "$X/scripts" "$R/scripts"
s status.lua
expect_rc 0 "an untrusted tree whose scripts/ links outside runs the built-in status"
outside_same "team code links, untrusted"

# ---- migrate: an old message folder linked outside stops the run ---------
# (a folder it cannot list is never taken for an empty one: its messages
# would be skipped and the run end with exit 0)
fresh migrate
mkdir -p "$R/messages/direct/s1" "$X/oldmsgs"
printf '{"from": "s2", "subject": "kept", "message": "in the tree", "timestamp": "2025-11-15T10:00:00Z"}\n' \
  > "$R/messages/direct/s1/1.json"
printf '{"from": "s1", "subject": "outside", "message": "x", "timestamp": "2025-11-15T10:00:00Z"}\n' \
  > "$X/oldmsgs/2.json"
outside_sum > "$WORK/outside.sum"
ln -s "$X/oldmsgs" "$R/messages/direct/s2"
snapshot "$R" > "$WORK/migrate.before"
s migrate.lua
expect_rc 5 "migrate with an old message folder linked outside"
refused "migrate: $R/messages/direct/s2" "$X/oldmsgs" "migrate names the folder link"
snapshot "$R" > "$WORK/migrate.after"
expect_same "$WORK/migrate.before" "$WORK/migrate.after" "migrate converted nothing"
expect_absent "$R/messages/.migrated" "no record of a half run"
outside_same "migrate: old message folder link"
rm "$R/messages/direct/s2"
s migrate.lua
expect_rc 0 "migrate once the link is gone"
expect_out "Converted 1 old message(s)" "the message in the tree is converted"

# ---- a log that is a FIFO: a message to it is refused, nothing waits ------
fresh fifo
mkfifo "$R/sessions/ACTIVE/s4.md"
s() { run timeout 20 "$SESSLUA" --root "$R" "$@"; }
s --session s1 message.lua send s4 "hello" "body"
expect_rc 5 "a message to a session whose log is a FIFO"
one_line "message not delivered: $R/sessions/ACTIVE/s4.md: not a regular file" "the send says why"
expect_absent "$R/messages/s4" "nothing delivered"
s update.lua s4 --note x
expect_rc 5 "update of a FIFO log"
expect_err "$R/sessions/ACTIVE/s4.md: not a regular file" "update says why"
s view.lua s4
expect_rc 5 "view of a FIFO log, no hang"
# a FIFO where a knowledge file belongs: share refuses it, no hang
rm -f "$R/shared-knowledge/patterns.md" && mkfifo "$R/shared-knowledge/patterns.md"
s --session s1 share.lua pattern Caching "a pattern" Low
expect_rc 5 "share into a FIFO knowledge file"
one_line "$R/shared-knowledge/patterns.md: a FIFO, not a regular file; refused" "share says why"

# ---- messages/ a link loop: doctor says it could not check, not "healthy" --
fresh loop
mv "$R/messages" "$WORK/loop/messages.real"
ln -s messages "$R/messages"
s() { run "$SESSLUA" --root "$R" "$@"; }
s doctor.lua
expect_err "sesslua: warning: $R/messages: Too many levels of symbolic links; its mailboxes were not checked" \
  "doctor says why messages/ was not checked"

finish
