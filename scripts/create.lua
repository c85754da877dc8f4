--- Create a session log from the team's template (or the built-in).
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local template = require("sesslua.template")
local clock = require("sesslua.clock")

local parser = cli.parser("create.lua", "Create the work log sessions/ACTIVE/<ID>.md.",
  "Example: sesslua create.lua session-12 \"DevOps Engineer\" \"Deploy and maintain services\"")
parser:argument("id", "Session id: session-12, or just 12.")
parser:argument("role", "The session's role."):args("?")
parser:argument("goal", "The session's goal."):args("?")
parser:flag("--force", "Replace an existing log.")
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)

local id, why = tree.normalize_id(args.id)
if not id then
  cli.usage_error(("create: invalid session id '%s': %s"):format(args.id, why),
    "use an id like session-12 (or 12)")
end

cli.check(tree.root_is_folder(ctx)) -- a root that is a file is said so, not "Not a directory"
local paths = tree.paths(ctx.root)
-- The team's template, else the built-in; one that is there but cannot be
-- read (a disk error) stops here rather than being silently replaced.
local text, terr, tcode = fs.read(paths.template)
local origin = paths.template
if not text and tcode ~= "ENOENT" then cli.check(text, terr, tcode) end
if not text then text, origin = template.read(ctx, "session-log.md") end

local ROLE_TOKENS, GOAL_TOKENS = { "{{role}}", "[Your Role]" }, { "{{goal}}", "[Your Goal]" }
if (args.role == nil and template.uses(text, ROLE_TOKENS))
    or (args.goal == nil and template.uses(text, GOAL_TOKENS)) then
  cli.usage_error("create: the template needs a role and a goal",
    ('sesslua create.lua %s "DevOps Engineer" "Deploy and maintain services"'):format(id))
end

-- Role and goal are one line each, typed text only.
for _, k in ipairs({ "role", "goal" }) do
  if args[k] then
    args[k] = cli.one_line(cli.text(args[k], k))
    if args[k]:match("^%s*$") and template.uses(text, k == "role" and ROLE_TOKENS or GOAL_TOKENS) then
      cli.usage_error(("create: empty %s"):format(k),
        ('sesslua create.lua %s "DevOps Engineer" "Deploy and maintain services"'):format(id))
    end
  end
end

local tree_existed = fs.exists(paths.active)
cli.check(tree.ensure(ctx))

local now = os.time()
local short = tree.short_id(id)
local log = template.fill(text, {
  -- built-in template
  ["{{id}}"] = id, ["{{short_id}}"] = short, ["{{role}}"] = args.role or "",
  ["{{goal}}"] = args.goal or "", ["{{date}}"] = clock.today(now),
  ["{{now}}"] = clock.now(now),
  -- the original template's bracket placeholders
  ["session-[ID]"] = id, ["[ID]"] = short, ["[Your Role]"] = args.role or "",
  ["[Your Goal]"] = args.goal or "", ["[Date Time]"] = clock.now(now),
  ["**Status:** Active | Idle | Completed"] = "**Status:** Active",
  ["[Date]"] = clock.today(now),
})

local path = tree.log_path(ctx.root, id)
local ok, err, code
if args.force then
  -- Replacing a log others may be updating: under the log's lock, as every
  -- update, so a racing update lands wholly before (and is replaced) or
  -- wholly after (on the new log), never on the old text over ours.
  local lock <close>, lerr, lcode = fs.lock(path)
  cli.check(lock, lerr, lcode)
  ok, err, code = fs.write(path, log)
else
  ok, err, code = fs.write(path, log, { exclusive = true })
end
if not ok and code == "EEXIST" then
  cli.fail(cli.EXIT.conflict, ("create: %s: a log for %s already exists"):format(path, id),
    ("use --force to replace it, or: sesslua update.lua %s --working-on TEXT"):format(id))
end
cli.check(ok, err, code)

require("sesslua.hooks").run(ctx, "after_create", { id = id, path = path, role = args.role, goal = args.goal })

if args.json then
  cli.print_json({ schema = 1, kind = "create", id = id, path = path,
                   template = origin, created_tree = not tree_existed })
  return 0
end
if not tree_existed then
  io.write("Created the coordination tree at ", ctx.root, "\n")
end
io.write(cli.paint("green", "Created "), path, "\n")
io.write("Next:\n")
io.write(("  sesslua update.lua %s --working-on \"...\" --status Building\n"):format(id))
io.write(("  sesslua view.lua %s\n"):format(id))
io.write("  sesslua status.lua\n")
return 0
