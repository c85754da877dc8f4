--- The team dashboard: every active session at a glance.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local tree = require("sesslua.tree")
local summary = require("sesslua.summary")
local json = require("sesslua.json")
local messages = require("sesslua.messages")
local tab = require("sesslua.table")

local parser = cli.parser("status.lua", "Show every active session: work, progress, age, blockers.")
parser:option("--stale-hours", "Mark logs not updated for this many hours (default 24, or stale_hours in the config)."):convert(tonumber)
parser:option("--sort", "Order rows by progress, updated or id (default id).")
  :choices({ "progress", "updated", "id" }):default("id")
parser:flag("--json", "Print the dashboard as JSON.")
local args = cli.parse(parser)
cli.check(tree.require_root(ctx))
if args.stale_hours and args.stale_hours < 0 then
  cli.usage_error("status.lua: --stale-hours must be a number of hours >= 0")
end

local active = tree.paths(ctx.root).active
local opts = { now = os.time(),
  stale_hours = args.stale_hours or require("sesslua.config").get(ctx).values.stale_hours }
local rows = {}
local unread = messages.unread_counter(ctx)
for _, f in ipairs(tree.log_files(ctx, active, cli.warn)) do
  local s = summary.load(f.path, f.id, opts)
  if s then
    s.unread = unread(s.id)
    rows[#rows + 1] = s
  else
    cli.warn(f.path .. ": unreadable, skipped")
  end
end

local sorters = {
  id = function(a, b) return a.id < b.id end,
  progress = function(a, b)
    local pa, pb = a.progress or -1, b.progress or -1
    if pa ~= pb then return pa > pb end
    return a.id < b.id
  end,
  updated = function(a, b)
    local xa, xb = a.age_seconds or math.huge, b.age_seconds or math.huge
    if xa ~= xb then return xa < xb end
    return a.id < b.id
  end,
}
table.sort(rows, sorters[args.sort])

local stale, blockers, progress_sum, progress_n = 0, 0, 0, 0
for _, s in ipairs(rows) do
  if s.stale then stale = stale + 1 end
  blockers = blockers + #s.blockers
  if s.progress then progress_sum, progress_n = progress_sum + s.progress, progress_n + 1 end
end
local average = progress_n > 0 and math.floor(progress_sum / progress_n + 0.5) or nil

if args.json then
  local sessions = {}
  for i, s in ipairs(rows) do
    sessions[i] = {
      id = s.id, path = s.path, role = s.role or json.null, status = s.status or json.null, log_status = s.log_status or json.null,
      working_on = s.working_on or json.null, progress = s.progress or json.null,
      last_updated = s.last_updated or json.null, age_seconds = s.age_seconds or json.null,
      age_source = s.age_source or json.null, stale = s.stale, blockers = s.blockers,
      open_tasks = s.open_tasks, unread_messages = s.unread,
    }
  end
  cli.print_json({ schema = 1, kind = "status", root = ctx.root, sessions = sessions,
    totals = { sessions = #rows, stale = stale, blockers = blockers,
               average_progress = average or json.null } })
  return 0
end

if #rows == 0 then
  io.write("No active sessions under ", active, ".\nStart one: sesslua create.lua ID ROLE GOAL\n")
  return 0
end

local function bar(p)
  if not p then return "—" end
  local filled = math.floor(p / 10 + 0.5)
  return ("%s%s %3d%%"):format(("█"):rep(filled), ("░"):rep(10 - filled), math.floor(p))
end

local header = { "ID", "ROLE", "STATUS", "PROGRESS", "UPDATED", "BLOCK", "TODO", "MAIL", "WORKING ON" }

---The rows; `narrow` trades the progress bar for a number and cuts roles.
local function build(narrow)
  local cells = {}
  for _, s in ipairs(rows) do
    cells[#cells + 1] = { s.id, tab.cut(s.role or "—", narrow and 12 or 24), s.status or "—",
      narrow and (s.progress and (math.floor(s.progress) .. "%") or "—") or bar(s.progress),
      summary.age_text(s) .. (s.stale and " STALE" or ""), tostring(#s.blockers),
      tostring(s.open_tasks), tostring(s.unread), s.working_on or "—" }
  end
  local used = 0 -- columns before Working On, with their separators
  for i = 1, #header - 1 do
    local w = tab.width(header[i])
    for _, r in ipairs(cells) do w = math.max(w, tab.width(r[i])) end
    used = used + w + 2
  end
  return cells, used
end

local cells, used = build(false)
if sys.isatty(1) then -- a terminal gets rows that fit; a pipe gets whole lines
  local width = sys.term_width()
  if used + 12 > width then cells, used = build(true) end
  local room = math.max(12, width - used)
  for _, r in ipairs(cells) do r[#r] = tab.cut(r[#r], room) end
end
tab.print(header, cells)
local line = ("%d active · %d stale · %d open blocker%s · average progress %s"):format(
  #rows, stale, blockers, blockers == 1 and "" or "s", average and (average .. "%") or "—")
io.write(stale > 0 and cli.paint("yellow", line) or line, "\n")
return 0
