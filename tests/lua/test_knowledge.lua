-- test_knowledge.lua — sesslua.knowledge: share text can never leave its
-- entry (no forged heading, rule or field line, no moved marker or
-- rewritten Total line), and reads back exactly as typed.
local knowledge = require("sesslua.knowledge")

local failed = 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if not ok then failed = failed + 1; io.stderr:write("FAIL: ", name, ": ", tostring(err), "\n") end
end
local function eq(a, b, what)
  if a ~= b then error(("%s: got %q, expected %q"):format(what, tostring(a), tostring(b)), 2) end
end

local HEADER = "# Shared Learnings\n\n**Total Learnings:** 0\n\n<!-- Sessions add entries below this line -->\n"
local NO_MARKER = "# Notes without a marker\n\nSome text.\n"

local n_entry = 0
local function entry(text, impact)
  n_entry = n_entry + 1
  return knowledge.format_entry({ kind = knowledge.kind("learning"), date = "2025-01-02",
    session = "session-1", category = "Cat" .. n_entry, text = text, impact = impact or "High",
    timestamp = "2025-01-02 03:04:05 UTC" })
end

---Lines of text that start with `**KEY:**` (what a line-oriented reader sees).
local function field_lines(text, key)
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    if line:sub(1, #key + 5) == "**" .. key .. ":**" then n = n + 1 end
  end
  return n
end

local function check_file(text, want_texts, what)
  local es = knowledge.entries(text)
  eq(#es, #want_texts, what .. ": entries")
  eq(knowledge.count(text), #want_texts, what .. ": counted headings")
  for i, e in ipairs(es) do
    eq(e.text, want_texts[i], what .. ": entry " .. i .. " text")
    eq(e.impact, "High", what .. ": entry " .. i .. " impact")
    eq(e.category_field, e.category, what .. ": entry " .. i .. " category field")
  end
  for _, key in ipairs({ "Impact", "Category", "Timestamp", "Shared By", "Learning" }) do
    eq(field_lines(text, key), #want_texts, what .. ": **" .. key .. ":** lines")
  end
end

local HOSTILE = {
  "first line\n**Impact:** Low\n**Category:** Fake\nrest zebra",
  "a\n**Timestamp:** 1999-01-01 00:00:00 UTC\n**Shared By:** mallory",
  "a\n  **Impact:** Low indented",
  "a\n**Learning:** a second learning",
  "a\n**Total Widgets:** 42",
  "a\n### 2025-01-01 - x - forged\n---\nb",
  "a\n   # indented heading\n---- longer rule",
  "a\n\\#typed backslash\n\\-dash\n\\*star\n\\\\two",
  "a\n\\**Impact:** pre-escaped",
  "a\n\n\nblank lines kept",
  "a\n* a list item\n- another\n** not a field",
  "a\n<!-- Sessions add entries below this line -->",
}

test("hostile texts stay inside their entry and read back as typed", function()
  for i, t in ipairs(HOSTILE) do
    local text = knowledge.insert(HEADER, entry(t))
    check_file(text, { t }, "hostile " .. i)
  end
end)

test("the issue's example: old readers see one Impact, High", function()
  local t = "first line\n**Impact:** Low\n**Category:** Fake\nrest zebra"
  local text = knowledge.insert(NO_MARKER, entry(t))
  local impacts = {}
  for v in text:gmatch("\n%*%*Impact:%*%* ([^\n]*)") do impacts[#impacts + 1] = v end
  eq(table.concat(impacts, ","), "High", "impact lines")
  -- it renders the same: the escape is a Markdown backslash before the `*`
  assert(text:find("\n\\**Impact:** Low\n", 1, true), "escaped field line")
end)

test("random texts round-trip", function()
  local pieces = { "#", "##", "### ", "---", "-", "*", "**", "**Impact:**", "**X:** y", "\\",
                   "\\#", "\\\\", " ", "\t", "word", ":", "<!--", "-->", "**Total A:** 9",
                   "```", "~~~", "<div>", "<br>", "===", "\\`", "\\<" }
  local rng = 4242
  local function rand(n) rng = (rng * 1103515245 + 12345) % 2147483648; return rng % n end
  local text, want = HEADER, {}
  for _ = 1, 300 do
    local lines = { "start" }
    for l = 2, 1 + rand(4) do
      local parts = {}
      for p = 1, 1 + rand(3) do parts[p] = pieces[1 + rand(#pieces)] end
      lines[l] = table.concat(parts)
    end
    local t = table.concat(lines, "\n"):gsub("%s+$", "")
    text = knowledge.insert(text, entry(t))
    table.insert(want, 1, t) -- newest first
  end
  check_file(text, want, "random")
  eq(text:match("%*%*Total Learnings:%*%* (%d+)"), "300", "total")
end)

test("a marker quoted in an entry does not move later entries (no header marker)", function()
  local quoted = "see <!-- Sessions add entries below this line --> here"
  local text = knowledge.insert(NO_MARKER, entry(quoted))
  text = knowledge.insert(text, entry("second"))
  text = knowledge.insert(text, entry("third"))
  check_file(text, { quoted, "second", "third" }, "quoted marker")
  eq(text:sub(1, #NO_MARKER), NO_MARKER, "header untouched")
end)

test("the header marker still places entries newest first", function()
  local text = knowledge.insert(HEADER, entry("one"))
  text = knowledge.insert(text, entry("two <!-- Sessions add entries below this line -->"))
  text = knowledge.insert(text, entry("three"))
  check_file(text, { "three", "two <!-- Sessions add entries below this line -->", "one" }, "marker")
end)

test("a Total line inside an entry is not the file's counter", function()
  -- written by the old scripts, which escaped nothing
  local old = NO_MARKER .. "\n### 2025-01-01 - s - c\n\n**Learning:** x\n**Total Widgets:** 42\n"
    .. "**Impact:** High\n**Timestamp:** 2025-01-01 00:00:00 UTC\n**Category:** c\n"
    .. "**Shared By:** s\n\n---\n"
  local text, n = knowledge.insert(old, entry("next"))
  eq(n, 2, "count")
  assert(text:find("\n**Total Widgets:** 42\n", 1, true), "quoted Total line unchanged")
  eq(text:sub(1, #old), old, "old bytes unchanged")
end)

test("a Total line below the marker is set where the insert moved it", function()
  local header = "# L\n\n<!-- Sessions add entries below this line -->\n\n**Total Learnings:** 7\n\n"
  local text, n = knowledge.insert(header, entry("one"))
  eq(n, 1, "count")
  eq(text:match("%*%*Total Learnings:%*%* ([^\n]*)"), "1", "total")
  check_file(text, { "one" }, "total below marker")
end)

test("CRLF header: marker and Total found, entry in CRLF", function()
  local header = HEADER:gsub("\n", "\r\n")
  local text, n = knowledge.insert(header, entry("a\n**Impact:** Low"))
  eq(n, 1, "count")
  assert(not text:find("[^\r]\n"), "every line ends in CRLF")
  assert(text:find("**Total Learnings:** 1\r\n", 1, true), "total")
  eq(knowledge.entries(text)[1].text, "a\n**Impact:** Low", "text")
end)


-- Hand-edited files (tests/fixtures/knowledge, issue 13): entries of every
-- heading shape, Total lines at the top, the bottom or both, a footer, a
-- `##` section between entries, a `###` line inside fenced code.
local md = require("sesslua.md")
local FIXTURES = assert(arg[0]:match("^(.*)/lua/[^/]*$"), "run as tests/lua/<file>") .. "/fixtures/knowledge/"
local function fixture(name)
  local f = assert(io.open(FIXTURES .. name, "rb"))
  local text = f:read("a")
  f:close()
  return text
end
local MARKER = "<!-- Sessions add entries below this line -->\n"

---Field values of an entry, nil shown as "nil", for one-line comparison.
local function shape(e)
  local out = {}
  for _, k in ipairs({ "date", "session", "category", "title", "impact", "label" }) do
    out[#out + 1] = k .. "=" .. tostring(e[k])
  end
  return table.concat(out, " ")
end

test("entries of every heading shape (Total at the top, ### in a fence)", function()
  local text = fixture("top-total.md")
  local es = knowledge.entries(text)
  eq(#es, 4, "entries")
  eq(knowledge.count(text), 4, "count")
  eq(shape(es[1]), "date=2025-11-21 session=session-4 category=Caching title=nil impact=High label=Learning", "DATE - SESSION - Category")
  eq(es[1].text, "warm the redis cache before the load test", "text 1")
  eq(shape(es[2]), "date=2025-11-20 session= category= title=Kickoff impact=Critical label=nil", "DATE (Title)")
  eq(es[2].text, "Kickoff with the platform team: every service gets a health endpoint\n"
    .. "before it ships, and flamingo dashboards are owned by the on-call session.", "prose text")
  eq(es[2].line, 21, "line of the Kickoff heading")
  eq(shape(es[3]), "date=2025-11-19 session=session-2 category=Deploys title=nil impact=Medium label=Learning", "DATE - Category, session from Shared By")
  eq(shape(es[4]), "date= session= category= title=Notes from the retro impact=nil label=nil", "hand-written heading")
  assert(es[4].text:find("### not a heading: a comment in a shell sample", 1, true), "the fenced ### is the entry's text")
  for i = 1, 3 do eq(es[i].stop, es[i + 1].start, "entry " .. i .. " ends where the next starts") end
end)

test("the footer is no entry's text (Total at the bottom)", function()
  local text = fixture("bottom-total.md")
  local es = knowledge.entries(text)
  eq(#es, 3, "entries")
  eq(knowledge.count(text), 3, "count")
  eq(shape(es[2]), "date=2025-11-20 session= category= title=Kickoff impact=nil label=nil", "Kickoff keeps no impact of its neighbours")
  eq(es[2].text, "Nothing was broken yet; we agreed to log every outage here, pelican included.", "Kickoff text")
  local last = text:sub(es[3].start, es[3].stop - 1)
  assert(not last:find("Total Issues", 1, true) and not last:find("Last updated", 1, true),
    "the last entry runs into the footer: " .. last)
  eq(last:match("(%-%-%-)\n*$"), "---", "the last entry keeps its closing rule")
end)

test("a ## section ends an entry; text under it is in none (Total at both ends)", function()
  local text = fixture("both-totals.md")
  local es = knowledge.entries(text)
  eq(#es, 3, "entries")
  eq(knowledge.count(text), 3, "count")
  eq(shape(es[2]), "date=2025-11-20 session= category=Conventions title=Kickoff impact=High label=nil", "category from the field")
  eq(shape(es[3]), "date=2024-06-02 session= category=Logging title=nil impact=Low label=Pattern", "entry under ##")
  local gap = text:find("Kept for reference", 1, true)
  for _, e in ipairs(es) do assert(not (e.start <= gap and gap < e.stop), "gap text inside an entry") end
  assert(not text:sub(es[3].start, es[3].stop - 1):find("Total Patterns", 1, true), "footer in the last entry")
end)

---What share must make of a fixture: the entry right below the marker,
---each of `totals` (literal Total lines) set to n, every other byte kept.
local function expected(text, entry_text, totals, n)
  local at = assert(text:find(MARKER, 1, true)) + #MARKER
  text = text:sub(1, at - 1) .. "\n" .. entry_text .. text:sub(at)
  for _, line in ipairs(totals) do
    local a, b = text:find(line, 1, true)
    while a do
      local set = line:gsub("%d+$", tostring(n))
      text = text:sub(1, a - 1) .. set .. text:sub(b + 1)
      a, b = text:find(line, a + #set, true)
    end
  end
  return text
end

for _, case in ipairs({
  { "top-total.md", { "**Total Learnings:** 2" }, 5 },
  { "bottom-total.md", { "**Total Issues:** 2" }, 4 },
  { "both-totals.md", { "**Total Patterns:** 9" }, 4 },
}) do
  local name, totals, n = case[1], case[2], case[3]
  test("share onto " .. name .. ": every Total line is the count, the rest byte-identical", function()
    for _, crlf in ipairs({ false, true }) do
      local text = fixture(name)
      local e = entry("shared " .. name)
      local want = expected(text, e, totals, n)
      if crlf then text, want = text:gsub("\n", "\r\n"), want:gsub("\n", "\r\n") end
      local got, count = knowledge.insert(text, e)
      eq(count, n, name .. " count")
      eq(got, want, name .. (crlf and " (CRLF)" or "") .. " text")
      eq(knowledge.count(got), n, name .. " counted again")
      eq(knowledge.entries(got)[1].text, "shared " .. name, name .. " newest first")
    end
  end)
end

test("a marker in a fenced sample of the header is not the marker", function()
  local text = "# L\n\n**Total Learnings:** 0\n\n```md\n" .. MARKER .. "### 2020-01-01 - s - sample\n```\n\n"
    .. MARKER .. "\n### 2025-01-01 - s - real\n\n**Learning:** x\n**Impact:** Low\n\n---\n"
  eq(knowledge.count(text), 1, "the sample heading is code")
  local got, n = knowledge.insert(text, entry("new"))
  eq(n, 2, "count")
  local real = assert(text:find(MARKER, text:find("```\n\n", 1, true), true))
  eq(got:sub(1, real - 1):gsub("Learnings:%*%* %d", "Learnings:** 0"), text:sub(1, real - 1), "the sample untouched")
  assert(got:find(MARKER .. "\n### 2025-01-02", 1, true), "the entry goes below the real marker")
  eq(got:match("%*%*Total Learnings:%*%* (%d+)"), "2", "total")
end)

test("no marker: the entry goes after the last one, before the footer", function()
  local text = "# Notes\n\n### 2025-01-01 (Start)\n\nhand notes\n\n---\n\n**Total Notes:** 7\n*Last updated 2025-01-01*\n"
  local got, n = knowledge.insert(text, entry("appended"))
  eq(n, 2, "count")
  local foot = assert(got:find("**Total Notes:** 2\n*Last updated 2025-01-01*\n", 1, true), "footer set and last")
  eq(foot + #"**Total Notes:** 2\n*Last updated 2025-01-01*\n" - 1, #got, "footer still at the bottom")
  local es = knowledge.entries(got)
  eq(es[2].text, "appended", "appended entry read")
  eq(es[1].text, "hand notes", "first entry keeps its text")
end)

test("Total lines in code or with words for a value are left alone", function()
  local text = "# L\n\n**Total Learnings:** see the footer\n\n```\n**Total Learnings:** 3\n```\n\n" .. MARKER
  local got, n = knowledge.insert(text, entry("one"))
  eq(n, 1, "count")
  eq(got:sub(1, #text), text, "header unchanged")
end)

test("a text that leaves a fence or an HTML block open cannot hide later entries", function()
  local texts = { "look:\n```lua\nx = 1", "a\n~~~\nno end", "a\n<!-- an open comment", "a\n<div>\nb",
                  "a\n<br>", "a\n```\nclosed\n```", "a\n\\```\ntyped backslash", "a\n\n" }
  local text, want = HEADER, {}
  for _, t in ipairs(texts) do
    text = knowledge.insert(text, entry(t))
    table.insert(want, 1, t)
  end
  check_file(text, want, "open blocks")
  eq(text:match("%*%*Total Learnings:%*%* (%d+)"), tostring(#texts), "total")
  assert(text:find("\n```\nclosed\n```\n", 1, true), "a closed fence stays a fence")
end)

-- The quick count (lines starting `### `, when nothing below the marker
-- can hide or fake a heading) must equal the section index's.
test("count equals the section index's entries on random files", function()
  local lines = { "### 2025-01-01 - s - c", "### 2025-01-02 (T)", "### hand", "###", "   ### indented",
    "#### deeper", "## Section", "# Top", "```", "~~~", "    ### code", "<div>", "<!-- c -->", "</div>",
    "text", "", "", "---", "Setext", "===", "**Learning:** x", "**Impact:** High",
    "**Total Learnings:** 4", "*Last updated today*", "> ### quoted", "- ### in a list", " # one blank" }
  local rng = 99
  local function rand(n) rng = (rng * 1103515245 + 12345) % 2147483648; return rng % n end
  for round = 1, 400 do
    local parts = { "# L\n\n**Total Learnings:** 0\n\n", rand(4) > 0 and MARKER or "" }
    for _ = 1, rand(30) do parts[#parts + 1] = lines[1 + rand(#lines)] .. "\n" end
    local text = table.concat(parts)
    local full = #knowledge.entries(text)
    eq(knowledge.count(text), full, "round " .. round .. " count: " .. text)
    local got, n = knowledge.insert(text, entry("r" .. round))
    eq(n, #knowledge.entries(got), "round " .. round .. " insert count: " .. got)
    local spans = knowledge.entries(got)
    for a, v in got:gmatch("\n()%*%*Total Learnings:%*%* (%d+)") do
      local inside = md.in_code(got, a)
      for _, e in ipairs(spans) do inside = inside or (e.start <= a and a < e.stop) end
      if not inside then eq(v, tostring(n), "round " .. round .. " Total at " .. a .. ": " .. got) end
    end
  end
end)

if failed > 0 then error(failed .. " test(s) failed", 0) end
print("test_knowledge: ok")
