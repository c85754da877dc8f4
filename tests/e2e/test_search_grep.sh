#!/usr/bin/env bash
# search against grep on a generated corpus: the same files, lines and
# counts as grep -rniF, the same output on 1 and 4 threads (text, JSON,
# -l, -c), and edge cases: matches across read-buffer sizes, CRLF, invalid
# UTF-8, empty files, a file larger than the others.
. "$(dirname "$0")/lib.sh"
: "${SESSLUA_SRC:?set SESSLUA_SRC to the source tree}"
export LC_ALL=C.UTF-8
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
python3 -B -c "
import sys; sys.path.insert(0, '$SESSLUA_SRC/tests/bench')
import corpus
corpus.make_root('$WORK', 300, 7)
" || { bad "corpus generation"; finish; }

# Edge cases beside the generated logs.
printf '' > "$A/session-9001.md"                                    # empty
printf 'no newline at the end: kafka' > "$A/session-9002.md"          # last line unterminated
printf '# T\r\n\r\nKafka on a CRLF line\r\nplain\r\n' > "$A/session-9003.md"
printf '# Bad\n\xff\xfe kafka \xc3 broken \xe2\x82\n\x80kafka\x80\n' > "$A/session-9004.md"
python3 -B -c "
import sys
with open('$A/session-9005.md', 'w') as f:
    f.write('# Big\n\n')
    for i in range(200000):
        f.write('line %d %s\n' % (i, 'KAFKA here' if i % 997 == 0 else 'nothing'))
"

# grep's view, as sorted "path:line" and "path:count".
grep_lines() { grep -arniF -- "$1" "$A" | cut -d: -f1,2 | sort; }
grep_counts() { grep -arciF -- "$1" "$A" | grep -v ':0$' | sort; }
# sesslua's view of the same, from --json and -c.
json_lines() {
  python3 -c 'import json,sys
for h in json.load(sys.stdin)["hits"]: print("%s:%d" % (h["path"], h["line"]))' | sort
}

for w in the flaky quetzal "the connection pool" kafka "here" zzz-not-there; do
  sl --root "$R" search.lua "$w" --json
  expect_eq "$(printf '%s' "$OUT" | json_lines)" "$(grep_lines "$w")" "same lines as grep -rniF '$w'"
  sl --root "$R" search.lua "$w" -c
  expect_eq "$(printf '%s\n' "$OUT" | grep -v '^$' | sort)" "$(grep_counts "$w")" "same counts as grep -rciF '$w'"
done

# Regular expressions and whole words: the same lines as grep -E and -w.
grep_lines_opt() { grep -arni "$1" -- "$2" "$A" | cut -d: -f1,2 | sort; }
for re in 'deploy|rollback' '^- \[x\] (Added|Fixed)' 'flaky test$' 'p[0-9]+ latency' 'kafka.*here'; do
  sl --root "$R" search.lua -e "$re" --json
  expect_eq "$(printf '%s' "$OUT" | json_lines)" "$(grep_lines_opt -E "$re")" "-e '$re': the same lines as grep -rniE"
done
for w in the test cache; do
  sl --root "$R" search.lua -w "$w" --json
  expect_eq "$(printf '%s' "$OUT" | json_lines)" "$(grep_lines_opt -wF "$w")" "-w '$w': the same lines as grep -rniwF"
done
sl --root "$R" search.lua -e 'dep(loy'
expect_rc 2 "a pattern PCRE2 refuses is a usage error"
expect_err "sesslua: search: -e 'dep(loy': missing closing parenthesis" "and says why"

# Context: the same lines as grep -n -C/-A/-B on one file, once the
# section headers and the indent are taken away.
F=$(grep -lF flaky "$A"/session-*.md | head -1)
id=$(basename "$F" .md)
for c in "-C 2" "-A 3" "-B 1" "-C 0"; do
  sl --root "$R" search.lua flaky --session "$id" $c
  mine=$(printf '%s\n' "$OUT" | grep -E '^(  [0-9]+[:-] |--$)' | sed -E 's/^  ([0-9]+)([:-]) /\1\2/')
  theirs=$(grep -niF $c flaky "$F" | tr -d '\r')
  expect_eq "$mine" "$theirs" "$c: the lines of grep -n $c"
done
sl --root "$R" search.lua flaky --session "$id" -C 1 --json
printf '%s' "$OUT" | python3 -c 'import json,sys
h=json.load(sys.stdin)["hits"][0]
assert len(h["before"]) == 1 and len(h["after"]) == 1, h' && ok || bad "-C 1 --json: one line before and after"
sl --root "$R" search.lua flaky -C 1 --section Notes
expect_rc 2 "context with --section is refused"

# The order and bytes of the output do not depend on the number of threads.
for opt in "" --json -l -c; do
  SESSLUA_THREADS=1 "$SESSLUA" --root "$R" search.lua the $opt > "$WORK/t1.out"
  SESSLUA_THREADS=4 "$SESSLUA" --root "$R" search.lua the $opt > "$WORK/t4.out"
  expect_same "$WORK/t1.out" "$WORK/t4.out" "the same output on 1 and 4 threads ($opt)"
done
test -s "$WORK/t1.out" && ok || bad "the thread comparison printed something"

# Text output: one header per group, a hit line per grep line.
sl --root "$R" search.lua kafka --session 9004
expect_eq "$OUT" "session-9004 › Bad
  2: "$'\xff\xfe'" kafka "$'\xc3'" broken "$'\xe2'"\\x82
  3: \\x80kafka\\x80" "invalid UTF-8 is kept, stray C1 bytes escaped, hits found around them"
sl --root "$R" search.lua kafka --session 9003
expect_eq "$OUT" "session-9003 › T
  3: Kafka on a CRLF line" "a CRLF line without its CR"
sl --root "$R" search.lua kafka --session 9002
expect_eq "$OUT" "session-9002
  1: no newline at the end: kafka" "an unterminated last line, no section"
sl --root "$R" search.lua kafka --session 9001
expect_rc 1 "an empty file has no hit"
sl --root "$R" search.lua kafka --session 9004 --json
expect_out '"text": "'$'\uFFFD\uFFFD'' kafka '$'\uFFFD'' broken '$'\uFFFD\uFFFD''"' "JSON replaces bytes that are not UTF-8 by U+FFFD"

# A 100 MB log: the hit on its last line has the right line number.
B="$WORK/big/docs/coordination"
mkdir -p "$B/sessions/ACTIVE"
python3 -B -c "
line = 'filler text of a long log, nothing to find here at all, just bytes\n'
with open('$B/sessions/ACTIVE/session-1.md', 'w') as f:
    f.write('# Big\n\n')
    block = line * 10000
    for i in range(150):
        f.write(block)
    f.write('the last line holds the zebra-marker\n')
"
sl --root "$B" search.lua zebra-marker --json
expect_rc 0 "a 100 MB log is searched"
expect_out '"line": 1500003' "the hit's line number in a 100 MB log"

# A log that grows while it is searched: no error, hits from what was read.
( for i in $(seq 1 300); do printf 'growing kafka line %d\n' "$i" >> "$A/session-9006.md"; done ) &
writer=$!
for i in 1 2 3; do
  sl --root "$R" search.lua kafka --session 9006 -c
  [ "$RC" -le 1 ] && [ -z "$ERR" ] && ok || bad "a growing log: exit $RC, stderr $ERR"
done
wait "$writer"
sl --root "$R" search.lua kafka --session 9006 -c
expect_eq "$OUT" "$A/session-9006.md:300" "and every line once the writer is done"

finish
