#!/usr/bin/env bash
# morning and eod: driven by flags, by piped answers (--interactive) and
# through a pseudo-terminal; running either twice never duplicates.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
export SESSLUA_SESSION=12
sl create.lua 12 "Dev" "Goal"
L="$R/sessions/ACTIVE/session-12.md"
TODAY=$(date +%Y-%m-%d)
sl update.lua 12 --next "Alpha" --next "Beta" --next "Gamma" --phase "Old task" --blocker "Waiting on API"
sl share.lua Perf "shared after the log was left" High
# "Yesterday": the log as it was last left, days ago.
sed -i "s/^\*\*Last Updated:\*\* .*/**Last Updated:** 2020-01-06 18:00:00/" "$L"

# morning without a terminal: shows, then carries every next step.
sl morning.lua 12
expect_rc 0 "morning"
expect_out "1. Alpha" "morning shows yesterday's next steps"
expect_out "Waiting on API" "morning shows open blockers"
expect_out "Old task" "morning shows unchecked phase tasks"
expect_out "d ago" "morning shows how long since the update"
expect_out "shared after the log was left" "morning shows new shared knowledge"
for t in Alpha Beta Gamma; do expect_file_has "$L" "- [ ] $t" "next step $t carried into Current Phase"; done
expect_file_lacks "$L" "1. Alpha" "carried steps leave Next Steps"
cp "$L" after-first.md
sl morning.lua 12
expect_rc 0 "morning twice"
for t in Alpha Beta Gamma; do
  n=$(grep -c -- "- \[ \] $t" "$L"); expect_eq "$n" "1" "morning twice: $t once"
done
diff <(grep -v 'Last Updated' after-first.md) <(grep -v 'Last Updated' "$L") >/dev/null && ok || bad "morning twice changes nothing but the time"

# --focus and --carry choose non-interactively.
sl update.lua 12 --next "One" --next "Two" --next "Three"
sl morning.lua 12 --focus "Payments" --carry 1,3
expect_file_has "$L" "**Working On:** Payments" "--focus sets Working On"
expect_file_has "$L" "- [ ] One" "--carry 1"
expect_file_has "$L" "- [ ] Three" "--carry 3"
expect_file_has "$L" "1. Two" "uncarried step stays, renumbered"
sl morning.lua 12 --carry 7
expect_rc 2 "--carry out of range"

# Piped answers with --interactive: focus, carry none, status.
sl update.lua 12 --next "Four"
printf 'Search feature\nnone\nTesting\n' > answers
run "$SESSLUA" morning.lua 12 --interactive < answers
expect_rc 0 "morning --interactive with piped answers"
expect_out "Today's focus" "asks for the focus"
expect_file_has "$L" "**Working On:** Search feature" "answered focus"
expect_file_has "$L" "**Status:** Testing" "answered status"
expect_file_lacks "$L" "- [ ] Four" "answered none: nothing carried"

# A pseudo-terminal: it asks without --interactive.
if command -v script >/dev/null 2>&1; then
  printf 'PTY focus\n\n\n' > answers
  script -qec "$SESSLUA morning.lua 12" /dev/null < answers > pty.out 2>&1
  grep -q "Today's focus" pty.out && ok || bad "morning asks on a terminal: $(cat pty.out)"
  expect_file_has "$L" "**Working On:** PTY focus" "answer typed on the terminal"
  expect_file_has "$L" "- [ ] Four" "terminal default carries all"
else
  echo "skipped: no script(1) for a pseudo-terminal"
fi

