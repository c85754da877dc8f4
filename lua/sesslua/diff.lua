--- A unified diff of two texts, for --dry-run. Edits are local, so one hunk
--- from the first to the last differing line (with context) says it all.
local M = {}

local function split(text)
  local out = {}
  for line in text:gmatch("([^\n]*)\n") do out[#out + 1] = line end
  local tail = text:match("([^\n]+)$")
  if tail then out[#out + 1] = tail end
  return out
end

---Unified diff of a -> b labelled with name; "" when equal.
function M.unified(a, b, name, context)
  if a == b then return "" end
  context = context or 3
  local x, y = split(a), split(b)
  local pre = 0
  while pre < #x and pre < #y and x[pre + 1] == y[pre + 1] do pre = pre + 1 end
  local suf = 0
  while suf < #x - pre and suf < #y - pre and x[#x - suf] == y[#y - suf] do suf = suf + 1 end
  local from = math.max(1, pre + 1 - context)
  local x_to = math.min(#x, #x - suf + context)
  local y_to = math.min(#y, #y - suf + context)
  local out = { "--- " .. name, "+++ " .. name .. " (updated)",
    ("@@ -%d,%d +%d,%d @@"):format(from, x_to - from + 1, from, y_to - from + 1) }
  for i = from, pre do out[#out + 1] = " " .. x[i] end
  for i = pre + 1, #x - suf do out[#out + 1] = "-" .. x[i] end
  for i = pre + 1, #y - suf do out[#out + 1] = "+" .. y[i] end
  for i = #x - suf + 1, x_to do out[#out + 1] = " " .. x[i] end
  return table.concat(out, "\n") .. "\n"
end

return M
