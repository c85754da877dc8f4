-- test_parse_ahead.lua — md.parse_ahead: the document objects it hands out
-- are md.parse's, in order, on one thread and on several; anything it
-- could not do plainly is nil, for the caller to do itself. Works in a
-- fresh folder under $TMPDIR (or /tmp) and removes it whatever happens.
-- The thread count comes from SESSLUA_THREADS, read when each object is
-- made; the e2e test test_status_threads.sh runs status on 1 and 4.

local fs = require("sesslua.fs")
local md = require("sesslua.md")
local sys = require("sesslua.sys")

local tmp = os.getenv("TMPDIR") or "/tmp"
local dir = string.format("%s/sesslua-test-ahead-%d-%d", tmp, sys.getpid(),
                          math.random(1, 1 << 30))
assert(fs.mkdir(dir))

-- The same document as md.parse's: sections, items, blocks, code.
local function same(a, b, what)
  assert(a:text() == b:text(), what .. ": text")
  local function flat(d)
    local out = {}
    for _, s in ipairs(d:sections()) do
      out[#out + 1] = table.concat({ "s", s.level, s.title, s.start, s.heading_end, s.body_end }, "|")
    end
    for _, it in ipairs(d:items()) do
      out[#out + 1] = table.concat({ "i", it.line, it.depth, it.marker, tostring(it.done), it.text, it.start, it.stop }, "|")
    end
    for _, bl in ipairs(d:blocks()) do
      out[#out + 1] = table.concat({ "b", bl.kind, bl.start, bl.stop }, "|")
    end
    for _, c in ipairs(d:code()) do out[#out + 1] = "c|" .. c.start .. "|" .. c.stop end
    return table.concat(out, "\n")
  end
  assert(flat(a) == flat(b), what .. ": structure differs")
end

local ok, err = pcall(function()
  -- many small files and a few bigger ones, so that workers run ahead
  local paths, texts = {}, {}
  for i = 1, 120 do
    local parts = { ("# Log %d\n\n**Status:** Active\n\n## Current Work\n\n"):format(i) }
    for k = 1, (i % 7 == 0) and 4000 or 12 do
      parts[#parts + 1] = ("- [%s] task %d of %d\n"):format(k % 2 == 0 and "x" or " ", k, i)
    end
    parts[#parts + 1] = "\n```\n# not a heading\n```\n\n## Next Steps\n1. more\n"
    local path = ("%s/log-%03d.md"):format(dir, i)
    texts[i] = table.concat(parts)
    assert(fs.write(path, texts[i]))
    paths[i] = path
  end

  -- every file, in order: md.parse's document each time
  do
    local ahead <close> = md.parse_ahead(paths)
    for i, path in ipairs(paths) do
      local d = ahead:take(path)
      assert(d, "take " .. path)
      same(d, md.parse(texts[i]), path)
    end
    assert(ahead:take(paths[1]) == nil, "past the end: nil")
  end

  -- the text stays in C until asked for: queries before d:text() read the
  -- same bytes, d:text() gives one string every time, a closed Doc none;
  -- a log Doc (log.open) gives doc.text on first use
  do
    local log = require("sesslua.log")
    local ahead <close> = md.parse_ahead({ paths[7], paths[8], paths[9] })
    local d = assert(ahead:take(paths[7]))
    local p = md.parse(texts[7])
    assert(d:len() == #texts[7], "length before the text is made")
    local sec = d:section_keyed(md.normalize("Current Work"))
    assert(sec and sec.start == p:section_keyed(md.normalize("Current Work")).start)
    assert(#d:item_texts(sec.heading_end, sec.body_end) == 4000, "items before the text")
    local t = d:text()
    assert(t == texts[7] and rawequal(t, d:text()), "one string")
    same(d, p, "after the text is made")
    d:close()
    assert(not pcall(d.text, d), "closed: no text")
    local lg = assert(log.open(paths[8], ahead))
    assert(rawget(lg, "text") == nil, "not made before use")
    assert(lg.text == texts[8] and rawequal(lg.text, lg.md:text()), "doc.text on first use")
    assert(ahead:take(paths[9]), "the last one") -- left to the collector unread
  end

  -- out of order: nil, and the list goes on from where it was
  do
    local ahead <close> = md.parse_ahead(paths)
    assert(ahead:take(paths[2]) == nil, "not the next file: nil")
    assert(ahead:take(paths[1]), "the next file still comes")
    assert(ahead:take(paths[2]), "and the one after")
  end

  -- a file that cannot be read (missing, a folder) is nil, and the rest
  -- still come; the caller's fs.read then says why
  do
    local list = { paths[1], dir .. "/missing.md", dir, paths[3] }
    local ahead <close> = md.parse_ahead(list)
    assert(ahead:take(list[1]))
    assert(ahead:take(list[2]) == nil, "missing file: nil")
    local _, msg, code = fs.read(list[2])
    assert(code == "ENOENT" and msg:find("missing.md", 1, true), msg)
    assert(ahead:take(list[3]) == nil, "a folder: nil")
    same(assert(ahead:take(list[4])), md.parse(texts[3]), "after failures")
  end

  -- closed early, with workers ahead: nothing left running, take is nil
  do
    local ahead = md.parse_ahead(paths)
    assert(ahead:take(paths[1]))
    ahead:close()
    assert(ahead:take(paths[2]) == nil, "closed: nil")
    ahead:close() -- twice is fine
  end

  -- an empty list, and a list abandoned to the collector
  do
    local ahead <close> = md.parse_ahead({})
    assert(ahead:take(paths[1]) == nil)
  end
  do
    local _ = md.parse_ahead(paths)
    collectgarbage()
    collectgarbage()
  end

  -- misuse raises as luaL_check* does
  assert(not pcall(md.parse_ahead, "not a table"))
  assert(not pcall(md.parse_ahead, { 1, {} }))
end)

for _, name in ipairs(fs.list(dir) or {}) do os.remove(dir .. "/" .. name) end
os.remove(dir)
assert(ok, err)
print("ok")
