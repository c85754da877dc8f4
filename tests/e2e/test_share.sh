#!/usr/bin/env bash
# share: both argument forms, types and aliases, impacts, refusals of
# wrong-order calls, the entry format, placement and counter, the acting
# session, the note in the sharer's log, hostile text, CRLF, untouched
# bytes, and 50 sharers at once.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
K="$R/shared-knowledge"
mkdir -p "$R"
sl create.lua 12 "DevOps Engineer" "Deploy services"
L="$R/sessions/ACTIVE/session-12.md"
TODAY=$(date +%Y-%m-%d)


# Short form: CATEGORY TEXT IMPACT; a missing file is created with its header.
sl --session 12 share.lua Performance "gather() is 10x faster" high
expect_rc 0 "short form"
F="$K/learnings.md"
expect_file_has "$F" "# Shared Learnings" "created with its header"
expect_file_has "$F" "<!-- Sessions add entries below this line -->" "header has the marker"
expect_file_has "$F" "### $TODAY - session-12 - Performance" "entry heading"
expect_file_has "$F" '**Learning:** gather() is 10x faster' "learning body"
expect_file_has "$F" "**Impact:** High" "impact capitalised"
expect_file_has "$F" "**Category:** Performance" "category field"
expect_file_has "$F" "**Shared By:** session-12" "shared by field"
grep -qx "\*\*Timestamp:\*\* $(date -u +%Y-%m-%d) [0-2][0-9]:[0-5][0-9]:[0-5][0-9] UTC" "$F" && ok || bad "UTC timestamp"
expect_eq "$(wellformed "$F" Learning)" "1 0" "the entry is well formed"
expect_eq "$(total "$F")" "1" "counter is 1"
# Blank line, then the entry right below the marker.
got=$(grep -A2 -- '<!-- Sessions add' "$F" | tail -2 | tr '\n' '|')
expect_eq "$got" "|### $TODAY - session-12 - Performance|" "entry right below the marker"
expect_out "learnings.md" "names the file"

# Default impact is Medium; newest first.
sl --session 12 share.lua Testing "pytest fixtures per service"
expect_rc 0 "short form without impact"
expect_eq "$(grep -A6 ' - Testing$' "$F" | grep '^\*\*Impact' )" "**Impact:** Medium" "default impact Medium"
order=$(grep '^### ' "$F" | sed 's/.* - //' | tr '\n' '|')
expect_eq "$order" "Testing|Performance|" "newest first"
expect_eq "$(total "$F")" "2" "counter is 2"

# Typed form and every alias, each to its file with its label.
check_type() { # check_type WORD FILE LABEL
  local before; before=$(grep -c '^### ' "$K/$2" 2>/dev/null)
  sl --session 12 share.lua "$1" "Cat-$1" "via $1" CRITICAL
  expect_rc 0 "type $1"
  expect_file_has "$K/$2" "**$3:** via $1" "type $1 lands in $2 as $3"
  expect_file_has "$K/$2" "**Impact:** Critical" "type $1 impact"
  expect_eq "$(total "$K/$2")" "$(( ${before:-0} + 1 ))" "type $1 counter"
}
check_type learning learnings.md Learning
check_type learnings learnings.md Learning
check_type pattern patterns.md Pattern
check_type patterns patterns.md Pattern
check_type troubleshooting troubleshooting.md Troubleshooting
check_type trouble troubleshooting.md Troubleshooting
check_type issue troubleshooting.md Troubleshooting
check_type best-practice best-practices.md "Best Practice"
check_type practice best-practices.md "Best Practice"
check_type best best-practices.md "Best Practice"
expect_eq "$(wellformed "$K/best-practices.md" "Best Practice")" "3 0" "best practices well formed"
expect_file_has "$K/patterns.md" "# Reusable Patterns" "patterns header"
sl --session 12 share.lua Pattern Naming "Typed form, capitalised type" low
expect_rc 0 "capitalised type word"
expect_file_has "$K/patterns.md" "**Pattern:** Typed form, capitalised type" "capitalised type is a type"
expect_file_has "$K/patterns.md" "**Impact:** Low" "lowercase impact stored capitalised"
for imp in medium HIGH Low; do
  sl --session 12 share.lua pattern "Imp-$imp" "impact $imp" "$imp"
  want="$(printf '%s' "${imp:0:1}" | tr a-z A-Z)$(printf '%s' "${imp:1}" | tr A-Z a-z)"
  expect_eq "$(grep -A3 "^\*\*Pattern:\*\* impact $imp$" "$K/patterns.md" | grep '^\*\*Impact')" "**Impact:** $want" "impact $imp stored as $want"
