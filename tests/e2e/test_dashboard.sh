#!/usr/bin/env bash
# dashboard.lua: the page a browser shows (rendered by Debian's chromium,
# headless), hostile text shown as text, an empty tree, one session, a
# thousand, hand-edited logs, --json, --watch and the usage errors.
# Screenshots are kept under $BUILD_DIR/test-artifacts/dashboard/.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
ART="${BUILD_DIR:-$WORK}/test-artifacts/dashboard"
mkdir -p "$ART"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] && [ "${SESSLUA_NO_BROWSER:-}" != 1 ]; then
  bad "chromium is not installed (apt-get install chromium, or SESSLUA_NO_BROWSER=1 to skip the browser checks)"
fi

# browse NAME FILE: render FILE in headless chromium; the DOM it built goes
# to NAME.dom, the console (errors, CSP violations) to NAME.console, the
# screenshot to $ART/NAME.png. One browser start per page: each costs ~1 s.
browse() {
  : > "$WORK/$1.dom"; : > "$WORK/$1.console"
  [ -n "$CHROMIUM" ] || return 0
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$WORK/chrome-profile" --window-size=1280,1000 --enable-logging=stderr --v=0 \
    --screenshot="$ART/$1.png" --dump-dom "file://$2" > "$WORK/$1.dom" 2> "$WORK/$1.err"
  grep ':CONSOLE' "$WORK/$1.err" > "$WORK/$1.console" || true
  if [ -s "$WORK/$1.dom" ]; then ok; else bad "$1: chromium dumped no DOM: $(tail -3 "$WORK/$1.err")"; fi
  if [ -s "$WORK/$1.console" ]; then bad "$1: the console shows: $(head -c 600 "$WORK/$1.console")"; else ok; fi
}
# in_dom NAME FIXED-STRING what / dom_count NAME EXTENDED-REGEX: occurrences
in_dom() {
  [ -n "$CHROMIUM" ] || return 0
  if grep -qF -- "$2" "$WORK/$1.dom"; then ok; else bad "$1: the DOM lacks '$2' ($3)"; fi
}
dom_count() { grep -oE -- "$2" "$WORK/$1.dom" | wc -l; }
expect_dom_count() { # expect_dom_count NAME REGEX N what
  [ -n "$CHROMIUM" ] || return 0
  expect_eq "$(dom_count "$1" "$2")" "$3" "$1: $4"
}
# The elements and attributes a dashboard is made of (the DOM chromium
# built, read by Python's HTML parser): anything else was added by text
# that got through unescaped.
TAGS="body caption code dd details div dl dt h1 h2 head header html li line main meta p progress rect span style summary svg table tbody td text th thead time title tr ul"
ATTRS="aria-hidden aria-label charset class content datetime height http-equiv id lang max name role scope text-anchor value viewbox width x x1 x2 y y1 y2"
expect_only_our_tags() {
  [ -n "$CHROMIUM" ] || return 0
  local extra
  extra=$(python3 -c '
import html.parser, sys
tags, attrs = set(sys.argv[2].split()), set(sys.argv[3].split())
seen = set()
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, a):
        if tag not in tags: seen.add("<" + tag + ">")
        seen.update("@" + k for k, _ in a if k not in attrs)
P().feed(open(sys.argv[1], encoding="utf-8").read())
print(" ".join(sorted(seen)))' "$WORK/$1.dom" "$TAGS" "$ATTRS")
  expect_eq "$extra" "" "$1: elements or attributes that are not the page's own"
}

# --- usage and errors -----------------------------------------------------
sl --root "$WORK/none" dashboard.lua
expect_rc 3 "no tree"
expect_err "no coordination tree here" "no tree message"
sl init.lua
sl dashboard.lua --watch 0
expect_rc 2 "--watch 0"
expect_err "sesslua: dashboard.lua: --watch must be a number of seconds > 0" "--watch 0 message"
sl dashboard.lua --refresh 1.5
expect_rc 2 "--refresh 1.5"
sl dashboard.lua --json --out x.html
expect_rc 2 "--json with --out"
sl dashboard.lua --watch 1 --out -
expect_rc 2 "--watch to stdout"
sl dashboard.lua --out "$WORK/no/such/dir/d.html"
expect_rc 3 "a folder that is not there"
expect_err "sesslua: " "write failure message"

