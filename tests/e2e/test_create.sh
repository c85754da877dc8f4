#!/usr/bin/env bash
# init and create: the tree, templates, hostile text, ids, duplicates.
. "$(dirname "$0")/lib.sh"
R="$WORK/r1/docs/coordination"

# init creates the whole tree, and a second run changes nothing.
sl --root "$R" init.lua
expect_rc 0 "init"
for p in sessions/ACTIVE sessions/ARCHIVE sessions/SESSION_LOG_TEMPLATE.md messages scripts/README.md \
         shared-knowledge/learnings.md shared-knowledge/patterns.md \
         shared-knowledge/troubleshooting.md shared-knowledge/best-practices.md; do
  expect_exists "$R/$p" "init creates $p"
done
expect_file_has "$R/shared-knowledge/learnings.md" "<!-- Sessions add entries below this line -->" "knowledge marker"
expect_file_has "$R/shared-knowledge/learnings.md" "**Total Learnings:** 0" "knowledge counter"
expect_file_has "$R/shared-knowledge/learnings.md" "# Shared Learnings" "knowledge title"
echo "team edit" >> "$R/shared-knowledge/patterns.md"
before=$(snapshot "$R")
sl --root "$R" init.lua
expect_rc 0 "init twice"
expect_out "nothing changed" "init twice says nothing changed"
expect_out "exists" "init twice says what exists"
expect_eq "$(snapshot "$R")" "$before" "init twice overwrites nothing"
sl --root "$R" init.lua --json
expect_out '"kind": "init"' "init --json"

# create in a fresh folder: tree created, path printed, fields filled.
mkdir fresh && cd fresh
run "$SESSLUA" create.lua session-12 "DevOps Engineer" "Deploy and maintain services"
cd "$WORK"
expect_rc 0 "create in a fresh folder"
L="$WORK/fresh/docs/coordination/sessions/ACTIVE/session-12.md"
expect_exists "$L" "create writes the log"
expect_out "Created the coordination tree" "create says it created the tree"
expect_out "$L" "create prints the path"
expect_out "update.lua session-12" "create prints next commands"
expect_file_has "$L" "**Session ID:** session-12" "session id field"
expect_file_has "$L" "**Role:** DevOps Engineer" "role field"
expect_file_has "$L" "**Goal:** Deploy and maintain services" "goal field"
expect_file_has "$L" "**Started:** $(date +%Y-%m-%d)" "started date"
expect_file_has "$L" "**Updated By:** session-12" "updated by"
expect_file_lacks "$L" "{{" "no built-in placeholder left"
grep -q '^\*\*Last Updated:\*\* [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$' "$L" \
  && ok || bad "last updated has local date and time"
# built-in template: the seed's sections, in order
order=$(grep '^## ' "$L" | tr '\n' '|')
expect_eq "$order" "## Current Work|## Completed Today|## Services Built/Modified|## Learnings & Discoveries|## Blockers & Issues|## Coordination|## Next Steps|## Session Notes|" "built-in section order"

# Hostile text lands exactly as typed.
ROLE='CI/CD & Release'
GOAL='Ship "v2" \n with \\ back\slashes, $HOME, & ampersands, `ticks` and {{role}} [Your Role] %1'
sl --root "$R" create.lua 12 "$ROLE" "$GOAL"
expect_rc 0 "create with hostile text"
L="$R/sessions/ACTIVE/session-12.md"
expect_file_has "$L" "**Role:** $ROLE" "hostile role literal"
expect_file_has "$L" "**Goal:** $GOAL" "hostile goal literal"
expect_file_lacks "$L" "session-session" "12 means session-12, never session-session-12"

# An existing log is refused (exit 4) and left untouched; --force replaces.
cp "$L" saved.md
sl --root "$R" create.lua session-12 "Other" "Other goal"
expect_rc 4 "duplicate create"
expect_err "already exists" "duplicate message"
expect_err "hint: use --force" "duplicate hint"
expect_err_lines 2 "duplicate: message and hint only"
expect_same "$L" saved.md "duplicate leaves the log untouched"
sl --root "$R" create.lua session-12 "Other" "Other goal" --force
expect_rc 0 "create --force"
expect_file_has "$L" "**Role:** Other" "--force replaced the log"

