#!/usr/bin/env bash
# The man pages made at build time and the user guide, against what each
# workflow declares (`sesslua --describe`): a page per workflow that names
# every option, sesslua(1) listing them, groff without warnings; the guide
# naming every option in the workflow's own section, and its day example
# running as written.
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?set BUILD_DIR to the build folder}"
: "${SESSLUA_SRC:?set SESSLUA_SRC to the source folder}"
man="$BUILD_DIR/man"
guide="$SESSLUA_SRC/docs/user-guide.md"

# "workflow alias" for every option of every built-in workflow and of each
# of its commands (message send ...), read from --describe's JSON.
cat > options.lua <<'EOF'
local json = require("sesslua.json")
local function walk(w, d)
  for _, o in ipairs(d.options) do
    for _, a in ipairs(o.aliases) do
      if a ~= "-h" and a ~= "--help" then io.write(w, " ", a, "\n") end
    end
  end
  for _, c in ipairs(d.commands or {}) do walk(w, c) end
end
for _, d in ipairs(json.decode(io.read("a"))) do walk((d.name:gsub("%.lua$", "")), d) end
EOF
"$SESSLUA" --describe > describe.json
run "$SESSLUA" "$WORK/options.lua" < describe.json
expect_rc 0 "the options of every workflow, from --describe"
printf '%s\n' "$OUT" > options.txt
workflows=$(cut -d' ' -f1 options.txt | sort -u)
[ "$(printf '%s\n' "$workflows" | wc -l)" -ge 15 ] && ok || bad "--describe lists the built-ins: $workflows"
grep -qx "update --learning" options.txt && ok || bad "options.txt holds update's --learning"

# render PAGE: the page as a person reads it, in plain ASCII.
render() { LC_ALL=C MANWIDTH=200 man -l "$1" 2>/dev/null | col -b; }
# has_word TEXT WORD: WORD stands alone (--status, not --service-status).
has_word() { printf '%s\n' "$1" | grep -qE -- "(^|[^-[:alnum:]])$2([^-[:alnum:]]|\$)"; }

expect_exists "$man/sesslua.1.gz" "sesslua(1), gzipped"
main_page=$(render "$man/sesslua.1")
for w in $workflows; do
  expect_exists "$man/sesslua-$w.1" "sesslua-$w(1) made"
  expect_exists "$man/sesslua-$w.1.gz" "sesslua-$w(1) gzipped"
  has_word "$main_page" "sesslua-$w\\(1\\)" && ok || bad "sesslua(1) lists sesslua-$w(1)"
  page=$(render "$man/sesslua-$w.1")
  has_word "$page" "sesslua-$w" && ok || bad "sesslua-$w(1) renders: $page"
  while read -r _ alias; do
    has_word "$page" "$alias" && ok || bad "sesslua-$w(1) names $alias"
  done < <(grep "^$w " options.txt)
  # the workflow's section of the guide names each of its options
  section=$(sed -n "/^### $w /,/^##/p" "$guide")
  [ -n "$section" ] && ok || bad "docs/user-guide.md has a section '### $w — ...'"
  while read -r _ alias; do
    has_word "$section" "$alias" && ok || bad "docs/user-guide.md, $w: names $alias"
  done < <(grep "^$w " options.txt)
done
has_word "$(render "$man/sesslua-search.1")" "--files-with-matches" && ok || bad "a long alias after a short one"
has_word "$(render "$man/sesslua-update.1")" "TOPIC TEXT" && ok || bad "an option's value names"
has_word "$(render "$man/sesslua-status.1")" "One of: id, progress, updated\\." && ok || bad "an option's choices"
# groff has nothing to say about any page
for p in "$man"/*.1; do
  warn=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
  expect_eq "$warn" "" "groff warnings for $(basename "$p")"
done

# The guide's day example runs as written, on a log made for it.
mkdir day && cd day
"$SESSLUA" create.lua 12 "DevOps Engineer" "Ship the schema" >/dev/null
day=$(sed -n '/^## A session.s day/,/^## /s/^    //p' "$guide")
printf '%s' "$day" | grep -q '^sesslua archive 12' && ok || bad "the day example ends in archive: $day"
mkdir bin && ln -s "$SESSLUA" bin/sesslua
run env PATH="$PWD/bin:$PATH" bash -e -c "$day" < /dev/null
expect_rc 0 "docs/user-guide.md's day runs as written"
expect_out "ready for handoff" "the day's handoff passes"
expect_exists "$(ls docs/coordination/sessions/ARCHIVE/session-12-*.md 2>/dev/null | head -1)" "the day ends archived"
cd "$WORK"

finish