done

# The session note in the sharer's own log, under Learnings & Discoveries.
expect_file_has "$L" "**$TODAY - Performance:**" "noted in the log"
expect_file_has "$L" "- gather() is 10x faster" "log note text"
sect=$(awk '/^## /{s=$0} /^- gather\(\) is 10x faster$/{print s}' "$L")
expect_eq "$sect" "## Learnings & Discoveries" "note is under Learnings & Discoveries"

# Wrong-order and invalid calls: exit 2 with a hint, nothing written.
snap=$(snapshot "$R")
refuse() { # refuse DESCRIPTION ARGS...
  local d=$1; shift
  sl --session 12 share.lua "$@"
  expect_rc 2 "$d"
  expect_err "hint:" "$d gives a hint"
}
refuse "impact as category" High Performance "some text"
refuse "impact as text" Performance High
refuse "typed, impact as text" pattern Performance high
refuse "typed, impact as category" pattern Critical "some text"
refuse "category over 60 chars" "$(printf 'x%.0s' $(seq 61))" "text"
refuse "category spanning lines" $'two\nlines' "text"
refuse "empty text" Performance ""
refuse "blank text" Performance "   "
refuse "empty category" "" "text"
refuse "unknown impact" Performance "text" Huge
refuse "unknown type in 4-word form" nosuch Cat "text" Low
# The wrong-order signature under 60 characters: a sentence as category,
# one short word as text.
refuse "sentence as category, word as text" "Use asyncio.gather for parallel calls it is faster" Performance High
expect_err "share.lua Performance 'Use asyncio.gather for parallel calls it is faster' High" "swapped order in the hint"
refuse "typed, sentence as category" pattern "The whole learning goes here, it is long" Perf
expect_err "share.lua pattern Perf 'The whole learning goes here, it is long'" "typed swapped order in the hint"
refuse "short form, sentence as category" "The whole learning goes here" Perf
# TYPE CATEGORY IMPACT or CATEGORY TEXT IMPACT with a one-word text: ambiguous.
refuse "type word, one word, impact" Issue Redis High
expect_err "ambiguous" "ambiguity named"
expect_err "share.lua learning Issue Redis High" "hint gives the unambiguous spelling"
# TYPE then a sentence where the category belongs (the wrong-order form
# real trees hold as a learning in category 'pattern'): refused, the hint
# gives both right spellings with the user's words in place. A sentence
# here is 3 words or more, or 2 or more ending in . ! ?, or over 60 chars.
refuse "type, sentence, impact" pattern "Use asyncio.gather() for parallel API calls" high
expect_err "'pattern' is a knowledge type, and what follows it reads as a sentence (6 words)" "names the wrong-order form"
expect_err "sesslua share.lua pattern CATEGORY 'Use asyncio.gather() for parallel API calls' high" "hint: the type with a category, words in place"
expect_err "sesslua share.lua learning pattern 'Use asyncio.gather() for parallel API calls' high" "hint: the learning spelling"
refuse "type, sentence" patterns "Fixtures keep tests apart."
expect_err "sentence (ends in '.')" "ending punctuation makes a sentence"
expect_err "sesslua share.lua patterns CATEGORY 'Fixtures keep tests apart.'" "hint without an impact keeps the user's type word"
refuse "alias type, sentence, impact" trouble "Redis times out under load" Critical
expect_err "sesslua share.lua trouble CATEGORY 'Redis times out under load' Critical" "hint for an alias"
refuse "type, three words" best-practice "Pin every version" High
refuse "type, long sentence" issue "$(printf 'word %.0s' $(seq 13))" Low
refuse "typed, the category is a sentence" learning "Use fixtures." "because they isolate" High
expect_err "the category 'Use fixtures.' reads as a sentence (ends in '.')" "a category ending like a sentence"
refuse "short form, the category is a sentence" "Fixtures help!" "details here"
printf '\n\n' > "$WORK/stdin.txt"
run "$SESSLUA" --session 12 share.lua Performance - < "$WORK/stdin.txt"
expect_rc 2 "empty text from stdin"
sl --session ../../etc share.lua Cat "text"
expect_rc 2 "invalid session id refused"
expect_eq "$(snapshot "$R")" "$snap" "refusals write nothing"
sl --session 12 share.lua "$(printf 'x%.0s' $(seq 60))" "sixty is fine"
expect_rc 0 "category of exactly 60 characters"
# A category that is also a type word, with a text of words and an impact:
# only CATEGORY TEXT IMPACT gives every field a valid value.
sl --session 12 share.lua Issue "Redis timeouts" High
expect_rc 0 "guide form whose category is a type alias"
expect_file_has "$F" "### $TODAY - session-12 - Issue" "category Issue kept"
expect_eq "$(grep -A3 '^\*\*Learning:\*\* Redis timeouts$' "$F" | grep '^\*\*Impact')" "**Impact:** High" "text and impact"
# The right order of the same words, and the learning spelling, are taken.
sl --session 12 share.lua pattern Asyncio "Use asyncio.gather() for parallel API calls" high
expect_rc 0 "the typed form with a category"
expect_file_has "$K/patterns.md" "**Pattern:** Use asyncio.gather() for parallel API calls" "pattern stored"
sl --session 12 share.lua learning pattern "Use asyncio.gather() for parallel API calls" high
expect_rc 0 "a learning in category 'pattern', spelled out"
expect_file_has "$F" "**Category:** pattern" "category pattern kept when asked for"
sl --session 12 share.lua "Node.js" "Misc. notes end in a dot."
expect_rc 0 "one-word categories with dots are topics"
# A long single word (a URL) after a category of words is a text.
sl --session 12 share.lua "Known flaky test issues" "https://example.com/o/r/issues/123"
expect_rc 0 "URL as the text of a four-word category"

