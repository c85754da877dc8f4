--- Shared knowledge files: types, impact levels, the entry format the shell
--- scripts wrote (kept, so old files and readers stay valid), parsing
--- entries, and adding one under the file's lock.
local fs = require("sesslua.fs")
local md = require("sesslua.md")
local tree = require("sesslua.tree")
local clock = require("sesslua.clock")
local log_trim = require("sesslua.log").trim

local M = {}

M.MARKER_PATTERN = "<!%-%- *Sessions add[^\n]*%-%->"
M.IMPACTS = { "Low", "Medium", "High", "Critical" }

local ALIASES = {
  learning = "learning", learnings = "learning",
  pattern = "pattern", patterns = "pattern",
  troubleshooting = "troubleshooting", trouble = "troubleshooting", issue = "troubleshooting",
  ["best-practice"] = "best-practice", ["best-practices"] = "best-practice",
  practice = "best-practice", best = "best-practice",
}

---The knowledge kind (tree.KNOWLEDGE entry) for a type word or alias.
function M.kind(word)
  local t = word and ALIASES[word:lower()]
  if not t then return nil end
  for _, k in ipairs(tree.KNOWLEDGE) do if k.type == t then return k end end
end

---The impact levels in force: the config's `impact_levels`, else IMPACTS.
function M.impacts()
  local ok, ctx = pcall(require, "sesslua.context")
  if ok and type(ctx) == "table" and ctx.root then
    local levels = require("sesslua.config").get(ctx).values.impact_levels
    if levels then return levels end
  end
  return M.IMPACTS
end

