#!/usr/bin/env bash
# handoff: the corpus in tests/fixtures/handoff (a ready log, a log per
# failing or warning check, secrets that must be found and near-misses that
# must not), both templates fresh from create, --strict, --json, exit codes,
# and the root config (checks off, stale_hours, extra secret rules, typos).
. "$(dirname "$0")/lib.sh"
: "${FIXTURES:?set FIXTURES to tests/fixtures}"
H="$FIXTURES/handoff"
NOW=$(date '+%Y-%m-%d %H:%M:%S')

# corpus ROOT: every fixture log into ROOT's ACTIVE folder, "@NOW@" made now.
corpus() {
  mkdir -p "$1/sessions/ACTIVE"
  for f in "$H"/*.md; do sed "s/@NOW@/$NOW/" "$f" > "$1/sessions/ACTIVE/$(basename "$f")"; done
}
R="$WORK/r"; corpus "$R"
A="$R/sessions/ACTIVE"
hand() { run "$SESSLUA" --root "$R" handoff.lua "$@"; }
# lno FILE TEXT: the number of the first line of FILE holding TEXT.
lno() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }
# nlines REGEX: how many stdout lines match (grep -E).
nlines() { printf '%s\n' "$OUT" | grep -cE -- "$1" || true; }
expect_no_out() { # expect_no_out FIXED-STRING description
  if printf '%s' "$OUT" | grep -qF -- "$1"; then bad "$2: stdout has '$1': $OUT"; else ok; fi
}
# flat: stdout on one line, runs of spaces squeezed (JSON objects greppable whole).
flat() { printf '%s' "$OUT" | tr '\n' ' ' | tr -s ' '; }

# A ready log: every check PASS, exit 0; the empty optional sections are fine.
hand ready
expect_rc 0 "ready log"
expect_out "ready: 9 passed, 0 warnings, 0 failed — ready for handoff" "ready summary"
expect_eq "$(nlines '^(WARN|FAIL)')" "0" "ready log has no WARN or FAIL"
for c in placeholders required next_steps progress blockers stale secrets; do
  expect_eq "$(nlines "^PASS  $c[: ]")" "$([ $c = required ] && echo 3 || echo 1)" "ready: $c passes"
done
expect_out "PASS  next_steps:$(lno "$A/ready.md" '## Next Steps')  2 next step(s)" "next steps counted"
expect_out "PASS  blockers:$(lno "$A/ready.md" '## Blockers')  no blockers (None)" "inline None on the label line"
expect_out "PASS  progress:$(lno "$A/ready.md" '**Progress:**')  progress 60% agrees" "progress agrees"
expect_out "PASS  stale:$(lno "$A/ready.md" '**Last Updated:**')  last updated $NOW" "fresh log"
expect_eq "$ERR" "" "a check run writes nothing on stderr"
SESSLUA_SESSION=ready run "$SESSLUA" --root "$R" handoff.lua
expect_rc 0 "acting session from SESSLUA_SESSION"
expect_out "ready: 9 passed" "acting session checked"

# Placeholders: every leftover reported with its line; nothing else fails.
P="$A/placeholders.md"
hand placeholders
expect_rc 1 "placeholders fail"
for t in '**Started:** [Date]' '- [ ] Task 2' '**[Date] - [Topic]:**' '~~Previous blocker~~' '2. Next task description'; do
  expect_out "FAIL  placeholders:$(lno "$P" "$t")  template placeholder left: " "placeholder '$t' at its line"
done
expect_eq "$(nlines '^FAIL  placeholders:')" "5" "exactly the 5 placeholders"
expect_out "placeholders: 8 passed, 0 warnings, 5 failed — not ready for handoff" "only placeholders fail"
expect_out "PASS  next_steps:$(lno "$P" '## Next Steps')  1 next step(s)" "sample next step not counted"

# Required values: an empty Working On, a placeholder Role.
hand required
expect_rc 1 "required fails"
expect_out "FAIL  required:$(lno "$A/required.md" '**Working On:**')  Working On is not filled in" "empty Working On"
expect_out "FAIL  required:$(lno "$A/required.md" '**Role:**')  Role is not filled in" "placeholder Role"
expect_out "PASS  required:$(lno "$A/required.md" '**Goal:**')  Goal is filled in" "Goal filled"

# Next Steps with only the template's hint comment.
hand next-steps
expect_rc 1 "next steps fails"
expect_out "FAIL  next_steps:$(lno "$A/next-steps.md" '## Next Steps')  Next Steps has no concrete item" "no next step"
expect_out "1 failed" "only next steps fails"
# Only fillers (TBD, ..., ?, n/a, todo, -, two letters, **TBD.**): no concrete item.
V="$A/next-steps-vague.md"
hand next-steps-vague
expect_rc 1 "vague next steps fail"
expect_out "FAIL  next_steps:$(lno "$V" '## Next Steps')  Next Steps has no concrete item ('TBD', '...', '?' are not concrete)" "fillers named"
expect_out "8 passed, 0 warnings, 1 failed" "only next steps fails on fillers"
# A concrete step beside fillers: it passes, each filler warns at its line.
V="$A/next-steps-some-vague.md"
hand next-steps-some-vague
expect_rc 0 "one concrete step is enough"
expect_out "PASS  next_steps:$(lno "$V" '## Next Steps')  1 next step(s)" "only the concrete step counted"
expect_out "WARN  next_steps:$(lno "$V" '1. TBD')  next step is not concrete: 'TBD'" "TBD warns at its line"
expect_out "WARN  next_steps:$(lno "$V" '3. ...')  next step is not concrete: '...'" "... warns at its line"
expect_out "9 passed, 2 warnings, 0 failed — ready for handoff" "fillers warn"
hand next-steps-some-vague --strict
expect_rc 1 "strict: fillers fail"

# Progress: out of range, a word (FAIL); 100% open, 0% done (WARN); 62.5%.
PL=$(lno "$A/ready.md" '**Progress:**')
for id in progress-range progress-word; do
  hand $id
  expect_rc 1 "$id fails"
  expect_out "FAIL  progress:$PL  Progress is not a number from 0 to 100" "$id message and line"
done
hand progress-full-open
expect_rc 0 "a warning alone passes"
expect_out "WARN  progress:$PL  progress is 100% but 1 phase task(s) are open" "100% with open tasks"
expect_out "progress-full-open: 8 passed, 1 warnings, 0 failed — ready for handoff" "warning summary"
hand progress-zero-done
expect_rc 0 "0% all done exits 0"
expect_out "WARN  progress:$PL  progress is 0% but every phase task is done" "0% with all done"
hand progress-fraction
expect_rc 0 "fractional progress"
expect_out "PASS  progress:$PL  progress 62.5% agrees" "62.5% is a number"

# Blockers: empty but for the template's hint (which says "None") warns.
hand blockers-empty
expect_rc 0 "blockers warning exits 0"
expect_out "WARN  blockers:$(lno "$A/blockers-empty.md" '## Blockers')  Blockers & Issues is empty" "empty blockers"
hand blockers-stated
expect_out "PASS  blockers:$(lno "$A/blockers-stated.md" '## Blockers')  1 blocker(s) stated" "a stated blocker"

# Stale: old Last Updated warns; none at all warns with no line.
hand stale
expect_rc 0 "stale warning exits 0"
expect_out "WARN  stale:$(lno "$A/stale.md" '**Last Updated:**')  last updated 2020-01-01 09:00:00, over 24 hours ago" "stale log"
hand no-updated
expect_out "WARN  stale  no Last Updated time" "no Last Updated"

# --strict: warnings become failures, exit 1; a clean log still exits 0.
hand progress-full-open --strict
expect_rc 1 "strict fails on a warning"
expect_out "FAIL  progress:$PL  progress is 100%" "strict turns WARN into FAIL"
expect_out "8 passed, 0 warnings, 1 failed — not ready for handoff" "strict summary"
hand ready --strict
expect_rc 0 "strict on a ready log"

# Secrets: one fake credential per kind, each at its line, masked.
S="$A/secrets.md"
SECRETS=(
  "private key|-----BEGIN RSA PRIVATE KEY-----|-----BEGIN RSA PRIVATE KEY-----"
  "private key|-----BEGIN OPENSSH|-----BEGIN OPENSSH PRIVATE KEY-----"
  "private key|-----BEGIN PGP|-----BEGIN PGP PRIVATE KEY BLOCK-----"
  "AWS access key|AKIAFAKE|AKIAFAKE00TEST00KEY1"
  "AWS access key|ASIAFAKE|ASIAFAKE11TEST11KEY2"
  "GitHub token|ghp_|ghp_FAKEtestTOKENnotREAL0000000000000000"
  "GitHub token|github_pat_|github_pat_11FAKE0000000000000000_fakeFAKEtestNOTrealTOKEN0000000000000000000000000"
  "Slack token|xoxb-|xoxb-0000000000-0000000000000-FAKEtestNOTreal00000000"
  "OpenAI API key|OpenAI legacy|sk-FAKEtestNOTrealKEY000000000000000000000000000000"
  "OpenAI API key|sk-proj-|sk-proj-FAKE_test-NOT_real_0000000000000000000000"
  "Anthropic API key|sk-ant-|sk-ant-api03-FAKE_test-NOT_real_000000000000000000000000000000-AAAAAAAA"
  "password|db password:|hunter2pass-FAKE"
  "password|passwd=|FAKEpw0rd99"
  "secret|secret=|FAKEsecretVALUE42"
  "password|**Password:**|FAKEboldPW77"
  "connection string with a password|postgres://admin|FAKEdbPASS55"
  "password|{\"password\"|hunter2xyz"
  "connection string with a password|redis://:|S3cretRedisPw"
  "secret|secret: abc|abc123def456"
  "secret|client_secret:|9f8e7d6c5b4a3f2e1d0c"
  "API key|api_key:|Zq8vK2mP9xL4tR7wN3bY"
  "API key|api-key=|Hf83kdLq02mZxPq7Ww"
  "secret|aws_secret_access_key:|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  "Slack token|xapp-1-|xapp-1-A0FAKE00TEST-0000000000000-fakeFAKEtestNOTreal0000"
  "Slack webhook|hooks.slack.com|FAKEtestNOTrealHOOK0000"
)
hand secrets
expect_rc 1 "secrets fail"
JSON_OUT=$("$SESSLUA" --root "$R" handoff.lua secrets --json 2>&1)
for s in "${SECRETS[@]}"; do
  IFS='|' read -r kind needle value <<<"$s"
  n=$(lno "$S" "$needle")
  expect_out "FAIL  secrets:$n  $kind at $S:$n: " "$kind '$needle' found at path:line"
  expect_no_out "$value" "$kind value masked in text"
  case "$JSON_OUT" in *"$value"*) bad "$kind value masked in JSON";; *) ok;; esac
done
expect_eq "$(nlines '^FAIL  secrets:')" "${#SECRETS[@]}" "one finding per credential, no more"
expect_out "$(lno "$S" 'AKIAFAKE'): AKIA************ — keep credentials out of logs" "mask: first 4, then asterisks"
expect_no_out "MIIFAKEnotArealKEYbody" "private key body never shown"
expect_out "secrets: 8 passed, 0 warnings, ${#SECRETS[@]} failed" "only secrets fail"

# Near-misses: nothing found. A value that is prose ("rotated weekly by
# ops"), a reference (${VAR}, <redacted>, ***) or a plain word after
# `secret:` is not a credential.
hand near-miss
expect_rc 0 "near-misses pass"
expect_out "PASS  secrets  no credentials found" "no near-miss is a credential"
expect_eq "$(nlines '^FAIL')" "0" "near-miss has no FAIL: $(printf '%s\n' "$OUT" | grep '^FAIL' | head -3)"

# Hostile sizes: every rule reads each stretch of a line a bounded number of
# times. Quadratic rules (the connection-string rule rescanning from every
# word start, `secret[%w_]*` from every `secret`, a `<!--` never closed,
# `(.-)%s*$` over a run of spaces) took hours on lines like these; ctest's
# timeout catches a regression.
big() { # big FILE: ready.md with a 2 MB line and megabyte lines in the notes and blockers
  local notes="$WORK/notes.txt"
  { yes 'a.' | head -n 1048576 | tr -d '\n'; echo
    yes 'xoxb-a.' | head -n 150000 | tr -d '\n'; echo
    yes 'secret' | head -n 170000 | tr -d '\n'; echo
    head -c 1048576 /dev/zero | tr '\0' ' '; echo x
    printf -- '- a'; head -c 1048576 /dev/zero | tr '\0' ' '; echo b
    yes 'x://a:b' | head -n 150000 | tr -d '\n'; echo
  } > "$notes"
  awk -v f="$notes" '{ print }
    /^## Session Notes/ { print ""; while ((getline l < f) > 0) print l }
    /^\*\*Current Blockers:\*\* None/ { printf "    "; for (i = 0; i < 250000; i++) printf "<!--"; print "" }' \
    "$A/ready.md" > "$1"
}
big "$A/big-line.md"
hand big-line
expect_rc 0 "a log with megabyte lines is checked"
expect_out "big-line: 9 passed, 0 warnings, 0 failed" "megabyte lines: every check runs"
# 100,000 lines, a third of them credentials: each found, at its line.
{ sed -n '1,/^## Session Notes/p' "$A/ready.md"
  for i in $(seq 1 33334); do printf 'note %d a.a.a\npassword: hunter%dxyz\nsee redis://cache:6379\n' "$i" "$i"; done
  printf -- '---\n\n**Last Updated:** %s\n**Updated By:** ready\n' "$NOW"
} > "$A/many-lines.md"
hand many-lines
expect_rc 1 "100,000 lines: credentials fail"
expect_eq "$(nlines '^FAIL  secrets:')" "33334" "100,000 lines: every password found"
L=$(lno "$A/many-lines.md" 'hunter33334xyz')
expect_out "FAIL  secrets:$L  password at $A/many-lines.md:$L: hunt**********" "the last one at its line"

# --json: one document, field by field; line null where none; exit codes.
hand progress-full-open --json
expect_rc 0 "json with a warning exits 0"
expect_eq "${OUT:0:1}" "{" "json: stdout is the document"
J=$(flat)
for f in '"schema": 1,' '"kind": "handoff",' '"id": "progress-full-open",' \
         "\"path\": \"$A/progress-full-open.md\"" '"ok": true,'; do
  case "$J" in *"$f"*) ok;; *) bad "json lacks $f: $J";; esac
done
f="{ \"check\": \"progress\", \"line\": $PL, \"message\": \"progress is 100% but 1 phase task(s) are open\", \"status\": \"WARN\" }"
case "$J" in *"$f"*) ok;; *) bad "json progress check object: $J";; esac
expect_eq "$(printf '%s\n' "$OUT" | grep -c '"check":')" "9" "json: every check"
hand progress-full-open --json --strict
expect_rc 1 "json strict exits 1"
J=$(flat)
case "$J" in *'"ok": false'*) ok;; *) bad "json strict ok false: $J";; esac
case "$J" in *"\"line\": $PL, \"message\": \"progress is 100% but 1 phase task(s) are open\", \"status\": \"FAIL\""*) ok;; *) bad "json strict FAIL: $J";; esac
hand no-updated --json
J=$(flat)
case "$J" in *'"check": "stale", "line": null, "message": "no Last Updated time", "status": "WARN"'*) ok;; *) bad "json null line: $J";; esac
hand nosuch
expect_rc 3 "unknown session"
hand ready --bogus
expect_rc 2 "unknown option"

# The built-in template fresh from create.
B="$WORK/b"; mkdir -p "$B"
run "$SESSLUA" --root "$B" create.lua 1 "Dev" "Ship it"
BL="$B/sessions/ACTIVE/session-1.md"
run "$SESSLUA" --root "$B" handoff.lua 1
expect_rc 1 "built-in template not ready"
expect_out "FAIL  placeholders:$(lno "$BL" '**Working On:**')  template placeholder left: [not set]" "built-in [not set]"
expect_out "FAIL  required:$(lno "$BL" '**Working On:**')  Working On is not filled in" "built-in Working On"
expect_out "FAIL  next_steps:$(lno "$BL" '## Next Steps')  Next Steps has no concrete item" "built-in Next Steps"
expect_out "WARN  blockers:$(lno "$BL" '## Blockers')  Blockers & Issues is empty" "built-in hint is not 'None'"
expect_eq "$(nlines '^FAIL')" "3" "built-in: exactly three failures"
# "- N/A" or "- No blockers" under Current Blockers says there are none.
for none in "N/A" "No blockers" "none yet"; do
  sed -i "/^\*\*Current Blockers:\*\*/a - $none" "$BL"
  run "$SESSLUA" --root "$B" handoff.lua 1
  expect_out "PASS  blockers:$(lno "$BL" '## Blockers')  no blockers (None)" "'- $none' is no blocker"
  sed -i "/^- $none\$/d" "$BL"
done

# The original team template fresh from create: placeholders at their lines.
T="$WORK/t"; mkdir -p "$T/sessions"
cp "$FIXTURES/reference-template.md" "$T/sessions/SESSION_LOG_TEMPLATE.md"
run "$SESSLUA" --root "$T" create.lua 7 "Dev" "Goal"
TL="$T/sessions/ACTIVE/session-7.md"
run "$SESSLUA" --root "$T" handoff.lua 7
expect_rc 1 "reference template not ready"
for t in '[Service/Task Name]' '[X%]' '- [ ] Task 1' '- [ ] Task 3' '**[Previous Date]:**' '[Topic]' \
         '- [ ] Blocker 1 description' '1. Next task description' '3. Next task description' \
         '[Any additional notes' 'Planning | Building'; do
  n=$(lno "$TL" "$t")
  expect_out "FAIL  placeholders:$n  template placeholder left: " "reference '$t' at line $n"
done
expect_out "FAIL  required:$(lno "$TL" '**Working On:**')  Working On is not filled in" "reference Working On"
expect_out "FAIL  next_steps:$(lno "$TL" '## Next Steps')  Next Steps has no concrete item" "reference Next Steps"
expect_out "FAIL  progress:$(lno "$TL" '**Progress:**')  Progress is not a number" "reference [X%]"
expect_out "WARN  blockers:$(lno "$TL" '## Blockers')  Blockers & Issues is empty" "reference sample blockers"
expect_out "PASS  secrets" "reference has no secrets"

# Config: a check turned off is not run at all.
C="$WORK/c"; corpus "$C"
cfg() { printf '%s\n' "$1" > "$C/sesslua.lua"; }
chand() { run "$SESSLUA" --root "$C" handoff.lua "$@"; }
cfg 'return { handoff_checks = { secrets = false, stale = false } }'
chand secrets
expect_rc 0 "secrets check off"
expect_eq "$(nlines '^[A-Z]+  secrets')" "0" "no secrets line when off"
expect_out "PASS  placeholders" "other checks still run"
chand stale --strict
expect_rc 0 "stale check off, even strict"
expect_eq "$(nlines '^[A-Z]+  stale')" "0" "no stale line when off"

# Config: stale_hours. A log updated two hours ago: fresh at 24, stale at 1.5.
sed "s/^\*\*Last Updated:\*\* .*/**Last Updated:** $(date -d '-2 hours' '+%Y-%m-%d %H:%M:%S')/" \
  "$A/ready.md" > "$C/sessions/ACTIVE/two-hours.md"
TH=$(lno "$C/sessions/ACTIVE/two-hours.md" '**Last Updated:**')
cfg 'return { stale_hours = 24 }'
chand two-hours
expect_out "PASS  stale:$TH" "2h old is fresh at 24 hours"
cfg 'return { stale_hours = 1.5 }'
chand two-hours
expect_rc 0 "stale is a warning"
expect_out "WARN  stale:$TH  last updated" "2h old is stale at 1.5 hours"
expect_out "over 1.5 hours ago" "the window as configured"
cfg 'return { stale_hours = 24 * 365 * 100 }'
chand stale
expect_out "PASS  stale:" "a 2020 log is fresh in a 100-year window"

# Config: an extra secret rule and an allow exception (built-ins still run).
CS="$C/sessions/ACTIVE/config-secrets.md"
chand config-secrets
expect_rc 1 "AWS's example key is found by default"
expect_out "FAIL  secrets:$(lno "$CS" 'AKIAIOSFODNN7EXAMPLE')  AWS access key" "example key found"
expect_no_out "ACME" "no ACME rule by default"
cfg 'return { secret_patterns = { { kind = "ACME token", pattern = "(ACME%-TOKEN%-%w+)" }, { allow = "EXAMPLE$" } } }'
chand config-secrets
expect_rc 1 "the extra rule fails the log"
expect_out "FAIL  secrets:$(lno "$CS" 'ACME-TOKEN')  ACME token at $CS:$(lno "$CS" 'ACME-TOKEN'): ACME************" "extra rule, masked"
expect_no_out "ACME-TOKEN-FAKE0000deadbeef" "extra rule's value masked"
expect_no_out "AWS access key" "allowed value not reported"
chand secrets
expect_eq "$(nlines '^FAIL  secrets:')" "${#SECRETS[@]}" "built-in rules still run beside the extra ones"

# Config errors: exit 2, one message naming the key and the file.
cfg 'return { stale_hour = 3 }'
chand ready
expect_rc 2 "unknown config key"
expect_err "stale_hour" "message names the key"
expect_err "$C/sesslua.lua" "message names the file"
expect_eq "$OUT" "" "no checks printed on a config error"
cfg 'return { handoff_checks = { stal = false } }'
chand ready
expect_rc 2 "unknown check name"
expect_err "'stal'" "message names the check"
expect_err "$C/sesslua.lua" "check message names the file"
cfg 'return { secret_patterns = { { kind = "broken", pattern = "(%" } } }'
chand ready
expect_rc 2 "malformed secret pattern"
expect_err "secret_patterns" "message names the key"
expect_err_lines 2 "a short message, not a traceback"

# Code is decided by the section index, not by a toggle on ``` lines: an
# indented-code line starting with ``` opens no fence, so a sample task
# after it is still found; a fenced sample stays a quotation.
rm -f "$C/sesslua.lua"
IF="$C/sessions/ACTIVE/indented-fence.md"
awk '{ print } /^\*\*Progress:\*\*/ { print ""; print "    ```"; print "    make check"; print "" }
  /^- \[ \] Load test the queue$/ { print "- [ ] Task 1" }' "$C/sessions/ACTIVE/ready.md" > "$IF"
chand indented-fence
expect_rc 1 'a sample task after an indented fence-like line fails'
expect_out "FAIL  placeholders:$(lno "$IF" '- [ ] Task 1')  template placeholder left: Task 1" "the sample is named"
FF="$C/sessions/ACTIVE/fenced-sample.md"
awk '{ print } /^\*\*Progress:\*\*/ { print ""; print "```"; print "- [ ] Task 1"; print "```" }' "$C/sessions/ACTIVE/ready.md" > "$FF"
chand fenced-sample
expect_out "PASS  placeholders" "a sample inside a fence is quoted, not left over"

finish
