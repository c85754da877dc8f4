#!/usr/bin/env bash
# message: send, broadcast, inbox order and threads, read, prune, log
# lines on both sides, hostile text, 100 concurrent senders.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
for i in 1 2 3; do run "$SESSLUA" create.lua "$i" "Role $i" "Goal"; done
L1="$R/sessions/ACTIVE/session-1.md"; L2="$R/sessions/ACTIVE/session-2.md"; L3="$R/sessions/ACTIVE/session-3.md"
M="$R/messages"
s1() { run "$SESSLUA" --session 1 message.lua "$@"; }
s2() { run "$SESSLUA" --session 2 message.lua "$@"; }

# A hostile subject and body survive byte for byte.
SUBJ='Need "help" with $DB & `x` \ back/slash 🚀'
printf 'line one\n"quoted" line two\n' > body.txt
run "$SESSLUA" --session 1 message.lua send 2 "$SUBJ" - < body.txt
expect_rc 0 "send direct"
f=$(ls "$M/session-2/new/"*.json 2>/dev/null | head -1)
expect_exists "$f" "message delivered into new/"
cat > check.lua <<'LUA'
local cjson = require("cjson")
local m = cjson.decode(io.open(arg[1]):read("a"))
io.write(m.subject, "\n", m.body, "\n", m.from, "|", m.to, "|", m.priority, "\n")
LUA
run "$SESSLUA" ./check.lua "$f"
expect_eq "$OUT" "$(printf '%s\nline one\n"quoted" line two\nsession-1|session-2|normal' "$SUBJ")" "message file is valid JSON holding the exact text"
expect_file_has "$L1" "- $(date +%Y-%m-%d) $(date +%H:%M) → session-2: \"$SUBJ\" (normal)" "sender's log: Messages Sent" || true
grep -qF -- "→ session-2: \"$SUBJ\" (normal)" "$L1" && ok || bad "sender's log line"
grep -qF -- "← session-1: \"$SUBJ\"" "$L2" && ok || bad "recipient's log line"

# Unknown recipient: exit 3 unless --force; no sender: exit 2.
s1 send session-9 "hello"
expect_rc 3 "unknown recipient refused"
expect_err "no active log" "unknown recipient message"
s1 send session-9 "hello" --force
expect_rc 0 "--force sends to an unknown recipient"
run "$SESSLUA" message.lua send 2 "hi"
expect_rc 2 "no acting session"
s1 send 2 "x" --priority bogus
expect_rc 2 "bad priority"
s1 send ../x "x"
expect_rc 2 "bad recipient id"

# Broadcast: one file, a line in every other active log.
s1 send broadcast "Email service ready" --priority low
expect_rc 0 "broadcast"
expect_eq "$(ls "$M/broadcast" | wc -l)" "1" "one broadcast file"
grep -qF '← session-1: "Email service ready"' "$L2" && ok || bad "broadcast noted in session-2"
grep -qF '← session-1: "Email service ready"' "$L3" && ok || bad "broadcast noted in session-3"
grep -qF '← session-1' "$L1" && bad "broadcast noted in the sender's own received" || ok

# Inbox: urgent, high first, then newest; the sender never sees its own broadcast.
s1 send 2 "normal later"
s1 send 2 "urgent one" --priority urgent
s1 send 2 "high one" --priority high
s2 inbox
expect_rc 0 "inbox"
order=$(printf '%s\n' "$OUT" | grep '^\*' | sed 's/^\* //' | tr '\n' '|')
expect_eq "$order" "urgent one [urgent]|high one [high]|normal later|Email service ready [low]|$SUBJ|" "inbox order"
s1 inbox
printf '%s' "$OUT" | grep -q "Email service ready" && bad "sender sees its own broadcast" || ok
s2 inbox --json
expect_out '"kind": "inbox"' "inbox --json"
expect_out '"priority": "urgent"' "inbox --json priority"

# Read: direct moves to cur/, broadcast tracked per session, not copied.
id=$(ls "$M/session-2/new" | head -1 | sed 's/\.json$//')
s2 read "$id"
expect_rc 0 "read one"
expect_exists "$M/session-2/cur/$id.json" "read message moved to cur/"
expect_absent "$M/session-2/new/$id.json" "read message left new/"
s2 read --all
expect_rc 0 "read --all"
s2 inbox
expect_out "No unread messages" "inbox empty after read --all"
expect_eq "$(ls "$M/broadcast" | wc -l)" "1" "broadcast not copied on read"
run "$SESSLUA" --session 3 message.lua inbox
expect_out "Email service ready" "another session still has the broadcast unread"
s2 read nosuchid
expect_rc 3 "read unknown id"

# Threads: a reply shows under the message it answers.
s1 send 2 "Question?"
q=$(ls "$M/session-2/new" | tail -1 | sed 's/\.json$//')
run "$SESSLUA" --session 3 message.lua send 2 "Unrelated"
s1 send 2 "Answer!" --reply-to "$q"
s2 inbox
after=$(printf '%s\n' "$OUT" | grep -A3 'Question?' | grep -c '^    \* Answer!')
expect_eq "$after" "1" "reply indented under its question"

