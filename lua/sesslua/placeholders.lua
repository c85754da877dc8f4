--- Template placeholders: the one list of what counts as "not filled in
--- yet", for the original team template (bracket placeholders and sample
--- lines) and for sesslua's built-in template. `update` removes sample
--- lines when the first real entry arrives; `handoff` reports any left.
local M = {}

local schema = require("sesslua.schema")
local md = require("sesslua.md")

---Lua patterns matched against an item's text, a field's value or a label,
---each matching a whole text as the template has it: the schema's sample
---lines (the built-in template's and the team template's). Teams may
---append to it.
M.PATTERNS = {}

---The template's bracket tokens. A text that holds one inside other words
---("Working with session-3 on [topic]") is probably half filled in:
---handoff warns about it, but nothing treats it as a sample line.
M.TOKENS = {}

-- is_placeholder runs for every item of every log `status` reads, and
-- those texts are mostly unique, so each check must be cheap: patterns
-- anchored at a known first byte are grouped by it (one byte read picks
-- the few that can match), and an unanchored one is tried only when the
-- text holds its leading literal (a plain search, as fast as memchr).
local by_byte, by_last, unknown, anywhere
-- The same patterns compiled for C (md.patterns), when C takes them all:
-- one call then says "no" for a text no pattern finds, which is nearly
-- every text; a "yes" is asked again of the index, for its pattern.
local compiled
local byte, find = string.byte, string.find
local indexed = -1 -- how many patterns the index covers: teams may append
-- The array and its last pattern when indexed: a team that removes one
-- and appends another, or assigns a new array, changes one of them.
local indexed_list, indexed_last

---Whether the index no longer stands for M.PATTERNS.
local function stale()
  local list = M.PATTERNS
  local n = #list
  return n ~= indexed or list ~= indexed_list or list[n] ~= indexed_last
end
local memo, memo_size = {}, 0 -- the same item texts recur across logs; one answer each

---Take the sample lines and tokens of schema s (schema.current calls it).
---@param s sesslua.Schema
function M.use(s)
  M.PATTERNS, M.TOKENS = s.samples, s.tokens
  indexed, memo, memo_size = -1, {}, 0
end

---The first template token s holds, or nil.
function M.token_in(s)
  if s == nil or not s:find("[", 1, true) then return nil end
  for _, t in ipairs(M.TOKENS) do
    if s:find(t, 1, true) then return t end
  end
  return nil
end


---The literal byte a pattern piece starting at i stands for, or nil
---when it is a class, a set or another magic character.
local function literal_at(p, i)
  local c = p:sub(i, i)
  if c == "%" then
    local e = p:sub(i + 1, i + 1)
    if e ~= "" and not e:find("%w") then return e end
    return nil
  end
  if c == "" or c:find("[%^%$%(%)%.%[%]%*%+%-%?]") then return nil end
  return c
end

