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
local search = require("sesslua.search")
local rowcache = require("sesslua.rowcache")

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

-- Line starts after which reading Completed Today line by line could
-- disagree with the Markdown index: indented or nested lines, code, quotes,
-- rules and setext underlines, markers with a tab or alone, ordered lists.
local UNSURE = { " ", "\t", "`", "~", ">", "--", "__", "=", "- -", "* *", "-\t", "*\t", "+\t" }
local ITEM = { "- ", "* ", "+ " }
local UNSURE2 = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                  "-\n", "-\r", "*\n", "*\r", "+\n", "+\r" }

local function any_positive(...)
  for i = 1, select("#", ...) do
    if select(i, ...) > 0 then return true end
  end
  return false
end

---Whether every line of `t` that starts with "<" is a one-line comment.
local function only_comments(t)
  local init = 1
  while true do
    local p = t:find("\n<", init, true)
    if not p then return true end
    local e = t:find("\n", p + 1, true) or #t + 1
    if not t:sub(p + 1, e - 1):find("^<!%-%-.-%-%->%s*$") then return false end
    init = e
  end
end

-- The literal words each template sample (placeholders.PATTERNS) must
-- contain: a section holding none of them holds no sample item.
local fragments, fragments_of = nil, -1

---The longest run of literal characters of a Lua pattern: the words any
---text it matches must contain ("^Completed task %d+$" gives
---"Completed task ").
local function literal_of(p)
  local best, run, i = "", {}, p:sub(1, 1) == "^" and 2 or 1
  local function close()
    local r = table.concat(run)
    if #r > #best then best = r end
    run = {}
  end
  while i <= #p do
    local c, lit, len = p:sub(i, i), nil, 1
    if c == "%" then
      local n = p:sub(i + 1, i + 1)
      len = n == "b" and 4 or 2
      if not n:find("^[%w]$") then lit = n end
    elseif c == "[" then -- a set: skip to its end
      local j = i + 1
      if p:sub(j, j) == "^" then j = j + 1 end
      if p:sub(j, j) == "]" then j = j + 1 end
      while j <= #p and p:sub(j, j) ~= "]" do j = j + (p:sub(j, j) == "%" and 2 or 1) end
      len = j - i + 1
    elseif not c:find("[%.%(%)%$]") then
      lit = c
    end
    local q = p:sub(i + len, i + len)
    local quantified = q ~= "" and q:find("^[%*%+%-%?]$") ~= nil
    if lit and (not quantified or q == "+") then run[#run + 1] = lit end
    if not lit or quantified then close() end
    i = i + len + (quantified and 1 or 0)
  end
  close()
  return best
end

---The fragments, or nil when a sample has none long enough to look for.
local function sample_fragments()
  if fragments_of ~= #placeholders.PATTERNS then
    fragments, fragments_of = {}, #placeholders.PATTERNS
    for _, p in ipairs(placeholders.PATTERNS) do
      local f = literal_of(p):match("^%s*(.-)%s*$") -- spaces are everywhere: no help
      if #f < 3 then fragments = nil; break end
      fragments[#fragments + 1] = f
    end
  end
  return fragments
end

local function may_hold_sample(t)
  local list = sample_fragments()
  if not list then return true end
  for _, f in ipairs(list) do
    if t:find(f, 1, true) then return true end
  end
  return false
end

local function add(by_date, date, n)
  if n > 0 then by_date[date] = (by_date[date] or 0) + n end
end

---Count the item lines of every group, in C: each "**" line is a date
---(quick_completed made sure), its group runs to the next one.
local function count_groups(t, by_date)
  local p = t:find("\n**", 1, true)
  while p do
    local a = t:find("\n", p + 1, true) or #t + 1
    local b = t:find("\n**", a, true)
    if not t:sub(p + 16, a - 1):find("%S") then -- a field with a value is no group
      local n1, n2, n3 = search.line_starts(t:sub(a, b or #t), ITEM)
      add(by_date, t:sub(p + 3, p + 12), n1 + n2 + n3)
    end
    p = b
  end
  return by_date
end

---Completed Today's tasks per day without the Markdown index: only when
---the C scans (search.line_starts) find nothing that could make lines and
---Markdown disagree, so that the section is `- ` items under
---`**YYYY-MM-DD:**` lines. Items are counted in C unless a template sample
---could be among them; then line by line. This skips building the
---section's fields and items, most of the page's time on a thousand logs.
---False when unsure.
local function quick_completed(t)
  t = "\n" .. t
  if any_positive(search.line_starts(t, UNSURE)) or any_positive(search.line_starts(t, UNSURE2))
      or not only_comments(t)
      or search.line_starts(t, { "**" }) ~= search.count_lines(t, "**", "9999-99-99:**") then
    return false
  end
  local by_date = {}
  if not may_hold_sample(t) then return count_groups(t, by_date) end
  local day, pos = nil, 2
  while pos <= #t do
    local e = t:find("\n", pos, true) or #t + 1
    local c, c2 = t:byte(pos, pos + 1)
    if c == 42 and c2 == 42 then -- **YYYY-MM-DD:** with nothing after it starts a group
      day = t:sub(pos + 2, pos + 11)
      if t:sub(pos + 15, e - 1):find("%S") then day = nil end
    elseif day and (c == 45 or c == 42 or c == 43) and c2 == 32 then
      local from = t:find("^%[[ xX]%] ", pos + 2) and pos + 6 or pos + 2
      if not placeholders.is_placeholder(t:sub(from, e - 1)) then add(by_date, day, 1) end
    end
    pos = e + 1
  end
  return by_date
end

---Completed Today's tasks per day from the index: every `**DATE:**` group
---of the chart's days, then one pass over the section's items.
local function indexed_completed(doc, sec, stop)
  local groups, by_date = {}, {}
  for _, f in ipairs(doc.md:fields(sec.heading_end, stop)) do
    local date = not f.bullet and f.value == "" and f.key:match("^%d%d%d%d%-%d%d%-%d%d$")
    if date then groups[#groups + 1] = { f.line_end, math.min(f.block_end, stop), date } end
  end
  if #groups == 0 then return by_date end
  local g = 1
  for _, it in ipairs(doc.md:items(groups[1][1], groups[#groups][2])) do
    while groups[g] and it.start >= groups[g][2] do g = g + 1 end
    if not groups[g] then break end
    if it.start >= groups[g][1] and not placeholders.is_placeholder(it.text) then
      add(by_date, groups[g][3], 1)
    end
  end
  return by_date
end

---Tasks completed per date in a log's Completed Today: the items under
---its `**YYYY-MM-DD:**` groups, template samples left out, as a table
---from date to count (dates without any are absent). Read line by line
---when that is sure to agree with the Markdown index, else (or with
---`by_index`) from the index; `how` says which (`"lines"` or `"index"`).
---@param doc table a log Doc
---@param by_index? boolean
---@return table<string, integer> by_date
---@return string how
function M.completed(doc, by_index)
  local sec = doc:section("Completed Today")
  if not sec then return {}, "index" end
  local stop = doc:content_end(sec)
  local by_date = not by_index and quick_completed(doc.text:sub(sec.heading_end, stop - 1))
  if by_date then return by_date, "lines" end
  return indexed_completed(doc, sec, stop), "index"
end

---What a log adds to its row: phase tasks done and in all, and tasks
---completed per date (M.completed), from the log or, when it has not
---changed, from the cache.
local function log_extras(row, cache, names)
  local name = row.path:match("[^/]*$")
  local st = cache and fs.stat(row.path)
  if st and st.type ~= "file" then st = nil end
  local e = st and cache:get(name, st)
  if e and type(e.completed) == "table" then
    names[name] = true
    return e
  end
  local doc = log.open(row.path)
  if not doc then return { phase_done = 0, phase_total = 0, completed = {} } end
  e = { phase_done = 0, phase_total = 0, completed = M.completed(doc) }
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.done ~= nil and not it.placeholder then
      e.phase_total = e.phase_total + 1
      if it.done then e.phase_done = e.phase_done + 1 end
    end
  end
  if st then
    cache:put(name, st, e, os.time())
    names[name] = true
  end
  return e
end

---The extras' cache: sesslua.rowcache's, in a file and under a key of its
---own (the rows cache is per root: this one is per root and dashboard).
local function extras_cache(ctx)
  return rowcache.open({ root = ctx.root .. "#dashboard" }, { "dashboard extras 1" })
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
---team.rows), `warn` (a function of one message, for unreadable files),
---`cache` (false: read every log, as team.rows).
---@param ctx table the context
---@param opts? {now: integer|nil, stale_hours: number|nil, sort: string|nil, warn: fun(msg: string)|nil, cache: boolean|nil}
---@return table data
function M.collect(ctx, opts)
  opts = opts or {}
  local now = opts.now or os.time()
  local warn = opts.warn or function() end
  local rows, totals = team.rows(ctx, { sort = opts.sort, now = now,
    stale_hours = opts.stale_hours, warn = warn, cache = opts.cache })
  local days = days_back(now, M.DAYS)
  local unread, done, total, completed = 0, 0, 0, 0
  local cache, names = opts.cache ~= false and extras_cache(ctx), {}
  for _, s in ipairs(rows) do
    local e = log_extras(s, cache, names)
    s.phase_done, s.phase_total, s.completed_by_day, s.completed_recent = e.phase_done, e.phase_total, {}, 0
    for i, d in ipairs(days) do
      local n = math.tointeger(e.completed[d]) or 0 -- JSON numbers may come back as floats
      s.completed_by_day[i], s.completed_recent = n, s.completed_recent + n
    end
    unread = unread + s.unread_messages
    done, total = done + s.phase_done, total + s.phase_total
    completed = completed + s.completed_recent
  end
  if cache then cache:save(names) end
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
  -- the chart's numbers, series by series (every session's are in --json)
  local rows = {}
  for i, s in ipairs(series) do
    local r, sum = { esc(s.name) }, 0
    for d, v in ipairs(s.values) do r[d + 1], sum = tostring(v), sum + v end
    r[#r + 1] = tostring(sum)
    rows[i] = r
  end
  local head = { "Session" }
  for i, l in ipairs(labels) do head[i + 1] = l end
  head[#head + 1] = "Total"
  out[#out + 1] = "<details><summary>The numbers</summary>" .. html.table(head, rows,
    { class = "numbers", row_headers = true, caption = "Tasks completed per day, as the chart shows them" })
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
