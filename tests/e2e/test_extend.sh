#!/usr/bin/env bash
# Teams extending sesslua: the guide's examples, config, hooks, API level.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
EX="$SESSLUA_SRC/docs/examples"
mkdir -p "$R/scripts"
# A team's scripts and hooks run only in a tree the user trusts
# (test_trust.sh): this one is trusted as a user would do it.
export XDG_DATA_HOME="$WORK/data"
unset SESSLUA_TRUST
sl trust
expect_rc 0 "trust the tree"

# The examples of docs/custom-workflows.md, run as a team would.
cp "$EX/standup.lua" "$EX/create.lua" "$R/scripts/"
sl create.lua 4 "Dev" "Build API"
expect_rc 0 "team create override wrapping the built-in"
expect_exists "$R/sessions/ACTIVE/session-4.md" "the built-in did its work"
expect_eq "$(ls "$R/messages/broadcast" | wc -l)" "1" "the override announced the session"
sl --which create
expect_out "$R/scripts/create.lua" "the override is what runs"
grep -q '"subject": "session-4 has started: Build API"' "$R"/messages/broadcast/*.json && ok || bad "announcement subject"
sl create.lua 4 "Dev" "Again"
expect_rc 4 "the wrapped built-in's exit code passes through"
expect_eq "$(ls "$R/messages/broadcast" | wc -l)" "1" "no announcement when the built-in fails"
# An option first: the override reads the parsed arguments, not arg[1].
sl create.lua --force 8 Dev "Ship it"
expect_rc 0 "override with an option before the id"
grep -l '"subject": "session-8 has started: Ship it"' "$R"/messages/broadcast/*.json > ann8 && ok || bad "announcement names the id and goal with --force first"
grep -q '"from": "session-8"' $(cat ann8) && ok || bad "announcement has its sender"
grep -l 'nil has started' "$R"/messages/broadcast/*.json && bad "an announcement from nobody" || ok
sl create.lua --help
expect_out "announce" "the override's --help"
sl update.lua 4 --working-on "API endpoints" --progress 30 --blocker "Needs DB"
sl standup.lua
expect_rc 0 "standup"
expect_out "session-4: API endpoints (30%)" "standup line"
expect_out "blocked: Needs DB" "standup blockers"
sl standup.lua --json
expect_out '"kind": "standup"' "standup --json"
sl --list
grep -q "standup.*team.*Stand-up" <<<"$OUT" && ok || bad "--list shows the team workflow with its description"

# API level: a workflow needing a newer level fails clearly.
printf 'require("sesslua.api").require(99)\n' > needs99.lua
sl ./needs99.lua
expect_rc 2 "API level too high"
expect_err "needs sesslua API level 99" "API level message"

# A level written like a version is read as the number; anything else
# stops clearly (not "attempt to compare number with string").
printf 'require("sesslua.api").require("1.0"); io.write("ok\\n")\n' > level10.lua
sl ./level10.lua
expect_rc 0 "api.require(\"1.0\")"
expect_out "ok" "api.require(\"1.0\") passes"
printf 'require("sesslua.api").require("2.0")\n' > level20.lua
sl ./level20.lua
expect_rc 2 "api.require(\"2.0\")"
expect_err "needs sesslua API level 2;" "a string level above ours"
printf 'require("sesslua.api").require("one")\n' > levelx.lua
sl ./levelx.lua
expect_rc 2 "api.require(\"one\")"
expect_err "sesslua: api.require: the API level must be a whole number like 1, not 'one'" "a level that is no number"
printf '%s' "$ERR" | grep -q "compare" && bad "raw compare error" || ok

printf 'local s = require("sesslua"); io.write(s.version, " ", s.level, "\\n")\n' > version.lua
sl ./version.lua
expect_out " 1" "require(\"sesslua\") gives the API level"
grep -q '^[0-9]\+\.[0-9]\+\.[0-9]\+ 1$' <<<"$OUT" && ok || bad "require(\"sesslua\").version: $OUT"

# Config: effective values and origins; errors name the key and the file.
printf 'return { stale_hours = 1000000 }\n' > "$R/sesslua.lua"
sl config.lua
expect_out "stale_hours      1000000" "config shows the team value"
expect_out "team ($R/sesslua.lua)" "config shows where a value came from"
expect_out "built-in" "config shows built-in origins"
printf 'return { time_zone = "UTC" }\n' > "$R/sesslua.lua"
sl update.lua 4 --note "utc"
grep -q '^\*\*Last Updated:\*\* .* UTC$' "$R/sessions/ACTIVE/session-4.md" && ok || bad "time_zone UTC writes UTC times"
printf 'return { stale_hourz = 3 }\n' > "$R/sesslua.lua"
sl status.lua
expect_rc 2 "unknown config key"
expect_err "unknown key 'stale_hourz'" "unknown key named"
expect_err "$R/sesslua.lua" "config file named"
printf 'return { stale_hours = "soon" }\n' > "$R/sesslua.lua"
sl status.lua
expect_rc 2 "wrong config type"
expect_err "'stale_hours' must be a number" "wrong type named"
printf 'return { session_sources = { "file", "env" } }\n' > "$R/sesslua.lua"
echo "session-4" > "$R/.current_session"
SESSLUA_SESSION=session-9 run "$SESSLUA" update.lua --note "file first"
expect_rc 0 "session_sources order"
grep -q "file first" "$R/sessions/ACTIVE/session-4.md" && ok || bad "session_sources puts the file first"
printf 'return { impact_levels = { "Minor", "Major", "Blocker" } }\n' > "$R/sesslua.lua"
sl --session 4 share.lua Perf "team levels" blocker
expect_rc 0 "a team impact level"
grep -qx '\*\*Impact:\*\* Blocker' "$R/shared-knowledge/learnings.md" && ok || bad "team impact stored capitalised"
sl --session 4 share.lua Perf "no default medium"
grep -qx '\*\*Impact:\*\* Major' "$R/shared-knowledge/learnings.md" && ok || bad "default is the middle team level"
sl --session 4 share.lua Perf "old level" High
expect_rc 2 "a level the team does not use is refused"
expect_err "Minor, Major, Blocker" "refusal lists the team's levels"
# Every part of the file is checked when it loads, by any command.
cfg_err() { # cfg_err LUA EXPECTED-STDERR description
  printf '%s\n' "$1" > "$R/sesslua.lua"
  run timeout 20 "$SESSLUA" config.lua
  expect_rc 2 "$3"
  expect_err "sesslua: config: $R/sesslua.lua: $2" "$3: message"
}
cfg_err 'return { handoff_checks = { foo = true, stale = "no" }, secret_patterns = {{pattern = "(%"}} }' \
  "'handoff_checks': unknown check 'foo' (known: placeholders," "the issue's config"
cfg_err 'return { handoff_checks = { stale = "no" } }' "'handoff_checks': check 'stale' must be true or false, not a string" "a check that is not a boolean"
cfg_err 'return { secret_patterns = {{kind = "k", pattern = "(%"}} }' "'secret_patterns': entry 1: bad Lua pattern '(%': malformed pattern (ends with '%')" "a pattern that does not compile"
cfg_err 'return { secret_patterns = {{kind = "k", pattern = "x("}} }' "'secret_patterns': entry 1: bad Lua pattern 'x(': unfinished capture" "an unfinished capture string.find on \"\" never reaches"
cfg_err 'return { secret_patterns = {{kind = "k", pattern = "x[a"}} }' "'secret_patterns': entry 1: bad Lua pattern 'x[a': malformed pattern (missing ']')" "an open set"
cfg_err 'return { secret_patterns = {{allow = "^A", extra = 1}} }' "'secret_patterns': entry 1: unknown key 'extra'" "an unknown key in a rule"
cfg_err 'return { secret_patterns = {{pattern = "x"}} }' "'secret_patterns': entry 1 needs a string 'kind'" "a rule without a kind"
cfg_err 'return { secret_patterns = { a = {allow = "x"} } }' "'secret_patterns' must be an array" "rules not in an array"
cfg_err 'return { stale_hours = 0/0 }' "'stale_hours' must be a finite number, not NaN (0/0)" "NaN stale_hours"
cfg_err 'return { stale_hours = 1/0 }' "'stale_hours' must be a finite number, not infinite" "infinite stale_hours"
cfg_err 'return { session_sources = { "env", "env" } }' "'session_sources': \"env\" is listed twice" "a repeated source"
cfg_err 'return { session_sources = { "env", x = "file" } }' "'session_sources' must be an array" "sources not an array"
cfg_err 'return { session_sources = { [1] = "env", [3] = "file" } }' "'session_sources' must be an array" "sources with a hole"
cfg_err 'return { session_sources = { "cookie" } }' "'session_sources' entries must be \"option\", \"env\" or \"file\" (entry 1 is 'cookie')" "an unknown source"
cfg_err 'return { impact_levels = { "Low", "low" } }' "'impact_levels': 'low' is listed twice" "a repeated level"
cfg_err 'return { [1] = 2 }' "unknown key '1'" "a key that is no name"
cfg_err 'while true do end' "did not finish within" "an endless loop is stopped"
cfg_err 'local function f() return f() end return f()' "did not finish within" "an endless tail call is stopped"
cfg_err 'return { status_columns = { { head = "PRIO" } } }' "'status_columns': entry 1 needs a string 'field'" "a column without a field"
cfg_err 'return { status_columns = { { field = "Priority" } } }' "'status_columns': entry 1 needs a string 'head'" "a column without a head"
cfg_err 'return { status_columns = { head = "PRIO", field = "Priority" } }' "'status_columns' must be an array" "one column not in an array"
cfg_err 'return { status_columns = { { head = "P", field = "Priority", drop = 1.5 } } }' "'status_columns': entry 1: 'drop' must be a whole number >= 1" "a drop rank that is no whole number"
cfg_err 'return { status_columns = { { head = "P", field = "Priority", width = 3 } } }' "'status_columns': entry 1: unknown key 'width' (known: head, field, drop)" "an unknown key in a column"
cfg_err 'return { status_columns = { "Priority" } }' "'status_columns': entry 1 must be a table, not a string" "a column that is no table"
printf 'return { stale_hours = 0/0 }\n' > "$R/sesslua.lua"
sl --session 4 status.lua
expect_rc 2 "any command refuses a bad config"
# status_columns: a team column showing one field of each log (the
# header's, else Current Work's), before WORKING ON; null in JSON when a
# log lacks the field.
printf 'return { status_columns = { { head = "PRIO", field = "Priority" } } }\n' > "$R/sesslua.lua"
sl create.lua 7 Dev Goal
sed -i 's/^\*\*Goal:\*\* Goal$/&\n**Priority:** **High**/' "$R/sessions/ACTIVE/session-7.md"
sed -i 's/^\*\*Working On:\*\*.*$/&\n**Priority:** Low/' "$R/sessions/ACTIVE/session-4.md"
sl status.lua
expect_rc 0 "status with a team column"
expect_eq "$(printf '%s\n' "$OUT" | head -1 | grep -o 'MAIL *PRIO *WORKING ON' | tr -s ' ')" "MAIL PRIO WORKING ON" \
  "the team column comes before WORKING ON: $(printf '%s\n' "$OUT" | head -1)"
