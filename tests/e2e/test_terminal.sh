#!/usr/bin/env bash
# What a person at a terminal sees: color only on a terminal and never
# under NO_COLOR, the dashboard cut to the terminal's width, highlights.
. "$(dirname "$0")/lib.sh"
unset NO_COLOR
if ! command -v script >/dev/null 2>&1; then
  echo "skipped: no script(1) to make a pseudo-terminal"
  finish; exit
fi
R="$WORK/docs/coordination"; mkdir -p "$R"
run "$SESSLUA" create.lua 12 "Dev" "Goal"
LONG="A very long description of the work this session does right now, far wider than any terminal"
run "$SESSLUA" update.lua 12 --working-on "$LONG" --blocker "Waiting on the database"

tty_run() { COLUMNS=${COLS:-100} script -qec "$*" /dev/null < /dev/null | tr -d '\r'; }
ESC=$'\033'

out=$(COLS=100 tty_run "$SESSLUA" status.lua)
grep -q "$ESC\[" <<<"$out" && ok || bad "status colors its header on a terminal"
grep -q "…" <<<"$out" && ok || bad "status cuts Working On to the terminal width: $out"
grep -qF "$LONG" <<<"$out" && bad "status printed the whole Working On on a terminal" || ok
row=$(grep session-12 <<<"$out" | sed "s/$ESC\[[0-9;]*m//g")
[ "$(printf '%s' "$row" | wc -m)" -le 100 ] && ok || bad "status row fits 100 columns: $row"

out=$(NO_COLOR=1 tty_run "$SESSLUA" status.lua)
grep -q "$ESC" <<<"$out" && bad "NO_COLOR still colored" || ok

out=$("$SESSLUA" status.lua)
grep -q "$ESC" <<<"$out" && bad "colored output into a pipe" || ok
grep -qF "$LONG" <<<"$out" && ok || bad "a pipe gets whole lines"

out=$(tty_run "$SESSLUA" search.lua database)
grep -q "$ESC\[31mdatabase$ESC\[0m" <<<"$out" && ok || bad "search highlights the match on a terminal: $out"
out=$("$SESSLUA" search.lua database)
grep -q "$ESC" <<<"$out" && bad "search colored a pipe" || ok
expect_eq "$(grep -c 'Waiting on the database' <<<"$out")" "1" "search prints the hit line into a pipe"

out=$(tty_run "$SESSLUA" handoff.lua 12)
grep -q "$ESC\[3[13]m" <<<"$out" && ok || bad "handoff colors FAIL/WARN on a terminal"

finish
