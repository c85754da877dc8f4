#!/usr/bin/env bash
# archive: handoff gate, closing the log, sharing learnings once, name
# collisions, dry runs, --stale, and an update racing the archive.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
TODAY=$(date +%Y-%m-%d)
A="$R/sessions/ARCHIVE"

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

finish
