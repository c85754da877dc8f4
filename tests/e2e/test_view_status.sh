#!/usr/bin/env bash
# view, list and status: text, JSON field by field, odd real-world logs.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
sl create.lua 12 "DevOps Engineer" "Deploy services"
sl update.lua 12 --working-on "Email service" --status Building --progress 60 \
  --phase "Specs" --phase "Endpoints" --done Specs --blocker "No DB" --next "Deploy" \
  --learning "Async" "gather is fast"
L="$R/sessions/ACTIVE/session-12.md"

# view prints the log as it is, or one section.
sl view.lua 12
expect_rc 0 "view"
printf '%s\n' "$OUT" > view.out
expect_same view.out "$L" "view prints the file byte for byte"
sl view.lua 12 --section "next"
expect_out "## Next Steps" "view --section by prefix"
expect_out "1. Deploy" "view --section body"
printf '%s' "$OUT" | grep -q "Current Work" && bad "view --section printed other sections" || ok
sl view.lua 12 --section "nope"
expect_rc 3 "view unknown section"
expect_err "no section 'nope'" "unknown section message"
sl view.lua 99
expect_rc 3 "view unknown session"

# view --json: the contract, field by field.
sl view.lua 12 --json
expect_rc 0 "view --json"
J="$OUT"
j() { printf '%s' "$J" | tr -d '\n' | sed 's/  */ /g'; }
jh() { if j | grep -qF -- "$1"; then ok; else bad "view --json lacks $1: $(j | head -c 600)"; fi; }
jh '"schema": 1, "kind": "log"'
jh '"id": "session-12"'
jh '"role": "DevOps Engineer"'
jh '"goal": "Deploy services"'
jh '"status": "Building"'
jh '"working_on": "Email service"'
jh '"progress": 60,'
jh '"stale": false'
jh '"phase": [ { "done": true, "text": "Specs" }, { "done": false, "text": "Endpoints" } ]'
jh "\"completed\": [ { \"date\": \"$(date +%Y-%m-%d)\", \"items\": [ \"Specs\" ] } ]"
jh '"blockers": [ "No DB" ]'
jh '"resolved": []'
jh '"next_steps": [ "Deploy" ]'
jh "\"learnings\": [ { \"date\": \"$(date +%Y-%m-%d)\", \"text\": \"gather is fast\", \"topic\": \"Async\" } ]"
jh '"title": "Next Steps"'
jh '"Session ID": "session-12"'
jh '"last_updated": "'
[ -z "$ERR" ] && ok || bad "view --json wrote to stderr: $ERR"

# A hand-written log with no fields: nulls and empty arrays, no crash.
printf '# 🚀 Notes\n\nJust text.\n' > "$R/sessions/ACTIVE/odd.md"
sl view.lua odd --json
expect_rc 0 "view --json on a bare log"
J="$OUT"
jh '"role": null'
jh '"progress": null'
jh '"phase": []'
jh '"next_steps": []'

# list: one line per log, archived logs with their date.
mkdir -p "$R/sessions/ARCHIVE"
cp "$L" "$R/sessions/ARCHIVE/session-3-2025-11-10.md"
sl list.lua
expect_rc 0 "list"
expect_out "session-12" "list shows session-12"
expect_out "DevOps Engineer" "list shows the role"
expect_out "60%" "list shows progress"
printf '%s' "$OUT" | grep -q "session-3" && bad "list without --all shows archived" || ok
sl list.lua --archived
expect_out "archived 2025-11-10" "list --archived shows the archive date"
printf '%s' "$OUT" | grep -q "session-12 " && bad "list --archived shows active logs" || ok
sl list.lua --all --json
expect_out '"kind": "list"' "list --json kind"
expect_out '"archive_date": "2025-11-10"' "list --json archive date"
expect_out '"archive_date": null' "list --json null for active"

