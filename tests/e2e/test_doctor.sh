#!/usr/bin/env bash
# doctor: each finding (leftovers, unheld locks, links out of the root,
# files where folders belong, knowledge counters, invalid messages), each
# repair of --fix, what it never touches, --json and the exit status.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
K="$R/shared-knowledge"
sl init.lua
sl create.lua 1 Dev "Goal"
sl --session 1 share.lua Perf "first entry" Low
sl --session 1 share.lua Perf "second entry" Low
sl --session 1 message.lua send broadcast "hello"

sl doctor.lua
expect_rc 0 "a healthy tree"
expect_out "is healthy" "says so"
sl doctor.lua --json
expect_out '"kind": "doctor"' "--json kind"
expect_out '"healthy": true' "--json healthy"
expect_out '"problems": []' "--json no problems"

# A pid that is surely gone: a child that has exited.
sh -c 'exit 0' & DEAD=$!; wait $DEAD

# ---- leftovers: found, left as they are without --fix -----------------------
touch "$A/.session-1.md.tmp-$DEAD-1a2b"                # writer gone
touch "$K/.learnings.md.tmp-$$-ff"                      # writer alive, fresh: in use
touch -d '2 hours ago' "$K/.patterns.md.tmp-$$-ee"      # alive pid, too old: pid reused
touch "$R/messages/.sesslua-probe-$DEAD-7.lock"         # probe of a process gone
touch "$A/session-1.md.lock"                            # empty, unheld
echo "lockfile v1" > "$R/scripts/yarn.lock"             # a team's file, not ours
touch "$A/held.md.lock"
touch "$A/.held.md.tmp-$DEAD-9"
flock "$A/held.md.lock" flock "$A/.held.md.tmp-$DEAD-9" sleep 30 & HOLDER=$!
for _ in $(seq 50); do flock -n "$A/held.md.lock" true 2>/dev/null || break; sleep 0.1; done
BEFORE=$(snapshot "$R"; ls -A "$A" "$K" "$R/messages")

sl doctor.lua
expect_rc 1 "problems found"
expect_out "problem  sessions/ACTIVE/.session-1.md.tmp-$DEAD-1a2b: a temp file left by a writer that is gone (doctor --fix repairs it)" "a dead writer's temp file"
expect_out "shared-knowledge/.patterns.md.tmp-$$-ee: a temp file" "a temp file older than an hour"
expect_out "messages/.sesslua-probe-$DEAD-7.lock: a probe lock left by a process that is gone" "a probe lock"
expect_out "sessions/ACTIVE/session-1.md.lock: an empty lock file no process holds" "an unheld lock"
case $OUT in *".learnings.md.tmp-$$-ff"*) bad "a live writer's temp file reported" ;; *) ok ;; esac
case $OUT in *yarn.lock*) bad "a lock file with content reported" ;; *) ok ;; esac
case $OUT in *held.md*) bad "a held lock or temp file reported: $OUT" ;; *) ok ;; esac
expect_out "4 problems, all repaired by 'sesslua doctor --fix'." "the summary"
expect_eq "$(snapshot "$R"; ls -A "$A" "$K" "$R/messages")" "$BEFORE" "without --fix nothing changes"

sl doctor.lua --fix
expect_rc 0 "--fix repairs every leftover"
expect_out "fixed    sessions/ACTIVE/.session-1.md.tmp-$DEAD-1a2b" "--fix says what it repaired"
expect_absent "$A/.session-1.md.tmp-$DEAD-1a2b" "dead writer's temp removed"
expect_absent "$K/.patterns.md.tmp-$$-ee" "old temp removed"
expect_absent "$R/messages/.sesslua-probe-$DEAD-7.lock" "probe removed"
expect_absent "$A/session-1.md.lock" "unheld lock removed"
expect_exists "$K/.learnings.md.tmp-$$-ff" "a live writer's temp kept"
expect_exists "$R/scripts/yarn.lock" "a lock file with content kept"
expect_exists "$A/held.md.lock" "a held lock kept"
expect_exists "$A/.held.md.tmp-$DEAD-9" "a held temp file kept"
expect_exists "$A/session-1.md" "the log kept"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
rm -f "$K/.learnings.md.tmp-$$-ff" "$A/held.md.lock" "$A/.held.md.tmp-$DEAD-9"

# ---- links: inside is fine, out of the root is reported and kept ------------
echo "secret" > "$WORK/outside.txt"
ln -s "$WORK/outside.txt" "$A/session-9.md"
ln -s session-1.md "$A/alias.md"
mkdir -p "$WORK/elsewhere"
ln -s "$WORK/elsewhere" "$R/messages/session-7"
sl doctor.lua
expect_rc 1 "links out"
expect_out "sessions/ACTIVE/session-9.md: a symlink that leads out of the coordination root, to $WORK/outside.txt" "a file link out"
expect_out "messages/session-7: a symlink that leads out of the coordination root, to $WORK/elsewhere" "a folder link out"
case $OUT in *alias.md*) bad "a link inside the root reported" ;; *) ok ;; esac
sl doctor.lua --fix
expect_rc 1 "links out are not repaired"
expect_out "2 problems that need a person." "the summary says a person is needed"
[ -L "$A/session-9.md" ] && ok || bad "--fix removed a link"
expect_eq "$(cat "$WORK/outside.txt")" "secret" "the outside file untouched"
rm "$A/session-9.md" "$A/alias.md" "$R/messages/session-7"

