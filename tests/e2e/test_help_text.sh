#!/usr/bin/env bash
# Help epilogs are paragraphs argparse wraps to the help's width: no line of
# a workflow's help is longer than 80 columns, and none is a stub left by a
# hard line break in the middle of a sentence.
. "$(dirname "$0")/lib.sh"
for w in $("$SESSLUA" --list | awk '{ print $1 }' | sed 's/\.lua$//'); do
  run "$SESSLUA" help "$w"
  expect_rc 0 "help $w"
  long=$(printf '%s\n' "$OUT" | awk 'length > 80')
  expect_eq "$long" "" "help $w: no line over 80 columns"
  # a stub: a line of one or two words followed by a line that goes on
  # with the same sentence (a lower-case start)
  stubs=$(printf '%s\n' "$OUT" | awk 'prev != "" && prev !~ /[.:]$/ && split(prev, a, " ") <= 2 && $0 ~ /^[a-z]/ { print prev } { prev = $0 }')
  expect_eq "$stubs" "" "help $w: no line broken in the middle of a sentence"
done
run "$SESSLUA" help doctor
expect_out "Exit 0 when healthy, 1 when problems remain." "doctor's help says the exit codes in one line"
run "$SESSLUA" help search
expect_out "redis --knowledge) or the type with =" "search's epilog wraps as one sentence, not as a list item"
# share's usage names its two forms, not argparse's WORDS WORDS [WORDS]
run "$SESSLUA" help share
expect_out "Usage: sesslua share.lua [--broadcast] [--json] [TYPE] CATEGORY TEXT [IMPACT]" "share's usage line"
expect_out "troubleshooting, best-practice; IMPACT: Low, Medium," "share's help lists the types and impacts"
case $OUT in *"WORDS WORDS"*) bad "share's usage repeats WORDS: $OUT" ;; *) ok ;; esac
# --list names message's commands, never broadcast as one (it is a recipient)
run "$SESSLUA" --list
line=$(printf '%s\n' "$OUT" | grep '^ *message ')
case $line in *": send"*", broadcast,"*) bad "--list names broadcast as a command: $line" ;; *) ok ;; esac
run "$SESSLUA" message.lua broadcast
expect_rc 2 "broadcast is no command"
finish
