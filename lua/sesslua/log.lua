--- The session log model: a log's sections, fields, lists and labelled
--- blocks, read through the Markdown document object (sesslua.md's
--- md.parse) with the names of the schema (sesslua.schema). Edits live in
--- sesslua.logedit; both work on a Doc, which holds the text and its parse.
--- Lua never matches Markdown structure here: items, fields, blocks, code
--- and sections all come from the one C parse.
local md = require("sesslua.md")
local fs = require("sesslua.fs")
local placeholders = require("sesslua.placeholders")
local schema = require("sesslua.schema")

local M = {}

---@class sesslua.Log
---@field text string the log's bytes
---@field md sesslua.md.Doc the md.parse document of text
---@field path string|nil where it was read from (informative)
---@field schema sesslua.Schema the shape it is read with
---@field eol string "\n" or "\r\n": what lines written into it end with
---@field sections sesslua.md.Section[] md sections (built on first use)

---A list item of a log: the document object's item, and whether its text
---is a template sample.
---@class sesslua.log.Item: sesslua.md.Item
---@field placeholder boolean

---A labelled block: the label line [label_start, label_end) and the lines
---it leads [label_end, stop).
---@class sesslua.log.Block
---@field label_start integer
---@field label_end integer
---@field stop integer
---@field value string the text after the label ("" for a heading or the section's own list)
---@field heading boolean|nil led by a heading named like the label (`### Current Phase`)
---@field implicit boolean|nil the section's own list, standing for the schema's implicit label

---One line of log.lines.
---@class sesslua.log.Line
---@field start integer
---@field stop integer after the line ending
---@field s string the line without its ending

---A dated group of Completed Today.
---@class sesslua.log.CompletedGroup
---@field date string `YYYY-MM-DD`
---@field items string[]

---A dated block of Learnings & Discoveries.
---@class sesslua.log.Learning
---@field date string `YYYY-MM-DD`
---@field topic string
---@field text string its lines, bullets removed, joined with "\n"

---The words Current Work's Status takes; others are allowed, with a warning.
---@type string[]
M.WORK_STATUSES = schema.current().work_statuses

---Whether status is one of WORK_STATUSES.
---@param status string
---@return boolean
function M.known_status(status)
  return schema.current():known_status(status)
end

---The sections in the order a log keeps them (the schema's).
---@type string[]
M.SECTIONS = schema.current():order()

local Doc = {}
local Meta = {}
-- the sections table and the text as a Lua string are made on first use:
-- status reads a log without either (md.parse_ahead's Docs hold their
-- text in C until asked)
function Meta.__index(doc, k)
  if k == "sections" or k == "text" then
    local v = k == "text" and doc.md:text() or doc.md:sections()
    rawset(doc, k, v)
    return v
  end
  return Doc[k]
end

---A Doc over text (path is informative only), read with schema s (the one
---in force by default).
---@param text string|nil the text; nil when parsed is given
---@param path? string kept as doc.path, for messages only
---@param s? sesslua.Schema default schema.current()
---@param parsed? sesslua.md.Doc the text already parsed (md.parse, or md.parse_ahead's take)
---@return sesslua.Log doc
function M.new(text, path, s, parsed)
  local doc = setmetatable({ path = path, schema = s or schema.current() }, Meta)
  doc:reindex(parsed or md.parse(text))
  return doc
end

---Read a log file into a Doc.
---@param path string
---@param ahead? sesslua.md.Ahead files being read and parsed ahead (md.parse_ahead): its parse of path when it has one
---@return sesslua.Log|nil doc
---@return string|nil message fs.read's, on failure
---@return string|nil code
function M.open(path, ahead)
  local parsed = ahead and ahead:take(path)
  if parsed then return M.new(nil, path, nil, parsed) end
  local text, err, code = fs.read(path)
  if not text then return nil, err, code end
  return M.new(text, path)
end

---Take a new parse (from md.parse or a splice), or parse doc.text again
---after it was assigned.
---@param parsed? sesslua.md.Doc a parse of the new text (md.parse, d:splice); default: parse doc.text
function Doc:reindex(parsed)
  self.md = parsed or md.parse(self.text)
  rawset(self, "text", nil) -- the parse's, when first asked
  self.eol = self.md:eol()
  self.found = {} -- sections by schema name, looked up once each
  self.header = nil
  rawset(self, "sections", nil)
end

-- Sections ---------------------------------------------------------------

local function key_of(sec)
  local k = sec.key
  if not k then k = schema.key(sec.title); sec.key = k end
  return k
end

---The section the schema calls `name` (its name or an alias, compared
---case, emoji and punctuation aside), first in document order: never a
---heading that only starts like it (`## Coordination Lessons` is prose).
---Readers and writers use the same lookup, so nothing is added twice.
---@param name string a schema section's name or alias (another title is compared the same way)
---@return sesslua.md.Section|nil section
function Doc:section(name)
  local found = self.found
  local sec = found[name]
  if sec == nil then
    local spec = self.schema:spec(name)
    -- C compares the normalised titles: no table per section is made
    sec = self.md:section_keyed(table.unpack(spec and spec.keys or { schema.key(name) })) or false
    found[name] = sec
  end
  return sec or nil
end

---A section by what a person types (`view --section`): the exact title
---(case aside), else the one title it is a prefix of, as shown (emoji
---included: `🚢` finds `🚢 RELEASE DAY`), else the one title it is a prefix
---of with case, emoji and punctuation aside.
---@param query string what a person typed
---@return sesslua.md.Section|nil section
---@return "ambiguous"|"missing"|nil why
---@return string[]|nil candidates the matching titles (ambiguous), else all of them
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
    found, many = unique(function(sec) return key_of(sec):sub(1, #key) == key end)
    if found then return found end
  end
  local names = {}
  for _, sec in ipairs(many or self.sections) do names[#names + 1] = sec.title end
  return nil, many and "ambiguous" or "missing", names
end

---The header range: the first level-1 heading's own body, else the text
---before the first heading.
---@return integer a
---@return integer b
function Doc:header_range()
  local h = self.header
  if not h then
    local level, start, heading_end, body_end = self.md:section_span(1)
    if level == 1 then h = { heading_end, body_end }
    else h = { 1, start or #self.text + 1 } end
    self.header = h
  end
  return h[1], h[2]
end

-- Text helpers --------------------------------------------------------------

---Whether a line is blank (only spaces and tabs, or nothing).
---@param s string a line without its ending
---@return boolean
local function is_blank(s) return s:find("%S") == nil end

---s without surrounding whitespace, in linear time: `^%s*(.-)%s*$` is
---quadratic on a long run of blanks inside a line (a hostile log).
---@param s string
---@return string
local function trim(s)
  local a = s:find("%S")
  if not a then return "" end
  return s:match("^.*%S", a)
end
M.trim = trim

---The text of a list item line ("- [x] text", "* text"), trimmed, or nil:
---for one line of text a person typed, not for reading a log (Doc:items).
---@param s string one line
---@return string|nil text
local function item_text(s)
  local t = s:match("^%s*[-*+]%s+%[[xX ]%]%s*(.*)$") or s:match("^%s*[-*+]%s+(.*)$")
  return t and trim(t)
end
M.item_text = item_text

---Whether a line is a one-line HTML comment (`<!-- hint -->`).
---@param s string a line without its ending
---@return boolean
local function is_comment(s) return s:match("^%s*<!%-%-.*%-%->%s*$") ~= nil end
M.is_blank, M.is_comment = is_blank, is_comment

---Lines of text[a, b) without a table per line: an iterator of
---(start, stop after the line ending, the line without its ending). Stops
---early when the caller breaks, so a 200 MB section costs what is read.
---@param text string
---@param a integer
---@param b integer
---@return fun(): integer|nil, integer, string lines each (start, stop, line)
function M.each_line(text, a, b)
  local pos = a
  return function()
    if pos >= b then return nil end
    local start = pos
    local nl = text:find("\n", pos, true)
    local stop, last
    if nl and nl < b then stop, last = nl + 1, nl - 1 else stop, last = b, b - 1 end
    if last >= start and text:byte(last) == 13 then last = last - 1 end
    pos = stop
    return start, stop, text:sub(start, last)
  end
end

---Lines of text[a, b) as a table of {start, stop, s}; each_line is the
---cheap form.
---@param text string
---@param a integer
---@param b integer
---@return sesslua.log.Line[] lines
function M.lines(text, a, b)
  local out = {}
  for start, stop, s in M.each_line(text, a, b) do
    out[#out + 1] = { start = start, stop = stop, s = s }
  end
  return out
end

-- Blocks -----------------------------------------------------------------

---Whether a document-level block is the footer (a paragraph whose first
---line is a footer field: Last Updated, Updated By).
---@param b sesslua.md.Block
---@return boolean
function Doc:is_footer_block(b)
  if b.kind ~= "paragraph" then return false end
  for _, k in ipairs(self.schema.footer) do
    local f = self.md:field(k, b.start, b.stop)
    if f and f.line_start == b.start and not f.bullet then return true end
  end
  return false
end

---Where a section's own content ends: after its last block that is not
---a thematic break or the footer, so trailing rules, blank lines and the
---footer stay after anything added. Walks the blocks back from the
---section's end, one at a time.
---@param sec sesslua.md.Section
---@return integer position
function Doc:content_end(sec)
  -- section tables are rebuilt on every reindex, so the answer can live on them
  if sec.content_stop then return sec.content_stop end
  local stop = sec.heading_end
  local b = self.md:block_before(sec.body_end, sec.heading_end)
  while b do
    if b.kind ~= "break" and not self:is_footer_block(b) then stop = b.stop; break end
    b = self.md:block_before(b.start, sec.heading_end)
  end
  sec.content_stop = stop
  return stop
end

-- Fields -----------------------------------------------------------------

---A field in text[a, b), either form (`**Key:** value`, `- **Key:** value`).
---@param key string
---@param a? integer default 1
---@param b? integer default #text + 1
---@return sesslua.md.DocField|nil field
function Doc:field_in(key, a, b)
  return self.md:field(key, a, b)
end

---Every field of [a, b), both forms, in file order.
---@param a? integer default 1
---@param b? integer default #text + 1
---@return sesslua.md.DocField[] fields
function Doc:fields(a, b)
  return self.md:fields(a, b)
end

---A field: in the header, then Current Work, then anywhere.
---@param key string
---@return sesslua.md.DocField|nil field
function Doc:field(key)
  local a, b = self:header_range()
  local f = self.md:field(key, a, b)
  if f then return f end
  local cw = self:section("Current Work")
  if cw then
    f = self.md:field(key, cw.heading_end, cw.body_end)
    if f then return f end
  end
  return self.md:field(key)
end

---A field of the header only (the log's own Status, Role, ...).
---@param key string
---@return sesslua.md.DocField|nil field
function Doc:header_field(key)
  local a, b = self:header_range()
  return self.md:field(key, a, b)
end

---A field's value, or nil when it is missing, blank or a placeholder.
---@param v string|nil a raw value
---@return string|nil
local function filled(v)
  if not v or is_blank(v) or placeholders.is_placeholder(v) then return nil end
  return v
end
M.filled = filled

---A Progress value as a number 0-100 (`40%`, `40`, `12.5 %`), or nil.
---@param v string|nil
---@return number|nil
function M.percent(v)
  local n = v and tonumber(v:match("^%s*(%d+%.?%d*)%s*%%?%s*$"))
  if n and n >= 0 and n <= 100 then return n end
  return nil
end

---A field's value with placeholders and blanks turned into nil: in the
---header, then Current Work, then anywhere (as Doc:field), or only in
---scope_section.
---@param key string
---@param scope_section? string only in this schema section's own body
---@return string|nil value
function Doc:value(key, scope_section)
  local d = self.md
  if scope_section then
    local sec = self:section(scope_section)
    return filled(sec and d:field_value(key, sec.heading_end, sec.body_end))
  end
  local v = d:field_value(key, self:header_range())
  if not v then
    local cw = self:section("Current Work")
    v = cw and d:field_value(key, cw.heading_end, cw.body_end) or d:field_value(key)
  end
  return filled(v)
end

---A header field's value (nil when blank, a placeholder or missing): the
---log's own Status is the header's, never Current Work's.
---@param key string
---@return string|nil value
function Doc:header_value(key)
  return filled(self.md:field_value(key, self:header_range()))
end

---The status of the work: Current Work's Status (nil when unset).
---@return string|nil status
function Doc:work_status()
  return self:value("Status", "Current Work")
end

---Progress as a number 0-100, or nil.
---@return number|nil percent
function Doc:progress()
  return M.percent(self:value("Progress", "Current Work") or self:value("Progress"))
end

---Where a footer field is looked for first: the last paragraph (up to
---four blocks back from the end), so the last such line is found without
---reading every field of the log; nil when there is none (then the whole
---text). md.plan's footer follows the same rule in C.
local function footer_from(doc)
  local d = doc.md
  local b, tries = d:block_before(#doc.text + 1), 4
  while b and b.kind ~= "paragraph" and tries > 0 do
    b, tries = d:block_before(b.start), tries - 1
  end
  return b and b.start
end

---The footer's field (Last Updated, Updated By): the last such line
---outside code, so a note quoting the footer is never taken for it.
---@param key string "Last Updated" or "Updated By"
---@return sesslua.md.DocField|nil field
function Doc:footer_field(key)
  local from = footer_from(self)
  return from and self.md:last_field(key, from) or self.md:last_field(key)
end

local clock -- required on first use: clock requires this module's users

---The Last Updated time as written, and as epoch seconds.
---@return string|nil text as written; nil when missing or a placeholder
---@return integer|nil time epoch seconds; nil for text clock.parse cannot read
function Doc:last_updated()
  -- Doc:footer_field's rule, reading the value only (status asks every log)
  local key, d, from = self.schema.footer[1], self.md, footer_from(self)
  local v = from and d:last_field_value(key, from) or d:last_field_value(key)
  if not v or placeholders.is_placeholder(v) then return nil end
  clock = clock or require("sesslua.clock")
  return v, clock.parse(v)
end

-- Labelled blocks ---------------------------------------------------------

---The first `**Label:**` line (not the list-item form) in [a, b).
local function label_field(doc, label, a, b)
  local f = doc.md:field(label, a, b)
  if not f or not f.bullet then return f end
  for _, g in ipairs(doc.md:fields(f.line_end, b)) do -- rare: a bulleted one came first
    if not g.bullet and g.key:lower() == label:lower() then return g end
  end
end

---The block a heading named like the label leads (`### Current Phase`):
---one inside sec first, else one anywhere.
---@param sec sesslua.md.Section|nil looked in first
---@param label string
---@return sesslua.log.Block|nil block
function Doc:heading_block(sec, label)
  local key = schema.key(label)
  local found
  if sec then
    for i = sec.index + 1, #self.sections do
      local s = self.sections[i]
      if s.start >= sec.stop then break end
      if key_of(s) == key then found = s; break end
    end
  end
  if not found then
    for _, s in ipairs(self.sections) do
      if key_of(s) == key and not (sec and s.index == sec.index) then found = s; break end
    end
  end
  if not found then return nil end
  return { label_start = found.start, label_end = found.heading_end,
           stop = self:content_end(found), value = "", heading = true }
end

---A labelled block inside a section: a `**Label:**` line (an empty-valued
---field used as a sub-heading, like `**Current Phase:**`) and what it
---leads up to the next label line, thematic break or heading; else a
---heading named like the label (`### Current Phase`) and its body; else,
---for the schema's implicit label (Current Blockers), the section's own
---list before any label. sec may be nil.
---@param sec sesslua.md.Section|nil
---@param label string
---@return sesslua.log.Block|nil block
function Doc:block(sec, label)
  local f = sec and label_field(self, label, sec.heading_end, sec.body_end)
  if f then
    local stop = math.max(math.min(f.block_end, sec.body_end), f.line_end)
    return { label_start = f.line_start, label_end = f.line_end, stop = stop, value = f.value }
  end
  local h = self:heading_block(sec, label)
  if h then return h end
  local spec = sec and self.schema.by_key[key_of(sec)]
  if spec and spec.implicit == label then
    -- the section's own text before its first label line, when it says
    -- something or no label follows (a hand-written section, not the
    -- template's with this label deleted)
    local stop = sec.body_end
    for _, g in ipairs(self.md:fields(sec.heading_end, sec.body_end)) do
      if not g.bullet then stop = g.line_start; break end
    end
    local said = false
    local b = self.md:block_before(stop, sec.heading_end)
    while b do
      if b.kind ~= "html" and b.kind ~= "break" then said = true; break end
      b = self.md:block_before(b.start, sec.heading_end)
    end
    if said or stop >= self:content_end(sec) then
      return { label_start = sec.heading_end, label_end = sec.heading_end, stop = stop,
               value = "", implicit = true }
    end
  end
  return nil
end

-- Lists ------------------------------------------------------------------

---List items in [a, b) at the shallowest depth there: each {start, stop
---(after continuation lines and nested lists), text, marker, number, done
---(nil unless a task), line, placeholder}.
---@param a? integer default 1
---@param b? integer default #text + 1
---@return sesslua.log.Item[] items
function Doc:items(a, b)
  local items = self.md:items(a, b)
  for _, it in ipairs(items) do it.placeholder = placeholders.is_placeholder(it.text) end
  return items
end

---Items of a labelled block in a section, or of the whole section.
---@param section_name string
---@param label? string a labelled block of the section
---@return sesslua.log.Item[] items
function Doc:section_items(section_name, label)
  local sec = self:section(section_name)
  if label then
    local blk = self:block(sec, label)
    if not blk then return {} end
    return self:items(blk.label_end, blk.stop)
  end
  if not sec then return {} end
  return self:items(sec.heading_end, self:content_end(sec))
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
---@param s string|nil
---@return boolean
function M.is_none(s)
  if not s or #s > 40 then return false end
  s = s:lower():gsub("^%s*[-*+]%s+", ""):gsub("^%s*%[[ x]%]%s*", ""):gsub("^[%s*_]+", "")
    :gsub("[%s.!*_]+$", "")
  return NONE[s] == true
end

---Dated groups `**YYYY-MM-DD:**` of Completed Today, newest first as
---written: array of {date, items = {strings}}.
---@return sesslua.log.CompletedGroup[] groups
function Doc:completed()
  local sec = self:section("Completed Today")
  if not sec then return {} end
  local groups = {}
  local stop = self:content_end(sec)
  for _, f in ipairs(self.md:fields(sec.heading_end, stop)) do
    local date = not f.bullet and f.value == "" and f.key:match("^%d%d%d%d%-%d%d%-%d%d$")
    if date then
      local g = { date = date, items = {} }
      groups[#groups + 1] = g
      for _, it in ipairs(self:items(f.line_end, math.min(f.block_end, stop))) do
        if not it.placeholder then g.items[#g.items + 1] = trim(it.text) end
      end
    end
  end
  return groups
end

---The entries of Services Built/Modified (`1. **api** (Port: 8080)` with
---`- Status: ...` lines under it), template samples left out: each
---{name, port (nil when the entry gives none), fields = {Key = value}}.
---@return {name: string, port: integer|nil, fields: table<string, string>}[] services
function Doc:services()
  local sec = self:section("Services Built/Modified")
  if not sec then return {} end
  local out = {}
  for _, it in ipairs(self:items(sec.heading_end, self:content_end(sec))) do
    if not it.placeholder then
      local name = it.text:match("^%*%*(.-)%*%*") or it.text
      local port = it.text:match("%([Pp]ort:?%s*(%d+)%)")
      name = name:gsub("%s*%([Pp]ort:?%s*%d+%)$", "") -- `**web (Port: 3000)**` names web
      local fields = {}
      for start, _, line in M.each_line(self.text, it.start, it.stop) do
        -- `- Key: value` or `- **Key:** value` on the entry's own lines
        local key, value = line:match("^%s*[-*+]?%s*%**([%w][%w _/-]-)%**:%**%s*(.-)%s*$")
        if start > it.start and key and fields[key] == nil and not placeholders.is_placeholder(trim(line)) then
          fields[key] = value
        end
      end
      out[#out + 1] = { name = name, port = tonumber(port), fields = fields }
    end
  end
  return out
end

---Session Notes as its blocks' texts (paragraphs, lists, quotes, code as
---written), comments, rules and template samples left out.
---@return string[] notes
function Doc:notes()
  local sec = self:section("Session Notes")
  if not sec then return {} end
  local out = {}
  for _, b in ipairs(self.md:blocks(sec.heading_end, self:content_end(sec))) do
    if b.kind ~= "html" and b.kind ~= "break" and b.kind ~= "heading" then
      local t = trim(self.text:sub(b.start, b.stop - 1))
      if t ~= "" and not placeholders.is_placeholder(t) then out[#out + 1] = t end
    end
  end
  return out
end

---Dated learnings `**YYYY-MM-DD - Topic:**` followed by lines.
---@return sesslua.log.Learning[] learnings
function Doc:learnings()
  local sec = self:section("Learnings & Discoveries")
  if not sec then return {} end
  local out = {}
  local stop = self:content_end(sec)
  for _, f in ipairs(self.md:fields(sec.heading_end, stop)) do
    local date, topic = f.key:match("^(%d%d%d%d%-%d%d%-%d%d)%s+%-%s+(.-)%s*$")
    if date and not f.bullet and f.value == "" and not placeholders.is_placeholder(topic) then
      local lines = {}
      for _, _, s in M.each_line(self.text, f.line_end, math.min(f.block_end, stop)) do
        -- code lines are part of what was learned: kept as text
        if not is_blank(s) and not is_comment(s) then
          local t = trim(s:match("^%s*[-*+]%s+(.*)$") or s)
          if not placeholders.is_placeholder(t) then lines[#lines + 1] = t end
        end
      end
      out[#out + 1] = { date = date, topic = topic, text = table.concat(lines, "\n") }
    end
  end
  return out
end

---Plain strings of the real (non-placeholder) items.
---@param items sesslua.log.Item[]
---@param filter? fun(item: sesslua.log.Item): boolean
---@return string[] texts
function M.texts(items, filter)
  local out = {}
  for _, it in ipairs(items) do
    if not it.placeholder and (filter == nil or filter(it)) then out[#out + 1] = it.text end
  end
  return out
end

-- Plain-text helpers that take a text (for code that has no Doc) ----------

local last_text, last_parse -- the text these were last asked about

local function parse(text)
  if text ~= last_text then last_text, last_parse = text, md.parse(text) end
  return last_parse
end

---Every field of text[a, b), both forms, in file order.
---@param text string
---@param a? integer default 1
---@param b? integer default #text + 1
---@return sesslua.md.DocField[] fields
function M.fields(text, a, b)
  return parse(text):fields(a, b)
end

---A field in text[a, b), either form.
---@param text string
---@param key string
---@param a? integer default 1
---@param b? integer default #text + 1
---@return sesslua.md.DocField|nil field
function M.field(text, key, a, b)
  return parse(text):field(key, a, b)
end

---List items of text[a, b) at their shallowest depth (with `placeholder`).
---@param text string
---@param a? integer default 1
---@param b? integer default #text + 1
---@return sesslua.log.Item[] items
function M.items(text, a, b)
  local items = parse(text):items(a, b)
  for _, it in ipairs(items) do it.placeholder = placeholders.is_placeholder(it.text) end
  return items
end

return M
