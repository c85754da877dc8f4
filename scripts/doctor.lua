--- Check the tree's health: leftovers, stray locks, links out, counters, broken messages.
-- The checks live here, not in lua/, as no other workflow uses them: what
-- killed writers left, links out of the root, files where folders belong,
-- knowledge counters that disagree with their entries, message files that
-- are no message; and the repairs that are safe. Reading changes nothing;
-- only fix() writes, and it never removes anything a person wrote.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local json = require("sesslua.json")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local messages = require("sesslua.messages")
local md = require("sesslua.md")
local git = require("sesslua.git")

local doctor = {}

---One problem found.
---@class sesslua.doctor.Problem
---@field kind "leftover"|"unheld_lock"|"link_outside"|"not_a_folder"|"not_a_file"|"knowledge_total"|"invalid_message"|"git_driver_missing"
---@field path string
---@field message string what is wrong, for people
---@field fixable boolean whether doctor.fix repairs it

-- As fs_sweep (core/fs.c) decides: a writer older than this is gone.
local LEFTOVER_MAX_AGE = 3600

---What a name in a folder is to the sweep: "temp" (`.<name>.tmp-<pid>-<hex>`),
---"probe" (`.sesslua-probe-<pid>-...lock`), "lock" (any other `*.lock`) or
---nil; and the pid for the first two.
---@param name string
---@return string|nil kind
---@return integer|nil pid
function doctor.leftover_kind(name)
  if name:sub(1, 15) == ".sesslua-probe-" and #name > 20 and name:sub(-5) == ".lock" then
    local pid = name:match("^%.sesslua%-probe%-(%d+)%-")
    pid = pid and math.tointeger(tonumber(pid))
    if pid and pid > 0 then return "probe", pid end
    return "lock"
  end
  if #name > 5 and name:sub(-5) == ".lock" then return "lock" end
  local digits, hex = name:match("^%..+%.tmp%-(%d+)%-(%x+)$")
  if digits and #digits <= 10 and #hex <= 16 and tonumber(digits) > 0 then
    return "temp", math.tointeger(tonumber(digits))
  end
end

---Whether the process pid is gone on this host, as far as /proc tells
---(without /proc, the age alone decides).
local function gone(pid)
  if pid == sys.getpid() then return false end
  return fs.exists("/proc/self") and not fs.exists("/proc/" .. pid)
end

---The leftovers of folder dir that fs.sweep(dir) would remove now.
---@param dir string
---@param names string[] every name of dir, hidden ones included
---@param types table<string, string> their types
---@param now number
---@return sesslua.doctor.Problem[]
local function leftovers(dir, names, types, now)
  local out = {}
  for _, name in ipairs(names) do
    local kind, pid = doctor.leftover_kind(name)
    local path = dir .. "/" .. name
    local st = kind and types[name] ~= "link" and types[name] ~= "dir" and fs.stat(path)
    if st and st.type == "file" then
      local stale = kind == "lock" and st.size == 0
        or (kind ~= "lock" and (gone(pid) or now - st.mtime > LEFTOVER_MAX_AGE))
      if stale and fs.held(path) == false then
        out[#out + 1] = {
          kind = kind == "lock" and "unheld_lock" or "leftover", path = path, fixable = true,
          message = kind == "temp" and "a temp file left by a writer that is gone"
            or kind == "probe" and "a probe lock left by a process that is gone"
            or "an empty lock file no process holds",
        }
      end
    end
  end
  return out
end