---The literal text an unanchored pattern starts with ("- [Topic]" of
---"%- %[Topic%]$"), up to its first magic character or quantified byte.
local function literal_run(p)
  local out, i = {}, 1
  while i <= #p do
    local c = literal_at(p, i)
    if not c then break end
    local step = p:sub(i, i) == "%" and 2 or 1
    local q = p:sub(i + step, i + step)
    if q == "*" or q == "?" or q == "-" or q == "+" then break end
    out[#out + 1] = c
    i = i + step
  end
  return table.concat(out)
end

---The literal byte an unanchored pattern must end the text with ("]" of
---"%- %[Topic%]$"), or nil when its end is a class, a set, a quantified
---piece or no `$` at all.
local function last_literal(p)
  if p:sub(-1) ~= "$" then return nil end
  local body = p:sub(1, -2)
  local escapes = #body:match("%%*$") -- the run of % before the $
  if escapes % 2 == 1 then return nil end -- "%$": a literal $, no anchor
  local c = body:sub(-1)
  if c == "" then return nil end
  local before = #body:sub(1, -2):match("%%*$")
  if before % 2 == 1 then -- "%X": a literal when X is no letter or digit
    return not c:find("%w") and c or nil
  end
  if c:find("[%^%$%(%)%.%[%]%*%+%-%?%%]") then return nil end
  return c
end

---Append v to the list map[b], made on first use.
local function add(map, b, v)
  local list = map[b]
  if not list then list = {}; map[b] = list end
  list[#list + 1] = v
end

local function index()
  by_byte, by_last, unknown, anywhere = {}, {}, {}, {}
  for _, p in ipairs(M.PATTERNS) do
    if p:sub(1, 1) == "^" then
      local c = literal_at(p, 2)
      -- a quantifier after it ("^#+") still needs that byte first,
      -- except those that allow none of it
      local q = c and p:sub(p:sub(2, 2) == "%" and 4 or 3):sub(1, 1)
      if c and q ~= "*" and q ~= "?" and q ~= "-" then
        add(by_byte, c:byte(), p)
      else
        unknown[#unknown + 1] = p
      end
    else
      local c = literal_at(p, 1)
      local q = c and p:sub(c == p:sub(1, 1) and 2 or 3):sub(1, 1)
      if c and q ~= "*" and q ~= "?" and q ~= "-" then
        local entry = { need = literal_run(p), pattern = p }
        -- most sample lines end in a literal: the text's last byte picks
        -- the few that can match, with no search of the text
        local last = last_literal(p)
        if last then
          add(by_last, last:byte(), entry)
        else
          anywhere[#anywhere + 1] = entry
        end
      else
        unknown[#unknown + 1] = p
      end
    end
  end
  indexed, indexed_list, indexed_last = #M.PATTERNS, M.PATTERNS, M.PATTERNS[#M.PATTERNS]
  compiled = md.patterns(M.PATTERNS)
end

local function any(list, s)
  for _, p in ipairs(list) do
    if find(s, p) then return true, p end
  end
  return false
end

---Whether a piece of text (an item, a value, a label) is a placeholder.
---@param s string|nil
---@return boolean, string|nil the pattern that matched
function M.is_placeholder(s)
  if s == nil then return false end
  if stale() then index(); memo, memo_size = {}, 0 end
  local known = memo[s]
  if known ~= nil then return known ~= false, known or nil end
  local hit, pattern = M.match(s)
  if memo_size < 100000 then
    memo[s] = hit and pattern or false
    memo_size = memo_size + 1
  end
  return hit, pattern
end

---The patterns compiled for C (md.patterns) as is_placeholder uses them:
---a reader may give them to md.plan's `skip` and get the same answers
---as is_placeholder and log.filled without a call per text. nil when C
---cannot take one of them (a set or a capture: is_placeholder then
---matches in Lua alone).
---@return userdata|nil set
function M.compiled()
  if stale() then index(); memo, memo_size = {}, 0 end
  return compiled
end

---The uncached check behind is_placeholder.
function M.match(s)
  if stale() then index(); memo, memo_size = {}, 0 end
  local first, last = byte(s, 1), byte(s, -1)
  -- surrounding blanks do not count (rare: items and values come trimmed)
  if first and (first <= 32 or last <= 32) then
    s = s:match("^%s*(.*%S)") or ""
    first, last = byte(s, 1), byte(s, -1)
  end
  if compiled and not compiled:match(s) then return false end
  local group = first and by_byte[first]
  if group then
    local hit, p = any(group, s)
    if hit then return true, p end
  end
  local tails = last and by_last[last]
  if tails then
    for _, a in ipairs(tails) do
      if find(s, a.need, 1, true) and find(s, a.pattern) then return true, a.pattern end
    end
  end
  for _, a in ipairs(anywhere) do
    if find(s, a.need, 1, true) and find(s, a.pattern) then return true, a.pattern end
  end
  return any(unknown, s)
end

M.use(schema.current())

return M
