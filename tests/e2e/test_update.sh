#!/usr/bin/env bash
# update: every option, byte-identical text outside the edits, refusals,
# stdin, dry runs, the acting session, and two updaters at once.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
sl create.lua 12 "DevOps Engineer" "Deploy services"
L="$R/sessions/ACTIVE/session-12.md"
TODAY=$(date +%Y-%m-%d)

# Fields
cp "$L" before.md
sl update.lua 12 --working-on "Email service" --status Building --progress 60%
expect_rc 0 "update fields"
expect_file_has "$L" "**Working On:** Email service" "working on"
expect_file_has "$L" "**Status:** Building" "status"
expect_file_has "$L" "**Progress:** 60%" "progress"
grep -q "^\*\*Last Updated:\*\* $TODAY [0-9:]\{8\}$" "$L" && ok || bad "last updated set"
# Only the three values and the footer changed.
changed=$(diff before.md "$L" | grep '^>' | grep -vc 'Working On\|Status\|Progress\|Last Updated' || true)
expect_eq "$changed" "0" "only the edited lines differ"

# Bad progress values: exit 2, log untouched.
cp "$L" before.md
for v in 101 abc -5 "60 %%" "" 1.5; do
  sl update.lua 12 --progress "$v"
  expect_rc 2 "bad progress '$v'"
  expect_same "$L" before.md "bad progress '$v' leaves the log untouched"
done
sl update.lua 12 --status Pondering
expect_rc 0 "unknown status is allowed"
expect_err "warning" "unknown status warns"

# Phase tasks, done (exact, case, substring), completed under today's date.
sl update.lua 12 --phase "Write specs" --phase "Implement endpoints" --phase "Write tests"
expect_rc 0 "add phase tasks"
expect_file_has "$L" "- [ ] Write specs" "phase task added"
sl update.lua 12 --done "write SPECS"
expect_rc 0 "done case-insensitive"
expect_file_has "$L" "- [x] Write specs" "phase task checked"
expect_file_has "$L" "**$TODAY:**" "today's date heading"
sl update.lua 12 --done endpoints
expect_rc 0 "done by unique substring"
expect_file_has "$L" "- [x] Implement endpoints" "substring match checked"
cp "$L" before.md
sl update.lua 12 --done "Write"
expect_rc 2 "ambiguous task"
expect_err "ambiguous" "ambiguous named"
expect_err "Write specs" "ambiguous lists the candidates"
expect_same "$L" before.md "ambiguous leaves the log untouched"
sl update.lua 12 --done "nonexistent"
expect_rc 2 "missing task"
expect_same "$L" before.md "missing task leaves the log untouched"
sl update.lua 12 --completed "Deployed to staging"
expect_file_has "$L" "- [x] Deployed to staging" "completed item"
n=$(grep -c "^\*\*$TODAY:\*\*$" "$L"); expect_eq "$n" "1" "one date heading for today"

# Blockers and resolving them.
sl update.lua 12 --blocker "DB credentials missing" --blocker "CI flaky"
expect_file_has "$L" "- [ ] DB credentials missing" "blocker added"
sl update.lua 12 --resolve "credentials" --how "asked session-5"
expect_rc 0 "resolve"
expect_file_has "$L" "- [x] ~~DB credentials missing~~ - Solved by asked session-5" "resolved entry"
expect_file_lacks "$L" "- [ ] DB credentials missing" "blocker moved"

# Next steps stay numbered; --next-clear empties first.
sl update.lua 12 --next "Deploy" --next "Write docs"
expect_file_has "$L" "1. Deploy" "first next step numbered"
expect_file_has "$L" "2. Write docs" "second next step numbered"
sl update.lua 12 --next-clear --next "Only this"
expect_file_has "$L" "1. Only this" "next-clear then next"
expect_file_lacks "$L" "Write docs" "next-clear removed old steps"

