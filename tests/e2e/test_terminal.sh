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

# Every line fits the terminal, at any width, with wide characters: East
# Asian Wide/Fullwidth and emoji take two columns on a terminal.
run "$SESSLUA" create.lua 3 "🚀 発射エンジニア" "Goal"
run "$SESSLUA" update.lua 3 --working-on "電子メールサービスの移行と新しい登録フローの構築 🎉🎉" --status Testing
run "$SESSLUA" create.lua 10 "Platform Engineer" "Goal"
run "$SESSLUA" update.lua 10 --working-on "Short" --status Building --progress 30
# columns: the widest line's display width, as terminals count it
columns() {
  python3 -c '
import re, sys, unicodedata
w = 0
for line in sys.stdin:
    line = re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n"))
    n = 0
    for ch in line:
        if unicodedata.combining(ch) or ord(ch) in (0x200D, 0xFE0F):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    w = max(w, n)
print(w)'
}
for cols in 200 100 80 60 40; do
  out=$(script -qec "stty cols $cols rows 50; $SESSLUA status.lua" /dev/null < /dev/null | tr -d '\r')
  w=$(printf '%s\n' "$out" | columns)
  [ "$w" -le "$cols" ] && ok || bad "status at $cols columns: a line is $w wide: $out"
  grep -q "^session-3 " <<<"$(sed "s/$ESC\[[0-9;]*m//g" <<<"$out")" && ok || bad "session-3 row shown at $cols columns"
done
out=$(script -qec "stty cols 80 rows 50; $SESSLUA status.lua" /dev/null < /dev/null | tr -d '\r' | sed "s/$ESC\[[0-9;]*m//g")
for col in ROLE STATUS TODO MAIL; do
  grep -q "$col" <<<"$(head -1 <<<"$out")" && ok || bad "80 columns still show $col: $out"
done
grep -q "電子メール" <<<"$out" && ok || bad "Working On shown at 80 columns: $out"
out=$(script -qec "stty cols 200 rows 50; $SESSLUA status.lua" /dev/null < /dev/null | tr -d '\r')
grep -qF "電子メールサービスの移行と新しい登録フローの構築 🎉🎉" <<<"$out" && ok || bad "whole CJK Working On at 200 columns: $out"

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

# Text a terminal would act on, from a log, a message and a knowledge entry:
# C1 controls (CSI U+009B, OSC U+009D) and bidi controls (U+202E, U+2066)
# are shown as \u{XXXX} on a terminal, in every command that prints them;
# ordinary text (emoji, CJK, a combining accent) stays as it is.
RLO=$'\xe2\x80\xae'; LRI=$'\xe2\x81\xa6'; CSI=$'\xc2\x9b'; OSC=$'\xc2\x9d'
KEEP="ok 🎉 漢字 e"$'\xcc\x81'
raw_controls() { grep -caE "$RLO|$LRI|$CSI|$OSC|$ESC\]" <<<"$1"; }
run "$SESSLUA" create.lua 20 "r${RLO}ole" "Goal"
run "$SESSLUA" update.lua 20 --working-on "w ${RLO}rev ${CSI}31m $KEEP"
printf '\nhand %s edit %s1;2H %s0;title\a %s\n' "$LRI" "$CSI" "$ESC]" "$KEEP" >> "$R/sessions/ACTIVE/session-20.md"
run "$SESSLUA" --session 20 message.lua send 20 "subj ${RLO}x ${OSC}0;t" "body ${CSI}2J"
run "$SESSLUA" --session 20 share.lua pattern cat "know ${RLO}ledge ${CSI}31m"
for cmd in "view.lua 20" "view.lua 20 --section Current" "status.lua" "list.lua" "search.lua ledge" \
           "search.lua rev" "--session 20 message.lua inbox" "--session 20 message.lua inbox --all"; do
  out=$(COLS=200 tty_run "$SESSLUA" $cmd)
  expect_eq "$(raw_controls "$out")" "0" "no raw C1/bidi/OSC reaches the terminal from $cmd: $(cat -v <<<"$out")"
  grep -qF '\u{' <<<"$out" && ok || bad "$cmd shows the controls escaped: $out"
done
out=$(COLS=200 tty_run "$SESSLUA" view.lua 20)
for want in '\u{202E}rev \u{009B}31m' '\u{2066} edit \u{009B}1;2H \x1b]0;title\x07' "$KEEP"; do
  grep -qF "$want" <<<"$out" && ok || bad "view on a terminal shows '$want': $out"
done
# into a pipe, view keeps the log's bytes unchanged
"$SESSLUA" view.lua 20 > "$WORK/view20.out"
expect_same "$WORK/view20.out" "$R/sessions/ACTIVE/session-20.md" "view into a pipe prints the file's bytes"
# error lines quote file text (section titles) and user input: escaped too
err=$(tty_run "$SESSLUA" view.lua 20 --section "x${RLO}y${CSI}" 2>&1)
expect_eq "$(raw_controls "$err")" "0" "an error line escapes C1 and bidi controls: $(cat -v <<<"$err")"
grep -qF 'x\u{202E}y\u{009B}' <<<"$err" && ok || bad "the error shows them as \\u{...}: $err"

finish
