#!/usr/bin/env bash
# The rows cache of status: the same output as without it, rows of
# unchanged logs served from it, everything else read again.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
mkdir -p "$R"
sl create.lua 1 "Role One" "Goal one"
sl create.lua 2 "Role Two" "Goal two"
sl update.lua 2 --status Building --progress 40 --blocker "No DB" --phase "Specs"
# logs older than the racy window, so that their rows are kept
old() { touch -d "-1 hour" "$@"; }
old "$A"/*.md
CACHE="$HOME/.cache/sesslua"
cached() { cat "$CACHE"/rows-*.json 2>/dev/null; }
# a cached row, changed by hand: what status shows proves where it came from
forge() {
  python3 - "$CACHE" "$1" "$2" <<'PY'
import glob, json, sys
path = glob.glob(sys.argv[1] + "/rows-*.json")[0]
d = json.load(open(path))
d["rows"][sys.argv[2]]["row"]["role"] = sys.argv[3]
json.dump(d, open(path, "w"))
PY
}

SESSLUA_CACHE=0 run "$SESSLUA" status.lua; NOCACHE="$OUT"
expect_absent "$CACHE" "SESSLUA_CACHE=0 writes no cache"
sl status.lua; expect_rc 0 "status, first run"
expect_eq "$OUT" "$NOCACHE" "the first run prints what a run without the cache prints"
expect_exists "$CACHE" "the first run keeps the rows"
expect_eq "$(stat -c %a "$CACHE"/rows-*.json)" "600" "the cache is this user's only"
sl status.lua; expect_eq "$OUT" "$NOCACHE" "a run from the cache prints the same"
sl status.lua --json; J1=$(printf '%s' "$OUT" | grep -v age_seconds)
SESSLUA_CACHE=0 run "$SESSLUA" status.lua --json
expect_eq "$J1" "$(printf '%s' "$OUT" | grep -v age_seconds)" "--json from the cache is the same (ages aside)"
printf '%s' "$J1" | grep -q '"open_tasks": 1,' && ok || bad "integers stay integers: $J1"

# an unchanged log's row comes from the cache ...
forge session-1.md "Forged Role"
sl status.lua; expect_out "Forged Role" "an unchanged log's row is served from the cache"
# ... a changed one is read again
sl update.lua 1 --status Testing
sl status.lua; expect_out "Role One" "a changed log is read again"
printf '%s' "$OUT" | grep -q "Forged Role" && bad "the forged row outlived the change" || ok
expect_out "Testing" "and its new status is shown"
# a log written within the racy window is not kept, so a second change in
# the same instant cannot hide behind an unchanged time
cached | grep -q '"session-1.md"' && bad "a log written just now was kept: $(cached | head -c 300)" || ok
old "$A/session-1.md"
sl status.lua; cached | grep -q '"session-1.md"' && ok || bad "an older log is kept again"

# ages come from the clock of each run, not the cache's
forge session-2.md "Forged Two"
age2() { printf '%s' "$OUT" | tr -d '\n' | sed 's/.*"age_seconds": \([0-9.]*\),[^}]*"id": "session-2".*/\1/'; }
sl status.lua --json; a1=$(age2)
sleep 2
sl status.lua --json; a2=$(age2)
expect_out '"role": "Forged Two"' "the row is from the cache"
awk -v a="$a1" -v b="$a2" 'BEGIN { exit !(b >= a + 2) }' && ok || bad "the age grows with the clock: $a1 then $a2"
sl status.lua --stale-hours 0; expect_out "STALE" "stale is worked out at each run"

# anything a row depends on drops the whole cache: the team template ...
printf '# Session [ID] - Work Log\n\n**Role:** [Your Role]\n**Priority:** [High/Low]\n\n## Current Work\n\n**Status:** Planning\n' > "$R/sessions/SESSION_LOG_TEMPLATE.md"
sl status.lua; expect_out "Role Two" "a new template drops the cache"
rm "$R/sessions/SESSION_LOG_TEMPLATE.md"
sl status.lua; forge session-2.md "Forged Again"
# ... the fields asked for (status_columns)
printf 'return { status_columns = { { head = "PRIO", field = "Priority" } } }\n' > "$R/sesslua.lua"
sl status.lua; expect_out "Role Two" "other fields drop the cache"
rm "$R/sesslua.lua"
# ... a team copy of a module that makes rows
sl status.lua; forge session-2.md "Forged Third"
mkdir -p "$WORK/mods/sesslua"
cp "$(dirname "$0")/../../lua/sesslua/summary.lua" "$WORK/mods/sesslua/summary.lua"
SESSLUA_PATH="$WORK/mods" run "$SESSLUA" status.lua
expect_out "Role Two" "a team's summary module is not served rows from the cache"

# a log that goes is forgotten
sl status.lua
mkdir -p "$R/sessions/ARCHIVE"; mv "$A/session-1.md" "$R/sessions/ARCHIVE/session-1-2025-01-01.md"
sl status.lua; expect_rc 0 "status after a log left"
cached | grep -q '"session-1.md"' && bad "a gone log stays in the cache" || ok

# a broken or unwritable cache is no error
printf 'not json {' > "$(ls "$CACHE"/rows-*.json)"
sl status.lua; expect_rc 0 "a broken cache is ignored"
expect_out "Role Two" "and the rows are read"
expect_eq "$ERR" "" "silently"
sl status.lua; python3 -c 'import json,glob,sys; json.load(open(glob.glob(sys.argv[1]+"/rows-*.json")[0]))' "$CACHE" \
  && ok || bad "the broken cache is written anew"
touch "$WORK/a-file"
XDG_CACHE_HOME="$WORK/a-file" run "$SESSLUA" status.lua
expect_rc 0 "a cache folder that cannot be made"
expect_eq "$ERR" "" "is no error"
expect_out "Role Two" "status still works"

finish