# ---- knowledge counters -------------------------------------------------------
F="$K/learnings.md"
expect_eq "$(total "$F")" "2" "share kept the count"
sed -i 's/^\*\*Total Learnings:\*\* 2$/**Total Learnings:** 7/' "$F"
cp "$F" "$WORK/learnings.before"
sl doctor.lua
expect_rc 1 "a wrong Total"
expect_out "shared-knowledge/learnings.md: a Total line that disagrees with its 2 entries (doctor --fix repairs it)" "names the file and the count"
sl doctor.lua --fix
expect_rc 0 "--fix sets the Total"
expect_eq "$(total "$F")" "2" "the Total is the true count"
expect_eq "$(diff "$WORK/learnings.before" "$F" | grep -c '^[<>]')" "2" "only the Total line changed"
expect_eq "$(wellformed "$F" Learning)" "2 0" "the entries are intact"
expect_absent "$F.lock" "no lock left"
# a Total written by hand inside an entry's text is the entry's, not a counter
sl --session 1 share.lua Perf $'third entry\n**Total Learnings:** 99' Low
expect_rc 0 "an entry whose text holds a Total line"
expect_eq "$(total "$F")" "3" "counted"
sed -i 's/^\*\*Learning:\*\* first entry$/&\n**Total Learnings:** 99/' "$F"
expect_file_has "$F" "**Total Learnings:** 99" "a hand-written Total line inside an entry"
sl doctor.lua
expect_rc 0 "a Total line inside an entry is text"

# ---- files where folders belong, folders where files belong -----------------
mkdir -p "$WORK/t2/docs/coordination/sessions"
touch "$WORK/t2/docs/coordination/sessions/ACTIVE"
mkdir -p "$WORK/t2/docs/coordination/shared-knowledge/patterns.md" "$WORK/t2/docs/coordination/messages"
touch "$WORK/t2/docs/coordination/messages/broadcast"
touch "$WORK/t2/docs/coordination/messages/session-3" "$WORK/t2/docs/coordination/messages/README.md"
sl --root "$WORK/t2/docs/coordination" doctor.lua --json
expect_rc 1 "odd shapes"
expect_out '"problem": "not_a_folder"' "--json kind of a file where a folder belongs"
expect_out "\"path\": \"$WORK/t2/docs/coordination/sessions/ACTIVE\"" "sessions/ACTIVE is a file"
expect_out "\"path\": \"$WORK/t2/docs/coordination/messages/broadcast\"" "messages/broadcast is a file"
expect_out "\"path\": \"$WORK/t2/docs/coordination/messages/session-3\"" "a mailbox that is a file"
case $OUT in *README.md*) bad "a README beside the mailboxes reported" ;; *) ok ;; esac
expect_out '"problem": "not_a_file"' "a folder where a knowledge file belongs"
expect_out '"fixable": false' "not repairable"
sl --root "$WORK/t2/docs/coordination" doctor.lua --fix
expect_exists "$WORK/t2/docs/coordination/sessions/ACTIVE" "--fix keeps the file"
printf 'x' > "$WORK/rootfile"
sl --root "$WORK/rootfile" doctor.lua
[ "$RC" -ne 0 ] && ok || bad "a root that is a file is no healthy tree: $OUT"
case "$OUT$ERR" in *"a file where a folder belongs"*|*"not a folder"*) ok ;; *) bad "says so: $OUT$ERR" ;; esac
sl --root "$WORK/nowhere" doctor.lua
expect_rc 3 "no tree"

# ---- message files ------------------------------------------------------------
M="$R/messages"
mkdir -p "$M/session-1/new"
echo '{not json' > "$M/session-1/new/20261203T000000.000000Z-1-1.json"
printf '{"schema": 1, "id": "20261203T000000.000000Z-1-2", "from": "session-1", "subject": "s", "priority": "normal", "sent": "2026-12-03T00:00:00Z"}\n' \
  > "$M/broadcast/20261203T000000.000000Z-1-2.json"
printf '{"schema": 1, "id": "20261203T000000.000000Z-1-9", "from": "session-1", "to": "broadcast", "subject": "s", "priority": "normal", "sent": "2026-12-03T00:00:00Z"}\n' \
  > "$M/broadcast/20261203T000000.000000Z-1-3.json"
printf '{"schema": 1, "id": "20261203T000000.000000Z-1-4", "from": "session-1", "to": "broadcast", "subject": "s", "priority": "loud", "sent": "2026-12-03T00:00:00Z"}\n' \
  > "$M/broadcast/20261203T000000.000000Z-1-4.json"
echo '{"from": "old", "message": "the shell scripts wrote this"}' > "$M/broadcast/old-1.json"
sl doctor.lua
expect_rc 1 "invalid messages"
expect_out "messages/session-1/new/20261203T000000.000000Z-1-1.json: not a valid message: not JSON" "not JSON"
expect_out "20261203T000000.000000Z-1-2.json: not a valid message: no 'to' (a string)" "a missing field"
expect_out "20261203T000000.000000Z-1-3.json: not a valid message: its id '20261203T000000.000000Z-1-9' is not its file name" "id and name differ"
expect_out "20261203T000000.000000Z-1-4.json: not a valid message: priority 'loud'" "an unknown priority"
case $OUT in *old-1.json*) bad "an old script's message reported (migrate's)" ;; *) ok ;; esac
sl doctor.lua --fix --json
expect_rc 1 "--fix leaves messages"
expect_out '"problem": "invalid_message"' "--json kind"
expect_exists "$M/session-1/new/20261203T000000.000000Z-1-1.json" "--fix never deletes a message file"
rm "$M"/session-1/new/*.json "$M"/broadcast/20261203T000000.000000Z-1-*.json
sl doctor.lua
expect_rc 0 "healthy again"

finish
