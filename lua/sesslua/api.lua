--- The version of sesslua and of its Lua API, so a team workflow can ask
--- for what it needs and fail clearly on an older sesslua.
local builtin = require("sesslua.builtin")

local M = {}

---sesslua's version string, e.g. "0.1.0".
---@type string
M.version = builtin.version

---The API level: functions documented in docs/lua-api.md for a level stay
---compatible while the level stands; a new level only adds.
---@type integer
M.level = 1

---Stop with a clear message unless the running sesslua offers `level`: a
---whole number, or a string of one ("1", "1.0": people write levels like
---versions).
---@param level integer|string the level the workflow needs (`1`, `"1"`, `"1.0"`)
---@return table api this module; raises {code = 2, message} when the level is not offered
function M.require(level)
  local n = (type(level) == "number" or type(level) == "string") and math.tointeger(tonumber(level))
  if not n or n < 0 then
    error({ code = 2, message = ("api.require: the API level must be a whole number like 1, not %s"):format(
      type(level) == "string" and ("'" .. level .. "'") or type(level) == "number" and tostring(level)
      or ("a " .. type(level)))
      .. ("\nhint: levels count 1, 2, ...; this is sesslua %s with level %d"):format(M.version, M.level) }, 0)
  end
  if M.level < n then
    error({ code = 2, message = ("this workflow needs sesslua API level %d; sesslua %s has level %d"):format(
      n, M.version, M.level) }, 0)
  end
  return M
end

return M
