#!/usr/bin/env bash
# sync and the merge driver, one clone against another: the same field of
# one log edited on two machines keeps both values (the field and a merge
# note); a clone whose .git/config lacks the driver is configured by sync
# (and doctor says so) before any merge; init --git; only the tree's paths
# are committed; --dry-run and --json; the exit codes; merge-driver alone.
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "git missing: skipped"; exit 0; }
export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.com
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.com
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
R=docs/coordination

# init --git outside a work tree: a clear error, exit 3
mkdir plain
sl --root "$WORK/plain/$R" init.lua --git
expect_rc 3 "init --git outside a git work tree"
expect_err "not inside a git work tree" "and says why"

git init -q --bare -b main remote.git
git clone -q remote.git a 2> /dev/null
(cd a && git commit -q --allow-empty -m init && git push -q origin main)

# init --git: attributes, ignores, the driver in .git/config
sl --root "$WORK/a/$R" init.lua --git
expect_rc 0 "init --git"
expect_out "merge.sesslua.driver" "init names the driver it set"
expect_file_has "a/$R/.gitattributes" "shared-knowledge/*.md merge=sesslua" "knowledge files use the driver"
expect_file_has "a/$R/.gitattributes" "sessions/**/*.md merge=sesslua" "logs use the driver"
expect_file_has "a/$R/.gitignore" ".current_session" "the acting session stays local"
expect_file_has "a/$R/.gitignore" "*.lock" "locks stay local"
expect_eq "$(git -C a config --get merge.sesslua.driver)" "'$SESSLUA' merge-driver %O %A %B %P" "driver configured"
sl --root "$WORK/a/$R" init.lua --git
expect_out "is complete; nothing changed" "init --git again changes nothing"

# only the tree's paths are committed: a staged and an unstaged file outside stay as they were
echo outside > a/notes.txt; echo staged > a/staged.txt; git -C a add staged.txt
sl --root "$WORK/a/$R" --session s1 create.lua s1 Dev "the goal"
sl --root "$WORK/a/$R" sync.lua --dry-run
expect_rc 0 "dry-run with something to do"
expect_out "would commit docs/coordination/sessions/ACTIVE/s1.md" "dry-run names the log"
expect_eq "$(git -C a rev-list --count HEAD)" "1" "dry-run commits nothing"
sl --root "$WORK/a/$R" --session s1 sync.lua --json
expect_rc 0 "first sync pushes"
expect_out '"state": "pushed"' "json state pushed"
expect_out '"docs/coordination/sessions/ACTIVE/s1.md"' "json lists the log"
expect_eq "$(git -C a status --porcelain | tr '\n' ' ')" "A  staged.txt ?? notes.txt " "outside the root: untouched, still staged"
expect_eq "$(git -C a show --stat --format=%s HEAD | head -1)" "sesslua sync (s1): 1 log, 4 knowledge files, 4 other files" \
  "the message names the session and what changed"
sl --root "$WORK/a/$R" --session s1 sync.lua
expect_rc 1 "nothing to do: exit 1"
expect_out "Nothing to sync" "and says so"
git -C a rm -q --cached staged.txt; rm a/staged.txt a/notes.txt

# A clone whose .git/config lacks the driver: doctor says so, and a plain
# git merge would conflict on learnings.md; sync configures it first.
git clone -q remote.git b
sl --root "$WORK/b/$R" doctor.lua
expect_rc 1 "doctor: attributes without the driver"
expect_out "merge.sesslua.driver is not set" "doctor names the missing driver"
sl --root "$WORK/a/$R" --session s1 share.lua learning git "shared on a"
sl --root "$WORK/a/$R" --session s1 sync.lua
sl --root "$WORK/b/$R" --session s2 share.lua learning git "shared on b"
(cd b && git add -A && git commit -q -m "by hand" && git fetch -q origin)
run git -C b merge -q --no-edit origin/main
expect_eq "$RC" "1" "without the driver, git conflicts on learnings.md"
git -C b merge --abort
git -C b reset -q --soft HEAD~1 && git -C b reset -q
sl --root "$WORK/b/$R" --session s2 sync.lua
expect_rc 0 "sync in the clone without the driver"
expect_out "set up  merge.sesslua.driver" "sync configured the driver first"
expect_out "pushed to origin/main" "and pushed"
L=b/$R/shared-knowledge/learnings.md
expect_file_has "$L" "**Learning:** shared on a" "a's entry merged"
expect_file_has "$L" "**Learning:** shared on b" "b's entry merged"
expect_eq "$(total "$L")" "2" "Total 2"
expect_eq "$(grep -c '^<<<<<<<' "$L")" "0" "no conflict marker"
sl --root "$WORK/b/$R" doctor.lua
expect_rc 0 "doctor is content once the driver is set ($OUT)"
git -C b config --unset merge.sesslua.driver
sl --root "$WORK/b/$R" doctor.lua --fix
expect_out "fixed" "doctor --fix configures the driver"
expect_eq "$(git -C b config --get merge.sesslua.driver)" "'$SESSLUA' merge-driver %O %A %B %P" "configured by --fix"

