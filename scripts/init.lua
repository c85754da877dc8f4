--- Create the coordination tree; never overwrites anything.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local fs = require("sesslua.fs")

local parser = cli.parser("init.lua", "Create the coordination tree (idempotent).")
parser:flag("--force", "Create it even in a folder that holds other things and no tree (such as /).")
parser:flag("--git", "Also set the tree up for git: .gitattributes, .gitignore, the merge driver.")
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)

-- A mistyped --root or SESSLUA_ROOT=/ must not scatter sessions/, messages/...
-- over a folder that holds something else: a tree there, or an empty (or
-- new) folder, is fine; anything else asks for --force.
local function is_tree(root)
  local p = tree.paths(root)
  for _, dir in ipairs({ p.sessions, p.knowledge, p.messages }) do
    if fs.exists(dir) then return true end
  end
  return false
end
cli.check(tree.root_is_folder(ctx))
local entries = fs.list(ctx.root, nil, false, true)
if not args.force and entries and #entries > 0 and not is_tree(ctx.root) then
  cli.usage_error(("init: %s: the folder holds %d other item(s) and no coordination tree; "
      .. "nothing was created"):format(ctx.root, #entries),
    ("to create the tree there anyway: sesslua --root %s init.lua --force; or give --root "
      .. "the folder the tree belongs in (such as docs/coordination)"):format(ctx.root))
end

local report = cli.check(tree.ensure(ctx))
-- sessions on many machines share the tree through git: the attributes
-- alone would be inert, so the driver is configured with them
local git_setup = {}
if args.git then
  local changes, err, code = require("sesslua.git").setup(ctx.root)
  if not changes then cli.fail(cli.exit_for(code), err) end
  git_setup = changes
end
if args.json then
  local items = {}
  for _, r in ipairs(report) do items[#items + 1] = { path = r.path, created = r.created } end
  local out = { schema = 1, kind = "init", root = ctx.root, items = items }
  if args.git then out.git = git_setup end
  cli.print_json(out)
  return 0
end
for _, c in ipairs(git_setup) do io.write(cli.paint("green", "set up  "), c.what, " (", c.path, ")\n") end
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