# status and morning show unread counts.
run "$SESSLUA" status.lua --json
expect_out '"unread_messages": 3' "status shows unread count"
run "$SESSLUA" morning.lua 2 --yes
expect_out "3 unread message" "morning shows unread count"

# share --broadcast sends the KNOWLEDGE broadcast (a plain share sends
# nothing since issue 15: test_share).
run "$SESSLUA" --session 3 share.lua Perf "cache it" High --broadcast
run "$SESSLUA" --session 2 message.lua inbox
expect_out "KNOWLEDGE" "share broadcasts KNOWLEDGE"
expect_out "session-3: Perf - cache it" "KNOWLEDGE body as the old script sent it"

# prune: read messages past an age go; unread stay; archived recipients reported.
old="$M/session-2/cur/$id.json"
sed -i 's/"sent": "[^"]*"/"sent": "2020-01-01T00:00:00Z"/' "$old"
s1 prune --older-than 30 --dry-run
expect_out "would remove $old" "prune dry run lists the old read message"
expect_exists "$old" "dry run keeps it"
s1 prune --older-than 30
expect_rc 0 "prune"
expect_absent "$old" "old read message removed"
expect_out "session-9 has no active log" "prune reports mail to a session without a log"
[ "$(ls "$M/session-2/new" | wc -l)" -gt 0 ] && ok || bad "prune keeps unread messages"
s1 prune
expect_rc 2 "prune without --older-than"

# 100 senders at once to one recipient: 100 messages, 100 log lines.
before=$(grep -c '← session-1: "burst' "$L3" || true)
for i in $(seq 1 100); do
  "$SESSLUA" --session 1 message.lua send 3 "burst $i" >/dev/null 2>>burst.err &
done
wait
expect_eq "$(cat burst.err)" "" "no errors from concurrent senders"
expect_eq "$(ls "$M/session-3/new" | wc -l)" "100" "100 messages delivered"
expect_eq "$(grep -c '← session-1: "burst' "$L3")" "$((before + 100))" "100 lines in the recipient's log"
expect_eq "$(grep -c '→ session-3: "burst' "$L1")" "100" "100 lines in the sender's log"
left=$(find "$R" -name '*.lock' -o -name '.*.tmp-*')
expect_eq "$left" "" "no temp or lock files left"


# A bad id: nothing marked, nothing on stdout; ID.json is accepted.
run "$SESSLUA" --session 1 message.lua send 2 "to mark"
id=$(ls "$M/session-2/new" | tail -1)
s2 read "$id" nosuch
expect_rc 3 "read with one unknown id"
expect_eq "$OUT" "" "nothing on stdout on error"
expect_exists "$M/session-2/new/$id" "all or nothing: the known id stays unread"
s2 read "$id"
expect_rc 0 "read accepts the file name ID.json"
# Subjects with control characters are refused; old files with them print escaped.
s1 send 2 $'evil \e[31mRED'
expect_rc 2 "control characters in a subject refused"
printf '{"schema":1,"id":"20250101T000000.000000Z-1-1","from":"x","to":"session-2","subject":"bad \\u001b[2J","body":null,"priority":"normal","sent":"2025-01-01T00:00:00Z","reply_to":null}\n' > "$M/session-2/new/20250101T000000.000000Z-1-1.json"
s2 inbox
expect_out 'bad \x1b[2J' "an escape in an old message is shown escaped"
printf '%s' "$OUT" | grep -q $'\e' && bad "raw escape printed" || ok

# A reply shows what it answers, even when the question sits in the other
# session's mailbox (read or not): "↳ re: <subject>", and in --json.
run "$SESSLUA" --session 1 message.lua read --all
s1 send 2 "Can you review?"
q=$(ls "$M/session-2/new" | tail -1 | sed 's/\.json$//')
s2 read "$q"
s2 send 1 "Looks good" --reply-to "$q"
expect_rc 0 "reply to a read message"
s1 inbox
thread=$(printf '%s\n' "$OUT" | grep -A1 '^\* Looks good$' | tail -1)
expect_eq "$thread" "  ↳ re: Can you review?" "the reply names the question from the other mailbox"
s1 inbox --json
expect_out "\"reply_to\": \"$q\"" "inbox --json keeps reply_to"
expect_out '"in_reply_to_subject": "Can you review?"' "inbox --json names the question"
expect_out '"in_reply_to_from": "session-1"' "inbox --json names who asked"
s1 send 2 "Still unread?"
q2=$(ls "$M/session-2/new" | tail -1 | sed 's/\.json$//')
s2 send 1 "Yes" --reply-to "$q2"
s1 inbox
expect_eq "$(printf '%s\n' "$OUT" | grep -A1 '^\* Yes$' | tail -1)" "  ↳ re: Still unread?" "a reply to an unread question"

