#!/usr/bin/env bash
# status and list read and parse logs on other cores (md.parse_ahead): the rows
# are those of reading each log alone, on one thread and on four, with the
# rows cache and without, whatever else the folder holds.
BENCH=$(cd "$(dirname "$0")/../bench" && pwd)
. "$(dirname "$0")/lib.sh"
python3 -B -c "
import sys; sys.path.insert(0, '$BENCH')
import corpus; corpus.make_root('$WORK', 90, 20251115)"
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
# beside the logs: a link to a log (read through it), a link out of the
# tree and a dangling one (warned about, skipped), a folder and a FIFO
ln -s session-3.md "$A/session-linked.md"
ln -s /etc/hostname "$A/session-out.md"
ln -s nowhere.md "$A/session-dangling.md"
mkdir "$A/session-folder.md"
mkfifo "$A/session-fifo.md"
touch -h -d "-1 hour" "$A"/*.md

# every row as summary.load gives it for the log alone, against team.rows
cat > "$WORK/rows.lua" <<'LUA'
local ctx = require("sesslua.context")
local json = require("sesslua.json")
local summary = require("sesslua.summary")
local team = require("sesslua.team")
local now = 1764000000
local rows = team.rows(ctx, { cache = false, now = now })
local n = 0
for _, s in ipairs(rows) do
  local alone = assert(summary.load(s.path, s.id, { now = now }))
  alone.unread_messages = s.unread_messages
  local a, b = json.encode(summary.json(s, "status")), json.encode(summary.json(alone, "status"))
  if a ~= b then error(("%s: row %s, alone %s"):format(s.id, a, b)) end
  n = n + 1
end
print(n)
LUA
for t in 1 4; do
  SESSLUA_THREADS=$t run "$SESSLUA" --root "$R" "$WORK/rows.lua"
  expect_rc 0 "rows on $t thread(s) are those of each log read alone"
  expect_eq "$OUT" "91" "90 logs and the linked one ($t thread(s))"
done

SESSLUA_THREADS=1 SESSLUA_CACHE=0 run "$SESSLUA" --root "$R" status.lua
ONE_OUT=$OUT ONE_ERR=$ERR
expect_err "session-out.md" "a link out of the tree is warned about"
expect_err "session-fifo.md" "a FIFO is warned about"
for t in 2 4; do
  SESSLUA_THREADS=$t SESSLUA_CACHE=0 run "$SESSLUA" --root "$R" status.lua
  expect_eq "$OUT" "$ONE_OUT" "status on $t threads prints what one prints"
  expect_eq "$ERR" "$ONE_ERR" "and warns the same"
done
SESSLUA_THREADS=4 SESSLUA_CACHE=0 run "$SESSLUA" --root "$R" status.lua --json
J4=$(printf '%s' "$OUT" | grep -v age_seconds)
SESSLUA_THREADS=1 SESSLUA_CACHE=0 run "$SESSLUA" --root "$R" status.lua --json
expect_eq "$J4" "$(printf '%s' "$OUT" | grep -v age_seconds)" "--json on 4 threads and on 1"

# list reads the same way
SESSLUA_THREADS=1 run "$SESSLUA" --root "$R" list.lua --json
L1=$OUT
SESSLUA_THREADS=4 run "$SESSLUA" --root "$R" list.lua --json
expect_rc 0 "list on 4 threads"
expect_eq "$OUT" "$L1" "list --json on 4 threads and on 1"
printf '%s' "$OUT" | grep -q '"id": "session-90"' && ok || bad "list shows the last log: $OUT"

# with the rows cache: the first run fills it through the workers, the
# second reads only what changed
SESSLUA_THREADS=4 run "$SESSLUA" --root "$R" status.lua
expect_eq "$OUT" "$ONE_OUT" "the run filling the cache prints the same"
printf '\n- [ ] one more task\n' >> "$A/session-7.md"
SESSLUA_THREADS=4 run "$SESSLUA" --root "$R" status.lua
SESSLUA_THREADS=1 SESSLUA_CACHE=0 run "$SESSLUA" --root "$R" status.lua
NOW_OUT=$OUT
SESSLUA_THREADS=4 run "$SESSLUA" --root "$R" status.lua
expect_eq "$OUT" "$NOW_OUT" "a changed log is read again, the rest come from the cache"

finish
