--- The session log model: read a log's sections, fields, tasks and lists
--- from its original bytes. Edits live in sesslua.logedit; both work on a
--- Doc, which holds the text and its section index.
local md = require("sesslua.md")
local fs = require("sesslua.fs")
local placeholders = require("sesslua.placeholders")

local M = {}

---The built-in template's sections, in template order.
M.SECTIONS = {
  "Current Work", "Completed Today", "Services Built/Modified", "Learnings & Discoveries",
  "Blockers & Issues", "Coordination", "Next Steps", "Session Notes",
}

local Doc = {}
Doc.__index = Doc

---A Doc over text (path is informative only).
function M.new(text, path)
  local doc = setmetatable({ text = text, path = path }, Doc)
  doc:reindex()
  return doc
end

---Read a log file into a Doc.
---@return table|nil doc, string|nil message, string|nil code
function M.open(path)
  local text, err, code = fs.read(path)
  if not text then return nil, err, code end
  return M.new(text, path)
end

---Rebuild the section index after the text changed.
function Doc:reindex()
  self.sections = md.sections(self.text)
  self.eol = md.eol(self.text)
end

---A section by title (exact, case-insensitive, then normalised prefix).
function Doc:section(name)
  return md.find(self.sections, name)
end

---Lines of text[a, b): each {start, stop (after the line ending), s (the
---line without its ending)}.
function M.lines(text, a, b)
  local out = {}
  local pos = a
  while pos < b do
    local nl = text:find("\n", pos, true)
    local stop, last
    if nl and nl < b then stop, last = nl + 1, nl - 1 else stop, last = b, b - 1 end
    if last >= pos and text:byte(last) == 13 then last = last - 1 end
    out[#out + 1] = { start = pos, stop = stop, s = text:sub(pos, last) }
    pos = stop
  end
  return out
end

local function is_blank(s) return s:match("^%s*$") ~= nil end
local function is_rule(s) return s:match("^ ? ? ?([-*_])%s*%1%s*%1[%s%-%*_]*$") ~= nil end
local function is_comment(s) return s:match("^%s*<!%-%-.*%-%->%s*$") ~= nil end
local function is_footer(s)
  return s:match("^%*%*Last Updated:%*%*") or s:match("^%*%*Updated By:%*%*")
end
M.is_blank, M.is_rule, M.is_comment = is_blank, is_rule, is_comment

---Where a section's own content ends: before trailing blank lines,
---thematic breaks and the Last Updated footer. It reads the body backwards
---(reversed once, in C), so it looks at the trailing lines only.
function Doc:content_end(sec)
  -- section tables are rebuilt on every reindex, so the answer can live on them
  if sec.content_stop then return sec.content_stop end
  sec.content_stop = self:find_content_end(sec)
  return sec.content_stop
end

function Doc:find_content_end(sec)
  local text, floor, stop = self.text, sec.heading_end, sec.body_end
  if stop <= floor then return floor end
  local rev = text:sub(floor, stop - 1):reverse()
  local n = #rev
  local pos = 1
  while pos <= n do
    local first = pos -- the line's ending (or its last byte), seen from the end
    if rev:byte(pos) == 10 then pos = pos + 1 end
    local nl = rev:find("\n", pos, true) or n + 1
    local line = rev:sub(pos, nl - 1):reverse():gsub("\r$", "")
    if not (is_blank(line) or is_rule(line) or is_footer(line)) then
      return stop - (first - 1)
    end
    pos = nl
  end
  return floor
end

---The header range: the first level-1 heading's own body, else the text
---before the first heading.
function Doc:header_range()
  local first = self.sections[1]
  if first and first.level == 1 then return first.heading_end, first.body_end end
  return 1, first and first.start or #self.text + 1
end

---A `**Key:**` field: in the header, then Current Work, then anywhere.
---@return table|nil field {value, value_start, value_end, line_start, line_end}
function Doc:field(key)
  local a, b = self:header_range()
  local f = md.field(self.text, key, a, b)
  if f then return f end
  local cw = self:section("Current Work")
  if cw then
    f = md.field(self.text, key, cw.heading_end, cw.body_end)
    if f then return f end
  end
  return md.field(self.text, key)
end

---A field's value with placeholders and blanks turned into nil.
function Doc:value(key, scope_section)
  local f
  if scope_section then
    local sec = self:section(scope_section)
    f = sec and md.field(self.text, key, sec.heading_end, sec.body_end)
  else
    f = self:field(key)
  end
  if not f or is_blank(f.value) or placeholders.is_placeholder(f.value) then return nil end
  return f.value
end

---The status of the work: Current Work's Status (nil when unset). The
---log's own Status (Active, Completed) is the header's, `Doc:value("Status")`.
function Doc:work_status()
  return self:value("Status", "Current Work")
end

---Progress as a number 0-100, or nil.
function Doc:progress()
  local v = self:value("Progress", "Current Work") or self:value("Progress")
  local n = v and tonumber(v:match("^%s*(%d+%.?%d*)%s*%%?%s*$"))
  if n and n >= 0 and n <= 100 then return n end
  return nil
end

-- Line starts that may end a `**Label:**` block: another label, or a
-- thematic break (confirmed with is_rule).
local BLOCK_ENDS = {
  "\n[ \t]*%*%*[^*\n]+:%*%*", "\n[ \t]*%*%*[^*\n]+%*%*:",
  "\n ? ? ?%-[ \t]*%-[ \t]*%-", "\n ? ? ?%*[ \t]*%*[ \t]*%*", "\n ? ? ?_[ \t]*_[ \t]*_",
}

---The line range of a `**Label:**` line inside a section (an empty-valued
---field used as a sub-heading, like `**Current Phase:**`), and the end of
---the block it leads: the next label line, thematic break or content end.
---@return table|nil block {label_start, label_end, stop}
function Doc:block(sec, label)
  local f = md.field(self.text, label, sec.heading_end, sec.body_end)
  if not f then return nil end
  -- The section's end bounds the block; the footer's `**Last Updated:**`
  -- line and the closing rule end it anyway (see BLOCK_ENDS).
  local stop = sec.body_end
  -- The block ends at the next label line or thematic break: jump to such
  -- lines with pattern searches (in C) instead of walking every line.
  local base = f.line_end - 1 -- the label line's own ending
  local region = self.text:sub(base, stop - 1)
  local found = #region + 1
  for i, p in ipairs(BLOCK_ENDS) do
    local from = 1
    while true do
      local at = region:find(p, from)
      if not at or at >= found then break end
      local line_end = region:find("\n", at + 1, true) or #region + 1
      if i <= 2 or is_rule((region:sub(at + 1, line_end - 1):gsub("\r$", ""))) then
        found = at
        break
      end
      from = at + 1
    end
  end
  if found <= #region then stop = base + found end
  if stop < f.line_end then stop = f.line_end end
  return { label_start = f.line_start, label_end = f.line_end, stop = stop, value = f.value }
end

---List items in text[a, b): each {start, stop (after continuation lines),
---text, marker, number, done (for tasks, else nil), placeholder}.
function M.items(text, a, b)
  local items = {}
  for _, l in ipairs(M.lines(text, a, b)) do
    local indent, marker, rest = l.s:match("^(%s*)([-*+])%s+(.*)$")
    local number
    if not marker then
      indent, number, marker, rest = l.s:match("^(%s*)(%d+)([.)])%s+(.*)$")
    end
    if marker and #indent < 2 then
      local done, task = rest:match("^%[([ xX])%]%s*(.*)$")
      local item = { start = l.start, stop = l.stop, marker = marker,
                     number = tonumber(number), text = task or rest }
      if done then item.done = done ~= " " end
      item.placeholder = placeholders.is_placeholder(item.text)
      items[#items + 1] = item
    elseif #items > 0 and l.s:match("^%s%s+%S") then
      items[#items].stop = l.stop -- continuation of the previous item
      items[#items].body = (items[#items].body or "") .. l.s:match("^%s*(.-)%s*$") .. "\n"
    elseif not is_blank(l.s) and not is_comment(l.s) and #items > 0 then
      break
    end
  end
  return items
end

---Items of a labelled block in a section, or of the whole section.
function Doc:section_items(section_name, label)
  local sec = self:section(section_name)
  if not sec then return {} end
  if label then
    local blk = self:block(sec, label)
    if not blk then return {} end
    return M.items(self.text, blk.label_end, blk.stop)
  end
  return M.items(self.text, sec.heading_end, self:content_end(sec))
end

---Dated groups `**YYYY-MM-DD:**` of Completed Today, newest first as
---written: array of {date, items = {strings}}.
function Doc:completed()
  local sec = self:section("Completed Today")
  if not sec then return {} end
  local groups = {}
  local stop = self:content_end(sec)
  for _, l in ipairs(M.lines(self.text, sec.heading_end, stop)) do
    local date = l.s:match("^%*%*(%d%d%d%d%-%d%d%-%d%d):%*%*%s*$")
    if date then
      groups[#groups + 1] = { date = date, items = {} }
    elseif #groups > 0 then
      local item = l.s:match("^%s*[-*+]%s+%[[xX ]%]%s*(.-)%s*$") or l.s:match("^%s*[-*+]%s+(.-)%s*$")
      if item and not placeholders.is_placeholder(item) then
        local g = groups[#groups]
        g.items[#g.items + 1] = item
      end
    end
  end
  return groups
end

---Dated learnings `**YYYY-MM-DD - Topic:**` followed by lines.
function Doc:learnings()
  local sec = self:section("Learnings")
  if not sec then return {} end
  local out = {}
  local cur
  for _, l in ipairs(M.lines(self.text, sec.heading_end, self:content_end(sec))) do
    local date, topic = l.s:match("^%*%*(%d%d%d%d%-%d%d%-%d%d)%s+%-%s+(.-):%*%*%s*$")
    if date then
      cur = { date = date, topic = topic, lines = {} }
      if not placeholders.is_placeholder(topic) then out[#out + 1] = cur end
    elseif cur and not is_blank(l.s) and not is_comment(l.s) then
      local t = l.s:match("^%s*[-*+]%s+(.-)%s*$") or l.s:match("^%s*(.-)%s*$")
      if not placeholders.is_placeholder(t) then cur.lines[#cur.lines + 1] = t end
    end
  end
  for _, e in ipairs(out) do e.text = table.concat(e.lines, "\n"); e.lines = nil end
  return out
end

---Plain strings of the real (non-placeholder) items.
function M.texts(items, filter)
  local out = {}
  for _, it in ipairs(items) do
    if not it.placeholder and (filter == nil or filter(it)) then out[#out + 1] = it.text end
  end
  return out
end

---Whether byte pos of text lies inside a fenced code block: counts the
---fence lines (``` or ~~~, up to three spaces in) before it, jumping from
---one to the next with pattern searches.
local function in_fence(text, pos)
  if not (text:find("```", 1, true) or text:find("~~~", 1, true)) then return false end
  local inside = false
  local lined = "\n" .. text -- so the first line starts after a "\n" too
  for _, p in ipairs({ "\n ? ? ?```", "\n ? ? ?~~~" }) do
    local from = 0
    while true do
      local at = lined:find(p, from + 1)
      if not at or at >= pos then break end
      inside = not inside
      from = at + 1
    end
  end
  return inside
end

---The footer's `**Key:**` field (Last Updated, Updated By): the last such
---line outside fenced code, so a note or a code sample that quotes the
---footer is never taken for it.
---@return table|nil field as md.field returns it
function Doc:footer_field(key)
  local found, pos = nil, 1
  while true do
    local f = md.field(self.text, key, pos)
    if not f then break end
    if not in_fence(self.text, f.line_start) then found = f end
    pos = f.line_end
  end
  return found
end

---The Last Updated time as written, and as epoch seconds.
function Doc:last_updated()
  local f = self:footer_field("Last Updated")
  if not f or placeholders.is_placeholder(f.value) then return nil end
  local clock = require("sesslua.clock")
  return f.value, clock.parse(f.value)
end

return M
