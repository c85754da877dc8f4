--- Edits to a session log Doc (sesslua.log). Every edit is a splice of the
--- original bytes: text outside the edited span stays byte-identical, line
--- endings follow the document's, and a section or field the log lacks is
--- created where the schema puts it. Positions come from the document
--- object (md.parse); a splice returns a fresh parse.
local md = require("sesslua.md")
local log = require("sesslua.log")
local placeholders = require("sesslua.placeholders")

local M = {}

local each_line, is_blank, is_comment = log.each_line, log.is_blank, log.is_comment

-- A text this large is collected as soon as a splice replaces it, so an
-- edit of a 200 MB log holds two copies at most, not one per splice.
local BIG = 8 * 1024 * 1024

---Replace doc.text[a, b) by s (written with "\n"; converted to the
---document's line ending), then reindex. Lines appended at the very end
---of a text that lacks a final line ending get one first.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param a integer
---@param b integer
---@param s string lines written with "\n"
function M.splice(doc, a, b, s)
  if doc.eol ~= "\n" then s = s:gsub("\r?\n", doc.eol) end
  if a > #doc.text and a > 1 and s:match("\n$") and doc.text:sub(-1) ~= "\n" then
    s = doc.eol .. s -- lines appended to a text with no final line ending
  end
  if #doc.text < BIG then
    doc:reindex(doc.md:splice(a, b, s))
    return
  end
  -- A big log: its index goes before the new text is made, and each copy
  -- as soon as nothing holds it. The new text is made from two copies
  -- (before and after the span) in one concatenation, the old text freed
  -- in between, so the edit holds two texts' worth at most, never three
  -- (md.splice's buffer and result beside the old text).
  local text = doc.text
  doc.md:close()
  doc.md, doc.text = nil, nil
  local head, tail = text:sub(1, a - 1), text:sub(b)
  text = nil -- dropped, so the collector can free it
  collectgarbage()
  doc.text = head .. s .. tail -- one allocation: Lua concatenates the three at once
  head, tail = nil, nil
  collectgarbage()
  doc:reindex()
end

---Whether text[1, pos) ends with a blank line (a line ending, blanks, a
---line ending), looking back from pos only: no copy of what comes before.
local function ends_blank_line(text, pos)
  local i = pos - 1
  if i < 1 or text:byte(i) ~= 10 then return false end
  i = i - 1
  if i >= 1 and text:byte(i) == 13 then i = i - 1 end
  while i >= 1 and (text:byte(i) == 32 or text:byte(i) == 9) do i = i - 1 end
  return i >= 1 and text:byte(i) == 10
end

---Insert a block of lines at pos, separated from surrounding text by one
---blank line on each side where there is text.
local function insert_block(doc, pos, block)
  local text = doc.text
  local first = text:find("%S")
  local lead = ""
  if first and first < pos and not ends_blank_line(text, pos) then lead = "\n" end
  local trail = text:find("^[ \t]*%S", pos) and "\n" or ""
  text = nil -- not held across the splice: a big log's old text can go
  M.splice(doc, pos, pos, lead .. block .. trail)
end

---Single-line form of a field value: line breaks become spaces.
local function one_line(s)
  return (s:gsub("%s*\r?\n%s*", " "))
end

-- Sections ------------------------------------------------------------------

---The section `name`, created when missing at its schema position: before
---the first section the log has that the schema puts after it, else
---before the footer, else at the end. A heading that only starts like a
---section's name is prose and is never taken for it.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param name string a schema section's name (or a new title)
---@return sesslua.md.Section section
function M.ensure_section(doc, name)
  local sec = doc:section(name)
  if sec then return sec end
  local spec = doc.schema:spec(name)
  local heading = (spec and spec.heading or ("## " .. (spec and spec.name or name))) .. "\n"
  if spec then
    -- the earliest later section in the file (a hand-written log may
    -- order its sections otherwise)
    local first
    for i = spec.position + 1, #doc.schema.sections do
      local later = doc:section(doc.schema.sections[i].name)
      if later and (not first or later.start < first.start) then first = later end
    end
    if first then
      M.splice(doc, first.start, first.start, heading .. "\n---\n\n")
      return doc:section(name)
    end
  end
  -- No later section: before the footer (after the rule above it, so the
  -- new section has its own rule like the others), else at the end.
  local footer = doc:footer_field(doc.schema.footer[1])
  if footer then
    local prev = doc.md:block_before(footer.line_start)
    if prev and prev.kind == "break" then
      M.splice(doc, prev.start, prev.start, "---\n\n" .. heading .. "\n")
    else
      insert_block(doc, footer.line_start, heading .. "\n---\n")
    end
  else
    insert_block(doc, #doc.text + 1, heading)
  end
  return doc:section(name)
end

---Position just after a section's heading and any hint comments.
local function after_hints(doc, sec)
  local pos = sec.heading_end
  for _, stop, s in each_line(doc.text, sec.heading_end, sec.body_end) do
    if is_comment(s) then pos = stop
    elseif not is_blank(s) then break end
  end
  return pos
end

---Fold runs of blank lines in [a, b) (widened to the line ending before a
---and the blank lines after b) into one blank line, after deletions there.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param a integer
---@param b integer
function M.collapse_blanks(doc, a, b)
  local eol = doc.eol
  local stop = b
  while true do
    local blank = doc.text:match("^[ \t]*\r?\n", stop)
    if not blank then break end
    stop = stop + #blank
  end
  if a > #eol and doc.text:sub(a - #eol, a - 1) == eol then a = a - #eol end
  local region = doc.text:sub(a, stop - 1)
  local n
  repeat
    region, n = region:gsub(eol .. "[ \t]*" .. eol .. "[ \t]*" .. eol, eol .. eol)
  until n == 0
  doc.text = doc.text:sub(1, a - 1) .. region .. doc.text:sub(stop)
  doc:reindex()
end

---Delete placeholder items, placeholder labels and placeholder lines in
---[a, b), with the blank lines they leave doubled — but only while the
---span holds nothing of the user's: samples come first in a template's
---section, so the first real item or line of text ends the search (and
---leaves every line alone when it is an item: once a real entry is there,
---whatever matches a sample is the user's own text). With
---even_beside_entries (update --clear-samples) every sample in the span
---goes. Lines of code are never samples.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param a integer
---@param b integer
---@param even_beside_entries? boolean remove samples even where real entries are (update --clear-samples)
---@return integer removed lines removed
local function remove_placeholders(doc, a, b, even_beside_entries)
  local cuts = {}
  local skipping = false
  local text = doc.text
  for start, stop, line in each_line(text, a, b) do
    -- code and comments are neither samples nor the user's entries
    local code = doc.md:in_code(start)
    local numbered = line:match("^%s*%d+[.)]%s+(.*)$")
    local item = log.item_text(line) or (numbered and log.trim(numbered))
    local label = line:match("^%*%*(.-):%*%*%s*$")
    local cont = line:match("^%s%s+%S")
    if code then
      skipping = false
    elseif (cont and skipping) or placeholders.is_placeholder(item or label or line) then
      cuts[#cuts + 1] = { start = start, stop = stop }
      skipping = item or label or skipping
    elseif item and not even_beside_entries then -- labels (a filled-in sample date) decide nothing
      return 0 -- a real entry: leave every line alone
    elseif not even_beside_entries and not label and not is_blank(line) and not is_comment(line) then
      break -- the user's text: samples come before it
    else
      skipping = false
    end
  end
  if #cuts == 0 then return 0 end
  local parts, pos, removed = {}, 1, 0
  for _, c in ipairs(cuts) do
    parts[#parts + 1] = text:sub(pos, c.start - 1)
    pos, removed = c.stop, removed + (c.stop - c.start)
  end
  parts[#parts + 1] = text:sub(pos)
  doc.text = table.concat(parts)
  doc:reindex()
  M.collapse_blanks(doc, a, b - removed)
  return #cuts
end
M.remove_placeholders = remove_placeholders

---The `**Label:**` block in a section (or what doc:block takes for it: a
---heading named like the label, a hand-written section's own list),
---created at the section's end when missing.
local function ensure_block(doc, section_name, label)
  local blk = doc:block(doc:section(section_name), label)
  if blk then return blk end
  -- a section missing or lacking the label gets the template's label line
  local sec = M.ensure_section(doc, section_name)
  insert_block(doc, doc:content_end(sec), "**" .. label .. ":**\n")
  return doc:block(doc:section(section_name), label)
end

---Where the text of [a, b) ends, before trailing blank lines.
local function last_content(doc, a, b)
  local blk = b > a and doc.md:block_before(b, a)
  if blk then return math.min(blk.stop, b) end
  return a
end

---Append an item line to the list of a block (or a whole section when
---label is nil), replacing the template's sample lines first.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param section_name string
---@param label string|nil the block's label; nil for the section's own list
---@param make fun(items: sesslua.log.Item[]): string the new line without its line ending (may hold "\n" for continuation lines)
function M.add_item(doc, section_name, label, make)
  local function range()
    if label then
      local blk = ensure_block(doc, section_name, label)
      return blk.label_end, blk.stop, blk.label_end, blk
    end
    local sec = M.ensure_section(doc, section_name)
    return sec.heading_end, doc:content_end(sec), after_hints(doc, sec)
  end
  local a, b = range()
  if remove_placeholders(doc, a, b) > 0 then a, b = range() end
  local items = doc:items(a, b)
  local line = make(items)
  if #items > 0 then
    M.splice(doc, items[#items].stop, items[#items].stop, line .. "\n")
  else
    local _, _, start, blk = range()
    if blk and (blk.heading or blk.implicit) then
      -- a heading's body or a section's own list: after what it holds,
      -- set off by blank lines as under any heading
      insert_block(doc, last_content(doc, start, b), line .. "\n")
    elseif label then
      for _, stop, s in each_line(doc.text, start, b) do
        if is_comment(s) then start = stop else break end
      end
      M.splice(doc, start, start, line .. "\n")
    else
      insert_block(doc, b > start and b or start, line .. "\n")
    end
  end
end

-- Matching ------------------------------------------------------------------

---Find an item by text: exact, then case-insensitive, then a unique
---substring (case-insensitive).
---@param items sesslua.log.Item[]
---@param query string
---@return sesslua.log.Item|nil item
---@return "ambiguous"|"missing"|nil why
---@return string[]|nil candidates item texts: the matching ones (ambiguous), else all
function M.match_item(items, query)
  for _, it in ipairs(items) do if it.text == query then return it end end
  local q = query:lower()
  for _, it in ipairs(items) do if it.text:lower() == q then return it end end
  local found = {}
  for _, it in ipairs(items) do
    if it.text:lower():find(q, 1, true) then found[#found + 1] = it end
  end
  if #found == 1 then return found[1] end
  local names = {}
  for _, it in ipairs(#found > 1 and found or items) do names[#names + 1] = it.text end
  return nil, #found > 1 and "ambiguous" or "missing", names
end

-- Field edits -----------------------------------------------------------------

---Set a Current Work field (Working On, Status, Progress, or one the
---team's template adds), creating it in the schema's field order when
---missing.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param key string
---@param value string line breaks become spaces
function M.set_work_field(doc, key, value)
  return M.set_section_field(doc, "Current Work", key, value)
end

---Set a `**Key:**` field of a section, creating the section and the field
---(in the schema's field order for that section) when missing.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param section_name string
---@param key string
---@param value string line breaks become spaces
function M.set_section_field(doc, section_name, key, value)
  value = one_line(value)
  local sec = M.ensure_section(doc, section_name)
  local spec = doc.schema:spec(section_name)
  local order = spec and spec.fields or {}
  -- `**Key:** value`, or the list-item form `- **Key:** value`
  local f = doc:field_in(key, sec.heading_end, sec.body_end)
  if f then
    M.splice(doc, f.value_start, f.value_end, value)
    return
  end
  -- after the field that precedes it in the template, else before the
  -- first one that follows it, else as a new block; written as its
  -- neighbour is (a bulleted list of fields stays one)
  local pos, after, like = nil, false, nil
  for _, k in ipairs(order) do
    if k == key then after = true
    else
      local other = doc:field_in(k, sec.heading_end, sec.body_end)
      if other and not after then pos, like = other.line_end, other end
      if other and after and not pos then pos, like = other.line_start, other end
    end
  end
  local lead = like and like.bullet and doc.text:match("^([ \t]*[-*+][ \t]+)", like.line_start) or ""
  local line = lead .. "**" .. key .. ":** " .. value .. "\n"
  if pos then M.splice(doc, pos, pos, line)
  else insert_block(doc, after_hints(doc, sec), line) end
end

---Set a header field (Status, Role, ...). When the header lacks it and
---`create` is true, the line is added after the header's last field (or
---under the title when it has none), written as that field is.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param key string
---@param value string line breaks become spaces
---@param create? boolean add the field when the header lacks it
---@return boolean set false (nothing changed) when the header lacks it and create is not set
function M.set_header_field(doc, key, value, create)
  value = one_line(value)
  local f = doc:header_field(key)
  if f then
    M.splice(doc, f.value_start, f.value_end, value)
    return true
  end
  if not create then return false end
  local a, b = doc:header_range()
  local fields = doc:fields(a, b)
  local last = fields[#fields]
  if last then
    local lead = last.bullet and doc.text:match("^([ \t]*[-*+][ \t]+)", last.line_start) or ""
    M.splice(doc, last.line_end, last.line_end, lead .. "**" .. key .. ":** " .. value .. "\n")
  else
    insert_block(doc, a, "**" .. key .. ":** " .. value .. "\n")
  end
  return true
end

---Set the value of a `**Key:**` field the log already has (either form),
---found as Doc:field finds it: in the header, then in Current Work, then
---anywhere outside code. A team template's own fields (`**Priority:**`)
---are set the same way.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param key string
---@param value string line breaks become spaces
---@return boolean set false (nothing changed) when the log has no such field
function M.set_field(doc, key, value)
  local f = doc:field(key)
  if not f then return false end
  M.splice(doc, f.value_start, f.value_end, one_line(value))
  return true
end

---Set Last Updated and Updated By, adding the footer when missing.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param stamp string the Last Updated value (clock.now())
---@param by string the Updated By value
function M.touch(doc, stamp, by)
  for _, kv in ipairs({ { "Last Updated", stamp }, { "Updated By", by } }) do
    local f = doc:footer_field(kv[1])
    if f then
      M.splice(doc, f.value_start, f.value_end, kv[2])
    else
      local last = doc:footer_field("Last Updated")
      local line = "**" .. kv[1] .. ":** " .. kv[2] .. "\n"
      if last then M.splice(doc, last.line_end, last.line_end, line)
      else insert_block(doc, #doc.text + 1, "---\n\n" .. line) end
    end
  end
end

-- Dated groups ------------------------------------------------------------------

---The `**label:**` line (no value, not a list item) in [a, b), or nil.
local function dated_label(doc, label, a, b)
  for _, f in ipairs(doc:fields(a, b)) do
    if not f.bullet and f.key == label and f.value == "" then return f end
  end
end

---Add `- [x] text` under `**date:**` in Completed Today (group created at
---the top when missing: newest first). Returns false when already there.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param date string `YYYY-MM-DD`
---@param text string
---@return boolean added false when already under that date
function M.add_completed(doc, date, text)
  local sec = M.ensure_section(doc, "Completed Today")
  remove_placeholders(doc, sec.heading_end, doc:content_end(sec))
  sec = doc:section("Completed Today")
  local stop = doc:content_end(sec)
  local group = dated_label(doc, date, sec.heading_end, stop)
  if group then
    local items = doc:items(group.line_end, math.min(group.block_end, stop))
    for _, it in ipairs(items) do
      if it.text == text then return false end
    end
    local pos = #items > 0 and items[#items].stop or group.line_end
    M.splice(doc, pos, pos, "- [x] " .. text .. "\n")
    return true
  end
  insert_block(doc, after_hints(doc, sec), "**" .. date .. ":**\n- [x] " .. text .. "\n")
  return true
end

-- Workflow edits ---------------------------------------------------------------

---The bullet a list already uses (so `* [ ]` lists stay `*`), else "-".
local function marker_of(items)
  local last = items[#items]
  if last and not last.number and not last.placeholder then return last.marker end
  return "-"
end

---Add an unchecked task to Current Phase (no duplicate).
---`details`: lines to keep under the task (a carried step's sub-bullets).
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param task string
---@param details? string lines to keep under the task, as written (logedit.item_details of a carried step)
---@return boolean added false when the task is already there
function M.add_phase_task(doc, task, details)
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.text == task and not it.placeholder then return false end
  end
  M.add_item(doc, "Current Work", "Current Phase", function(items)
    local line = marker_of(items) .. " [ ] " .. task
    if details and details:match("%S") then line = line .. "\n" .. details:gsub("[\r\n]+$", "") end
    return line
  end)
  return true
end

---The lines under a list item after its first (its sub-bullets), as text.
---@param doc sesslua.Log
---@param it sesslua.log.Item
---@return string|nil details the lines after the item's first, as written; nil when there are none
function M.item_details(doc, it)
  local nl = doc.text:find("\n", it.start, true)
  if not nl or nl + 1 >= it.stop then return nil end
  return doc.text:sub(nl + 1, it.stop - 1)
end

---Check a phase task, matched by match_item; returns the item's text.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param query string
---@return string|nil text the task's full text
---@return "ambiguous"|"missing"|nil why
---@return string[]|nil candidates item texts: the matching ones (ambiguous), else all
function M.check_phase_task(doc, query)
  local items = {}
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.done ~= nil and not it.placeholder then items[#items + 1] = it end
  end
  local it, why, names = M.match_item(items, query)
  if not it then return nil, why, names end
  if not it.done then
    local line = doc.text:sub(it.start, it.stop - 1)
    local a = line:find("[ ]", 1, true)
    M.splice(doc, it.start + a - 1, it.start + a + 2, "[x]")
  end
  return it.text
end

---Add a current blocker. Lines saying there is none ("None", "- N/A",
---"No blockers", `**Current Blockers:** None`) go: the first blocker takes
---the place of the first such line, never stands beside it.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param text string
function M.add_blocker(doc, text)
  local blk = ensure_block(doc, "Blockers & Issues", "Current Blockers")
  if blk.value and log.is_none(blk.value) then
    local label = doc.text:sub(blk.label_start, blk.label_end - 1):match("^(.-%*%*:?)[^*]*$")
    if label then
      M.splice(doc, blk.label_start, blk.label_end, label .. "\n")
      blk = ensure_block(doc, "Blockers & Issues", "Current Blockers")
    end
  end
  local nones, real = {}, false
  for start, stop, line in each_line(doc.text, blk.label_end, blk.stop) do
    local t = line:match("^%s?[-*+]%s+(.*)$") or (not line:match("^%s%s") and line)
    t = t and log.trim(t)
    if t and log.is_none(t) then nones[#nones + 1] = { start = start, stop = stop, s = line }
    elseif t and t:match("%S") and not is_comment(line) then real = true end
  end
  if #nones > 0 then
    for i = #nones, real and 1 or 2, -1 do M.splice(doc, nones[i].start, nones[i].stop, "") end
    if not real then
      local l = nones[1]
      local marker = l.s:match("^%s*([-*+])%s") or "-"
      M.splice(doc, l.start, l.stop, marker .. " [ ] " .. text .. "\n")
      return
    end
  end
  M.add_item(doc, "Blockers & Issues", "Current Blockers", function(items)
    return marker_of(items) .. " [ ] " .. text
  end)
end

---Move a current blocker to Resolved Issues as `- [x] ~~text~~ - Solved by how`.
---Its sub-bullets (`  - ticket OPS-123`) go with it.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param query string
---@param how? string how it was solved
---@return string|nil text the blocker's text
---@return "ambiguous"|"missing"|nil why
---@return string[]|nil candidates item texts: the matching ones (ambiguous), else all
function M.resolve_blocker(doc, query, how)
  local items = {}
  for _, it in ipairs(doc:section_items("Blockers & Issues", "Current Blockers")) do
    if not it.placeholder and not log.is_none(it.text) then items[#items + 1] = it end
  end
  local it, why, names = M.match_item(items, query)
  if not it then return nil, why, names end
  local details = M.item_details(doc, it)
  local blk = doc:block(doc:section("Blockers & Issues"), "Current Blockers")
  local own = blk.heading or blk.implicit -- a heading's or a section's own list
  M.splice(doc, it.start, it.stop, (#items == 1 and own) and "None\n" or "")
  if #items == 1 and not own then
    -- the last one: say so, as the handoff check wants ("None")
    blk = doc:block(doc:section("Blockers & Issues"), "Current Blockers")
    M.splice(doc, blk.label_end, blk.label_end, "None\n")
  end
  local line = "~~" .. it.text .. "~~" .. (how and (" - Solved by " .. how) or "")
  if details and details:match("%S") then line = line .. "\n" .. details:gsub("[\r\n]+$", "") end
  M.add_item(doc, "Blockers & Issues", "Resolved Issues", function(resolved)
    return marker_of(resolved) .. " [x] " .. line
  end)
  return it.text
end

---Append a next step; a numbered list stays numbered. No duplicates.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param text string
---@return boolean added false when the step is already there
function M.add_next_step(doc, text)
  for _, it in ipairs(doc:section_items("Next Steps")) do
    if it.text == text and not it.placeholder then return false end
  end
  M.add_item(doc, "Next Steps", nil, function(items)
    local last = items[#items]
    if last and not last.number then return last.marker .. " " .. text end
    return ("%d. %s"):format((last and last.number or 0) + 1, text)
  end)
  return true
end

---Remove every item of Next Steps.
---@param doc sesslua.Log edited in place (doc.text and its parse)
function M.clear_next_steps(doc)
  local sec = doc:section("Next Steps")
  if not sec then return end
  remove_placeholders(doc, sec.heading_end, doc:content_end(sec))
  sec = doc:section("Next Steps")
  local items = doc:items(sec.heading_end, doc:content_end(sec))
  for i = #items, 1, -1 do M.splice(doc, items[i].start, items[i].stop, "") end
  sec = doc:section("Next Steps")
  M.collapse_blanks(doc, sec.heading_end, doc:content_end(sec))
end

---Remove the next steps whose text is in `texts` (a set).
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param texts table<string, boolean> the texts to remove, as a set
function M.remove_next_steps(doc, texts)
  local items = doc:section_items("Next Steps")
  for i = #items, 1, -1 do
    if texts[items[i].text] then M.splice(doc, items[i].start, items[i].stop, "") end
  end
  local sec = doc:section("Next Steps")
  if sec then M.collapse_blanks(doc, sec.heading_end, doc:content_end(sec)) end
  M.renumber_next_steps(doc)
end

---Number a numbered Next Steps list 1, 2, 3 again after removals.
---@param doc sesslua.Log edited in place (doc.text and its parse)
function M.renumber_next_steps(doc)
  local items = doc:section_items("Next Steps")
  for i = #items, 1, -1 do
    local it = items[i]
    if it.number and it.number ~= i then
      local line = doc.text:sub(it.start, it.stop - 1)
      local a, b = line:find("%d+")
      M.splice(doc, it.start + a - 1, it.start + b, tostring(i))
    end
  end
end

---Move checked phase tasks to Completed Today under `date`; unchecked
---ones stay. Returns the moved texts.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param date string `YYYY-MM-DD`
---@return string[] moved the moved tasks' texts, in order
function M.move_done_tasks(doc, date)
  local moved = {}
  local items = doc:section_items("Current Work", "Current Phase")
  for i = #items, 1, -1 do
    local it = items[i]
    if it.done and not it.placeholder then
      table.insert(moved, 1, it.text)
      M.splice(doc, it.start, it.stop, "")
    end
  end
  for _, t in ipairs(moved) do M.add_completed(doc, date, t) end
  return moved
end

---Add a line under a Coordination label (Messages Sent, Messages Received,
---Collaborations).
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param label string "Messages Sent", "Messages Received", "Collaborations"
---@param line string written as `- line`
function M.add_coordination(doc, label, line)
  M.add_item(doc, "Coordination", label, function() return "- " .. line end)
end

---Remove the template's sample lines from every list section (Current
---Phase tasks, Completed Today, Services, Learnings, Blockers, Coordination,
---Next Steps, Session Notes). Fields keep their values, filled or not.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@return integer removed lines removed
function M.clear_samples(doc)
  local removed = 0
  for _, spec in ipairs(doc.schema.sections) do
    local sec = doc:section(spec.name)
    if sec and #spec.fields > 0 then
      -- a section of fields: only its labelled lists (Current Phase)
      for _, label in ipairs(spec.labels) do
        local blk = doc:block(sec, label)
        if blk then removed = removed + remove_placeholders(doc, blk.label_end, blk.stop, true) end
        sec = doc:section(spec.name)
      end
    elseif sec then
      removed = removed + remove_placeholders(doc, sec.heading_end, doc:content_end(sec), true)
    end
  end
  return removed
end

---Append a paragraph to Session Notes.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param text string a paragraph
function M.add_note(doc, text)
  local sec = M.ensure_section(doc, "Session Notes")
  remove_placeholders(doc, sec.heading_end, doc:content_end(sec))
  sec = doc:section("Session Notes")
  insert_block(doc, math.max(doc:content_end(sec), after_hints(doc, sec)), text .. "\n")
end

---Add a dated `**date - topic:**` block to Learnings & Discoveries; each
---line of text becomes a bullet. A block of the same date and topic gets
---the new lines appended instead; lines it already holds are not repeated.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param date string `YYYY-MM-DD`
---@param topic string
---@param text string each non-blank line becomes a bullet
---@return boolean changed false when nothing was new
function M.add_learning(doc, date, topic, text)
  local bullets = {}
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    if not is_blank(line) then
      bullets[#bullets + 1] = line:match("^%s*[-*+]%s") and line or ("- " .. line)
    end
  end
  if #bullets == 0 then return false end
  local sec = M.ensure_section(doc, "Learnings & Discoveries")
  remove_placeholders(doc, sec.heading_end, doc:content_end(sec))
  sec = doc:section("Learnings & Discoveries")
  local stop = doc:content_end(sec)
  local label = ("**%s - %s:**"):format(date, topic)
  local found = dated_label(doc, date .. " - " .. topic, sec.heading_end, stop)
  if found then
    local have, pos = {}, found.line_end
    for _, it in ipairs(doc:items(found.line_end, math.min(found.block_end, stop))) do
      have[it.text] = true
      pos = it.stop
    end
    local add = {}
    for _, b in ipairs(bullets) do
      if not have[log.item_text(b)] then add[#add + 1] = b end
    end
    if #add == 0 then return false end
    M.splice(doc, pos, pos, table.concat(add, "\n") .. "\n")
    return true
  end
  insert_block(doc, math.max(stop, after_hints(doc, sec)), label .. "\n" .. table.concat(bullets, "\n") .. "\n")
  return true
end


---The `- Key: value` lines a service entry keeps, in order (the schema's).
local function service_fields(doc)
  local spec = doc.schema:spec("Services Built/Modified")
  return spec and spec.service_fields or { "Status", "Progress", "Location" }
end

---The `- Key: value` lines (also `- **Key:** value`) under a service entry
---it: key -> {line, value_start, value_end, lead, bold}; `any` is one of them.
local function service_lines(doc, it)
  local out = {}
  for start, stop, s in each_line(doc.text, it.start, it.stop) do
    local l = { start = start, stop = stop, s = s }
    if l.start > it.start then
      for _, k in ipairs(service_fields(doc)) do
        local lead, bold, sep = l.s:match("^(%s*[-*+]?%s*)(%**)" .. k .. "(%**:%**%s*)")
        if lead and not out[k] then
          local vs = l.start + #lead + #bold + #k + #sep
          local ve = l.start + #(l.s:match("^.*%S") or "")
          out[k] = { line = l, value_start = vs, value_end = math.max(vs, ve), lead = lead, bold = #bold > 0 }
          out.any = out.any or out[k]
        end
      end
    end
  end
  return out
end

---Add or update an entry of Services Built/Modified:
---`N. **name**` with `- Status:`, `- Progress:`, `- Location:` lines.
---@param doc sesslua.Log edited in place (doc.text and its parse)
---@param name string the service (the entry's `**name**`)
---@param fields {Status: string|nil, Progress: string|nil, Location: string|nil} the lines to set; others are left alone
function M.set_service(doc, name, fields)
  local sec = M.ensure_section(doc, "Services Built/Modified")
  remove_placeholders(doc, sec.heading_end, doc:content_end(sec))
  sec = doc:section("Services Built/Modified")
  local items = doc:items(sec.heading_end, doc:content_end(sec))
  local keys = service_fields(doc)
  for _, it in ipairs(items) do
    if it.text:match("^%*%*(.-)%*%*") == name then
      -- in template order: a key the entry lacks goes after the one before
      -- it, else before the one after it, else at the entry's end
      for i, k in ipairs(keys) do
        if fields[k] then
          local subs = service_lines(doc, it)
          local found = subs[k]
          if found then
            M.splice(doc, found.value_start, found.value_end, fields[k])
          else
            local pos, like
            for j = i - 1, 1, -1 do
              if subs[keys[j]] then pos, like = subs[keys[j]].line.stop, subs[keys[j]]; break end
            end
            for j = i + 1, #keys do
              if pos then break end
              if subs[keys[j]] then pos, like = subs[keys[j]].line.start, subs[keys[j]] end
            end
            like = like or subs.any
            local lead = like and like.lead or "   - "
            local key = like and like.bold and ("**" .. k .. ":**") or (k .. ":")
            M.splice(doc, pos or it.stop, pos or it.stop, lead .. key .. " " .. fields[k] .. "\n")
          end
          it = doc:items(it.start, it.start + 1)[1]
        end
      end
      return
    end
  end
  M.add_item(doc, "Services Built/Modified", nil, function(list)
    local last = list[#list]
    local line = ("%d. **%s**"):format((last and last.number or 0) + 1, name)
    for _, k in ipairs(keys) do
      if fields[k] then line = line .. "\n   - " .. k .. ": " .. fields[k] end
    end
    return line
  end)
end

return M
