#!/usr/bin/env bash
# concurrency: many processes at once lose nothing — 64 sharers (64
# entries, counter 64), 8 updaters of one log (every --next and --note
# lands), an archive racing an update (the log ends in one place, a
# reported update is in the archived file), 20 senders of messages.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
K="$R/shared-knowledge"
A="$R/sessions/ARCHIVE"
mkdir -p "$R"
sl init.lua

# leftovers: lock and temp files anywhere under the root.
leftovers() { find "$R" \( -name '*.lock' -o -name '.*.tmp-*' \) | wc -l; }

# 64 sharers at once, each its own session: 64 entries, counter 64.
pids=()
for i in $(seq 1 64); do
  "$SESSLUA" --session "sharer-$i" share.lua Concurrency "entry from sharer $i" Low --broadcast \
    > /dev/null 2>> share.err & pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "$fails" "0" "64 sharers all exit 0 ($(head -3 share.err))"
F="$K/learnings.md"
expect_eq "$(wellformed "$F" Learning)" "64 0" "64 well-formed entries"
expect_eq "$(total "$F")" "64" "counter is 64"
n=0
for i in $(seq 1 64); do grep -qxF "**Learning:** entry from sharer $i" "$F" && n=$((n + 1)); done
expect_eq "$n" "64" "every sharer's text present exactly"
dups=$(grep '^\*\*Learning:\*\* entry from sharer' "$F" | sort | uniq -d | wc -l)
expect_eq "$dups" "0" "no entry written twice"
expect_eq "$(ls "$R/messages/broadcast" | grep -c '\.json$')" "64" "64 KNOWLEDGE broadcasts"

# 8 updaters of one log at once, each with a --next and a --note.
sl create.lua 12 "Dev" "Goal"
L="$R/sessions/ACTIVE/session-12.md"
pids=()
for i in $(seq 1 8); do
  "$SESSLUA" update.lua 12 --next "concurrent step $i" --note "concurrent note $i" \
    > /dev/null 2>> upd.err & pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "$fails" "0" "8 updaters all exit 0 ($(head -3 upd.err))"
steps=$(grep -c '^[0-9]*\. concurrent step [1-8]$' "$L")
expect_eq "$steps" "8" "8 --next lines present"
distinct=$(grep -o 'concurrent step [1-8]$' "$L" | sort -u | wc -l)
expect_eq "$distinct" "8" "8 distinct --next lines"
nums=$(grep '^[0-9]*\. concurrent step' "$L" | cut -d. -f1 | tr '\n' ' ')
expect_eq "$nums" "1 2 3 4 5 6 7 8 " "next steps numbered 1..8 in order"
notes=$(grep -c '^concurrent note [1-8]$' "$L")
expect_eq "$notes" "8" "8 --note paragraphs present"
run "$SESSLUA" view.lua 12 --json
expect_rc 0 "the log still parses"
expect_eq "$(leftovers)" "0" "no lock or temp file left after the updaters"

# An archive racing updates: the log ends in exactly one place; every
# update that reported success is in the archived file; a refused one
# says not found (exit 3). 40 rounds of one archiver and 8 updaters on
# one id; 300 earlier archives of that id make the archiver look for a
# free name longer, which widens the moment between its locked edit and
# its move (a real tree that archives an id daily has the same shape).
TODAY=$(date +%Y-%m-%d)
mkdir -p "$A"
: > "$A/race-$TODAY.md"
for n in $(seq 2 300); do : > "$A/race-$TODAY-$n.md"; done
both=0; neither=0; lost=0; badrc=0; arcfail=0
for r in $(seq 1 40); do
  run "$SESSLUA" create.lua race "Dev" "Goal"
  ls "$A" | sort > before.lst
  "$SESSLUA" archive.lua race --force > /dev/null 2> race-arc.err & arc=$!
  upids=()
  for u in $(seq 1 8); do
    "$SESSLUA" update.lua race --note "race $r note $u" > /dev/null 2>> race-upd.err &
    upids+=($!)
  done
  rcs=()
  for p in "${upids[@]}"; do wait "$p"; rcs+=($?); done
  wait "$arc" || arcfail=$((arcfail + 1))
  ls "$A" | sort > after.lst
  new=$(comm -13 before.lst after.lst)
  in_active=0; [ -e "$R/sessions/ACTIVE/race.md" ] && in_active=1
  in_archive=$(printf '%s' "$new" | grep -c . || true)
  [ "$in_active$in_archive" = "11" ] && both=$((both + 1))
  [ "$in_active$in_archive" = "00" ] && neither=$((neither + 1))
  for u in $(seq 1 8); do
    rc=${rcs[$((u - 1))]}
    if [ "$rc" -eq 0 ]; then
      [ -n "$new" ] && grep -qxF "race $r note $u" "$A/$new" || lost=$((lost + 1))
    elif [ "$rc" -ne 3 ]; then
      badrc=$((badrc + 1))
    fi
  done
  rm -f "$R/sessions/ACTIVE/race.md"  # so one round's leftover cannot hide the next
done
expect_eq "$arcfail" "0" "every racing archive exits 0 ($(head -2 race-arc.err))"
expect_eq "$both" "0" "no raced log is in both ACTIVE and ARCHIVE (rounds)"
expect_eq "$neither" "0" "no raced log is in neither ACTIVE nor ARCHIVE (rounds)"
expect_eq "$lost" "0" "every update that reported success is in the archived file (lost updates)"
expect_eq "$badrc" "0" "a refused racing update exits 3 ($(grep -v 'no active log' race-upd.err | head -2))"
expect_eq "$(leftovers)" "0" "no lock or temp file left after the races"

# 20 senders to one recipient at once: 20 messages, none lost, each whole.
sl create.lua inbox-owner "Dev" "Goal"
pids=()
for i in $(seq 1 20); do
  "$SESSLUA" --session "sender-$i" message.lua send inbox-owner "subject $i" "body $i" \
    > /dev/null 2>> send.err & pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "$fails" "0" "20 senders all exit 0 ($(head -3 send.err))"
expect_eq "$(ls "$R/messages/inbox-owner/new" | grep -c '\.json$')" "20" "20 message files"
# the recipient's lines are written by its own read (issue 15), once each
run "$SESSLUA" --session inbox-owner message.lua inbox --json --mark-read
expect_rc 0 "inbox --json --mark-read"
got=$(printf '%s' "$OUT" | grep -c '"subject": "subject [0-9]*"')
expect_eq "$got" "20" "inbox lists 20 messages"
distinct=$(printf '%s' "$OUT" | grep -o '"subject": "subject [0-9]*"' | sort -u | wc -l)
expect_eq "$distinct" "20" "20 distinct subjects"
received=$(grep -c '← sender-[0-9]*: "subject [0-9]*"' "$R/sessions/ACTIVE/inbox-owner.md")
expect_eq "$received" "20" "20 'Messages Received' lines in the recipient's log"
expect_eq "$(leftovers)" "0" "no lock or temp file left after the senders"

finish