# Notes, learnings, services.
sl update.lua 12 --note "A note"
expect_file_has "$L" "A note" "note"
sl update.lua 12 --learning "Async" "gather is 10x faster"
expect_file_has "$L" "**$TODAY - Async:**" "learning heading"
expect_file_has "$L" "- gather is 10x faster" "learning text"
sl update.lua 12 --service email-svc --service-status Development --service-progress 40 --service-location services/email
expect_file_has "$L" "1. **email-svc**" "service entry"
expect_file_has "$L" "   - Status: Development" "service status"
sl update.lua 12 --service email-svc --service-status Testing
expect_file_has "$L" "   - Status: Testing" "service status updated"
expect_file_lacks "$L" "Status: Development" "old service status replaced"
expect_file_has "$L" "   - Progress: 40%" "service progress kept"

# Text from stdin, with newlines and shell-hostile characters.
printf 'line one with $HOME & "quotes"\nline two \\ back\n' > "$WORK/stdin.txt"
run "$SESSLUA" update.lua 12 --note - < "$WORK/stdin.txt"
expect_rc 0 "note from stdin"
expect_file_has "$L" 'line one with $HOME & "quotes"' "stdin note line 1"
expect_file_has "$L" 'line two \ back' "stdin note line 2"

# --dry-run prints a diff and writes nothing.
cp "$L" before.md
sl update.lua 12 --working-on "Something else" --dry-run
expect_rc 0 "dry run"
expect_out "+**Working On:** Something else" "dry run shows the new line"
expect_out "-**Working On:** Email service" "dry run shows the old line"
expect_same "$L" before.md "dry run writes nothing"

# The session from --session, $SESSLUA_SESSION, .current_session; none: exit 2.
sl update.lua --progress 10
expect_rc 2 "no session anywhere"
expect_err "hint:" "no session hint"
SESSLUA_SESSION=12 run "$SESSLUA" update.lua --progress 11
expect_file_has "$L" "**Progress:** 11%" "SESSLUA_SESSION"
echo "session-12" > "$R/.current_session"
sl update.lua --progress 12
expect_file_has "$L" "**Progress:** 12%" ".current_session"
sl update.lua nosuch --progress 1
expect_rc 3 "unknown session"
expect_err "no active log" "unknown session message"

# The original team template: sample lines replaced on the first real entry.
T="$WORK/t/docs/coordination"; mkdir -p "$T/sessions"
cp "$FIXTURES/reference-template.md" "$T/sessions/SESSION_LOG_TEMPLATE.md"
run "$SESSLUA" --root "$T" create.lua 7 "Dev" "Goal"
TL="$T/sessions/ACTIVE/session-7.md"
run "$SESSLUA" --root "$T" update.lua 7 --phase "Real task" --next "Real step" --blocker "Real blocker"
expect_rc 0 "update on the original template"
expect_file_has "$TL" "- [ ] Real task" "real task added"
expect_file_lacks "$TL" "Task 1" "sample tasks replaced"
expect_file_has "$TL" "1. Real step" "real step numbered 1"
expect_file_lacks "$TL" "Next task description" "sample next steps replaced"
expect_file_lacks "$TL" "Blocker 1 description" "sample blockers replaced"
run "$SESSLUA" --root "$T" update.lua 7 --completed "Did a thing" --learning Topic "Learned X" --service svc --note "A note"
expect_file_lacks "$TL" "Completed task 1" "sample completed items replaced"
expect_file_lacks "$TL" "[Previous Date]" "sample date group removed"
expect_file_lacks "$TL" "Learning description" "sample learning replaced"
expect_file_lacks "$TL" "[service-name]" "sample service replaced"
expect_file_lacks "$TL" "[Any additional notes" "sample note replaced"
doubled=$(awk 'prev=="" && $0=="" {n++} {prev=$0} END {print n+0}' "$TL")
expect_eq "$doubled" "0" "no doubled blank lines left by replaced samples"