---Whether path lies inside root (both real paths).
local function inside(real, root)
  return real == root or real:sub(1, #root + 1) == root .. "/"
end

---Walk the tree from dir without following links: leftovers in every
---folder, and links whose target is outside the root.
local function walk(dir, real_root, now, out)
  local names, types, code = fs.list(dir, nil, true, true)
  if not names then
    -- a folder that cannot be read (EIO, a link loop) was not checked:
    -- said, never taken for a clean one
    if code ~= "ENOENT" then cli.warn(("%s; not checked"):format(types)) end
    return
  end
  for _, p in ipairs(leftovers(dir, names, types, now)) do out[#out + 1] = p end
  for _, name in ipairs(names) do
    local path = dir .. "/" .. name
    if types[name] == "dir" then
      walk(path, real_root, now, out)
    elseif types[name] == "link" then
      local real = fs.realpath(path)
      if real and not inside(real, real_root) then
        out[#out + 1] = { kind = "link_outside", path = path, fixable = false,
                          message = "a symlink that leads out of the coordination root, to " .. real }
      end
    end
  end
end

---Where the tree needs a folder or a file and has something else.
local function shapes(ctx, out)
  local p = tree.paths(ctx.root)
  local folders = { p.root, p.sessions, p.active, p.archive, p.knowledge, p.messages,
                    p.messages .. "/broadcast" }
  local boxes, err, code = fs.list(p.messages)
  -- a link out of the root is reported by walk as link_outside
  if not boxes and code ~= "ENOENT" and code ~= "EXDEV" then
    cli.warn(("%s; its mailboxes were not checked"):format(err))
  end
  for _, name in ipairs(boxes or {}) do
    -- a mailbox is named by a session id; a README.md or notes.txt beside
    -- the mailboxes is a document, not a mailbox
    local document = name:lower():find("%.md$") or name:lower():find("%.txt$")
      or name:lower():find("%.json$")
    if name ~= "broadcast" and not document and tree.normalize_id(name) == name then
      local box = p.messages .. "/" .. name
      if (fs.stat(box) or {}).type == "dir" then
        folders[#folders + 1] = box .. "/new"; folders[#folders + 1] = box .. "/cur"
      else
        folders[#folders + 1] = box
      end
    end
  end
  for _, dir in ipairs(folders) do
    local st = fs.stat(dir)
    if st and st.type ~= "dir" and st.type ~= "link" then
      out[#out + 1] = { kind = "not_a_folder", path = dir, fixable = false,
                        message = ("a %s where a folder belongs"):format(st.type == "file" and "file" or st.type) }
    end
  end
  for _, kind in ipairs(tree.KNOWLEDGE) do
    local path = p.knowledge .. "/" .. kind.file
    local st = fs.stat(path)
    if st and st.type == "dir" then
      out[#out + 1] = { kind = "not_a_file", path = path, fixable = false,
                        message = "a folder where the knowledge file belongs" }
    end
  end
end

---The Total lines of a knowledge text that disagree with n: `{a, b}`
---byte ranges of their numbers ([a, b), empty for an empty value). Lines
---inside entries or code are the entries' own text.
---@param text string
---@param n integer
---@return integer[][] ranges
function doctor.wrong_totals(text, n)
  local entries, out = knowledge.entries(text), {}
  local function in_entry(pos)
    for _, e in ipairs(entries) do
      if pos >= e.start and pos < e.stop then return true end
    end
  end
  local pos = 1
  while pos <= #text do
    local line_end = text:find("\n", pos, true) or #text + 1
    local line = text:sub(pos, line_end - 1)
    local lead = line:match("^[ \t]*%*%*[Tt]otal [^\n*]-:%*%*[ \t]*")
      or line:match("^[ \t]*%*%*[Tt]otal [^\n*]-%*%*:[ \t]*")
    local digits = lead and line:match("^(%d*)[ \t]*\r?$", #lead + 1)
    if digits and digits ~= tostring(n) and not in_entry(pos) and not md.in_code(text, pos) then
      out[#out + 1] = { pos + #lead, pos + #lead + #digits }
    end
    pos = line_end + 1
  end
  return out
end

---Text with every disagreeing Total line set to its true count.
local function set_totals(text)
  local n = knowledge.count(text)
  local ranges = doctor.wrong_totals(text, n)
  if #ranges == 0 then return nil end
  local parts, at = {}, 1
  for _, r in ipairs(ranges) do
    parts[#parts + 1] = text:sub(at, r[1] - 1); parts[#parts + 1] = tostring(n); at = r[2]
  end
  parts[#parts + 1] = text:sub(at)
  return table.concat(parts)
end

local function totals(ctx, out)
  for _, kind in ipairs(tree.KNOWLEDGE) do
    local path = knowledge.path(ctx.root, kind)
    local text = tree.safe_file(ctx, path) and fs.read(path)
    if text then
      local n = knowledge.count(text)
      if #doctor.wrong_totals(text, n) > 0 then
        out[#out + 1] = { kind = "knowledge_total", path = path, fixable = true,
                          message = ("a Total line that disagrees with its %d entr%s"):format(n, n == 1 and "y" or "ies") }
      end
    end
  end
end

local REQUIRED = { "id", "from", "to", "subject", "priority", "sent" }

---Why a message file's text is no message, or nil.
---@param text string
---@param name string the file name, `<id>.json`
---@return string|nil why
function doctor.message_problem(text, name)
  local ok, m = pcall(json.decode, text)
  if not ok or type(m) ~= "table" then return "not JSON, or not a JSON object" end
  for _, k in ipairs(REQUIRED) do
    if type(m[k]) ~= "string" then return ("no '%s' (a string)"):format(k) end
  end
  if m.id .. ".json" ~= name then return ("its id '%s' is not its file name"):format(m.id) end
  if not messages.priority(m.priority) then return ("priority '%s' is none of low, normal, high, urgent"):format(m.priority) end
  for _, k in ipairs({ "body", "reply_to" }) do
    if m[k] ~= nil and m[k] ~= json.null and type(m[k]) ~= "string" then
      return ("'%s' is neither text nor null"):format(k)
    end
  end
end

local function check_messages(ctx, out)
  for _, dir in ipairs(messages.folders(ctx)) do
    local names, types = fs.list(dir, ".json", true)
    for _, name in ipairs(names or {}) do
      if messages.is_ours(name) and types[name] == "file" then
        local text, err = fs.read(dir .. "/" .. name)
        local why = text and doctor.message_problem(text, name) or (not text and err)
        if why then
          out[#out + 1] = { kind = "invalid_message", path = dir .. "/" .. name, fixable = false,
                            message = "not a valid message: " .. why }
        end
      end
    end
  end
end

---The tree's .gitattributes names the sesslua merge driver while the
---repository's config lacks it: git ignores such an attribute silently
---and merges the files as text, conflicts and all. git runs only when the
---attributes name the driver.
local function git_driver(ctx, out)
  if not git.attributes_name_driver(ctx.root) or not git.repo(ctx.root) then return end
  local attrs = ctx.root .. "/.gitattributes"
  local driver = git.configured_driver(ctx.root)
  local program = driver and (driver:match("^'([^']+)'") or driver:match("^(%S+)"))
  if program and program:find("/", 1, true) and not fs.exists(program) then
    out[#out + 1] = { kind = "git_driver_missing", path = fs.exists(attrs) and attrs or ctx.root, fixable = true,
      message = ("merge.sesslua.driver runs %s, which is not there: git reports every merge of "
        .. "these files as a conflict (sesslua init.lua --git sets this sesslua)"):format(program) }
    return
  end
  if driver then return end
  out[#out + 1] = { kind = "git_driver_missing", path = fs.exists(attrs) and attrs or ctx.root, fixable = true,
    message = "git's attributes name the merge driver 'sesslua', but merge.sesslua.driver is not set in the "
      .. "repository's config: git merges these files as plain text (sesslua init.lua --git sets it)" }
end

---Every problem of the tree, leftovers first; reads only.
---@param ctx sesslua.Context
---@return sesslua.doctor.Problem[] problems
function doctor.check(ctx)
  local out = {}
  local real_root = fs.realpath(ctx.root) or ctx.root
  walk(ctx.root, real_root, os.time(), out)
  shapes(ctx, out)
  totals(ctx, out)
  check_messages(ctx, out)
  git_driver(ctx, out)
  return out
end

---Repair what is safe: leftovers and unheld empty locks through fs.sweep
---(the writers' own rules, so nothing in use goes), and Total lines set to
---the true count under the knowledge file's lock. Links, misplaced files
---and invalid messages are people's data: they are left for a person.
---@param ctx sesslua.Context
---@param problems sesslua.doctor.Problem[] from doctor.check
---@return sesslua.doctor.Problem[] fixed
---@return {path: string, message: string}[] failed
function doctor.fix(ctx, problems)
  local swept, fixed, failed = {}, {}, {}
  for _, p in ipairs(problems) do
    if p.kind == "leftover" or p.kind == "unheld_lock" then
      local dir = fs.dirname(p.path)
      if not swept[dir] then
        swept[dir] = true
        local n, err = fs.sweep(dir)
        if not n then failed[#failed + 1] = { path = dir, message = err } end
      end
    elseif p.kind == "knowledge_total" then
      local ok, err = fs.update(p.path, set_totals)
      if ok then fixed[#fixed + 1] = p else failed[#failed + 1] = { path = p.path, message = err } end
    elseif p.kind == "git_driver_missing" then
      local ok, err = git.setup(ctx.root)
      if ok then fixed[#fixed + 1] = p else failed[#failed + 1] = { path = p.path, message = err } end
    end
  end
  for _, p in ipairs(problems) do
    if (p.kind == "leftover" or p.kind == "unheld_lock") and not fs.exists(p.path) then
      fixed[#fixed + 1] = p
    end
  end
  return fixed, failed
end

local parser = cli.parser("doctor.lua", "Check the coordination tree's health; --fix repairs what is safe.",
  -- one paragraph per line: argparse wraps it to the help's width
  "Finds temp and probe files of writers that are gone, empty lock files no process holds, "
  .. "symlinks that lead out of the root, files where folders belong, knowledge Total lines "
  .. "that disagree with the entries, message files that are no message, and a .gitattributes "
  .. "naming the sesslua merge driver that .git/config lacks. --fix removes the leftovers "
  .. "(as writers sweep them), sets Total lines to the true count and configures the driver; links, "
  .. "misplaced files and broken messages are left for a person.\n\n"
  .. "Exit 0 when healthy, 1 when problems remain.")
parser:flag("--fix", "Repair what is safe to repair.")
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)

cli.check(require("sesslua.tree").require_root(ctx))
local problems = doctor.check(ctx)
local fixed, failed = {}, {}
if args.fix then
  fixed, failed = doctor.fix(ctx, problems)
  problems = doctor.check(ctx)
end

local function rel(path)
  local prefix = ctx.root .. "/"
  return sys.escape_controls(path:sub(1, #prefix) == prefix and path:sub(#prefix + 1) or path)
end

if args.json then
  local function rows(list)
    local out = {}
    for i, p in ipairs(list) do
      -- what the problem is: `problem`, as no `kind` is reused inside a document
      out[i] = { problem = p.kind, path = p.path, message = p.message, fixable = p.fixable == true }
    end
    return out
  end
  cli.print_json({ schema = 1, kind = "doctor", root = ctx.root, fix = args.fix == true,
                   healthy = #problems == 0, problems = rows(problems), fixed = rows(fixed),
                   failed = failed })
  return #problems == 0 and 0 or 1
end

for _, p in ipairs(fixed) do
  io.write(cli.paint("green", "fixed    "), rel(p.path), ": ", p.message, "\n")
end
for _, f in ipairs(failed) do
  cli.warn("could not fix " .. rel(f.path) .. ": " .. sys.escape_controls(f.message))
end
local fixable = 0
for _, p in ipairs(problems) do
  if p.fixable then fixable = fixable + 1 end
  io.write(cli.paint("red", "problem  "), rel(p.path), ": ", sys.escape_controls(p.message),
    p.fixable and " (doctor --fix repairs it)" or "", "\n")
end
if #problems == 0 then
  io.write("The tree at ", sys.escape_controls(ctx.root), " is healthy.\n")
  return 0
end
local n = ("%d problem%s"):format(#problems, #problems == 1 and "" or "s")
if fixable == #problems then
  io.write(n, ", all repaired by 'sesslua doctor --fix'.\n")
elseif fixable > 0 then
  io.write(n, (": %d repaired by 'sesslua doctor --fix', the others need a person.\n"):format(fixable))
else
  io.write(n, " that need a person.\n")
end
return 1