# status: rows, stale marks from the log's own Last Updated, totals.
sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2020-01-01 10:00:00/' "$R/sessions/ACTIVE/odd.md" 2>/dev/null
printf '\n**Last Updated:** 2020-01-01 10:00:00\n' >> "$R/sessions/ACTIVE/odd.md"
touch "$R/sessions/ACTIVE/odd.md"
sl status.lua
expect_rc 0 "status"
expect_out "session-12" "status row"
expect_out "Email service" "status shows working on"
expect_out "60%" "status shows progress"
expect_out "STALE" "status marks an old log stale though its file is fresh"
expect_out "2 active · 1 stale · 1 open blocker · average progress 60%" "status total line"
expect_out "—" "missing values shown as —"
sl status.lua --stale-hours 1000000
printf '%s' "$OUT" | grep -q STALE && bad "--stale-hours raises the window" || ok
sl status.lua --sort progress --json
expect_rc 0 "status --json"
expect_out '"kind": "status"' "status --json kind"
expect_out '"open_tasks": 1' "status --json open tasks"
expect_out '"age_source": "log"' "age from the log's Last Updated"
first=$(printf '%s' "$OUT" | grep -m1 '"id"' | sed 's/.*"id": "\([^"]*\)".*/\1/')
expect_eq "$first" "session-12" "sort by progress puts the 60% log first"
sl status.lua --sort bogus
expect_rc 2 "bad --sort"

# Logs in every shape never crash the dashboard.
printf '' > "$R/sessions/ACTIVE/empty.md"
printf '\xff\xfe\x00binary' > "$R/sessions/ACTIVE/bin.md"
printf '## Current Work\r\n**Progress:** 250%%\r\n' > "$R/sessions/ACTIVE/crlf.md"
sl status.lua
expect_rc 0 "status with odd logs"
sl list.lua
expect_rc 0 "list with odd logs"

# view --json: path, section levels and lines, resolved blockers, both
# Status fields (header in fields, Current Work's in work_fields), stale.
sl update.lua 12 --resolve "No DB" --how "provisioned"
sl view.lua 12 --json
J="$OUT"
jh "\"path\": \"$L\""
jh "{ \"level\": 1, \"line\": 1, \"title\": \"Session 12 - Work Log\" }"
jh "{ \"level\": 2, \"line\": $(grep -n '^## Current Work$' "$L" | cut -d: -f1), \"title\": \"Current Work\" }"
jh "{ \"level\": 2, \"line\": $(grep -n '^## Next Steps$' "$L" | cut -d: -f1), \"title\": \"Next Steps\" }"
# resolved items are objects: the issue and its resolution, as text
jh '"resolved": [ { "resolution": "provisioned", "text": "No DB" } ]'
jh '"blockers": []'
jh '"Working On": "Email service"'
jh '"Progress": "60%"'
jh '"Status": "Active"'
jh '"work_fields": { "Current Phase": "", "Progress": "60%", "Status": "Building", "Working On": "Email service" }'
jh '"log_status": "Active"'
jh '"stale": false'
jh '"future": false'
# every part of the log is data: services (the old scripts' shape, with
# the port after the name, and sesslua's), coordination lists and notes
V="$R/sessions/ACTIVE/parts.md"
cat > "$V" <<'EOF'
# Session parts - Work Log

**Status:** Active

## Services Built/Modified

1. **auth-service** (Port: 8001)
   - Status: Production
   - Location: SERVICES/auth/
2. **[service-name]** (Port: XXXX)
   - Status: Development | Testing | Production

## Coordination

**Messages Sent:**
- To session-2: schema ready

**Collaborations:**
- Pairing with session-3 on **auth**

## Session Notes

<!-- free text -->
A note with `code` and **bold**.

- a listed note

---
EOF
sl update.lua parts --service web --service-status Testing
sl view.lua parts --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["services"] == [
    {"name": "auth-service", "port": 8001, "fields": {"Status": "Production", "Location": "SERVICES/auth/"}},
    {"name": "web", "port": None, "fields": {"Status": "Testing"}}], d["services"]
assert d["coordination"] == {"messages_sent": ["To session-2: schema ready"], "messages_received": [],
    "collaborations": ["Pairing with session-3 on auth"]}, d["coordination"]
assert d["notes"] == ["A note with code and bold.", "- a listed note"], d["notes"]
' && ok || bad "view --json: services, coordination and notes as data: $OUT"
rm "$V"
sl view.lua odd --json
J="$OUT"
jh '"stale": true'
jh '"last_updated": "2020-01-01 10:00:00"'

