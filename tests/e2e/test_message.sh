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
# (the time's shape, not the minute: a run across a minute's end would fail)
grep -qE -- "^- [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} → session-2: " "$L1" && ok || bad "sender's log: Messages Sent line with its time"
grep -qF -- "→ session-2: \"$SUBJ\" (normal)" "$L1" && ok || bad "sender's log line"
# The recipient's log gets its line when the recipient reads (issue 15;
# before, send wrote it): see "Received lines" below.
grep -qF -- "← session-1: \"$SUBJ\"" "$L2" && bad "send wrote into the recipient's log" || ok

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
s1 send 2 "x" --priority hihg
expect_rc 2 "a mistyped priority"
expect_err "hint: did you mean 'high'?" "a mistyped priority: did you mean"
s1 send 9 "x" --priority URGENT --force
expect_rc 0 "a priority in any case"
run "$SESSLUA" help message send
expect_out "--priority {low,normal,high,urgent}" "the help shows the priorities"
s1 send ../x "x"
expect_rc 2 "bad recipient id"

# Broadcast: one file; no other log is written (a stale log stays stale).
sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2000-01-01 00:00:00/' "$L2" "$L3"
cp -p "$L2" l2-before.md; cp -p "$L3" l3-before.md
s1 send broadcast "Email service ready" --priority low
expect_rc 0 "broadcast"
expect_eq "$(ls "$M/broadcast" | wc -l)" "1" "one broadcast file"
expect_same "$L2" l2-before.md "a broadcast leaves session-2's log alone"
expect_same "$L3" l3-before.md "a broadcast leaves session-3's log alone"
expect_eq "$(stat -c %Y "$L3")" "$(stat -c %Y l3-before.md)" "a broadcast leaves session-3's mtime"
grep -qF '← session-1' "$L1" && bad "broadcast noted in the sender's own received" || ok
run "$SESSLUA" status.lua --json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=[x for x in d["sessions"] if x["id"]=="session-3"][0]; sys.exit(0 if r["unread_messages"]==1 else 1)' \
  && ok || bad "the unread count comes from the mailbox: $OUT"

# Inbox: urgent, high first, then newest; the sender never sees its own broadcast.
s1 send 2 "normal later"
s1 send 2 "urgent one" --priority urgent
s1 send 2 "high one" --priority high
s2 inbox
expect_rc 0 "inbox"
order=$(printf '%s\n' "$OUT" | grep '^\*' | sed 's/^\* \[[0-9]*\] //' | tr '\n' '|')
expect_eq "$order" "urgent one [urgent]|high one [high]|normal later|Email service ready [low]|$SUBJ|" "inbox order"
s1 inbox
printf '%s' "$OUT" | grep -q "Email service ready" && bad "sender sees its own broadcast" || ok
s2 inbox --json
expect_out '"kind": "inbox"' "inbox --json"
expect_out '"priority": "urgent"' "inbox --json priority"
# where a message was delivered is its mailbox; kind is the document's alone
printf '%s' "$OUT" | python3 -c 'import json,sys; m=json.load(sys.stdin)["messages"]
sys.exit(0 if sorted({x["mailbox"] for x in m}) == ["broadcast", "direct"] and not any("kind" in x for x in m) else 1)' \
  && ok || bad "inbox --json: each message's mailbox (direct, broadcast), no kind inside: $OUT"

# Read: direct moves to cur/, broadcast tracked per session, not copied.
id=$(ls "$M/session-2/new" | head -1 | sed 's/\.json$//')
s2 read "$id"
expect_rc 0 "read one"
expect_exists "$M/session-2/cur/$id.json" "read message moved to cur/"
expect_absent "$M/session-2/new/$id.json" "read message left new/"
s2 read --all --json
expect_rc 0 "read --all"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
subjects = sorted(m["subject"] for m in d["messages"])
sys.exit(0 if d["kind"] == "read" and d["marked"] == len(subjects) == 4 and "Email service ready" in subjects
  and all(m["sent"].endswith("Z") for m in d["messages"]) else 1)' \
  && ok || bad "read --json lists the messages it marked: $OUT"
s2 inbox
expect_out "No unread messages" "inbox empty after read --all"
# Received lines: written by the reader's read, once per message.
grep -qF -- "← session-1: \"$SUBJ\"" "$L2" && ok || bad "read notes the message in the reader's log"
expect_eq "$(grep -cF '← session-1: "Email service ready"' "$L2")" "1" "read notes the broadcast in the reader's log, once"
for s in urgent high; do
  expect_eq "$(grep -cF "← session-1: \"$s one\"" "$L2")" "1" "read --all notes '$s one' once"