git -C b config merge.sesslua.driver "'/nowhere/sesslua' merge-driver %O %A %B %P"
sl --root "$WORK/b/$R" doctor.lua
expect_rc 1 "doctor: the configured driver is not there"
expect_out "runs /nowhere/sesslua, which is not there" "doctor names the missing program"
sl --root "$WORK/b/$R" doctor.lua --fix
expect_eq "$(git -C b config --get merge.sesslua.driver)" "'$SESSLUA' merge-driver %O %A %B %P" "--fix points it at this sesslua"

# Two clones edit the same field of the same log: the later value is the
# field, the other is in a merge note; no conflict.
sl --root "$WORK/a/$R" --session s1 sync.lua
sl --root "$WORK/a/$R" --session s1 update.lua s1 --status Blocked
sl --root "$WORK/a/$R" --session s1 sync.lua
expect_rc 0 "a pushes Blocked"
sleep 1 # Last Updated has seconds; b's edit is later
sl --root "$WORK/b/$R" --session s1 update.lua s1 --status Testing
sl --root "$WORK/b/$R" --session s1 sync.lua
expect_rc 0 "b merges and pushes Testing"
LOG=b/$R/sessions/ACTIVE/s1.md
expect_file_has "$LOG" "**Status:** Testing" "the later value is the field"
expect_eq "$(grep -c 'Merge note.*Status:\*\* Blocked' "$LOG")" "1" "the other value is in a merge note"
expect_eq "$(grep -c '^<<<<<<<' "$LOG")" "0" "no conflict marker in the log"
sl --root "$WORK/a/$R" --session s1 sync.lua
expect_same "a/$R/sessions/ACTIVE/s1.md" "$LOG" "both clones hold the same log"

# syncs at once in one clone, while a workflow writes: they take turns (no
# index.lock failure), and what was written meanwhile is committed, not lost
for i in 1 2 3 4 5 6; do
  "$SESSLUA" --root "$WORK/a/$R" --session s1 share.lua learning busy "busy share $i" > /dev/null 2>&1
done &
writer=$!
pids=()
for i in 1 2 3; do (cd a && "$SESSLUA" --session s1 sync.lua > /dev/null 2> "../sync$i.err"; echo $? > "../sync$i.rc") & pids+=($!); done
wait "$writer" "${pids[@]}"
bad_rc=0
for i in 1 2 3; do [ "$(cat sync$i.rc)" -le 1 ] || bad_rc=$((bad_rc + 1)); done
expect_eq "$bad_rc" "0" "three syncs at once in one clone all succeed ($(cat sync*.err))"
sl --root "$WORK/a/$R" --session s1 sync.lua
sl --root "$WORK/b/$R" --session s1 sync.lua
expect_eq "$(grep -c '^\*\*Learning:\*\* busy share' "b/$R/shared-knowledge/learnings.md")" "6" \
  "every share written during the syncs reached the other clone"

# a conflict a person must resolve: exit 4, and sync refuses until resolved
echo "base" > a/README.md; (cd a && git add README.md && git commit -q -m readme && git push -q origin main)
git -C b pull -q --no-rebase origin main 2> /dev/null
echo "ours" > a/README.md; (cd a && git commit -q -am ours && git push -q origin main)
echo "theirs" > b/README.md; git -C b commit -q -am theirs
sl --root "$WORK/b/$R" sync.lua
expect_rc 4 "a conflict outside the tree's files: exit 4"
expect_err "README.md" "names the file"
sl --root "$WORK/b/$R" sync.lua
expect_rc 4 "sync refuses while the merge waits"
expect_err "a merge waits for a person" "and says so"
git -C b merge --abort

sl --root "$WORK/a/$R" sync.lua --retries many
expect_rc 2 "--retries wants a number"
expect_err "want a whole number from 0 to 100" "and says so"

# no remote; not a work tree
git init -q -b main solo
sl --root "$WORK/solo/$R" init.lua --git
sl --root "$WORK/solo/$R" sync.lua
expect_rc 3 "no remote: exit 3"
expect_err "no remote 'origin'" "names the remote"

# merge-driver alone: a read-state union; an unknown file both sides changed
printf 'm1\n' > O; printf 'm1\nm2\n' > A; printf 'm1\nm3\n' > B
sl merge-driver O A B docs/coordination/messages/s1/broadcast-read
expect_rc 0 "read state merges"
expect_eq "$(cat A | tr '\n' ' ')" "m1 m2 m3 " "the union of read marks"
printf 'a\n' > O; printf 'b\n' > A; printf 'c\n' > B
sl merge-driver O A B src/other.c
expect_rc 1 "an unknown file both sides changed: exit 1"
expect_err "not a file of the coordination tree" "says why"
expect_eq "$(grep -c '^<<<<<<< ours' A)" "1" "git's own conflict markers are left"
finish
