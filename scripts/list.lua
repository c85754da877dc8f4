--- List session logs: id, role, status, progress, last updated.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local summary = require("sesslua.summary")
local md = require("sesslua.md")
local tab = require("sesslua.table")

local parser = cli.parser("list.lua", "List session logs (active by default).")
parser:mutex(
  parser:flag("--archived", "Only archived logs."),
  parser:flag("--all", "Active and archived logs."))
parser:flag("--json", "Print the list as JSON.")
local args = cli.parse(parser)
cli.check(tree.require_root(ctx))

local paths = tree.paths(ctx.root)
local logs = {}
local function collect(dir, archived)
  local files, lerr, lcode = tree.log_files(ctx, dir, cli.warn, archived)
  if lerr then cli.fail(cli.exit_for(lcode), lerr, nil, lcode) end
  -- read and parsed on another core while this one summarises
  local list = {}
  for i, f in ipairs(files) do list[i] = f.path end
  local ahead <close> = md.parse_ahead(list)
  for _, f in ipairs(files) do
    local s, doc = summary.load(f.path, f.id, nil, nil, ahead)
    if s then
      doc.md:close() -- its text now: the collector does not see it
      s.archived, s.archive_date = archived, f.archive_date
      logs[#logs + 1] = s
    else
      cli.warn(f.path .. ": unreadable, skipped")
    end
  end
end
if not args.archived then collect(paths.active, false) end
if args.archived or args.all then collect(paths.archive, true) end

if args.json then
  local out = {}
  for i, s in ipairs(logs) do out[i] = summary.json(s, "list") end
  cli.print_json({ schema = 1, kind = "list", logs = out })
  return 0
end
if #logs == 0 then
  io.write("No session logs under ", ctx.root, ".\n")
  return 0
end
local rows = {}
local none = cli.symbols().none
for _, s in ipairs(logs) do
  -- two statuses, never one column for both: the work's (Current Work)
  -- and the log's own (the header's: Active, Completed)
  rows[#rows + 1] = { s.id, s.role or none, s.status or none, s.log_status or none,
    s.progress and (s.progress .. "%") or none,
    s.archived and ("archived " .. (s.archive_date or "?")) or (s.last_updated or none) }
end
tab.print({ "ID", "ROLE", "STATUS", "LOG", "PROGRESS", "UPDATED" }, rows)
return 0
