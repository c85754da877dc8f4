#!/usr/bin/env bash
# morning and eod: driven by flags, by piped answers (--interactive) and
# through a pseudo-terminal; running either twice never duplicates.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
MOUNTS=()
cleanup() {
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
export SESSLUA_SESSION=12
sl create.lua 12 "Dev" "Goal"
L="$R/sessions/ACTIVE/session-12.md"
TODAY=$(date +%Y-%m-%d)
sl update.lua 12 --next "Alpha" --next "Beta" --next "Gamma" --phase "Old task" --blocker "Waiting on API"
sl share.lua Perf "shared after the log was left" High
# "Yesterday": the log as it was last left, days ago.
sed -i "s/^\*\*Last Updated:\*\* .*/**Last Updated:** 2020-01-06 18:00:00/" "$L"

# morning without a terminal (an agent's stdin) only shows: the log keeps
# its bytes and its time, and the output says how to plan. (Before issue
# 15 it carried every next step; --yes does that now, below.)
touch -d '2020-01-06 18:00:00' "$L"
cp -p "$L" before-morning.md
sl morning.lua 12 < /dev/null
expect_rc 0 "morning without a terminal"
expect_out "1. Alpha" "morning without a terminal shows the next steps"
expect_out "Nothing written (no terminal)" "morning without a terminal says it wrote nothing"
expect_out "--carry all" "and how to plan"
expect_same "$L" before-morning.md "morning without a terminal leaves the log's bytes"
expect_eq "$(stat -c %Y "$L")" "$(stat -c %Y before-morning.md)" "morning without a terminal leaves the log's mtime"
printf '' | run "$SESSLUA" morning.lua 12
expect_same "$L" before-morning.md "morning with piped empty stdin writes nothing either"

# --yes: shows, then carries every next step.
sl morning.lua 12 --yes
expect_rc 0 "morning"
expect_out "1. Alpha" "morning shows yesterday's next steps"
expect_out "Waiting on API" "morning shows open blockers"
expect_out "Old task" "morning shows unchecked phase tasks"
expect_out "d ago" "morning shows how long since the update"
expect_out "shared after the log was left" "morning shows new shared knowledge"
for t in Alpha Beta Gamma; do expect_file_has "$L" "- [ ] $t" "next step $t carried into Current Phase"; done
expect_file_lacks "$L" "1. Alpha" "carried steps leave Next Steps"
cp -p "$L" after-first.md
sl morning.lua 12 --yes
expect_rc 0 "morning twice"
for t in Alpha Beta Gamma; do
  n=$(grep -c -- "- \[ \] $t" "$L"); expect_eq "$n" "1" "morning twice: $t once"
done
expect_same "$L" after-first.md "morning --yes twice: the second run changes nothing, the time neither"
expect_out "Nothing to change in $L" "morning --yes with nothing to carry says so"

# Without a terminal, --focus or --status alone write just that (nothing carried).
sl update.lua 12 --next "Kept step"
sl morning.lua 12 --focus "Only the focus" < /dev/null
expect_rc 0 "morning --focus without a terminal"
expect_file_has "$L" "**Working On:** Only the focus" "--focus alone is written"
expect_file_has "$L" "1. Kept step" "--focus alone carries nothing"
sl update.lua 12 --next-clear

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

# Without a terminal eod names the learnings it did not share, topic and text.
sl update.lua 12 --learning "Queues" "drain before deploy"
sl eod.lua 12
expect_rc 0 "eod lists unshared learnings"
expect_out "1 not shared: sesslua eod.lua session-12 --share-all" "the count and the command"
expect_out "    - Queues: drain before deploy" "the topic and text of the unshared learning"
sl eod.lua 12 --share-none
expect_out "    - Queues: drain before deploy" "--share-none lists it too"

# An unwritable shared-knowledge folder stops eod before anything is
# written: the log keeps its tasks and next steps (exit 5).
if mount --bind "$K" "$K" 2>/dev/null; then
  MOUNTS+=("$K")
  if mount -o remount,ro,bind "$K" 2>/dev/null; then
    sl update.lua 12 --phase "Ro task"
    sl update.lua 12 --done "Ro task"
    snapshot "$R" > ro.before
    sl eod.lua 12 --yes --share-all --next "ro step"
    expect_rc 5 "eod with read-only shared-knowledge: exit 5"
    expect_err "sesslua: eod: $K: Read-only file system; nothing was changed" "eod names the folder"
    snapshot "$R" > ro.after
    expect_same ro.before ro.after "eod with read-only shared-knowledge: every file as it was"
    sl eod.lua 12 --yes --next "ro step"
    expect_rc 0 "eod sharing nothing needs no shared-knowledge"
  else
    echo "skipped: eod with read-only shared-knowledge (cannot remount read-only)"
  fi
  umount "$K"
else
  echo "skipped: eod with read-only shared-knowledge (cannot bind-mount)"
fi
sl eod.lua 12 --share-all
expect_eq "$(grep -c 'drain before deploy' "$K/learnings.md")" "1" "shared once it can be written"

# morning's --status follows update's rules: empty refused (before anything
# is printed or written), unknown written with a warning, known quietly.
cp "$L" before-status.md
sl morning.lua 12 --status ""
expect_rc 2 "morning --status '' refused"
expect_err "sesslua: morning: --status: empty TEXT" "empty status message"
expect_eq "$OUT" "" "nothing printed before the refusal"
expect_same "$L" before-status.md "refused --status leaves the log as it was"
sl morning.lua 12 --status "   "
expect_rc 2 "morning --status blank refused"
sl morning.lua 12 --status Pondering --carry none
expect_rc 0 "unknown status written"
expect_err "sesslua: warning: status 'Pondering' is not one of Planning, Building, Testing, Deploying, Complete" \
  "unknown status warned as update warns"
expect_file_has "$L" "**Status:** Pondering" "unknown status written"
sl morning.lua 12 --status Testing --carry none
expect_eq "$ERR" "" "a known status gives no warning"
printf '\nnone\nMusing\n' > answers
run "$SESSLUA" morning.lua 12 --interactive < answers
expect_err "warning: status 'Musing'" "an unknown status answered at the prompt is warned about too"
expect_file_has "$L" "**Status:** Musing" "answered status written"

# eod answered through a pseudo-terminal: it asks for next steps and for
# each unshared learning without --interactive.
if command -v script >/dev/null 2>&1; then
  sl update.lua 12 --learning "Pty" "typed on a terminal"
  printf 'Pty step\n\ny\n' > answers
  script -qec "$SESSLUA eod.lua 12" /dev/null < answers > pty.out 2>&1
  grep -q "Next steps for the next session" pty.out && ok || bad "eod asks for next steps on a terminal: $(cat pty.out)"
  grep -q "Share learning 'Pty: typed on a terminal'" pty.out && ok || bad "eod offers the learning on a terminal: $(cat pty.out)"
  grep -q "learnings shared: 1" pty.out && ok || bad "eod on a terminal shares the answered learning: $(cat pty.out)"
  expect_file_lacks pty.out "    - Pty:" "eod on a terminal does not list what it just asked about"
  grep -q '^[0-9]*\. Pty step$' "$L" && ok || bad "next step typed on the terminal"
  expect_eq "$(grep -c 'typed on a terminal' "$K/learnings.md")" "1" "learning typed y on the terminal shared"
else
  echo "skipped: no script(1) for a pseudo-terminal"
fi

# --json: one document, nothing asked (even with -i), nothing written unless asked.
sl update.lua 12 --next "Json step"
cp -p "$L" before-json.md
printf 'answer\n' > answer.txt
run "$SESSLUA" morning.lua 12 --json -i < answer.txt
expect_rc 0 "morning --json"
expect_same "$L" before-json.md "morning --json without --carry / --yes writes nothing"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
steps = [s["text"] for s in d["next_steps"]]
sys.exit(0 if d["kind"] == "morning" and "Json step" in steps and d["written"] is False
  and d["updated_at"].endswith("Z") and not any(s["carried"] for s in d["next_steps"]) else 1)' \
  && ok || bad "morning --json shows the next steps and says nothing was written: $OUT"
sl morning.lua 12 --json --carry all
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
sys.exit(0 if d["written"] is True and all(s["carried"] for s in d["next_steps"]) else 1)' \
  && ok || bad "morning --json --carry all: written, each step carried: $OUT"
expect_file_has "$L" "- [ ] Json step" "morning --json --carry all carried it"
sl update.lua 12 --learning "JsonTopic" "learned in json"
run "$SESSLUA" eod.lua 12 --json -i --next "After json" < answer.txt
expect_rc 0 "eod --json"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
l = [x for x in d["learnings"] if x["category"] == "JsonTopic"]
sys.exit(0 if d["kind"] == "eod" and "After json" in d["next_steps"] and l and l[0]["shared"] is False else 1)' \
  && ok || bad "eod --json asks nothing, shares nothing, lists the learning: $OUT"

finish
