--- Trust this tree's team scripts and hooks to run, or list and remove trusted trees.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local json = require("sesslua.json")
local sys = require("sesslua.sys")
local trust = require("sesslua.trust")

local parser = cli.parser("trust.lua",
  "Let this tree's own workflows, modules, templates (<root>/scripts/) and hooks (<root>/hooks/) run.",
  "Until a tree is trusted, sesslua runs the built-ins instead of its team's files and says so.\n"
  .. "The real paths of trusted roots are kept for this user in\n"
  .. "${XDG_DATA_HOME:-~/.local/share}/sesslua/trusted. SESSLUA_TRUST=1 trusts every tree for one run.")
parser:argument("dir", "The coordination root (default: this tree's, as --root finds it)."):args("?")
parser:mutex(
  parser:flag("--list", "Print the trusted roots."),
  parser:flag("--remove", "Stop trusting DIR (default: this tree).")
)
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)

local function show(path) return sys.escape_controls(path) end

local function print_result(action, root, changed)
  if args.json then
    cli.print_json({ schema = 1, kind = "trust", action = action, root = root, changed = changed,
                     trusted = cli.check(trust.list()) })
    return
  end
  if action == "add" then
    io.write(changed and "Trusted " or "Already trusted: ", show(root), "\n")
    io.write("Its scripts/ and hooks/ now run for you; 'sesslua trust --remove' undoes this.\n")
  elseif changed then
    io.write("No longer trusted: ", show(root), "\n")
  else
    io.write("Was not trusted: ", show(root), "\n")
  end
end

if args.list then
  if args.dir then cli.usage_error("trust.lua: --list takes no DIR") end
  local roots = cli.check(trust.list())
  if args.json then
    cli.print_json({ schema = 1, kind = "trust", action = "list", trusted = roots,
                     env = trust.env(), file = trust.file() or json.null })
    return 0
  end
  for _, r in ipairs(roots) do io.write(show(r), "\n") end
  if trust.env() then io.write("(SESSLUA_TRUST=1: every tree is trusted for this run)\n") end
  return 0
end

local dir = args.dir or ctx.root
if args.remove then
  local path, removed = cli.check(trust.remove(dir))
  print_result("remove", path, removed)
  return 0
end
local real, err, code = trust.add(dir)
if not real and (code == "ENOENT" or code == "ENOTDIR") then
  cli.fail(cli.EXIT.not_found, ("%s: no coordination tree here"):format(dir),
    "give the coordination root (sesslua trust DIR), or create one with sesslua init.lua")
end
local _, added = cli.check(real, err, code)
print_result("add", real, added)
return 0
