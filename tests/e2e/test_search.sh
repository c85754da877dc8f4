#!/usr/bin/env bash
# search: scopes (default, --archived, --all, --knowledge [TYPE]), --session,
# --section tiers, --since by each kind of date, -s, -l, -c, --json, the
# grouped output and whole knowledge entries, UTF-8 case folding, fenced
# code, binary files, and exit codes.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
K="$R/shared-knowledge"
mkdir -p "$A" "$R/sessions/ARCHIVE" "$K"
TODAY=$(date +%Y-%m-%d)

# Shared first: session-5 has no log yet, so share leaves the logs alone.
run "$SESSLUA" --session 5 share.lua trouble Redis "Redis needs maxmemory set" high
expect_rc 0 "share a troubleshooting entry (setup)"

# Hand-written logs, so line numbers are known.
cat > "$A/session-12.md" <<'EOF'
# Session 12 - Work Log

**Last Updated:** 2025-11-20 09:00:00

## Current Work

**Working On:** Redis failover

## Blockers & Issues

**Current Blockers:**
- [ ] Redis timeout on deploy

```sh
# redis-cli ping
redis-cli ping
```
- [ ] redis after the fence

## Notes

Café ÉCOLE menu

## Notes Archive

redis old note, menu archived
EOF
cat > "$A/session-5.md" <<'EOF'
# Session 5 - Work Log

**Last Updated:** 2025-10-01 08:00:00

## Session Notes

redis cache warmed
EOF
cat > "$R/sessions/ARCHIVE/session-3-2025-11-10.md" <<'EOF'
# Session 3 - Work Log

## Current Work

**Working On:** redis migration
EOF
printf 'redis in a binary file\0\001\002 redis\n' > "$A/blob.md"
cat > "$K/patterns.md" <<'EOF'
# Reusable Patterns

Knowledge shared by every session.

**Total Patterns:** 1

---

<!-- Sessions add entries below this line -->

### 2025-01-05 - session-2 - Pooling

**Pattern:** reuse redis connections
**Impact:** Low
**Timestamp:** 2025-01-05 10:00:00 UTC
**Category:** Pooling
**Shared By:** session-2

---
EOF
S12="$A/session-12.md" S5="$A/session-5.md"
S3="$R/sessions/ARCHIVE/session-3-2025-11-10.md"
TR="$K/troubleshooting.md" PA="$K/patterns.md"
# files: the sorted -l output, as one line.
files() { printf '%s\n' "$OUT" | sed "s|^$R/||" | sort | tr '\n' ' '; }
# group HEADER: the hit lines printed under that header, as one line.
group() { printf '%s\n' "$OUT" | awk -v h="$1" '$0 == h {on = 1; next} on && /^  [0-9]+: / {printf "%s|", $0; next} {on = 0}'; }

# Default scope: active logs and shared knowledge, not archives, not binaries.
sl search.lua redis
expect_rc 0 "found"
expect_eq "$(group 'session-12 › Current Work')" "  7: **Working On:** Redis failover|" "Current Work group"
expect_eq "$(group 'session-12 › Blockers & Issues › Current Blockers')" \
  "  12: - [ ] Redis timeout on deploy|  15: # redis-cli ping|  16: redis-cli ping|  18: - [ ] redis after the fence|" \
  "a # line in a fence is not a section: one Current Blockers group"
expect_eq "$(group 'session-12 › Notes Archive')" "  26: redis old note, menu archived|" "Notes Archive group"
expect_eq "$(group 'session-5 › Session Notes')" "  7: redis cache warmed|" "session-5 group"
expect_out "### $TODAY - session-5 - Redis" "knowledge entry heading printed"
expect_out "**Troubleshooting:** Redis needs maxmemory set" "knowledge body printed"
expect_out "**Impact:** High" "whole entry: impact"
expect_out "**Shared By:** session-5" "whole entry: shared by"
expect_out "**Pattern:** reuse redis connections" "patterns entry"
printf '%s' "$OUT" | grep -q "migration" && bad "archived log searched by default" || ok
printf '%s' "$OUT" | grep -q "binary" && bad "binary file searched" || ok
sl search.lua redis -l
expect_eq "$(files)" "sessions/ACTIVE/session-12.md sessions/ACTIVE/session-5.md shared-knowledge/patterns.md shared-knowledge/troubleshooting.md " "default scope files (no archive, no binary)"

# A whole entry is printed even when only one line of it matches.
sl search.lua maxmemory
expect_rc 0 "body-only match"
for l in "### $TODAY - session-5 - Redis" "**Category:** Redis" "**Shared By:** session-5"; do
  expect_out "$l" "whole entry for a body match: $l"
