-- test_search.lua — sesslua.search against real files in a temp folder.
local search = require("sesslua.search")

local dir = os.tmpname() -- a fresh unique name; we turn it into a folder
os.remove(dir)
assert(os.execute("mkdir -m 700 '" .. dir .. "'"), "cannot create " .. dir)

local created = {}
local function write(name, text)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  assert(f:write(text))
  assert(f:close())
  created[#created + 1] = path
  return path
end

local function cleanup()
  for _, path in ipairs(created) do os.remove(path) end
  os.remove(dir .. "/sub")
  os.remove(dir)
end

local log = write("log.md", table.concat({
  "deploy before any heading",       -- 1
  "# Session Log",                    -- 2
  "## Progress",                      -- 3
  "- fixed the DEPLOY script, deploy", -- 4
  "### **Deploy** Details",           -- 5
  "nothing here",                     -- 6
  "## Notes",                         -- 7
  "redeploy tomorrow",                -- 8
}, "\n") .. "\n")
local crlf = write("crlf.md", "# Top\r\nsome text\r\nDeploy here\r\n")
local none = write("none.md", "# Nothing\nto see\n")
local bin = write("bin.md", "deploy\0deploy\n")
local missing = dir .. "/missing.md"
os.execute("mkdir '" .. dir .. "/sub'")
local folder = dir .. "/sub"

-- hits, sections, binary skip, errors, file order --------------------------
local res = assert(search.files({ log, none, bin, missing, crlf, folder }, "deploy"))
local hits = res.hits

assert(#hits == 5, "expected 5 hits, got " .. #hits)
assert(hits[1].path == log and hits[1].line == 1 and hits[1].column == 1)
assert(hits[1].offset == 1)
assert(#hits[1].sections == 0, "a hit before any heading has no section")

assert(hits[2].line == 4 and hits[2].column == 13, "first match on the line")
assert(hits[2].text == "- fixed the DEPLOY script, deploy")
assert(hits[2].sections[1] == "Session Log" and hits[2].sections[2] == "Progress")
assert(#hits[2].sections == 2)

assert(hits[3].line == 5, "a heading line is inside its own section")
local s3 = hits[3].sections
assert(#s3 == 3 and s3[3] == "Deploy Details", "plain title: " .. tostring(s3[3]))

assert(hits[4].line == 8 and hits[4].column == 3)
assert(hits[4].sections[2] == "Notes" and #hits[4].sections == 2)

assert(hits[5].path == crlf and hits[5].line == 3)
assert(hits[5].text == "Deploy here", "CRLF: the line excludes the \\r")
assert(hits[5].sections[1] == "Top")

for _, h in ipairs(hits) do
  assert(h.path ~= bin, "binary files are skipped")
  local f = assert(io.open(h.path, "rb"))
  local text = f:read("a")
  f:close()
  assert(text:sub(h.offset, h.offset + 5):lower() == "deploy", "offset is 1-based")
end

assert(#res.files == 2)
assert(res.files[1].path == log and res.files[1].count == 4)
assert(res.files[2].path == crlf and res.files[2].count == 1)

assert(#res.errors == 2)
assert(res.errors[1].path == missing and res.errors[1].code == "ENOENT")
assert(res.errors[1].message:find(missing, 1, true) == 1, "message names the path")
assert(res.errors[2].path == folder and res.errors[2].code == "EISDIR")

-- options ------------------------------------------------------------------
res = assert(search.files({ log, crlf }, "deploy", { icase = false }))
assert(#res.hits == 3, "case-sensitive: lines 1, 4 and 8")

res = assert(search.files({ log, crlf }, "deploy", { count_only = true }))
assert(#res.hits == 0 and res.files[1].count == 4 and res.files[2].count == 1)

res = assert(search.files({ log, none, crlf }, "deploy", { files_only = true }))
assert(#res.hits == 0 and #res.files == 2 and res.files[2].path == crlf)

res = assert(search.files({ log, crlf }, "deploy", { max_hits = 2 }))
assert(#res.hits == 2 and #res.files == 1)

res = assert(search.files({ log }, "progress", { sections = false }))
assert(#res.hits == 1 and res.hits[1].sections == nil)

res = assert(search.files({}, "x"))
assert(#res.hits == 0 and #res.files == 0 and #res.errors == 0)

-- streaming: an iterator of paths and a per-file callback ----------------
do
  local list, i = { log, none, bin, missing, crlf }, 0
  local seen = {}
  local r = search.files(function() i = i + 1; return list[i] end, "deploy", {
    each = function(file)
      assert(file.hits and #file.hits == file.count, "each file carries its hits")
      seen[#seen + 1] = file
    end })
  assert(#seen == 2 and seen[1].path == log and seen[1].count == 4 and seen[2].path == crlf)
  assert(seen[1].hits[2].line == 4 and seen[1].hits[2].sections[2] == "Progress")
  assert(#r.hits == 0 and #r.files == 0, "with each, nothing is collected")
  assert(r.count == 5 and r.matched_files == 2, "totals are still given")
  assert(#r.errors == 1 and r.errors[1].code == "ENOENT", "errors are still collected")
  -- count_only with each: counts only, no hit list
  local counts = {}
  search.files({ log, crlf }, "deploy", { count_only = true,
    each = function(file) counts[#counts + 1] = file.count; assert(file.hits == nil) end })
  assert(counts[1] == 4 and counts[2] == 1)
  -- an error in the callback propagates, and nothing leaks (ASan/valgrind)
  assert(not pcall(search.files, { log }, "deploy", { each = function() error("stop") end }))
  assert(not pcall(search.files, function() return 42 end, "x"), "an iterator must give strings")
  assert(not pcall(search.files, { log }, "x", { each = "not a function" }))
end

-- an error in `each` or `head` while other files are still in flight on
-- other threads: they finish on what the state owns (ASan, helgrind)
do
  local many = {}
  for i = 1, 200 do many[i] = log end
  for _ = 1, 20 do
    assert(not pcall(search.files, many, "deploy", { threads = 4, each = function() error("stop") end }))
    assert(not pcall(search.files, many, "deploy", { threads = 4, print = "json",
      fields = { "x" }, head = function() error("stop") end }))
    collectgarbage()
  end
  -- head as a table: each value false or "stem", checked before any file
  assert(not pcall(search.files, many, "deploy", { print = "text", head = { "name" } }))
  assert(not pcall(search.files, many, "deploy", { print = "text", head = { true } }))
  assert(not pcall(search.files, many, "deploy", { print = "text",
    head = { false, false, false, false, false, false, false, false, "stem" } }))
  assert(not pcall(search.files, many, "deploy", { print = "text", head = "stem" }))
  local r = search.files(many, "deploy", { threads = 4, count_only = true })
  assert(r.count == 800 and r.matched_files == 200, "a search after them is whole")
end

-- files around the size one read takes (64 KiB): the last line is read
-- whether the first read ends short of it, at it, or before it; on one
-- thread and on four
do
  local paths, line = {}, ("x"):rep(63) .. "\n"
  for _, size in ipairs({ 65535, 65536, 65537, 131072, 131077, 200000 }) do
    local tail = "tail needle\n"
    local body = line:rep((size - #tail) // #line)
    body = body .. ("y"):rep(size - #tail - #body) .. tail
    assert(#body == size)
    paths[#paths + 1] = write(("size-%d.md"):format(size), body)
  end
  for _, threads in ipairs({ 1, 4 }) do
    local r = search.files(paths, "needle", { threads = threads })
    assert(#r.hits == #paths and #r.errors == 0, "each file's last line: " .. #r.hits)
    for i, h in ipairs(r.hits) do
      assert(h.path == paths[i] and h.text:sub(-11) == "tail needle", h.path)
      local size = tonumber(h.path:match("size%-(%d+)%.md$"))
      assert(h.offset == size - 6, h.path .. " " .. h.offset .. " " .. size) -- 1-based, "needle"
    end
  end
  local empty = write("empty.md", "")
  local r = search.files({ empty }, "needle")
  assert(#r.hits == 0 and #r.errors == 0, "an empty file: nothing, no error")
end

-- labels: a hit on a label line is under its own label --------------------
do
  local lab = write("labels.md", "# Log\n## Learnings\n**2026-01-01 - X:**\n- one\n"
    .. "**2026-01-02 - asyncio gather:**\n- use asyncio\n")
  local r = search.files({ lab }, "asyncio", { labels = true })
  assert(#r.hits == 2)
  assert(r.hits[1].line == 5 and r.hits[1].label == "2026-01-02 - asyncio gather", tostring(r.hits[1].label))
  assert(r.hits[2].line == 6 and r.hits[2].label == "2026-01-02 - asyncio gather")
end

-- labels: a label quoted in code is text, never the label of a hit --------
do
  local lab = write("code-labels.md", "# Log\n## Blockers\n**Current Blockers:**\n"
    .. "```\n**Fake Label:**\n```\n- kafka lag\n\n    **Indented:**\n\nkafka again\n")
  local r = search.files({ lab }, "kafka", { labels = true })
  assert(#r.hits == 2)
  assert(r.hits[1].label == "Current Blockers", tostring(r.hits[1].label))
  assert(r.hits[2].label == "Current Blockers", tostring(r.hits[2].label))
  local own = write("code-own.md", "# Log\n**Real:**\n```\n**kafka:**\n```\n")
  r = search.files({ own }, "kafka", { labels = true })
  assert(#r.hits == 1 and r.hits[1].label == "Real", tostring(r.hits[1].label))
end

-- search.line_starts: several prefixes counted in one pass ------------------
do
  local t = "### a\n# b\n  #x\n<div>\n### c\nnot ### d\n"
  local a, b, c, d = search.line_starts(t, { "### ", "#", "  #", "<" })
  assert(a == 2 and b == 3 and c == 1 and d == 1, table.concat({ a, b, c, d }, " "))
  a = search.line_starts(t, { "### " }, 3) -- from mid-line: counts from the next line
  assert(a == 1, a)
  assert(search.line_starts("", { "#" }) == 0)
  assert(not pcall(search.line_starts, t, { "" }), "an empty prefix raises")
  assert(search.count_lines("  x\n  y\n z", "  ") == 2, "count_lines, a blank prefix")
end

-- search.buffer ------------------------------------------------------------
local b = search.buffer("Ёлка\nёлка ЁЛКА\nnothing", "ёлка")
assert(#b == 2 and b[1].line == 1 and b[2].line == 2 and b[2].column == 1)
assert(b[2].text == "ёлка ЁЛКА" and b[2].offset == 10)
assert(#search.buffer("café CAFÉ", "CAFÉ", { icase = false }) == 1)

-- letters whose cases differ in UTF-8 length ------------------------------
do
  local function n(text, needle, o) return #search.buffer(text, needle, o) end
  local K = "\u{212A}" -- KELVIN SIGN, 3 bytes; k is 1
  assert(n("the " .. K .. "afka broker", "kafka") == 1, "KELVIN SIGN in the text")
  assert(n("the kafka broker", K .. "AFKA") == 1, "KELVIN SIGN in the needle")
  assert(n("STRAẞE", "straße") == 1 and n("straße", "STRAẞE") == 1, "ẞ and ß")
  assert(n("ſtop", "STOP") == 1, "long s")
  assert(n("ångström", "\u{212B}NGSTRÖM") == 1, "ANGSTROM SIGN")
  assert(n("ss", "ß") == 0, "simple folding: ß is not ss")
  assert(n("ſ" .. K, "SK") == 1, "a needle of such letters only")
  assert(n("İstanbul", "istanbul") == 0 and n("ılık", "ILIK") == 0, "Turkish İ and ı keep their case")
  assert(n("xx flaky tesX flaky test", "flaky test") == 1, "an anchor that fails to extend")
  local h = search.buffer("a " .. K .. "afka\nkafka", "kafka")
  assert(#h == 2 and h[1].column == 3 and h[1].length == 7 and h[2].line == 2)
  assert(n("KAFKA", "kafka", { icase = false }) == 0)
end

-- regular expressions and whole words ---------------------------------------
do
  local function lines(text, needle, o)
    local out = {}
    for _, h in ipairs(search.buffer(text, needle, o)) do out[#out + 1] = h.line end
    return table.concat(out, ",")
  end
  local t = "deploy started\nrollback done\nredeployed\nnothing\n"
  assert(lines(t, "deploy|rollback", { regex = true }) == "1,2,3")
  assert(lines(t, "^r", { regex = true }) == "2,3", "^ at each line start")
  assert(lines(t, "done$", { regex = true }) == "2", "$ at each line end")
  assert(lines(t, "deploy", { word = true }) == "1", "-w: redeployed is no whole word")
  assert(lines(t, "started.rollback", { regex = true }) == "", "a match never spans lines")
  assert(lines(t, "DEPLOY", { regex = true, icase = false }) == "")
  assert(lines("a.c abc\n", "a.c", { word = true }) == "1", "a word is a literal")
  assert(lines("x\xff kafka\n", "kafka", { regex = true }) == "1", "invalid UTF-8 is searched")
  local ok, err = pcall(search.buffer, t, "dep(loy", { regex = true })
  assert(not ok and err:find("bad pattern: missing closing parenthesis", 1, true), err)
  local h = search.buffer("xx DEPLOYS", "deploy\\w", { regex = true })[1]
  assert(h.column == 4 and h.length == 7)
end

-- opts.dir: names in a folder, each path made in C ----------------------
do
  local r = search.files({ "log.md", "missing.md", "crlf.md" }, "deploy", { dir = dir })
  assert(r.files[1].path == log and r.files[2].path == crlf and r.count == 5, "paths are dir/name")
  assert(r.hits[1].path == log and #r.errors == 1 and r.errors[1].path == dir .. "/missing.md")
  local names, i = { "log.md" }, 0
  r = search.files(function() i = i + 1; return names[i] end, "deploy", { dir = dir, count_only = true })
  assert(r.files[1].path == log and r.files[1].count == 4, "an iterator of names too")
  assert(not pcall(search.files, { "log.md" }, "x", { dir = 42 }), "dir must be a string")
end

-- beneath the root: a file that is a link out of it is never read -------
do
  local outside = os.tmpname() -- a file outside dir, with a word in it
  local f = assert(io.open(outside, "wb"))
  assert(f:write("# Outside\nprivate deploy\n"))
  assert(f:close())
  local link = dir .. "/out.md"
  assert(os.execute("ln -s '" .. outside .. "' '" .. link .. "'"))
  created[#created + 1] = link
  local saved = package.loaded["sesslua.context"]
  package.loaded["sesslua.context"] = { root = dir } -- what search opens beneath
  local ok, r = pcall(search.files, { link, log }, "private", { threads = 2 })
  package.loaded["sesslua.context"] = saved
  os.remove(outside)
  assert(ok, r)
  assert(r.count == 0 and #r.hits == 0, "the file the link leads to is not read")
  assert(#r.errors == 1 and r.errors[1].path == link and r.errors[1].code == "EXDEV")
  assert(r.errors[1].message == link .. ": a symlink out of the root (to " .. outside .. "); refused",
    r.errors[1].message)
end

-- misuse raises ------------------------------------------------------------
assert(not pcall(search.files, { log }, ""), "empty needle is misuse")
assert(not pcall(search.files, { log, 42 }, "x"), "paths must be strings")
assert(not pcall(search.files, "not a table", "x"))
assert(not pcall(search.buffer, "text", "x", { max_hits = 0 }))

-- count_lines: line starts only, with the digit mask.
local t = "### 2025-11-15 - a - b\ntext ### 2025-11-15 - x\n### 2025-1x-15 - c\n### 2026-01-02 - d - e"
assert(search.count_lines(t, "### ", "9999-99-99 - ") == 2, "two dated headings at line starts")
assert(search.count_lines(t, "### ") == 3, "three line starts without a mask")
assert(search.count_lines("", "### ") == 0)
assert(not pcall(search.count_lines, t, ""), "an empty prefix is misuse")

cleanup()
print("ok")