# cell ID HEAD: the text under HEAD in ID's row of $OUT
cell() { printf '%s\n' "$OUT" | python3 -c 'import sys
lines = sys.stdin.read().split("\n")
at = lines[0].index(sys.argv[2])
row = next(l for l in lines if l.startswith(sys.argv[1] + " "))
print(row[at:].split("  ")[0].strip())' "$1" "$2"; }
expect_eq "$(cell session-7 PRIO)" "High" "the header's field, as text"
expect_eq "$(cell session-4 PRIO)" "Low" "Current Work's field"
expect_eq "$(cell session-8 PRIO)" "—" "a log without the field shows —"
sl status.lua --json
expect_rc 0 "status --json with a team column"
got=$(printf '%s' "$OUT" | python3 -c 'import json, sys
print(sorted((s["id"], s["fields"]) for s in json.load(sys.stdin)["sessions"] if s["id"] in ("session-4", "session-7", "session-8")))')
expect_eq "$got" "[('session-4', {'Priority': 'Low'}), ('session-7', {'Priority': 'High'}), ('session-8', {'Priority': None})]" \
  "status --json rows carry the configured fields"
# A narrow terminal drops the team's column before any built-in one.
if command -v script >/dev/null 2>&1; then
  seen=""
  for cols in $(seq 40 4 120); do
    head=$(script -qec "stty cols $cols rows 50; $SESSLUA status.lua" /dev/null < /dev/null | head -1)
    p=0; m=0
    case "$head" in *PRIO*) p=1 ;; esac
    case "$head" in *MAIL*) m=1 ;; esac
    seen="$seen $p$m"
  done
  case "$seen" in *" 10"*) bad "a built-in column went before the team's:$seen" ;; *) ok ;; esac
  case "$seen" in *" 01"*) ok ;; *) bad "no width drops the team's column alone:$seen" ;; esac
