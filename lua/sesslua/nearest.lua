--- "Did you mean": the one known word a mistyped one most likely meant,
--- for workflow names, options and commands.
local M = {}

---Edit distance, an adjacent swap counted once ("stauts" -> "status" is 1).
---@param a string
---@param b string
---@return integer
function M.distance(a, b)
  local prev2, prev, cur = {}, {}, {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local d = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        d = math.min(d, prev2[j - 2] + 1)
      end
      cur[j] = d
    end
    prev2, prev = prev, cur
  end
  return prev[#b]
end

---The candidate `word` most likely meant: the one equal to it once case,
---`_` and `-` are set aside (`--working_on`), else the one it begins
---(`stat` -> `status`) when only one does, else the closest within two
---edits (never more than a third of the word); nil when none or a tie.
---@param word string what was typed
---@param candidates string[] the known words
---@return string|nil
function M.find(word, candidates)
  local function norm(s) return (s:lower():gsub("_", "-")) end
  local w = norm(word)
  if w == "" then return nil end
  local prefixed, best, best_d, tie = {}, nil, 3, false
  for _, c in ipairs(candidates) do
    local n = norm(c)
    if n == w then return c end
    if n:sub(1, #w) == w then prefixed[#prefixed + 1] = c end
  end
  if #prefixed == 1 and #w >= 3 then return prefixed[1] end
  for _, c in ipairs(candidates) do
    local d = M.distance(w, norm(c))
    if d < best_d then best, best_d, tie = c, d, false
    elseif d == best_d and c ~= best then tie = true end
  end
  if best and not tie and best_d <= math.max(1, #w // 3) then return best end
  return nil
end

return M