# CRLF logs stay CRLF; bytes outside the edit identical.
C="$WORK/c/docs/coordination"; mkdir -p "$C/sessions/ACTIVE"
sed 's/$/\r/' "$L" > "$C/sessions/ACTIVE/session-12.md"
cp "$C/sessions/ACTIVE/session-12.md" crlf-before.md
run "$SESSLUA" --root "$C" update.lua 12 --next "CRLF step"
expect_rc 0 "update a CRLF log"
lf=$(tr -cd '\n' < "$C/sessions/ACTIVE/session-12.md" | wc -c)
crlf=$(grep -c $'\r$' "$C/sessions/ACTIVE/session-12.md")
expect_eq "$crlf" "$lf" "every line still ends in CRLF"
removed=$(diff crlf-before.md "$C/sessions/ACTIVE/session-12.md" | grep '^<' | grep -vc 'Last Updated\|Updated By' || true)
expect_eq "$removed" "0" "only the footer lines replaced"
grep -qx $'2. CRLF step\r' "$C/sessions/ACTIVE/session-12.md" && ok || bad "CRLF step added with CRLF"

# A log without sections gets them in template position.
printf '# Hand-written\n\nSome text.\n' > "$R/sessions/ACTIVE/bare.md"
sl update.lua bare --working-on "X" --next "Y"
expect_rc 0 "update a bare log"
order=$(grep '^## ' "$R/sessions/ACTIVE/bare.md" | tr '\n' '|')
expect_eq "$order" "## Current Work|## Next Steps|" "created sections in template order"
expect_file_has "$R/sessions/ACTIVE/bare.md" "Some text." "hand-written text kept"

# Two updaters at once: both changes land.
for i in $(seq 1 8); do
  "$SESSLUA" update.lua 12 --next "parallel step $i" 2>>par.err &
done
wait
n=$(grep -c "parallel step" "$L"); expect_eq "$n" "8" "8 concurrent updates all landed"
ls -a "$R/sessions/ACTIVE" | grep -q 'tmp\|\.lock' && bad "temp or lock files left" || ok


# A second learning under the same topic on the same day is appended.
sl update.lua 12 --learning "Async" "second lesson"
expect_file_has "$L" "- second lesson" "same topic, same day: appended"
expect_eq "$(grep -c "^\*\*$TODAY - Async:\*\*" "$L")" "1" "one block for the topic"
cp "$L" before.md
sl update.lua 12 --learning "Async" "second lesson"
diff <(grep -v 'Last Updated' before.md) <(grep -v 'Last Updated' "$L") >/dev/null && ok || bad "a repeated lesson is not written twice"

# Control characters are refused; list items are one line.
cp "$L" before.md
sl update.lua 12 --note $'evil \e[2J'
expect_rc 2 "escape sequence refused"
expect_err '\x1b' "the control character is named, escaped"
expect_same "$L" before.md "refused text writes nothing"
printf 'multi\nline blocker\n' > "$WORK/stdin.txt"
run "$SESSLUA" update.lua 12 --blocker - < "$WORK/stdin.txt"
expect_file_has "$L" "- [ ] multi line blocker" "a multi-line blocker becomes one item"
sl update.lua 12 --collab "Working with session-5 on the schema"
expect_file_has "$L" "- Working with session-5 on the schema" "--collab adds a collaboration"
sl update.lua 12 --working-on ""
expect_rc 2 "empty --working-on refused"

# A log missing its last section gets it back with its own rule.
M="$WORK/m/docs/coordination"; mkdir -p "$M"
run "$SESSLUA" --root "$M" create.lua 3 R G
ML="$M/sessions/ACTIVE/session-3.md"
awk '/^## Session Notes/{skip=1} /^\*\*Last Updated/{skip=0} !skip' "$ML" > t.md && mv t.md "$ML"
run "$SESSLUA" --root "$M" update.lua 3 --note "hello"
expect_eq "$(grep -A6 '^## Session Notes' "$ML" | tr '\n' '|')" "## Session Notes||hello||---||**Last Updated:** $(sed -n 's/^\*\*Last Updated:\*\* //p' "$ML")|" "recreated last section: blank lines and rule as the template has them"


