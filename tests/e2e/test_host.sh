#!/usr/bin/env bash
# The host: options, search path, overrides, errors and exit codes.
. "$(dirname "$0")/lib.sh"
# The overrides below are the team's code, which runs only in a trusted
# tree; trust itself is test_trust.sh's.
export SESSLUA_TRUST=1

sl --version
expect_rc 0 "--version"
expect_out "sesslua " "--version names sesslua"
expect_out "Lua 5.4" "--version names Lua"
expect_out "cmark" "--version names cmark"
# the full releases: Lua's from lua.h (LUA_RELEASE), cmark's from the library
printf '%s' "$OUT" | grep -qE '^sesslua [0-9.]+ \(Lua 5\.4\.[0-9]+, cmark [0-9]+\.[0-9]+\.[0-9]+\)$' \
  && ok || bad "--version gives Lua's full release: $OUT"

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

# Every error object gets one clear line (never a silent failure), and its
# exit code when it carries one.
printf 'error({ code = 4 })\n' > codeonly.lua
sl ./codeonly.lua
expect_rc 4 "an error table's code without a message"
expect_eq "$ERR" "sesslua: ./codeonly.lua: error object (table)" "an error table without a message is named"
printf 'error(setmetatable({}, { __tostring = function() return "custom failure" end }))\n' > tostr.lua
sl ./tostr.lua
expect_rc 2 "an error object with __tostring"
expect_eq "$ERR" "sesslua: custom failure" "__tostring gives the message"
printf 'error(setmetatable({ code = 3 }, { __tostring = function() return "gone" end }))\n' > tostr3.lua
sl ./tostr3.lua
expect_rc 3 "__tostring object keeps its code"
expect_eq "$ERR" "sesslua: gone" "__tostring object with a code: its text"
printf 'error(setmetatable({}, { __tostring = function() error("inner") end }))\n' > tostrbad.lua
sl ./tostrbad.lua
expect_rc 2 "a __tostring that fails"
expect_eq "$ERR" "sesslua: ./tostrbad.lua: error object (table)" "a failing __tostring: the object is named"
printf 'error()\n' > errnil.lua
sl ./errnil.lua
expect_rc 2 "error(nil)"
expect_eq "$ERR" "sesslua: ./errnil.lua: error object (nil)" "error(nil) is named"
printf 'error({ code = 5, message = "" })\n' > errempty.lua
sl ./errempty.lua
expect_rc 5 "an empty message keeps the code"
expect_eq "$ERR" "sesslua: ./errempty.lua: error with an empty message" "an empty message is said"

# A returned status out of 0-255 is an error that says so.
printf 'return 300\n' > r300.lua
sl ./r300.lua
expect_rc 2 "return 300"
expect_eq "$ERR" "sesslua: ./r300.lua: returned 300, not an exit code 0-255" "return 300 is explained"
printf 'return -1\n' > rneg.lua
sl ./rneg.lua
expect_rc 2 "return -1"
expect_eq "$ERR" "sesslua: ./rneg.lua: returned -1, not an exit code 0-255" "return -1 is explained"
printf 'return 2.5\n' > rfrac.lua
sl ./rfrac.lua
expect_rc 2 "return 2.5"
expect_err "returned 2.5, not an exit code 0-255" "return 2.5 is explained"
printf 'return 3.0\n' > rfloat.lua
sl ./rfloat.lua
expect_rc 3 "an integral float is a status"
expect_eq "$ERR" "" "an integral float: no message"
printf 'return "done"\n' > rstr.lua
sl ./rstr.lua
expect_rc 0 "a returned string is no status"

# A multi-line message: the first line is the error, the rest indented
# under it (hint: lines stay as they are).
printf 'error("line one\\nline two\\nhint: try this")\n' > multi.lua
sl ./multi.lua
expect_rc 2 "multi-line error"
expect_eq "$ERR" "$(printf 'sesslua: ./multi.lua:1: line one\n  line two\nhint: try this')" "continuation lines indented"
expect_eq "$(printf '%s\n' "$ERR" | grep -c '^sesslua:')" "1" "one sesslua: line per error"
sl --debug ./multi.lua
expect_eq "$(printf '%s\n' "$ERR" | sed -n 2p)" "  line two" "--debug: the same lines"
expect_err "stack traceback" "--debug: then the traceback"

