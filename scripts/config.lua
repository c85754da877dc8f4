--- Print the effective configuration and where each value comes from.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local config = require("sesslua.config")
local json = require("sesslua.json")

local parser = cli.parser("config.lua", "Show the effective configuration (built-in, user, team).",
  "Team settings live in <root>/sesslua.lua, user settings in ~/.config/sesslua/sesslua.lua; "
  .. "each returns a table. Keys: " .. table.concat(config.keys(), ", ") .. ".")
parser:flag("--json", "Print as JSON.")
local args = cli.parse(parser)

local c = config.get(ctx)
if args.json then
  -- every known key, set or not; map-valued settings stay JSON objects
  local values = {}
  for _, k in ipairs(config.keys()) do
    local v = c.values[k]
    if k == "handoff_checks" and v then v = json.object(v) end
    values[k] = { value = v == nil and json.null or v, origin = c.origin[k] or json.null }
  end
  cli.print_json({ schema = 1, kind = "config", root = ctx.root, settings = json.object(values) })
  return 0
end
local function show(v)
  if type(v) ~= "table" then return tostring(v) end
  local ok, s = pcall(json.encode, v)
  return ok and s or "(table)"
end
for _, k in ipairs(config.keys()) do
  local v = c.values[k]
  local row = ("%-16s %-24s %s"):format(k, v == nil and "(unset)" or show(v), c.origin[k] or "")
  io.write((row:gsub("%s+$", "")), "\n")
end
return 0