sl update.lua 12 --progress 13 --json
expect_rc 0 "update --json"
expect_out '"kind": "update"' "update --json kind"
expect_out '"dry_run": false' "update --json says it wrote"
sl update.lua 12 --progress 14 --dry-run --json
expect_out '"diff": "--- ' "dry run --json carries the diff"

# Resolving the last blocker says "None"; a `* [ ]` list stays a `*` list.
S="$WORK/s/docs/coordination"; mkdir -p "$S"
run "$SESSLUA" --root "$S" create.lua 4 R G
SL="$S/sessions/ACTIVE/session-4.md"
run "$SESSLUA" --root "$S" update.lua 4 --blocker "Only one"
run "$SESSLUA" --root "$S" update.lua 4 --resolve "Only one" --how "waiting"
expect_eq "$(grep -A1 '^\*\*Current Blockers:\*\*$' "$SL" | tail -1)" "None" "last blocker resolved: None"
run "$SESSLUA" --root "$S" handoff.lua 4 --json
expect_out '"message": "no blockers (None)"' "handoff reads the None"
run "$SESSLUA" --root "$S" update.lua 4 --blocker "New one"
grep -qx "None" "$SL" && bad "None left beside a blocker" || ok
sed -i 's/^- \[ \] New one$/* [ ] New one/' "$SL"
run "$SESSLUA" --root "$S" update.lua 4 --blocker "Second"
expect_file_has "$SL" "* [ ] Second" "the list's own bullet is kept"


# Empty text from standard input is no text: every TEXT option, exit 2,
# the log untouched.
cp "$L" before.md
for opt in "--service -" "--service svc --service-status -" "--service svc --service-location -" \
           "--note -" "--working-on -" "--blocker -" "--learning T -" "--how - --resolve x"; do
  eval "run \"\$SESSLUA\" update.lua 12 $opt" < /dev/null
  expect_rc 2 "empty stdin refused: $opt"
  expect_err "empty" "empty stdin named: $opt"
  expect_same "$L" before.md "empty stdin leaves the log untouched: $opt"
done
printf '  \n\n' | run "$SESSLUA" update.lua 12 --service-status - --service svc
expect_rc 2 "blank stdin refused for --service-status"
expect_same "$L" before.md "blank stdin leaves the log untouched"

# A bad --service-progress is refused before anything is written.
for v in 101 abc -3 ""; do
  sl update.lua 12 --service email-svc --service-progress "$v"
  expect_rc 2 "bad --service-progress '$v'"
  expect_same "$L" before.md "bad --service-progress '$v' leaves the log untouched"
done

# Service fields added to an existing entry keep Status, Progress, Location.
sl update.lua 12 --service svc2 --service-status Dev
sl update.lua 12 --service svc2 --service-location /x --service-progress 10
expect_rc 0 "fields added to an existing service"
expect_eq "$(grep -A3 '^[0-9]*\. \*\*svc2\*\*$' "$L" | tail -3 | tr '\n' '|')" \
  "   - Status: Dev|   - Progress: 10%|   - Location: /x|" "service fields in template order"

# --dry-run on a log without a final newline: the diff applies with patch(1).
N="$WORK/nl/docs/coordination"; mkdir -p "$N"
run "$SESSLUA" --root "$N" create.lua 6 R G
NL="$N/sessions/ACTIVE/session-6.md"
# an old footer (so the update changes the last lines) and no final newline
printf '%s' "$(sed 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2025-01-01 10:00:00/' "$NL")" > nl.tmp && mv nl.tmp "$NL"
[ "$(tail -c1 "$NL" | od -An -c | tr -d ' ')" != '\n' ] && ok || bad "fixture lacks its final newline"
cp "$NL" nl-before.md
run "$SESSLUA" --root "$N" update.lua 6 --note "tail note" --dry-run
expect_rc 0 "dry run on a log without a final newline"
expect_out '\ No newline at end of file' "the diff marks the missing newline"
expect_same "$NL" nl-before.md "dry run writes nothing"
printf '%s\n' "$OUT" > nl.patch
if command -v patch >/dev/null 2>&1; then
  patch --dry-run -s nl-before.md < nl.patch >/dev/null 2>&1 && ok || bad "patch rejects the dry-run diff: $(patch --dry-run nl-before.md < nl.patch 2>&1)"
  cp nl-before.md nl-patched.md && patch -s nl-patched.md < nl.patch >/dev/null 2>&1
  run "$SESSLUA" --root "$N" update.lua 6 --note "tail note"
  diff <(grep -v 'Last Updated' nl-patched.md) <(grep -v 'Last Updated' "$NL") >/dev/null \
    && ok || bad "the patched copy equals the real update"