# The acting session: --session, $SESSLUA_SESSION, .current_session, unknown.
SESSLUA_SESSION=7 run "$SESSLUA" share.lua FromEnv "env session"
expect_rc 0 "SESSLUA_SESSION"
expect_file_has "$F" "### $TODAY - session-7 - FromEnv" "SESSLUA_SESSION used"
SESSLUA_SESSION=7 run "$SESSLUA" --session 12 share.lua FromFlag "flag wins"
expect_file_has "$F" "### $TODAY - session-12 - FromFlag" "--session wins over the environment"
echo "session-31" > "$R/.current_session"
sl share.lua FromFile "file session"
expect_rc 0 ".current_session"
expect_file_has "$F" "### $TODAY - session-31 - FromFile" ".current_session used"
expect_eq "$(printf '%s' "$ERR" | grep -c warning)" "0" "no warning with a session"
rm "$R/.current_session"
sl share.lua Anonymous "no session"
expect_rc 0 "no session at all still shares"
expect_file_has "$F" "### $TODAY - unknown - Anonymous" "unknown session"
expect_file_has "$F" "**Shared By:** unknown" "shared by unknown"
expect_err "warning" "unknown session warns"
expect_file_lacks "$L" "FromEnv" "other sessions' shares are not noted in session-12's log"
sl --session 7 share.lua NoLog "session without a log"
expect_rc 0 "session without a log"
printf '%s' "$OUT" | grep -q "Noted in" && bad "claims a note without a log" || ok
expect_absent "$R/sessions/ACTIVE/session-7.md" "no log created for the sharer"
expect_eq "$(total "$F")" "$(grep -c '^### ' "$F")" "learnings counter is the true count"
expect_eq "$(wellformed "$F" Learning)" "$(grep -c '^### ' "$F") 0" "every learning well formed"

# --json
sl --session 12 share.lua pattern Json "json entry" high --json
expect_rc 0 "--json"
expect_out '"kind": "share"' "json kind"
expect_out '"schema": 1' "json schema"
expect_out '"type": "pattern"' "json type"
expect_out '"impact": "High"' "json impact"
expect_out '"session": "session-12"' "json session"
expect_out '"noted_in_log": true' "json noted"

# Hostile text from stdin lands literally, every line.
printf 'say "hi" \\ back $HOME & `id` %%s\nsecond * line & more\n' |
  run "$SESSLUA" --session 12 share.lua trouble Hostile -