# Malformed ids: exit 2 and nothing written anywhere.
for bad_id in "../x" "a/b" ".hidden" "" "-x" "x..y" "a b"; do
  B="$WORK/badroot"
  run "$SESSLUA" --root "$B" create.lua -- "$bad_id" "Role" "Goal"
  expect_rc 2 "bad id '$bad_id'"
  expect_absent "$B" "bad id '$bad_id' writes nothing"
  expect_err "sesslua: " "bad id '$bad_id' message"
done
expect_absent "$WORK/x.md" "../x wrote nothing outside"

# Role and goal are required by the template: a usage line like the original's.
sl --root "$WORK/r2" create.lua 5
expect_rc 2 "missing role and goal"
expect_err 'sesslua create.lua session-5 "DevOps Engineer"' "usage hint for missing role"
expect_absent "$WORK/r2" "missing role writes nothing"

# A team template with the original bracket placeholders.
T="$WORK/r3/docs/coordination"
mkdir -p "$T/sessions"
cp "$FIXTURES/reference-template.md" "$T/sessions/SESSION_LOG_TEMPLATE.md"
sl --root "$T" create.lua 12 "$ROLE" "Deploy & test"
expect_rc 0 "create from the team template"
L="$T/sessions/ACTIVE/session-12.md"
expect_file_has "$L" "# Session 12 - Work Log" "[ID] in the title"
expect_file_has "$L" "**Session ID:** session-12" "session-[ID] becomes session-12"
expect_file_has "$L" "**Role:** $ROLE" "[Your Role]"
expect_file_has "$L" "**Goal:** Deploy & test" "[Your Goal]"
expect_file_has "$L" "**Started:** $(date +%Y-%m-%d)" "[Date]"
expect_file_has "$L" "**Updated By:** Session 12" "Session [ID] footer"
for ph in "[ID]" "[Your Role]" "[Your Goal]" "[Date]" "[Date Time]"; do
  expect_file_lacks "$L" "$ph" "placeholder $ph filled"
done
expect_file_has "$L" "**Working On:** [Service/Task Name]" "other placeholders left for the session"
cmp -s "$T/sessions/SESSION_LOG_TEMPLATE.md" "$FIXTURES/reference-template.md" && ok || bad "team template untouched"

# A template that needs no role or goal lets them be omitted.
N="$WORK/r4"; mkdir -p "$N/sessions"
printf '# Log {{id}}\n\n**Last Updated:** {{now}}\n' > "$N/sessions/SESSION_LOG_TEMPLATE.md"
sl --root "$N" create.lua 9
expect_rc 0 "template without role/goal"
expect_file_has "$N/sessions/ACTIVE/session-9.md" "# Log session-9" "minimal template filled"

sl --root "$R" create.lua 13 "R" "G" --json
expect_rc 0 "create --json"
expect_out '"kind": "create"' "create --json kind"
expect_out '"id": "session-13"' "create --json id"


# Role and goal: typed text on one line, never empty when the template asks.
sl --root "$WORK/r5" create.lua 20 $'Dev\n## Injected' "Goal"
expect_rc 0 "a role with a newline"
expect_file_has "$WORK/r5/sessions/ACTIVE/session-20.md" "**Role:** Dev ## Injected" "newline folded: no injected heading"
grep -q '^## Injected' "$WORK/r5/sessions/ACTIVE/session-20.md" && bad "heading injected through the role" || ok
sl --root "$WORK/r6" create.lua 21 "" ""
expect_rc 2 "empty role refused"
expect_absent "$WORK/r6" "empty role writes nothing"
sl --root "$WORK/r6" create.lua 21 $'\e]0;title\a' "Goal"
expect_rc 2 "control characters in the role refused"
# The original template's header Status choice list becomes Active.
expect_file_has "$T/sessions/ACTIVE/session-12.md" "**Status:** Active" "header status filled"

finish
