--- What view, list and status show of a log: one plain table per log,
--- absent values as nil (json.null in JSON), empty lists as {}. Every
--- value taken from the log is plain text: inline Markdown (`**x**`,
--- links, code spans, escapes) is reduced to its text with md.plain, so
--- a person's dashboard and a program's JSON both get words, not markup.
--- summary.json is the one JSON projection of a summary for view, list
--- and status.
local fs = require("sesslua.fs")
local md = require("sesslua.md")
local log = require("sesslua.log")
local clock = require("sesslua.clock")
local json = require("sesslua.json")
local placeholders = require("sesslua.placeholders")
local schema = require("sesslua.schema")

local M = {}

---The stale limit when opts.stale_hours is not given.
---@type number
M.DEFAULT_STALE_HOURS = 24

-- A Last Updated this far ahead of the clock is not "just now": one of
-- the two clocks is wrong. Less is ordinary drift between machines.
---@type integer
M.SKEW_SECONDS = 300

local md_plain = md.plain -- gives the bytes back when no markup character is in them

-- Short values repeat from log to log (statuses, roles, service names):
-- their text is remembered, so status over a thousand logs asks C once
-- per distinct value. Long ones (goals, notes) are mostly unique.
local SHORT, CACHE_MAX = 40, 1000
local plain_cache, plain_cached = {}, 0

---A string as text (inline Markdown stripped).
local function plain(v)
  if #v > SHORT then return md_plain(v) end
  local t = plain_cache[v]
  if t then return t end
  t = md_plain(v)
  if plain_cached >= CACHE_MAX then plain_cache, plain_cached = {}, 0 end
  plain_cache[v], plain_cached = t, plain_cached + 1
  return t
end

---A value as text: nil stays nil.
local function text(v)
  return v and plain(v)
end

---Each string of a fresh list as text, in place (status reads a thousand
---logs: no second table per list).
local function texts(list)
  for i, v in ipairs(list) do list[i] = plain(v) end
  return list
end

---Words saying that work is over. A header Status holding one of them as
---a whole word, in any case, with emoji and other words around it
---(`✅ COMPLETE - search service shipped`, `Done`), is complete.
---@type string[]
M.COMPLETE_WORDS = { "complete", "completed", "done", "finished", "shipped", "closed" }

---Words that undo a complete word after them: `Not done`, `Almost finished`.
---@type string[]
M.NOT_COMPLETE_WORDS = { "not", "almost", "nearly" }

local complete_set, negation_set = {}, {}
for _, w in ipairs(M.COMPLETE_WORDS) do complete_set[w] = true end
for _, w in ipairs(M.NOT_COMPLETE_WORDS) do negation_set[w] = true end
local complete_cache, cached = {}, 0

---Whether a Status value says the work is complete: one of
---COMPLETE_WORDS as a whole word (any case), with none of
---NOT_COMPLETE_WORDS before it. `Completed`, `✅ COMPLETE - shipped` and
---`done` are; `Active`, `Incomplete` and `not done yet` are not.
---@param s string|nil a Status value (Markdown or plain)
---@return boolean
function M.is_complete_status(s)
  if type(s) ~= "string" then return false end
  -- status asks this for every log, and a team's logs share a few values
  local known = complete_cache[s]
  if known ~= nil then return known end
  local complete = false
  for word in s:gmatch("%a+") do
    word = word:lower()
    if negation_set[word] then break end
    if complete_set[word] then complete = true; break end
  end
  if cached >= 1000 then complete_cache, cached = {}, 0 end -- bounded, whatever the tree holds
  complete_cache[s], cached = complete, cached + 1
  return complete
end

---The status to show for a log in list and status: Current Work's; the
---header's when Current Work has none; and the header's whenever it says
---complete (a finished log is not "Building").
---@param s table a summary (brief or full)
---@return string|nil
function M.shown_status(s)
  if s.log_status and (not s.status or M.is_complete_status(s.log_status)) then
    return s.log_status
  end
  return s.status
end

