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


# A mistyped root is not an empty team.
sl --root "$WORK/nope" status.lua
expect_rc 3 "status on a missing root"
expect_err "no coordination tree here" "missing root named"
sl --root "$WORK/nope" list.lua
expect_rc 3 "list on a missing root"

finish