done
expect_file_has "$L2" "**Updated By:** session-2" "the reader's own read sets Updated By"
s2 read --all
expect_rc 0 "read --all again"
expect_out "Marked 0 message(s) read." "read --all again marks nothing"
expect_eq "$(grep -cF '← session-1: "Email service ready"' "$L2")" "1" "read twice: still one line"
expect_same "$L3" l3-before.md "another session's read leaves session-3's log alone"
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
after=$(printf '%s\n' "$OUT" | grep -A3 'Question?' | grep -c '^    \* \[[0-9]*\] Answer!')
expect_eq "$after" "1" "reply indented under its question"

# status and morning show unread counts.
run "$SESSLUA" status.lua --json
expect_out '"unread_messages": 3' "status shows unread count"
cp -p "$L2" l2-before.md
run "$SESSLUA" morning.lua 2 < /dev/null
expect_out "3 unread message" "morning shows unread count"
expect_out "  * Question? — from session-1" "morning shows the unread messages"
expect_same "$L2" l2-before.md "morning without a terminal marks nothing and writes nothing"

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
s1 prune --older-than 30 --dry-run --json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
sys.exit(0 if d["kind"] == "prune" and d["dry_run"] and [m["path"] for m in d["messages"]] == [sys.argv[1]]
  and d["messages"][0]["mailbox"] == "direct" and d["unread_without_log"][0]["session"] == "session-9" else 1)' "$old" \
  && ok || bad "prune --dry-run --json: the message it would remove, the mail waiting without a log: $OUT"
expect_exists "$old" "dry run --json keeps it"
s1 prune --older-than 30
expect_rc 0 "prune"
expect_absent "$old" "old read message removed"
expect_out "session-9 has no active log" "prune reports mail to a session without a log"
[ "$(ls "$M/session-2/new" | wc -l)" -gt 0 ] && ok || bad "prune keeps unread messages"
s1 prune
expect_rc 2 "prune without --older-than"

# 100 senders at once to one recipient: 100 messages, 100 log lines (the
# recipient's written by its read).
for i in $(seq 1 100); do
  "$SESSLUA" --session 1 message.lua send 3 "burst $i" >/dev/null 2>>burst.err &
done
wait
expect_eq "$(cat burst.err)" "" "no errors from concurrent senders"
expect_eq "$(ls "$M/session-3/new" | wc -l)" "100" "100 messages delivered"
expect_eq "$(grep -c '← session-1: "burst' "$L3")" "0" "no line in the recipient's log before it reads"
expect_eq "$(grep -c '→ session-3: "burst' "$L1")" "100" "100 lines in the sender's log"
# Five readers at once: every message marked once, one line each.
for i in 1 2 3 4 5; do
  "$SESSLUA" --session 3 message.lua read --all > "read$i.out" 2>> read.err &
done
wait
expect_eq "$(cat read.err)" "" "no errors from concurrent readers"
expect_eq "$(cat read?.out | awk '/^Marked / { n += $2 } END { print n + 0 }')" "101" "101 messages marked once in all (100 + the broadcast)"
expect_eq "$(grep -c '← session-1: "burst' "$L3")" "100" "100 lines in the recipient's log after its reads"
expect_eq "$(grep -c '← session-1: "burst 7"$' "$L3")" "1" "each message noted once"
expect_eq "$(grep -cF '← session-1: "Email service ready"' "$L3")" "1" "the broadcast noted once by five readers"
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
thread=$(printf '%s\n' "$OUT" | grep -A1 '^\* \[[0-9]*\] Looks good$' | tail -1)
expect_eq "$thread" "  ↳ re: Can you review?" "the reply names the question from the other mailbox"
s1 inbox --json
expect_out "\"reply_to\": \"$q\"" "inbox --json keeps reply_to"
expect_out '"in_reply_to_subject": "Can you review?"' "inbox --json names the question"
expect_out '"in_reply_to_from": "session-1"' "inbox --json names who asked"
s1 send 2 "Still unread?"
q2=$(ls "$M/session-2/new" | tail -1 | sed 's/\.json$//')
s2 send 1 "Yes" --reply-to "$q2"
s1 inbox
expect_eq "$(printf '%s\n' "$OUT" | grep -A1 '^\* \[[0-9]*\] Yes$' | tail -1)" "  ↳ re: Still unread?" "a reply to an unread question"

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
expect_eq "$(printf '%s\n' "$OUT" | grep -A1 '^\* \[[0-9]*\] By file name$' | tail -1)" "  ↳ re: Still unread?" "ID.json names the message"
s2 inbox
expect_eq "$(printf '%s\n' "$OUT" | grep -A1 '^\* \[[0-9]*\] orphan$' | tail -1)" "  ↳ re: 20990101T000000.000000Z-1-1abcd (not found)" "a reply whose question is gone"

