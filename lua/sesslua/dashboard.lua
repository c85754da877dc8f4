--- What `dashboard.lua` shows: the team's rows (sesslua.team) with each
--- log's phase tasks and tasks completed per day, the last knowledge
--- shared, unread messages, recently archived logs; the page made of them
--- (sesslua.html), its JSON, and the tree's signature `--watch` compares.
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local team = require("sesslua.team")
local log = require("sesslua.log")
local summary = require("sesslua.summary")
local knowledge = require("sesslua.knowledge")
local messages = require("sesslua.messages")
local clock = require("sesslua.clock")
local json = require("sesslua.json")
local html = require("sesslua.html")
local placeholders = require("sesslua.placeholders")

local M = {}

---Days the chart covers, ending today.
M.DAYS = 14
---Days back that count as "archived recently".
M.ARCHIVE_DAYS = 28
---Knowledge entries listed as the last shared.
M.LEARNINGS = 12
---Sessions whose unread messages are listed (the most unread first).
M.MAILBOXES = 30
---Unread messages shown per session.
M.MESSAGES_EACH = 3

---The dates of the `n` days ending with the day of `now`, oldest first
---(`YYYY-MM-DD`, as clock.today writes them). Counted from noon, so a
---day that daylight saving makes 23 or 25 hours long is neither skipped
---nor repeated.
local function days_back(now, n)
  local today = clock.today(now)
  local y, m, d = today:match("^(%d+)-(%d+)-(%d+)$")
  local out = {}
  for k = n - 1, 0, -1 do
    local t = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d) - k, hour = 12 })
    out[#out + 1] = os.date("%Y-%m-%d", t)
  end
  return out
end

---Phase tasks done and in all, and tasks completed on each day of `days`.
local function log_extras(row, days)
  local doc = log.open(row.path)
  local done, total, per_day, in_window = 0, 0, {}, 0
  for i = 1, #days do per_day[i] = 0 end
  if not doc then return done, total, per_day, in_window end
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.done ~= nil and not it.placeholder then
      total = total + 1
      if it.done then done = done + 1 end
    end
  end
  local sec = doc:section("Completed Today")
  if not sec then return done, total, per_day, in_window end
  -- the groups of the chart's days, then one pass over the section's items
  local index, groups = {}, {}
  for i, d in ipairs(days) do index[d] = i end
  local stop = doc:content_end(sec)
  for _, f in ipairs(doc.md:fields(sec.heading_end, stop)) do
    local i = not f.bullet and f.value == "" and index[f.key]
    if i then groups[#groups + 1] = { f.line_end, math.min(f.block_end, stop), i } end
  end
  if #groups == 0 then return done, total, per_day, in_window end
  local g = 1
  for _, it in ipairs(doc.md:items(groups[1][1], groups[#groups][2])) do
    while groups[g] and it.start >= groups[g][2] do g = g + 1 end
    if not groups[g] then break end
    if it.start >= groups[g][1] and not placeholders.is_placeholder(it.text) then
      per_day[groups[g][3]] = per_day[groups[g][3]] + 1
      in_window = in_window + 1
    end
  end
  return done, total, per_day, in_window
end

---Every knowledge entry of the tree, newest first, and their counts by
---type and impact.
local function shared_knowledge(ctx, warn)
  local all, counts = {}, {}
  for _, kind in ipairs(tree.KNOWLEDGE) do
    counts[kind.type] = {}
    local path = knowledge.path(ctx.root, kind)
    if fs.exists(path) then
      local text, err = fs.read(path)
      if not text then
        warn(err)
      else
        for n, e in ipairs(knowledge.entries(text, kind)) do
          e.order = n
          all[#all + 1] = e
          local impact = e.impact or "—"
          counts[kind.type][impact] = (counts[kind.type][impact] or 0) + 1
        end
      end
    end
  end
  -- newest date first; a file lists its newest first, so ties keep file order
  table.sort(all, function(a, b)
    if a.date ~= b.date then return a.date > b.date end
    if a.type ~= b.type then return a.type < b.type end
    return a.order < b.order
  end)
  return all, counts
end

---Logs archived on or after `since` (`YYYY-MM-DD`), newest first.
local function archived_since(ctx, since, opts, warn)
  local out = {}
  local dir = tree.paths(ctx.root).archive
  for _, f in ipairs(tree.log_files(ctx, dir, warn, true)) do
    if f.archive_date and f.archive_date >= since then
      local s = summary.load(f.path, f.id, opts)
      out[#out + 1] = { id = f.id, path = f.path, archive_date = f.archive_date,
        role = s and s.role, goal = s and s.goal, status = s and (s.log_status or s.status),
        progress = s and s.progress }
    end
  end
  table.sort(out, function(a, b)
    if a.archive_date ~= b.archive_date then return a.archive_date > b.archive_date end
    return tree.natural_less(a.id, b.id)
  end)
  return out
end

---The newest unread messages of the sessions with the most unread.
local function unread_mail(ctx, rows)
  local with = {}
  for _, s in ipairs(rows) do
    if s.unread_messages > 0 then with[#with + 1] = s end
  end
  table.sort(with, function(a, b)
    if a.unread_messages ~= b.unread_messages then return a.unread_messages > b.unread_messages end
    return tree.natural_less(a.id, b.id)
  end)
  local out = {}
  for i = 1, math.min(#with, M.MAILBOXES) do
    local s = with[i]
    local list = messages.inbox(ctx, s.id)
    local shown = {}
    for k = 1, math.min(#list, M.MESSAGES_EACH) do shown[k] = list[k] end
    out[i] = { id = s.id, unread = s.unread_messages, messages = shown }
  end
  return out, #with
end

---All the dashboard shows. `opts`: `now`, `stale_hours`, `sort` (as
---team.rows), `warn` (a function of one message, for unreadable files).
---@param ctx table the context
---@param opts? {now: integer|nil, stale_hours: number|nil, sort: string|nil, warn: fun(msg: string)|nil}
---@return table data
function M.collect(ctx, opts)
  opts = opts or {}
  local now = opts.now or os.time()
  local warn = opts.warn or function() end
  local rows, totals = team.rows(ctx, { sort = opts.sort, now = now,
    stale_hours = opts.stale_hours, warn = warn })
  local days = days_back(now, M.DAYS)
  local unread, done, total, completed = 0, 0, 0, 0
  for _, s in ipairs(rows) do
    s.phase_done, s.phase_total, s.completed_by_day, s.completed_recent = log_extras(s, days)
    unread = unread + s.unread_messages
    done, total = done + s.phase_done, total + s.phase_total
    completed = completed + s.completed_recent
  end
  totals.unread_messages, totals.phase_done, totals.phase_total = unread, done, total
  totals.completed_recent = completed
  local entries, counts = shared_knowledge(ctx, warn)
  local mail, mailboxes = unread_mail(ctx, rows)
  local since = days_back(now, M.ARCHIVE_DAYS)[1]
  return { root = ctx.root, now = now, generated = clock.now(now), rows = rows,
    totals = totals, days = days, knowledge = entries, knowledge_counts = counts,
    mail = mail, mailboxes = mailboxes, archived_since = since,
    archived = archived_since(ctx, since, { now = now, stale_hours = opts.stale_hours }, warn) }
end

local function null(v) if v == nil then return json.null end return v end

---The `dashboard.lua --json` document.
---@param data table from M.collect
---@return table
function M.json(data)
  local sessions = {}
  for i, s in ipairs(data.rows) do
    local j = summary.json(s, "status")
    j.goal = null(s.goal)
    j.phase_done, j.phase_total = s.phase_done, s.phase_total
    j.completed_by_day = s.completed_by_day
    sessions[i] = j
  end
  local t = data.totals
  local learnings = {}
  for i = 1, math.min(#data.knowledge, M.LEARNINGS) do
    local e = data.knowledge[i]
    learnings[i] = { type = e.type, date = e.date, session = e.session, category = e.category,
      impact = null(e.impact), text = null(e.text or e.title or e.heading) }
  end
  local counts = json.object()
  for kind, c in pairs(data.knowledge_counts) do counts[kind] = json.object(c) end
  local archived = {}
  for i, a in ipairs(data.archived) do
    archived[i] = { id = a.id, path = a.path, archive_date = a.archive_date, role = null(a.role),
      goal = null(a.goal), status = null(a.status), progress = null(a.progress) }
  end
  return { schema = 1, kind = "dashboard", root = data.root, generated = data.generated,
    days = data.days, sessions = sessions,
    totals = { sessions = t.sessions, stale = t.stale, blockers = t.blockers,
      average_progress = null(t.average_progress), unread_messages = t.unread_messages,
      phase_done = t.phase_done, phase_total = t.phase_total,
      completed_recent = t.completed_recent },
    learnings = learnings, knowledge_counts = counts, archived_since = data.archived_since,
    archived = archived }
end

---A text that changes whenever a file the dashboard reads changes: the
---name, size and modification time of every file under `sessions/`,
---`shared-knowledge/` and `messages/` (three levels deep).
---@param ctx table the context
---@return string
function M.signature(ctx)
  local p = tree.paths(ctx.root)
  local out = {}
  local function walk(dir, depth)
    local names, types = fs.list(dir, nil, true)
    if not names then return end
    for _, name in ipairs(names) do
      local path = dir .. "/" .. name
      if types[name] == "dir" then
        if depth > 0 then walk(path, depth - 1) end
      else
        local st = fs.stat(path)
        if st then out[#out + 1] = ("%s\0%d\0%.6f"):format(path, st.size, st.mtime) end
      end
    end
  end
  walk(p.sessions, 2)
  walk(p.knowledge, 0)
  walk(p.messages, 2)
  return table.concat(out, "\n")
end

---Series the chart colours one by one; the rest are summed as "others".
M.CHART_SERIES = 7

local esc, text = html.escape, html.text

local function or_dash(v) return esc(v or "—") end

---At most `n` characters of `s` (a long knowledge entry stays readable).
local function short(s, n)
  if not s then return nil end
  local ok, len = pcall(utf8.len, s)
  if not ok or not len or len <= n then return s end
  return s:sub(1, utf8.offset(s, n + 1) - 1) .. "…"
end

local function totals_section(data)
  local t = data.totals
  local function item(label, value)
    return "<div><dt>" .. esc(label) .. "</dt><dd>" .. value .. "</dd></div>"
  end
  local avg = t.average_progress
  return '<dl class="totals">' .. table.concat({
    item("Active sessions", t.sessions),
    item("Stale", t.stale > 0 and ('<span class="stale">' .. t.stale .. "</span>") or "0"),
    item("Open blockers", t.blockers > 0 and ('<span class="blocked">' .. t.blockers .. "</span>") or "0"),
    item("Average progress", html.progress(avg, "Average progress") .. " " .. (avg and (avg .. "%") or "—")),
    item("Phase tasks done", t.phase_done .. " / " .. t.phase_total),
    item(("Completed, %d days"):format(M.DAYS), t.completed_recent),
    item("Unread messages", t.unread_messages),
  }) .. "</dl>"
end

local function session_row(s)
  local blockers = #s.blockers
  local block_cell = "0"
  if blockers > 0 then
    local li = {}
    for i, b in ipairs(s.blockers) do li[i] = text("li", nil, b) end
    block_cell = '<span class="badge blocked">' .. blockers .. " blocked</span>"
      .. '<ul class="blockers">' .. table.concat(li) .. "</ul>"
  end
  local age = esc(summary.age_text(s))
  if s.stale then age = age .. ' <span class="badge stale">stale</span>' end
  local p = s.progress
  local row = {
    esc(s.id), or_dash(s.role), or_dash(s.goal), or_dash(s.working_on),
    or_dash(summary.shown_status(s)),
    html.progress(p, "Progress of " .. s.id) .. " " .. (p and (math.floor(p + 0.5) .. "%") or "—"),
    s.phase_total > 0 and (s.phase_done .. " / " .. s.phase_total) or "—",
    block_cell, age, tostring(s.unread_messages),
  }
  local class = {}
  if blockers > 0 then class[#class + 1] = "blocked" end
  if s.stale then class[#class + 1] = "stale-row" end
  row.class = #class > 0 and table.concat(class, " ") or nil
  return row
end

local function sessions_section(data)
  local out = { text("h2", { id = "sessions" }, "Active sessions") }
  if #data.rows == 0 then
    out[#out + 1] = text("p", { class = "muted" }, "No active sessions under "
      .. tree.paths(data.root).active .. ".")
    return table.concat(out, "\n")
  end
  local rows = {}
  for i, s in ipairs(data.rows) do rows[i] = session_row(s) end
  out[#out + 1] = html.table({ "Session", "Role", "Goal", "Working on", "Status", "Progress",
    "Phase tasks", "Blockers", "Updated", "Unread" }, rows,
    { class = "sessions", row_headers = true,
      caption = ("%d active sessions, sorted as status sorts them"):format(#rows) })
  return table.concat(out, "\n")
end

local function chart_series(data)
  local with = {}
  for _, s in ipairs(data.rows) do
    if s.completed_recent > 0 then with[#with + 1] = s end
  end
  table.sort(with, function(a, b)
    if a.completed_recent ~= b.completed_recent then return a.completed_recent > b.completed_recent end
    return tree.natural_less(a.id, b.id)
  end)
  local series = {}
  for i = 1, math.min(#with, M.CHART_SERIES) do
    series[i] = { name = with[i].id, values = with[i].completed_by_day }
  end
  if #with > M.CHART_SERIES then
    local rest = {}
    for d = 1, #data.days do rest[d] = 0 end
    for i = M.CHART_SERIES + 1, #with do
      for d, v in ipairs(with[i].completed_by_day) do rest[d] = rest[d] + v end
    end
    series[#series + 1] = { name = ("%d other sessions"):format(#with - M.CHART_SERIES), values = rest }
  end
  return series, with
end

local function chart_section(data)
  local title = ("Tasks completed per day, last %d days"):format(M.DAYS)
  local out = { text("h2", { id = "completed" }, title) }
  local labels = {}
  for i, d in ipairs(data.days) do labels[i] = d:sub(6) end
  local series, with = chart_series(data)
  out[#out + 1] = html.bar_chart(labels, series, title)
  if #with == 0 then
    out[#out + 1] = text("p", { class = "muted" }, "No task completed in these days.")
    return table.concat(out, "\n")
  end
  local rows = {}
  for i, s in ipairs(with) do
    local r = { esc(s.id) }
    for d, v in ipairs(s.completed_by_day) do r[d + 1] = tostring(v) end
    r[#r + 1] = tostring(s.completed_recent)
    rows[i] = r
  end
  local head = { "Session" }
  for i, l in ipairs(labels) do head[i + 1] = l end
  head[#head + 1] = "Total"
  out[#out + 1] = "<details><summary>The numbers</summary>" .. html.table(head, rows,
    { class = "numbers", row_headers = true, caption = "Tasks completed per session and day" })
    .. "</details>"
  return table.concat(out, "\n")
end

local function knowledge_section(data)
  local out = { text("h2", { id = "knowledge" }, "Shared knowledge") }
  local levels = knowledge.impacts()
  local known = {}
  for _, l in ipairs(levels) do known[l] = true end
  local head, rows, other = { "Type" }, {}, false
  for _, l in ipairs(levels) do head[#head + 1] = l end
  for _, kind in ipairs(tree.KNOWLEDGE) do
    local c, r, sum = data.knowledge_counts[kind.type] or {}, { esc(kind.title) }, 0
    for _, l in ipairs(levels) do r[#r + 1] = tostring(c[l] or 0); sum = sum + (c[l] or 0) end
    local rest = 0
    for impact, n in pairs(c) do if not known[impact] then rest = rest + n end end
    if rest > 0 then other = true end
    r.rest, r.sum = rest, sum + rest
    rows[#rows + 1] = r
  end
  if other then head[#head + 1] = "Other" end
  head[#head + 1] = "Total"
  for _, r in ipairs(rows) do
    if other then r[#r + 1] = tostring(r.rest) end
    r[#r + 1] = tostring(r.sum)
  end
  out[#out + 1] = html.table(head, rows, { class = "counts", row_headers = true,
    caption = "Entries by type and impact" })
  if #data.knowledge == 0 then
    out[#out + 1] = text("p", { class = "muted" }, "Nothing shared yet.")
    return table.concat(out, "\n")
  end
  local last = {}
  for i = 1, math.min(#data.knowledge, M.LEARNINGS) do
    local e = data.knowledge[i]
    last[i] = { or_dash(e.date ~= "" and e.date or nil), esc(e.type), or_dash(e.impact),
      or_dash(e.session ~= "" and e.session or nil), or_dash(e.category ~= "" and e.category or nil),
      or_dash(short(e.text or e.title or e.heading, 400)) }
  end
  out[#out + 1] = html.table({ "Date", "Type", "Impact", "Shared by", "Category", "Text" }, last,
    { class = "learnings", caption = "Last shared" })
  return table.concat(out, "\n")
end

local function mail_section(data)
  local out = { text("h2", { id = "messages" }, "Unread messages") }
  if #data.mail == 0 then
    out[#out + 1] = text("p", { class = "muted" }, "No unread messages.")
    return table.concat(out, "\n")
  end
  local rows = {}
  for i, m in ipairs(data.mail) do
    local li = {}
    for k, x in ipairs(m.messages) do
      li[k] = "<li>" .. text("span", { class = "muted" }, (x.priority or "normal") .. " · "
        .. tostring(x.from or "?") .. ": ") .. esc(tostring(x.subject or "")) .. "</li>"
    end
    rows[i] = { esc(m.id), tostring(m.unread), "<ul>" .. table.concat(li) .. "</ul>" }
  end
  out[#out + 1] = html.table({ "Session", "Unread", "Newest" }, rows,
    { class = "mail", row_headers = true, caption = "Sessions with unread messages, most first" })
  if data.mailboxes > #data.mail then
    out[#out + 1] = text("p", { class = "muted" },
      ("and %d more sessions with unread messages"):format(data.mailboxes - #data.mail))
  end
  return table.concat(out, "\n")
end

local function archive_section(data)
  local out = { text("h2", { id = "archived" }, ("Archived in the last %d days"):format(M.ARCHIVE_DAYS)) }
  if #data.archived == 0 then
    out[#out + 1] = text("p", { class = "muted" }, "No session archived since " .. data.archived_since .. ".")
    return table.concat(out, "\n")
  end
  local rows = {}
  for i, a in ipairs(data.archived) do
    rows[i] = { esc(a.id), esc(a.archive_date), or_dash(a.role), or_dash(a.goal), or_dash(a.status),
      a.progress and (math.floor(a.progress + 0.5) .. "%") or "—" }
  end
  out[#out + 1] = html.table({ "Session", "Archived", "Role", "Goal", "Status", "Progress" }, rows,
    { class = "archived", row_headers = true })
  return table.concat(out, "\n")
end

---The whole page. `opts.refresh`: seconds for a `<meta http-equiv="refresh">`.
---@param data table from M.collect
---@param opts? {refresh: integer|nil}
---@return string
function M.render(data, opts)
  opts = opts or {}
  local body = table.concat({
    "<header>", text("h1", nil, "Team dashboard"),
    '<p class="meta">Generated ' .. html.text("time", { datetime = os.date("!%Y-%m-%dT%H:%M:%SZ", data.now) },
      data.generated) .. " from " .. text("code", nil, data.root) .. "</p>",
    totals_section(data), "</header>", "<main>",
    sessions_section(data), chart_section(data), knowledge_section(data),
    mail_section(data), archive_section(data), "</main>",
  }, "\n")
  return html.page({ title = "Team dashboard", body = body, refresh = opts.refresh })
end

return M