---Set a summary's age, stale and future for the time `now`, from the
---time it was last updated (`s.updated_at`): a summary kept from an
---earlier run (the rows cache) is brought up to date this way.
---@param s table a summary (brief or full)
---@param now number epoch seconds
---@param stale_hours? number default DEFAULT_STALE_HOURS
---@return table s
function M.refresh_age(s, now, stale_hours)
  stale_hours = stale_hours or M.DEFAULT_STALE_HOURS
  local t = s.updated_at
  if not t then
    s.age_seconds, s.stale, s.future = nil, false, false
    return s
  end
  local age = now - t
  s.future = age < -M.SKEW_SECONDS
  s.age_seconds = math.max(0, age)
  -- a future time is not stale, but marked: the clocks disagree
  s.stale = not s.future and s.age_seconds > stale_hours * 3600
  return s
end

---A field as summaries read one: the header's, else Current Work's; nil
---when blank or a placeholder.
---@param doc sesslua.Log
---@param key string
---@return string|nil value raw Markdown
function M.field(doc, key)
  return doc:header_value(key) or doc:value(key, "Current Work")
end

-- The fields a brief summary reads from the header and from Current Work,
-- and those of them it shows as text.
local BRIEF_KEYS = { "Role", "Goal", "Status", "Working On", "Progress" }
local TEXT_KEYS = { "Role", "Goal", "Status", "Working On" }

-- Each schema's plan of the brief's queries (md.plan), made on first use:
-- the header's fields; Current Work's index, fields and Current Phase's
-- open tasks; Blockers & Issues' index and Current Blockers' texts; the
-- footer's Last Updated. summary.brief reads them with one d:read. With
-- the template's samples compiled for C (placeholders.compiled), the plan
-- also drops what log.filled and is_placeholder would (`skip`): a value
-- that is blank or a sample comes back false, sample items are left out
-- and Current Phase's open tasks come as their number; the values shown
-- as text come as text (`plain`: Progress stays raw, for log.percent).
local plans = setmetatable({}, { __mode = "k" })
local function plan_of(sch)
  local skip = placeholders.compiled()
  local p = plans[sch]
  if p and p.skip == skip then return p.plan, skip end
  local function keys(name)
    local spec = sch:spec(name)
    return spec and spec.keys or { schema.key(name) }
  end
  p = { skip = skip, plan = md.plan({
    header = BRIEF_KEYS,
    sections = {
      { keys = keys("Current Work"), fields = BRIEF_KEYS, label = "Current Phase", items = "todo",
        count = skip ~= nil },
      { keys = keys("Blockers & Issues"), label = "Current Blockers", items = "open" },
    },
    footer = sch.footer[1],
    skip = skip,
    plain = skip and TEXT_KEYS or nil,
  }) }
  plans[sch] = p
  return p.plan, skip
end
-- where plan_of's answers are in d:read's array
local HEADER, WORK_FIELDS, PHASE, BLOCKERS, FOOTER = 0, 6, 12, 14, 15

---A value of a plan with `skip` as log.filled gives it: false (blank or
---a sample) is nil.
local function kept(v)
  return v or nil
end

---A value as Doc:value(key) finds it from the header's (h) and Current
---Work's (c) values: the header's, else Current Work's, else the first
---anywhere in the log; blanks and placeholders are nil. `filled` is
---log.filled for raw values, `kept` for a plan's with `skip`.
local function anywhere(doc, key, h, c, filled)
  local v = h
  if v == nil then v = c end
  if v == nil then return log.filled(doc.md:field_value(key)) end
  return filled(v)
end

---anywhere's value as text: a plan with `skip` gives it so (`plain`)
---unless it comes from the rest of the log.
local function anywhere_text(doc, key, h, c, filled, plained)
  local v = h
  if v == nil then v = c end
  if v == nil then return text(log.filled(doc.md:field_value(key))) end
  v = filled(v)
  if plained then return v end
  return text(v)
end