# A subject with newlines is kept exactly in the file; logs and the
# terminal show it on one line.
s1 send 2 $'Two\nlines'
expect_rc 0 "subject with a newline"
f=$(ls "$M/session-2/new/"*.json | tail -1)
run "$SESSLUA" ./check.lua "$f"
expect_eq "$(printf '%s\n' "$OUT" | head -2)" $'Two\nlines' "the subject's newline survives in the file"
grep -qF -- '→ session-2: "Two lines" (normal)' "$L1" && ok || bad "sent line flattened"
s2 inbox
expect_out "* [1] Two lines" "inbox shows the subject on one line"
# inbox --mark-read shows, then marks what it showed and notes it.
s2 inbox --mark-read
expect_rc 0 "inbox --mark-read"
expect_out "* [1] Two lines" "inbox --mark-read shows the messages"
expect_out "Marked " "inbox --mark-read says it marked them"
grep -qF -- '← session-1: "Two lines"' "$L2" && ok || bad "received line written by inbox --mark-read, flattened"
s2 inbox
expect_out "No unread messages" "inbox --mark-read left nothing unread"
s1 send 2 "json mark"
s2 inbox --json --mark-read
expect_out '"marked_read": 1' "inbox --json --mark-read counts what it marked"
expect_eq "$(grep -cF '← session-1: "json mark"' "$L2")" "1" "inbox --json --mark-read notes it"