# arg as lua(1) gives it: arg[0] the script, negative indices the program
# and the host options.
printf 'io.write(tostring(arg[-3]), "|", tostring(arg[-2]), "|", tostring(arg[-1]), "|", arg[0], "|", tostring(arg[1]), "\\n")\n' > args.lua
sl ./args.lua x
expect_eq "$OUT" "nil|nil|$SESSLUA|./args.lua|x" "arg[-1] is the program"
sl --root "$WORK/copyroot" ./args.lua x
expect_eq "$OUT" "$SESSLUA|--root|$WORK/copyroot|./args.lua|x" "host options at negative indices, as lua's"

# An empty --root is a usage error, not a search in "".
sl --root "" list.lua
expect_rc 2 "--root ''"
expect_err "sesslua: --root: empty DIR" "--root '' is refused"
sl --root= list.lua
expect_rc 2 "--root="
expect_err "sesslua: --root: empty DIR" "--root= is refused"

# --list shows workflows only: not the settings file, not modules (a file
# without a first `--- description` line), not a module folder's files.
mkdir -p home2/.config/sesslua/sesslua lroot/scripts/team
printf 'return {}\n' > home2/.config/sesslua/sesslua.lua
printf 'local M = {}\nreturn M\n' > home2/.config/sesslua/util.lua
printf -- '--- helper module\nreturn {}\n' > home2/.config/sesslua/sesslua/extra.lua
printf -- '--- User greeting\nio.write("hi\\n")\n' > home2/.config/sesslua/greet.lua
printf -- '-- a module, not a workflow\nreturn {}\n' > lroot/scripts/teamlib.lua
printf -- '--- team helper\nreturn {}\n' > lroot/scripts/team/helper.lua
printf 'io.write("plain create\\n")\n' > lroot/scripts/create.lua
HOME="$WORK/home2" run "$SESSLUA" --root "$WORK/lroot" --list
expect_rc 0 "--list with modules around"
printf '%s\n' "$OUT" | grep -qE '^ +sesslua ' && bad "--list shows the settings file: $OUT" || ok
printf '%s\n' "$OUT" | grep -qE '^ +util ' && bad "--list shows a user module: $OUT" || ok
printf '%s\n' "$OUT" | grep -qE '^ +teamlib ' && bad "--list shows a team module: $OUT" || ok
printf '%s\n' "$OUT" | grep -qE '^ +(extra|helper) ' && bad "--list shows a module folder's files: $OUT" || ok
printf '%s\n' "$OUT" | grep -qE '^ +greet +user +User greeting$' && ok || bad "--list shows a user workflow: $OUT"
printf '%s\n' "$OUT" | grep -qE '^ +create +team *$' && ok || bad "--list shows an override without a description: $OUT"
HOME="$WORK/home2" run "$SESSLUA" --root "$WORK/lroot" util
expect_rc 0 "a module still runs by name"
HOME="$WORK/home2" run "$SESSLUA" --root "$WORK/lroot" sesslua
expect_rc 3 "the settings file is no workflow"
expect_err "sesslua.lua is the settings file, not a workflow" "and says so"

