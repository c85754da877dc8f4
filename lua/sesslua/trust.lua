--- Trust: whether a coordination tree's own code (<root>/scripts/ and
--- <root>/hooks/) may run for this user. A tree arrives through git from
--- many people; as git never runs a repository's hooks and direnv and mise
--- ask once (`allow`, `trust`), sesslua runs a team's code only in a tree
--- the user trusted: its real path is listed, one per line, in
--- ${XDG_DATA_HOME:-~/.local/share}/sesslua/trusted. SESSLUA_TRUST=1
--- trusts every tree for one run (CI, agents that set up their own trees).
---
--- The host loads this module from the built-in copy before the search
--- path is in place, so no file on disk can replace it. It also reads
--- the code it lets run (M.loadfile, M.searcher): beneath the root, read
--- once, the text read being the text compiled.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")

local M = {}

local HEADER = "# Coordination roots whose team scripts and hooks sesslua runs for this user.\n"
  .. "# One real path a line; change with 'sesslua trust', 'sesslua trust --remove DIR'.\n"

---The file that lists the trusted roots. XDG says a relative
---XDG_DATA_HOME is to be ignored, as an unset one.
---@return string|nil path
---@return string|nil message when neither XDG_DATA_HOME nor HOME is set
---@return string|nil code "ENOENT"
function M.file()
  local base = sys.getenv("XDG_DATA_HOME")
  if not base or base:sub(1, 1) ~= "/" then
    local home = sys.getenv("HOME")
    if not home or home == "" then
      return nil, "no place to record trust: neither XDG_DATA_HOME nor HOME is set", "ENOENT"
    end
    base = home .. "/.local/share"
  end
  return base .. "/sesslua/trusted"
end

