#!/usr/bin/env bash
# archive: handoff gate, closing the log, sharing learnings once, name
# collisions, dry runs, --stale, and an update racing the archive.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
TODAY=$(date +%Y-%m-%d)
A="$R/sessions/ARCHIVE"
K="$R/shared-knowledge"
MOUNTS=()
cleanup() {
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
# ro_mount DIR: make DIR read-only in place (a read-only bind mount: tests
# run as root, which ignores permission bits). Fails when mounts are not allowed.
ro_mount() {
  mount --bind "$1" "$1" 2>/dev/null || return 1
  MOUNTS+=("$1")
  mount -o remount,ro,bind "$1" 2>/dev/null
}
unmount() { umount "$1" 2>/dev/null; }

ready() { # ready ID: a log that passes the handoff checks
  run "$SESSLUA" create.lua "$1" "Dev" "Goal"
  run "$SESSLUA" update.lua "$1" --working-on "Work" --progress 100 --next "Hand over" \
    --blocker "None yet" --learning "Topic $1" "lesson of $1"
  run "$SESSLUA" update.lua "$1" --resolve "None yet" --how "nothing needed"
  printf -- '- None\n' > /dev/null
  sed -i 's/^\*\*Current Blockers:\*\*$/**Current Blockers:**\nNone/' "$R/sessions/ACTIVE/$1.md"
}

# A log that fails the handoff checks is refused, untouched.
sl create.lua 1 "Dev" "Goal"
cp "$R/sessions/ACTIVE/session-1.md" before.md
sl archive.lua 1
expect_rc 1 "archive refuses a log that fails handoff"
expect_err "not ready for handoff" "refusal message"
expect_err "Working On is not filled in" "refusal names the failed check"
expect_err "hint:" "refusal hint"
expect_same "$R/sessions/ACTIVE/session-1.md" before.md "refused log untouched"
sl archive.lua 1 --force
expect_rc 0 "archive --force"
expect_exists "$A/session-1-$TODAY.md" "forced archive moved the log"
expect_absent "$R/sessions/ACTIVE/session-1.md" "forced archive left nothing in ACTIVE"

# A ready log: Status Completed, learnings shared once, moved.
ready session-2
sl archive.lua 2 --dry-run
expect_rc 0 "dry run"
expect_out "would archive" "dry run says what it would do"
expect_out "sharing 1 learning" "dry run counts learnings to share"
expect_exists "$R/sessions/ACTIVE/session-2.md" "dry run moves nothing"
grep -q "lesson of session-2" "$R/shared-knowledge/learnings.md" && bad "dry run shared" || ok
sl archive.lua 2
expect_rc 0 "archive a ready log"
F="$A/session-2-$TODAY.md"
expect_exists "$F" "archived file"
expect_file_has "$F" "**Status:** Completed" "status set to Completed"
grep -q "^\*\*Last Updated:\*\* $TODAY" "$F" && ok || bad "footer updated"
expect_eq "$(grep -c 'lesson of session-2' "$R/shared-knowledge/learnings.md")" "1" "learning shared"

# Same id archived again the same day: -2, -3; never overwritten.
for n in 2 3; do
  ready session-2
  sl archive.lua 2
  expect_rc 0 "archive again ($n)"
  expect_exists "$A/session-2-$TODAY-$n.md" "collision gets -$n"
done
expect_file_has "$F" "**Status:** Completed" "first archive not overwritten"
expect_eq "$(grep -c 'lesson of session-2' "$R/shared-knowledge/learnings.md")" "1" "re-runs never duplicate a learning"

sl archive.lua nosuch
expect_rc 3 "archive unknown session"

# --stale DAYS: logs untouched that long, judged by their Last Updated.
ready old-a; ready old-b; ready fresh
for id in old-a old-b; do
  sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2020-01-01 09:00:00/' "$R/sessions/ACTIVE/$id.md"
done
sl archive.lua --stale 30 --dry-run
expect_rc 0 "--stale dry run"
expect_out "old-a" "stale dry run lists old-a"
expect_out "old-b" "stale dry run lists old-b"
printf '%s' "$OUT" | grep -q fresh && bad "stale dry run lists a fresh log" || ok
expect_exists "$R/sessions/ACTIVE/old-a.md" "stale dry run moves nothing"
sl archive.lua --stale 30 --force
expect_rc 0 "--stale archive"
expect_exists "$A/old-a-$TODAY.md" "stale old-a archived"
expect_exists "$A/old-b-$TODAY.md" "stale old-b archived"
expect_exists "$R/sessions/ACTIVE/fresh.md" "fresh log stays"
sl archive.lua 2 --stale 3
expect_rc 2 "ID and --stale together"

# An update racing the archive: the log ends in exactly one place, and
# the update either landed before the move or was refused (exit 3).
for i in 1 2 3 4 5; do
  ready race
  "$SESSLUA" update.lua race --note "racing note $i" > /dev/null 2> race.err & upd=$!
  "$SESSLUA" archive.lua race --force > /dev/null 2>&1 & arc=$!
  wait $upd; urc=$?
  wait $arc
  in_active=0; [ -e "$R/sessions/ACTIVE/race.md" ] && in_active=1
  in_archive=$(ls "$A" | grep -c '^race-' || true)
  expect_eq "$in_active" "0" "race $i: not left in ACTIVE"
  if [ "$urc" -eq 0 ]; then
    grep -q "racing note $i" "$A"/race-* && ok || bad "race $i: a successful update was lost"
  else
    expect_eq "$urc" "3" "race $i: a refused update says not found"
  fi
done
expect_eq "$(ls "$A" | grep -c '^race-')" "5" "five archived race logs, none overwritten"
left=$(find "$R" -name '*.lock' -o -name '.*.tmp-*')
expect_eq "$left" "" "no temp or lock files left"


# --stale refuses a stale log that fails the handoff checks (exit 1), and
# still archives the stale logs that pass.
sl create.lua stale-bad Dev Goal
ready stale-good
for id in stale-bad stale-good; do
  sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2020-01-01 09:00:00/' "$R/sessions/ACTIVE/$id.md"
done
cp "$R/sessions/ACTIVE/stale-bad.md" stale-bad.orig
sl archive.lua --stale 30
expect_rc 1 "--stale with a failing log exits 1"
expect_err "archive: stale-bad: not ready for handoff" "--stale names the refused log"
expect_same "$R/sessions/ACTIVE/stale-bad.md" stale-bad.orig "--stale leaves the refused log untouched"
expect_exists "$A/stale-good-$TODAY.md" "--stale archives the stale log that passes"
sl archive.lua --stale 30 --force
expect_rc 0 "--stale --force archives the failing log"
expect_exists "$A/stale-bad-$TODAY.md" "forced stale archive"

# --stale DAYS: fractional days count; inf, nan, negatives and words are
# usage errors, never an internal error.
ready half
sed -i "s/^\*\*Last Updated:\*\* .*/**Last Updated:** $(date -d '-2 days' '+%Y-%m-%d %H:%M:%S')/" \
  "$R/sessions/ACTIVE/half.md"
sl archive.lua --stale 1.5 --dry-run
expect_rc 0 "--stale 1.5 accepted"
expect_out "would archive $R/sessions/ACTIVE/half.md" "a log 2 days old is stale after 1.5 days"
sl archive.lua --stale 2.5 --dry-run
expect_rc 0 "--stale 2.5 accepted"
expect_out "No log untouched for 2.5 days." "the fraction is said back"
for v in 1e400 inf nan -1 -0.5 abc 0x10 ""; do
  sl archive.lua "--stale=$v" --dry-run
  expect_rc 2 "--stale '$v' refused"
  expect_err "sesslua: archive: --stale DAYS must be a number of days >= 0 (like 30 or 1.5), got '$v'" \
    "--stale '$v': the usage message"
done
sl archive.lua half --force

# The name a dry run predicts is the one used, also when names collide.
ready coll
printf 'earlier\n' > "$A/coll-$TODAY.md"; printf 'earlier\n' > "$A/coll-$TODAY-2.md"
sl archive.lua coll --dry-run
expect_out "would archive $R/sessions/ACTIVE/coll.md -> $A/coll-$TODAY-3.md" "dry run predicts -3"
sl archive.lua coll
expect_out "Archived coll -> $A/coll-$TODAY-3.md" "the archive takes the predicted name"
expect_eq "$(cat "$A/coll-$TODAY.md" "$A/coll-$TODAY-2.md")" "$(printf 'earlier\nearlier')" "colliding files untouched"

# A symlinked ARCHIVE leading out of the root: refused like a symlinked log
# (exit 5), before anything is written; a dry run says the same.
ready linked
mv "$A" "$WORK/archive.real"
OUTSIDE="$WORK/outside-archive"; mkdir -p "$OUTSIDE"
ln -s "$OUTSIDE" "$A"
snapshot "$R" > link.before
for flags in "--force" "--dry-run"; do
  sl archive.lua linked $flags
  expect_rc 5 "archive $flags refuses a symlinked ARCHIVE outside the root"
  expect_err "sesslua: $A: a symlink to outside the coordination root; refused" "symlinked ARCHIVE message"
done
snapshot "$R" > link.after
expect_same link.before link.after "symlinked ARCHIVE: every file as it was"
expect_eq "$(ls -A "$OUTSIDE")" "" "nothing moved outside the root"
# a link to a folder inside the root is fine
rm "$A"; mv "$WORK/archive.real" "$R/archive-store"; ln -s ../archive-store "$A"
sl archive.lua linked --force
expect_rc 0 "a symlinked ARCHIVE inside the root is used"
expect_exists "$R/archive-store/linked-$TODAY.md" "archived through the inside link"
rm "$A"; mv "$R/archive-store" "$A"

# An unwritable ARCHIVE stops archive before anything is written: the log
# is not closed and its learnings are not shared (exit 5).
ready rofail
if mkdir -p "$A" && ro_mount "$A"; then
  snapshot "$R" > ro.before
  sl archive.lua rofail --force
  expect_rc 5 "read-only ARCHIVE: exit 5"
  expect_err "sesslua: archive: rofail: $A: Read-only file system; nothing was changed" "read-only ARCHIVE message"
  snapshot "$R" > ro.after
  expect_same ro.before ro.after "read-only ARCHIVE: every file as it was"
  expect_file_lacks "$K/learnings.md" "lesson of rofail" "read-only ARCHIVE: learning not shared"
  unmount "$A"
  sl archive.lua rofail
  expect_rc 0 "archive works once ARCHIVE is writable"
else
  echo "skipped: read-only ARCHIVE (cannot bind-mount)"
fi
# An unwritable shared-knowledge folder, when there is a learning to share:
# the same.
ready rok
if ro_mount "$K"; then
  snapshot "$R" > ro.before
  sl archive.lua rok --force
  expect_rc 5 "read-only shared-knowledge: exit 5"
  expect_err "sesslua: archive: rok: $K: Read-only file system; nothing was changed" "read-only knowledge message"
  snapshot "$R" > ro.after
  expect_same ro.before ro.after "read-only shared-knowledge: every file as it was"
  unmount "$K"
else
  echo "skipped: read-only shared-knowledge (cannot bind-mount)"
fi
sl archive.lua rok --force
# A move that fails after the checks passed (ARCHIVE on a full filesystem:
# an empty probe file fits, the log does not): the log is written back as
# it was, and the error says the learning stays shared.
ready full
mv "$A" "$WORK/archive.keep"; mkdir "$A"
if mount -t tmpfs -o size=16k tmpfs "$A" 2>/dev/null; then
  MOUNTS+=("$A")
  dd if=/dev/zero of="$A/filler" bs=1k count=64 2>/dev/null
  cp "$R/sessions/ACTIVE/full.md" full.orig
  sl archive.lua full --force
  expect_rc 5 "full ARCHIVE: exit 5"
  expect_err "No space left on device; the log was left in ACTIVE as it was (1 learning(s) were shared before this" \
    "full ARCHIVE: the error says what was done"
  expect_same "$R/sessions/ACTIVE/full.md" full.orig "full ARCHIVE: the log written back as it was"
  expect_eq "$(grep -c 'lesson of full' "$K/learnings.md")" "1" "full ARCHIVE: the learning shared once"
  umount "$A"
  rmdir "$A"; mv "$WORK/archive.keep" "$A"
  sl archive.lua full --force
  expect_rc 0 "archive works once there is space"
  expect_eq "$(grep -c 'lesson of full' "$K/learnings.md")" "1" "the re-run does not share the learning again"
else
  rmdir "$A"; mv "$WORK/archive.keep" "$A"
  echo "skipped: full ARCHIVE (cannot mount a tmpfs)"
fi

# Nothing is dropped: a Status that says complete stays as written; another
# becomes Completed with the old value in the closing note; a log without a
# header Status gets one in its header, never a new Current Work section.
ready keep; ready was; ready none
sed -i 's/^\*\*Status:\*\* Active$/**Status:** ✅ COMPLETE - search service shipped/' "$R/sessions/ACTIVE/keep.md"
sed -i 's/^\*\*Status:\*\* Active$/**Status:** In review/' "$R/sessions/ACTIVE/was.md"
# "none": no header Status and no Current Work section (hand-written)
python3 - "$R/sessions/ACTIVE/none.md" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("**Status:** Active\n", "", 1)
s = re.sub(r"## Current Work\n.*?(?=\n## )", "", s, count=1, flags=re.S)
assert "Current Work" not in s and "**Status:**" not in s, s
open(p, "w").write(s)
PY
for id in keep was none; do
  sl archive.lua $id --force
  expect_rc 0 "archive $id"
done
expect_file_has "$A/keep-$TODAY.md" "**Status:** ✅ COMPLETE - search service shipped" "a complete Status stays as written"
expect_file_has "$A/keep-$TODAY.md" "Archived $TODAY by keep." "a closing note for a complete log"
expect_file_lacks "$A/keep-$TODAY.md" "Status was" "no 'was' when the status is kept"
expect_file_has "$A/was-$TODAY.md" "**Status:** Completed" "another Status becomes Completed"
expect_file_has "$A/was-$TODAY.md" "Archived $TODAY by was (Status was: In review)." "the old Status kept in the closing note"
expect_eq "$(sed -n '/^## Session Notes/,$p' "$A/was-$TODAY.md" | grep -c 'Status was: In review')" "1" "the note is in Session Notes"
expect_file_has "$A/none-$TODAY.md" "**Status:** Completed" "a missing header Status is created"
expect_eq "$(sed -n '1,/^## /p' "$A/none-$TODAY.md" | grep -c '^\*\*Status:\*\* Completed$')" "1" "the created Status is in the header"
expect_file_lacks "$A/none-$TODAY.md" "Current Work" "no Current Work section created"
sl list.lua --all
row() { printf '%s\n' "$OUT" | grep "^$1 "; }
row keep | grep -qF "✅ COMPLETE - search service shipped" && ok || bad "list --all shows the kept Status: $(row keep)"
row was | grep -qF " Completed " && ok || bad "list --all shows Completed: $(row was)"
row none | grep -qF " Completed " && ok || bad "list --all shows Completed for a log that had no Status: $(row none)"

ready jsonlog
sl archive.lua jsonlog --json
expect_rc 0 "archive --json"
expect_out '"kind": "archive"' "archive --json kind"
expect_out "\"path\": \"$A/jsonlog-$TODAY.md\"" "archive --json names the archived file"
expect_out '"refused": []' "nothing refused"
sl create.lua notready R G
sl archive.lua notready --json
expect_rc 1 "archive --json refusal"
expect_out '"id": "notready"' "refused log listed"

# view finds an archived log: by id when no active log has it, or --archived
mkdir -p va && cd va
export SESSLUA_ROOT="$WORK/va/docs/coordination"
sl init.lua --force; sl create.lua 31 R G
A31="$SESSLUA_ROOT/sessions/ARCHIVE"
printf '# Session 31 - Work Log\n\n**Status:** Completed\n\nolder\n' > "$A31/session-31-2025-01-01.md"
printf '# Session 31 - Work Log\n\n**Status:** Completed\n\nnewest\n' > "$A31/session-31-2025-03-02-2.md"
printf '# Session 31 - Work Log\n\n**Status:** Completed\n\nsame day, first\n' > "$A31/session-31-2025-03-02.md"
sl view.lua 31; expect_rc 0 "view of an active log"
printf '%s' "$OUT" | grep -q newest && bad "the active log comes first: $OUT" || ok
sl view.lua 31 --archived; expect_rc 0 "view --archived"
expect_out "newest" "the newest archive: latest date, then the highest number"
expect_err "the archived log of session-31" "a note on stderr says which file"
rm "$SESSLUA_ROOT/sessions/ACTIVE/session-31.md"
sl view.lua 31; expect_rc 0 "view of a session that has only archived logs"
expect_out "newest" "shows its newest archived log"
sl view.lua 31 --json; expect_out '"archived": true' "--json says it is archived"
expect_out '"archive_date": "2025-03-02"' "and its date"
sl update.lua 31 --note x; expect_rc 3 "update of an archived session"
expect_err "it was archived (" "says it was archived"
expect_err "sesslua view.lua session-31 shows it" "and how to see it"
sl view.lua 32 --archived; expect_rc 3 "--archived of a session with none"
expect_err "session-32 has no archived log" "says so"
unset SESSLUA_ROOT
cd .. && rm -rf va

finish
