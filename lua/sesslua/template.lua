--- Templates: looked up along the search path like scripts, and filled by
--- literal substitution in one pass, so user text is never interpreted
--- (the shell scripts' sed broke on '/', '&' and quotes).
local fs = require("sesslua.fs")
local builtin = require("sesslua.builtin")

local M = {}

---The text of template `name`: `<dir>/templates/<name>` for each search
---directory, first hit wins, else the built-in.
---@param ctx sesslua.Context
---@param name string "session-log.md"
---@return string text raises {code = 3, message} when there is no such template
---@return string origin the file's path, or "builtin:templates/<name>"
function M.read(ctx, name)
  for _, d in ipairs(ctx.all_search_dirs or ctx.search_dirs) do
    local path = d.dir .. "/templates/" .. name
    if d.skipped then
      -- the team's folder of a tree not trusted: said once, never used
      if fs.exists(path) then require("sesslua.trust").note_skipped(ctx, "scripts/templates/" .. name) end
    else
      local text = fs.read(path)
      if text then return text, path end
    end
  end
  local key = "templates/" .. name
  local text = builtin.get(key)
  if not text then
    error({ code = 3, message = ("template '%s' not found on the search path"):format(name) }, 0)
  end
  return text, "builtin:" .. key
end

---Replace every occurrence of each key of `values` in `text` by its value,
---literally and in one left-to-right pass: a replacement is never scanned
---again, and at one position the longest key wins.
---@param text string
---@param values table<string, string> literal key -> literal value
---@return string
function M.fill(text, values)
  local keys = {}
  for k in pairs(values) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return #a > #b end)
  local out, pos = {}, 1
  while true do
    local best, best_key
    for _, k in ipairs(keys) do
      local at = text:find(k, pos, true)
      if at and (best == nil or at < best) then best, best_key = at, k end
    end
    if not best then break end
    out[#out + 1] = text:sub(pos, best - 1)
    out[#out + 1] = values[best_key]
    pos = best + #best_key
  end
  out[#out + 1] = text:sub(pos)
  return table.concat(out)
end

---Whether text contains any of the given literal tokens.
---@param text string
---@param tokens string[]
---@return boolean
function M.uses(text, tokens)
  for _, t in ipairs(tokens) do
    if text:find(t, 1, true) then return true end
  end
  return false
end

return M