fi
printf 'local t = {} for i = 1, 1000 do t[i] = i end return { stale_hours = #t }\n' > "$R/sesslua.lua"
sl config.lua
expect_rc 0 "a config that computes a little is fine"
expect_out "stale_hours      1000" "computed value"
printf 'return { handoff_checks = { stale = false }, secret_patterns = { { kind = "tok", pattern = "(itk_%%w+)%%f[%%W]" }, { allow = "^AKIAEXAMPLE" } }, session_sources = { "option", "file", "env" } }\n' > "$R/sesslua.lua"
sl config.lua
expect_rc 0 "a valid config with every nested kind"
printf 'return { impact_levels = { "two words" } }\n' > "$R/sesslua.lua"
sl --session 4 share.lua Perf "x" Low
expect_rc 2 "bad impact_levels refused"
expect_err "'impact_levels' entries must be single words" "bad impact_levels named"
rm -f "$R/sesslua.lua" "$R/.current_session"

# Hooks: after_update runs in-process; a failing after hook only warns;
# before_archive can veto (exit 1) and nothing moves.
mkdir -p "$R/hooks"
cat > "$R/hooks/after_update.lua" <<'LUA'
return function(e)
  local f = assert(io.open(os.getenv("HOOK_OUT"), "a"))
  f:write(e.event, " ", e.id, "\n")
  f:close()
