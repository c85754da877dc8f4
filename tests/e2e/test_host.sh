#!/usr/bin/env bash
# The host: options, search path, overrides, errors and exit codes.
. "$(dirname "$0")/lib.sh"

sl --version
expect_rc 0 "--version"
expect_out "sesslua " "--version names sesslua"
expect_out "Lua 5.4" "--version names Lua"
expect_out "cmark" "--version names cmark"

sl --help
expect_rc 0 "--help"
expect_out "usage: sesslua" "--help shows usage"
expect_out "exit codes" "--help documents exit codes"

sl
expect_rc 0 "no script"
expect_out "usage: sesslua" "no script: usage"
expect_out "create" "no script: lists workflows"

sl --list
expect_rc 0 "--list"
expect_out "create" "--list has create"
expect_out "built-in" "--list names the source"
expect_out "Create a session log" "--list shows the description"

sl --which create
expect_rc 0 "--which builtin"
expect_out "builtin:scripts/create.lua" "--which names the built-in"

sl nosuch.lua
expect_rc 3 "unknown script"
expect_err "sesslua: unknown workflow 'nosuch.lua'" "unknown script message"
expect_err "hint: sesslua --list" "unknown script hint"

sl --bogus
expect_rc 2 "unknown host option"
expect_err "unknown option '--bogus'" "unknown host option message"

# A team override in <root>/scripts wins over the built-in, no rebuild.
mkdir -p proj/docs/coordination/scripts proj/sub/dir
cat > proj/docs/coordination/scripts/create.lua <<'LUA'
--- Team create
io.write("team create ", table.concat(arg, ","), "\n")
return 0
LUA
(cd proj/sub/dir && run "$SESSLUA" create.lua a b; printf '%s' "$OUT" > "$WORK/out.txt")
expect_eq "$(cat out.txt)" "team create a,b" "team override runs from a subfolder (root discovery)"
(cd proj && run "$SESSLUA" --which create; printf '%s' "$OUT" > "$WORK/out.txt")
expect_eq "$(head -1 out.txt)" "$WORK/proj/docs/coordination/scripts/create.lua" "--which names the team file"
grep -qF "shadowed: builtin:scripts/create.lua" out.txt && ok || bad "--which lists the shadowed built-in"
expect_eq "$(grep -c "docs/coordination/scripts/create.lua" out.txt)" "1" "--which names the winner once"
(cd proj && run "$SESSLUA" --list; printf '%s' "$OUT" > "$WORK/out.txt")
grep -qE "^ +create +team +Team create" out.txt && ok || bad "--list shows the team override: $(cat out.txt)"

# $SESSLUA_PATH comes before the team folder; a user folder after it.
mkdir -p pathdir home/.config/sesslua
printf -- '--- from path\nio.write("path create\\n")\n' > pathdir/create.lua
printf -- '--- user hello\nio.write("user hello\\n")\n' > home/.config/sesslua/hello.lua
(cd proj && SESSLUA_PATH="$WORK/pathdir" run "$SESSLUA" create; printf '%s' "$OUT" > "$WORK/out.txt")
expect_eq "$(cat out.txt)" "path create" "SESSLUA_PATH wins over the team folder"
sl hello
expect_eq "$OUT" "user hello" "user config folder is searched"
sl --list
expect_out "user" "--list labels user workflows"

# Modules follow the same path: a team module replaces a built-in one.
mkdir -p mods/sesslua
printf 'return { today = function() return "1999-01-01" end, now = function() return "1999-01-01 00:00:00" end }\n' > mods/sesslua/clock.lua
SESSLUA_PATH="$WORK/mods" run "$SESSLUA" --root "$WORK/modroot" create.lua 7 R G
grep -qF "**Started:** 1999-01-01" modroot/sessions/ACTIVE/session-7.md && ok || bad "a module on SESSLUA_PATH replaces the built-in"

# Explicit paths, arguments, exit codes and errors.
cat > script.lua <<'LUA'
--- test script
io.write(arg[0], "|", table.concat(arg, "|"), "\n")
return 7
LUA
sl ./script.lua x "y z"
expect_rc 7 "a script's returned exit code"
expect_eq "$OUT" "./script.lua|x|y z" "arg as lua gives it"
printf 'local x = 1\nerror("boom")\n' > err.lua
sl ./err.lua
expect_rc 2 "Lua error exits 2"
expect_eq "$ERR" "sesslua: ./err.lua:2: boom" "Lua error is one line with file and line"
sl --debug ./err.lua
expect_err "stack traceback" "--debug adds the traceback"
printf 'undefined_thing()\n' > glob.lua
sl ./glob.lua
expect_rc 2 "strict globals"
expect_err "undeclared global 'undefined_thing'" "undeclared global is named"
printf 'os.exit(5)\n' > ex.lua
sl ./ex.lua
expect_rc 5 "os.exit code"

# A copied binary works anywhere: built-ins are inside it.
cp "$SESSLUA" ./copied
run ./copied --root "$WORK/copyroot" create.lua 3 "Role" "Goal"
expect_rc 0 "copied binary runs create"
expect_exists copyroot/sessions/ACTIVE/session-3.md "copied binary wrote the log"

# Exit statuses are one byte: a script's 256 must not wrap to success, and
# an error never exits 0.
printf 'return 256\n' > big.lua
sl ./big.lua
expect_rc 2 "a status out of 0-255 exits 2"
printf 'error({ code = 0, message = "boom" })\n' > zero.lua
sl ./zero.lua
expect_rc 2 "an error with code 0 still fails"
expect_err "sesslua: boom" "and says why"
# The first hour of 1970 in a zone east of UTC is a valid time.
printf 'io.write(tostring(require("sesslua.sys").parse_time("1970-01-01 00:59:59")))\n' > epoch.lua
TZ=CET-1 run "$SESSLUA" ./epoch.lua  # POSIX zone: no tzdata needed
expect_eq "$OUT" "-1" "one second before the epoch, an hour east of UTC"

finish
