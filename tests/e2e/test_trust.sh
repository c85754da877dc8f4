#!/usr/bin/env bash
# Trust: a tree's own scripts/ and hooks/ run only once the user trusts it;
# until then the built-ins run and one note says what was skipped.
. "$(dirname "$0")/lib.sh"
export XDG_DATA_HOME="$WORK/data"
unset SESSLUA_TRUST
TRUSTED="$XDG_DATA_HOME/sesslua/trusted"
NOTE_STATUS="sesslua: note: skipped the team's scripts/status.lua (this tree is not trusted); run 'sesslua trust' to use it"

# A cloned tree whose team replaced status and added a workflow and hooks
# that would run any command.
R="$WORK/docs/coordination"
sl init.lua
mkdir -p "$R/hooks"
cat > "$R/scripts/status.lua" <<'LUA'
--- The team's dashboard
io.open(os.getenv("WORK") .. "/pwned-status", "w"):close()
io.write("TEAM STATUS\n")
return 0
LUA
printf -- '--- Stand-up\nio.open(os.getenv("WORK") .. "/pwned-standup", "w"):close()\nreturn 0\n' > "$R/scripts/standup.lua"
cat > "$R/hooks/after_create.lua" <<'LUA'
return function(e) io.open(os.getenv("WORK") .. "/pwned-hook", "w"):close() end
LUA
printf 'return function(e) return false, "frozen" end\n' > "$R/hooks/before_archive.lua"
export WORK

sl status.lua
expect_rc 0 "status in an untrusted tree"
expect_absent pwned-status "the team's status.lua did not run"
expect_out "No active sessions" "the built-in status ran instead"
expect_eq "$ERR" "$NOTE_STATUS" "one note line names what was skipped and how to trust it"
sl status.lua --json
expect_out '"kind": "status"' "--json is the built-in's, stdout clean"
sl standup.lua
expect_rc 3 "a team-only workflow in an untrusted tree"
expect_err "unknown workflow 'standup.lua': the team's scripts/standup.lua is skipped (this tree is not trusted)" "says it was skipped"
expect_err "hint: run 'sesslua trust' to use it" "and how to trust"
expect_absent pwned-standup "the team's standup did not run"

sl create.lua 1 Dev "Goal"
expect_rc 0 "create in an untrusted tree"
expect_absent pwned-hook "the team's after_create hook did not run"
expect_eq "$ERR" "sesslua: note: skipped the team's hooks/after_create.lua (this tree is not trusted); run 'sesslua trust' to use it" "the hook's note"
sl archive.lua 1 --force
expect_rc 0 "a before_archive veto of an untrusted tree does not run"
expect_err "skipped the team's hooks/before_archive.lua" "the veto hook's note"
sl create.lua 2 Dev "Goal"

# --which and --list say what is skipped.
sl --which status
expect_rc 0 "--which status"
expect_eq "$(printf '%s\n' "$OUT" | head -1)" "builtin:scripts/status.lua" "--which names the built-in that runs"
expect_out "  skipped:  $R/scripts/status.lua (team, this tree is not trusted: run 'sesslua trust' to use it)" "--which names the skipped team file"
sl --which standup
expect_rc 3 "--which of a team-only workflow"
expect_err "the team's scripts/standup.lua is skipped" "--which says why"
sl --list
expect_rc 0 "--list"
printf '%s\n' "$OUT" | grep -qE '^ +standup +skipped +Stand-up  \(not trusted\)$' && ok || bad "--list marks the skipped workflow: $OUT"
printf '%s\n' "$OUT" | grep -qE "^ +status +built-in +.*\(the team's scripts/status.lua is skipped: not trusted\)$" && ok \
  || bad "--list marks the skipped override: $OUT"
expect_err "this tree is not trusted, so its team workflows are skipped; run 'sesslua trust' to use them" "--list's note"

# Modules: the team's replacement of a built-in module is skipped with a
# note; its own module is not found. A workflow of $SESSLUA_PATH is the
# user's and runs.
mkdir -p "$R/scripts/sesslua" "$R/scripts/teamlib" upath
printf 'io.open(os.getenv("WORK") .. "/pwned-module", "w"):close()\nreturn {}\n' > "$R/scripts/sesslua/summary.lua"
printf 'return { hi = "team lib" }\n' > "$R/scripts/teamlib/init.lua"
printf -- '--- Uses the summary\nlocal s = require("sesslua.summary")\nio.write(type(s.load), "\\n")\nreturn 0\n' > upath/usesum.lua
printf -- '--- Uses the team lib\nio.write(require("teamlib").hi, "\\n")\nreturn 0\n' > upath/useteam.lua
SESSLUA_PATH="$WORK/upath" run "$SESSLUA" usesum
expect_rc 0 "a \$SESSLUA_PATH workflow runs in an untrusted tree"
expect_out "function" "with the built-in module"
expect_absent pwned-module "the team's module did not load"
expect_eq "$ERR" "sesslua: note: skipped the team's scripts/sesslua/summary.lua (this tree is not trusted); run 'sesslua trust' to use it" "the module's note"
SESSLUA_PATH="$WORK/upath" run "$SESSLUA" useteam
expect_rc 2 "a team module is not found in an untrusted tree"
expect_err "skipped the team's scripts/teamlib/init.lua" "its note"
expect_err "this tree is not trusted" "the require error says why"
rm -r "$R/scripts/sesslua"