# A value starting with '-' read as an option: the hint says how to pass it,
# and what it says works.
sl --root "$WORK/dashroot" create.lua 5 r "- fix login"
expect_rc 2 "a goal starting with '-'"
expect_err "create.lua: unknown option '- '" "argparse's message"
expect_err "hint: to pass a value starting with '-', put -- before it: sesslua create.lua 5 r -- '- fix login'" "hint: --"
expect_absent dashroot "nothing written"
sl --root "$WORK/dashroot" create.lua 5 r -- "- fix login"
expect_rc 0 "-- before the goal"
expect_file_has dashroot/sessions/ACTIVE/session-5.md "**Goal:** - fix login" "-- passes the goal"
sl --root "$WORK/dashroot" create.lua 6 "- r" --force
expect_err "put -- before it: sesslua create.lua 6 --force -- '- r'" "options move before --"
sl --root "$WORK/dashroot" update.lua 5 --working-on "- login form" --status Building
expect_rc 2 "an option's value starting with '-'"
expect_err "hint: to pass a value starting with '-', join it to its option: sesslua update.lua 5 --working-on='- login form' --status Building" "hint: --opt="
sl --root "$WORK/dashroot" update.lua 5 --working-on='- login form' --status Building
expect_rc 0 "--opt=VALUE"
expect_file_has dashroot/sessions/ACTIVE/session-5.md "**Working On:** - login form" "--opt= passes the value"
sl --root "$WORK/dashroot" create.lua 7 --bogus
expect_rc 2 "a mistyped option"
expect_err "unknown option '--bogus'" "mistyped option named"
case $ERR in *"put -- before it"*) bad "no -- hint for a mistyped option: $ERR" ;; *) ok ;; esac

# A working folder deeper than PATH_MAX (getcwd fails): every command works,
# the root is found or made relative to it. Made with relative mkdir/cd, as
# no absolute path reaches it.
NAME=$(printf 'd%.0s' $(seq 1 200))
(
  mkdir deep && cd deep || exit 1
  for _ in $(seq 1 24); do mkdir "$NAME" && cd "$NAME" || exit 1; done
  [ "$(pwd -P 2>/dev/null | wc -c)" -gt 4096 ] || [ -z "$(pwd -P 2>/dev/null)" ] \
    || echo "not deep enough" >> "$WORK/deep.err"
  "$SESSLUA" --version > "$WORK/deep.out" 2>&1 || echo "--version: $(cat "$WORK/deep.out")" >> "$WORK/deep.err"
  "$SESSLUA" --help > /dev/null 2>&1 || echo "--help failed" >> "$WORK/deep.err"
  "$SESSLUA" init.lua > "$WORK/deep.out" 2>&1 || echo "init: $(cat "$WORK/deep.out")" >> "$WORK/deep.err"
  "$SESSLUA" create.lua 1 Dev "Deep goal" > "$WORK/deep.out" 2>&1 || echo "create: $(cat "$WORK/deep.out")" >> "$WORK/deep.err"
  "$SESSLUA" status.lua > "$WORK/deep.out" 2>&1 || echo "status: $(cat "$WORK/deep.out")" >> "$WORK/deep.err"
  grep -q "session-1" "$WORK/deep.out" || echo "status lacks the log: $(cat "$WORK/deep.out")" >> "$WORK/deep.err"
  grep -q "Deep goal" docs/coordination/sessions/ACTIVE/session-1.md 2>/dev/null \
    || echo "the log is not in ./docs/coordination" >> "$WORK/deep.err"
  # a tree two folders up, within reach of a relative path, is found
  mkdir -p "$NAME/$NAME" && cd "$NAME/$NAME" || exit 1
  "$SESSLUA" view.lua 1 > "$WORK/deep.out" 2>&1 || echo "view from below: $(cat "$WORK/deep.out")" >> "$WORK/deep.err"
  grep -q "Deep goal" "$WORK/deep.out" || echo "view from below lacks the log" >> "$WORK/deep.err"
) || echo "could not make the deep folder" >> "$WORK/deep.err"
if [ -s deep.err ]; then bad "a working folder deeper than PATH_MAX: $(cat deep.err)"; else ok; fi
rm -rf deep