done
grep -q '^\*\*Timestamp:\*\* ' <<<"$OUT" && ok || bad "whole entry: timestamp"
sl search.lua "Knowledge shared by every session"
expect_rc 1 "a knowledge file's header is not an entry"

# Scopes.
sl search.lua redis --archived
expect_rc 0 "--archived"
expect_eq "$(group 'session-3 (archived 2025-11-10) › Current Work')" "  5: **Working On:** redis migration|" "archived header and hit"
sl search.lua redis --archived -l
expect_eq "$(files)" "sessions/ARCHIVE/session-3-2025-11-10.md " "--archived searches only archives"
sl search.lua redis --all -l
expect_eq "$(files)" "sessions/ACTIVE/session-12.md sessions/ACTIVE/session-5.md sessions/ARCHIVE/session-3-2025-11-10.md shared-knowledge/patterns.md shared-knowledge/troubleshooting.md " "--all"
sl search.lua redis --knowledge -l
expect_eq "$(files)" "shared-knowledge/patterns.md shared-knowledge/troubleshooting.md " "--knowledge"
sl search.lua redis --knowledge pattern -l
expect_eq "$(files)" "shared-knowledge/patterns.md " "--knowledge pattern"
sl search.lua redis --knowledge trouble -l
expect_eq "$(files)" "shared-knowledge/troubleshooting.md " "--knowledge alias trouble"
sl search.lua redis --knowledge best-practice
expect_rc 1 "--knowledge type without hits"
sl search.lua redis --knowledge bogus
expect_rc 2 "--knowledge unknown type"
expect_err "hint:" "--knowledge unknown type hint"

# --session: logs by file name, knowledge by the entry's session.
sl search.lua redis --session 12 -l
expect_eq "$(files)" "sessions/ACTIVE/session-12.md " "--session 12"
sl search.lua redis --session 5 -l
expect_eq "$(files)" "sessions/ACTIVE/session-5.md shared-knowledge/troubleshooting.md " "--session 5 includes its entries"
sl search.lua redis --session session-2 -l
expect_eq "$(files)" "shared-knowledge/patterns.md " "--session matches entries' session"
sl search.lua redis --session 3 --all -l
expect_eq "$(files)" "sessions/ARCHIVE/session-3-2025-11-10.md " "--session on an archived log"
sl search.lua redis --session 3
expect_rc 1 "archived session not in the default scope"
sl search.lua redis --session "../x"
expect_rc 2 "invalid --session"

# --section: exact, case-insensitive, normalised prefix; the best tier wins.
sl search.lua menu --section Notes
expect_rc 0 "--section exact"
expect_eq "$(group 'session-12 › Notes')" "  22: Café ÉCOLE menu|" "--section Notes"
printf '%s' "$OUT" | grep -q "archived" && bad "--section Notes also matched Notes Archive" || ok
sl search.lua menu --section notes -c
expect_eq "$OUT" "$S12:1" "--section case-insensitive beats prefix"
sl search.lua menu --section "notes arch"
expect_eq "$(group 'session-12 › Notes Archive')" "  26: redis old note, menu archived|" "--section normalised prefix"
sl search.lua redis --section blockers -c
expect_eq "$OUT" "$S12:4" "--section prefix of Blockers & Issues"
sl search.lua redis --section "redis-cli ping"
expect_rc 1 "a # line in a fence is not a section title"
sl search.lua redis --section "No Such Section"
expect_rc 1 "--section without a match"

# --since: archive file name date, knowledge heading date, log Last Updated.
sl search.lua redis --all --since 2025-11-15 -l
expect_eq "$(files)" "sessions/ACTIVE/session-12.md shared-knowledge/troubleshooting.md " "--since 2025-11-15"
sl search.lua redis --all --since 2025-11-10 -l
expect_eq "$(files)" "sessions/ACTIVE/session-12.md sessions/ARCHIVE/session-3-2025-11-10.md shared-knowledge/troubleshooting.md " "--since is inclusive (archive date)"
sl search.lua redis --all --since 2025-01-01 -l
expect_eq "$(files)" "sessions/ACTIVE/session-12.md sessions/ACTIVE/session-5.md sessions/ARCHIVE/session-3-2025-11-10.md shared-knowledge/patterns.md shared-knowledge/troubleshooting.md " "--since early: everything"
sl search.lua redis --knowledge --since 2025-01-06 -l
expect_eq "$(files)" "shared-knowledge/troubleshooting.md " "--since on knowledge entry dates"
sl search.lua redis --since 2025-1-1
expect_rc 2 "--since malformed"

