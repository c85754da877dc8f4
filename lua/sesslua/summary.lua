--- What view, list and status show of a log: one plain table per log,
--- absent values as nil (json.null in JSON), empty lists as {}.
local fs = require("sesslua.fs")
local log = require("sesslua.log")
local md = require("sesslua.md")
local clock = require("sesslua.clock")

local M = {}

M.DEFAULT_STALE_HOURS = 24

---Seconds since the log was last updated: from its own Last Updated line
---(file times reset on every clone), else the file's mtime.
---@return number|nil age, string source "log"|"file"|nil, string|nil text
local function age_of(doc, path, now)
  local text, t = doc:last_updated()
  if t then return math.max(0, now - t), "log", text end
  local st = path and fs.stat(path)
  if st then return math.max(0, now - st.mtime), "file", nil end
  return nil
end

---The short summary (list, status): cheap fields only.
function M.brief(doc, id, path, opts)
  opts = opts or {}
  local now = opts.now or os.time()
  local stale_hours = opts.stale_hours or M.DEFAULT_STALE_HOURS
  local age, age_source, updated = age_of(doc, path, now)
  local phase = doc:section_items("Current Work", "Current Phase")
  local open_tasks = 0
  for _, it in ipairs(phase) do
    if it.done == false and not it.placeholder then open_tasks = open_tasks + 1 end
  end
  local blockers = log.texts(doc:section_items("Blockers & Issues", "Current Blockers"),
    function(it) return it.done ~= true and not it.text:match("^[Nn]one%.?$") end)
  return {
    id = id, path = path,
    role = doc:value("Role"), goal = doc:value("Goal"),
    status = doc:work_status(), log_status = doc:value("Status"),
    working_on = doc:value("Working On"),
    progress = doc:progress(), last_updated = updated,
    age_seconds = age, age_source = age_source,
    stale = age ~= nil and age > stale_hours * 3600,
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
  s.fields = {}
  local function add_fields(a, b)
    for _, f in ipairs(md.fields(doc.text, a, b)) do
      if s.fields[f.key] == nil then s.fields[f.key] = f.value end
    end
  end
  add_fields(doc:header_range())
  local cw = doc:section("Current Work")
  s.work_fields = {}
  if cw then
    add_fields(cw.heading_end, cw.body_end)
    for _, f in ipairs(md.fields(doc.text, cw.heading_end, cw.body_end)) do
      if s.work_fields[f.key] == nil then s.work_fields[f.key] = f.value end
    end
  end
  return s
end

---Read and summarise a log file; nil, message, code when unreadable.
function M.load(path, id, opts, full)
  local doc, err, code = log.open(path)
  if not doc then return nil, err, code end
  return (full and M.full or M.brief)(doc, id, path, opts), doc
end

---Age as people read it, marked when it comes from the file time.
function M.age_text(s)
  if not s.age_seconds then return "—" end
  local t = clock.age(s.age_seconds)
  if s.age_source == "file" then t = t .. " (file time)" end
  return t
end

return M
