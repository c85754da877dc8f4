#!/usr/bin/env bash
# migrate.lua on a tree shaped like the old shell scripts' one.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"/{messages/broadcast,messages/direct/session-5,sessions/ACTIVE,shared-knowledge,scripts}
cp "$FIXTURES/reference-template.md" "$R/sessions/SESSION_LOG_TEMPLATE.md"
echo session-5 > "$R/.current_session"
touch "$R/scripts/session-share-learning.sh"
cat > "$R/messages/broadcast/2025-11-15_10-00-00-session-5.json" <<'JSON'
{
  "from": "session-5",
  "to": "broadcast",
  "timestamp": "2025-11-15T10:00:00Z",
  "subject": "Email service ready",
  "message": "Go test it"
}
JSON
# Written by the old heredoc: quotes unescaped, a newline inside the message.
cat > "$R/messages/direct/session-5/2025-11-15_11-00-00-session-7.json" <<'JSON'
{
  "from": "session-7",
  "to": "session-5",
  "timestamp": "2025-11-15T11:00:00Z",
  "subject": "Need "help" with DB",
  "message": "line one
line "two""
}
JSON
printf 'garbage{{{' > "$R/messages/broadcast/2025-11-15_12-00-00-session-9.json"
cat > "$R/shared-knowledge/learnings.md" <<'MD'
# Learnings

**Total Learnings:** 2

<!-- Sessions add entries below this line -->

### 2025-11-15 - session-5 - high

**Learning:** Using asyncio.gather() speeds up calls
**Impact:** Medium
**Timestamp:** 2025-11-15 10:00:00 UTC
**Category:** high
**Shared By:** session-5

---

### 2025-11-14 - session-4 - Performance

**Learning:** A fine entry
**Impact:** High
**Timestamp:** 2025-11-14 10:00:00 UTC
**Category:** Performance
**Shared By:** session-4

---
MD
run "$SESSLUA" create.lua 5 "Dev" "Goal"
before=$(snapshot "$R")

sl migrate.lua --dry-run
expect_rc 0 "dry run"
expect_out "SESSION_LOG_TEMPLATE.md: the original template" "reports the old template"
expect_out ".current_session: names session-5" "reports .current_session"
expect_out "session-share-learning.sh: an old shell script" "reports old scripts"
expect_out "learnings.md:7: entry written in the wrong argument order" "reports a wrong-order entry with its line"
printf '%s' "$OUT" | grep -q "learnings.md:17" && bad "a fine entry reported" || ok
expect_out "2025-11-15_12-00-00-session-9.json: not valid JSON and nothing could be recovered" "reports an unrecoverable file"
expect_out "2025-11-15_11-00-00-session-7.json: not valid JSON; fields recovered" "reports a salvaged file"
expect_out "2 old message(s) would be converted, 1 cannot be recovered" "dry run counts"
expect_eq "$(snapshot "$R")" "$before" "dry run changes nothing"

sl migrate.lua
expect_rc 0 "migrate"
expect_out "Converted 2 old message(s); 1 could not be recovered" "conversion counts"
for f in broadcast/2025-11-15_10-00-00-session-5.json broadcast/2025-11-15_12-00-00-session-9.json \
         direct/session-5/2025-11-15_11-00-00-session-7.json; do
  expect_exists "$R/messages/$f" "old file kept: $f"
done
run "$SESSLUA" --session 5 message.lua inbox --all --json
expect_out '"subject": "Need \"help\" with DB"' "salvaged subject with its quotes"
expect_out '"body": "line one\nline \"two\""' "salvaged multi-line body"
expect_out '"sent": "2025-11-15T11:00:00Z"' "original time kept"
expect_out '"read": true' "converted as read history"
run "$SESSLUA" --session 5 message.lua inbox
expect_out "No unread messages" "converted messages are not unread"
run "$SESSLUA" --session 7 message.lua inbox --all
expect_out "Email service ready" "converted broadcast visible in history"

n_before=$(find "$R/messages" -name '2*T*.json' | wc -l)
sl migrate.lua
expect_out "Converted 0 old message(s)" "second run converts nothing twice"
expect_eq "$(find "$R/messages" -name '2*T*.json' | wc -l)" "$n_before" "no duplicate messages"
sl migrate.lua --json
expect_out '"kind": "migrate"' "migrate --json"

finish