# An explicit script path is the user's choice: it runs.
sl "$R/scripts/standup.lua"
expect_rc 0 "an explicit path runs"
expect_exists pwned-standup "explicitly"
rm -f pwned-standup

# The user's own folder is trusted.
mkdir -p "$HOME/.config/sesslua"
printf -- '--- Mine\nio.write("mine\\n")\nreturn 0\n' > "$HOME/.config/sesslua/mine.lua"
sl mine
expect_out "mine" "a user workflow runs in an untrusted tree"
expect_eq "$ERR" "" "with no note"

# SESSLUA_TRUST=1 trusts for one run, and records nothing.
SESSLUA_TRUST=1 run "$SESSLUA" status
expect_out "TEAM STATUS" "SESSLUA_TRUST=1 runs the team's status"
expect_eq "$ERR" "" "without a note"
expect_absent "$TRUSTED" "SESSLUA_TRUST records nothing"
rm -f pwned-status
SESSLUA_TRUST=yes run "$SESSLUA" status
expect_absent pwned-status "only SESSLUA_TRUST=1 trusts"

# sesslua trust: records the root's real path for this user.
ln -s "$WORK/docs" linkdocs
sl --root "$WORK/linkdocs/coordination" trust
expect_rc 0 "trust"
expect_out "Trusted $R" "trust names the real path"
expect_file_has "$TRUSTED" "$R" "the real path is recorded"
expect_eq "$(stat -c %a "$TRUSTED")" "600" "the trust file is the user's alone"
expect_eq "$(ls -A "$XDG_DATA_HOME/sesslua")" "trusted" "no temp or lock file left"
sl status
expect_out "TEAM STATUS" "a trusted tree runs its team's status"
expect_eq "$ERR" "" "with no note"
sl create.lua 3 Dev "Goal"
expect_exists pwned-hook "the trusted tree's hook ran"
sl archive.lua 2 --force
expect_rc 1 "the trusted tree's before_archive hook vetoes"
sl trust
expect_out "Already trusted: $R" "trust again"
expect_eq "$(grep -c "^/" "$TRUSTED")" "1" "recorded once"
sl trust --list
expect_eq "$OUT" "$R" "--list prints the trusted roots"
sl trust --list --json
expect_out '"kind": "trust"' "--list --json"
expect_out "\"$R\"" "--list --json names the root"

# Trust is for that root only: not a tree inside it, nor beside it.
mkdir -p other/docs/coordination/scripts
cp "$R/scripts/status.lua" other/docs/coordination/scripts/
(cd other && run "$SESSLUA" status; printf '%s' "$ERR" > "$WORK/err.txt")
expect_eq "$(cat err.txt)" "$NOTE_STATUS" "a tree inside a trusted one is not trusted"
sl --root "$WORK/other/docs/coordination" status
expect_err "run 'sesslua trust $WORK/other/docs/coordination' to use it" "with --root, the hint names the folder"
sl --root "$WORK/other/docs/coordination" trust
expect_rc 0 "trust another tree by --root"
sl trust "$WORK/nowhere"
expect_rc 3 "trust a folder that is not there"
expect_err "$WORK/nowhere: no coordination tree here" "says so"

# --remove: this tree, a given one, or one whose folder is gone.
sl trust --remove
expect_out "No longer trusted: $R" "--remove"
grep -qxF "$R" "$TRUSTED" && bad "still recorded" || ok
sl status
expect_eq "$ERR" "$NOTE_STATUS" "untrusted again"
rm -r other
sl trust --remove "$WORK/other/docs/coordination"
expect_out "No longer trusted: $WORK/other/docs/coordination" "--remove a tree that is gone"
expect_eq "$(grep -c "^/" "$TRUSTED")" "0" "nothing trusted"
sl trust --remove
expect_out "Was not trusted" "--remove of an untrusted tree"
sl trust --list extra
expect_rc 2 "--list takes no DIR"
sl trust --list --remove
expect_rc 2 "--list and --remove together"

# A relative XDG_DATA_HOME is ignored (XDG): HOME's .local/share is used.
XDG_DATA_HOME=rel run "$SESSLUA" trust
expect_rc 0 "trust with a relative XDG_DATA_HOME"
expect_file_has "$HOME/.local/share/sesslua/trusted" "$R" "recorded under HOME"
expect_absent rel "nothing under the relative folder"

# A team template under scripts/templates/ of a tree not trusted: create
# uses the built-in one, and one note names what was skipped.
U="$WORK/untrusted/docs/coordination"
mkdir -p "$U/scripts/templates"
printf '# {{id}} from the team\n\n**Role:** {{role}}\n**Goal:** {{goal}}\n' > "$U/scripts/templates/session-log.md"
run "$SESSLUA" --root "$U" create.lua 3 Dev Goal
expect_rc 0 "create in an untrusted tree"
expect_err "sesslua: note: skipped the team's scripts/templates/session-log.md (this tree is not trusted)" "the skipped template is named"
expect_file_lacks "$U/sessions/ACTIVE/session-3.md" "from the team" "the built-in template was used"
V="$WORK/trusted/docs/coordination" # a fresh tree: create copies the template it used
mkdir -p "$V/scripts/templates" && cp "$U/scripts/templates/session-log.md" "$V/scripts/templates/"
SESSLUA_TRUST=1 run "$SESSLUA" --root "$V" create.lua 4 Dev Goal
expect_file_has "$V/sessions/ACTIVE/session-4.md" "# session-4 from the team" "trusted: the team's template"

finish