expect_rc 0 "hostile text from stdin"
T="$K/troubleshooting.md"
expect_file_has "$T" '**Troubleshooting:** say "hi" \ back $HOME & `id` %s' "hostile line 1 literal"
expect_file_has "$T" 'second * line & more' "hostile line 2 literal"
expect_eq "$(wellformed "$T" Troubleshooting)" "$(grep -c '^### ' "$T") 0" "multi-line entry still well formed"
expect_file_has "$L" '- second * line & more' "hostile text noted in the log"

# An existing hand-made file: other bytes unchanged; counter fixed to the truth.
cat > "$K/learnings.md" <<'EOF'
# Our Learnings

Intro paragraph, kept    as   is.

**Total Learnings:** 17

---

<!-- Sessions add entries below this line (newest first) -->

### 2025-01-05 - session-2 - Old

**Learning:** an old entry
**Impact:** Low
**Timestamp:** 2025-01-05 10:00:00 UTC
**Category:** Old
**Shared By:** session-2

---

Trailing notes.
EOF
cp "$K/learnings.md" before.md
sl --session 12 share.lua Fresh "a fresh entry"
expect_rc 0 "share into an existing file"
expect_eq "$(total "$K/learnings.md")" "2" "wrong counter set to the true count"
removed=$(diff before.md "$K/learnings.md" | grep '^<' | grep -vc 'Total Learnings' || true)
expect_eq "$removed" "0" "only the counter line replaced"
added=$(diff before.md "$K/learnings.md" | grep '^>' | grep -vc 'Total Learnings' || true)
expect_eq "$added" "10" "exactly the entry added (blank line + 9 lines)"
order=$(grep '^### ' "$K/learnings.md" | sed 's/.* - //' | tr '\n' '|')
expect_eq "$order" "Fresh|Old|" "new entry above the old one"
expect_eq "$(wellformed "$K/learnings.md" Learning)" "2 0" "both entries well formed"

# No marker: appended at the end; no counter: none added.
printf '# Notes without a marker\n\nSome text.\n' > "$K/patterns.md"
cp "$K/patterns.md" before.md
sl --session 12 share.lua pattern Appended "goes at the end"
expect_rc 0 "share into a file without a marker"
expect_eq "$(head -3 "$K/patterns.md")" "$(cat before.md)" "original bytes first, unchanged"
expect_eq "$(tail -1 "$K/patterns.md")" "---" "entry at the end"
expect_eq "$(grep -c 'Total' "$K/patterns.md")" "0" "no counter invented"
expect_eq "$(wellformed "$K/patterns.md" Pattern)" "1 0" "appended entry well formed"

# CRLF stays CRLF.
sed 's/$/\r/' before.md > "$K/patterns.md"
{ printf '\r\n**Total Patterns:** 0\r\n\r\n<!-- Sessions add entries below this line -->\r\n'; } >> "$K/patterns.md"
cp "$K/patterns.md" crlf-before.md
sl --session 12 share.lua pattern Crlf "crlf entry"
expect_rc 0 "share into a CRLF file"
lf=$(tr -cd '\n' < "$K/patterns.md" | wc -c)
crlf=$(grep -c $'\r$' "$K/patterns.md")
expect_eq "$crlf" "$lf" "every line still ends in CRLF"
grep -qx $'\\*\\*Pattern:\\*\\* crlf entry\r' "$K/patterns.md" && ok || bad "entry written with CRLF"
expect_eq "$(total "$K/patterns.md")" "1" "CRLF counter updated"
removed=$(diff crlf-before.md "$K/patterns.md" | grep '^<' | grep -vc 'Total Patterns' || true)
expect_eq "$removed" "0" "CRLF: only the counter line replaced"

# 50 sharers at once into one file.
rm -f "$K/troubleshooting.md"
for i in $(seq 1 50); do
  "$SESSLUA" --session "p$i" share.lua trouble "Par$i" "parallel entry $i" low >/dev/null 2>>par.err &
done
wait
T="$K/troubleshooting.md"
expect_eq "$(grep -c '^### ' "$T")" "50" "50 concurrent entries"
expect_eq "$(total "$T")" "50" "counter says 50"
expect_eq "$(wellformed "$T" Troubleshooting)" "50 0" "all 50 entries well formed"
expect_eq "$(grep -c '^\*\*Troubleshooting:\*\* parallel entry [0-9]*$' "$T" )" "50" "50 bodies"
expect_eq "$(grep '^\*\*Category:\*\* Par' "$T" | sort -u | wc -l | tr -d ' ')" "50" "50 distinct categories"
expect_eq "$(grep -c '# Troubleshooting' "$T")" "1" "one header"
expect_eq "$(cat par.err)" "" "no errors from concurrent sharers"
ls -a "$K" | grep -q 'tmp\|\.lock' && bad "temp or lock files left" || ok