# --- an empty tree ----------------------------------------------------------
sl dashboard.lua
expect_rc 0 "empty tree"
expect_out "Wrote $R/dashboard.html (0 active sessions)" "empty tree: where it wrote"
expect_file_has "$R/dashboard.html" "<!DOCTYPE html>" "a whole page"
expect_file_lacks "$R/dashboard.html" "<script" "no script"
grep -q "No active sessions under" "$R/dashboard.html" && ok || bad "empty tree: no 'No active sessions'"
ls -a "$R" | grep -q '\.tmp-' && bad "a temp file was left in the root" || ok
sl dashboard.lua --out -
expect_rc 0 "--out -"
expect_out "<!DOCTYPE html>" "--out - prints the page"
expect_out "Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-" "strict CSP"
sl dashboard.lua --json
expect_rc 0 "--json on an empty tree"
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["schema"] == 1 and d["kind"] == "dashboard", d
assert d["sessions"] == [] and d["totals"]["sessions"] == 0, d
assert len(d["days"]) == 14 and d["archived"] == [] and d["learnings"] == [], d
' && ok || bad "--json of an empty tree: $OUT"
browse empty "$R/dashboard.html"
expect_dom_count empty '<progress' 1 "only the totals' progress bar"
expect_only_our_tags empty

# --- one session ------------------------------------------------------------
sl create.lua 1 Dev "Only one"
sl dashboard.lua --out one.html --refresh 30
expect_rc 0 "one session"
expect_file_has one.html '<meta content="30" http-equiv="refresh">' "--refresh"
browse one "$WORK/one.html"
in_dom one '<th scope="row">session-1</th>' "the session's row"
expect_dom_count one '<progress' 2 "a bar for the session and one for the totals"

# --- hostile text, stale, blocked, knowledge, messages, hand-edited logs ----
XSS1='<script>console.error("xss-1")</script>'
XSS2='"><img src=x onerror=console.error("xss-2")>'
XSS3='[click](javascript:console.error("xss-3")) javascript:console.error("xss-4")'
XSS4="'><svg onload=console.error(\"xss-5\")>"
sl create.lua 2 "QA $XSS4" "Goal $XSS1"
sl update.lua 2 --working-on "Work $XSS2" --progress 35 --status Testing \
  --phase "Phase $XSS1" --phase "Plain task" --done "Plain task" \
  --completed "Done $XSS3" --blocker "Blocked by $XSS2" --note "$XSS1"
