--- Effective configuration: built-in defaults, then the user's
--- (~/.config/sesslua/sesslua.lua), then the team's (<root>/sesslua.lua).
--- Each file returns a table; unknown keys and wrong types are errors that
--- name the key and the file.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")

local M = {}

---Known keys and their types (and, for tables, their element checks).
M.SCHEMA = {
  stale_hours = "number",
  time_zone = "string",          -- "local" or "UTC"
  handoff_checks = "table",      -- { name = boolean }
  secret_patterns = "table",     -- array of { kind = "...", pattern = "lua pattern" } or { allow = "pattern" }
  session_sources = "table",     -- order of: "option", "env", "file"
  impact_levels = "table",       -- e.g. { "Low", "Medium", "High", "Critical" }
}

M.DEFAULTS = { stale_hours = 24, time_zone = "local" }

---The known keys, sorted.
function M.keys()
  local keys = {}
  for k in pairs(M.SCHEMA) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local cache

local function load_file(path)
  local text = fs.read(path)
  if not text then return nil end
  local chunk, err = load(text, "@" .. path, "t", {})
  if not chunk then error({ code = 2, message = "config: " .. err }, 0) end
  local ok, value = pcall(chunk)
  if not ok then error({ code = 2, message = "config: " .. tostring(value) }, 0) end
  if type(value) ~= "table" then
    error({ code = 2, message = ("config: %s: must return a table"):format(path) }, 0)
  end
  for k, v in pairs(value) do
    local want = M.SCHEMA[k]
    if not want then
      error({ code = 2, message = ("config: %s: unknown key '%s'"):format(path, tostring(k)) }, 0)
    end
    if type(v) ~= want then
      error({ code = 2, message = ("config: %s: '%s' must be a %s, not a %s"):format(path, k, want, type(v)) }, 0)
    end
  end
  for _, src in ipairs(value.session_sources or {}) do
    if src ~= "option" and src ~= "env" and src ~= "file" then
      error({ code = 2, message = ("config: %s: 'session_sources' entries must be \"option\", \"env\" or \"file\""):format(path) }, 0)
    end
  end
  if value.impact_levels then
    if #value.impact_levels == 0 then
      error({ code = 2, message = ("config: %s: 'impact_levels' must list at least one level"):format(path) }, 0)
    end
    for _, level in ipairs(value.impact_levels) do
      if type(level) ~= "string" or not level:match("^%a[%w-]*$") then
        error({ code = 2, message = ("config: %s: 'impact_levels' entries must be single words"):format(path) }, 0)
      end
    end
  end
  if value.stale_hours and value.stale_hours < 0 then
    error({ code = 2, message = ("config: %s: 'stale_hours' must be >= 0"):format(path) }, 0)
  end
  if value.time_zone and value.time_zone ~= "local" and value.time_zone ~= "UTC" then
    error({ code = 2, message = ("config: %s: 'time_zone' must be \"local\" or \"UTC\""):format(path) }, 0)
  end
  return value
end

---The effective configuration: values plus, per key, where it came from.
function M.get(ctx)
  if cache then return cache end
  local values, origin = {}, {}
  for k, v in pairs(M.DEFAULTS) do values[k], origin[k] = v, "built-in" end
  local xdg = sys.getenv("XDG_CONFIG_HOME")
  if not xdg or xdg == "" then
    local home = sys.getenv("HOME")
    xdg = home and (home .. "/.config")
  end
  local files = {}
  if xdg then files[#files + 1] = { xdg .. "/sesslua/sesslua.lua", "user" } end
  files[#files + 1] = { ctx.root .. "/sesslua.lua", "team" }
  for _, f in ipairs(files) do
    local t = load_file(f[1])
    if t then
      for k, v in pairs(t) do values[k], origin[k] = v, f[2] .. " (" .. f[1] .. ")" end
    end
  end
  cache = { values = values, origin = origin }
  return cache
end

---Options for handoff.run from the config plus the command line.
function M.handoff_options(ctx, extra)
  local c = M.get(ctx).values
  local opts = { stale_hours = c.stale_hours, secrets = c.secret_patterns }
  if c.handoff_checks then
    local checks = {}
    for k, v in pairs(require("sesslua.handoff").DEFAULTS.checks) do checks[k] = v end
    for k, v in pairs(c.handoff_checks) do checks[k] = v end
    opts.checks = checks
  end
  for k, v in pairs(extra or {}) do opts[k] = v end
  local valid, why, key = require("sesslua.handoff").check_options(opts)
  if not valid then
    local origin = M.get(ctx).origin[key] or "config"
    error({ code = 2, message = ("config: %s: '%s': %s"):format(
      origin:match("%((.*)%)$") or origin, key, why) }, 0)
  end
  return opts
end

return M
