--- Template placeholders: the one list of what counts as "not filled in
--- yet", for the original team template (bracket placeholders and sample
--- lines) and for sesslua's built-in template. `update` removes sample
--- lines when the first real entry arrives; `handoff` reports any left.
local M = {}

local schema = require("sesslua.schema")

---Lua patterns matched against an item's text, a field's value or a label,
---each matching a whole text as the template has it: the schema's sample
---lines (the built-in template's and the team template's). Teams may
---append to it.
M.PATTERNS = {}

---The template's bracket tokens. A text that holds one inside other words
---("Working with session-3 on [topic]") is probably half filled in:
---handoff warns about it, but nothing treats it as a sample line.
M.TOKENS = {}

-- is_placeholder runs for every item of every log `status` reads, so the
-- patterns are sorted once into what can rule them out cheaply: those that
-- need a "[" in the text, those anchored at a known first character, and
-- the few that need a literal somewhere.
local bracketed, by_first, anywhere
local indexed = -1 -- how many patterns the index covers: teams may append
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


local function index()
  bracketed, by_first, anywhere = {}, {}, {}
  for _, p in ipairs(M.PATTERNS) do
    local first = p:match("^%^(%a)")
    if p:find("%[", 1, true) then
      bracketed[#bracketed + 1] = p
    elseif first then
      by_first[first] = by_first[first] or {}
      table.insert(by_first[first], p)
    else
      anywhere[#anywhere + 1] = { need = p:match("^%^?([^%%^$]+)") or "", pattern = p }
    end
  end
  indexed = #M.PATTERNS
end

local function any(list, s)
  for _, p in ipairs(list) do
    if s:find(p) then return true, p end
  end
  return false
end

---Whether a piece of text (an item, a value, a label) is a placeholder.
---@param s string|nil
---@return boolean, string|nil the pattern that matched

function M.is_placeholder(s)
  if s == nil then return false end
  if indexed ~= #M.PATTERNS then index(); memo, memo_size = {}, 0 end
  local known = memo[s]
  if known ~= nil then return known ~= false, known or nil end
  local hit, pattern = M.match(s)
  if memo_size < 100000 then
    memo[s] = hit and pattern or false
    memo_size = memo_size + 1
  end
  return hit, pattern
end

---The uncached check behind is_placeholder.
function M.match(s)
  if indexed ~= #M.PATTERNS then index() end
  s = s:match("^%s*(.*%S)") or ""
  if s:find("[", 1, true) then
    local hit, p = any(bracketed, s)
    if hit then return true, p end
  end
  local group = by_first[s:sub(1, 1)]
  if group then
    local hit, p = any(group, s)
    if hit then return true, p end
  end
  for _, a in ipairs(anywhere) do
    if s:find(a.need, 1, true) and s:find(a.pattern) then return true, a.pattern end
  end
  return false
end

M.use(schema.current())

return M