end
LUA
HOOK_OUT="$WORK/hook.out" run "$SESSLUA" update.lua 4 --progress 40
expect_rc 0 "update with a hook"
expect_eq "$(cat hook.out)" "after_update session-4" "after_update hook ran with the event"
printf 'return function() error("broken hook") end\n' > "$R/hooks/after_update.lua"
sl update.lua 4 --progress 41
expect_rc 0 "a failing after hook does not fail the update"
expect_err "broken hook" "the hook's error is reported"
expect_file_has "$R/sessions/ACTIVE/session-4.md" "**Progress:** 41%" "update still written"
rm "$R/hooks/after_update.lua"
printf 'return function(e) return false, "archiving is frozen this week" end\n' > "$R/hooks/before_archive.lua"
sl archive.lua 4 --force
expect_rc 1 "before_archive veto"
expect_err "archiving is frozen this week" "veto message"
expect_exists "$R/sessions/ACTIVE/session-4.md" "vetoed log stays"
printf 'return function(e) return true end\n' > "$R/hooks/before_archive.lua"
sl archive.lua 4 --force
expect_rc 0 "before_archive allows"
cat > "$R/hooks/after_share.lua" <<'LUA'
return function(e) io.stderr:write("shared ", e.entry.category, "\n") end
LUA
cat > "$R/hooks/after_message.lua" <<'LUA'
return function(e) io.stderr:write("message ", e.message.subject, "\n") end
LUA
cat > "$R/hooks/after_create.lua" <<'LUA'
return function(e) io.stderr:write("created ", e.id, "\n") end
LUA
rm "$R/scripts/create.lua"
sl create.lua 5 R G
expect_err "created session-5" "after_create hook"
sl --session 5 share.lua Perf "x y"
expect_err "shared Perf" "after_share hook"
sl --session 5 message.lua send broadcast "hello"
expect_err "message hello" "after_message hook"
printf 'return 42\n' > "$R/hooks/after_create.lua"
sl create.lua 6 R G
expect_rc 0 "a broken after hook only warns: the log is created"
expect_err "must return a function" "bad hook message"
expect_exists "$R/sessions/ACTIVE/session-6.md" "created despite the broken after hook"
printf 'return function(e) error("oops") end\n' > "$R/hooks/before_archive.lua"
sl archive.lua 6 --force
expect_rc 1 "a failing before_archive hook refuses"
expect_exists "$R/sessions/ACTIVE/session-6.md" "not archived when the hook fails"
printf 'syntax error here\n' > "$R/hooks/before_archive.lua"
sl archive.lua 6 --force
expect_rc 2 "a before_archive hook that does not load refuses (exit 2)"
expect_exists "$R/sessions/ACTIVE/session-6.md" "not archived when the hook does not load"

