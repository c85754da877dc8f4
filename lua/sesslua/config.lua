--- Effective configuration: built-in defaults, then the user's
--- (~/.config/sesslua/sesslua.lua), then the team's (<root>/sesslua.lua).
--- Each file returns a table, checked whole when it loads (unknown keys,
--- also inside nested tables, wrong types, bad values, patterns that do not
--- compile): an error names the key and the file, so a mistake shows on
--- the first command, not when the one workflow that reads it runs.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")

local M = {}

---Known keys and their types; CHECK below checks their contents.
---@type table<string, string>
M.SCHEMA = {
  stale_hours = "number",
  time_zone = "string",          -- "local" or "UTC"
  handoff_checks = "table",      -- { name = boolean }
  secret_patterns = "table",     -- array of { kind = "...", pattern = "lua pattern" } or { allow = "pattern" }
  session_sources = "table",     -- order of: "option", "env", "file"
  impact_levels = "table",       -- e.g. { "Low", "Medium", "High", "Critical" }
  status_columns = "table",      -- array of { head = "PRIO", field = "Priority" [, drop = 1] }
  share_broadcast = "boolean",   -- share.lua also sends a KNOWLEDGE message to every session
}

---The built-in values.
---@type table<string, any>
M.DEFAULTS = { stale_hours = 24, time_zone = "local" }

---The known keys, sorted.
---@return string[] names
function M.keys()
  local keys = {}
  for k in pairs(M.SCHEMA) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local cache

---Lua instructions a config file may run: a table literal takes a few
---hundred; a loop that never ends is stopped instead of hanging every
---command.
---@type integer
M.BUDGET = 10000000

---Bytes a config file may allocate while it loads, and milliseconds it
---may take: a table literal needs a few KB and well under a millisecond.
---@type integer
M.MEMORY = 64 * 1024 * 1024
---@type integer
M.MILLISECONDS = 1000

---The session sources session_sources may order (tree.current_session).
---@type table<string, boolean>
M.SOURCES = { option = true, env = true, file = true }

local function fail(path, fmt, ...)
  error({ code = 2, message = ("config: %s: " .. fmt):format(path, ...) }, 0)
end

---Whether t is a sequence 1..n with nothing else in it (no holes, no
---string keys): what "array" means for session_sources and the like.
local function is_array(t)
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return true
end