# -s, -c, -l.
sl search.lua redis -c --session 12
expect_eq "$OUT" "$S12:6" "-c counts matching lines, case-insensitive"
sl search.lua Redis -s -c --session 12
expect_eq "$OUT" "$S12:2" "-s case-sensitive"
sl search.lua REDIS -s
expect_rc 1 "-s: no uppercase REDIS"
sl search.lua redis -l --session 12
expect_eq "$OUT" "$S12" "-l prints only the file name"

# UTF-8 case folding.
sl search.lua école
expect_rc 0 "école finds ÉCOLE"
expect_eq "$(group 'session-12 › Notes')" "  22: Café ÉCOLE menu|" "é folds to É"
sl search.lua CAFÉ -l
expect_eq "$OUT" "$S12" "CAFÉ finds Café"
sl search.lua café -s
expect_rc 1 "-s keeps é and É apart"
sl search.lua ÉCOLE -s -l
expect_eq "$OUT" "$S12" "-s exact UTF-8"

# --json
sl search.lua "timeout on deploy" --json
expect_rc 0 "--json"
expect_out '"schema": 1' "json schema"
expect_out '"kind": "search"' "json kind"
expect_out '"query": "timeout on deploy"' "json query"
expect_eq "$(printf '%s' "$OUT" | grep -c '"path": ')" "1" "json: one hit"
expect_out "\"path\": \"$S12\"" "json path"
expect_out '"session": "session-12"' "json session"
expect_out '"section": "Blockers & Issues"' "json section"
expect_out '"line": 12' "json line"
expect_out '"column": 13' "json column"
expect_out '"text": "- [ ] Redis timeout on deploy"' "json text"
secs=$(printf '%s\n' "$OUT" | sed -n '/"sections": \[/,/\]/p' | grep -v 'sections\|\]' | sed 's/^ *//' | tr '\n' '|')
expect_eq "$secs" '"Session 12 - Work Log",|"Blockers & Issues"|' "json sections path"
expect_out '"entry": null' "a log hit's entry is null (the key is always there)"
sl search.lua maxmemory --json
expect_rc 0 "--json knowledge"
entry=$(printf '%s\n' "$OUT" | sed -n '/"entry": {/,/}/p' | sed 's/^ *//' | tr '\n' '|')
expect_eq "$entry" "\"entry\": {|\"category\": \"Redis\",|\"date\": \"$TODAY\",|\"impact\": \"High\",|\"session\": \"session-5\",|\"text\": \"Redis needs maxmemory set\",|\"type\": \"troubleshooting\"|},|" "json knowledge entry"
expect_out "\"path\": \"$TR\"" "json knowledge path"
expect_out '"text": "**Troubleshooting:** Redis needs maxmemory set"' "json knowledge hit line"
sl search.lua zzznothing --json
expect_rc 1 "--json nothing found"
expect_out '"hits": []' "json empty hits"
sl search.lua 'say "hi" \ there' --json
expect_rc 1 "json query with quotes and backslash"
expect_out '"query": "say \"hi\" \\ there"' "json query escaped"
# --json streams one hit at a time: the whole document still parses,
# with many hits and with the Blockers label each hit sits under.
sl search.lua redis --json
expect_rc 0 "--json many hits"
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"] == 1 and len(d["hits"]) > 1' \
  && ok || bad "--json with several hits is one valid document"
expect_out '"label": "Current Blockers"' "json hits carry their **Label:** block"

# Escape sequences written into a log never reach the terminal raw.
printf 'raw \033]0;pwned\007 \033[31mRED zqqz\n' >> "$S12"
sl search.lua zqqz
expect_rc 0 "search finds the line with escapes"
printf '%s' "$OUT" | grep -q $'\033' && bad "an escape sequence printed raw" || ok
expect_out 'raw \x1b]0;pwned\x07 \x1b[31mRED zqqz' "control bytes are shown escaped"

# Exit codes.
sl search.lua zzznothing
expect_rc 1 "nothing found"
expect_eq "$OUT" "" "nothing found prints nothing"
sl search.lua ""
expect_rc 2 "empty query"
sl search.lua
expect_rc 2 "missing query"
sl search.lua redis --all --archived
expect_rc 2 "--all with --archived"
sl search.lua redis --archived --knowledge
expect_rc 2 "--archived with --knowledge"
sl search.lua redis --bogus
expect_rc 2 "unknown option"


sl search.lua anything --since 2026-02-30
expect_rc 2 "an impossible date is refused"

