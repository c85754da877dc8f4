--- Create the coordination tree; never overwrites anything.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")

local parser = cli.parser("init.lua", "Create the coordination tree (idempotent).")
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)

local report = cli.check(tree.ensure(ctx))
if args.json then
  local items = {}
  for _, r in ipairs(report) do items[#items + 1] = { path = r.path, created = r.created } end
  cli.print_json({ schema = 1, kind = "init", root = ctx.root, items = items })
  return 0
end
local created = 0
for _, r in ipairs(report) do
  if r.created then created = created + 1 end
  io.write(r.created and cli.paint("green", "created ") or "exists  ", r.path, "\n")
end
if created == 0 then
  io.write("The coordination tree at ", ctx.root, " is complete; nothing changed.\n")
else
  io.write(("Created %d of %d items under %s.\n"):format(created, #report, ctx.root))
end
return 0
