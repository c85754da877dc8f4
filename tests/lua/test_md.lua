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
io.write("ok md binding\n")
