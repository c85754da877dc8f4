--- Three-way merges of the tree's files, for `sesslua merge-driver` (git's
--- merge driver): knowledge files as a union of entries, session logs
--- section by section and item by item, read-state files as a union of
--- lines. Each merge returns the merged text, or nil and why when it
--- cannot merge without losing something (git then shows its normal
--- conflict). Nothing here reads or writes files.
local md = require("sesslua.md")
local knowledge = require("sesslua.knowledge")
local tree = require("sesslua.tree")

local M = {}

-- ---- the sequence merge every kind shares ---------------------------------

---A text cut into keyed units, in order: `keys[i]` names unit i, `val[k]`
---is what is compared and `sep[k]` what follows it (blank lines).
---@class sesslua.merge.Seq
---@field keys string[]
---@field val table<string, string>
---@field sep table<string, string>

local function new_seq() return { keys = {}, val = {}, sep = {} } end

---Add a unit to a sequence under a key made unique by its occurrence.
local function push(seq, key, value, sep, seen)
  local n = (seen[key] or 0) + 1
  seen[key] = n
  if n > 1 then key = key .. "\0" .. n end
  seq.keys[#seq.keys + 1] = key
  seq.val[key], seq.sep[key] = value, sep or ""
end

---Three-way merge of keyed sequences. A unit changed on one side takes
---that side; one both sides changed differently goes to `resolve(key, b,
---o, t)`, which returns the value (and its side, "o" or "t"), or nil and
---why. A unit one side deleted and the other left alone goes; one the
---other side changed stays (nothing is lost). A unit only theirs added
---goes after the unit before it in theirs (and after ours' own additions
---there); ties keep ours first.
---@return {key: string, value: string, sep: string, added: boolean}[]|nil units
---@return string|nil why
local function seq_merge(B, O, T, resolve)
  local out = {}
  for _, k in ipairs(O.keys) do
    local b, o, t = B.val[k], O.val[k], T.val[k]
    local v, sep = o, O.sep[k]
    if t == nil then
      if b ~= nil and o == b then v = nil end -- theirs deleted it
    elseif o == b and t ~= b then
      v, sep = t, T.sep[k]
    elseif t ~= b and o ~= t then
      local side, why
      v, side, why = resolve(k, b, o, t)
      if v == nil then return nil, why end
      if side == "t" then sep = T.sep[k] end
    end
    if v ~= nil then
      out[#out + 1] = { key = k, value = v, sep = sep, added = b == nil and t == nil }
    end
  end
  -- theirs' additions, chained after the nearest unit before them in
  -- theirs that the result holds from ours ("" for the start); placed in
  -- one pass, so thousands of entries cost no more than a few
  local kept, after = {}, {}
  for _, u in ipairs(out) do kept[u.key] = true end
  local anchor = ""
  for i, k in ipairs(T.keys) do
    local b, t = B.val[k], T.val[k]
    if kept[k] then
      anchor = k
    elseif O.val[k] == nil and not (b ~= nil and t == b) then
      local chain = after[anchor] or { pred = T.keys[i - 1] }
      after[anchor] = chain
      chain[#chain + 1] = { key = k, value = t, sep = T.sep[k] }
    end
  end
  local merged, last, pending = {}, nil, after[""]
  local function flush()
    if not pending then return end
    local n = #pending
    local gap = last and last.sep or pending[n].sep
    if last then last.sep = T.sep[pending.pred] or last.sep end
    pending[n].sep = gap -- the chain takes the gap its anchor had
    for _, u in ipairs(pending) do merged[#merged + 1] = u end
    last, pending = pending[n], nil
  end
  for _, u in ipairs(out) do
    if pending and not u.added then flush() end -- ours' own additions there first
    merged[#merged + 1] = u
    last = u
    if after[u.key] then
      flush()
      pending = after[u.key]
    end
  end
  flush()
  return merged
end

local function render(units)
  local parts = {}
  for _, u in ipairs(units) do parts[#parts + 1] = u.value .. u.sep end
  return table.concat(parts)
end

-- ---- Markdown cut into units ------------------------------------------------

---Split `s` into its content and the blank lines that end it.
local function split_blank(s)
  local i = #s
  while i > 0 do
    local c = s:byte(i)
    if c ~= 10 and c ~= 13 and c ~= 32 and c ~= 9 then break end
    i = i - 1
  end
  local nl = s:find("\n", i + 1, true) -- keep the content's own line ending
  if not nl then return s, "" end
  return s:sub(1, nl), s:sub(nl + 1)
end

---The units of text[a, b): a leading heading, then each field line, list
---item (with what it holds), other line of a paragraph, and other block
---(code, quote, HTML, rule, heading), each with the blank lines after it.
---Keys: `f:` and the field's key; `i:` and an item's text without its box
---(so checking a box changes a value, not an identity); the text itself
---for anything else.
---@param d userdata md.parse document
---@return sesslua.merge.Seq
local function units(d, text, a, b, seq, seen)
  local fields = {}
  for _, f in ipairs(d:fields(a, b)) do fields[f.line_start] = f end
  local cuts = {} -- {start, key}
  local function cut(pos, key) cuts[#cuts + 1] = { pos, key } end
  for _, blk in ipairs(d:blocks(a, b)) do
    if blk.kind == "list" then
      for _, it in ipairs(d:items(blk.start, blk.stop, nil)) do
        local f = fields[it.start]
        cut(it.start, f and "f:" .. f.key:lower()
          or "i:" .. it.text .. "\0" .. text:sub(it.text_end, it.stop - 1):gsub("%s+$", ""))
      end
    elseif blk.kind == "paragraph" then
      local pos = blk.start
      while pos < blk.stop do
        local e = text:find("\n", pos, true) or blk.stop - 1
        local f = fields[pos]
        cut(pos, f and "f:" .. f.key:lower() or "l:" .. text:sub(pos, e):gsub("%s+$", ""))
        pos = e + 1
      end
    else
      cut(blk.start, blk.kind .. ":" .. text:sub(blk.start, blk.stop - 1))
    end
  end
  if a < (cuts[1] and cuts[1][1] or b) then table.insert(cuts, 1, { a, "head" }) end
  for i, c in ipairs(cuts) do
    local stop = cuts[i + 1] and cuts[i + 1][1] or b
    local value, sep = split_blank(text:sub(c[1], stop - 1))
    push(seq, c[2], value, sep, seen)
  end
  return seq
end

---A Markdown text as parts: what comes before the first heading, then one
---part per heading of level 1 or 2 (keyed by its normalised title) with
---everything up to the next such heading.
---@return {seq: sesslua.merge.Seq, parts: table<string, {a: integer, b: integer}>, doc: userdata}
local function parts_of(text)
  local d = md.parse(text)
  local starts = {}
  for _, s in ipairs(d:sections()) do
    if s.level <= 2 then starts[#starts + 1] = { s.start, "h:" .. md.normalize(s.title), s.title } end
  end
  if (starts[1] and starts[1][1] or #text + 1) > 1 then table.insert(starts, 1, { 1, "pre" }) end
  local seq, seen, ranges = new_seq(), {}, {}
  for i, s in ipairs(starts) do
    local b = starts[i + 1] and starts[i + 1][1] or #text + 1
    push(seq, s[2], text:sub(s[1], b - 1), "", seen)
    ranges[seq.keys[#seq.keys]] = { a = s[1], b = b, title = s[3] }
  end
  return { seq = seq, parts = ranges, doc = d, text = text }
end

---The units of one part of a parsed text (empty when it has no such part).
local function part_units(p, key)
  local r = p.parts[key]
  if not r then return new_seq() end
  return units(p.doc, p.text, r.a, r.b, new_seq(), {})
end

---The title of a part, as a parsed text writes it ("the header" before
---the first heading).
local function part_name(p, key)
  local r = p.parts[key]
  return r and r.title or "the header"
end

---Merge Markdown texts part by part, and within a part both sides
---changed unit by unit; `resolve(part, key, b, o, t)` decides a unit both
---changed. Returns the merged units of every part, in order.
local function merge_markdown(base, ours, theirs, resolve)
  local B, O, T = parts_of(base), parts_of(ours), parts_of(theirs)
  local parts, why = seq_merge(B.seq, O.seq, T.seq, function(key, b, o, t)
    if b == nil then b = "" end
    local inner, w = seq_merge(part_units(B, key), part_units(O, key), part_units(T, key),
      function(k, ub, uo, ut) return resolve(part_name(O, key), k, ub, uo, ut) end)
    if not inner then return nil, nil, w end
    return render(inner), "o"
  end)
  return parts, why
end

-- ---- session logs ------------------------------------------------------------

---The footer's Last Updated of a log, or "".
local function last_updated(text)
  local f = md.parse(text):last_field("Last Updated")
  return f and f.value or ""
end

local FOOTER = { ["f:last updated"] = true, ["f:updated by"] = true }

---One line for a merge note: a unit's text folded to one line.
local function one_line(s)
  return (s:gsub("%s*\n%s*", " "):gsub("^%s+", ""):gsub("%s+$", ""))
end


---Where merge notes go: after the last item or line of Session Notes, before
---its rule and footer; a new Session Notes part when there is none.
local function add_notes(text, notes, eol)
  if #notes == 0 then return text end
  local lines = {}
  for _, n in ipairs(notes) do lines[#lines + 1] = "- " .. n .. eol end
  local block = table.concat(lines)
  local P = parts_of(text)
  local r = P.parts["h:" .. md.normalize("Session Notes")]
  if not r then -- a new section above the footer's rule, else at the end
    local f = P.doc:last_field("Last Updated")
    local rule = f and P.doc:block_before(f.line_start)
    local at = rule and rule.kind == "break" and rule.start or (f and f.line_start) or #text + 1
    local before = text:sub(1, at - 1)
    if before ~= "" and before:sub(-1) ~= "\n" then before = before .. eol end
    return before .. "## Session Notes" .. eol .. eol .. block .. eol .. text:sub(at)
  end
  local seq = units(P.doc, text, r.a, r.b, new_seq(), {})
  local at, pos, stop = r.b, r.a, #seq.keys + 1
  for i, k in ipairs(seq.keys) do
    if i > 1 and (k:sub(1, 6) == "break:" or FOOTER[k:gsub("%z%d+$", "")]) then stop = i; break end
    pos = pos + #seq.val[k] + #seq.sep[k]
  end
  at = stop <= #seq.keys and pos or r.b
  local prev = seq.keys[stop - 1]
  local gap = ""
  if stop > 2 then -- right after the last note, before the blank lines that follow it
    at = at - #seq.sep[prev]
    if prev:sub(1, 2) ~= "i:" then block = eol .. block end -- after prose, a list of its own
  elseif at <= #text then
    gap = eol -- under the heading, a blank line before the rule below
  end
  local before = text:sub(1, at - 1)
  if before ~= "" and before:sub(-1) ~= "\n" then before = before .. eol end
  return before .. block .. gap .. text:sub(at)
end

---Three-way merge of a session log. Changes to different sections, fields
---and items combine; a field or item both sides changed keeps the side
---with the later `Last Updated` (ours on a tie) and the other value is
---written into Session Notes as a merge note, so nothing is lost and no
---conflict marker is written.
---@param base string the common ancestor ("" when the log is new on both sides)
---@param ours string
---@param theirs string
---@return string|nil merged
---@return string|nil why when it cannot be merged
---@return integer notes how many merge notes were written
function M.log(base, ours, theirs)
  if (base .. ours .. theirs):find("\0", 1, true) then return nil, "binary data", 0 end
  local lo, lt = last_updated(ours), last_updated(theirs)
  local ours_later = lo >= lt
  local notes = {}
  local parts, why = merge_markdown(base, ours, theirs, function(part, key, _, o, t)
    local win, lose, side = o, t, "o"
    if not ours_later then win, lose, side = t, o, "t" end
    if not FOOTER[key:gsub("%z%d+$", "")] then
      notes[#notes + 1] = ("Merge note (%s): in %s, kept \"%s\"; the other copy (Last Updated %s) had \"%s\"")
        :format(ours_later and lo or lt, part, one_line(win),
          ours_later and lt or lo, one_line(lose))
    end
    return win, side
  end)
  if not parts then return nil, why, 0 end
  local text = render(parts)
  return add_notes(text, notes, md.eol(text)), nil, #notes
end

-- ---- knowledge files -----------------------------------------------------------

local TOTAL = "(\n[ \t]*[-*]?[ \t]*%*%*[Tt]otal [^\n]-:%*%*[ \t]*)%d+"

---Total lines' numbers replaced by n (a string).
local function set_totals(s, n)
  return (("\n" .. s):gsub(TOTAL, function(lead) return lead .. n end):sub(2))
end

---A knowledge text cut into the part before its entries, the entries
---(trimmed, LF, newest first as written) and the part after them.
local function knowledge_parts(text)
  local entries = knowledge.entries(text)
  local pre_end, post_start
  if #entries > 0 then
    pre_end, post_start = entries[1].start, entries[#entries].stop
  else
    local _, me = text:find(knowledge.MARKER_PATTERN)
    me = me and (text:find("\n", me, true) or #text) + 1 or #text + 1
    pre_end, post_start = me, me
  end
  local list = {}
  for i, e in ipairs(entries) do
    local nxt = entries[i + 1]
    if nxt and text:sub(e.stop, nxt.start - 1):find("%S") then
      -- a `## 2025` grouping heading between entries: rebuilding the file
      -- from its entries would drop it
      return nil, ("line %d: text between entries that belongs to none"):format(e.line)
    end
    local body = text:sub(e.start, e.stop - 1):gsub("\r\n", "\n"):gsub("%s+$", "")
    list[#list + 1] = { body = body, key = e.timestamp or e.date }
  end
  local pre = text:sub(1, pre_end - 1):gsub("%s+$", "")
  local post = text:sub(post_start):gsub("^%s+", "")
  return { pre = set_totals(pre, "0"), post = set_totals(post, "0"), entries = list }
end

---Three-way merge of a text that must not conflict: one side's change wins
---when the other left it alone; both changing it merges unit by unit and
---fails when both changed the same unit.
local function strict_text(base, ours, theirs)
  if ours == theirs or theirs == base then return ours end
  if ours == base then return theirs end
  local parts, why = merge_markdown(base, ours, theirs, function(part, key)
    return nil, nil, ("both sides changed %s (%s) differently"):format(part, one_line(key:sub(3)))
  end)
  if not parts then return nil, why end
  return render(parts)
end

---Three-way merge of a shared knowledge file: the union of entries by
---identity (heading and body), each once even when both sides added it,
---an entry one side removed and the other kept as it was removed, newest
---first by Timestamp (else date) with ours first on a tie, and every
---Total line set to the number of entries. The text before and after the
---entries merges as text; both sides changing the same line of it is a
---conflict.
---@param base string
---@param ours string
---@param theirs string
---@return string|nil merged
---@return string|nil why
---@return integer count the number of entries
function M.knowledge(base, ours, theirs)
  local sides = {}
  for i, text in ipairs({ base, ours, theirs }) do
    local p, w = knowledge_parts(text)
    if not p then return nil, ({ "the base", "ours", "theirs" })[i] .. ": " .. w, 0 end
    sides[i] = p
  end
  local B, O, T = sides[1], sides[2], sides[3]
  local pre, why = strict_text(B.pre, O.pre, T.pre)
  if not pre then return nil, why, 0 end
  local post
  post, why = strict_text(B.post, O.post, T.post)
  if not post then return nil, why, 0 end
  local seqs = {}
  for i, side in ipairs({ B, O, T }) do
    local seq, seen = new_seq(), {}
    for _, e in ipairs(side.entries) do push(seq, e.body, e.key, "", seen) end
    seqs[i] = seq
  end
  -- the set: seq_merge's rules; an entry's value is its sort key, and both
  -- sides holding the same body never differ in it
  local kept = seq_merge(seqs[1], seqs[2], seqs[3], function(_, _, o) return o, "o" end)
  -- an entry without a date keeps its place below the entry above it
  local list, above = {}, "\255"
  for i, u in ipairs(kept) do
    if u.value ~= "" then above = u.value end
    list[i] = { body = u.key:gsub("%z%d+$", ""), key = above, i = i }
  end
  table.sort(list, function(x, y)
    if x.key ~= y.key then return x.key > y.key end
    return x.i < y.i
  end)
  local eol = md.eol(ours)
  local bodies = {}
  for i, e in ipairs(list) do bodies[i] = e.body end
  local n = tostring(#list)
  local out = set_totals(pre, n) .. "\n\n"
  if #bodies > 0 then out = out .. table.concat(bodies, "\n\n") .. "\n" end
  if post ~= "" then out = out .. "\n" .. set_totals(post, n) .. "\n" end
  if eol ~= "\n" then out = out:gsub("\r?\n", eol) end
  return out, nil, #list
end

-- ---- read state ------------------------------------------------------------------

---Union of the lines of a read-state file (`broadcast-read`): ours in
---order, then theirs' lines ours lacks. A mark is never lost.
---@param base string
---@param ours string
---@param theirs string
---@return string merged
function M.lines(base, ours, theirs)
  local _ = base
  local seen, out = {}, {}
  for _, s in ipairs({ ours, theirs }) do
    for line in s:gmatch("[^\r\n]+") do
      if not seen[line] then seen[line], out[#out + 1] = true, line end
    end
  end
  return #out > 0 and table.concat(out, "\n") .. "\n" or ""
end

-- ---- which merge a path gets -----------------------------------------------------

---The kind of merge for a path as git names it (relative to the work
---tree's top): "knowledge", "log", "lines", or nil for a file this driver
---does not know.
---@param path string
---@return "knowledge"|"log"|"lines"|nil
function M.kind(path)
  path = "/" .. path
  if path:find("/shared%-knowledge/[^/]+%.md$") then return "knowledge" end
  if path:find("/sessions/[^/]+/.+%.md$") then
    local name = path:match("([^/]+)%.md$")
    if not tree.is_document_name(name) then return "log" end
    return nil
  end
  if path:find("/messages/[^/]+/broadcast%-read$") then return "lines" end
  return nil
end

---Merge three versions of the file at `path` by its kind.
---@param path string the file's path as git names it
---@param base string
---@param ours string
---@param theirs string
---@return string|nil merged
---@return string|nil why when it cannot be merged
function M.merge(path, base, ours, theirs)
  local kind = M.kind(path)
  if ours == theirs or theirs == base then return ours end
  if ours == base then return theirs end
  if kind == "knowledge" then
    local text, why = M.knowledge(base, ours, theirs)
    return text, why
  end
  if kind == "log" then
    local text, why = M.log(base, ours, theirs)
    return text, why
  end
  if kind == "lines" then return M.lines(base, ours, theirs) end
  return nil, path .. ": not a file of the coordination tree this driver merges"
end

return M
