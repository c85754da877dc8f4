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