# --reply-to: a malformed id is refused (2), an unknown one too (3) unless --force.
n=$(ls "$M/session-2/new" | wc -l)
s1 send 2 "sneaky" --reply-to ../../etc/passwd
expect_rc 2 "--reply-to with a path refused"
expect_err "message: --reply-to '../../etc/passwd' is not a message id" "bad --reply-to message"
s1 send 2 "orphan" --reply-to 20990101T000000.000000Z-1-1abcd
expect_rc 3 "--reply-to an unknown id refused"
expect_err "no such message in any mailbox" "unknown --reply-to message"
expect_eq "$(ls "$M/session-2/new" | wc -l)" "$n" "nothing delivered when --reply-to is refused"
s1 send 2 "orphan" --reply-to 20990101T000000.000000Z-1-1abcd --force
expect_rc 0 "--force sends a reply to an unknown id"
s1 send 2 "sneaky" --reply-to ../../etc/passwd --force
expect_rc 2 "--force never lets a malformed id through"
s2 send 1 "By file name" --reply-to "$q2.json"
expect_rc 0 "--reply-to accepts ID.json"
s1 inbox
expect_eq "$(printf '%s\n' "$OUT" | grep -A1 '^\* By file name$' | tail -1)" "  ↳ re: Still unread?" "ID.json names the message"
s2 inbox
expect_eq "$(printf '%s\n' "$OUT" | grep -A1 '^\* orphan$' | tail -1)" "  ↳ re: 20990101T000000.000000Z-1-1abcd (not found)" "a reply whose question is gone"

# A subject with newlines is kept exactly in the file; logs and the
# terminal show it on one line.
s1 send 2 $'Two\nlines'
expect_rc 0 "subject with a newline"
f=$(ls "$M/session-2/new/"*.json | tail -1)
run "$SESSLUA" ./check.lua "$f"
expect_eq "$(printf '%s\n' "$OUT" | head -2)" $'Two\nlines' "the subject's newline survives in the file"
grep -qF -- '→ session-2: "Two lines" (normal)' "$L1" && ok || bad "sent line flattened"
grep -qF -- '← session-1: "Two lines"' "$L2" && ok || bad "received line flattened"
s2 inbox
expect_out "* Two lines" "inbox shows the subject on one line"

# A message line updates the log's footer, on both sides.
sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2000-01-01 00:00:00/; s/^\*\*Updated By:\*\* .*/**Updated By:** nobody/' "$L1" "$L2"
s1 send 2 "footer"
expect_rc 0 "send for the footer"
for f in "$L1" "$L2"; do
  grep -q "^\*\*Last Updated:\*\* $(date +%Y-%m-%d) " "$f" && ok || bad "$f: Last Updated not set"
  expect_file_has "$f" "**Updated By:** session-1" "$f: Updated By is the sender"
done

# A busy log: the line waits longer (a retry) and, when that fails too,
# the message is still delivered but send exits 4 and says which line is
# missing. Both cases run at once (the failing one waits 10 + 20 s).
( exec 9> "$L2.lock"; flock -x 9; exec sleep 40 ) & h2=$!
( exec 9> "$L3.lock"; flock -x 9; exec sleep 14 ) & h3=$!
sleep 0.3
( "$SESSLUA" --session 1 message.lua send 2 "busy log" > busy2.out 2> busy2.err; echo $? > busy2.rc ) & p2=$!
( "$SESSLUA" --session 1 message.lua send 3 "slow log" > busy3.out 2> busy3.err; echo $? > busy3.rc ) & p3=$!
wait "$p2" "$p3"
kill -KILL "$h2" "$h3" 2>/dev/null; wait "$h2" "$h3" 2>/dev/null
rm -f "$L2.lock" "$L3.lock"
expect_eq "$(cat busy3.rc)" "0" "a lock held past the first wait: the retry writes the line"
expect_eq "$(cat busy3.err)" "" "no warning when the retry succeeds"
grep -qF -- '← session-1: "slow log"' "$L3" && ok || bad "line written on the retry"
expect_eq "$(cat busy2.rc)" "4" "a log busy past the retry: exit 4"
id2=$(sed -n 's/^Sent \([^ ]*\) .*/\1/p' busy2.out)
expect_exists "$M/session-2/new/$id2.json" "the message is delivered all the same"
expect_eq "$(head -1 busy2.err)" "sesslua: message: $id2 was delivered, but the log line for $L2 could not be written: locked by another process (waited 20s)" "one line saying what is missing"
grep -qF -- "hint: add to $L2 under Coordination › Messages Received: - " busy2.err && grep -qF -- '← session-1: "busy log"' busy2.err && ok || bad "hint gives the line to add: $(cat busy2.err)"
grep -qF -- '← session-1: "busy log"' "$L2" && bad "busy line written" || ok
grep -qF -- '→ session-2: "busy log" (normal)' "$L1" && ok || bad "the sender's line is written"

finish
