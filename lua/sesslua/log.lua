--- The session log model: read a log's sections, fields, tasks and lists
--- from its original bytes. Edits live in sesslua.logedit; both work on a
--- Doc, which holds the text and its section index.
local md = require("sesslua.md")
local fs = require("sesslua.fs")
local placeholders = require("sesslua.placeholders")
local schema = require("sesslua.schema")

local M = {}

---The words Current Work's Status takes; others are allowed, with a warning.
M.WORK_STATUSES = schema.current().work_statuses

---Whether status is one of WORK_STATUSES.
function M.known_status(status)
  return schema.current():known_status(status)
end

---The sections in the order a log keeps them (the schema's).
M.SECTIONS = schema.current():order()

local Doc = {}
Doc.__index = Doc

---A Doc over text (path is informative only), read with schema s (the
---one in force by default).
function M.new(text, path, s)
  local doc = setmetatable({ text = text, path = path, schema = s or schema.current() }, Doc)
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

---The section the schema calls `name` (its name or an alias, compared
---case, emoji and punctuation aside), first in document order: never a
---heading that only starts like it (`## Coordination Lessons` is prose).
---Readers and writers use the same lookup, so nothing is added twice.
function Doc:section(name)
  local want = self.schema:spec(name)
  local by_key = self.schema.by_key
  local key = not want and schema.key(name) or nil
  for _, sec in ipairs(self.sections) do
    local k = sec.key
    if not k then k = schema.key(sec.title); sec.key = k end
    if k ~= "" and (want and by_key[k] == want or k == key) then return sec end
  end
  return nil
end

---A section by what a person types (`view --section`): the exact title
---(case aside), else the one title it is a prefix of, as shown (emoji
---included: `🚢` finds `🚢 RELEASE DAY`), else the one title it is a prefix
---of with case, emoji and punctuation aside.
---@return table|nil section, string|nil why "ambiguous"|"missing", string[]|nil candidates
function Doc:lookup(query)
  local q = query:lower()
  for _, sec in ipairs(self.sections) do
    if sec.title:lower() == q then return sec end
  end
  local function unique(test)
    local found = {}
    for _, sec in ipairs(self.sections) do
      if test(sec) then found[#found + 1] = sec end
    end
    if #found == 1 then return found[1] end
    if #found > 1 then return nil, found end
  end
  local found, many = unique(function(sec) return sec.title:lower():sub(1, #q) == q end)
  if found then return found end
  local key = schema.key(query)
  if not many and key ~= "" then
    found, many = unique(function(sec) return schema.key(sec.title):sub(1, #key) == key end)
    if found then return found end
  end
  local names = {}
  for _, sec in ipairs(many or self.sections) do names[#names + 1] = sec.title end
  return nil, many and "ambiguous" or "missing", names
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

local function is_blank(s) return s:find("%S") == nil end
---s without surrounding whitespace, in linear time: `^%s*(.-)%s*$` is
---quadratic on a long run of blanks inside a line (a hostile log).
local function trim(s)
  local a = s:find("%S")
  if not a then return "" end
  return s:match("^.*%S", a)
end
M.trim = trim
---The text of a list item line ("- [x] text", "* text"), trimmed, or nil.
local function item_text(s)
  local t = s:match("^%s*[-*+]%s+%[[xX ]%]%s*(.*)$") or s:match("^%s*[-*+]%s+(.*)$")
  return t and trim(t)
end
M.item_text = item_text
-- ASCII letters of a key as case-insensitive classes, other bytes escaped.
local function ci_pattern(key)
  return (key:gsub("%W", "%%%0"):gsub("%a", function(c) return "[" .. c:upper() .. c:lower() .. "]" end))
end
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

local bullet_patterns = {}

-- The field whose key ends at e on a list line starting at line_start,
-- when `:**` or `**:` follows the key; bounded by b.
local function bullet_value(text, line_start, e, b)
  local v = text:match("^:%*%*()", e + 1) or text:match("^%*%*:()", e + 1)
  if not v or md.in_code(text, line_start) then return nil end
  local nl = text:find("\n", v, true)
  local line_end = math.min(nl and nl + 1 or #text + 1, b)
  local stop = math.min(nl or #text + 1, b)
  local vs = math.min(text:find("[^ \t]", v) or stop, stop)
  local ve = stop
  while ve > vs and text:byte(ve - 1) == 13 do ve = ve - 1 end
  while ve > vs and (text:byte(ve - 1) == 32 or text:byte(ve - 1) == 9) do ve = ve - 1 end
  return { value = text:sub(vs, ve - 1), value_start = vs, value_end = ve,
           line_start = line_start, line_end = math.max(line_end, v), bullet = true }
end

---A field written as a list item, `- **Key:** value` (or `- **Key**: value`),
---in text[a, b): md.field reads `**Key:**` at a line's start only. A
---pattern search (in C) jumps from one candidate line to the next.
---@return table|nil field as md.field returns it, plus `bullet = true`
function M.bullet_field(text, key, a, b)
  a, b = a or 1, b or #text + 1
  local p = bullet_patterns[key]
  if not p then
    local body = "[ \t]*[-*+][ \t]+%*%*" .. ci_pattern(key)
    p = { "^" .. body, "\n" .. body }
    bullet_patterns[key] = p
  end
  if a == 1 or text:byte(a - 1) == 10 then -- a starts a line
    local at, e = text:find(p[1], a)
    local f = at and at < b and bullet_value(text, at, e, b)
    if f then return f end
  end
  -- search a copy of the range only: a key found nowhere costs no more
  -- than the range
  local region = b <= #text and text:sub(1, b - 1) or text
  local from = a
  while true do
    local at, e = region:find(p[2], from)
    if not at or at + 1 >= b then return nil end
    local f = bullet_value(text, at + 1, e, b)
    if f then return f end
    from = at + 1
  end
end

---A field in text[a, b): `**Key:** value`, else the list-item form.
function M.field(text, key, a, b)
  return md.field(text, key, a, b) or M.bullet_field(text, key, a, b)
end

---Every field of text[a, b), `**Key:**` lines and list-item fields, in
---file order: array of {key, value, ...} as md.fields returns them.
function M.fields(text, a, b)
  local out = md.fields(text, a, b)
  local extra = false
  for _, l in ipairs(M.lines(text, a or 1, b or #text + 1)) do
    local k = l.s:match("^%s*[-*+]%s+%*%*([^*]-):%*%*") or l.s:match("^%s*[-*+]%s+%*%*([^*]-)%*%*:")
    if k and k:match("%S") then
      local f = M.bullet_field(text, k, l.start, l.stop)
      if f then f.key = k; out[#out + 1] = f; extra = true end
    end
  end
  if extra then table.sort(out, function(x, y) return x.line_start < y.line_start end) end
  return out
end

---A `**Key:**` field: in the header, then Current Work, then anywhere.
---@return table|nil field {value, value_start, value_end, line_start, line_end}
function Doc:field(key)
  local a, b = self:header_range()
  local f = M.field(self.text, key, a, b)
  if f then return f end
  local cw = self:section("Current Work")
  if cw then
    f = M.field(self.text, key, cw.heading_end, cw.body_end)
    if f then return f end
  end
  return M.field(self.text, key)
end

---A field of the header only (the log's own Status, Role, ...).
function Doc:header_field(key)
  local a, b = self:header_range()
  return M.field(self.text, key, a, b)
end

local function filled(f)
  if not f or is_blank(f.value) or placeholders.is_placeholder(f.value) then return nil end
  return f.value
end

---A field's value with placeholders and blanks turned into nil.
function Doc:value(key, scope_section)
  local f
  if scope_section then
    local sec = self:section(scope_section)
    f = sec and M.field(self.text, key, sec.heading_end, sec.body_end)
  else
    f = self:field(key)
  end
  return filled(f)
end

---A header field's value (nil when blank, a placeholder or missing): the
---log's own Status is the header's, never Current Work's.
function Doc:header_value(key)
  return filled(self:header_field(key))
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

-- Where a block that starts after text[base] ends, before stop: at the
-- next label line or thematic break, found with pattern searches (in C)
-- instead of walking every line.
local function block_stop(text, base, stop)
  if stop <= base then return stop end
  local region = text:sub(base, stop - 1)
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
  if found <= #region then return base + found end
  return stop
end


---The first of sections whose title is `label`, case, emoji and
---punctuation aside.
local function same_title(sections, label)
  local key = schema.key(label)
  for _, sec in ipairs(sections) do
    local k = sec.key
    if not k then k = schema.key(sec.title); sec.key = k end
    if k == key then return sec end
  end
end

---The block a heading named like the label leads (`### Current Phase`):
---one inside sec first, else one anywhere.
function Doc:heading_block(sec, label)
  local found
  if sec then
    local subs = {}
    for i = sec.index + 1, #self.sections do
      local s = self.sections[i]
      if s.start >= sec.stop then break end
      subs[#subs + 1] = s
    end
    if #subs > 0 then found = same_title(subs, label) end
  end
  if not found then
    found = same_title(self.sections, label)
    if found and sec and found.index == sec.index then found = nil end
  end
  if not found then return nil end
  -- its own body, before trailing blank lines, rules and the footer
  return { label_start = found.start, label_end = found.heading_end,
           stop = self:content_end(found), value = "", heading = true }
end

---A labelled block inside a section: a `**Label:**` line (an empty-valued
---field used as a sub-heading, like `**Current Phase:**`) and the lines it
---leads up to the next label line, thematic break or the section's end;
---else a heading named like the label (`### Current Phase`) and its body;
---else, for Current Blockers, the section's own list before any label.
---sec may be nil (a heading named like the label still counts).
---@return table|nil block {label_start, label_end, stop, value, heading, implicit}
function Doc:block(sec, label)
  local f = sec and md.field(self.text, label, sec.heading_end, sec.body_end)
  if f then
    -- The section's end bounds the block; the footer's `**Last Updated:**`
    -- line and the closing rule end it anyway (see BLOCK_ENDS).
    local stop = block_stop(self.text, f.line_end - 1, sec.body_end) -- from the label's line ending
    if stop < f.line_end then stop = f.line_end end
    return { label_start = f.line_start, label_end = f.line_end, stop = stop, value = f.value }
  end
  local h = self:heading_block(sec, label)
  if h then return h end
  -- a label a hand-written section may leave out (the schema's `implicit`):
  -- its own list is the block (`## Blockers` then `- [ ] ...`)
  local spec = sec and self.schema.by_key[sec.key or schema.key(sec.title)]
  if spec and spec.implicit == label then
    local stop = block_stop(self.text, sec.heading_end - 1, sec.body_end)
    -- the lines before the section's first label, when they say something
    -- or no label follows (a hand-written section, not the template's
    -- with this label deleted)
    local body = self.text:sub(sec.heading_end, stop - 1):gsub("<!%-%-.-%-%->", "")
    if body:match("%S") or stop >= self:content_end(sec) then
      return { label_start = sec.heading_end, label_end = sec.heading_end, stop = stop,
               value = "", implicit = true }
    end
  end
  return nil
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
    if marker and #indent < 2 and md.in_code(text, l.start) then
      if #items > 0 then break end -- a list line in a code sample is no item
    elseif marker and #indent < 2 then
      local done, task = rest:match("^%[([ xX])%]%s*(.*)$")
      local item = { start = l.start, stop = l.stop, marker = marker,
                     number = tonumber(number), text = task or rest }
      if done then item.done = done ~= " " end
      item.placeholder = placeholders.is_placeholder(item.text)
      items[#items + 1] = item
    elseif #items > 0 and l.s:match("^%s%s+%S") then
      items[#items].stop = l.stop -- continuation of the previous item
      items[#items].body = (items[#items].body or "") .. trim(l.s) .. "\n"
    elseif not is_blank(l.s) and not is_comment(l.s) and #items > 0 then
      break
    end
  end
  return items
end

---Items of a labelled block in a section, or of the whole section.
function Doc:section_items(section_name, label)
  local sec = self:section(section_name)
  if label then
    local blk = self:block(sec, label)
    if not blk then return {} end
    return M.items(self.text, blk.label_end, blk.stop)
  end
  if not sec then return {} end
  return M.items(self.text, sec.heading_end, self:content_end(sec))
end

-- What people write for "no blockers": None, N/A, No blockers, none yet.
local NONE = {
  ["none"] = true, ["none yet"] = true, ["none so far"] = true, ["none currently"] = true,
  ["none at the moment"] = true, ["n/a"] = true, ["na"] = true, ["nothing"] = true,
  ["nothing yet"] = true, ["no blockers"] = true, ["no blockers yet"] = true,
  ["no current blockers"] = true, ["no blocker"] = true, ["no issues"] = true, ["-"] = true,
}

---Whether an item's or line's text says "nothing here" (None, N/A, No
---blockers, none yet.): such a line is no blocker, and goes when one comes.
function M.is_none(s)
  if not s or #s > 40 then return false end
  s = s:lower():gsub("^%s*[-*+]%s+", ""):gsub("^%s*%[[ x]%]%s*", ""):gsub("^[%s*_]+", "")
    :gsub("[%s.!*_]+$", "")
  return NONE[s] == true
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
      local item = item_text(l.s)
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
  local sec = self:section("Learnings & Discoveries") -- as logedit writes it
  if not sec then return {} end
  local out = {}
  local cur
  for _, l in ipairs(M.lines(self.text, sec.heading_end, self:content_end(sec))) do
    local date, topic = l.s:match("^%*%*(%d%d%d%d%-%d%d%-%d%d)%s+%-%s+(.-):%*%*%s*$")
    if date then
      cur = { date = date, topic = topic, lines = {} }
      if not placeholders.is_placeholder(topic) then out[#out + 1] = cur end
    elseif cur and not is_blank(l.s) and not is_comment(l.s) then
      local t = l.s:match("^%s*[-*+]%s+(.*)$")
      t = trim(t or l.s)
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

---The footer's `**Key:**` field (Last Updated, Updated By): the last such
---line (md.field never reads inside code), so a note or a code sample
---that quotes the footer is never taken for it.
---@return table|nil field as md.field returns it
function Doc:footer_field(key)
  local found, pos = nil, 1
  while true do
    local f = md.field(self.text, key, pos)
    if not f then return found end
    found, pos = f, f.line_end
  end
end

---The Last Updated time as written, and as epoch seconds.
function Doc:last_updated()
  local f = self:footer_field("Last Updated")
  if not f or placeholders.is_placeholder(f.value) then return nil end
  local clock = require("sesslua.clock")
  return f.value, clock.parse(f.value)
end

return M