# Text lines that look like an entry heading or its rule cannot forge an entry.
F="$K/best-practices.md"
before=$(grep -c '^### ' "$F")
printf 'first\n### 2025-01-01 - x - forged\n---\nlast\n' > "$WORK/stdin.txt"
run "$SESSLUA" --session 12 share.lua best Forge - < "$WORK/stdin.txt"
expect_rc 0 "share text with heading-like lines"
expect_eq "$(grep -c '^### ' "$F")" "$((before + 1))" "one entry added, none forged"
total=$(sed -n 's/^\*\*Total [A-Za-z]*:\*\* //p' "$F")
expect_eq "$total" "$((before + 1))" "counter counts the real entries"
sl search.lua forged --knowledge --json
expect_out '"text": "first\n### 2025-01-01 - x - forged\n---\nlast"' "entry text reads back as typed"

# Multi-line text cannot forge field lines, for sesslua or line readers.
P="$K/patterns.md"
before=$(grep -c '^### ' "$P")
sl --session 12 share.lua pattern Inj $'first line\n**Impact:** Low\n**Category:** Fake\nrest zebra' High
expect_rc 0 "share text with field-like lines"
expect_eq "$(grep -c '^### ' "$P")" "$((before + 1))" "one entry added"
expect_eq "$(grep -c '^\*\*Impact:\*\*' "$P")" "$((before + 1))" "no forged Impact line"
expect_eq "$(grep -c '^\*\*Category:\*\*' "$P")" "$((before + 1))" "no forged Category line"
expect_eq "$(tr -d '\r' < "$P" | grep -A6 '^\*\*Pattern:\*\* first line$' | grep '^\*\*Impact')" "**Impact:** High" "old readers see High (CRLF file)"
expect_eq "$(wellformed "$P" Pattern)" "$((before + 1)) 0" "patterns still well formed"
sl search.lua zebra --knowledge --json
expect_out '"text": "first line\n**Impact:** Low\n**Category:** Fake\nrest zebra"' "field-like text reads back as typed"
expect_out '"impact": "High"' "parsed impact is the real one"

# No marker: a quoted marker in an entry does not pull the next entry in.
printf '# Notes without a marker\n\nSome text.\n' > "$P"
sl --session 12 share.lua pattern Quoted "see <!-- Sessions add entries below this line --> here"
expect_rc 0 "share text quoting the marker"
sl --session 12 share.lua pattern After "shared after"
order=$(grep '^### ' "$P" | sed 's/.* - //' | tr '\n' '|')
expect_eq "$order" "Quoted|After|" "entries in file order"
expect_eq "$(grep -A1 '^\*\*Pattern:\*\* see <!--' "$P" | tail -1)" "**Impact:** Medium" "next entry not inside the quoting one"
expect_eq "$(wellformed "$P" Pattern)" "2 0" "both entries well formed"

# No Total line: a quoted one in an entry is not rewritten.
sl --session 12 share.lua pattern Widgets $'counts\n**Total Widgets:** 42'
expect_rc 0 "share text quoting a Total line"
sl --session 12 share.lua pattern Later "shared later"
expect_eq "$(grep -c 'Total Widgets:\*\* 42$' "$P")" "1" "quoted Total line unchanged"
sl search.lua Widgets --knowledge --json
expect_out '"text": "counts\n**Total Widgets:** 42"' "quoted Total reads back as typed"
expect_eq "$(wellformed "$P" Pattern)" "4 0" "all entries well formed"