# status: the age as people read it, from the log's own Last Updated, and
# from the file time (marked) when the log has none.
A="$WORK/age/docs/coordination"; mkdir -p "$A"
run "$SESSLUA" --root "$A" create.lua 1 R G
run "$SESSLUA" --root "$A" create.lua 2 R G
sed -i "s/^\*\*Last Updated:\*\* .*/**Last Updated:** $(date -d '3 hours ago 5 minutes ago' '+%Y-%m-%d %H:%M:%S')/" "$A/sessions/ACTIVE/session-1.md"
sed -i "s/^\*\*Last Updated:\*\* .*/**Last Updated:** $(date -d '2 days' '+%Y-%m-%d %H:%M:%S')/" "$A/sessions/ACTIVE/session-2.md"
printf '# Notes without a footer\n' > "$A/sessions/ACTIVE/session-3.md"
touch -d '5 hours ago 10 minutes ago' "$A/sessions/ACTIVE/session-3.md"
run "$SESSLUA" --root "$A" status.lua --stale-hours 1
row() { printf '%s\n' "$OUT" | grep "^$1 "; }
row session-1 | grep -q " 3h ago STALE " && ok || bad "age from Last Updated, stale: $(row session-1)"
row session-3 | grep -q " 5h ago (file time) STALE " && ok || bad "file time marked: $(row session-3)"
row session-2 | grep -q " in the future (clock skew) " && ok || bad "future time shown as such: $(row session-2)"
row session-2 | grep -q STALE && bad "a future time is not stale" || ok
expect_out "3 active · 2 stale" "a future log is not counted stale"
run "$SESSLUA" --root "$A" status.lua --json --stale-hours 1
printf '%s' "$OUT" | tr -d '\n' | sed 's/  */ /g' | grep -qF '"future": true, "id": "session-2", "last_updated"' \
  && ok || bad "status --json marks the future log"
expect_out '"age_source": "file"' "status --json: file time fallback"

# Documents beside the logs are no sessions; ids sort naturally.
cp "$L" "$A/sessions/ACTIVE/session-10.md"
printf '# About this folder\n' > "$A/sessions/ACTIVE/README.md"
cp "$L" "$A/sessions/ACTIVE/SESSION_LOG_TEMPLATE.md"
run "$SESSLUA" --root "$A" status.lua
printf '%s' "$OUT" | grep -q "README\|TEMPLATE" && bad "documents listed as sessions: $OUT" || ok
expect_eq "$(printf '%s\n' "$OUT" | grep -o '^session-[0-9]*' | tr '\n' ' ')" \
  "session-1 session-2 session-3 session-10 " "status rows in natural id order"
run "$SESSLUA" --root "$A" list.lua
printf '%s' "$OUT" | grep -q "README\|TEMPLATE" && bad "list shows documents: $OUT" || ok
expect_eq "$(printf '%s\n' "$OUT" | grep -o '^session-[0-9]*' | tr '\n' ' ')" \
  "session-1 session-2 session-3 session-10 " "list rows in natural id order"
run "$SESSLUA" --root "$A" search.lua "Email service"
expect_rc 0 "search over the real logs"
expect_out "session-10" "search still finds the real log"
printf '%s' "$OUT" | grep -q "TEMPLATE" && bad "search read the template copy" || ok
run "$SESSLUA" --root "$A" view.lua README
expect_rc 2 "README is no session id"

# An archived log's own status is its header's: no header Status, none in
# LOG; the work's status stays in STATUS.
sed -e '/^\*\*Status:\*\* Active$/d' -e 's/^\*\*Status:\*\* Building$/**Status:** Testing/' "$L" \
  > "$R/sessions/ARCHIVE/session-4-2025-11-12.md"
