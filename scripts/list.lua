--- List session logs: id, role, status, progress, last updated.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local summary = require("sesslua.summary")
local json = require("sesslua.json")
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
  for _, f in ipairs(tree.log_files(ctx, dir, cli.warn, archived)) do
    local s = summary.load(f.path, f.id)
    if s then
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
  for i, s in ipairs(logs) do
    out[i] = { id = s.id, path = s.path, archived = s.archived,
               archive_date = s.archive_date or json.null, role = s.role or json.null,
               status = s.status or json.null, log_status = s.log_status or json.null, progress = s.progress or json.null,
               last_updated = s.last_updated or json.null }
  end
  cli.print_json({ schema = 1, kind = "list", logs = out })
  return 0
end
if #logs == 0 then
  io.write("No session logs under ", ctx.root, ".\n")
  return 0
end
local rows = {}
for _, s in ipairs(logs) do
  -- an archived log's own Status (Completed) says more than its last work
  -- status, which is no log status: "—" when the header has none
  local status
  if s.archived then status = s.log_status else status = s.status end
  rows[#rows + 1] = { s.id, s.role or "—", status or "—",
    s.progress and (s.progress .. "%") or "—",
    s.archived and ("archived " .. (s.archive_date or "?")) or (s.last_updated or "—") }
end
tab.print({ "ID", "ROLE", "STATUS", "PROGRESS", "UPDATED" }, rows)
return 0
