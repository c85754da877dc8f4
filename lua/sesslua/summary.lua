--- What view, list and status show of a log: one plain table per log,
--- absent values as nil (json.null in JSON), empty lists as {}.
local fs = require("sesslua.fs")
local log = require("sesslua.log")
local clock = require("sesslua.clock")

local M = {}

M.DEFAULT_STALE_HOURS = 24

-- A Last Updated this far ahead of the clock is not "just now": one of
-- the two clocks is wrong. Less is ordinary drift between machines.
M.SKEW_SECONDS = 300

---Seconds since the log was last updated: from its own Last Updated line
---(file times reset on every clone), else the file's mtime. A time in the
---future gives age 0 and `future` true.
---@return number|nil age, string source "log"|"file"|nil, string|nil text, boolean future
local function age_of(doc, path, now)
  local text, t = doc:last_updated()
  local source = "log"
  if not t then
    local st = path and fs.stat(path)
    if not st then return nil end
    t, source = st.mtime, "file"
  end
  local age = now - t
  return math.max(0, age), source, text, age < -M.SKEW_SECONDS
end

---The short summary (list, status): cheap fields only.
function M.brief(doc, id, path, opts)
  opts = opts or {}
  local now = opts.now or os.time()
  local stale_hours = opts.stale_hours or M.DEFAULT_STALE_HOURS
  local age, age_source, updated, future = age_of(doc, path, now)
  local phase = doc:section_items("Current Work", "Current Phase")
  local open_tasks = 0
  for _, it in ipairs(phase) do
    if it.done == false and not it.placeholder then open_tasks = open_tasks + 1 end
  end
  local blockers = log.texts(doc:section_items("Blockers & Issues", "Current Blockers"),
    function(it) return it.done ~= true and not log.is_none(it.text) end)
  return {
    id = id, path = path,
    role = doc:value("Role"), goal = doc:value("Goal"),
    -- the log's own Status is the header's; Current Work's is the work's
    status = doc:work_status(), log_status = doc:header_value("Status"),
    working_on = doc:value("Working On"),
    progress = doc:progress(), last_updated = updated,
    age_seconds = age, age_source = age_source,
    -- a future time is not stale, but marked: the clocks disagree
    stale = age ~= nil and not future and age > stale_hours * 3600, future = future or false,
    blockers = blockers, open_tasks = open_tasks,
  }
end

---The full summary (view --json).
function M.full(doc, id, path, opts)
  local s = M.brief(doc, id, path, opts)
  s.sections = {}
  for _, sec in ipairs(doc.sections) do
    s.sections[#s.sections + 1] = { title = sec.title, level = sec.level, line = sec.line }
  end
  s.phase = {}
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.done ~= nil and not it.placeholder then
      s.phase[#s.phase + 1] = { text = it.text, done = it.done }
    end
  end
  s.completed = doc:completed()
  s.resolved = log.texts(doc:section_items("Blockers & Issues", "Resolved Issues"))
  s.next_steps = log.texts(doc:section_items("Next Steps"))
  s.learnings = doc:learnings()
  -- fields: the header's, then Current Work's keys the header lacks (a key
  -- in both, like Status, is the header's here); work_fields: Current
  -- Work's own, so its Status is never lost; header_fields: the header's.
  s.fields, s.header_fields, s.work_fields = {}, {}, {}
  local function add_fields(into, a, b)
    for _, f in ipairs(log.fields(doc.text, a, b)) do
      if into[f.key] == nil then into[f.key] = f.value end
      if s.fields[f.key] == nil then s.fields[f.key] = f.value end
    end
  end
  add_fields(s.header_fields, doc:header_range())
  local cw = doc:section("Current Work")
  if cw then add_fields(s.work_fields, cw.heading_end, cw.body_end) end
  return s
end

---Read and summarise a log file; nil, message, code when unreadable.
function M.load(path, id, opts, full)
  local doc, err, code = log.open(path)
  if not doc then return nil, err, code end
  return (full and M.full or M.brief)(doc, id, path, opts), doc
end

---Age as people read it, marked when it comes from the file time or lies
---in the future; `short` for narrow terminals.
function M.age_text(s, short)
  if not s.age_seconds then return "—" end
  local t = s.future and (short and "future" or "in the future") or clock.age(s.age_seconds)
  if s.future then t = t .. (short and " (skew)" or " (clock skew)") end
  if s.age_source == "file" then t = t .. (short and " (file)" or " (file time)") end
  return t
end

return M
