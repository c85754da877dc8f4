--- Shared knowledge files: types, impact levels, the entry format the shell
--- scripts wrote (kept, so old files and readers stay valid), parsing
--- entries, and adding one under the file's lock.
local fs = require("sesslua.fs")
local md = require("sesslua.md")
local search = require("sesslua.search")
local tree = require("sesslua.tree")
local clock = require("sesslua.clock")

local M = {}

---Lua pattern of the `<!-- Sessions add entries below this line -->` marker.
---@type string
M.MARKER_PATTERN = "<!%-%- *Sessions add[^\n]*%-%->"
---The built-in impact levels.
---@type string[]
M.IMPACTS = { "Low", "Medium", "High", "Critical" }

---An entry to write (M.format_entry, M.add).
---@class sesslua.knowledge.NewEntry
---@field kind sesslua.KnowledgeKind
---@field session string
---@field category string
---@field text string
---@field impact string
---@field date? string `YYYY-MM-DD`; M.add sets clock.today()
---@field timestamp? string M.add sets clock.now_utc()

local ALIASES = {
  learning = "learning", learnings = "learning",
  pattern = "pattern", patterns = "pattern",
  troubleshooting = "troubleshooting", trouble = "troubleshooting", issue = "troubleshooting",
  ["best-practice"] = "best-practice", ["best-practices"] = "best-practice",
  practice = "best-practice", best = "best-practice",
}

---The knowledge kind (tree.KNOWLEDGE entry) for a type word or alias.
---@param word string|nil a type word or alias (`patterns`, `trouble`), any case
---@return sesslua.KnowledgeKind|nil kind
function M.kind(word)
  local t = word and ALIASES[word:lower()]
  if not t then return nil end
  for _, k in ipairs(tree.KNOWLEDGE) do if k.type == t then return k end end
end