# The config sandbox holds: a config file that would hang or exhaust every
# command stops it within a second or two, exit 2, one line naming the file
# and the limit. A pattern backtracking inside string.find runs no Lua
# instruction (the instruction budget never sees it); big strings come
# from C too.
mkdir -p cfg/docs/coordination
CFG="$WORK/cfg/docs/coordination/sesslua.lua"
# limited CODE LIMIT DESCRIPTION
limited() {
  printf '%s\n' "$1" > "$CFG"
  local t0 t1
  t0=$(date +%s%N)
  ( cd cfg && timeout 20 "$SESSLUA" status.lua > "$WORK/cfg.out" 2> "$WORK/cfg.err" ); local rc=$?
  t1=$(date +%s%N)
  expect_eq "$rc" "2" "$3: exit 2 ($(cat "$WORK/cfg.err"))"
  expect_eq "$(head -1 "$WORK/cfg.err")" "sesslua: config: $CFG: $2; a config file should only return a table" "$3: the message"
  expect_eq "$(wc -l < "$WORK/cfg.err")" "1" "$3: one line"
  [ $(( (t1 - t0) / 1000000 )) -lt 3000 ] && ok || bad "$3: took $(( (t1 - t0) / 1000000 )) ms"
}
limited 'return { x = ("a"):rep(300000):find(("a*"):rep(26) .. "b") }' \
  "did not finish within 1 s (a pattern that backtracks, an endless loop?)" "a pattern backtracking in C"
limited 'local t = {} for i = 1, 20 do t[i] = ("x"):rep(500000000) end return {}' \
  "needed more than 64 MiB of memory" "20 strings of 500 MB"
limited 'local s = ("x"):rep(1000000) for i = 1, 20 do s = s .. s end return {}' \
  "needed more than 64 MiB of memory" "a string doubled until it is big"
limited 'local s = "" for i = 1, 1e9 do s = s .. "" end return {}' \
  "did not finish within 10000000 Lua instructions (an endless loop?)" "a long loop"
limited 'local s = ("ab"):rep(500000) for i = 1, 1e9 do s:find("x") end return {}' \
  "did not finish within 1 s (a pattern that backtracks, an endless loop?)" "C work between few instructions"
# within the limits, a config loads as before, and the limits end with it:
# the workflow's own work is not limited
printf 'return { stale_hours = 3, x = nil }\n' > "$CFG"
( cd cfg && "$SESSLUA" config.lua > "$WORK/cfg.out" 2>&1 ) && ok || bad "a plain config loads: $(cat "$WORK/cfg.out")"
grep -q "stale_hours.*3" "$WORK/cfg.out" && ok || bad "its value is used: $(cat "$WORK/cfg.out")"
rm -rf cfg

# --describe: a workflow's command line as data, for man pages, completion
# and tool schemas; the workflow stops at cli.parse, so nothing is written
mkdir -p desc && cd desc
sl --describe update.lua; expect_rc 0 "--describe update.lua"
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
opts = {o["name"]: o for o in d["options"]}
assert d["name"] == "update.lua", d["name"]
assert opts["status"]["args"] == 1 and "--status" in opts["status"]["aliases"], opts["status"]
assert opts["dry_run"].get("flag") is True, opts["dry_run"]
assert opts["learning"]["args"] == 2, opts["learning"]
assert d["arguments"][0]["name"] == "id" and d["arguments"][0].get("optional") is True
assert "--working-on" in d["help"]
' && ok || bad "--describe update.lua: the options as data: $OUT"
sl --describe status.lua
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sort = [o for o in d["options"] if o["name"] == "sort"][0]
assert sort["choices"] == ["id", "progress", "updated"] and sort["default"] == "id", sort
hours = [o for o in d["options"] if o["name"] == "stale_hours"][0]
assert hours["type"] == "number", hours
' && ok || bad "--describe status.lua: choices, defaults, types: $OUT"
sl --describe message
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [c["name"] for c in d["commands"]] == ["send", "inbox", "read", "prune"], d["commands"]
' && ok || bad "--describe message: its commands: $OUT"
sl --describe create.lua s-1 Role Goal; expect_rc 0 "--describe create.lua with arguments"
expect_absent docs "--describe runs nothing past cli.parse: no tree made"
sl --describe
printf '%s' "$OUT" | python3 -c '
import json, sys
names = [d["name"] for d in json.load(sys.stdin)]
for n in ["create.lua", "update.lua", "status.lua", "share.lua", "search.lua", "message.lua"]:
    assert n in names, (n, names)