# Hand-edited files (tests/fixtures/knowledge): entries under any `###`
# heading (`DATE - SESSION - Category`, `DATE - Category`, `DATE (Kickoff)`,
# none at all), a `###` line in fenced code, a `##` section between
# entries, Total lines at the top, the bottom (in a footer) or both. Share
# reports the true count and sets every Total line to it; the entry goes
# right below the marker; every other byte stays.
# A share sends no message unless asked: --broadcast, or the team's
# share_broadcast = true; when it does, its output says so.
B="$WORK/bcast/docs/coordination"
mkdir -p "$B"
bl() { run "$SESSLUA" --root "$B" "$@"; }
bl create.lua 1 "Dev" "Goal"; bl create.lua 2 "Dev" "Goal"
unread2() { bl --session 2 message.lua inbox --json; printf '%s\n' "$OUT" | grep -c '"subject": "KNOWLEDGE"'; }
bl --session 1 share.lua Perf "quiet share" High
expect_rc 0 "share without --broadcast"
expect_eq "$(unread2)" "0" "a plain share sends no message"
bl --session 1 share.lua Perf "quiet share as json" High --json
expect_out '"broadcast": null' "--json says no broadcast was sent"
expect_eq "$(unread2)" "0" "a plain share --json sends no message"
bl --session 1 share.lua Perf "told share" High --broadcast
expect_rc 0 "share --broadcast"
expect_out "Broadcast to every session: KNOWLEDGE message " "--broadcast says it broadcast"
expect_eq "$(unread2)" "1" "--broadcast sends one KNOWLEDGE message"
bl --session 1 share.lua Perf "told share as json" High --broadcast --json
printf '%s' "$OUT" | grep -q '"broadcast": "[0-9]\{8\}T' && ok || bad "--json names the broadcast's id: $OUT"
printf 'return { share_broadcast = true }\n' > "$B/sesslua.lua"
bl --session 1 share.lua Perf "team share" High
expect_out "Broadcast to every session: KNOWLEDGE message " "share_broadcast = true broadcasts, and says so"
expect_eq "$(unread2)" "3" "share_broadcast = true sends the message"
printf 'return { share_broadcast = false }\n' > "$B/sesslua.lua"
bl --session 1 share.lua Perf "team says no" High
expect_eq "$(unread2)" "3" "share_broadcast = false sends nothing"
printf 'return { share_broadcast = "yes" }\n' > "$B/sesslua.lua"
bl --session 1 share.lua Perf "bad config" High
expect_rc 2 "a share_broadcast that is no boolean"
expect_err "config: $B/sesslua.lua: 'share_broadcast' must be a boolean, not a string" "share_broadcast's check names the key and the file"
rm "$B/sesslua.lua"

: "${FIXTURES:?set FIXTURES to tests/fixtures}"
share_onto() { # share_onto FIXTURE FILE TYPE LABEL COUNT
  local fx="$FIXTURES/knowledge/$1" f="$K/$2"
  cp "$fx" "$f"
  sl --session 12 share.lua "$3" Fixture "onto $1" High
  expect_rc 0 "share onto $1"
  expect_out "— $5 entries" "share onto $1 reports the true count"
  expect_eq "$(grep -c "^\*\*Total [A-Za-z]*:\*\* $5\$" "$f")" "$(grep -c '^\*\*Total ' "$fx")" \
    "every Total line of $1 says $5"
  local ts; ts=$(sed -n 's/^\*\*Timestamp:\*\* //p' "$f" | head -1) # the newest entry's
  printf '\n### %s - session-12 - Fixture\n\n**%s:** onto %s\n**Impact:** High\n**Timestamp:** %s\n**Category:** Fixture\n**Shared By:** session-12\n\n---\n' \
    "$TODAY" "$4" "$1" "$ts" > entry.txt
  awk -v n="$5" 'NR == FNR { e = e $0 "\n"; next }
    /^\*\*Total [A-Za-z]*:\*\* [0-9]+$/ { sub(/[0-9]+$/, n) }
    { print }
    /^<!-- Sessions add entries below this line -->$/ { printf "%s", e }' entry.txt "$fx" > want.md
  expect_same want.md "$f" "share onto $1: entry below the marker, Totals set, every other byte kept"
}
share_onto top-total.md learnings.md learning Learning 5
share_onto bottom-total.md troubleshooting.md trouble Troubleshooting 4
share_onto both-totals.md patterns.md pattern Pattern 4
# Again onto the bottom one: the footer stays last and keeps counting.
sl --session 12 share.lua trouble Again "a second entry" Low
expect_out "— 5 entries" "second share counts 5"
expect_eq "$(tail -2 "$K/troubleshooting.md" | tr '\n' '|')" "**Total Issues:** 5|*Last updated: 2025-11-22 by session-7*|" \
  "the footer stays at the bottom with the count"
sl --session 12 share.lua trouble Json "as json" --json
expect_out '"total": 6' "--json total is the true count"

finish
