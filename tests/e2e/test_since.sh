#!/usr/bin/env bash
# search --since WHEN: a date, today, yesterday, Nd / Nw; a log without a
# Last Updated line is judged by its file's modification time.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
sl init.lua
for n in 1 2 3 4; do sl create.lua $n "Dev" "Goal"; sl update.lua $n --note "kiwi note $n"; done
A="$R/sessions/ACTIVE"
day() { date -d "$1" +%Y-%m-%d; }
# 1: updated today; 2: three days ago; 3: no Last Updated, file from today;
# 4: no Last Updated, file from ten days ago
sed -i "s/^\*\*Last Updated:\*\* .*/**Last Updated:** $(day '3 days ago') 10:00:00/" "$A/session-2.md"
sed -i '/^\*\*Last Updated:\*\*/d' "$A/session-3.md" "$A/session-4.md"
touch -d "$(day '10 days ago') 12:00" "$A/session-4.md"
grep -q "Last Updated" "$A/session-3.md" && bad "session-3 still has a Last Updated line"
files() { printf '%s\n' "$OUT" | sed "s|^$A/||" | sort | tr '\n' ' '; }

sl search.lua kiwi --since today -l
expect_eq "$(files)" "session-1.md session-3.md " "--since today: today's log and the file written today"
sl search.lua kiwi --since yesterday -l
expect_eq "$(files)" "session-1.md session-3.md " "--since yesterday"
sl search.lua kiwi --since 3d -l
expect_eq "$(files)" "session-1.md session-2.md session-3.md " "--since 3d takes in the log of three days ago"
sl search.lua kiwi --since 2d -l
expect_eq "$(files)" "session-1.md session-3.md " "--since 2d leaves it out"
sl search.lua kiwi --since 2w -l
expect_eq "$(files)" "session-1.md session-2.md session-3.md session-4.md " "--since 2w: the old file too"
sl search.lua kiwi --since "$(day '11 days ago')" -l
expect_eq "$(files)" "session-1.md session-2.md session-3.md session-4.md " "--since a date: a log without Last Updated is judged by its file time"
sl search.lua kiwi --since "$(day '9 days ago')" -l
expect_eq "$(files)" "session-1.md session-2.md session-3.md " "--since a date after the old file's time"
sl search.lua kiwi --since soon
expect_rc 2 "--since soon is refused"
expect_err "search: --since 'soon': expected a date YYYY-MM-DD, today, yesterday" "and says what it takes"
sl help search.lua
expect_out "--since WHEN" "the help names WHEN"
finish
