#!/usr/bin/env bash
# Under --json a failure is also a JSON document on stdout (kind "error"),
# besides the one line on stderr, with the same exit code.
. "$(dirname "$0")/lib.sh"
mkdir -p docs/coordination
sl init.lua; sl create.lua 1 R G
field() { printf '%s' "$OUT" | python3 -c "import json,sys; d=json.load(sys.stdin); print(json.dumps(d$1))"; }

sl view.lua 99 --json; expect_rc 3 "view of a session that has no log"
expect_eq "$(field '["kind"]')" '"error"' "a JSON error document"
expect_eq "$(field '["code"]')" '"ENOENT"' "its code names the failure"
expect_eq "$(field '["exit"]')" "3" "and the exit code"
field '["message"]' | grep -q "no active log for session-99" && ok || bad "its message: $OUT"
field '["hints"][0]' | grep -q "sesslua create.lua session-99" && ok || bad "its hint: $OUT"
expect_err "sesslua: " "the line on stderr stays"
expect_err_lines 2 "as before"

sl update.lua 1 --bogus --json; expect_rc 2 "a usage error under --json"
expect_eq "$(field '["code"]')" '"EUSAGE"' "usage errors are EUSAGE"
field '["hints"]' | grep -q "did you mean\|sesslua help" && ok || bad "with the hints: $OUT"

sl message read nosuchid --json; expect_rc 2 "an option the command lacks is still a JSON error"
expect_eq "$(field '["kind"]')" '"error"' "for any workflow"

sl create.lua 1 R G --json; expect_rc 4 "a log that exists"
expect_eq "$(field '["kind"]')" '"error"' "a conflict under --json"
expect_eq "$(field '["exit"]')" "4" "with its exit code"

printf -- '--- a bug\nerror("boom")\n' > boom.lua
sl ./boom.lua --json; expect_rc 2 "a Lua error under --json"
expect_eq "$(field '["code"]')" '"EINTERNAL"' "is EINTERNAL"
field '["message"]' | grep -q "boom" && ok || bad "with its message: $OUT"

# without --json, and with --json after --, stdout stays empty
sl view.lua 99; expect_rc 3 "without --json"
expect_eq "$OUT" "" "no document without --json"
sl view.lua 99 -- --json; expect_eq "$OUT" "" "--json after -- is a word, not the option"
# a success prints its own document, never an error one
sl view.lua 1 --json; expect_rc 0 "a success"
expect_eq "$(field '["kind"]')" '"log"' "its own kind"

finish