---Why a Lua pattern does not compile, or nil. string.find only reports an
---error when matching reaches the bad part, so the pattern is also walked
---here: every class, set, capture and %b / %f must be complete.
---@param p string a Lua pattern
---@return string|nil why
local function pattern_error(p)
  local ok, err = pcall(string.find, "", p)
  if not ok then return (tostring(err):gsub("^.-:%d+: ", "")) end
  local i, open = 1, {} -- open[k]: capture k is not closed yet
  while i <= #p do
    local c = p:sub(i, i)
    if c == "%" then
      local n = p:sub(i + 1, i + 1)
      if n == "" then return "malformed pattern (ends with '%')" end
      if n == "b" then
        if #p < i + 3 then return "malformed pattern (missing arguments to '%b')" end
        i = i + 4
      elseif n == "f" then
        if p:sub(i + 2, i + 2) ~= "[" then return "missing '[' after '%f' in pattern" end
        i = i + 2 -- the set follows
      else
        local k = tonumber(n)
        if k and (k == 0 or k > #open or open[k]) then return ("invalid capture index %%%d"):format(k) end
        i = i + 2
      end
    elseif c == "[" then
      local j = i + 1
      if p:sub(j, j) == "^" then j = j + 1 end
      repeat -- the first ']' of a set is a member, as in Lua
        if j > #p then return "malformed pattern (missing ']')" end
        if p:sub(j, j) == "%" then
          if j == #p then return "malformed pattern (ends with '%')" end
          j = j + 1
        end
        j = j + 1
      until p:sub(j, j) == "]"
      i = j + 1
    elseif c == "(" then
      if #open == 32 then return "too many captures" end
      if p:sub(i + 1, i + 1) == ")" then -- a position capture
        open[#open + 1] = false
        i = i + 2
      else
        open[#open + 1] = true
        i = i + 1
      end
    elseif c == ")" then
      local k = #open
      while k > 0 and not open[k] do k = k - 1 end
      if k == 0 then return "invalid pattern capture" end
      open[k] = false
      i = i + 1
    else
      i = i + 1
    end
  end
  for _, unclosed in ipairs(open) do
    if unclosed then return "unfinished capture" end
  end
  return nil
end
M.pattern_error = pattern_error

---Check the contents of one key; fail names the file and the key.
local CHECK = {}

function CHECK.stale_hours(path, v)
  if v ~= v or v == math.huge or v == -math.huge then
    fail(path, "'stale_hours' must be a finite number, not %s", v ~= v and "NaN (0/0)" or "infinite")
  end
  if v < 0 then fail(path, "'stale_hours' must be >= 0") end
end

function CHECK.time_zone(path, v)
  if v ~= "local" and v ~= "UTC" then fail(path, "'time_zone' must be \"local\" or \"UTC\"") end
end

function CHECK.handoff_checks(path, v)
  -- handoff knows its checks (handoff.DEFAULTS.checks) and says which exist
  local handoff = require("sesslua.handoff")
  local names = {}
  for name in pairs(v) do names[#names + 1] = name end
  table.sort(names, function(a, b) return tostring(a) < tostring(b) end) -- the same error every run
  for _, name in ipairs(names) do
    local ok, why = handoff.check_options({ checks = { [name] = v[name] } })
    if not ok then fail(path, "'handoff_checks': %s", why) end
  end
end

function CHECK.secret_patterns(path, v)
  if not is_array(v) then fail(path, "'secret_patterns' must be an array of rules {kind =, pattern =} or {allow =}") end
  for i, r in ipairs(v) do
    if type(r) ~= "table" then fail(path, "'secret_patterns': entry %d must be a table, not a %s", i, type(r)) end
    for k in pairs(r) do
      if k ~= "kind" and k ~= "pattern" and k ~= "allow" then
        fail(path, "'secret_patterns': entry %d: unknown key '%s' (known: kind, pattern, allow)", i, tostring(k))
      end
    end
    if r.allow ~= nil and (r.pattern ~= nil or r.kind ~= nil) then
      fail(path, "'secret_patterns': entry %d: give either {kind =, pattern =} or {allow =}, not both", i)
    end
    local key = r.allow ~= nil and "allow" or "pattern"
    if type(r[key]) ~= "string" then
      fail(path, "'secret_patterns': entry %d needs a string 'pattern' (with 'kind') or 'allow'", i)
    end
    if key == "pattern" and type(r.kind) ~= "string" then
      fail(path, "'secret_patterns': entry %d needs a string 'kind' naming what the pattern finds", i)
    end
    local why = pattern_error(r[key])
    if why then fail(path, "'secret_patterns': entry %d: bad Lua pattern '%s': %s", i, r[key], why) end
  end
end

function CHECK.session_sources(path, v)
  if not is_array(v) or #v == 0 then
    fail(path, "'session_sources' must be an array of \"option\", \"env\", \"file\" (at least one)")
  end
  local seen = {}
  for i, src in ipairs(v) do
    if not M.SOURCES[src] then
      fail(path, "'session_sources' entries must be \"option\", \"env\" or \"file\" (entry %d is '%s')", i, tostring(src))
    end
    if seen[src] then fail(path, "'session_sources': \"%s\" is listed twice", src) end
    seen[src] = true
  end
end

function CHECK.impact_levels(path, v)
  if not is_array(v) then fail(path, "'impact_levels' must be an array of single words") end
  if #v == 0 then fail(path, "'impact_levels' must list at least one level") end
  local seen = {}
  for _, level in ipairs(v) do
    if type(level) ~= "string" or not level:match("^%a[%w-]*$") then
      fail(path, "'impact_levels' entries must be single words")
    end
    if seen[level:lower()] then fail(path, "'impact_levels': '%s' is listed twice", level) end
    seen[level:lower()] = true
  end
end

function CHECK.status_columns(path, v)
  if not is_array(v) then
    fail(path, "'status_columns' must be an array of columns {head = \"PRIO\", field = \"Priority\"}")
  end
  for i, c in ipairs(v) do
    if type(c) ~= "table" then fail(path, "'status_columns': entry %d must be a table, not a %s", i, type(c)) end
    for k in pairs(c) do
      if k ~= "head" and k ~= "field" and k ~= "drop" then
        fail(path, "'status_columns': entry %d: unknown key '%s' (known: head, field, drop)", i, tostring(k))
      end
    end
    -- a heading of one line; a field name `**Name:**` can hold
    if type(c.head) ~= "string" or not c.head:match("%S") or c.head:find("%c") then
      fail(path, "'status_columns': entry %d needs a string 'head' (one line, not empty)", i)
    end
    if type(c.field) ~= "string" or not c.field:match("%S") or c.field:find("[%c*:]") then
      fail(path, "'status_columns': entry %d needs a string 'field' naming a **Field:** of the log "
        .. "(one line, not empty, no '*' or ':')", i)
    end
    if c.drop ~= nil and (math.type(c.drop) ~= "integer" or c.drop < 1) then
      fail(path, "'status_columns': entry %d: 'drop' must be a whole number >= 1", i)
    end
  end
end

-- true or false: the type check above is the whole check
function CHECK.share_broadcast() end

---Run a config chunk within limits (sys.run_limited): M.BUDGET
---instructions, M.MEMORY bytes allocated and M.MILLISECONDS of wall-clock
---time, so neither a loop, nor a pattern that backtracks inside
---string.find, nor a huge string hangs or exhausts every command. In its
---own coroutine, so the hook leaves the caller's (say, --debug's) alone.
local function run_chunk(path, chunk)
  local seconds = M.MILLISECONDS / 1000
  local why = {
    instructions = ("did not finish within %d Lua instructions (an endless loop?)"):format(M.BUDGET),
    memory = ("needed more than %d MiB of memory"):format(M.MEMORY // (1024 * 1024)),
    time = ("did not finish within %g s (a pattern that backtracks, an endless loop?)"):format(seconds),
  }
  local tail = "; a config file should only return a table"
  -- what the timer prints itself when the chunk is stuck inside C
  local exit_line = ("sesslua: config: %s: %s%s\n"):format(sys.escape_controls(path), why.time, tail)
  local ok, value, hit = sys.run_limited(coroutine.create(chunk),
    { instructions = M.BUDGET, bytes = M.MEMORY, milliseconds = M.MILLISECONDS }, exit_line)
  if hit then fail(path, "%s%s", why[hit], tail) end
  if not ok then error({ code = 2, message = "config: " .. tostring(value) }, 0) end
  return value
end

local function load_file(path)
  local text, err, code = fs.read(path)
  -- no file is no settings; one that is there but cannot be read (mode
  -- 000, a folder) is an error: skipping it would quietly drop settings
  if not text and (code == "ENOENT" or code == "ENOTDIR") then return nil end
  if not text then
    error({ code = 5, message = "config: " .. err }, 0)
  end
  local chunk, err = load(text, "@" .. path, "t", {})
  if not chunk then error({ code = 2, message = "config: " .. err }, 0) end
  local value = run_chunk(path, chunk)
  if type(value) ~= "table" then fail(path, "must return a table") end
  for k, v in pairs(value) do
    local want = M.SCHEMA[k]
    if not want then fail(path, "unknown key '%s'", tostring(k)) end
    if type(v) ~= want then fail(path, "'%s' must be a %s, not a %s", k, want, type(v)) end
  end
  for _, k in ipairs(M.keys()) do
    if value[k] ~= nil then CHECK[k](path, value[k]) end
  end
  return value
end

---The effective configuration: values plus, per key, where it came from.
---@param ctx sesslua.Context
---@return {values: table<string, any>, origin: table<string, string>} config the same table on every call; raises {code = 2, message} for an invalid file
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
---@param ctx sesslua.Context
---@param extra? table options copied over the config's ({strict = true, path = path})
---@return table opts for handoff.run; raises {code = 2, message} for a bad entry
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