fi

# Hand-written layouts: `### Current Phase`, `## Blockers`, `## Learnings`,
# bulleted fields. The update finds what the dashboard reads; nothing is
# added twice.
H="$WORK/hw/docs/coordination"; mkdir -p "$H/sessions/ACTIVE"
HL="$H/sessions/ACTIVE/session-5.md"
cat > "$HL" <<'LOG'
# Session 5

**Role:** Backend
**Status:** Active

## Current Work

- **Working On:** Auth service
- **Status:** Testing
- **Progress:** 40%

### Current Phase
- [ ] Write login handler
- [ ] Add rate limits

## Blockers
- [ ] DB creds missing
  - ticket OPS-123
- N/A

## Learnings

**2025-11-10 - Tokens:**
- JWT expiry matters

## Next Steps
1. Ship it
LOG
run "$SESSLUA" --root "$H" status.lua --json
expect_out '"open_tasks": 2' "status counts the tasks under ### Current Phase"
expect_out '"status": "Testing"' "status reads a bulleted Status"
expect_out '"log_status": "Active"' "log status from the header"
printf '%s' "$OUT" | tr -d '\n ' | grep -qF '"blockers":["DBcredsmissing"]' && ok || bad "N/A is no blocker: $OUT"
cp "$HL" hw-before.md
run "$SESSLUA" --root "$H" update.lua 5 --done "login" --phase "Refresh tokens" --status Building \
  --blocker "CI down" --learning Cache "TTL 60s"
expect_rc 0 "update a hand-written log"
expect_file_has "$HL" "- [x] Write login handler" "--done finds a task under ### Current Phase"
expect_file_has "$HL" "- **Status:** Building" "bulleted Status edited in place"
expect_eq "$(grep -c 'Status:' "$HL")" "2" "no second Status line"
expect_eq "$(grep -c 'Current Phase' "$HL")" "1" "no second Current Phase block"
expect_eq "$(grep -c '^## ' "$HL")" "5" "only Completed Today added as a section"
expect_eq "$(grep -c 'Blockers' "$HL")" "1" "no second Blockers section or block"
expect_eq "$(grep -c 'Learnings' "$HL")" "1" "no second Learnings section"
expect_file_lacks "$HL" "N/A" "N/A goes when a blocker comes"
expect_eq "$(sed -n '/^### Current Phase/,/^$/p' "$HL" | tr '\n' '|')" \
  "### Current Phase|- [x] Write login handler|- [ ] Add rate limits|- [ ] Refresh tokens||" "phase task under the heading"
run "$SESSLUA" --root "$H" view.lua 5 --json
J=$(printf '%s' "$OUT" | tr -d '\n' | sed 's/  */ /g')
printf '%s' "$J" | grep -qF "\"topic\": \"Cache\"" && ok || bad "view --json learnings shows what update wrote: $J"
printf '%s' "$J" | grep -qF '"blockers": [ "DB creds missing", "CI down" ]' && ok || bad "view --json blockers: $J"
run "$SESSLUA" --root "$H" status.lua --json
expect_out '"open_tasks": 2' "status after the update: two open tasks"

# --resolve carries a blocker's sub-bullets into Resolved Issues.
run "$SESSLUA" --root "$H" update.lua 5 --resolve "creds" --how "vault"
expect_rc 0 "resolve a blocker with details"
expect_eq "$(grep -A1 '~~DB creds missing~~' "$HL" | tr '\n' '|')" \
  "- [x] ~~DB creds missing~~ - Solved by vault|  - ticket OPS-123|" "sub-bullets moved with the blocker"
