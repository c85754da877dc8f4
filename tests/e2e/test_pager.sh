#!/usr/bin/env bash
# The pager: long view, search and inbox output on a terminal goes through
# $PAGER; output that fits the screen, --no-pager, --json, PAGER empty or
# cat, a terminal of no size and a run whose stdin or stdout is no terminal
# start none. A fake pager records what it was given.
. "$(dirname "$0")/lib.sh"
command -v script > /dev/null || { echo "skipped: no script(1) for a pseudo-terminal"; exit 0; }
mkdir -p bin
cat > bin/fakepager <<'SH'
#!/bin/sh
cat > "$PAGED"
echo "paged: $*" >> "$PAGED.runs"
SH
chmod +x bin/fakepager
export PAGER="$WORK/bin/fakepager" PAGED="$WORK/paged"
sl init.lua
sl create.lua 1 Dev Goal
sl create.lua 2 Dev Goal
for i in $(seq 1 40); do sl update.lua 1 --note "kiwi note $i"; done
for i in $(seq 1 12); do sl --session 2 message.lua send 1 "kiwi message $i"; done
runs() { cat "$PAGED.runs" 2> /dev/null | wc -l; }
fresh() { rm -f "$PAGED" "$PAGED.runs"; }
# tty ROWS CMD...: CMD on a pseudo-terminal of ROWS rows and 80 columns
tty() { local rows=$1; shift; script -qec "stty rows $rows cols 80; $*" /dev/null < /dev/null | tr -d '\r'; }

fresh; out=$(tty 20 "$SESSLUA" view.lua 1)
expect_eq "$(runs)" "1" "a long view on a terminal starts the pager once"
expect_same "$PAGED" "$WORK/docs/coordination/sessions/ACTIVE/session-1.md" "the pager gets the whole log"
printf '%s\n' "$out" | grep -q "kiwi note" && bad "the log was printed besides the pager: $out" || ok
fresh; out=$(tty 200 "$SESSLUA" view.lua 1)
expect_eq "$(runs)" "0" "a log that fits the screen starts no pager"
printf '%s\n' "$out" | grep -q "kiwi note 40" && ok || bad "and is printed as it is: $out"
fresh; out=$(tty 20 "$SESSLUA" view.lua 1 --no-pager)
expect_eq "$(runs)" "0" "--no-pager"
printf '%s\n' "$out" | grep -q "kiwi note 40" && ok || bad "--no-pager prints the log: $out"
fresh; tty 20 "$SESSLUA" view.lua 1 --json > /dev/null
expect_eq "$(runs)" "0" "--json is never paged"
fresh; out=$(PAGER=cat tty 20 "$SESSLUA" view.lua 1)
expect_eq "$(runs)" "0" "PAGER=cat: no pager"
printf '%s\n' "$out" | grep -q "kiwi note 40" && ok || bad "PAGER=cat prints the log: $out"
fresh; PAGER= tty 20 "$SESSLUA" view.lua 1 > /dev/null
expect_eq "$(runs)" "0" "PAGER empty: no pager"
fresh; out=$(tty 0 "$SESSLUA" view.lua 1)
expect_eq "$(runs)" "0" "a terminal of no size: no pager"
fresh; out=$(tty 20 "$SESSLUA" view.lua 1 "< /dev/null")
expect_eq "$(runs)" "0" "stdin not a terminal: no pager (it would wait for keys)"
printf '%s\n' "$out" | grep -q "kiwi note 40" && ok || bad "stdin not a terminal prints the log: $out"
fresh; tty 20 "$SESSLUA" view.lua 1 "| cat" > /dev/null
expect_eq "$(runs)" "0" "stdout not a terminal: no pager"
fresh; sl view.lua 1
expect_eq "$(runs)" "0" "a run without a terminal never starts the pager"
expect_out "kiwi note 40" "and prints the log"

fresh; tty 20 "$SESSLUA" search.lua kiwi > /dev/null
expect_eq "$(runs)" "1" "long search output is paged"
expect_eq "$(grep -c 'kiwi note' "$PAGED")" "40" "the pager gets every hit"
fresh; NO_COLOR=1 tty 20 "$SESSLUA" search.lua kiwi -l > /dev/null
expect_eq "$(runs)" "0" "search output that fits (-l) starts no pager"
fresh; tty 20 "$SESSLUA" --session 1 message.lua inbox > /dev/null
expect_eq "$(runs)" "1" "a long inbox is paged"
expect_eq "$(grep -c 'kiwi message' "$PAGED")" "12" "the pager gets every message"
fresh; tty 20 "$SESSLUA" --session 1 message.lua inbox --no-pager > /dev/null
expect_eq "$(runs)" "0" "inbox --no-pager"
# the run's exit code is its own, not the pager's
script -qec "stty rows 20 cols 80; $SESSLUA search.lua no-such-word-anywhere; echo rc=\$?" /dev/null < /dev/null | tr -d '\r' > rc.out
grep -q "rc=1" rc.out && ok || bad "search through the pager still exits 1 when nothing is found: $(cat rc.out)"
finish