# A message line updates the footer of the log it is written in: the
# sender's on send, the recipient's (by the recipient) on read.
sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2000-01-01 00:00:00/; s/^\*\*Updated By:\*\* .*/**Updated By:** nobody/' "$L1" "$L2"
s1 send 2 "footer"
expect_rc 0 "send for the footer"
grep -q "^\*\*Last Updated:\*\* $(date +%Y-%m-%d) " "$L1" && ok || bad "sender: Last Updated not set"
expect_file_has "$L1" "**Updated By:** session-1" "sender: Updated By is the sender"
expect_file_has "$L2" "**Last Updated:** 2000-01-01 00:00:00" "recipient: Last Updated untouched by the send"
s2 read --all
grep -q "^\*\*Last Updated:\*\* $(date +%Y-%m-%d) " "$L2" && ok || bad "reader: Last Updated not set"
expect_file_has "$L2" "**Updated By:** session-2" "reader: Updated By is the reader"

# morning shows the unread messages; when it writes (--yes) they are read:
# marked in the mailbox and noted in the session's own log, once.
s1 send 2 "morning news" $'body one\nbody two'
run "$SESSLUA" morning.lua 2 < /dev/null
expect_out "  * morning news — from session-1" "morning shows a new message"
expect_out "    │ body two" "and its body"
s2 inbox
expect_out "morning news" "morning without a write request leaves it unread"
grep -qF '← session-1: "morning news"' "$L2" && bad "morning without a write request noted it" || ok
run "$SESSLUA" morning.lua 2 --yes
expect_rc 0 "morning --yes with messages"
expect_out "Marked " "morning --yes says it marked the messages read"
expect_eq "$(grep -cF '← session-1: "morning news"' "$L2")" "1" "morning --yes notes the message in its log"
s2 inbox
expect_out "No unread messages" "morning --yes marked what it showed"
run "$SESSLUA" morning.lua 2 --yes
expect_eq "$(grep -cF '← session-1: "morning news"' "$L2")" "1" "morning twice: noted once"
# morning shows 20 messages at most, and marks only those it showed.
for i in $(seq 1 21); do "$SESSLUA" --session 1 message.lua send 2 "many $i" > /dev/null; done
run "$SESSLUA" morning.lua 2 < /dev/null
expect_out "  ... and 1 more: sesslua --session session-2 message.lua inbox" "morning shows 20, then how many more"
run "$SESSLUA" morning.lua 2 --yes
expect_out "Marked 20 message(s) read." "morning marks only the 20 it showed"
s2 inbox
expect_out "1 unread." "the one not shown stays unread"

# A busy log: the line waits longer (a retry) and, when that fails too,
# the message is still delivered (or marked read) but the command exits 4
# and says which line is missing. The sender's log on send, the reader's
# on read; both cases run at once (the failing one waits 10 + 20 s).
s1 send 3 "busy read"
( exec 9> "$L1.lock"; flock -x 9; exec sleep 14 ) & h1=$!
( exec 9> "$L3.lock"; flock -x 9; exec sleep 40 ) & h3=$!
sleep 0.3
( "$SESSLUA" --session 1 message.lua send 2 "slow log" > busy1.out 2> busy1.err; echo $? > busy1.rc ) & p1=$!
( "$SESSLUA" --session 3 message.lua read --all > busy3.out 2> busy3.err; echo $? > busy3.rc ) & p3=$!
wait "$p1" "$p3"
kill -KILL "$h1" "$h3" 2>/dev/null; wait "$h1" "$h3" 2>/dev/null
rm -f "$L1.lock" "$L3.lock"
expect_eq "$(cat busy1.rc)" "0" "a lock held past the first wait: the retry writes the line"
expect_eq "$(cat busy1.err)" "" "no warning when the retry succeeds"
grep -qF -- '→ session-2: "slow log" (normal)' "$L1" && ok || bad "sender's line written on the retry"
expect_eq "$(cat busy3.rc)" "4" "a reader's log busy past the retry: exit 4"
expect_eq "$(head -1 busy3.err)" "sesslua: message: 1 message(s) marked read, but the Messages Received lines for $L3 could not be written: locked by another process (waited 20s)" "one line saying what is missing"
grep -qF -- "hint: add under Coordination › Messages Received in $L3:" busy3.err && grep -qF -- '- ' busy3.err && grep -qF -- '← session-1: "busy read"' busy3.err && ok || bad "hint gives the line to add: $(cat busy3.err)"
grep -qF -- '← session-1: "busy read"' "$L3" && bad "busy line written" || ok
run "$SESSLUA" --session 3 message.lua inbox
expect_out "No unread messages" "the message is marked read all the same"

# Message ids by inbox position or unique prefix (issue 15): `inbox` numbers
# its unread messages [1].. in the order shown; read and --reply-to take N,
# a whole id, or the start of one (several matches: exit 2 listing them;
# none: exit 3).
P="$WORK/pos/docs/coordination"; PM="$P/messages"
mkdir -p "$P"
for i in a b; do run "$SESSLUA" --root "$P" create.lua "$i" "Dev" "Goal"; done
pa() { run "$SESSLUA" --root "$P" --session a message.lua "$@"; }
pb() { run "$SESSLUA" --root "$P" --session b message.lua "$@"; }
pa send b "first"; pa send b "second" --priority urgent; pa send b "third"
idof() { grep -l "\"subject\": \"$1\"" "$PM"/*/*/*.json "$PM"/broadcast/*.json 2>/dev/null | head -1 | sed 's|.*/||; s|\.json$||'; }
pb inbox
expect_eq "$(printf '%s\n' "$OUT" | grep '^\*' | tr '\n' '|')" "* [1] second [urgent]|* [2] third|* [3] first|" "inbox numbers its unread messages in the order shown"
expect_out "read N (the [N] above)" "inbox says how to use the numbers"
pb inbox --json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s=%s" % (m["subject"], m["position"]) for m in d["messages"]))' > pos.txt
expect_eq "$(cat pos.txt)" "second=1 third=2 first=3" "inbox --json gives each unread message its position"
snapb=$(snapshot "$PM")
pb read 5
expect_rc 3 "a position past the end"
expect_err "message: no message 5 in b's inbox (it lists 3 unread)" "names the position and the count"
pb read 0
expect_rc 3 "position 0"
pb read 1 20990101T
expect_rc 3 "a prefix no unread message has"
expect_err "no unread message 20990101T for b" "names the prefix"
expect_eq "$(snapshot "$PM")" "$snapb" "all or nothing: a bad word marks nothing"
third=$(idof third)
pb read 2
expect_rc 0 "read by position"
expect_exists "$PM/b/cur/$third.json" "read 2 marked the 2nd message shown (third)"
grep -qF -- '← a: "third"' "$P/sessions/ACTIVE/b.md" && ok || bad "read by position notes the message"
pb inbox --all
expect_eq "$(printf '%s\n' "$OUT" | grep -E '^[* ] ' | grep -v '^  from ' | tr '\n' '|')" "* [1] second [urgent]|  third|* [2] first|" "inbox --all numbers only the unread, as inbox does"
# Two hand-made messages sharing a long prefix, one with its own.
mk() { printf '{"schema":1,"id":"%s","from":"a","to":"b","subject":"%s","body":null,"priority":"low","sent":"2025-01-02T00:00:00Z","reply_to":null}\n' "$1" "$2" > "$PM/b/new/$1.json"; }
mk 20250102T000000.000000Z-1-1aaaa "twin one"; mk 20250102T000000.000000Z-1-1aaab "twin two"
mk 20250103T000000.000000Z-1-1cccc "loner"
snapb=$(snapshot "$PM")
pb read 20250102T
expect_rc 2 "an ambiguous prefix"
expect_err "message: read '20250102T' is ambiguous: 2 messages start with it" "says it is ambiguous"
expect_err "20250102T000000.000000Z-1-1aaaa  twin one" "lists the first candidate with its subject"
expect_err "20250102T000000.000000Z-1-1aaab  twin two" "lists the second candidate"
expect_eq "$(snapshot "$PM")" "$snapb" "an ambiguous prefix marks nothing"
pb read 20250103 20250102T000000.000000Z-1-1aaab.json
expect_rc 0 "a unique prefix and a whole file name"
expect_out "Marked 2 message(s) read." "both marked"
expect_exists "$PM/b/cur/20250103T000000.000000Z-1-1cccc.json" "the unique prefix named its message"
expect_exists "$PM/b/new/20250102T000000.000000Z-1-1aaaa.json" "its twin stays unread"
# --reply-to N (the sender's own inbox), and the start of an id in any mailbox.
pa send b "question for a"
pb send a "question for b"
pa inbox
expect_out "* [1] question for b" "a's inbox numbers its message"
pa send b "answer by position" --reply-to 1
expect_rc 0 "--reply-to by position"
grep -qF "\"reply_to\": \"$(idof 'question for b')\"" "$PM/b/new/$(idof 'answer by position').json" && ok || bad "--reply-to 1 records the id of a's 1st message"
pb send a "answer by prefix" --reply-to "${third:0:20}"
expect_rc 0 "--reply-to the start of an id read already (in cur/)"
grep -qF "\"reply_to\": \"$third\"" "$PM/a/new/$(idof 'answer by prefix').json" && ok || bad "--reply-to prefix records the whole id"
n=$(find "$PM" -name '*.json' | wc -l)
pb send a "twin reply" --reply-to 20250102T
expect_rc 2 "--reply-to an ambiguous prefix"
expect_err "message: --reply-to '20250102T' is ambiguous: 2 messages start with it" "--reply-to ambiguity named"
pb send a "none" --reply-to 20990101T --force
expect_rc 3 "--reply-to a prefix of nothing, even with --force"
expect_err "message: --reply-to 20990101T: no message in any mailbox starts with it" "--reply-to none named"
pb send a "far" --reply-to 99
expect_rc 3 "--reply-to a position past the end"
expect_eq "$(find "$PM" -name '*.json' | wc -l)" "$n" "nothing delivered when --reply-to is refused"

