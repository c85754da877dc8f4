--- What morning and eod share: the acting log, prompts for lists, and
--- shared knowledge that is new since a moment.
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local clock = require("sesslua.clock")

local M = {}

---Knowledge entries shared after epoch time `since` (all when nil).
function M.knowledge_since(ctx, since)
  local out = {}
  for _, kind in ipairs(tree.KNOWLEDGE) do
    local text = fs.read(knowledge.path(ctx.root, kind))
    if text then
      for _, e in ipairs(knowledge.entries(text, kind)) do
        local t = clock.parse(e.timestamp) or clock.parse(e.date)
        if since == nil or (t and t > since) then out[#out + 1] = e end
      end
    end
  end
  table.sort(out, function(a, b) return (a.timestamp or a.date) > (b.timestamp or b.date) end)
  return out
end

---Parse "1,3" / "1 3" / "all" / "none" against a list of n items.
---@return table|nil set of chosen indices, string|nil error
function M.parse_choice(s, n)
  local chosen = {}
  if s == nil or s == "" or s:lower() == "all" then
    for i = 1, n do chosen[i] = true end
    return chosen
  end
  if s:lower() == "none" then return chosen end
  if n == 0 then return nil, "there are no next steps to carry" end
  for word in s:gmatch("[^,%s]+") do
    local i = tonumber(word)
    if not i or i < 1 or i > n or math.type(i) ~= "integer" then
      return nil, ("'%s' is not a number from 1 to %d"):format(word, n)
    end
    chosen[i] = true
  end
  return chosen
end

---Print a titled list, or nothing when it is empty.
function M.show(cli, title, list, numbered)
  if #list == 0 then return end
  io.write(cli.paint("bold", title), "\n")
  for i, s in ipairs(list) do
    io.write(numbered and ("  %d. %s\n"):format(i, s) or ("  - %s\n"):format(s))
  end
end

return M