' && ok || bad "--describe: every built-in workflow: $OUT"
sl --describe no-such-workflow; expect_rc 3 "--describe of an unknown name"
expect_err "sesslua: no-such-workflow: no such workflow" "--describe of an unknown name: the message"
cd .. && rm -rf desc

# a mistyped workflow: the hint names the one it most likely meant
sl stauts.lua; expect_rc 3 "a mistyped workflow"
expect_err "hint: did you mean 'status.lua'?" "a swap of two letters"
sl upadte; expect_err "hint: did you mean 'update'?" "without .lua, as typed"
sl stat; expect_err "hint: did you mean 'status'?" "the one workflow a prefix begins"
sl s.lua; expect_err "hint: sesslua --list shows every workflow" "a prefix of many: no guess"
if printf '%s' "$ERR" | grep -q "did you mean"; then bad "no guess for s.lua: $ERR"; else ok; fi
sl zzzzzz.lua; if printf '%s' "$ERR" | grep -q "did you mean"; then bad "no guess far away: $ERR"; else ok; fi
expect_err_lines 2 "two lines at most"

# sesslua help [SCRIPT ...]: the host's help, or the workflow's own --help
sl help; expect_rc 0 "help"
expect_out "sesslua help [SCRIPT]" "help: the host's usage"
sl help update.lua; expect_rc 0 "help update.lua"
expect_out "Usage: sesslua update.lua" "help update.lua: update's own help"
expect_out "--working-on" "help update.lua: its options"
sl help message send; expect_out "Usage: sesslua message.lua send" "help of a command: the command's help"
sl --session s-1 help status; expect_out "--sort" "host options before help"
sl help stauts; expect_rc 3 "help of a mistyped workflow"
expect_err "did you mean 'status'?" "help of a mistyped workflow: the guess"

# a mistyped option or command: what it most likely meant, and a short hint
mkdir -p hints && cd hints
sl init.lua; sl create.lua 1 R G
sl update.lua 1 --progresx 5; expect_rc 2 "a mistyped option"
expect_err "hint: did you mean '--progress'?" "an edit away"
expect_err "hint: sesslua help update.lua shows every option" "a long usage is not printed"
expect_err_lines 3 "three lines at most"
sl update.lua 1 --working_on x; expect_err "did you mean '--working-on'?" "_ for -"
sl message sned; expect_rc 2 "a mistyped command"
expect_err "did you mean 'send'?" "a mistyped command: the guess"
sl message send; expect_err "hint: sesslua message.lua send [-h]" "a command's own usage"
expect_err "TO SUBJECT [BODY]" "placeholders in capitals"
sl update.lua 1 --status; expect_err "hint: --status TEXT: Planning, Building" "an option without its value: what it takes"
sl search.lua --knowledge docker; expect_err "--knowledge took 'docker' as its value" "an optional value that took the argument"
sl update.lua --help; expect_out "Usage: sesslua update.lua" "usage names the command as typed"
expect_out "--progress TEXT" "meaningful placeholders"
printf '%s' "$OUT" | grep -q "<working_on>" && bad "argparse placeholders left: $OUT" || ok
sl message send --help; expect_out "--reply-to ID" "an id placeholder"
# host options after the workflow
sl create.lua 2 R G
sl update.lua --note "from after" --session session-2; expect_rc 0 "--session after the workflow"
grep -q "from after" docs/coordination/sessions/ACTIVE/session-2.md && ok || bad "--session after the workflow acts as that session"
sl status.lua --debug; expect_rc 0 "--debug after the workflow"
sl status.lua --root /elsewhere; expect_rc 2 "--root after the workflow"
expect_err "--root goes before the workflow" "says where --root goes"
expect_err "hint: sesslua --root /elsewhere status.lua" "with the command line that works"
sl search.lua "from after" --session session-1; expect_rc 1 "search's own --session is search's (a filter)"
cd .. && rm -rf hints

finish
