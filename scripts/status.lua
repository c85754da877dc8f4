--- The team dashboard: every active session at a glance.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local sys = require("sesslua.sys")
local tree = require("sesslua.tree")
local summary = require("sesslua.summary")
local team = require("sesslua.team")
local tab = require("sesslua.table")

local parser = cli.parser("status.lua", "Show every active session: work, progress, age, blockers.")
parser:option("--stale-hours", "Mark logs not updated for this many hours (default 24, or stale_hours in the config)."):convert(tonumber)
parser:option("--sort", "Order rows by progress, updated or id (default id).")
  :choices(team.SORTS):default("id")
parser:flag("--json", "Print the dashboard as JSON.")
local args = cli.parse(parser)
cli.check(tree.require_root(ctx))
if args.stale_hours and args.stale_hours < 0 then
  cli.usage_error("status.lua: --stale-hours must be a number of hours >= 0")
end

local active = tree.paths(ctx.root).active
local config = require("sesslua.config").get(ctx).values
-- the team's columns (status_columns): each shows one field of the log
local extra = config.status_columns or {}
local field_names = {}
for i, c in ipairs(extra) do field_names[i] = c.field end
local rows, totals, lerr, lcode = team.rows(ctx, { sort = args.sort, fields = field_names,
  stale_hours = args.stale_hours or config.stale_hours, warn = cli.warn })
if lerr then cli.fail(cli.exit_for(lcode), lerr, nil, lcode) end
local stale, blockers, average = totals.stale, totals.blockers, totals.average_progress

if args.json then
  cli.print_json(team.json(ctx, rows, totals))
  return 0
end

if #rows == 0 then
  io.write("No active sessions under ", active, ".\nStart one: sesslua create.lua ID ROLE GOAL\n")
  return 0
end

-- A bar is 10 blocks, a space and "%3d%%": 15 columns for every 0-100.
local BAR_WIDTH = 15
local SYM = cli.symbols() -- ASCII stand-ins when the locale is not UTF-8
local NONE = SYM.none
local bars = {} -- by whole percent: a thousand rows hold a hundred bars at most
local function bar(p)
  if not p then return NONE end
  local b = bars[p]
  if not b then
    local filled = math.floor(p / 10 + 0.5)
    b = ("%s%s %3d%%"):format(SYM.full:rep(filled), SYM.empty:rep(10 - filled), math.floor(p))
    bars[p] = b
  end
  return b
end

---The width of a cell of digits.
local function digits(_, _, v) return #v end

-- Counts as text, small ones made once: three of the columns are counts.
local counts = {}
for n = 0, 99 do counts[n] = tostring(n) end
local function count(n) return counts[n] or tostring(n) end

local function age(s, short)
  return summary.age_text(s, short) .. (s.stale and " STALE" or "")
end

