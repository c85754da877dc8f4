#!/usr/bin/env bash
# migrate.lua on a tree shaped like the old shell scripts' one.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"/{messages/broadcast,messages/direct/session-5,sessions/ACTIVE,shared-knowledge,scripts}
cp "$FIXTURES/reference-template.md" "$R/sessions/SESSION_LOG_TEMPLATE.md"
echo session-5 > "$R/.current_session"
touch "$R/scripts/session-share-learning.sh" "$R/scripts/deploy.sh"
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
expect_out "session-share-learning.sh: an old session-logging script: sesslua share" "reports the old system's scripts with their command"
printf '%s' "$OUT" | grep -q "deploy.sh" && bad "a script the old system never had is reported" || ok
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

# The record holds paths relative to the root: a copy of the tree (another
# checkout, cp -a) converts nothing again. Entries of older sesslua runs
# were absolute; they still count.
expect_file_has "$R/messages/.migrated" "messages/broadcast/2025-11-15_10-00-00-session-5.json" "root-relative record"
cp -a "$WORK/docs" "$WORK/copy"
C="$WORK/copy/coordination"
sl --root "$C" migrate.lua
expect_rc 0 "migrate in a copy"
expect_out "Converted 0 old message(s)" "a copy of the tree converts nothing again"
# Without the record, the converted messages' migrated_from still tell.
rm "$C/messages/.migrated"
sl --root "$C" migrate.lua
expect_out "Converted 0 old message(s)" "converted messages are recognised by migrated_from"
expect_eq "$(find "$C/messages" -name '2*T*.json' | wc -l)" "$n_before" "no duplicates in the copy"
A="$WORK/abs/docs/coordination"
mkdir -p "$A/messages/broadcast"
printf '{"from": "session-2", "subject": "old", "timestamp": "2025-11-15 10:00:00"}\n' > "$A/messages/broadcast/old-1.json"
printf '/elsewhere/checkout/docs/coordination/messages/broadcast/old-1.json\n' > "$A/messages/.migrated"
sl --root "$A" migrate.lua
expect_out "Converted 0 old message(s)" "an absolute entry of an older run is still honoured"

# Two runs at once convert each file once (the check and the writes are
# under one lock).
P="$WORK/par/docs/coordination"
mkdir -p "$P/messages/broadcast"
for i in $(seq 1 150); do
  printf '{"from": "session-%d", "subject": "s%d", "timestamp": "2025-11-15 10:00:00"}\n' "$i" "$i" \
    > "$P/messages/broadcast/old-$i.json"
done
"$SESSLUA" --root "$P" migrate.lua > par1.out 2>&1 &
"$SESSLUA" --root "$P" migrate.lua > par2.out 2>&1 &
wait
expect_eq "$(find "$P/messages/broadcast" -name '2*T*.json' | wc -l)" "150" "parallel runs convert each file once"
expect_eq "$(grep -c '' "$P/messages/.migrated")" "150" "each file recorded once"

# Nothing is lost quietly: zones are honoured, epoch seconds read, what
# cannot be read is reported with the file and what stood in for it.
Q="$WORK/q/docs/coordination"
mkdir -p "$Q/messages/broadcast" "$Q/messages/direct/session-5"
D="$Q/messages/direct/session-5"
printf '{"from": "session-4", "subject": "zone", "timestamp": "2025-11-15T10:00:00+02:00"}\n' > "$D/zone.json"
printf '{"from": "session-4", "subject": "epoch", "timestamp": "1731664800"}\n' > "$D/epoch.json"
printf '{"from": "session-4", "subject": "vague", "timestamp": "yesterday"}\n' > "$D/vague.json"
touch -d '2025-01-02 03:04:05 UTC' "$D/vague.json"
printf '{"from": "session-4", "subject": "x "y"", "body": "b", "timestamp": "2025-11-15T10:00:00Z"}\n' > "$Q/messages/broadcast/oneline.json"
printf '{"from": 12}\n' > "$Q/messages/broadcast/number.json"
printf '[1,2]\n' > "$Q/messages/broadcast/array.json"
printf '{"from": "../../etc", "subject": "s", "timestamp": "2025-11-15T10:00:00Z"}\n' > "$Q/messages/broadcast/escape.json"
sl --root "$Q" migrate.lua
expect_rc 0 "migrate with odd files"
expect_out "vague.json: timestamp 'yesterday' is not a time; sent set to the file's modification time, 2025-01-02T03:04:05Z" "an unreadable timestamp is reported with what replaced it"
expect_out "number.json: 'from' is a number, not a session id; not converted (file kept)" "valid JSON without a usable sender is reported"
expect_out "array.json: valid JSON, but an array, not a message object" "a JSON array is reported"
expect_out "escape.json: sender '../../etc' is not a session id" "a sender that is no session id is reported"
expect_out "oneline.json: not valid JSON; fields recovered" "a one-line file is salvaged"
expect_out "Converted 4 old message(s); 3 could not be recovered" "counts with odd files"
expect_exists "$Q/messages/broadcast/escape.json" "the refused file is kept"
expect_absent "$WORK/q/etc" "nothing written outside the tree"
grep -rl '"from": "../../etc"' "$Q/messages" | grep -q 'T.*Z' && bad "a bad sender was converted" || ok
run "$SESSLUA" --root "$Q" --session 5 message.lua inbox --all --json
expect_out '"sent": "2025-11-15T08:00:00Z"' "+02:00 converted to UTC"
expect_out '"sent": "2024-11-15T10:00:00Z"' "epoch seconds read as such"
expect_out '"sent": "2025-01-02T03:04:05Z"' "the file time stands in for 'yesterday'"
expect_out '"subject": "x \"y\""' "one-line salvage keeps the inner quotes"
grep -h '"subject": "x' "$Q"/messages/broadcast/2*.json | grep -q 'x \\"y\\""' && ok || bad "salvaged subject stored"
grep -l '"subject": "x' "$Q"/messages/broadcast/2*.json | xargs grep -q '"body": "b"' && ok || bad "salvaged body stored"

