--- The team at a glance: a summary row for every active log, sorted, with
--- the totals `status` prints. status, the dashboard and the MCP server
--- take their rows from here so they agree on what a row holds, how rows
--- sort and what counts as stale.
local tree = require("sesslua.tree")
local summary = require("sesslua.summary")
local messages = require("sesslua.messages")
local json = require("sesslua.json")
local fs = require("sesslua.fs")
local md = require("sesslua.md")
local rowcache = require("sesslua.rowcache")

local M = {}

---The orders `team.rows` knows.
---@type string[]
M.SORTS = { "id", "progress", "updated" }

---Sort comparators; natural_key is made once per row, not per comparison.
local function sorter(rows, how)
  local keys = {}
  for _, s in ipairs(rows) do keys[s] = tree.natural_key(s.id) end
  local function by_id(a, b)
    local ka, kb = keys[a], keys[b]
    if ka ~= kb then return ka < kb end
    return a.id < b.id
  end
  if how == "progress" then
    return function(a, b)
      local pa, pb = a.progress or -1, b.progress or -1
      if pa ~= pb then return pa > pb end
      return by_id(a, b)
    end
  elseif how == "updated" then
    return function(a, b)
      local xa, xb = a.age_seconds or math.huge, b.age_seconds or math.huge
      if xa ~= xb then return xa < xb end
      return by_id(a, b)
    end
  end
  return by_id
end

---The totals of a set of rows: sessions, stale, blockers (open items in
---all logs) and average_progress (rounded; nil when no log has one).
---@param rows table[] summaries from team.rows
---@return {sessions: integer, stale: integer, blockers: integer, average_progress: integer|nil}
function M.totals(rows)
  local stale, blockers, sum, n = 0, 0, 0, 0
  for _, s in ipairs(rows) do
    if s.stale then stale = stale + 1 end
    blockers = blockers + #s.blockers
    if s.progress then sum, n = sum + s.progress, n + 1 end
  end
  return { sessions = #rows, stale = stale, blockers = blockers,
           average_progress = n > 0 and math.floor(sum / n + 0.5) or nil }
end

---A `summary.brief` row for every active log, with `unread_messages`,
---sorted by `opts.sort` ("id" in natural order, the default; "progress",
---highest first; "updated", newest first). Unreadable logs are passed to
---`opts.warn` (a function of one message) and left out. Rows of logs
---that have not changed since an earlier run come from the rows cache
---(sesslua.rowcache) unless `opts.cache` is false.
---@param ctx table the context (sesslua.context)
---@param opts? {sort: string|nil, now: integer|nil, stale_hours: number|nil, fields: string[]|nil, warn: fun(msg: string)|nil, cache: boolean|nil}
---@return table[] rows
---@return table totals as team.totals gives them
---@return string|nil message when sessions/ACTIVE cannot be listed (a link out of the root, a file); rows are then empty
---@return string|nil code fs.list's failure code
function M.rows(ctx, opts)
  opts = opts or {}
  local warn = opts.warn or function() end
  local brief_opts = { now = opts.now or os.time(), stale_hours = opts.stale_hours,
    fields = opts.fields and #opts.fields > 0 and opts.fields or nil }
  local rows = {}
  if not ctx.root then return rows, M.totals(rows) end
  local unread = messages.unread_counter(ctx)
  local active = tree.paths(ctx.root).active
  local cache = opts.cache ~= false and rowcache.open(ctx, brief_opts.fields)
  local names = {}
  -- names, not tree.log_files' tables: a thousand logs need only these two
  local files, lerr, lcode = tree.log_names(ctx, active, warn)
  -- what the cache holds first (stat before reading: a log written
  -- meanwhile is read again next time), then the rest read and parsed on
  -- another core while this one summarises
  local stats, cached, to_read = {}, {}, {}
  for i, name in ipairs(files) do
    local path = active .. "/" .. name
    local st = cache and fs.stat(path)
    if st and st.type ~= "file" then st = nil end -- a link's own time says nothing of its target
    stats[i] = st or false
    cached[i] = st and cache:get(name, st) or false
    if not cached[i] then to_read[#to_read + 1] = path end
  end
  local ahead <close> = md.parse_ahead(to_read)
  for i, name in ipairs(files) do
    local id, path = name:sub(1, -4), active .. "/" .. name
    local s, st = cached[i], stats[i]
    if s then
      s.id, s.path = id, path
      summary.refresh_age(s, brief_opts.now, brief_opts.stale_hours)
    else
      local doc
      s, doc = summary.load(path, id, brief_opts, nil, ahead)
      -- its text now, not at the next collection: Lua's collector does
      -- not see the bytes a Doc holds in C
      if s then doc.md:close() end
      if s and st then cache:put(name, st, s, brief_opts.now) end
    end
    if s then
      names[name] = true
      s.unread_messages = unread(id)
      rows[#rows + 1] = s
    else
      warn(path .. ": unreadable, skipped")
    end
  end
  if cache and not lerr then cache:save(names) end
  -- by id they are already: tree.log_files gives the logs in natural id order
  if opts.sort == "progress" or opts.sort == "updated" then
    table.sort(rows, sorter(rows, opts.sort))
  end
  return rows, M.totals(rows), lerr, lcode
end

---The `status --json` document of rows and totals.
---@param ctx table the context
---@param rows table[]
---@param totals table
---@return table
function M.json(ctx, rows, totals)
  local sessions = {}
  for i, s in ipairs(rows) do sessions[i] = summary.json(s, "status") end
  return { schema = 1, kind = "status", root = ctx.root, sessions = sessions,
    totals = { sessions = totals.sessions, stale = totals.stale, blockers = totals.blockers,
               average_progress = totals.average_progress or json.null } }
end

return M