-- The columns; `drop` ranks those a narrow terminal loses first. Cells are
-- made printable here, so the widths measured are the widths printed. A
-- column whose cells sesslua makes itself (counts, the progress bar) gives
-- their `width` instead: they need no escaping, and measuring a thousand
-- bars character by character is most of the table's cost.
local COLUMNS = {
  { head = "ID", cell = function(s, L) return tab.cut(s.id, L.id) end },
  { head = "ROLE", drop = 3, cell = function(s, L) return tab.cut(s.role or NONE, L.role) end },
  { head = "STATUS", drop = 5, cell = function(s, L)
      return tab.cut(summary.shown_status(s) or NONE, L.status)
    end },
  { head = "PROGRESS", short = "PROG", cell = function(s, L)
      if not L.narrow then return bar(s.progress) end
      return s.progress and (math.floor(s.progress) .. "%") or NONE
    end, width = function(s, L, v)
      if not s.progress then return 1 end -- "—"
      return L.narrow and #v or BAR_WIDTH
    end },
  { head = "UPDATED", cell = function(s, L) return age(s, L.narrow) end },
  { head = "BLOCK", short = "BLK", drop = 4, width = digits, cell = function(s) return count(#s.blockers) end },
  { head = "TODO", drop = 2, width = digits, cell = function(s) return count(s.open_tasks) end },
  { head = "MAIL", drop = 1, width = digits, cell = function(s) return count(s.unread_messages) end },
}
-- The team's columns (status_columns) come before Working On.
for _, c in ipairs(extra) do
  COLUMNS[#COLUMNS + 1] = { head = c.head, drop = c.drop, team = true,
    cell = function(s, L) return tab.cut(s.fields[c.field] or NONE, L.field) end }
end
COLUMNS[#COLUMNS + 1] = { head = "WORKING ON", cell = function(s) return s.working_on or NONE end }
-- The order a narrow terminal drops columns in: the team's first (lowest
-- `drop` first, those without one after them in config order), then the
-- built-in ones by rank.
local DROP_ORDER = {}
for i, col in ipairs(COLUMNS) do
  if col.drop or col.team then DROP_ORDER[#DROP_ORDER + 1] = i end
end
table.sort(DROP_ORDER, function(a, b)
  local ca, cb = COLUMNS[a], COLUMNS[b]
  if (ca.team or false) ~= (cb.team or false) then return ca.team == true end
  local ra, rb = ca.drop or math.huge, cb.drop or math.huge
  if ra ~= rb then return ra < rb end
  return a < b
end)
local WORK = #COLUMNS
local MIN_WORK = 12 -- Working On gets at least this much before columns go

-- Layouts from the widest to the tightest: a wide one with the progress
-- bar, a narrow one (numbers, cut roles, short headers), the same with
-- one-space gaps, then that with columns dropped one by one.
local LAYOUTS = {
  { narrow = false, id = math.huge, role = 24, status = math.huge, field = 24, sep = "  " },
  { narrow = true, id = 24, role = 12, status = 12, field = 12, sep = "  " },
  { narrow = true, id = 20, role = 10, status = 10, field = 10, sep = " " },
}

-- Cell strings and widest cell per column and layout, made once each
-- (the C functions called directly: a thousand rows make nine thousand cells).
local printable, width_of = cli.printable, sys.width
local made = {}
local function column(i, L)
  local key = i .. (L.narrow and "n" or "w") .. L.id .. "/" .. L.role .. "/" .. L.status
  local c = made[key]
  if not c then
    local col = COLUMNS[i]
    c = { cells = {}, widths = {}, head = L.narrow and col.short or col.head }
    local w = tab.width(c.head)
    local cells, widths = c.cells, c.widths
    if col.width then
      for r, s in ipairs(rows) do
        local v = col.cell(s, L)
        local cw = col.width(s, L, v)
        cells[r], widths[r] = v, cw
        if cw > w then w = cw end
      end
    else
      for r, s in ipairs(rows) do
        local v = printable(col.cell(s, L))
        cells[r] = v
        if i ~= WORK then
          local cw = width_of(v)
          widths[r] = cw
          if cw > w then w = cw end
        end
      end
    end
    c.width = w
    made[key] = c
  end
  return c
end

---Columns before Working On with their gaps, in a layout without `dropped`.
local function used(L, dropped)
  local n = 0
  for i = 1, WORK - 1 do
    if not dropped[i] then n = n + column(i, L).width + #L.sep end
  end
  return n
end

---The layout that fits `width`: the first whose Working On gets MIN_WORK
---(or all it needs), dropping columns by rank from the tightest.
local function fit(width)
  local need = 0
  for _, s in ipairs(rows) do
    need = math.max(need, tab.width(cli.printable(s.working_on or NONE)))
  end
  need = math.min(MIN_WORK, need)
  for _, L in ipairs(LAYOUTS) do
    if used(L, {}) + need <= width then return L, {} end
  end
  local L, dropped = LAYOUTS[#LAYOUTS], {}
  for _, i in ipairs(DROP_ORDER) do
    dropped[i] = true
    if used(L, dropped) + need <= width then break end
  end
  return L, dropped
end

local L, dropped = LAYOUTS[1], {}
local width
if sys.isatty(1) then -- a terminal gets rows that fit; a pipe gets whole lines
  width = sys.term_width()
  L, dropped = fit(width)
end
local header, columns = {}, {}
for i = 1, WORK do
  if not dropped[i] then
    local c = column(i, L)
    header[#header + 1] = c.head
    columns[#columns + 1] = c
  end
end
if width then
  -- Working On takes the room left; every line is cut to the width too,
  -- whatever is left over (a terminal narrower than the ID)
  local room = width - used(L, dropped)
  local cut = {}
  for r, v in ipairs(columns[#columns].cells) do cut[r] = tab.cut(v, room) end
  columns[#columns] = { cells = cut }
  header[#header] = tab.cut(header[#header], math.max(room, 1))
end
tab.print_columns(header, columns, { sep = L.sep, width = width })
local line = ("%d active %s %d stale %s %d open blocker%s %s average progress %s"):format(
  #rows, SYM.sep, stale, SYM.sep, blockers, blockers == 1 and "" or "s", SYM.sep,
  average and (average .. "%") or NONE)
if width and tab.width(line) > width then
  line = tab.cut(("%d active %s %d stale %s %d blocked %s avg %s"):format(
    #rows, SYM.sep, stale, SYM.sep, blockers, SYM.sep, average and (average .. "%") or NONE), width)
end
io.write(stale > 0 and cli.paint("yellow", line) or line, "\n")
return 0
