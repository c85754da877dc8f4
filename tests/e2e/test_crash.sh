#!/usr/bin/env bash
# crash: writers killed (SIGKILL) at random moments during updates, shares
# and archives leave every file whole — each log parses, each knowledge
# file is well formed with an exact counter, every line a writer wrote is
# whole, each log is in ACTIVE or ARCHIVE (never both, never neither), a
# writer that reported success kept its change, nothing left behind
# blocks the next run, and the next writers sweep it all away.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
K="$R/shared-knowledge"
ACT="$R/sessions/ACTIVE"
A="$R/sessions/ARCHIVE"
mkdir -p "$R"
sl init.lua
KILLS=${CRASH_KILLS:-200}

ms_now() { date +%s%3N; }

# Four logs the updates go to; a long filler makes each write span pages.
FILL=$(head -c 3000 /dev/zero | tr '\0' 'x')
for w in 1 2 3 4; do run "$SESSLUA" create.lua "crash-$w" "Dev" "Goal"; done
printf '%s\n' "$FILL" > fill.txt

# The kill loop: one writer at a time, killed after 0-30 ms (or finished).
succeeded=(); killed=0; archives=()
for k in $(seq 1 "$KILLS"); do
  w=$(( (k % 4) + 1 ))
  case $((k % 4)) in
    0|1) "$SESSLUA" update.lua "crash-$w" --next "crash next $k" \
           --note "crash note $k: $FILL :end $k" > /dev/null 2>&1 & pid=$!; op=update ;;
    2)   "$SESSLUA" --session "sharer-$k" share.lua Crash "crash share $k $FILL end" Low \
           > /dev/null 2>&1 & pid=$!; op=share ;;
    3)   run "$SESSLUA" create.lua "arch-$k" "Dev" "Goal"
         run "$SESSLUA" update.lua "arch-$k" --learning "Topic $k" "archived lesson $k"
         archives+=("arch-$k")
         "$SESSLUA" archive.lua "arch-$k" --force > /dev/null 2>&1 & pid=$!; op=archive ;;
  esac
  sleep "0.0$(printf '%02d' $((RANDOM % 31)))"
  kill -KILL "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null; rc=$?
  if [ "$rc" -eq 0 ]; then succeeded+=("$op:$k"); elif [ "$rc" -eq 137 ]; then killed=$((killed + 1)); fi
done
echo "crash: $killed of $KILLS writers killed, ${#succeeded[@]} finished first"
[ "$killed" -gt 0 ] && ok || bad "no writer was killed: the loop tests nothing"