expect_eq "$(grep -c 'OPS-123' "$HL")" "1" "details moved, not copied"
run "$SESSLUA" --root "$H" update.lua 5 --resolve "CI"
expect_eq "$(sed -n '/^## Blockers/{n;p}' "$HL")" "None" "last blocker of a hand-written list: None in its place"
run "$SESSLUA" --root "$H" update.lua 5 --blocker "again"
expect_eq "$(sed -n '/^## Blockers/{n;p}' "$HL")" "- [ ] again" "None replaced by the next blocker"

# "No blockers", "none yet", "None." count as None beside a new blocker.
for none in "- No blockers" "- none yet" "- None." "None"; do
  sed -i '/^\*\*Current Blockers:\*\*$/,/^\*\*Resolved Issues:\*\*$/{/^[-*] \[ \]/d;/^None$/d}' "$SL"
  sed -i "s/^\*\*Current Blockers:\*\*\$/**Current Blockers:**\n$none/" "$SL"
  run "$SESSLUA" --root "$S" status.lua --json
  expect_out '"blockers": []' "'$none' is no open blocker"
  run "$SESSLUA" --root "$S" update.lua 4 --blocker "Real one"
  grep -qxF -- "$none" "$SL" && bad "'$none' left beside a new blocker" || ok
  expect_file_has "$SL" "- [ ] Real one" "blocker added after '$none'"
done

# The acting session is an id, checked and normalised before it is written.
SESSLUA_SESSION=$'evil\n## Injected' run "$SESSLUA" update.lua 12 --note "x"
expect_rc 2 "an acting session that is no id is refused"
grep -q '^## Injected' "$L" && bad "heading injected through Updated By" || ok
run "$SESSLUA" --session 12 update.lua 12 --note "by twelve"
expect_file_has "$L" "**Updated By:** session-12" "Updated By is the normalised id"
for opt in "--learning '' text" "--learning topic ''" "--service ''" "--status ''" "--how ''"; do
  eval "run \"\$SESSLUA\" update.lua 12 $opt"
  expect_rc 2 "empty value refused: $opt"
done
# --clear-samples on the original template: handoff can pass on flags alone.
C2="$WORK/cs/docs/coordination"; mkdir -p "$C2/sessions"
cp "$FIXTURES/reference-template.md" "$C2/sessions/SESSION_LOG_TEMPLATE.md"
run "$SESSLUA" --root "$C2" create.lua 7 "Dev" "Goal"
run "$SESSLUA" --root "$C2" update.lua 7 --clear-samples --working-on "API" --status Building \
  --progress 20 --next "Ship it" --phase "Build"
run "$SESSLUA" --root "$C2" handoff.lua 7
expect_out "PASS  placeholders" "no sample line left after --clear-samples"
expect_file_has "$C2/sessions/ACTIVE/session-7.md" "**Messages Sent:**" "labels kept"
expect_file_has "$C2/sessions/ACTIVE/session-7.md" "1. Ship it" "real entries kept"