# eod: checked tasks move to Completed Today; unchecked stay; next steps.
sl update.lua 12 --done Alpha --done Beta --learning "Caching" "warm the cache first"
sl eod.lua 12 --next "Ship it" --next "Write docs"
expect_rc 0 "eod"
expect_file_has "$L" "**$TODAY:**" "today's date group"
expect_file_has "$L" "- [x] Alpha" "checked task in Completed Today"
grep -A3 "Current Phase" "$L" | grep -q "Alpha" && bad "checked task left in Current Phase" || ok
expect_file_has "$L" "- [ ] Gamma" "unchecked task stays"
expect_file_has "$L" "1. Ship it" "eod next step"
expect_out "completed today: 2" "eod summary counts completed"
expect_out "1 not shared" "eod lists the unshared learning"
grep -q "warm the cache first" "$R/shared-knowledge/learnings.md" && bad "eod shared without being asked" || ok
cp "$L" eod1.md
sl eod.lua 12 --next "Ship it" --next "Write docs" --share-all
expect_rc 0 "eod twice"
expect_eq "$(grep -c "^\*\*$TODAY:\*\*" "$L")" "1" "eod twice: one date heading"
expect_eq "$(grep -c -- '- \[x\] Alpha' "$L")" "1" "eod twice: Alpha completed once"
expect_eq "$(grep -c 'Ship it' "$L")" "1" "eod twice: next step once"
expect_eq "$(grep -c 'warm the cache first' "$R/shared-knowledge/learnings.md")" "1" "--share-all shares today's learning"
sl eod.lua 12 --share-all
expect_eq "$(grep -c 'warm the cache first' "$R/shared-knowledge/learnings.md")" "1" "learning never shared twice"

# eod with piped answers: next steps, then y to share.
sl update.lua 12 --learning "Locks" "flock dies with the process"
printf 'Piped step\n\ny\n' > answers
run "$SESSLUA" eod.lua 12 --interactive < answers
expect_rc 0 "eod --interactive"
expect_file_has "$L" "3. Piped step" "piped next step"
grep -q "flock dies with the process" "$R/shared-knowledge/learnings.md" && ok || bad "piped y shares the learning"


# A bad --carry is refused before anything is printed; a typo at the prompt
# is asked again; input ending answers the rest with defaults.
sl update.lua 12 --next-clear --next "Xray" --next "Yankee"
cp "$L" before-carry.md
sl morning.lua 12 --carry 9 --yes
expect_rc 2 "--carry out of range refused"
expect_eq "$OUT" "" "nothing on stdout when --carry is refused"
expect_same "$L" before-carry.md "refused --carry leaves the log as it was"
printf 'Focus again\n1,9\n2\n' > answers
run "$SESSLUA" morning.lua 12 --interactive < answers
expect_rc 0 "morning re-asks after a typo"
expect_out "try again" "the typo is explained"
expect_file_has "$L" "- [ ] Yankee" "the corrected answer carried step 2"
expect_file_has "$L" "1. Xray" "step 1 stays a next step"
printf 'Only focus\n' > answers
run "$SESSLUA" morning.lua 12 --interactive < answers
expect_rc 0 "input ending mid-way takes defaults"
expect_file_has "$L" "**Working On:** Only focus" "the one answer given is used"


# Carried steps keep their sub-bullets; eod's share flags exclude each other;
# a learning's lines are shared one by one, never twice.
sl update.lua 12 --next-clear --next "Deploy"
sed -i 's/^1\. Deploy$/1. Deploy\n   - use the staging DB\n   - ask session-3 first/' "$L"
sl morning.lua 12 --yes
expect_file_has "$L" "- [ ] Deploy" "step carried"
expect_file_has "$L" "   - use the staging DB" "its sub-bullets came along"
sl eod.lua 12 --share-all --share-none
expect_rc 2 "--share-all and --share-none together are refused"
sl update.lua 12 --learning "nginx" "reload keeps connections"
sl share.lua pattern nginx "Use reload not restart" High
sl eod.lua 12 --share-all
K="$R/shared-knowledge"
expect_eq "$(grep -c 'Use reload not restart' "$K/learnings.md")" "0" "a line shared as a pattern is not shared again as a learning"
sl update.lua 12 --learning "nginx" "second fact"
sl eod.lua 12 --share-all
expect_eq "$(grep -c 'reload keeps connections' "$K/learnings.md")" "1" "an already shared line is not repeated"
expect_eq "$(grep -c 'second fact' "$K/learnings.md")" "1" "the new line is shared"
sl eod.lua 12 --next ""
expect_rc 2 "empty next step refused"

finish
