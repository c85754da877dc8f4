--- Archive a finished session log (after the handoff checks).
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local handoff = require("sesslua.handoff")
local archive = require("sesslua.archive")
local config = require("sesslua.config")
local clock = require("sesslua.clock")
local hooks = require("sesslua.hooks")

local parser = cli.parser("archive.lua", "Move a finished log to sessions/ARCHIVE/<id>-DATE.md.",
  "Runs the handoff checks first and refuses on a failure unless --force.")
cli.id_argument(parser)
parser:option("--stale", "Archive every log untouched for DAYS days (1.5 is a day and a half)."):argname("DAYS")
parser:flag("--force", "Archive even when a handoff check fails.")
parser:flag("--dry-run", "Say what would happen; change nothing.")
parser:flag("--json", "Print what was (or would be) archived and refused as JSON.")
local args = cli.parse(parser)

local stale_days

---The ids to archive: one, or every stale one.
local function targets()
  if args.stale == nil then
    local id = cli.check(tree.session_arg(ctx, args.id))
    cli.check(tree.existing_log(ctx, id))
    return { id }
  end
  if args.id then cli.usage_error("archive: give an ID or --stale DAYS, not both") end
  -- decimal only ("0x10" is no number of days); inf would archive nothing forever
  local days = not args.stale:find("[xX]") and tonumber(args.stale)
  if not days or days ~= days or days < 0 or days == math.huge then
    cli.usage_error(("archive: --stale DAYS must be a number of days >= 0 (like 30 or 1.5), got '%s'")
      :format(cli.printable(args.stale)))
  end
  stale_days = days
  cli.check(tree.require_root(ctx)) -- a root that is a file, or none, is said, not "nothing stale"
  local active = tree.paths(ctx.root).active
  local ids = {}
  for _, f in ipairs(tree.log_files(ctx, active, cli.warn)) do
    local doc = log.open(f.path)
    local t
    if doc then t = select(2, doc:last_updated()) end
    if not t then
      local st = fs.stat(f.path)
      t = st and st.mtime
    end
    if t and os.time() - t > stale_days * 86400 then ids[#ids + 1] = f.id end
  end
  return ids
end

local by = tree.current_session(ctx)
local failed = 0

local report = { archived = {}, refused = {} }

---Refuse (and count) a log: one line, then the reasons and a hint.
local function refuse(id, why, details, hint)
  failed = failed + 1
  report.refused[#report.refused + 1] = { id = id, reason = why, details = details or {} }
  -- the reasons quote the log (and a hook may say anything): no raw escapes
  local out = { ("sesslua: archive: %s: %s"):format(id, cli.printable(why)) }
  for _, d in ipairs(details or {}) do out[#out + 1] = "  " .. cli.printable(d) end
  if hint then out[#out + 1] = "hint: " .. hint end
  io.stderr:write(table.concat(out, "\n"), "\n")
end

local say = args.json and function() end or io.write

local ids = targets()
if args.stale and #ids == 0 then say(("No log untouched for %g days.\n"):format(stale_days)) end
-- a symlinked ARCHIVE is refused before any log is looked at (dry run too)
if #ids > 0 then cli.check(archive.dir(ctx)) end
for _, id in ipairs(ids) do
  local path = tree.log_path(ctx.root, id)
  local doc = cli.check(log.open(path))
  local results, ok = handoff.run(doc, config.handoff_options(ctx, { path = path }))
  local fails = {}
  for _, r in ipairs(results) do
    if r.status == "FAIL" then fails[#fails + 1] = path .. (r.line and (":" .. r.line) or "") .. " " .. r.message end
  end
  if not ok and not args.force then
    refuse(id, ("not ready for handoff (%d failed check(s)):"):format(#fails), fails,
      ("fix them (sesslua handoff.lua %s), or use --force"):format(id))
  elseif args.dry_run then
    local dest = archive.target(ctx, id, clock.today())
    local n = #require("sesslua.knowledge").unshared_learnings(ctx, doc, id)
    report.archived[#report.archived + 1] = { id = id, path = dest, shared = n }
    say(("would archive %s -> %s, sharing %d learning(s)%s\n"):format(path, dest, n,
      ok and "" or " (handoff failures overridden by --force)"))
  else
    local allowed, why = hooks.run(ctx, "before_archive", { id = id, path = path })
    if not allowed then
      refuse(id, why)
    else
      local done, err, code = archive.archive(ctx, id, by)
      if not done then cli.fail(cli.exit_for(code), ("archive: %s: %s"):format(id, err)) end
      report.archived[#report.archived + 1] = { id = id, path = done.path, shared = done.shared }
      say(("Archived %s -> %s%s\n"):format(id, done.path,
        done.shared > 0 and (", shared %d learning(s)"):format(done.shared) or ""))
    end
  end
end
if args.json then
  cli.print_json({ schema = 1, kind = "archive", dry_run = args.dry_run == true,
    archived = report.archived, refused = report.refused })
end
if failed > 0 then return cli.EXIT.check end
return 0