---The impact levels in force: the config's `impact_levels`, else IMPACTS.
---@return string[] levels
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
---@return string level
function M.default_impact()
  local levels = M.impacts()
  for _, l in ipairs(levels) do if l == "Medium" then return l end end
  return levels[(#levels + 1) // 2]
end

---The capitalised impact level for a word in any case, or nil.
---@param word string|nil
---@return string|nil level as the level list writes it
function M.impact(word)
  if not word then return nil end
  local w = word:lower()
  for _, i in ipairs(M.impacts()) do if i:lower() == w then return i end end
end

---Path of a kind's file.
---@param root string
---@param kind sesslua.KnowledgeKind
---@return string path
function M.path(root, kind)
  return tree.paths(root).knowledge .. "/" .. kind.file
end

---Whether a text line, after its indent, needs a backslash: it would read
---as an entry heading, the entry's closing rule, a `**Key:**` field line
---(a fake Impact or Category for line-oriented readers), the file's
---marker, or it starts with the backslash escape itself (so unescape gives
---back exactly what was typed). With `strict`, also a line that could open
---a fenced code or HTML block, which is needed only when the text leaves
---such a block open (it would swallow the entry's fields and every older
---entry after it).
local function needs_escape(rest, strict)
  return rest:find("^#") or rest:find("^%-%-%-") or rest:find("^%*%*.-:%*%*")
    or rest:find("^\\[#%-%*\\`~<]") or rest:find("^" .. M.MARKER_PATTERN)
    or (strict and (rest:find("^```") or rest:find("^~~~") or rest:find("^<")))
end

---Continuation lines of a text that need it get a backslash after their
---indent, the Markdown escape, so they render as typed and parse as text.
---The first line sits after `**Label:** ` and cannot be mistaken.
local function escape_body(text, strict)
  return (text:gsub("\n([ \t]*)([^\n]*)", function(ws, rest)
    if needs_escape(rest, strict) then return "\n" .. ws .. "\\" .. rest end
  end))
end

---The inverse of escape_body for one continuation line.
local function unescape_line(s)
  return (s:gsub("^([ \t]*)\\([#%-%*\\`~<])", "%1%2"))
end

local function render_entry(e, strict)
  local text = escape_body(e.text, strict)
  return table.concat({
    ("### %s - %s - %s"):format(e.date, e.session, e.category), "",
    ("**%s:** %s"):format(e.kind.label, text),
    ("**Impact:** %s"):format(e.impact),
    ("**Timestamp:** %s"):format(e.timestamp),
    ("**Category:** %s"):format(e.category),
    ("**Shared By:** %s"):format(e.session), "", "---", "",
  }, "\n")
end

---The text of one entry in the scripts' format. It always reads back
---(`M.entries`) as written: when the text leaves a code fence or an HTML
---block open, its fence and tag lines are escaped as well.
---@param e sesslua.knowledge.NewEntry with date and timestamp set
---@return string text
function M.format_entry(e)
  local out = render_entry(e, false)
  local back = M.entries(out)[1]
  if back and back.text == e.text and back.impact == e.impact
      and back.category == e.category and back.session == e.session then
    return out
  end
  return render_entry(e, true)
end

-- Layout of a knowledge file. The header runs to the end of the marker
-- line; below it every `###` heading starts an entry, which runs to the
-- next heading of level 3 or less written with `#` marks, or to the
-- footer. Headings come from the C section index, so a `###` line inside
-- fenced code or an HTML block is no heading. An underlined (setext)
-- heading inside an entry stays its text: a `---` written right under a
-- line is how people close an entry by hand, not a new section.

---The bytes [ls, le) of the marker line: the first
---`<!-- Sessions add ... -->` that starts a line (after at most three
---spaces) and is a block of its own, not a line of code or of another
---HTML block. A marker quoted inside a line is text.
local function find_marker(text)
  local from = 1
  while true do
    local at = text:find("<!--", from, true)
    if not at then return nil end
    local ls = at
    while ls > 1 and at - ls < 3 and text:byte(ls - 1) == 32 do ls = ls - 1 end
    if (ls == 1 or text:byte(ls - 1) == 10) and text:find("^" .. M.MARKER_PATTERN, at) then
      -- a heading put in its place must be a document-level heading
      local probe = md.sections(text:sub(1, at - 1) .. "# p\n")
      local last = probe[#probe]
      if last and last.start == ls and last.raw_title == "p" then
        local nl = text:find("\n", at, true)
        return ls, nl and nl + 1 or #text + 1
      end
    end
    from = at + 4
  end
end

---Whether a section's heading is one line (`#` marks), not underlined.
local function one_line(text, s)
  local nl = text:find("\n", s.start, true)
  return not nl or nl >= s.heading_end - 1
end

local function is_rule(s)
  if not s:find("^ ? ? ?[%-%*_]") then return false end
  local t = s:gsub("[ \t]", "")
  return t:find("^%-%-%-+$") or t:find("^%*%*%*+$") or t:find("^___+$")
end

---What a line can be in a footer: "blank", "italic", "mark" (a Total line
---or an italic "updated" line), "rule"; nil for anything else.
local function footer_line(s)
  if s:find("^%s*$") then return "blank" end
  if is_rule(s) then return "rule" end
  local low = s:lower()
  if low:find("^%s*%*%*total [^\n]-:%*%*") or low:find("^%s*%*%*total [^\n]-%*%*:") then
    return "mark"
  end
  if s:find("^%s*%*[^%*].*%*%s*$") or s:find("^%s*_[^_].*_%s*$") then
    return low:find("updated", 1, true) and "mark" or "italic"
  end
end

local FOOTER_MAX = 4096 -- a trailing block longer than this is no footer

---Where the file's footer starts, looking no earlier than `from`: the
---line after the last `---` rule when everything after that rule is blank
---lines, `**Total …:**` lines and italic lines, one of them a Total or an
---"updated" line. The rule itself closes the last entry. Nil without one.
local function find_footer(text, from, no_code)
  local len = #text
  local a = math.max(from, len - FOOTER_MAX + 1)
  if a > from then
    local nl = text:find("\n", a, true)
    if not nl then return nil end
    a = nl + 1
  end
  local starts = {}
  while a <= len do
    starts[#starts + 1] = a
    a = (text:find("\n", a, true) or len) + 1
  end
  local marked = false
  for i = #starts, 1, -1 do
    local ls, le = starts[i], starts[i + 1] or len + 1
    local kind = footer_line((text:sub(ls, le - 1):gsub("\r?\n$", "")))
    if kind == "rule" then
      return marked and (no_code or not md.in_code(text, ls)) and le or nil
    elseif kind == "mark" then
      marked = true
    elseif kind ~= "blank" and kind ~= "italic" then
      return nil
    end
  end
end

---@class sesslua.knowledge.Layout
---@field marker_end integer|nil first byte after the marker line
---@field area integer where entries may start (after the marker, else the first `###`)
---@field footer integer first byte of the footer, `#text + 1` without one
---@field count integer the number of entries
---@field entries table[]|nil the entry headings (md.sections tables) with `entry_stop`
---@field outside integer[][] `{a, b}` ranges in no entry: header, gaps, footer

-- Line starts quick_layout counts below the marker, in one pass (in C):
-- entry headings, any `#` line, and lines that could open an HTML block or
-- be a heading after one to three blanks.
local QUICK_PREFIXES = { "### ", "#", "<", " <", "  <", "   <", " #", "  #", "   #" }

---The layout without building the section table (a Lua table per heading
---costs 7 ms over 10,000 entries), when it is certain to be the same:
---below the marker no code fence, no line that could open an HTML block
---(`<` after at most three blanks) and no `#` line but `### ` ones, none
---after blanks. Then every `### ` line is an entry heading and nothing
---else ends an entry. Nil when not certain.
---@return sesslua.knowledge.Layout|nil
local function quick_layout(text, marker_end)
  local len = #text
  if text:find("```", marker_end, true) or text:find("~~~", marker_end, true) then return nil end
  local n, hashes, html, b1, b2, b3, h1, h2, h3 = search.line_starts(text, QUICK_PREFIXES, marker_end)
  if hashes ~= n or html + b1 + b2 + b3 + h1 + h2 + h3 > 0 then return nil end
  local first = text:sub(marker_end, marker_end + 3) == "### " and marker_end
    or ((text:find("\n### ", marker_end, true) or len) + 1)
  local footer = find_footer(text, marker_end, true) or len + 1
  return { marker_end = marker_end, area = marker_end, footer = footer, count = n,
           outside = { { 1, marker_end }, { marker_end, math.min(first, footer) }, { footer, len + 1 } } }
end

---The file's layout. `with_entries` asks for every entry's heading and
---bounds; without it the quick layout is taken when it is certain.
---@param text string
---@param with_entries boolean|nil
---@return sesslua.knowledge.Layout
local function layout(text, with_entries)
  local _, marker_end = find_marker(text)
  local quick = not with_entries and marker_end and quick_layout(text, marker_end)
  if quick then return quick end
  local area = marker_end
  local bounds = {}
  for _, s in ipairs(md.sections(text)) do
    if s.level == 3 then
      area = area or s.start
      if s.start >= area then bounds[#bounds + 1] = s end
    elseif s.level < 3 and area and s.start >= area and one_line(text, s) then
      bounds[#bounds + 1] = s
    end
  end
  area = area or #text + 1
  local last = bounds[#bounds]
  local footer = find_footer(text, last and last.heading_end or area) or #text + 1
  local entries, outside = {}, { { 1, area }, { area, bounds[1] and bounds[1].start or footer } }
  for j, b in ipairs(bounds) do
    local stop = bounds[j + 1] and bounds[j + 1].start or footer
    if b.level == 3 then
      b.entry_stop = stop
      entries[#entries + 1] = b
    else
      outside[#outside + 1] = { b.start, stop }
    end
  end
  outside[#outside + 1] = { footer, #text + 1 }
  return { marker_end = marker_end, area = area, footer = footer, count = #entries,
           entries = entries, outside = outside }
end

---@class sesslua.knowledge.Entry
---@field heading string the heading's text as written (no `###`)
---@field date string `YYYY-MM-DD` from the heading, else from the Timestamp; `""` when neither has one
---@field session string from the heading, else `**Shared By:**`; `""` when neither names one
---@field category string from the heading, else `**Category:**`; `""` when neither names one
---@field title string|nil the heading's words after its date (`### 2025-11-20 (Kickoff)`: `Kickoff`), or the whole heading without a date
---@field type string|nil `kind.type` when a kind was given
---@field impact string|nil `**Impact:**`
---@field timestamp string|nil `**Timestamp:**`
---@field shared_by string|nil `**Shared By:**`
---@field category_field string|nil `**Category:**`
---@field label string|nil the key of the body line (`Learning`) when the entry starts with one
---@field text string|nil that body line's text, else the entry's prose; nil when empty
---@field line integer the heading's line number
---@field start integer first byte of the heading
---@field stop integer first byte after the entry (`[start, stop)`)

local DATE = "^(%d%d%d%d%-%d%d%-%d%d)(.*)$"

---Date, session, category and title from a heading's text, for
---`DATE - SESSION - CATEGORY`, `DATE - CATEGORY`, `DATE (TITLE)`, `DATE
---TITLE` and headings without a date (all title).
local function heading_parts(raw)
  local e = { heading = raw, date = "", session = "", category = "" }
  local date, rest = raw:match(DATE)
  if not (date and (rest == "" or rest:find("^[%s:,(%-]"))) then
    e.title = raw ~= "" and raw or nil
    return e
  end
  e.date = date
  local session, category = rest:match("^ %- (.-) %- (.+)$")
  if session then
    e.session, e.category = session, category:match("^(.-)%s*$")
    return e
  end
  category = rest:match("^ %- (.+)$")
  if category then e.category = category:match("^(.-)%s*$"); return e end
  local title = rest:match("^%s*%((.*)%)%s*$") or rest:match("^[%s:,%-]*(.-)%s*$")
  e.title = title ~= "" and title or nil
  return e
end

local KNOWN = { impact = "impact", timestamp = "timestamp", category = "category_field",
                ["shared by"] = "shared_by" }

---The lines of text[a, b) without line endings.
local function lines_of(text, a, b)
  local out = {}
  if b <= a then return out end
  local s = text:sub(a, b - 1)
  if s:byte(-1) ~= 10 then s = s .. "\n" end
  for line in s:gmatch("([^\n]*)\n") do
    out[#out + 1] = line:byte(-1) == 13 and line:sub(1, -2) or line
  end
  return out
end

---Blank lines off both ends; nil when nothing is left.
local function trim_lines(lines)
  local i, j = 1, #lines
  while i <= j and lines[i]:find("^%s*$") do i = i + 1 end
  while j >= i and lines[j]:find("^%s*$") do j = j - 1 end
  return i <= j and table.concat(lines, "\n", i, j) or nil
end

---The text of a `**Label:**` body: its value and the lines below it up to
---`stop` or a `---` rule, unescaped. Blank lines at its end are dropped
---when it ends at a rule or the entry's end (`trim`), not at a field.
local function label_text(text, f, stop, trim)
  local parts = { f.value }
  for _, line in ipairs(lines_of(text, f.line_end, stop)) do
    if line:find("^%-%-%-+%s*$") then trim = true; break end
    parts[#parts + 1] = unescape_line(line)
  end
  while trim and #parts > 1 and parts[#parts]:find("^%s*$") do parts[#parts] = nil end
  return table.concat(parts, "\n")
end

---An entry's own fields and text, from the field lines inside it.
local function read_body(text, e, s, fields)
  local known, first = {}, nil
  for _, f in ipairs(fields) do
    local key = KNOWN[f.key:lower()]
    if key then e[key] = f.value; known[#known + 1] = f
    elseif not first then first = f end
  end
  local body_start = text:find("%S", s.heading_end) or s.entry_stop
  if first and first.line_start <= body_start and body_start < first.line_end then
    local stop = s.entry_stop
    for _, f in ipairs(known) do
      if f.line_start > first.line_start then stop = f.line_start; break end
    end
    e.label = first.key
    e.text = label_text(text, first, stop, stop == s.entry_stop)
    return
  end
  -- prose: the entry without its known fields and its closing rule
  local lines, at = {}, s.heading_end
  for _, f in ipairs(known) do
    for _, l in ipairs(lines_of(text, at, f.line_start)) do lines[#lines + 1] = l end
    at = f.line_end
  end
  for _, l in ipairs(lines_of(text, at, s.entry_stop)) do lines[#lines + 1] = l end
  while #lines > 0 and (lines[#lines]:find("^%s*$") or is_rule(lines[#lines])) do
    lines[#lines] = nil
  end
  e.text = trim_lines(lines)
end

---Every entry of a knowledge file's text, in file order (see
---sesslua.knowledge.Entry). Any `###` heading below the marker is one.
---@param text string a knowledge file's text
---@param kind? sesslua.KnowledgeKind sets each entry's `type`
---@return sesslua.knowledge.Entry[] entries
function M.entries(text, kind)
  local L = layout(text, true)
  local out = {}
  if #L.entries == 0 then return out end
  local fields = md.fields(text, L.entries[1].heading_end, L.entries[#L.entries].entry_stop)
  local fi = 1
  for _, s in ipairs(L.entries) do
    local e = heading_parts(s.raw_title)
    e.line, e.start, e.stop, e.type = s.line, s.start, s.entry_stop, kind and kind.type
    while fields[fi] and fields[fi].line_start < s.heading_end do fi = fi + 1 end
    local mine = {}
    while fields[fi] and fields[fi].line_start < s.entry_stop do
      mine[#mine + 1] = fields[fi]; fi = fi + 1
    end
    read_body(text, e, s, mine)
    if e.date == "" and e.timestamp then e.date = e.timestamp:match("^%d%d%d%d%-%d%d%-%d%d") or "" end
    if e.session == "" then e.session = e.shared_by or "" end
    if e.category == "" then e.category = e.category_field or "" end
    out[#out + 1] = e
  end
  return out
end

---The number of entries: `###` headings below the marker (or, without
---one, from the first `###` heading on), found by the C section index.
---@param text string
---@return integer
function M.count(text)
  return layout(text).count
end

---Edits setting every `**Total …:**` line outside entries and code (the
---header, the footer, text between sections) to `n`: its number, or an
---empty value. A Total line with words for a value is left alone. Each
---range starts at document level, so it is read on its own: the text's
---own index is never built for it.
local function total_edits(text, L, n)
  local edits = {}
  for _, r in ipairs(L.outside) do
    local part = r[2] > r[1] and text:sub(r[1], r[2] - 1) or ""
    for _, f in ipairs(part:find("**", 1, true) and md.fields(part) or {}) do
      if f.key:lower():find("^total ") then
        local at = r[1] + f.value_start - 1
        local digits = text:match("^%d*", at)
        if digits ~= "" or f.value == "" then
          edits[#edits + 1] = { at, at + #digits, tostring(n) }
        end
      end
    end
  end
  return edits
end

---Text with non-overlapping edits `{a, b, new}` ([a, b) replaced) made.
local function apply(text, edits)
  table.sort(edits, function(x, y) return x[1] < y[1] end)
  local out, at = {}, 1
  for _, ed in ipairs(edits) do
    out[#out + 1] = text:sub(at, ed[1] - 1)
    out[#out + 1] = ed[3]
    at = ed[2]
  end
  out[#out + 1] = text:sub(at)
  return table.concat(out)
end

---Insert an entry below the marker (newest first), else after the last
---entry (before the footer), and set every Total line outside the entries
---(top, bottom or both) to the new number of entries.
---@param text string the file's text
---@param entry_text string an entry from M.format_entry
---@return string text
---@return integer count the number of entries now
function M.insert(text, entry_text)
  local eol = md.eol(text)
  if eol ~= "\n" then entry_text = entry_text:gsub("\n", eol) end
  local L = layout(text)
  local pos = L.marker_end or L.footer
  local lead = (pos > 1 and text:byte(pos - 1) ~= 10) and eol or ""
  local add = { pos, pos, lead .. eol .. entry_text }
  if L.marker_end then
    -- below the marker line (a closed block) the entry is one heading and
    -- leaves no block open (format_entry), so the rest parses as before
    local n = L.count + 1
    local edits = total_edits(text, L, n)
    edits[#edits + 1] = add
    return apply(text, edits), n
  end
  -- appended after whatever the file ends with: count again
  text = apply(text, { add })
  L = layout(text)
  return apply(text, total_edits(text, L, L.count)), L.count
end

---Whether the text already holds an entry with this session, category
---and text (so re-runs never duplicate).
---@param text string
---@param session string
---@param category string
---@param body string the entry's text
---@return boolean
function M.has_entry(text, session, category, body)
  for _, e in ipairs(M.entries(text)) do
    if e.session == session and e.category == category and e.text == body then return true end
  end
  return false
end

---Add an entry under the file's lock, creating the file when missing.
---@param ctx sesslua.Context
---@param e sesslua.knowledge.NewEntry its date and timestamp are filled in when missing
---@param opts? {unique: boolean|nil} unique: not again when an identical entry is there
---@return boolean|nil added false when it was already there
---@return integer|string|nil total_or_message the number of entries; the message on failure
---@return string|nil code on failure
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
---@param ctx sesslua.Context
---@param doc sesslua.Log
---@param session string
---@param date? string only learnings of this `YYYY-MM-DD`
---@return sesslua.knowledge.NewEntry[] entries ready for M.add
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
