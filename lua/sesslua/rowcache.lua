--- A cache of the summary rows `status` shows, so that a log that has not
--- changed is not read and parsed again: agents run `status` hundreds of
--- times a day over trees where a few logs change between runs.
---
--- One file per coordination root under
--- ${XDG_CACHE_HOME:-~/.cache}/sesslua/ (never in the tree: it is this
--- machine's and this user's). A row is used again only while its log has
--- the same size and modification time (to the nanosecond), as rsync
--- decides a file is unchanged, and only when it was stored while the log
--- was at least RACY_SECONDS old: a log written in the same instant as its
--- row was stored might change again without its time moving (git's
--- "racily clean" rule). The whole cache is dropped when anything a row
--- depends on changes: sesslua's version, the team template, the
--- placeholder list, the fields asked for, the time zone setting. Nothing
--- about the cache is ever an error: a cache that cannot be read or
--- written is simply not used. SESSLUA_CACHE=0 turns it off.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
-- cjson as it is (not sesslua.json): the cache needs no key order or
-- `[]`, and a thousand rows are encoded in C
local cjson = require("cjson")
local builtin = require("sesslua.builtin")

local M = {}

---A row is stored only for a log at least this many seconds old.
---@type number
M.RACY_SECONDS = 2

-- The modules whose code makes a row: a team copy of any of them (on the
-- search path) makes rows the built-in cache key cannot describe.
local ROW_MODULES = { "sesslua.summary", "sesslua.log", "sesslua.schema",
                      "sesslua.placeholders", "sesslua.clock", "sesslua.md" }

---FNV-1a of s as 8 hex digits (a file name per root).
local function fnv(s)
  local h = 2166136261
  for i = 1, #s do
    h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff
  end
  return ("%08x"):format(h)
end

---The cache file of root, or nil when there is none to use.
local function file_of(root)
  local base = sys.getenv("XDG_CACHE_HOME")
  if not base or base:sub(1, 1) ~= "/" then -- XDG: a relative one is ignored
    local home = sys.getenv("HOME")
    if not home or home:sub(1, 1) ~= "/" then return nil end
    base = home .. "/.cache"
  end
  return base .. "/sesslua/rows-" .. fnv(root) .. ".json"
end

---Whether a team module replaces one of those that make rows.
local function rows_overridden()
  for _, name in ipairs(ROW_MODULES) do
    if package.searchpath(name, package.path) then return true end
  end
  return false
end

---The key every row of a cache depends on, as one string.
local function fingerprint(ctx, fields)
  local schema = require("sesslua.schema")
  local placeholders = require("sesslua.placeholders")
  local s = schema.current()
  return table.concat({
    "1", builtin.version, ctx.root, s.template_text or "",
    table.concat(placeholders.PATTERNS, "\0"), table.concat(fields or {}, "\0"),
    require("sesslua.clock").utc() and "utc" or "local",
  }, "\1")
end

-- What every run sets again (team.rows: from the file's name and the
-- clock) is not kept: a smaller file reads faster.
local NOT_KEPT = { id = true, path = true, age_seconds = true, stale = true, future = true,
                   unread_messages = true }

local Cache = {}
Cache.__index = Cache

---The rows cache of the tree, for summaries made with `fields`; nil
---when caching is off (SESSLUA_CACHE=0, no HOME, a team copy of a module
---that makes rows).
---@param ctx table the context
---@param fields? string[] the fields the rows hold (summary.brief's opts.fields)
---@return table|nil cache
function M.open(ctx, fields)
  if sys.getenv("SESSLUA_CACHE") == "0" or not ctx.root then return nil end
  local path = file_of(ctx.root)
  if not path or rows_overridden() then return nil end
  local key = fingerprint(ctx, fields)
  local c = setmetatable({ path = path, key = key, rows = {}, changed = false }, Cache)
  local text = fs.read(path)
  local ok, doc = pcall(cjson.decode, text or "")
  if ok and type(doc) == "table" and doc.key == key and type(doc.rows) == "table" then
    c.rows = doc.rows
  end
  return c
end

local function stamp(st)
  return ("%d/%.17g"):format(st.size, st.mtime)
end

---The row stored for log `name` when the file is as `st` (fs.stat) says.
---@param name string the log's file name
---@param st table fs.stat of the log
---@return table|nil row
function Cache:get(name, st)
  local e = self.rows[name]
  if type(e) ~= "table" or e.stamp ~= stamp(st) or type(e.row) ~= "table" then return nil end
  local row = e.row
  -- JSON has one number type, and cjson writes 14 digits: integers become
  -- integers again, other numbers were kept as their exact text
  for _, k in ipairs(type(e.ints) == "table" and e.ints or {}) do
    local v = row[k]
    if type(v) == "number" then row[k] = math.tointeger(v) or v end
  end
  for _, k in ipairs(type(e.floats) == "table" and e.floats or {}) do
    row[k] = tonumber(row[k])
  end
  return row
end

---Keep `row` for log `name` as `st` describes it, unless the log is too
---recent to trust its time (RACY_SECONDS before `now`, or in the future).
---@param name string
---@param st table fs.stat of the log, taken before it was read
---@param row table
---@param now number the time of this run (os.time())
function Cache:put(name, st, row, now)
  if st.mtime > now - M.RACY_SECONDS then
    if self.rows[name] ~= nil then self.rows[name], self.changed = nil, true end -- its old row is wrong
    return
  end
  local ints, floats, kept = {}, {}, {}
  for k, v in pairs(row) do
    if NOT_KEPT[k] then goto next end
    local t = math.type(v)
    if t == "integer" then ints[#ints + 1] = k
    elseif t == "float" then floats[#floats + 1] = k; v = ("%.17g"):format(v) end
    kept[k] = v
    ::next::
  end
  self.rows[name] = { stamp = stamp(st), row = kept, ints = ints, floats = floats }
  self.changed = true
end

---Forget the logs not in `names` (deleted or archived), then write the
---cache when a row changed. Failures are ignored: it is only a cache.
---@param names table<string, boolean> the logs of this run
function Cache:save(names)
  for name in pairs(self.rows) do
    if not names[name] then self.rows[name] = nil; self.changed = true end
  end
  if not self.changed then return end
  local ok, text = pcall(cjson.encode, { key = self.key, rows = self.rows })
  if not ok then return end
  -- the rows hold the logs' text: readable by this user only
  if fs.mkdir(fs.dirname(self.path)) then fs.write(self.path, text, { mode = "0600" }) end
end

return M