# Real entries that look like template samples are never taken for them:
# samples go only while a list holds nothing else.
P="$WORK/ph/docs/coordination"; mkdir -p "$P/sessions"
cp "$FIXTURES/reference-template.md" "$P/sessions/SESSION_LOG_TEMPLATE.md"
run "$SESSLUA" --root "$P" create.lua 8 "Dev" "Goal"
PL="$P/sessions/ACTIVE/session-8.md"
for t in "Handle [ID] tokens" "Second" "Third"; do run "$SESSLUA" --root "$P" update.lua 8 --phase "$t"; done
for t in "Handle [ID] tokens" "Second" "Third"; do expect_file_has "$PL" "- [ ] $t" "phase task '$t' kept"; done
expect_file_lacks "$PL" "- [ ] Task 2" "samples went with the first real task"
run "$SESSLUA" --root "$P" update.lua 8 --done "Handle [ID]"
expect_rc 0 "a real task naming a token can be checked"
run "$SESSLUA" --root "$P" update.lua 8 --note "URLs use [ID] placeholders"
run "$SESSLUA" --root "$P" update.lua 8 --note "second note"
expect_file_has "$PL" "URLs use [ID] placeholders" "a note naming a token is kept"
run "$SESSLUA" --root "$P" update.lua 8 --blocker "Parser breaks on [Date] strings"
run "$SESSLUA" --root "$P" update.lua 8 --blocker "Another"
expect_file_has "$PL" "- [ ] Parser breaks on [Date] strings" "a blocker naming a token is kept"
run "$SESSLUA" --root "$P" update.lua 8 --learning Tokens "the [Date] token is literal"
run "$SESSLUA" --root "$P" update.lua 8 --learning More "more"
expect_file_has "$PL" "- the [Date] token is literal" "a learning naming a token is kept"
run "$SESSLUA" --root "$P" view.lua 8 --json
expect_out '"text": "Handle [ID] tokens"' "view shows a task naming a token"

# The footer is the last Last Updated outside code: a quoted footer in a
# note or a fenced block is left as written.
F="$WORK/ft/docs/coordination"; mkdir -p "$F"
run "$SESSLUA" --root "$F" create.lua 9 "Dev" "Goal"
FL="$F/sessions/ACTIVE/session-9.md"
run "$SESSLUA" --root "$F" update.lua 9 --note '**Last Updated:** 1999-01-01 00:00:00'
python3 - "$FL" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("## Session Notes\n", "## Session Notes\n\n```\n**Last Updated:** [Date Time]\n```\n", 1)
open(p, "w").write(s)
PY
run "$SESSLUA" --root "$F" update.lua 9 --progress 20
expect_file_has "$FL" "**Last Updated:** 1999-01-01 00:00:00" "a note quoting the footer is kept"
expect_file_has "$FL" "**Last Updated:** [Date Time]" "a code block quoting the footer is kept"
expect_eq "$(grep -c "^\*\*Last Updated:\*\* $TODAY" "$FL")" "1" "the real footer is updated"
run "$SESSLUA" --root "$F" view.lua 9 --json
expect_out "\"last_updated\": \"$TODAY" "view reads the real footer"
expect_out '"stale": false' "the log is not stale"

# --set: any field the log has, a team template's own included; a field the
# log lacks is exit 3 and the log is untouched.
T="$WORK/tpl/docs/coordination"
mkdir -p "$T/sessions"
sed 's/^\*\*Progress:\*\* 0%$/&\n**Priority:** [High\/Medium\/Low]/' "$SESSLUA_SRC/templates/session-log.md" \
  > "$T/sessions/SESSION_LOG_TEMPLATE.md"
run "$SESSLUA" --root "$T" create.lua 30 Dev "Ship it"
TL="$T/sessions/ACTIVE/session-30.md"
expect_file_has "$TL" "**Priority:** [High/Medium/Low]" "the team template's field is in the log"
cp "$TL" before.md
run "$SESSLUA" --root "$T" update.lua 30 --set Priority=High --set "Working On=Parser"
expect_rc 0 "--set"
expect_file_has "$TL" "**Priority:** High" "Priority set"
expect_file_has "$TL" "**Working On:** Parser" "a built-in field set the same way"
changed=$(diff before.md "$TL" | grep '^>' | grep -vc 'Priority\|Working On\|Last Updated\|Updated By' || true)
expect_eq "$changed" "0" "only the set fields and the footer changed"
cp "$TL" before.md
run "$SESSLUA" --root "$T" update.lua 30 --set Nope=x
expect_rc 3 "--set of a field the log lacks"
expect_err "no field 'Nope'" "the field is named"
expect_err "Priority" "the hint lists the fields there are"
expect_same "$TL" before.md "a refused --set writes nothing"
run "$SESSLUA" --root "$T" update.lua 30 --set Priority
expect_rc 2 "--set without '='"
run "$SESSLUA" --root "$T" update.lua 30 --set "Priority= "
expect_rc 2 "--set with an empty value"
run "$SESSLUA" --root "$T" view.lua 30 --json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["fields"]["Priority"]=="High" else 1)' \
  && ok || bad "view --json fields.Priority"
