--- The team dashboard as one self-contained HTML page, for a browser.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local tree = require("sesslua.tree")
local team = require("sesslua.team")
local dashboard = require("sesslua.dashboard")

local parser = cli.parser("dashboard.lua",
  "Write the team dashboard as one HTML page: sessions, progress, blockers, knowledge, messages.")
parser:option("--out", "Write the page here ('-' for standard output; default <root>/dashboard.html).")
parser:option("--stale-hours", "Mark logs not updated for this many hours (default 24, or stale_hours in the config)."):convert(tonumber)
parser:option("--sort", "Order sessions by progress, updated or id (default id).")
  :choices(team.SORTS):default("id")
parser:option("--watch", "Check the tree every SECONDS and write the page again when it changed (and every --refresh SECONDS, else every minute, for the ages).")
  :argname("SECONDS"):convert(tonumber)
parser:option("--refresh", "Make a browser reload the page every SECONDS (a wall screen).")
  :argname("SECONDS"):convert(tonumber)
parser:flag("--json", "Print what the page shows as JSON instead.")
local args = cli.parse(parser)
cli.check(tree.require_root(ctx))

if args.stale_hours and args.stale_hours < 0 then
  cli.usage_error("dashboard.lua: --stale-hours must be a number of hours >= 0")
end
if args.refresh and (args.refresh < 1 or math.type(args.refresh) ~= "integer") then
  cli.usage_error("dashboard.lua: --refresh must be a whole number of seconds >= 1")
end
if args.watch and not (args.watch > 0) then
  cli.usage_error("dashboard.lua: --watch must be a number of seconds > 0")
end
if args.json and (args.out or args.watch or args.refresh) then
  cli.usage_error("dashboard.lua: --json prints to standard output; it takes no --out, --watch or --refresh")
end
if args.watch and args.out == "-" then
  cli.usage_error("dashboard.lua: --watch writes a file again and again; give --out FILE, not '-'")
end

-- A page of a thousand sessions is made of many small tables that die young.
collectgarbage("generational")
local config = require("sesslua.config").get(ctx).values
local function collect()
  return dashboard.collect(ctx, { sort = args.sort, warn = cli.warn,
    stale_hours = args.stale_hours or config.stale_hours })
end

if args.json then
  cli.print_json(dashboard.json(collect()))
  return 0
end

local out = args.out or (ctx.root .. "/dashboard.html")

---Make the page and write it (atomically: a browser reloading it never
---sees half a page). Returns the data, or nil and the failure.
local function write()
  local data = collect()
  local page = dashboard.render(data, { refresh = args.refresh })
  if out == "-" then
    io.write(page)
    return data
  end
  local ok, err, code = fs.write(out, page)
  if not ok then return nil, err, code end
  return data
end

if not args.watch then
  local data = cli.check(write())
  if out ~= "-" then
    io.write(("Wrote %s (%d active sessions)\n"):format(out, #data.rows))
  end
  return 0
end

-- --watch: write now, then whenever the signature of the tree changes. A
-- failed write is reported and tried again at the next change, so a full
-- disk for a minute does not stop a wall screen for good. Ages and stale
-- marks move with the clock, so the page is also made again every
-- --refresh seconds (a browser reloads it then), else every minute.
local every = args.refresh or 60
local last, written = nil, -math.huge
while true do
  local sig = dashboard.signature(ctx)
  if sig ~= last or sys.time() - written >= every then
    local data, err = write()
    last, written = sig, sys.time()
    if data then
      io.write(("%s wrote %s (%d active sessions)\n"):format(os.date("%H:%M:%S"), out, #data.rows))
      io.flush()
    else
      cli.warn(err)
    end
  end
  sys.sleep(args.watch)
end
