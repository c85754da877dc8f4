--- Inspect a tree made by the old shell scripts; convert its messages.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local migrate = require("sesslua.migrate")
local tree = require("sesslua.tree")

local parser = cli.parser("migrate.lua", "Report what the old shell scripts left and convert old messages.",
  "Deletes nothing. Converted messages are kept as read history (see docs/migration.md).")
parser:flag("--dry-run", "Report only; convert nothing.")
parser:flag("--json", "Print the report as JSON.")
local args = cli.parse(parser)

-- An empty or mistyped root must not look like a tree with nothing to move.
cli.check(tree.require_root(ctx))
local report, err, code = migrate.run(ctx, not args.dry_run)
if not report then cli.fail(cli.exit_for(code), "migrate: " .. err) end

if args.json then
  local items = {}
  for i, f in ipairs(report.findings) do
    -- what was found: `finding`, as no `kind` is reused inside a document
    items[i] = { finding = f.kind, path = f.path, line = f.line or require("sesslua.json").null, message = f.message }
  end
  cli.print_json({ schema = 1, kind = "migrate", root = ctx.root, dry_run = args.dry_run == true,
    findings = items, converted = report.converted, pending = report.pending,
    unrecoverable = report.unrecoverable })
  return 0
end
for _, f in ipairs(report.findings) do
  -- names and values come from old files: control bytes shown escaped
  io.write(cli.printable(("%-16s %s%s: %s"):format(f.kind, f.path, f.line and (":" .. f.line) or "", f.message)), "\n")
end
if args.dry_run then
  io.write(("%d old message(s) would be converted, %d cannot be recovered.\n"):format(
    report.pending, report.unrecoverable))
else
  io.write(("Converted %d old message(s); %d could not be recovered. Nothing was deleted.\n"):format(
    report.converted, report.unrecoverable))
end
return 0