# Every log parses: active ones through view.lua, archived ones from a copy.
shopt -s nullglob # no archive may have finished in time: an empty folder is no log
V="$WORK/v/docs/coordination/sessions/ACTIVE"; mkdir -p "$V"
unparsed=0
for f in "$ACT"/*.md; do
  id=$(basename "$f" .md)
  "$SESSLUA" view.lua "$id" --json > /dev/null 2>> view.err || unparsed=$((unparsed + 1))
done
for f in "$A"/*.md; do
  cp "$f" "$V/archived.md"
  "$SESSLUA" --root "$WORK/v/docs/coordination" view.lua archived --json > /dev/null 2>> view.err \
    || unparsed=$((unparsed + 1))
done
expect_eq "$unparsed" "0" "every log parses with view.lua --json ($(head -2 view.err))"

# No torn line: every note and next step a writer wrote is whole.
torn=$(cat "$ACT"/*.md "$A"/*.md | grep -a 'crash note\|crash next' \
  | grep -avc "^crash note \([0-9]*\): $FILL :end \1\$\|^[0-9]*\. crash next [0-9]*\$" || true)
expect_eq "$torn" "0" "every note and next-step line is whole"
torn=$(grep -a 'crash share' "$K/learnings.md" | grep -avc "^\*\*Learning:\*\* crash share [0-9]* $FILL end\$" || true)
expect_eq "$torn" "0" "every shared text is whole"
# Each log holds its whole structure: header and footer still there.
nohead=0
for f in "$ACT"/*.md "$A"/*.md; do
  grep -q '^# ' "$f" && grep -q '^\*\*Last Updated:\*\*' "$f" || nohead=$((nohead + 1))
done
expect_eq "$nohead" "0" "every log keeps its title and footer"

# Knowledge files: well formed, counter exact.
for kf in learnings:Learning patterns:Pattern troubleshooting:Troubleshooting best-practices:"Best Practice"; do
  f="$K/${kf%%:*}.md"; label=${kf#*:}
  [ -e "$f" ] || continue
  wf=$(wellformed "$f" "$label"); n=${wf% *}
  expect_eq "${wf#* }" "0" "$f: no malformed entry"
  headings=$(grep -c '^### [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] - ' "$f" || true)
  expect_eq "$n" "$headings" "$f: every heading is a whole entry"
  expect_eq "$(total "$f")" "$headings" "$f: Total equals the entry count"
done
dups=$(grep -a '^### ' "$K/learnings.md" | sort | uniq -d | wc -l)
expect_eq "$dups" "0" "no knowledge entry written twice"

# Each archived-for log is in exactly one place.
wrong=0
for id in "${archives[@]}"; do
  in_active=0; [ -e "$ACT/$id.md" ] && in_active=1
  in_archive=$(ls "$A" | grep -c "^$id-[0-9]" || true)
  [ "$in_active$in_archive" = "10" ] || [ "$in_active$in_archive" = "01" ] || {
    wrong=$((wrong + 1)); printf 'crash: %s active=%s archived=%s\n' "$id" "$in_active" "$in_archive" >&2; }
done
expect_eq "$wrong" "0" "every log is in ACTIVE or ARCHIVE, not both, not neither"

# A writer that reported success kept its change.
missing=0
for s in "${succeeded[@]}"; do
  op=${s%%:*}; k=${s#*:}
  case $op in
    update)  grep -qxF "crash note $k: $FILL :end $k" "$ACT/crash-$(( (k % 4) + 1 )).md" || missing=$((missing + 1)) ;;
    share)   grep -qF "crash share $k " "$K/learnings.md" || missing=$((missing + 1)) ;;
    archive) ls "$A" | grep -q "^arch-$k-[0-9]" || missing=$((missing + 1)) ;;
  esac
done
expect_eq "$missing" "0" "every change reported as done is there"

# What a kill leaves: temp files, lock files (must not block; swept below).
leftovers() { find "$1" \( -name '.*.tmp-*' -o -name '*.lock' \) -printf '%P\n'; }
temps=$(find "$R" -name '.*.tmp-*' | wc -l)
locks=$(find "$R" -name '*.lock' | wc -l)
echo "crash: left behind $temps temp file(s), $locks lock file(s)"
# The next run works at normal speed on every file a kill may have locked.
slow=0; failed=0
for w in 1 2 3 4; do
  t0=$(ms_now)
  run "$SESSLUA" update.lua "crash-$w" --note "after the crash $w"
  [ "$RC" -eq 0 ] || failed=$((failed + 1))
  [ $(( $(ms_now) - t0 )) -lt 2000 ] || slow=$((slow + 1))
done
for id in "${archives[@]}"; do
  [ -e "$ACT/$id.md" ] || continue
  t0=$(ms_now)
  run "$SESSLUA" archive.lua "$id" --force
  [ "$RC" -eq 0 ] || failed=$((failed + 1))
  [ $(( $(ms_now) - t0 )) -lt 2000 ] || slow=$((slow + 1))
done
t0=$(ms_now)
run "$SESSLUA" --session after share.lua Crash "after the crash" Low
[ "$RC" -eq 0 ] || failed=$((failed + 1))
[ $(( $(ms_now) - t0 )) -lt 2000 ] || slow=$((slow + 1))
expect_eq "$failed" "0" "every writer after the crash succeeds"
expect_eq "$slow" "0" "no writer after the crash waits on a dead process's lock"
expect_eq "$(ls "$ACT" | grep -c '^arch-.*\.md$' || true)" "0" "every re-run archive moved its log"
# Each of those writers swept the folders it wrote (ACTIVE, ARCHIVE,
# shared-knowledge, messages/broadcast): nothing a killed writer left stays.
expect_eq "$(leftovers "$R" | head -5)" "" "no temp, lock or probe file left after the next writes"
shared=$(grep -c '^\*\*Learning:\*\* archived lesson' "$K/learnings.md" || true)
expect_eq "$shared" "${#archives[@]}" "each archived log's learning shared exactly once"

# 100 writers of one log killed at random moments, then one normal write:
# nothing any of them left stays in the folder.
for k in $(seq 1 100); do
  "$SESSLUA" update.lua crash-2 --note "storm note $k: $FILL :end $k" > /dev/null 2>&1 & pid=$!
  sleep "0.0$(printf '%02d' $((RANDOM % 21)))"
  kill -KILL "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null
done
run "$SESSLUA" update.lua crash-2 --note "after the storm"
expect_rc 0 "the write after 100 killed writers"
expect_eq "$(leftovers "$ACT")" "" "it swept what the killed writers left in ACTIVE"

# A lock held by a process that dies: the next update does not wait.
# (one process: the subshell takes the lock on fd 9, then becomes sleep)
( exec 9> "$ACT/crash-1.md.lock"; flock -x 9; exec sleep 30 ) & holder=$!
sleep 0.2
kill -KILL "$holder"; wait "$holder" 2>/dev/null
t0=$(ms_now)
run "$SESSLUA" update.lua crash-1 --note "after a dead holder"
expect_rc 0 "update after a dead lock holder"
[ $(( $(ms_now) - t0 )) -lt 2000 ] && ok || bad "update after a dead holder waited $(( $(ms_now) - t0 )) ms"

finish
