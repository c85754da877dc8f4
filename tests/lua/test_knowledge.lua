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
                   "\\#", "\\\\", " ", "\t", "word", ":", "<!--", "-->", "**Total A:** 9" }
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

if failed > 0 then error(failed .. " test(s) failed", 0) end
print("test_knowledge: ok")