---The impact used when a share names none: Medium, or the middle level of
---a team's own list.
function M.default_impact()
  local levels = M.impacts()
  for _, l in ipairs(levels) do if l == "Medium" then return l end end
  return levels[(#levels + 1) // 2]
end

---The capitalised impact level for a word in any case, or nil.
function M.impact(word)
  if not word then return nil end
  local w = word:lower()
  for _, i in ipairs(M.impacts()) do if i:lower() == w then return i end end
end

---Path of a kind's file.
function M.path(root, kind)
  return tree.paths(root).knowledge .. "/" .. kind.file
end

---Whether a text line, after its indent, needs a backslash: it would read
---as an entry heading, the entry's closing rule, a `**Key:**` field line
---(a fake Impact or Category for line-oriented readers), or it starts with
---the backslash escape itself (so unescape gives back exactly what was typed).
local function needs_escape(rest)
  return rest:find("^#") or rest:find("^%-%-%-") or rest:find("^%*%*.-:%*%*")
    or rest:find("^\\[#%-%*\\]")
end

---Continuation lines of a text that need it get a backslash after their
---indent, the Markdown escape, so they render as typed and parse as text.
---The first line sits after `**Label:** ` and cannot be mistaken.
local function escape_body(text)
  return (text:gsub("\n([ \t]*)([^\n]*)", function(ws, rest)
    if needs_escape(rest) then return "\n" .. ws .. "\\" .. rest end
  end))
end

---The inverse of escape_body for one continuation line.
local function unescape_line(s)
  return (s:gsub("^([ \t]*)\\([#%-%*\\])", "%1%2"))
end

---The text of one entry in the scripts' format.
function M.format_entry(e)
  e = setmetatable({ text = escape_body(e.text) }, { __index = e })
  return table.concat({
    ("### %s - %s - %s"):format(e.date, e.session, e.category), "",
    ("**%s:** %s"):format(e.kind.label, e.text),
    ("**Impact:** %s"):format(e.impact),
    ("**Timestamp:** %s"):format(e.timestamp),
    ("**Category:** %s"):format(e.category),
    ("**Shared By:** %s"):format(e.session), "", "---", "",
  }, "\n")
end

local HEADING = "^### (%d%d%d%d%-%d%d%-%d%d) %- (.-) %- (.-)%s*$"

---Every entry of a knowledge file's text, in file order: {date, session,
---category, type, impact, text, line, start, stop}.
function M.entries(text, kind)
  local out = {}
  local cur
  local line_no = 0
  local pos = 1
  local len = #text
  while pos <= len do
    local nl = text:find("\n", pos, true) or len
    local s = text:sub(pos, nl):gsub("\r?\n$", "")
    line_no = line_no + 1
    local date, session, category = s:match(HEADING)
    if date then
      if cur then cur.stop = pos end
      cur = { date = date, session = session, category = category, line = line_no,
              start = pos, type = kind and kind.type, body = {} }
      out[#out + 1] = cur
    elseif cur then
      local key, value = s:match("^%*%*(.-):%*%*%s*(.*)$")
      value = value and log_trim(value)
      if key == "Impact" then cur.impact = value
      elseif key == "Timestamp" or key == "Shared By" then cur[key == "Timestamp" and "timestamp" or "shared_by"] = value
      elseif key == "Category" then cur.category_field = value
      elseif key and not cur.text then cur.text = value; cur.label = key
      elseif s:match("^%-%-%-+%s*$") then cur.closed = true
      elseif cur.text and not cur.impact and not cur.closed then
        cur.text = cur.text .. "\n" .. unescape_line(s)
      end
    end
    pos = nl + 1
  end
  if cur then cur.stop = len + 1 end
  for _, e in ipairs(out) do e.body = nil; e.closed = nil end
  return out
end

---The number of entry headings (`### YYYY-MM-DD - ...` lines), counted
---in C: a 10,000-entry file takes well under a millisecond.
function M.count(text)
  return require("sesslua.search").count_lines(text, "### ", "9999-99-99 - ")
end

---Where the header area ends: the start of the first entry heading, or
---past the end. The marker and the Total line count only there, so an
---entry's text that quotes either can never move or rewrite anything.
local function header_end(text)
  if text:find("^### %d%d%d%d%-%d%d%-%d%d %- ") then return 1 end
  local at = text:find("\n### %d%d%d%d%-%d%d%-%d%d %- ")
  return at and at + 1 or #text + 1
end

---Start and end of the value of the header's `**Total ...:** N` line.
local function find_total(header)
  local line = header:find("^%*%*Total [^\n]-:%*%*") or header:find("\n%*%*Total [^\n]-:%*%*")
  if not line then return nil end
  local _, label_end = header:find("^\n?%*%*Total [^\n]-:%*%*[ \t]*", line)
  return label_end + 1, header:find("[\r\n]", label_end + 1) or #header + 1
end

---Insert an entry below the header's marker (newest first), else at the
---end; set the header's Total line, where present, to the entry count.
---@return string text, integer count
function M.insert(text, entry_text)
  local eol = md.eol(text)
  if eol ~= "\n" then entry_text = entry_text:gsub("\n", eol) end
  local header = text:sub(1, header_end(text) - 1)
  local total_from, total_to = find_total(header)
  local _, marker_end = header:find(M.MARKER_PATTERN)
  local pos, insert
  if marker_end then
    local line_end = text:find("\n", marker_end, true)
    pos = line_end and line_end + 1 or #text + 1
    insert = (line_end and "" or eol) .. eol .. entry_text
  else
    pos = #text + 1
    insert = (text ~= "" and not text:match("\n$") and eol or "") .. eol .. entry_text
  end
  text = md.splice(text, pos, pos, insert)
  local n = M.count(text)
  if total_from then
    -- a Total line below the marker moved down by the inserted entry
    local shift = total_from >= pos and #insert or 0
    text = md.splice(text, total_from + shift, total_to + shift, tostring(n))
  end
  return text, n
end

---Whether the text already holds an entry with this session, category
---and text (so re-runs never duplicate).
function M.has_entry(text, session, category, body)
  for _, e in ipairs(M.entries(text)) do
    if e.session == session and e.category == category and e.text == body then return true end
  end
  return false
end

---Add an entry under the file's lock, creating the file when missing.
---@param e table {kind, session, category, text, impact}
---@return boolean|nil added (false: already there), string|nil err, string|nil code
function M.add(ctx, e, opts)
  local now = os.time()
  e.date = e.date or clock.today(now)
  e.timestamp = e.timestamp or clock.now_utc(now)
  local path = M.path(ctx.root, e.kind)
  local dir = tree.paths(ctx.root).knowledge
  local ok, err, code = fs.mkdir(dir)
  if not ok then return nil, err, code end
  local total
  local done, changed, code2 = fs.update(path, function(text)
    text = text or tree.knowledge_header(e.kind, ctx)
    if opts and opts.unique and M.has_entry(text, e.session, e.category, e.text) then
      return nil
    end
    local new
    new, total = M.insert(text, M.format_entry(e))
    return new
  end, { create = true })
  if not done then return nil, changed, code2 end
  return changed, total
end

---Learnings recorded in a log (optionally only those dated `date`) that
---shared knowledge does not hold yet, as entries ready for M.add. Each line
---of a learning counts on its own: a line this session already shared
---under the same category, as any type, is not shared again, so re-runs
---and lines added later never duplicate what is there.
function M.unshared_learnings(ctx, doc, session, date)
  local shared = {} -- category -> set of lines this session shared
  for _, k in ipairs(tree.KNOWLEDGE) do
    local text = fs.read(M.path(ctx.root, k))
    for _, e in ipairs(text and M.entries(text, k) or {}) do
      if e.session == session and e.text then
        local set = shared[e.category] or {}
        for line in (e.text .. "\n"):gmatch("([^\n]*)\n") do set[line] = true end
        shared[e.category] = set
      end
    end
  end
  local out = {}
  for _, l in ipairs(doc:learnings()) do
    if date == nil or l.date == date then
      local set, fresh = shared[l.topic] or {}, {}
      for line in (l.text .. "\n"):gmatch("([^\n]*)\n") do
        if line ~= "" and not set[line] then fresh[#fresh + 1] = line end
      end
      if #fresh > 0 then
        out[#out + 1] = { kind = M.kind("learning"), session = session, category = l.topic,
                          text = table.concat(fresh, "\n"), impact = M.default_impact() }
      end
    end
  end
  return out
end

return M
