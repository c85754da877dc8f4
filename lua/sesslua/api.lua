--- The version of sesslua and of its Lua API, so a team workflow can ask
--- for what it needs and fail clearly on an older sesslua.
local builtin = require("sesslua.builtin")

local M = {}

---sesslua's version string, e.g. "0.1.0".
M.version = builtin.version

---The API level: functions documented in docs/lua-api.md for a level stay
---compatible while the level stands; a new level only adds.
M.level = 1

---Stop with a clear message unless the running sesslua offers `level`.
function M.require(level)
  if M.level < level then
    error({ code = 2, message = ("this workflow needs sesslua API level %d; sesslua %s has level %d"):format(
      level, M.version, M.level) }, 0)
  end
  return M
end

return M