# A mailbox that cannot be listed (here a link out of the root) is refused
# (exit 5, naming the link), never shown as "no messages" (issue 14).
mkdir -p "$WORK/elsewhere" "$M/session-1" "$M/broadcast"
[ -e "$M/session-1/new" ] && mv "$M/session-1/new" "$WORK/s1new.real"
mv "$M/broadcast" "$WORK/broadcast.real"
ln -s "$WORK/elsewhere" "$M/session-1/new"
ln -s "$WORK/elsewhere" "$M/broadcast"
s1 inbox
expect_rc 5 "an inbox that cannot be read whole is refused"
expect_err "sesslua: $M/session-1/new: a symlink out of the root (to $WORK/elsewhere); refused" "inbox says why new/ cannot be read"
rm "$M/session-1/new"
[ -e "$WORK/s1new.real" ] && mv "$WORK/s1new.real" "$M/session-1/new"
s1 inbox --json
expect_rc 5 "broadcast/ linked out: refused too"
expect_err "sesslua: $M/broadcast: a symlink out of the root (to $WORK/elsewhere); refused" "inbox says why broadcast/ cannot be read"
expect_out '"kind": "error"' "under --json the refusal is an error document"
rm "$M/broadcast"
mv "$WORK/broadcast.real" "$M/broadcast"

finish