# A symlink committed into ACTIVE never makes sesslua read outside the root.
mkdir -p "$WORK/outside"
printf 'secret-outside-line\n' > "$WORK/outside/private.md"
ln -s "$WORK/outside/private.md" "$A/evil.md"
sl search.lua secret-outside-line
expect_rc 1 "search does not follow a link out of the root"
expect_err "evil.md: not a regular file inside the coordination root; skipped" "the link is reported"
printf '%s' "$OUT" | grep -q secret-outside-line && bad "outside content printed" || ok
sl view.lua evil
expect_rc 5 "view refuses a log that links outside"
expect_err "a symlink to outside the coordination root" "view names why"
sl update.lua evil --note x
expect_rc 5 "update refuses it too"
expect_eq "$(cat "$WORK/outside/private.md")" "secret-outside-line" "the outside file is untouched"
sl status.lua
expect_rc 0 "status skips it"
printf '%s' "$OUT" | grep -q "^evil" && bad "status shows the link" || ok
ln -s session-12.md "$A/alias.md"
sl view.lua alias
expect_rc 0 "a link inside the root is fine"
rm -f "$A/evil.md" "$A/alias.md"


# Hand-edited knowledge files (tests/fixtures/knowledge): a hit is credited
# to the entry it is in, with that entry's own date, category and impact;
# a hit in a header, a footer or text under a `##` section is in no entry.
: "${FIXTURES:?set FIXTURES to tests/fixtures}"
KR="$WORK/hand"
mkdir -p "$KR/shared-knowledge" "$KR/sessions/ACTIVE" "$KR/sessions/ARCHIVE"
cp "$FIXTURES/knowledge/top-total.md" "$KR/shared-knowledge/learnings.md"
cp "$FIXTURES/knowledge/bottom-total.md" "$KR/shared-knowledge/troubleshooting.md"
cp "$FIXTURES/knowledge/both-totals.md" "$KR/shared-knowledge/patterns.md"
ks() { sl --root "$KR" search.lua "$@"; }
jentry() { printf '%s\n' "$OUT" | sed -n '/"entry": {/,/}/p' | sed 's/^ *//' | tr '\n' '|'; }
ks flamingo --knowledge --json
expect_rc 0 "a word in a (Kickoff) entry is found"
expect_eq "$(jentry)" '"entry": {|"category": null,|"date": "2025-11-20",|"impact": "Critical",|"session": null,|"text": "Kickoff with the platform team: every service gets a health endpoint\nbefore it ships, and flamingo dashboards are owned by the on-call session.",|"type": "learning"|},|' \
  "credited to the Kickoff entry, not the Caching entry above it"
ks pelican --knowledge --json
expect_eq "$(jentry)" '"entry": {|"category": null,|"date": "2025-11-20",|"impact": null,|"session": null,|"text": "Nothing was broken yet; we agreed to log every outage here, pelican included.",|"type": "troubleshooting"|},|' \
  "a Kickoff entry without an Impact gets none from its neighbours"
ks otter --knowledge --json
expect_out '"category": "Conventions",' "the category from the entry's own **Category:**"
ks badger --knowledge --json
expect_out '"date": "2024-06-02",' "an entry under a ## section"
expect_out '"category": "Logging",' "DATE - Category heading"
ks walrus --knowledge
expect_rc 0 "a hand-written heading without a date is an entry"
expect_eq "$(printf '%s\n' "$OUT" | head -2 | tr '\n' '|')" "shared-knowledge/learnings.md:38|### Notes from the retro|" \
  "shown as its own entry"
ks "shell sample" --knowledge
expect_rc 0 "a ### line in fenced code is found"
expect_eq "$(printf '%s\n' "$OUT" | head -1)" "shared-knowledge/learnings.md:38" "inside the entry that holds the code"
ks maxmemory --knowledge
expect_rc 0 "the first entry of the bottom-Total file"
printf '%s' "$OUT" | grep -q 'pelican' && bad "the Redis entry runs into the Kickoff entry" || ok
ks "stale records" --knowledge
expect_rc 0 "the last entry before the footer"
printf '%s' "$OUT" | grep -q 'Total Issues\|Last updated' && bad "the last entry runs into the footer: $OUT" || ok
ks "Last updated" --knowledge
expect_rc 1 "a hit in the footer belongs to no entry"
ks "Total Patterns" --knowledge
expect_rc 1 "Total lines at the top and the bottom belong to no entry"
ks "Kept for reference" --knowledge
expect_rc 1 "text under a ## section belongs to no entry"
ks walrus --knowledge --since 2025-01-01
expect_rc 1 "an undated entry is not since any date"
ks flamingo --knowledge --since 2025-11-20 -l
expect_eq "$OUT" "$KR/shared-knowledge/learnings.md" "--since uses the Kickoff entry's own date"
ks blue-green --knowledge --session session-2 -l
expect_eq "$OUT" "$KR/shared-knowledge/learnings.md" "--session from **Shared By:** when the heading names none"
ks flamingo --knowledge --session session-4
expect_rc 1 "the Kickoff entry is not the Caching entry's session"

finish
