--- Check that a session log is ready for someone else to pick up.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local handoff = require("sesslua.handoff")
local config = require("sesslua.config")
local json = require("sesslua.json")

local parser = cli.parser("handoff.lua", "Check that a log is ready for a handoff (exit 1 on a failure).")
cli.id_argument(parser)
parser:flag("--strict", "Treat warnings as failures.")
parser:flag("--json", "Print the checks as JSON.")
local args = cli.parse(parser)

local id, path = cli.check(tree.resolve_log(ctx, args.id))
local doc = cli.check(log.open(path))
local opts = config.handoff_options(ctx, { strict = args.strict, path = path })
local results, ok = handoff.run(doc, opts)

if args.json then
  local checks = {}
  for i, r in ipairs(results) do
    checks[i] = { check = r.check, status = r.status, message = r.message, line = r.line or json.null }
  end
  cli.print_json({ schema = 1, kind = "handoff", id = id, path = path, ok = ok, checks = checks })
  return ok and 0 or cli.EXIT.check
end

local colors = { PASS = "green", WARN = "yellow", FAIL = "red" }
local counts = { PASS = 0, WARN = 0, FAIL = 0 }
for _, r in ipairs(results) do
  counts[r.status] = counts[r.status] + 1
  local where = r.line and (":" .. r.line) or ""
  -- messages quote the log, which may hold escape sequences: never raw
  io.write(cli.paint(colors[r.status], ("%-4s"):format(r.status)), "  ", r.check, where, "  ",
    cli.printable(r.message), "\n")
end
io.write(("%s: %d passed, %d warnings, %d failed — %s\n"):format(id, counts.PASS, counts.WARN,
  counts.FAIL, ok and "ready for handoff" or "not ready for handoff"))
return ok and 0 or cli.EXIT.check