run "$SESSLUA" --root "$T" handoff.lua 30
expect_out "PASS  placeholders" "a filled-in team field is no placeholder"
run "$SESSLUA" --root "$T" create.lua 31 Dev "Other"
run "$SESSLUA" --root "$T" handoff.lua 31
expect_out "template placeholder left: [High/Medium/Low]" "the team template's sample value is a placeholder"

# An update that changes nothing leaves the log alone: the same bytes, the
# same mtime (Last Updated too), and says so; --json says changed: false.
run "$SESSLUA" --root "$T" update.lua 30 --status Building --progress 30
sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2020-01-06 18:00:00/' "$TL"
touch -d '2020-01-06 18:00:00' "$TL"
cp -p "$TL" before.md
mtime() { stat -c %Y "$1"; }
for opt in "" "--status Building" "--progress 30" "--status Building --progress 30%" "--set Priority=High"; do
  eval "run \"\$SESSLUA\" --root \"\$T\" update.lua 30 $opt"
  expect_rc 0 "no change: update 30 $opt"
  expect_out "Nothing to change in $TL" "no change said: update 30 $opt"
  printf '%s' "$OUT" | grep -q "^Updated" && bad "no change called an update: update 30 $opt" || ok
  expect_same "$TL" before.md "no change leaves the bytes: update 30 $opt"
  expect_eq "$(mtime "$TL")" "$(mtime before.md)" "no change leaves the mtime: update 30 $opt"
done
run "$SESSLUA" --root "$T" update.lua 30 --json
expect_out '"changed": false' "--json says nothing changed"
expect_same "$TL" before.md "no change under --json leaves the bytes"
run "$SESSLUA" --root "$T" update.lua 30 --dry-run
expect_out "Nothing to change in $TL" "--dry-run of no change says so"
expect_eq "$OUT" "Nothing to change in $TL" "--dry-run of no change prints no diff"
run "$SESSLUA" --root "$T" update.lua 30 --progress 31 --json
expect_out '"changed": true' "--json says a real change changed"
expect_file_has "$TL" "**Progress:** 31%" "a real change is written"
grep -q '^\*\*Last Updated:\*\* 2020-01-06' "$TL" && bad "a real change keeps the old time" || ok
run "$SESSLUA" --root "$T" update.lua 30 --progress 32
expect_out "Updated $TL" "a real change says Updated"

# A learning's topic follows the one topic limit (eod and archive share it
# as a knowledge category): over 60 characters is refused, nothing written.
cp "$L" before.md
sl update.lua 12 --learning "$(printf 'x%.0s' $(seq 61))" "text"
expect_rc 2 "a learning topic over 60 characters"
expect_err "longer than 60 characters" "the limit is named"
expect_same "$L" before.md "a refused topic writes nothing"
sl update.lua 12 --learning "$(printf 'é%.0s' $(seq 60))" "text"
expect_rc 0 "60 characters, counted as characters"

# --json says which options changed the log, in order; none when nothing did
sl create.lua 61 R G
sl update.lua 61 --status Building --progress 30 --phase Alpha --done Alpha --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["changed"] is True, d
assert [c["option"] for c in d["changes"]] == ["--status", "--progress", "--phase", "--done"], d["changes"]
assert d["changes"][1]["value"] == "30%", d["changes"]
' && ok || bad "update --json lists the changes: $OUT"
sl update.lua 61 --status Testing --progress 30 --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [c["option"] for c in d["changes"]] == ["--status"], d["changes"]
' && ok || bad "an option that changes nothing is not listed: $OUT"
sl update.lua 61 --status Testing --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["changed"] is False and d["changes"] == [], d
' && ok || bad "no change, no changes: $OUT"
sl update.lua 61 --note "dry" --dry-run --json; expect_out '"option": "--note"' "--dry-run lists them too"

finish