expect_rc 0 "update with hostile text"
sl create.lua 3 Ops "Old work"
sl update.lua 3 --progress 80 --completed "Shipped it"
sl --session session-2 share.lua pattern "cat $XSS2" "Text $XSS1 $XSS3" High
expect_rc 0 "share hostile text"
sl --session session-3 share.lua learning deploys "Drain first" Low
sl --session session-3 message.lua send 2 "Subject $XSS2" "Body $XSS1"
expect_rc 0 "message with hostile text"
sl --session session-2 message.lua send 3 "$XSS4"
# session-3 last wrote its log in 2020 (share and send note in the sender's log)
sed -i 's/^\*\*Last Updated:\*\*.*/**Last Updated:** 2020-01-02 03:04:05/' "$A/session-3.md"
for f in "$FIXTURES"/handedited/*.md; do
  cp "$f" "$A/hand-$(basename "$f")"
done
HAND=$(ls "$FIXTURES"/handedited/*.md | wc -l)
# an archived log from today counts as archived in the last weeks
mkdir -p "$R/sessions/ARCHIVE"
cp "$A/session-1.md" "$R/sessions/ARCHIVE/session-0-$(date +%Y-%m-%d).md"
sl dashboard.lua --out team.html
expect_rc 0 "the team page"
expect_out "Wrote team.html ($((HAND + 3)) active sessions)" "sessions counted"
expect_eq "$ERR" "" "no warning for hand-edited logs"
browse team "$WORK/team.html"
for id in session-1 session-2 session-3; do
  in_dom team "<th scope=\"row\">$id</th>" "a row for $id"
done
for f in "$FIXTURES"/handedited/*.md; do
  in_dom team "<th scope=\"row\">hand-$(basename "$f" .md)</th>" "a row for hand-edited $(basename "$f")"
done
# the sessions table: a progress bar per session (and one for the totals)
expect_dom_count team '<progress' $((HAND + 4)) "a progress bar per session"
in_dom team '<progress aria-label="Progress of session-2" max="100" value="35">' "session-2's bar"
# stale and blocked as status counts them (the hand-edited logs are old)
read -r STALE BLOCKED < <("$SESSLUA" --root "$R" status.lua --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["sessions"]
print(sum(1 for x in s if x["stale"]), sum(1 for x in s if x["blockers"]))')
expect_dom_count team '<span class="badge stale">stale</span>' "$STALE" "a stale badge per stale session"
expect_dom_count team '<tr class="blocked[" ]' "$BLOCKED" "a red row per session with blockers"
[ -z "$CHROMIUM" ] || grep -F '<th scope="row">session-3</th>' "$WORK/team.dom" | grep -qF 'badge stale' && ok ||
  bad "session-3 (Last Updated 2020) is not marked stale"
[ -z "$CHROMIUM" ] || grep -F '<th scope="row">session-2</th>' "$WORK/team.dom" | grep -qF 'badge stale' &&
  bad "session-2, updated now, is marked stale" || ok
in_dom team '<span class="badge blocked">1 blocked</span>' "session-2's blocker badge"
# hostile text is text: escaped in the DOM, no element added, nothing ran
in_dom team 'Goal &lt;script&gt;console.error("xss-1")&lt;/script&gt;' "goal as text"
in_dom team 'Work "&gt;&lt;img src=x onerror=console.error("xss-2")&gt;' "Working On as text"
in_dom team 'Blocked by "&gt;&lt;img src=x onerror=console.error("xss-2")&gt;' "blocker as text"
in_dom team "QA '&gt;&lt;svg onload=console.error(\"xss-5\")&gt;" "role as text"
in_dom team 'Text &lt;script&gt;console.error("xss-1")&lt;/script&gt; [click](javascript:console.error("xss-3"))' \
  "knowledge text as written"
in_dom team 'Subject "&gt;&lt;img src=x onerror=console.error("xss-2")&gt;' "message subject as text"
expect_only_our_tags team
expect_dom_count team '<img' 0 "no image"
expect_dom_count team '<script' 0 "no script"
expect_dom_count team ' href=' 0 "no link at all"
# the other parts
in_dom team 'Reusable Patterns</th><td>0</td><td>0</td><td>1</td>' "knowledge by type and impact"
in_dom team '<th scope="row">session-0</th>' "the archived log"
in_dom team '<th scope="row">session-2</th><td>1</td>' "session-2's unread message"
in_dom team '<svg class="chart" viewBox="0 0 720 240" role="img"' "the chart"
[ -z "$CHROMIUM" ] || grep -q '<rect class="series-[0-9]" [^>]*><title>session-[23], ' "$WORK/team.dom" && ok ||
  bad "the chart has no bar for today's completed tasks"

# --json: the same data for programs
sl dashboard.lua --json --sort progress
expect_rc 0 "--json"
printf '%s' "$OUT" | STALE=$STALE python3 -c '
import json, os, sys
d = json.load(sys.stdin)
ids = [s["id"] for s in d["sessions"]]
assert ids.index("session-3") < ids.index("session-2") < ids.index("session-1"), ids
s2 = next(s for s in d["sessions"] if s["id"] == "session-2")
assert s2["phase_done"] == 1 and s2["phase_total"] == 2, s2
assert s2["completed_by_day"][-1] == 2 and len(s2["completed_by_day"]) == 14, s2
assert s2["unread_messages"] == 1 and s2["goal"].startswith("Goal <script>"), s2
assert d["totals"]["stale"] == int(os.environ["STALE"]) > 0, d["totals"]
assert {e["type"] for e in d["learnings"]} == {"pattern", "learning"}, d["learnings"]
assert d["knowledge_counts"]["pattern"] == {"High": 1}, d["knowledge_counts"]
assert [a["id"] for a in d["archived"]] == ["session-0"], d["archived"]
' && ok || bad "--json content: $(printf '%s' "$OUT" | head -c 800)"

# --- the documented example: a team's own page from sesslua.html -----------
sl "${SESSLUA_SRC:-$(dirname "$0")/../..}/docs/examples/team-page.lua" --out "$WORK/own.html"
expect_rc 0 "docs/examples/team-page.lua"
expect_eq "$(grep -o '<progress' own.html | wc -l)" "$((HAND + 3))" "the example: a progress bar per session"
grep -qF 'Goal &lt;script&gt;' own.html || grep -qF 'Work &quot;&gt;&lt;img src=x' own.html && ok ||
  bad "the example does not show hostile text as text"
expect_file_lacks own.html "<script" "the example: no script"
expect_file_lacks own.html "<img" "the example: no image"
grep -qF "style-src 'sha256-" own.html && ok || bad "the example's page has no CSP"

# --- a thousand sessions ----------------------------------------------------
T="$WORK/thousand"
mkdir -p "$T/sessions/ACTIVE"
cp "$A/session-2.md" "$T/sessions/ACTIVE/session-1.md"
LOG3=$(cat "$A/session-3.md")
for i in $(seq 2 1000); do printf '%s\n' "$LOG3" > "$T/sessions/ACTIVE/session-$i.md"; done
sl --root "$T" dashboard.lua
expect_rc 0 "1,000 sessions"
expect_out "(1000 active sessions)" "1,000 counted"
browse thousand "$T/dashboard.html"
expect_dom_count thousand '<th scope="row">session-[0-9]+</th>(<td>[^<]*</td>){4}<td><progress ' 1000 \
  "a row per session, each with its progress bar"
expect_dom_count thousand '<progress' 1001 "a progress bar per session"
expect_dom_count thousand '<span class="badge stale">stale</span>' 999 "stale sessions marked"
in_dom thousand '<th scope="row">session-1000</th>' "the last session"

# the extras cache gives the page the logs themselves give
find "$T" -name '*.md' -exec touch -d '1 hour ago' {} +
sl --root "$T" dashboard.lua --out "$WORK/c1.html"
sl --root "$T" dashboard.lua --out "$WORK/c2.html"
SESSLUA_CACHE=0 "$SESSLUA" --root "$T" dashboard.lua --out "$WORK/c3.html" > /dev/null
for f in c1 c2 c3; do sed 's/Generated .*from/Generated from/' "$WORK/$f.html" > "$WORK/$f.txt"; done
expect_same "$WORK/c1.txt" "$WORK/c2.txt" "a page from the cache is the page from the logs"
expect_same "$WORK/c1.txt" "$WORK/c3.txt" "SESSLUA_CACHE=0 gives the same page"
ls "$HOME/.cache/sesslua/" | grep -q . && ok || bad "no cache was written under \$HOME/.cache/sesslua"

# --- --watch: written again when the tree changes, not before --------------
# (the waits are long so that a loaded machine cannot fail them; they end
# as soon as what they wait for is there)
"$SESSLUA" --root "$R" dashboard.lua --watch 0.2 --out "$WORK/w.html" > watch.out 2> watch.err &
WPID=$!
for _ in $(seq 150); do [ -s "$WORK/w.html" ] && break; sleep 0.1; done
expect_exists "$WORK/w.html" "--watch writes at once"
first=$(stat -c %i "$WORK/w.html")
sleep 0.7
expect_eq "$(stat -c %i "$WORK/w.html")" "$first" "--watch leaves the page alone while nothing changes"
sl update.lua 1 --working-on "watch-marker-42"
for _ in $(seq 150); do grep -q watch-marker-42 "$WORK/w.html" && break; sleep 0.1; done
expect_file_lacks "$WORK/w.html" "watch-marker-4X" "(sanity)"
grep -q watch-marker-42 "$WORK/w.html" && ok || bad "--watch did not write the change"
kill "$WPID"; wait "$WPID" 2>/dev/null
n=$(grep -c ' wrote ' watch.out)
[ "$n" -ge 2 ] && ok || bad "--watch wrote $n times, expected at start and after the change"
ls -a "$WORK" | grep -q '\.w\.html\.tmp-' && bad "--watch left a temp file" || ok
# with --refresh, the page is made again at that pace though nothing changed
"$SESSLUA" --root "$R" dashboard.lua --watch 0.2 --refresh 1 --out "$WORK/r.html" > /dev/null 2>&1 &
WPID=$!
for _ in $(seq 150); do [ -s "$WORK/r.html" ] && break; sleep 0.1; done
first=$(stat -c %i "$WORK/r.html" 2>/dev/null)
for _ in $(seq 100); do [ "$(stat -c %i "$WORK/r.html")" != "$first" ] && break; sleep 0.1; done
kill "$WPID"; wait "$WPID" 2>/dev/null
[ -n "$first" ] && [ "$(stat -c %i "$WORK/r.html")" != "$first" ] && ok ||
  bad "--watch --refresh 1 did not make the page again within 10 s"

finish
