--- The host's command line: options, coordination root, search path, and
--- running a workflow. Loaded by core/main.c before anything else, so it
--- requires only C modules until the search path is in place.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local builtin = require("sesslua.builtin")
-- from the built-in copy, never a file on the search path: it decides
-- which files on that path may run
local trust = assert(builtin.load("lua/sesslua/trust.lua"))("sesslua.trust")
package.loaded["sesslua.trust"] = trust
local nearest = assert(builtin.load("lua/sesslua/nearest.lua"))("sesslua.nearest")
package.loaded["sesslua.nearest"] = nearest

local M = {}

local EXIT_USAGE, EXIT_NOT_FOUND, EXIT_IO = 2, 3, 5

-- The settings file's name (<root>/sesslua.lua, ~/.config/sesslua/sesslua.lua):
-- on the search path, but never a workflow.
local CONFIG_NAME = "sesslua"

local USAGE = [=[
usage: sesslua [--root DIR] [--session ID] [--color WHEN] [--debug] SCRIPT [ARGS...]
       sesslua help [SCRIPT] | --list [--json] | --which NAME | --describe [NAME]
       sesslua --version [--json]]=]

local HELP = [[

Runs a coordination workflow (a Lua script) against the coordination tree.

options:
  --root DIR      coordination root (default: $SESSLUA_ROOT, else the nearest
                  ancestor's docs/coordination/, else ./docs/coordination)
  --session ID    the session acting (default: $SESSLUA_SESSION, then the
                  root's .current_session file)
  --color WHEN    auto (a terminal without NO_COLOR), always or never
  --debug         add a Lua traceback to errors
  --list          every workflow, its description and where it comes from
  --which NAME    the file that NAME would run, and every candidate in order
  --describe [NAME]  NAME's options and arguments as JSON (every workflow's
                  without NAME), for completion, man pages and tool schemas
  --help          this text
  --version       sesslua, Lua and cmark versions
  --json          --list and --version as a JSON document

Scripts, Lua modules and templates are looked up along one path, first hit
wins: an explicit path (contains '/'), $SESSLUA_PATH, <root>/scripts/,
${XDG_CONFIG_HOME:-~/.config}/sesslua/, then the built-ins. A tree's own
<root>/scripts/ and <root>/hooks/ run only once you trust it: sesslua trust
(SESSLUA_TRUST=1 for one run).

exit codes: 0 ok, 1 a check failed, 2 usage error or invalid input,
3 not found, 4 conflict (exists, lock held too long), 5 I/O or permission.]]

---Raise a structured error for core/main.c to print.
local function fail(code, message)
  error({ code = code, message = message }, 0)
end

local function is_dir(path)
  local st = fs.stat(path)
  return st ~= nil and st.type == "dir"
end

---The nearest folder from dir upwards holding docs/coordination/, or nil.
local function find_above(dir)
  while dir do
    local candidate = (dir == "/" and "" or dir) .. "/docs/coordination"
    if is_dir(candidate) then return candidate end
    if dir == "/" then return nil end
    dir = fs.dirname(dir)
  end
end

---The same walk in relative terms (., .., ../.., ...), for a working
---folder too deep for getcwd: as far as the paths stay short enough for
---the system to take, and no further than `/`.
local function find_above_relative()
  local dir = "."
  while #dir < 4000 do
    local candidate = dir .. "/docs/coordination"
    if is_dir(candidate) then return candidate end
    if fs.realpath(dir) == "/" then return nil end
    dir = dir == "." and ".." or dir .. "/.."
  end
end

---Find the coordination root: --root, $SESSLUA_ROOT, nearest ancestor
---holding docs/coordination/, else ./docs/coordination. A working folder
---whose path is longer than the system's limit has no absolute name: the
---root is then found, and named, relative to it.
---@return string root, string source
local function find_root(opt_root)
  if opt_root then return opt_root, "--root" end
  local env = sys.getenv("SESSLUA_ROOT")
  if env and env ~= "" then return env, "SESSLUA_ROOT" end
  local cwd = sys.cwd()
  local found
  if cwd then found = find_above(cwd) else found = find_above_relative() end
  if found then return found, "found" end
  return (cwd or ".") .. "/docs/coordination", "default"
end

---The search directories, first hit wins, each with its source label.
---The team's folder is marked `skipped` when the tree is not trusted.
local function search_dirs(root, trusted)
  local dirs = {}
  local env = sys.getenv("SESSLUA_PATH")
  if env then
    for dir in env:gmatch("[^:]+") do
      dirs[#dirs + 1] = { dir = dir, source = "path" }
    end
  end
  dirs[#dirs + 1] = { dir = root .. "/scripts", source = "team", skipped = not trusted or nil }
  local xdg = sys.getenv("XDG_CONFIG_HOME")
  if not xdg or xdg == "" then
    local home = sys.getenv("HOME")
    xdg = home and home .. "/.config" or nil
  end
  if xdg then dirs[#dirs + 1] = { dir = xdg .. "/sesslua", source = "user" } end
  return dirs
end

---The directories in use: all but the skipped ones.
local function used_dirs(dirs)
  local out = {}
  for _, d in ipairs(dirs) do
    if not d.skipped then out[#out + 1] = d end
  end
  return out
end

---Put the search directories in front of package.path.
local function set_package_path(dirs)
  local parts = {}
  for _, d in ipairs(dirs) do
    parts[#parts + 1] = d.dir .. "/?.lua"
    parts[#parts + 1] = d.dir .. "/?/init.lua"
  end
  parts[#parts + 1] = package.path
  package.path = table.concat(parts, ";")
end

local function file_exists(path)
  local st = fs.stat(path)
  return st ~= nil and st.type ~= "dir"
end

---file_exists for a folder whose scripts may run: a path that leads
---through a link out of the root counts as there, so loading it says why
---(exit 5) instead of the next candidate running in its place unseen.
local function runnable_exists(path)
  local st, _, code = fs.stat(path)
  if st then return st.type ~= "dir" end
  return code == "EXDEV"
end

---In a tree that is not trusted, a searcher placed before Lua's own: it
---loads nothing, but when a module the team's folder holds would have
---been found there (no $SESSLUA_PATH folder has it first), it says once
---that it was skipped. Lua's searcher then finds it further on the path,
---or the built-in, or nothing.
local function note_skipped_modules(ctx)
  local team
  for _, d in ipairs(ctx.all_search_dirs) do
    if d.skipped then team = d.dir end
  end
  if not team or not is_dir(team) then return end
  table.insert(package.searchers, 2, function(modname)
    local rel = modname:gsub("%.", "/")
    for _, d in ipairs(ctx.all_search_dirs) do
      for _, file in ipairs({ rel .. ".lua", rel .. "/init.lua" }) do
        if file_exists(d.dir .. "/" .. file) then
          if not d.skipped then return nil end -- found first elsewhere
          trust.note_skipped(ctx, "scripts/" .. file)
          return ("\n\tskipped '%s/%s' (this tree is not trusted)"):format(d.dir, file)
        end
      end
      if d.skipped then return nil end -- folders after the team's win anyway
    end
  end)
end

---Every place a workflow NAME could come from, in search order; those in
---a folder skipped for trust carry `skipped = true` and never run.
---@return table candidates {path=, source=, exists=, builtin=, skipped=}
function M.candidates(ctx, name)
  local list = {}
  if name:find("/", 1, true) then
    list[1] = { path = name, source = "path", exists = file_exists(name) }
    return list
  end
  local base = name:gsub("%.lua$", "")
  if base == CONFIG_NAME then return list end -- the settings file, not a workflow
  for _, d in ipairs(ctx.all_search_dirs or ctx.search_dirs) do
    local path = d.dir .. "/" .. base .. ".lua"
    list[#list + 1] = { path = path, source = d.source,
                        exists = (d.skipped and file_exists or runnable_exists)(path),
                        skipped = d.skipped }
  end
  local key = "scripts/" .. base .. ".lua"
  list[#list + 1] = { path = "builtin:" .. key, source = "built-in",
                      exists = builtin.get(key) ~= nil, builtin = key }
  return list
end

---The candidate that runs, or nil; and the first candidate before it
---that was skipped because the tree is not trusted, or nil.
function M.resolve(ctx, name)
  local skipped
  for _, c in ipairs(M.candidates(ctx, name)) do
    if c.exists then
      if not c.skipped then return c, skipped end
      skipped = skipped or c
    end
  end
  return nil, skipped
end

---A skipped team file's name under the root ("scripts/status.lua").
local function team_rel(ctx, path)
  local prefix = ctx.root .. "/"
  return path:sub(1, #prefix) == prefix and path:sub(#prefix + 1) or path
end

local workflow_names -- defined with the listing below

local warned = {}
---A warning line on stderr, once per run for the same text.
local function warn_once(message)
  if warned[message] then return end
  warned[message] = true
  io.stderr:write("sesslua: warning: ", sys.escape_controls(message), "\n")
end

---The workflow a mistyped NAME most likely meant, as the user would type
---it (with ".lua" when they wrote it): the one name that NAME begins
---(`stat`), else the closest within two edits; nil when none or a tie.
local function nearest_workflow(ctx, name)
  local ext = name:match("%.lua$") and ".lua" or ""
  local base = name:gsub("%.lua$", "")
  if base == "" or base:find("/", 1, true) then return nil end
  local names = {}
  for _, n in ipairs(workflow_names(ctx)) do
    if n ~= CONFIG_NAME then names[#names + 1] = n end
  end
  local near = nearest.find(base, names)
  return near and near .. ext
end

---Stop: no workflow NAME on the search path (exit 3); `skipped` is the
---team's file that would have run in a trusted tree.
local function not_found(ctx, name, skipped)
  if skipped then
    fail(EXIT_NOT_FOUND, ("unknown workflow '%s': the team's %s is skipped (this tree is not trusted)\n"
      .. "hint: run '%s' to use it"):format(name, team_rel(ctx, skipped.path), trust.command(ctx)))
  end
  if name:gsub("%.lua$", "") == CONFIG_NAME then
    fail(EXIT_NOT_FOUND, ("unknown workflow '%s': sesslua.lua is the settings file, not a workflow\n"
      .. "hint: sesslua config.lua prints the settings; sesslua --list shows every workflow"):format(name))
  end
  local near = nearest_workflow(ctx, name)
  if near then
    fail(EXIT_NOT_FOUND, ("unknown workflow '%s': not found on the search path\n"
      .. "hint: did you mean '%s'? (sesslua --list shows every workflow)"):format(name, near))
  end
  fail(EXIT_NOT_FOUND, ("unknown workflow '%s': not found on the search path\n"
    .. "hint: sesslua --list shows every workflow"):format(name))
end

---Load a resolved script as a chunk: a file is read once, beneath the
---root when it is under it (trust.loadfile), so a team workflow that is,
---or lies in, a link out of the tree is refused. text: the file's text
---already read (what runs is what was looked at).
---@return function|nil chunk
---@return string|nil message
---@return string|nil code fs's code when the file could not be read
local function load_script(found, text)
  if found.builtin then
    return builtin.load(found.builtin)
  end
  if text then return trust.compile(text, found.path) end
  return trust.loadfile(found.path)
end

---Stop when a script could not be loaded: a file that could not be read
---exits as any file failure does (3 gone, 5 a link out of the root or an
---I/O error; cli.exit_for's rule, without loading a module from the path
---that just failed), a script that does not compile with 2.
local function load_failed(err, code)
  local exit = EXIT_USAGE
  if code then exit = (code == "ENOENT" or code == "ENOTDIR") and EXIT_NOT_FOUND or EXIT_IO end
  fail(exit, err)
end

---A script's one-line description: its first line (after a `#!` line),
---when that is a `--- text` comment; nil when the file does not start so.
local function describe(found)
  local text
  if found.builtin then
    text = builtin.get(found.builtin)
  else
    text = fs.read(found.path)
  end
  if not text then return nil end
  text = text:gsub("^\239\187\191", "")          -- a UTF-8 BOM
  if text:match("^#!") then text = text:match("^[^\n]*\n(.*)$") or "" end
  local line = text:match("^[^\n]*")
  if not line:match("^%-%-%-") or line:match("^%-%-%-%-") then return nil end
  return (line:match("^%-%-%-%s*(.-)%s*\r?$"))
end
M.describe = describe

---The names of every `.lua` file in the search folders (skipped ones
---too) and of the built-in workflows, sorted.
function workflow_names(ctx)
  local seen, names = {}, {}
  local function add(base)
    if not seen[base] and base ~= CONFIG_NAME then
      seen[base] = true; names[#names + 1] = base
    end
  end
  for _, d in ipairs(ctx.all_search_dirs or ctx.search_dirs) do
    local files, err, code = fs.list(d.dir, ".lua")
    for _, f in ipairs(files or {}) do add((f:gsub("%.lua$", ""))) end
    -- a folder that is there but cannot be listed (a link out of the root)
    -- is said, not shown as one with no workflows
    if not files and code ~= "ENOENT" and code ~= "ENOTDIR" and not d.skipped then
      warn_once(("%s; its workflows are not listed"):format(err))
    end
  end
  for _, key in ipairs(builtin.names("scripts/")) do
    add(key:match("^scripts/(.-)%.lua$"))
  end
  table.sort(names)
  return names
end

---The workflow NAME runs as, and the team's workflow skipped for trust
---that would have run instead: {found=, description=} each, or nil.
local function workflow_of(ctx, n)
  local winner, skipped
  for _, c in ipairs(M.candidates(ctx, n)) do
    if c.exists then
      local d = describe(c)
      if c.skipped then
        if d and not winner then skipped = skipped or { found = c, description = d } end
      else
        winner = winner or { found = c, description = d }
        if d then return winner, skipped end
      end
    end
  end
  return nil, skipped
end

---Every workflow with the candidate that wins, sorted by name. A file on
---the search path is a workflow when it starts with a `--- description`
---line; other `.lua` files there are modules for `require` (and
---`sesslua.lua` is the settings file), so they are not listed. A name is
---listed when any of its candidates is a workflow (the built-ins all are),
---with the winner's source, path and description. In a tree that is not
---trusted, `skipped` is the team's workflow that does not run: the row's
---own when nothing else has the name (its source is then "skipped").
function M.workflows(ctx)
  local out = {}
  for _, n in ipairs(workflow_names(ctx)) do
    local winner, skipped = workflow_of(ctx, n)
    local row = winner or skipped
    if row then
      out[#out + 1] = { name = n, source = winner and row.found.source or "skipped",
                        path = row.found.path, description = row.description or "",
                        skipped = skipped and skipped.found.path or nil }
    end
  end
  return out
end

---The command line of workflow NAME as plain data (cli.declaration): its
---script runs up to its `cli.parse` call and stops there, so nothing is
---read or written. nil and a message when NAME is not a workflow or
---does not call cli.parse (a script whose text has no `.parse(` is not
---run at all; only built-ins and trusted team workflows are loaded).
---@param ctx table the context
---@param name string a workflow name ("update") or script ("update.lua")
---@return table|nil declaration
---@return string|nil message
function M.declaration(ctx, name)
  local found = M.resolve(ctx, name)
  if not found then return nil, name .. ": no such workflow" end
  -- a script that never parses a command line would run in full: such a
  -- script is not run at all
  local text = found.builtin and builtin.get(found.builtin) or fs.read(found.path)
  if not (text and text:find(".parse(", 1, true)) then
    return nil, name .. ": declares no command line (it never calls cli.parse)"
  end
  local chunk, err = load_script(found, not found.builtin and text or nil)
  if not chunk then return nil, err end
  local cli = require("sesslua.cli")
  local saved_arg, was = rawget(_G, "arg"), ctx.describe_only
  ctx.describe_only = true
  rawset(_G, "arg", { [0] = name })
  local ok, result = pcall(chunk)
  ctx.describe_only = was
  rawset(_G, "arg", saved_arg)
  local d = not ok and cli.described(result)
  if d then return d end
  return nil, name .. ": declares no command line (it never calls cli.parse)"
end

---Print the declarations of NAME (or of every workflow) as JSON.
local function print_describe(ctx, name)
  local json = require("sesslua.json")
  if name then
    local d, err = M.declaration(ctx, name)
    if not d then fail(EXIT_NOT_FOUND, err) end
    io.write(json.encode(d), "\n")
    return
  end
  local all = {}
  for _, w in ipairs(M.workflows(ctx)) do
    if w.source ~= "skipped" then
      local d = M.declaration(ctx, w.name)
      if d then all[#all + 1] = d end
    end
  end
  io.write(json.encode(all), "\n")
end

local function print_list(ctx, as_json)
  local rows = M.workflows(ctx)
  if as_json then
    local json = require("sesslua.json")
    local out = {}
    for i, r in ipairs(rows) do
      out[i] = { name = r.name, source = r.source, path = r.path or json.null,
                 description = r.description, skipped = r.skipped or json.null }
    end
    io.write(json.encode({ schema = 1, kind = "workflows", workflows = out }, { indent = "  " }), "\n")
    return
  end
  local width, any = 0, false
  for _, r in ipairs(rows) do width = math.max(width, #r.name) end
  for _, r in ipairs(rows) do
    local note = ""
    if r.skipped then
      any = true
      note = r.source == "skipped" and "  (not trusted)"
        or ("  (the team's %s is skipped: not trusted)"):format(team_rel(ctx, r.skipped))
    end
    io.write(string.format("  %-" .. width .. "s  %-8s  %s%s\n", r.name, r.source, r.description, note))
  end
  if any then
    io.stderr:write(("sesslua: note: this tree is not trusted, so its team workflows are skipped; "
      .. "run '%s' to use them\n"):format(sys.escape_controls(trust.command(ctx))))
  end
end

local function print_which(ctx, name)
  local winner, skipped = M.resolve(ctx, name)
  if not winner then
    not_found(ctx, name, skipped)
  end
  io.write(winner.path, "\n")
  for _, c in ipairs(M.candidates(ctx, name)) do
    if c.path ~= winner.path then
      if c.exists and c.skipped then
        io.write(("  skipped:  %s (%s, this tree is not trusted: run '%s' to use it)\n"):format(
          c.path, c.source, trust.command(ctx)))
      else
        io.write(("  %s %s (%s)\n"):format(c.exists and "shadowed:" or "absent:  ", c.path, c.source))
      end
    end
  end
end

local function print_version(as_json)
  if as_json then
    local json = require("sesslua.json")
    io.write(json.encode({ schema = 1, kind = "version", version = builtin.version,
      lua = builtin.lua_release, cmark = builtin.cmark_version }, { indent = "  " }), "\n")
    return
  end
  io.write(("sesslua %s (%s, cmark %s)\n"):format(builtin.version, builtin.lua_release,
    builtin.cmark_version))
end

---Parse the host's own options (those before SCRIPT).
local function parse_options(args)
  local opts = { debug = false }
  local i = 1
  while i <= #args do
    local a = args[i]
    local function value()
      i = i + 1
      if args[i] == nil then fail(EXIT_USAGE, a .. ": missing value\n" .. USAGE) end
      return args[i]
    end
    if a == "--root" then opts.root = value()
    elseif a:match("^%-%-root=") then opts.root = a:sub(8)
    elseif a == "--session" then opts.session = value()
    elseif a:match("^%-%-session=") then opts.session = a:sub(11)
    elseif a == "--debug" then opts.debug = true
    elseif a == "--color" then opts.color = value()
    elseif a:match("^%-%-color=") then opts.color = a:sub(9)
    elseif a == "--help" or a == "-h" then opts.action = "help"
    elseif a == "--version" or a == "-V" then opts.action = "version"
    elseif a == "--list" then opts.action = "list"
    elseif a == "--json" then opts.json = true
    elseif a == "--which" then opts.action = "which"; opts.which = value()
    elseif a == "--describe" then opts.action = "describe"
    elseif a == "--" then i = i + 1; break
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      fail(EXIT_USAGE, ("unknown option '%s'\n%s"):format(a, USAGE))
    else break end
    i = i + 1
  end
  if opts.color and opts.color ~= "auto" and opts.color ~= "always" and opts.color ~= "never" then
    fail(EXIT_USAGE, ("--color: '%s' is not auto, always or never"):format(opts.color))
  end
  if opts.json and opts.action ~= "list" and opts.action ~= "version" then
    fail(EXIT_USAGE, "--json before the workflow goes with --list or --version\n"
      .. "hint: a workflow's --json goes after it: sesslua status.lua --json")
  end
  if opts.root == "" then
    fail(EXIT_USAGE, "--root: empty DIR\n"
      .. "hint: give the coordination folder (--root docs/coordination), or leave --root out")
  end
  opts.script_index = i
  return opts
end

---Whether a workflow's arguments ask for --json (before any `--`).
local function asks_json(script_args)
  for _, a in ipairs(script_args) do
    if a == "--" then return false end
    if a == "--json" then return true end
  end
  return false
end

---Make undeclared global reads and writes errors, so a typo in a workflow
---fails loudly instead of reading nil.
local function strict_globals()
  setmetatable(_G, {
    __newindex = function(_, name)
      error(("assignment to undeclared global '%s'"):format(tostring(name)), 2)
    end,
    __index = function(_, name)
      error(("undeclared global '%s'"):format(tostring(name)), 2)
    end,
  })
end

---The exit status a script's return value asks for: a number 0-255 (as an
---integer or an integral float); anything that is not a number means 0.
local function exit_status(name, value)
  if type(value) ~= "number" then return 0 end
  local n = math.tointeger(value)
  if not n or n < 0 or n > 255 then
    fail(EXIT_USAGE, ("%s: returned %s, not an exit code 0-255"):format(name, tostring(value)))
  end
  return n
end

---Run workflow NAME with the arguments argv in this process, as
---`sesslua NAME ARGV...` would, for a server that runs workflows one
---after another (`sesslua mcp`). What it writes goes where io and C's
---stdout point. Never raises: a refused run gives its exit code and
---one-line message (`cli.fail`), any other error exit 2 and the error.
---@param ctx table the context (sesslua.context)
---@param name string a workflow name ("update")
---@param argv string[] its arguments
---@return integer code the exit code
---@return string|nil message why it was refused
function M.run(ctx, name, argv)
  local saved_arg, saved_script, saved_name = rawget(_G, "arg"), ctx.script, ctx.script_name
  local ok, result = xpcall(function()
    local found, skipped = M.resolve(ctx, name)
    if not found then not_found(ctx, name, skipped) end
    if skipped then trust.note_skipped(ctx, team_rel(ctx, skipped.path)) end
    local chunk, err, code = load_script(found)
    if not chunk then load_failed(err, code) end
    ctx.script, ctx.script_name = found, name
    rawset(_G, "arg", table.move(argv, 1, #argv, 1, { [0] = name }))
    return exit_status(name, chunk(table.unpack(argv)))
  end, function(e)
    if type(e) == "table" or not ctx.debug then return e end
    return debug.traceback(tostring(e), 2)
  end)
  rawset(_G, "arg", saved_arg)
  ctx.script, ctx.script_name = saved_script, saved_name
  if ok then return result end
  if type(result) == "table" and math.type(result.code) == "integer" then
    return result.code, tostring(result.message or "")
  end
  return EXIT_USAGE, tostring(result)
end

---Entry point from core/main.c: args[0] is the program, args[1..] its
---arguments. Returns the exit code.
function M.main(args)
  -- argparse is part of the build (Debian's lua-argparse, embedded): the
  -- embedded, precompiled copy wins over whatever version a machine has.
  package.preload.argparse = function(...)
    return assert(builtin.load("lua/argparse.lua"))(...)
  end
  -- require("sesslua").version / .level / .require(n): the API module
  package.preload.sesslua = function() return require("sesslua.api") end
  local opts = parse_options(args)
  local root, root_source = find_root(opts.root)
  local trusted = trust.check(root)
  local all_dirs = search_dirs(root, trusted)
  local ctx = {
    root = root, root_source = root_source, session = opts.session,
    debug = opts.debug, color = opts.color, trusted = trusted, search_dirs = used_dirs(all_dirs),
    all_search_dirs = all_dirs,
  }
  package.loaded["sesslua.context"] = ctx
  set_package_path(ctx.search_dirs)
  -- modules on the search path are read as scripts are: beneath the root
  package.searchers[2] = trust.searcher
  if not trusted then note_skipped_modules(ctx) end

  if opts.action == "help" then io.write(USAGE, "\n", HELP, "\n"); return 0 end
  if opts.action == "version" then print_version(opts.json); return 0 end
  if opts.action == "list" then print_list(ctx, opts.json); return 0 end
  if opts.action == "which" then print_which(ctx, opts.which); return 0 end
  if opts.action == "describe" then
    -- --describe [NAME]: NAME is the word after the host options
    strict_globals()
    print_describe(ctx, args[opts.script_index]); return 0
  end

  local name = args[opts.script_index]
  if not name then
    io.write(USAGE, "\n\nworkflows:\n")
    print_list(ctx)
    return 0
  end
  -- `sesslua help [NAME]`: the host's help, or NAME's own --help (a
  -- team's help.lua wins, as any workflow name does)
  if name == "help" and not M.resolve(ctx, name) then
    local topic = args[opts.script_index + 1]
    if not topic then io.write(USAGE, "\n", HELP, "\n"); return 0 end
    -- the same command line without "help", asking for help at its end
    -- (`help message send` is `message send --help`)
    local without = { [0] = args[0] }
    for k = 1, #args do
      if k ~= opts.script_index then without[#without + 1] = args[k] end
    end
    without[#without + 1] = "--help"
    args, name = without, topic
  end
  local found, skipped = M.resolve(ctx, name)
  if not found then
    not_found(ctx, name, skipped)
  end
  if skipped then trust.note_skipped(ctx, team_rel(ctx, skipped.path)) end
  local chunk, err, code = load_script(found)
  if not chunk then load_failed(err, code) end
  ctx.script = found
  ctx.script_name = name
  -- as lua(1) gives it: arg[0] the script, arg[1..] its arguments, and at
  -- negative indices what came before: the program, then the host options
  -- (with none, arg[-1] is the program)
  local script_args = { [0] = name }
  for k = 0, opts.script_index - 1 do script_args[k - opts.script_index] = args[k] end
  for k = opts.script_index + 1, #args do script_args[#script_args + 1] = args[k] end
  rawset(_G, "arg", script_args)
  strict_globals()
  if ctx.debug or not asks_json(script_args) then
    return exit_status(name, chunk(table.unpack(script_args)))
  end
  -- under --json a failure is also a JSON document on stdout, so a program
  -- reading stdout learns it failed and why (the line on stderr stays)
  local ok, result = pcall(chunk, table.unpack(script_args))
  if not ok then
    local cli = require("sesslua.cli")
    pcall(cli.print_json, cli.error_json(result))
    error(result, 0)
  end
  return exit_status(name, result)
end

return M