sl list.lua --archived
printf '%s\n' "$OUT" | grep -q "^session-4 .* Testing  *—  " && ok || bad "STATUS the work's, LOG none: $OUT"
sl list.lua --archived --json
got=$(printf '%s' "$OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print([(l["log_status"], l["status"]) for l in d["logs"] if l["id"] == "session-4"])')
expect_eq "$got" "[(None, 'Testing')]" "list --json: log_status null without a header Status; status is the work's"


# list and status show a finished log's header Status: the header's when
# Current Work has none, and always when it says complete.
D="$WORK/done/docs/coordination"; mkdir -p "$D"
for n in 1 2 3; do run "$SESSLUA" --root "$D" create.lua $n Dev Goal; done
DA="$D/sessions/ACTIVE"
# 1: header ✅ COMPLETE, no Current Work Status; 2: header complete, work
# Building; 3: header Active, work Building
python3 - "$DA" <<'PY'
import re, sys
d = sys.argv[1]
for n, head, work in ((1, "✅ COMPLETE", None), (2, "Done - shipped", "Building"), (3, "Active", "Building")):
    p = "%s/session-%d.md" % (d, n)
    s = open(p).read()
    s = s.replace("**Status:** Active\n", "**Status:** %s\n" % head, 1)
    s = re.sub(r"(## Current Work\n(?:.*\n)*?)\*\*Status:\*\* [^\n]*\n",
               (lambda m: m.group(1)) if work is None else (lambda m: m.group(1) + "**Status:** %s\n" % work),
               s, count=1)
    open(p, "w").write(s)
PY
grep -q '^\*\*Status:\*\* Planning' "$DA/session-1.md" && bad "fixture: session-1 kept a work Status" || ok
run "$SESSLUA" --root "$D" list.lua
expect_rc 0 "list with finished logs"
row() { printf '%s\n' "$OUT" | grep "^$1 "; }
row session-1 | grep -qF "✅ COMPLETE" && ok || bad "list shows a header-only complete Status: $(row session-1)"
row session-2 | grep -qF "Done - shipped" && ok || bad "list: a complete header wins over the work's: $(row session-2)"
row session-3 | grep -qF " Building " && ok || bad "list: the work's status otherwise: $(row session-3)"
run "$SESSLUA" --root "$D" status.lua
expect_rc 0 "status with finished logs"
row session-1 | grep -qF "✅ COMPLETE" && ok || bad "status shows a header-only complete Status: $(row session-1)"
row session-2 | grep -qF "Done - shipped" && ok || bad "status: a complete header wins: $(row session-2)"
row session-3 | grep -qF " Building " && ok || bad "status: the work's status otherwise: $(row session-3)"
run "$SESSLUA" --root "$D" status.lua --json
got=$(printf '%s' "$OUT" | python3 -c 'import json, sys
print([(s["status"], s["log_status"]) for s in json.load(sys.stdin)["sessions"]])')
expect_eq "$got" "[(None, '✅ COMPLETE'), ('Building', 'Done - shipped'), ('Building', 'Active')]" \
  "status --json keeps both statuses as they are"

# view --json: every value taken from the log is text, not Markdown.
M="$WORK/md/docs/coordination"; mkdir -p "$M"
run "$SESSLUA" --root "$M" create.lua 1 "**Lead** dev" 'Ship `search`'
run "$SESSLUA" --root "$M" update.lua 1 --working-on "**Email** service" --phase "Wire _smtp_" \
  --blocker "Waiting on **DB**" --blocker "Redis timeout" --blocker "Cert expired" \
  --next "Deploy to *staging*" --learning "Async _io_" "use **gather**" --done "Wire _smtp_"
run "$SESSLUA" --root "$M" update.lua 1 --resolve "Redis" --how "raised the pool size"
expect_rc 0 "resolve a blocker"
ML="$M/sessions/ACTIVE/session-1.md"
# hand-written resolved lines: another verb, no strike-through, no resolution
python3 - "$ML" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
line = "- [x] ~~Redis timeout~~ - Solved by raised the pool size\n"
assert line in s, s
s = s.replace(line, line + "- [x] DNS flaps - Fixed by moving to **Route53**\n- [x] ~~Old cert~~\n", 1)
s = s.replace("**Working On:**", "**Priority:** **High**\n**Working On:**", 1)
open(p, "w").write(s)
PY
run "$SESSLUA" --root "$M" view.lua 1 --json
expect_rc 0 "view --json with Markdown values"
printf '%s' "$OUT" > md.json
python3 - md.json <<'PY' && ok || bad "view --json values are text: $(head -c 2000 md.json)"
import json, sys
d = json.load(open(sys.argv[1]))
def check(got, want, what):
    if got != want:
        sys.exit("%s: got %r, expected %r" % (what, got, want))
check(d["working_on"], "Email service", "working_on")
check(d["fields"]["Working On"], "Email service", "fields")
check(d["work_fields"]["Priority"], "High", "work_fields")
check(d["role"], "Lead dev", "role")
check(d["goal"], "Ship search", "goal")
check(d["phase"], [{"text": "Wire smtp", "done": True}], "phase")
check(d["completed"][0]["items"], ["Wire smtp"], "completed")
check(d["blockers"], ["Waiting on DB", "Cert expired"], "blockers")
check(d["next_steps"], ["Deploy to staging"], "next_steps")
check([(l["topic"], l["text"]) for l in d["learnings"]], [("Async io", "use gather")], "learnings")
check(d["resolved"], [
    {"text": "Redis timeout", "resolution": "raised the pool size"},
    {"text": "DNS flaps", "resolution": "moving to Route53"},
    {"text": "Old cert", "resolution": None}], "resolved")
text = json.dumps(d)
for mark in ("**", "~~", "`"):
    if mark in text.replace(json.dumps(d["sections"]), ""):
        sys.exit("a Markdown marker %r is left in %s" % (mark, text))
PY
run "$SESSLUA" --root "$M" status.lua
expect_out "Email service" "status shows Working On as text"
printf '%s' "$OUT" | grep -qF '**' && bad "status shows Markdown markers: $OUT" || ok

# A mistyped root is not an empty team.
sl --root "$WORK/nope" status.lua
expect_rc 3 "status on a missing root"
expect_err "no coordination tree here" "missing root named"
sl --root "$WORK/nope" list.lua
expect_rc 3 "list on a missing root"

# A list inside a code sample is no blocker, and does not hide the real one.
CB="$WORK/cb/docs/coordination"; mkdir -p "$CB"
run "$SESSLUA" --root "$CB" create.lua 1 Dev Goal
CL="$CB/sessions/ACTIVE/session-1.md"
python3 - "$CL" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("**Current Blockers:**\n", "**Current Blockers:**\n```\n- [ ] fenced fake\n```\n- [ ] real blocker\n", 1)
open(p, "w").write(s)
PY
run "$SESSLUA" --root "$CB" view.lua 1 --json
printf '%s' "$OUT" | python3 -c 'import json,sys; assert json.load(sys.stdin)["blockers"] == ["real blocker"]' \
  && ok || bad "blockers skip a fenced list: $OUT"
run "$SESSLUA" --root "$CB" status.lua --json
printf '%s' "$OUT" | python3 -c 'import json,sys; assert json.load(sys.stdin)["sessions"][0]["blockers"] == ["real blocker"]' \
  && ok || bad "status counts the real blocker only"

# symbols: ASCII stand-ins under a locale that is not UTF-8; --color
sl status.lua; printf '%s' "$OUT" | grep -q "█\|░" && ok || bad "UTF-8 bars by default: $OUT"
LC_ALL=C run "$SESSLUA" status.lua
printf '%s' "$OUT" | LC_ALL=C grep -q "$(printf '[\200-\377]')" && bad "non-ASCII under LC_ALL=C: $OUT" || ok
expect_out "######" "an ASCII bar under LC_ALL=C"
expect_out "active | " "an ASCII separator"
LANG=en_US.ISO-8859-1 run "$SESSLUA" status.lua; expect_out "######" "a Latin-1 locale gets ASCII too"
LC_ALL=C.UTF-8 run "$SESSLUA" status.lua; expect_out "█" "C.UTF-8 keeps the bars"
sl --color=always status.lua; printf '%s' "$OUT" | grep -q "$(printf '\033')\[" && ok || bad "--color=always colors a pipe"
sl status.lua --color always; printf '%s' "$OUT" | grep -q "$(printf '\033')\[" && ok || bad "--color after the workflow"
sl --color=never status.lua; printf '%s' "$OUT" | grep -q "$(printf '\033')" && bad "--color=never: $OUT" || ok
sl --color=sometimes status.lua; expect_rc 2 "--color takes auto, always or never"
expect_err "--color: 'sometimes' is not auto, always or never" "and says so"
# list: the work's status and the log's own, in two columns
sl list.lua; expect_out "STATUS" "list: the work status column"
printf '%s' "$OUT" | head -1 | grep -q "STATUS *LOG" && ok || bad "list: STATUS then LOG: $OUT"

finish