# messages.deliver refuses a message without from, to or subject (and a
# from/to that is no session id): an error return, never a file with a
# nil field.
cat > deliver.lua <<'LUA'
local ctx = require("sesslua.context")
local messages = require("sesslua.messages")
for _, m in ipairs({ { to = "broadcast", subject = "x" }, { from = "session-4", subject = "x" },
                     { from = "session-4", to = "broadcast" }, { from = "session-4", to = "../x", subject = "s" } }) do
  local ok, err, code = messages.deliver(ctx, m)
  io.write(tostring(ok), " ", tostring(code), " ", tostring(err), "\n")
end
LUA
n_msgs=$(find "$R/messages" -name '*.json' | wc -l)
sl ./deliver.lua
expect_rc 0 "deliver script"
expect_out "nil EUSAGE message not delivered: 'from' is missing" "deliver without from"
expect_out "nil EUSAGE message not delivered: 'to' is missing" "deliver without to"
expect_out "nil EUSAGE message not delivered: 'subject' is missing" "deliver without subject"
expect_out "nil EUSAGE message not delivered: 'to' is not a session id" "deliver to a path"
expect_eq "$(find "$R/messages" -name '*.json' | wc -l)" "$n_msgs" "nothing delivered"

# The guide quotes the examples as they are: every code line of its Lua
# blocks stands in docs/examples/, so the guide cannot drift from what runs.
GUIDE="$SESSLUA_SRC/docs/custom-workflows.md"
missing=0
while IFS= read -r line; do
  t=$(printf '%s' "$line" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  [ -z "$t" ] && continue
  case "$t" in --*) continue ;; esac
  grep -qF -- "$t" "$EX/standup.lua" "$EX/create.lua" || { missing=$((missing + 1)); echo "guide line not in the examples: $t" >&2; }
done < <(awk '/^```lua$/{on=1; next} /^```$/{on=0} on' "$GUIDE")
expect_eq "$missing" "0" "every Lua line of the guide is in the tested examples"


sl config.lua --json
expect_out '"impact_levels": {' "config --json lists unset keys too"
expect_out '"value": null' "an unset value is null"

finish