---The trusted roots in the text of the file, in file order.
local function parse(text)
  local out = {}
  for line in (text or ""):gmatch("[^\n]+") do
    line = line:gsub("\r$", "")
    if line:sub(1, 1) == "/" then out[#out + 1] = line end
  end
  return out
end

---The trusted roots, in the order they were trusted.
---@return string[]|nil roots real paths
---@return string|nil message when the file exists but cannot be read
---@return string|nil code
function M.list()
  local path, err, code = M.file()
  if not path then return nil, err, code end
  local text, rerr, rcode = fs.read(path)
  if not text and rcode ~= "ENOENT" then return nil, rerr, rcode end
  return parse(text)
end

---Whether SESSLUA_TRUST=1 trusts every tree for this run.
---@return boolean
function M.env()
  return sys.getenv("SESSLUA_TRUST") == "1"
end

---The real path of a folder that exists, as it is recorded.
---@param dir string
---@return string|nil real
---@return string|nil message
---@return string|nil code "ENOENT", "ENOTDIR", "EUSAGE" (a newline in the path)
function M.real(dir)
  local real, err, code = fs.realpath(dir)
  if not real then return nil, err, code end
  local st = fs.stat(real)
  if not st or st.type ~= "dir" then return nil, dir .. ": not a folder", "ENOTDIR" end
  if real:find("\n", 1, true) then
    return nil, dir .. ": a path with a line break cannot be recorded", "EUSAGE"
  end
  return real
end

local unreadable_said -- the trust file's failure is said once a run

---Whether the tree at root is trusted for this user and run.
---@param root string a coordination root (need not exist)
---@return boolean trusted
---@return string|nil why "SESSLUA_TRUST=1" or the trust file's path
function M.check(root)
  if M.env() then return true, "SESSLUA_TRUST=1" end
  local real = fs.realpath(root) -- a root that is not there runs nothing anyway
  if not real then return false end
  local roots, err, code = M.list()
  if not roots then
    -- a list that is there but cannot be read: not trusted, but not
    -- silently (`sesslua trust` would not help); no HOME: nothing to say
    if code ~= "ENOENT" and not unreadable_said then
      unreadable_said = true
      io.stderr:write(("sesslua: warning: %s; no tree's own scripts or hooks run\n"):format(
        sys.escape_controls(err)))
    end
    return false
  end
  for _, r in ipairs(roots) do
    if r == real then return true, M.file() end
  end
  return false
end

---Rewrite the trust file under its lock with the roots fn returns.
local function edit(fn)
  local path, err, code = M.file()
  if not path then return nil, err, code end
  local ok, merr, mcode = fs.mkdir(fs.dirname(path))
  if not ok then return nil, merr, mcode end
  return fs.update(path, function(text)
    local roots = fn(parse(text))
    if not roots then return nil end
    return HEADER .. (#roots > 0 and table.concat(roots, "\n") .. "\n" or "")
  end, { create = true, mode = "0600" })
end

---Trust the tree at dir: record its real path (once).
---@param dir string a coordination root that exists
---@return string|nil real the path recorded
---@return boolean|string|nil added_or_message false when it was trusted already; the message on failure
---@return string|nil code on failure
function M.add(dir)
  local real, err, code = M.real(dir)
  if not real then return nil, err, code end
  local added = false
  local ok, werr, wcode = edit(function(roots)
    for _, r in ipairs(roots) do if r == real then return nil end end
    roots[#roots + 1] = real
    added = true
    return roots
  end)
  if not ok then return nil, werr, wcode end
  return real, added
end

---Stop trusting a tree: its real path, or, for a folder that is gone, the
---path as given made absolute.
---@param dir string
---@return string|nil path the path looked for
---@return boolean|string|nil removed_or_message false when it was not trusted; the message on failure
---@return string|nil code on failure
function M.remove(dir)
  local wanted = fs.realpath(dir)
  if not wanted then
    local cwd = dir:sub(1, 1) ~= "/" and sys.cwd() or nil
    wanted = cwd and (cwd .. "/" .. dir) or dir
    wanted = wanted:gsub("/+$", "")
  end
  local removed = false
  local ok, err, code = edit(function(roots)
    local keep = {}
    for _, r in ipairs(roots) do
      if r == wanted then removed = true else keep[#keep + 1] = r end
    end
    return removed and keep or nil
  end)
  if not ok then return nil, err, code end
  return wanted, removed
end

---The command that trusts the tree at root, for hints: `sesslua trust`,
---or with the folder when --root named it (plain `trust` would find
---another tree).
---@param ctx sesslua.Context
---@return string
function M.command(ctx)
  if ctx.root_source == "--root" then return "sesslua trust " .. ctx.root end
  return "sesslua trust"
end

---Compile a script's text as Lua's loadfile compiles the file: a UTF-8
---BOM and a first line that starts with `#` are skipped (its newline kept,
---so line numbers stay), text chunks only, chunk name `@path`, so errors
---name the file as they did.
---@param text string
---@param path string the file the text was read from
---@return function|nil chunk
---@return string|nil message a syntax error, `path:line: ...`
function M.compile(text, path)
  if text:sub(1, 3) == "\239\187\191" then text = text:sub(4) end
  if text:sub(1, 1) == "#" then
    local nl = text:find("\n", 1, true)
    text = nl and text:sub(nl) or ""
  end
  return load(text, "@" .. path, "t")
end

---Read a workflow script, module or hook and compile it. The file is read
---once, through sesslua.fs, so one under the root is opened beneath it:
---a link out of the tree (a symlinked scripts/, hooks/ or file) is
---refused, never followed, and the text compiled is the text read.
---@param path string
---@return function|nil chunk
---@return string|nil message the read's `<path>: <reason>`, or a syntax error
---@return string|nil code fs's code ("EXDEV", "EACCES", ...) when the file could not be read; nil for a syntax error
function M.loadfile(path)
  local text, err, code = fs.read(path)
  if not text then return nil, err, code end
  return M.compile(text, path)
end

---A package.searchers entry that stands in for Lua's own file searcher:
---the same templates of package.path, in order, but each file read and
---compiled by M.loadfile, so a module under the root (a team's
---scripts/sesslua/x.lua) is read beneath it. A module that is, or lies
---in, a link out of the root stops the run (exit 5, the link named)
---rather than the next template's file loading in its place.
---@param modname string
---@return function|string loader, or the "no file" lines require prints
---@return string|nil path the file the loader was compiled from
function M.searcher(modname)
  local name = modname:gsub("%.", "/")
  local tried = {}
  for template in package.path:gmatch("[^;]+") do
    local path = template:gsub("%?", function() return name end)
    local text, err, code = fs.read(path)
    if text then
      local chunk, lerr = M.compile(text, path)
      if not chunk then
        error(("error loading module '%s' from file '%s':\n\t%s"):format(modname, path, lerr), 0)
      end
      return chunk, path
    end
    if code == "EXDEV" then error({ code = 5, message = err }, 0) end
    tried[#tried + 1] = "no file '" .. path .. "'"
  end
  return table.concat(tried, "\n\t")
end

local noted = {}

---Say once per run, on stderr, that a team file was skipped because the
---tree is not trusted.
---@param ctx sesslua.Context
---@param rel string the file under the root ("scripts/status.lua")
function M.note_skipped(ctx, rel)
  if noted[rel] then return end
  noted[rel] = true
  io.stderr:write(("sesslua: note: skipped the team's %s (this tree is not trusted); run '%s' to use it\n")
    :format(sys.escape_controls(rel), sys.escape_controls(M.command(ctx))))
end

return M