---The texts of a labelled block's items (`which` as md's item_texts) by
---Doc:block's whole rule (a heading named like the label, the section's
---own list): what the plan's label line did not find.
local function block_texts(doc, section, label, which)
  local blk = doc:block(doc:section(section), label)
  if not blk then return {} end
  return doc.md:item_texts(blk.label_end, blk.stop, which)
end

---When the log was last updated, from the footer's raw value: its own
---Last Updated line (file times reset on every clone), else the file's
---mtime. Returns the line's text, the time (epoch seconds) and its source
---("log" or "file").
local function updated_from(v, path, checked)
  if not checked and v and placeholders.is_placeholder(v) then v = nil end
  v = v or nil -- a plan with `skip` gives false for a sample
  local t = v and clock.parse(v)
  if t then return v, t, "log" end
  local st = path and fs.stat(path)
  if not st then return v end
  return v, st.mtime, "file"
end

---The short summary (list, status): cheap fields only. `opts.fields`: an
---array of field names to read into `s.fields` (status columns). The
---same values as Doc:value, Doc:work_status, Doc:section_items and
---Doc:last_updated give, read with one d:read of a plan: status makes one
---for every log.
---@param doc sesslua.Log
---@param id string
---@param path string|nil
---@param opts? {now: integer|nil, stale_hours: number|nil, fields: string[]|nil}
---@return table summary
function M.brief(doc, id, path, opts)
  opts = opts or {}
  local now = opts.now or os.time()
  local is_placeholder = placeholders.is_placeholder
  local plan, skip = plan_of(doc.schema)
  local r = doc.md:read(plan)
  -- with `skip`, the plan's answers are checked already
  local filled = skip and kept or log.filled
  local updated, updated_at, age_source = updated_from(r[FOOTER], path, skip)
  local open_tasks, phase = 0, r[PHASE]
  if skip and phase then
    open_tasks = phase
  else
    for _, t in ipairs(phase or block_texts(doc, "Current Work", "Current Phase", "todo")) do
      if not is_placeholder(t) then open_tasks = open_tasks + 1 end
    end
  end
  local blockers, listed = {}, r[BLOCKERS]
  local check = not (skip and listed)
  for _, t in ipairs(listed or block_texts(doc, "Blockers & Issues", "Current Blockers", "open")) do
    if not (check and is_placeholder(t)) and not log.is_none(t) then blockers[#blockers + 1] = plain(t) end
  end
  local h, c = HEADER, WORK_FIELDS
  -- with `skip`, the plan gives the values of TEXT_KEYS as text
  local as_text = skip and kept or text
  local plained = skip ~= nil
  local s = {
    id = id, path = path,
    role = anywhere_text(doc, "Role", r[h + 1], r[c + 1], filled, plained),
    goal = anywhere_text(doc, "Goal", r[h + 2], r[c + 2], filled, plained),
    -- the log's own Status is the header's; Current Work's is the work's
    status = as_text(filled(r[c + 3])), log_status = as_text(filled(r[h + 3])),
    working_on = anywhere_text(doc, "Working On", r[h + 4], r[c + 4], filled, plained),
    progress = log.percent(filled(r[c + 5]) or anywhere(doc, "Progress", r[h + 5], r[c + 5], filled)),
    last_updated = updated, updated_at = updated_at, age_source = age_source,
    blockers = blockers, open_tasks = open_tasks,
    -- set just below and by team.rows: named here (nil) so that the table
    -- is made big enough once, not grown on a thousand rows
    age_seconds = nil, stale = nil, future = nil, unread_messages = nil,
  }
  M.refresh_age(s, now, opts.stale_hours)
  if opts.fields then
    s.fields, s.field_names = {}, opts.fields
    for _, key in ipairs(opts.fields) do s.fields[key] = text(M.field(doc, key)) end
  end
  return s
end

---A resolved item `~~Redis timeout~~ - Solved by raised the pool size`
---as {text = "Redis timeout", resolution = "raised the pool size"}: the
---struck-through part (else the part before " - ") is the issue, the rest
---the resolution with a leading "Solved by" / "Fixed by" / "Resolved by"
---dropped; resolution nil when there is none.
---@param item string the item's text as written
---@return {text: string, resolution: string|nil}
function M.resolved_item(item)
  local issue, rest = item:match("^~~(.-)~~(.*)$")
  if not issue then
    local at = item:find(" - ", 1, true)
    if at then issue, rest = item:sub(1, at - 1), item:sub(at) else issue, rest = item, "" end
  end
  -- the separator: spaces, ASCII punctuation and en or em dashes (matched
  -- whole: a byte class would eat the first bytes of other characters)
  repeat
    local before = rest
    rest = rest:gsub("^[%s:;,%-]+", "", 1)
    for _, dash in ipairs({ "–", "—" }) do
      if rest:sub(1, #dash) == dash then rest = rest:sub(#dash + 1) end
    end
  until rest == before
  rest = log.trim(rest)
  for _, lead in ipairs({ "solved by", "fixed by", "resolved by" }) do
    if rest:sub(1, #lead):lower() == lead and (#rest == #lead or rest:find("^%s", #lead + 1)) then
      rest = log.trim(rest:sub(#lead + 1))
      break
    end
  end
  return { text = plain(log.trim(issue)), resolution = rest ~= "" and plain(rest) or nil }
end

---Learnings with topic and every line as text (lines stay lines).
local function plain_learnings(list)
  for _, e in ipairs(list) do
    e.topic = plain(e.topic)
    local lines = {}
    for line in (e.text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = plain(line) end
    e.text = table.concat(lines, "\n")
  end
  return list
end

---Fields of text[a, b) as text into `into` (first of a key wins), and into
---`all` when it lacks the key.
local function add_fields(doc, into, all, a, b)
  for _, f in ipairs(log.fields(doc.text, a, b)) do
    local v = plain(f.value)
    if into[f.key] == nil then into[f.key] = v end
    if all[f.key] == nil then all[f.key] = v end
  end
end

-- The lists of the Coordination section, by their JSON names.
local COORDINATION = { messages_sent = "Messages Sent", messages_received = "Messages Received",
                       collaborations = "Collaborations" }

---The full summary (view --json): brief plus sections, phase, completed,
---resolved, next steps, learnings, services, coordination, notes and every
---field, all as text.
---@param doc sesslua.Log
---@param id string
---@param path string|nil
---@param opts? {now: integer|nil, stale_hours: number|nil, fields: string[]|nil}
---@return table summary
function M.full(doc, id, path, opts)
  local s = M.brief(doc, id, path, opts)
  s.sections = {}
  for _, sec in ipairs(doc.sections) do
    s.sections[#s.sections + 1] = { title = sec.title, level = sec.level, line = sec.line }
  end
  s.phase = {}
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.done ~= nil and not it.placeholder then
      s.phase[#s.phase + 1] = { text = plain(it.text), done = it.done }
    end
  end
  s.completed = doc:completed()
  for _, g in ipairs(s.completed) do g.items = texts(g.items) end
  s.resolved = {}
  for _, item in ipairs(log.texts(doc:section_items("Blockers & Issues", "Resolved Issues"))) do
    s.resolved[#s.resolved + 1] = M.resolved_item(item)
  end
  s.next_steps = texts(log.texts(doc:section_items("Next Steps")))
  s.learnings = plain_learnings(doc:learnings())
  s.services = doc:services()
  for _, svc in ipairs(s.services) do
    svc.name = plain(svc.name)
    for k, v in pairs(svc.fields) do svc.fields[k] = plain(v) end
  end
  s.coordination = {}
  for key, label in pairs(COORDINATION) do
    s.coordination[key] = texts(log.texts(doc:section_items("Coordination", label)))
  end
  s.notes = {}
  for i, note in ipairs(doc:notes()) do
    local lines = {}
    for line in (note .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = plain(line) end
    s.notes[i] = table.concat(lines, "\n")
  end
  -- fields: the header's, then Current Work's keys the header lacks (a key
  -- in both, like Status, is the header's here); work_fields: Current
  -- Work's own, so its Status is never lost; header_fields: the header's.
  s.fields, s.header_fields, s.work_fields = {}, {}, {}
  add_fields(doc, s.header_fields, s.fields, doc:header_range())
  local cw = doc:section("Current Work")
  if cw then add_fields(doc, s.work_fields, s.fields, cw.heading_end, cw.body_end) end
  return s
end

---Read and summarise a log file; nil, message, code when unreadable.
---@param path string
---@param id string
---@param opts? {now: integer|nil, stale_hours: number|nil, fields: string[]|nil}
---@param full? boolean summary.full instead of summary.brief
---@param ahead? sesslua.md.Ahead files parsed ahead (md.parse_ahead), as log.open takes
---@return table|nil summary
---@return sesslua.Log|string|nil doc_or_message the Doc; the message on failure
---@return string|nil code on failure
function M.load(path, id, opts, full, ahead)
  local doc, err, code = log.open(path, ahead)
  if not doc then return nil, err, code end
  return (full and M.full or M.brief)(doc, id, path, opts), doc
end

-- The keys of each JSON projection, in the summary's own names; `object`
-- ones are JSON objects, the others copied (nil becomes null).
local PROJECTIONS = {
  list = { "id", "path", "archived", "archive_date", "role", "status", "log_status",
           "progress", "last_updated", "updated_at" },
  status = { "id", "path", "role", "status", "log_status", "working_on", "progress",
             "last_updated", "updated_at", "age_seconds", "age_source", "stale", "future",
             "blockers", "open_tasks", "unread_messages" },
  log = { "id", "path", "role", "goal", "status", "working_on", "progress", "log_status",
          "last_updated", "updated_at", "stale", "future", "sections", "phase", "completed",
          "blockers", "resolved", "next_steps", "learnings", "services", "coordination", "notes" },
}

---The resolved items with their missing resolutions as null.
local function resolved_json(list)
  local out = {}
  for i, r in ipairs(list) do out[i] = { text = r.text, resolution = r.resolution or json.null } end
  return out
end

---The JSON projection of a summary, as `--json` prints it: for kind
---"log" (view: the whole document, with schema and kind), "list" and
---"status" (one row each). Absent values are json.null; for "status",
---`fields` holds the fields asked for in brief's `opts.fields` (null when
---the log lacks one).
---@param s table a summary (summary.full for "log")
---@param kind "log"|"list"|"status"
---@return table
function M.json(s, kind)
  local keys = PROJECTIONS[kind]
  assert(keys, "summary.json: unknown kind")
  local out = {}
  for _, k in ipairs(keys) do
    local v = s[k]
    if v == nil then v = json.null end
    out[k] = v
  end
  -- the time as RFC 3339 in UTC, whatever form the log wrote it in
  -- (last_updated keeps the text as written)
  if s.updated_at then out.updated_at = os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(s.updated_at)) end
  if kind == "log" then
    out.schema, out.kind = 1, "log"
    out.resolved = resolved_json(s.resolved)
    local services = {}
    for i, svc in ipairs(s.services) do
      services[i] = { name = svc.name, port = svc.port or json.null, fields = json.object(svc.fields) }
    end
    out.services = services
    out.fields = json.object(s.fields)
    out.header_fields = json.object(s.header_fields)
    out.work_fields = json.object(s.work_fields)
  elseif kind == "status" then
    local fields = json.object()
    for _, key in ipairs(s.field_names or {}) do
      local v = s.fields[key]
      if v == nil then v = json.null end
      fields[key] = v
    end
    out.fields = fields
  end
  return out
end

---Age as people read it, marked when it comes from the file time or lies
---in the future; `short` for narrow terminals.
---@param s table a summary
---@param short? boolean the compact forms
---@return string
function M.age_text(s, short)
  if not s.age_seconds then return "—" end
  local t = s.future and (short and "future" or "in the future") or clock.age(s.age_seconds)
  if s.future then t = t .. (short and " (skew)" or " (clock skew)") end
  if s.age_source == "file" then t = t .. (short and " (file)" or " (file time)") end
  return t
end

return M
