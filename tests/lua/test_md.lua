-- sesslua.md's splice edits through the Lua binding: every byte outside the
-- edited span stays identical, whatever the line endings.
local md = require("sesslua.md")

local docs = {
  "# T\n\n**Key:** old value\n\n## A\n\nbody a\n\n## B\r\nbody b\r\n",
  "\239\187\191# Bom\r\n**Status:** Planning\r\n\r\n## 🧠 Learnings & Discoveries\r\n- x\r\n",
  "no heading at all, **Key:** value\n**Key:** second\n",
  "```\n# not a heading\n```\nSetext\n===\n**Progress:** 5%",
}

local rng = 7
local function rand(n) rng = (rng * 1103515245 + 12345) % 2147483648; return rng % n end

for _, text in ipairs(docs) do
  for _ = 1, 200 do
    local a = 1 + rand(#text + 1)
    local b = a + rand(#text + 2 - a)
    local new = md.splice(text, a, b, "<>\n")
    assert(new:sub(1, a - 1) == text:sub(1, a - 1), "bytes before the span")
    assert(new:sub(a + 3) == text:sub(b), "bytes after the span")
  end
  local f = md.field(text, "Key")
  if f then
    local changed = md.set_field(text, "Key", "NEW & $1 %1")
    assert(changed:sub(1, f.value_start - 1) == text:sub(1, f.value_start - 1))
    assert(changed:sub(f.value_start, f.value_start + 10) == "NEW & $1 %1")
    assert(changed:sub(f.value_start + 11) == text:sub(f.value_end), "rest identical")
  end
  for _, sec in ipairs(md.sections(text)) do
    -- replacing a section's body keeps its heading and everything around it
    local new = md.splice(text, sec.heading_end, sec.body_end, "replaced\n")
    assert(new:sub(1, sec.heading_end - 1) == text:sub(1, sec.heading_end - 1))
    assert(new:sub(sec.heading_end + 9) == text:sub(sec.body_end))
  end
end

-- Sections found as cmark finds them, titles plain, lookup tiers.
local s = md.sections(docs[4])
assert(#s == 1 and s[1].title == "Setext" and s[1].level == 1, "fence hides '#', setext counts")
local bom = md.sections(docs[2])
assert(bom[1].title == "Bom" and md.find(bom, "learnings").title == "🧠 Learnings & Discoveries")
assert(md.eol(docs[2]) == "\r\n" and md.eol(docs[1]) == "\n")
assert(md.field(docs[2], "status").value == "Planning", "keys match case-insensitively")
-- Plain titles read emphasis as a heading does, whatever comes first.
assert(md.plain("_Notes_") == "Notes", md.plain("_Notes_"))
assert(md.plain("**(WIP)** Title") == "(WIP) Title")
assert(md.plain("*[draft]* x") == "[draft] x")
assert(md.plain("1. Not a list") == "1. Not a list")
assert(md.plain("> not a quote") == "> not a quote")

-- Titles that are not strings stored in the section never dangle.
collectgarbage("incremental", 0, 1000)
local odd = {}
for i = 1, 2000 do odd[i] = { title = i + 0.5 } end
assert(md.find(odd, "zzz") == nil)
collectgarbage("restart")

-- Task markers are real bytes; ranges start on whole lines.
assert(#md.tasks("\0 [ ] a\n- [\0] b\n") == 0, "NUL is no task marker")
assert(md.field("xx**Key:** v\n", "Key", 3) == nil, "a field must start its line")
assert(md.field("xx\n**Key:** v\n", "Key", 2).value == "v")

-- Fields and tasks inside code are never read or edited (fenced, indented,
-- HTML blocks; in list items and quotes too).
local log = "# Log\n\n## Current Work\n\n```md\n**Working On:** FAKE\n**Progress:** 99%\n" ..
  "- [ ] fake\n```\n\n**Working On:** REAL\n**Progress:** 10%\n\n## Current Blockers\n\n" ..
  "~~~\n- [ ] not a blocker\n~~~\n<!--\n- [ ] commented\n-->\n- [ ] real blocker\n"
local cw = md.find(md.sections(log), "Current Work")
assert(md.field(log, "Working On", cw.heading_end, cw.body_end).value == "REAL")
assert(md.field(log, "Progress").value == "10%")
local keys = {}
for _, f in ipairs(md.fields(log)) do keys[#keys + 1] = f.key .. "=" .. f.value end
assert(table.concat(keys, ",") == "Working On=REAL,Progress=10%", table.concat(keys, ","))
local tasks = md.tasks(log)
assert(#tasks == 1 and tasks[1].text == "real blocker", "only the real blocker")
local edited = md.set_field(md.set_field(log, "Working On", "NEW", cw.heading_end, cw.body_end),
  "Progress", "50%", cw.heading_end, cw.body_end - 1) -- REAL -> NEW: one byte less
assert(edited == log:gsub("REAL", "NEW"):gsub("10%%", "50%%"), "only the real lines change")
assert(md.set_field("```\n**Key:** x\n```\n", "Key", "y") == nil, "a field only in code is absent")
-- a range starting inside a code block still knows it is inside
local inside = log:find("**Progress:** 99%", 1, true)
assert(md.in_code(log, inside) and md.in_code(log, inside + 5) and not md.in_code(log, 1))
assert(md.field(log, "Progress", inside).value == "10%")
assert(md.field(log, "Working On", inside - 3).value == "REAL", "mid-line in code")
assert(#md.tasks(log, inside) == 1)
assert(not md.in_code(log, #log + 1) and not pcall(md.in_code, log, #log + 2))
-- indented code after a paragraph is code; in a list item it is the item's text
assert(md.field("p\n\n    **Key:** x\n", "Key") == nil)
assert(md.field("- a\n\n    **Key:** x\n", "Key").value == "x")

-- The binding keeps the index of the last texts it saw: different strings
-- (same length, same address once the old one is collected) never share
-- an answer.
for i = 1, 300 do
  local fenced = i % 2 == 0
  local t = (fenced and "```\n" or "xxx\n") .. "**K:** v" .. (i % 10) .. "\n" .. (fenced and "```\n" or "xxx\n")
  local f = md.field(t, "K")
  if fenced then assert(f == nil, "fenced " .. i) else assert(f.value == "v" .. (i % 10), "plain " .. i) end
  assert(#md.tasks(t) == 0 and #md.sections(t) == 0)
  if i % 50 == 0 then collectgarbage() end
end
local a1, b1 = ("```\n- [ ] x\n```\n"), ("- [ ] y\n\n- [ ] x\n")
for _ = 1, 3 do
  assert(#md.tasks(a1) == 0 and #md.tasks(b1) == 2, "interleaved texts")
  md.sections(a1 .. "")
end

-- The document object: one parse, every query from its index.
do
  local text = table.concat({
    "# Log", "", "**Status:** Active  ", "", "## Coordination Lessons", "", "prose",
    "", "## 🔗 Coordination", "", "**Current Phase:**", "- [ ] first task", "  still first",
    "- [x] done one", "  1. nested", "  2) other list", "", "```", "- [ ] fenced", "**Fake:** x",
    "```", "", "---", "", "## 🚢 RELEASE DAY", "", "* **Owner:** me", "", "> - quoted", "",
    "**Footer:** one", "**Footer:** two", "",
  }, "\n")
  local d = md.parse(text)
  assert(getmetatable(d).__name == "sesslua.md.doc")
  assert(d:text() == text and d:len() == #text and d:eol() == "\n")
  assert(md.parse("a\r\nb"):eol() == "\r\n")

  -- sections: md.sections' shape, built once
  local secs = d:sections()
  assert(secs == d:sections(), "cached")
  local plain = md.sections(text)
  assert(#secs == #plain and #secs == 4)
  for i, s in ipairs(secs) do
    for _, k in ipairs({ "index", "level", "title", "raw_title", "line", "start",
                         "heading_end", "body_end", "stop", "parent" }) do
      assert(s[k] == plain[i][k], k)
    end
  end

  -- find: prefix (md.find's tiers, and an emoji-only prefix) and exact
  assert(d:find("Coordination").title == "Coordination Lessons", "prefix: first in order")
  assert(d:find("Coordination", "exact").title == "🔗 Coordination", "exact skips prose")
  assert(d:find("coordination lessons", "exact").title == "Coordination Lessons")
  assert(d:find("Coord", "exact") == nil, "exact: no prefix")
  assert(d:find("🚢").title == "🚢 RELEASE DAY" and d:find("🚢", "exact") == nil)
  assert(d:find("release").title == "🚢 RELEASE DAY")
  assert(d:find("nothing") == nil and d:find("") == nil)
  assert(d:find("Log") == secs[1], "the cached section table itself")
  assert(not pcall(d.find, d, "x", "fuzzy"), "how is checked")
  local all = d:find_all("coord")
  assert(#all == 2 and all[1].title == "Coordination Lessons" and all[2].title == "🔗 Coordination")
  assert(#d:find_all("🚢") == 1 and #d:find_all("zzz") == 0)

  -- items: the shallowest depth in a range, or the one asked for
  local coord = d:find("Coordination", "exact")
  local items = d:items(coord.heading_end, coord.body_end)
  assert(#items == 2, #items)
  local a, b = items[1], items[2]
  assert(a.text == "first task" and a.done == false and a.marker == "-" and a.number == nil)
  assert(text:sub(a.start, a.stop - 1) == "- [ ] first task\n  still first\n", "continuation kept")
  assert(text:sub(a.text_start, a.text_end - 1) == a.text and a.depth == 0)
  assert(a.line == d:line(a.start) and a.line == 12)
  assert(b.done == true and text:sub(b.start, b.stop - 1):match("2%) other list\n$"), "nested in stop")
  local nested = d:items(coord.heading_end, coord.body_end, 1)
  assert(#nested == 2 and nested[1].number == 1 and nested[1].marker == "."
         and nested[2].number == 2 and nested[2].marker == ")" and nested[1].depth == 1)
  assert(nested[1].index == b.index + 1, "index: position in the document's items")
  local every = d:items()
  assert(#every == 4, "the fenced '- [ ]' is no item; the quoted one is, at depth 0") -- a, b, owner, quoted
  assert(every[4].text == "quoted" and every[3].text == "**Owner:** me" and every[3].marker == "*")
  assert(#d:items(1, coord.heading_end) == 0)
  assert(not pcall(d.items, d, 1, 2, -1))
  -- item_texts: the same items' texts, filtered by task state
  local function joined(t) return table.concat(t, "|") end
  assert(joined(d:item_texts(coord.heading_end, coord.body_end)) == "first task|" .. b.text)
  assert(joined(d:item_texts(coord.heading_end, coord.body_end, "todo")) == "first task")
  assert(joined(d:item_texts(coord.heading_end, coord.body_end, "open")) == "first task")
  assert(#d:item_texts() == 4 and d:item_texts()[3] == "**Owner:** me", "non-tasks are open")
  assert(joined(d:item_texts(nil, nil, "open")) == "first task|**Owner:** me|quoted")
  assert(not pcall(d.item_texts, d, 1, 2, "done"), "which is checked")

  -- blocks: the document's children starting in the range
  local kinds = {}
  for _, blk in ipairs(d:blocks()) do kinds[#kinds + 1] = blk.kind end
  assert(table.concat(kinds, " ") == "heading paragraph heading paragraph heading paragraph " ..
         "list code break heading list quote paragraph", table.concat(kinds, " "))
  local fence = d:blocks(coord.heading_end, coord.body_end)[3]
  assert(fence.kind == "code" and text:sub(fence.start, fence.stop - 1) ==
         "```\n- [ ] fenced\n**Fake:** x\n```\n" and fence.line == 18)

  -- fields: both forms, code skipped, where a **Label:** block ends
  local keys = {}
  for _, f in ipairs(d:fields()) do keys[#keys + 1] = f.key .. (f.bullet and "*" or "") end
  assert(table.concat(keys, ",") == "Status,Current Phase,Owner*,Footer,Footer", table.concat(keys, ","))
  local phase = d:field("current phase")
  assert(phase.value == "" and not phase.bullet)
  assert(text:sub(phase.block_end, phase.block_end + 2) == "---", "block ends at the break")
  local st = d:field("Status")
  assert(st.value == "Active" and text:sub(st.value_start, st.value_end - 1) == "Active")
  assert(text:sub(st.block_end):sub(1, 25) == "## Coordination Lessons\n\n")
  assert(st.line_end == st.line_start + #"**Status:** Active  \n")
  local owner = d:field("owner")
  assert(owner.bullet == true and owner.value == "me" and owner.block_end == nil)
  assert(d:field("Fake") == nil, "a field in code is none")
  assert(d:field("Footer").value == "one" and d:last_field("Footer").value == "two")
  assert(d:last_field("footer").block_end == #text + 1, "the last block runs to the end")
  assert(d:field("Owner", 1, coord.body_end) == nil, "a range limits the lines read")

  -- code, lines
  assert(d:in_code(text:find("- [ ] fenced", 1, true)) and not d:in_code(1))
  local runs = d:code()
  assert(#runs == 1 and runs[1].start == fence.start and runs[1].stop == fence.stop)
  assert(#d:code(1, fence.start) == 0 and #d:code(fence.start + 5, fence.start + 6) == 1)
  assert(d:line(1) == 1 and d:line(#text + 1) == 33 and d:line(text:find("prose", 1, true)) == 7)
  assert(not pcall(d.line, d, 0) and not pcall(d.line, d, #text + 2))
  local crlf = md.parse(("x\r\n"):rep(3000) .. "\ry\r\n")
  assert(crlf:line(3 * 3000 + 1) == 3001 and crlf:line(3 * 3000 + 2) == 3002 and crlf:line(2) == 1)
  assert(crlf:line(3) == 1 and crlf:line(4) == 2, "the LF of a CRLF is on its line")

  -- splice: a new Doc; the receiver is unchanged
  local e = d:splice(coord.heading_end, coord.heading_end, "**Collaborations:** none\n")
  assert(e ~= d and getmetatable(e).__name == "sesslua.md.doc")
  assert(e:text() == md.splice(text, coord.heading_end, coord.heading_end, "**Collaborations:** none\n"))
  assert(d:text() == text and d:field("Collaborations") == nil)
  assert(e:field("collaborations").value == "none" and #e:items() == 4)
  assert(e:find("Coordination", "exact").body_end == coord.body_end + 25)

  -- closing: <close> and __gc share one function, safe twice
  do
    local c <close> = md.parse("# T\n")
    assert(c:find("T"))
  end
  local z = md.parse("- a\n")
  getmetatable(z).__close(z)
  getmetatable(z).__gc(z)
  local ok, err = pcall(z.items, z)
  assert(not ok and err:match("closed document"), err)
  assert(not pcall(md.parse, {}) and not pcall(d.items, {}, 1))
end

-- A FIFO where a file belongs is refused, never waited on.
local fs = require("sesslua.fs")
local search = require("sesslua.search")
local dir = os.tmpname()
os.remove(dir)
assert(fs.mkdir(dir))
local fifo = dir .. "/f.md"
if os.execute("mkfifo " .. fifo .. " 2>/dev/null") then
  local ok, _, code = fs.read(fifo)
  assert(ok == nil and code == "EINVAL", "fs.read refuses a FIFO: " .. tostring(code))
  local r = search.files({ fifo }, "x")
  assert(#r.errors == 1 and r.errors[1].code == "EINVAL", "search skips a FIFO")
end
os.execute("rm -rf " .. dir)
io.write("ok md binding\n")