# Every field reaches the new message (tests/fixtures/migrate): top-level
# values win over nested ones, escapes are decoded, unknown fields are kept
# under extra, and each repaired file says what was repaired.
X="$WORK/x/docs/coordination"
mkdir -p "$X/messages/direct/session-5" "$X/scripts"
cp "$FIXTURES"/migrate/*.json "$X/messages/direct/session-5/"
touch "$X/scripts/session-status.sh" "$X/scripts/deploy-prod.sh" "$X/scripts/backup.sh"
sl --root "$X" migrate.lua
expect_rc 0 "migrate the fixture cases"
expect_out "Converted 4 old message(s); 0 could not be recovered" "every fixture converted"
expect_out "nested-rawnewline.json: not valid JSON; repaired: 1 raw newline(s) inside strings escaped (file kept)" "the raw newline repair is reported"
expect_out "nested-rawnewline.json: fields kept under extra: action, details, tags, title" "the extra fields are named"
expect_out "nested-first-quotes.json: not valid JSON; fields recovered from its text (values run to the next key), 2 shell escape(s) such as '\!' decoded (file kept)" "salvage reports the decoded escapes"
expect_out "shell-escapes.json: not valid JSON; repaired: 2 shell escape(s) such as '\!' decoded (file kept)" "the \\! repair is reported"
expect_out "valid-extra.json: fields kept under extra: action, data" "extra fields of a valid file are named"
expect_out "session-status.sh: an old session-logging script: sesslua status" "the old status script is named"
printf '%s' "$OUT" | grep -qE "deploy-prod.sh|backup.sh" && bad "other scripts are not the old system's" || ok
newmsg() { grep -l "\"migrated_from\": \"messages/direct/session-5/$1\"" "$X"/messages/session-5/cur/*.json; }
cat > show.lua <<'LUA'
local cjson = require("cjson")
local m = cjson.decode(io.open(arg[1]):read("a"))
local function s(v) return v == nil and "nil" or tostring(v) end
local e = m.extra or {}
io.write(table.concat({ m.sent, m.subject, s(m.body), s(e.title), s(e.action),
  e.details and s(e.details.timestamp) or "-", e.details and s(e.details.env) or "-",
  e.meta and s(e.meta.host) or "-", e.tags and table.concat(e.tags, ",") or "-",
  e.data and (("%g"):format(e.data.k) .. "/" .. s(e.data.ok)) or "-" }, "|"))
LUA
run "$SESSLUA" ./show.lua "$(newmsg nested-rawnewline.json)"
expect_eq "$OUT" $'2025-11-16T09:30:00Z|Deploy|line one\nline two|Deploy plan|review|$(date -Iseconds)|staging|-|db,ci|-' \
  "raw newline: the top-level timestamp wins; title, action, the nested object and the array kept"
run "$SESSLUA" ./show.lua "$(newmsg nested-first-quotes.json)"
expect_eq "$OUT" '2025-11-16T10:00:00Z|Say "hi"|Done! See $HOME|nil|nil|-|-|ci|-|-' \
  "salvage: a nested timestamp before the file's own does not win; \\! and \\\$ decoded"
run "$SESSLUA" ./show.lua "$(newmsg shell-escapes.json)"
expect_eq "$OUT" '2025-11-16T11:00:00Z|Ready!|Go! now|nil|nil|-|-|-|-|-' "\\! decoded in subject and body"
run "$SESSLUA" ./show.lua "$(newmsg valid-extra.json)"
expect_eq "$OUT" '2025-11-16T12:00:00Z|Valid|b|nil|ack|-|-|-|-|1/true' "a valid file's unknown fields kept under extra"

# prune keeps migrated history unless --include-migrated: migrate never
# converts a file twice, so pruned history would be lost.
run "$SESSLUA" --root "$X" message.lua prune --older-than 30
expect_rc 0 "prune with migrated messages"
expect_out "Removed 0 read message(s)" "migrated messages are not pruned"
expect_out "Kept 4 migrated message(s) as history" "prune says it kept them"
expect_eq "$(ls "$X"/messages/session-5/cur/*.json | wc -l)" "4" "all four still there"
run "$SESSLUA" --root "$X" message.lua prune --older-than 30 --include-migrated --dry-run
expect_out "Would remove 4 read message(s)" "--include-migrated --dry-run counts them"
expect_eq "$(ls "$X"/messages/session-5/cur/*.json | wc -l)" "4" "--dry-run removes nothing"
run "$SESSLUA" --root "$X" message.lua prune --older-than 30 --include-migrated
expect_out "Removed 4 read message(s)" "--include-migrated removes them"
expect_eq "$(ls "$X"/messages/session-5/cur/ | wc -l)" "0" "gone when asked"

# No tree here: exit 3 with the usual message, not "Converted 0".
# (a folder outside $WORK, whose docs/coordination the search would find)
NONE=$(mktemp -d "${TMPDIR:-/tmp}/sesslua-none.XXXXXX")
cd "$NONE"
sl migrate.lua
expect_rc 3 "migrate without a tree"
expect_err "$NONE/docs/coordination: no coordination tree here" "the no-tree message"
expect_absent "$NONE/docs" "nothing created"
cd "$WORK" && rm -rf "$NONE"

finish
