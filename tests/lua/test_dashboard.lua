-- test_dashboard.lua — the dashboard counts Completed Today's tasks per day
-- line by line when it can; those counts must be the Markdown index's on
-- every section: random sections of plain and tricky lines (code, nested
-- and ordered lists, quotes, comments, rules, samples, fields with values,
-- CRLF) are counted both ways and compared.
local log = require("sesslua.log")
local dashboard = require("sesslua.dashboard")

local PLAIN = {
  "**2026-12-01:**", "**2026-12-02:**", "**2026-12-03:**", "**2026-11-01:**",
  "- [x] Did a thing", "- [ ] Not yet", "* [x] Starred", "+ Plus item", "- plain item",
  "- [x] Completed task 1", "- Deployed service X", "- [x] Fixed `make check`", "", "",
  "Lazy words after an item", "<!-- a comment -->", "- [X] upper box",
}
local TRICKY = {
  "  - nested item", "    indented code", "```", "~~~", "> - quoted item", "1. ordered",
  "-", "- - -", "---", "***", "<div>", "- [link](x) item", "- [x] [Date]", "\t- tab item",
  "**2026-12-02:** with a value", "**Note:**", "**Bold** words", "===", "-\tmarker tab",
  "- **Key:** value",
}

local seed = 20261203
local function rand(n) -- a small LCG: the same cases on every run
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

local function section(lines_n, tricky_every, crlf)
  local out = {}
  for i = 1, lines_n do
    if tricky_every > 0 and rand(tricky_every) == 1 then
      out[i] = TRICKY[rand(#TRICKY)]
    else
      out[i] = PLAIN[rand(#PLAIN)]
    end
  end
  local eol = crlf and "\r\n" or "\n"
  return "# Session 1 - Work Log" .. eol .. eol .. "**Status:** Active" .. eol .. eol
    .. "## Completed Today" .. eol .. eol .. table.concat(out, eol) .. eol .. eol
    .. "---" .. eol .. eol .. "## Next Steps" .. eol .. eol .. "1. Later" .. eol
end

local checked, by_lines = 0, 0
local function show(m)
  local out = {}
  for k, v in pairs(m) do out[#out + 1] = k .. "=" .. v end
  table.sort(out)
  return table.concat(out, ",")
end
local function same(text, what)
  local doc = log.new(text)
  local want = dashboard.completed(doc, true)
  local got, how = dashboard.completed(doc)
  if show(want) ~= show(got) then
    error(("%s: read by %s {%s}, the index says {%s}:\n%s"):format(what, how, show(got),
      show(want), text), 2)
  end
  checked = checked + 1
  if how == "lines" then by_lines = by_lines + 1 end
  return how, got
end

-- a plain section is read line by line, and right
local how, got = same(section(0, 0, false):gsub("## Completed Today\n\n",
  "## Completed Today\n\n<!-- Newest first -->\n\n**2026-12-03:**\n- [x] One\n- [ ] Two\n\n"
  .. "**2026-12-01:**\n* Three\n- [x] Task 4\n\n**2026-11-30:**\n- Old\n"), "plain")
assert(how == "lines", "a plain section is read line by line")
assert(show(got) == "2026-11-30=1,2026-12-01=1,2026-12-03=2", "the plain section's counts (the sample left out): " .. show(got))

for n = 1, 600 do
  same(section(rand(40), 0, n % 7 == 0), "plain case " .. n)
  same(section(rand(40), rand(6) + 1, n % 5 == 0), "tricky case " .. n)
end
assert(by_lines > 500, "most plain sections are read line by line: " .. by_lines)

-- the hand-edited fixtures, with their dates moved into the window
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$") or "."
for _, name in ipairs({ "archive-active", "archive-complete", "archive-prose", "blockers-last-sprint",
    "coordination-flow", "current-work-notes", "fenced-label", "header-complete", "indented-fence",
    "json-markdown", "morning-prose", "no-header-status", "release-day" }) do
  local f = io.open(here .. "/../fixtures/handedited/" .. name .. ".md", "rb")
  if f then
    local text = f:read("a"):gsub("%*%*%d%d%d%d%-%d%d%-%d%d:%*%*", "**2026-12-02:**")
    f:close()
    same(text, name)
  end
end

io.write(("ok %d sections, %d read line by line\n"):format(checked, by_lines))
