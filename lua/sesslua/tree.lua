--- The coordination tree: where things live under the root, session ids,
--- which session is acting, and creating the tree.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local template = require("sesslua.template")

local M = {}

---A kind of shared knowledge.
---@class sesslua.KnowledgeKind
---@field type string "learning", "pattern", "troubleshooting", "best-practice"
---@field file string the file under shared-knowledge/ ("learnings.md")
---@field title string the file's title ("Shared Learnings")
---@field label string the word an entry's body starts with ("Learning")
---@field total string the counter's label ("Total Learnings")

---The paths under a coordination root.
---@class sesslua.TreePaths
---@field root string
---@field sessions string
---@field active string sessions/ACTIVE
---@field archive string sessions/ARCHIVE
---@field template string sessions/SESSION_LOG_TEMPLATE.md
---@field knowledge string shared-knowledge
---@field messages string
---@field scripts string
---@field current_session string .current_session

---The kinds of shared knowledge, in display order: file, title, the word
---an entry's body starts with, and the counter's label.
---@type sesslua.KnowledgeKind[]
M.KNOWLEDGE = {
  { type = "learning", file = "learnings.md", title = "Shared Learnings",
    label = "Learning", total = "Total Learnings" },
  { type = "pattern", file = "patterns.md", title = "Reusable Patterns",
    label = "Pattern", total = "Total Patterns" },
  { type = "troubleshooting", file = "troubleshooting.md", title = "Troubleshooting",
    label = "Troubleshooting", total = "Total Issues" },
  { type = "best-practice", file = "best-practices.md", title = "Best Practices",
    label = "Best Practice", total = "Total Practices" },
}

---Paths under a coordination root.
---@param root string
---@return sesslua.TreePaths paths
function M.paths(root)
  local sessions = root .. "/sessions"
  return {
    root = root,
    sessions = sessions,
    active = sessions .. "/ACTIVE",
    archive = sessions .. "/ARCHIVE",
    template = sessions .. "/SESSION_LOG_TEMPLATE.md",
    knowledge = root .. "/shared-knowledge",
    messages = root .. "/messages",
    scripts = root .. "/scripts",
    current_session = root .. "/.current_session",
  }
end

local byte, find, match = string.byte, string.find, string.match
local ID_SHAPE = "^[A-Za-z0-9][A-Za-z0-9._-]*$"

---Validate and normalise a session id: `12` means `session-12`.
---@param input string|nil `12`, `session-12`, any id
---@return string|nil id
---@return string|nil why when input is no valid id
function M.normalize_id(input)
  if input == nil or input == "" then return nil, "empty session id" end
  -- the common case in one test (status asks for every file's name); the
  -- checks below give the reason of a name that fails it
  local id = find(input, "^%d+$") and "session-" .. input or input
  if #id <= 100 and find(id, ID_SHAPE) and not find(id, "..", 1, true)
      and not M.is_document_name(id) then
    return id
  end
  if input:find("\0", 1, true) then return nil, "session id contains a NUL byte" end
  if input:match("^%d+$") then input = "session-" .. input end
  if input:find("..", 1, true) then return nil, "session id contains '..'" end
  if #input > 100 then return nil, "session id longer than 100 characters" end
  if not find(input, ID_SHAPE) then
    return nil, "session id must start with a letter or digit and hold only letters, digits, '.', '_' and '-'"
  end
  if M.is_document_name(input) then
    return nil, ("'%s' names a document kept beside the logs (README, templates), not a session"):format(input)
  end
  return input
end

-- Files teams keep beside the logs in ACTIVE/ and ARCHIVE/ (a README, a
-- copy of the template): never sessions.
local DOCUMENTS = { readme = true, changelog = true, license = true, contributing = true }

---Whether a name (without .md) is such a document: README, CHANGELOG,
---LICENSE, CONTRIBUTING, or a template (`template`, `SESSION_LOG_TEMPLATE`,
---`log-template`). A session about templates (`template-migration`) is
---still a session.
---@param name string a file name without .md
---@return boolean
function M.is_document_name(name)
  -- every such name ends in e or g (readme, license, template; changelog,
  -- contributing): one byte settles most names, a session's among them
  local last = byte(name, -1)
  if last ~= 101 and last ~= 69 and last ~= 103 and last ~= 71 then return false end
  local lower = name:lower()
  return DOCUMENTS[lower] == true or lower == "template" or lower:find("[_%-%.]template$") ~= nil
end

---A key that sorts ids naturally: runs of digits by value, so session-2
---comes before session-10.
local ZEROS = ("0"):rep(12)
local function pad_digits(d)
  if byte(d, 1) == 48 then d = d:match("^0*(%d-%d)$") end -- leading zeros do not count
  local n = #d
  return n < 12 and ZEROS:sub(n + 1) .. d or d
end
---@param id string
---@return string key
function M.natural_key(id)
  -- one run of digits (session-12, session-12.md) without gsub's call back
  -- into Lua for it; any other shape through gsub
  local head, digits, tail = match(id, "^(%D*)(%d+)(%D*)$")
  if head then return head .. pad_digits(digits) .. tail end
  return (id:gsub("%d+", pad_digits))
end

---Whether id a sorts before id b naturally (ties by bytes).
---@param a string
---@param b string
---@return boolean
function M.natural_less(a, b)
  local ka, kb = M.natural_key(a), M.natural_key(b)
  if ka ~= kb then return ka < kb end
  return a < b
end

---The short form used by the original template's `Session [ID]`:
---`session-12` -> `12`; other ids stay as they are.
---@param id string
---@return string
function M.short_id(id)
  return id:match("^session%-(.+)$") or id
end

---The acting session: --session, $SESSLUA_SESSION, then the root's
---.current_session file (what the shell scripts wrote).
---@param ctx sesslua.Context
---@return string|nil id nil when no source gives one; raises {code = 2, message} for an invalid one
---@return string|nil source "--session", "SESSLUA_SESSION" or the file's path
function M.current_session(ctx)
  local sources = {
    option = function() return ctx.session ~= "" and ctx.session or nil, "--session" end,
    env = function()
      local env = sys.getenv("SESSLUA_SESSION")
      return env ~= "" and env or nil, "SESSLUA_SESSION"
    end,
    file = function()
      for _, path in ipairs({ M.paths(ctx.root).current_session, ".current_session" }) do
        local text = fs.read(path)
        local id = text and text:match("^%s*(%S+)")
        if id then return id, path end
      end
    end,
  }
  local order = require("sesslua.config").get(ctx).values.session_sources
    or { "option", "env", "file" }
  for _, name in ipairs(order) do
    local raw, source = sources[name]()
    if raw then
      -- it is written into logs (Updated By, Shared By): an id, normalised
      local id, why = M.normalize_id(raw)
      if not id then
        error({ code = 2, message = ("invalid session id '%s' (the acting session, from %s): %s"):format(
          raw, source, why) }, 0)
      end
      return id, source
    end
  end
  return nil
end

---The session a workflow acts on: the ID argument, else the acting
---session; validated.
---@param ctx sesslua.Context
---@param given string|nil the ID argument
---@return string|nil id
---@return string|nil message with a hint
---@return string|nil code "EUSAGE"
function M.session_arg(ctx, given)
  local raw = given
  if raw == nil then
    raw = M.current_session(ctx)
    if raw == nil then
      return nil, "no session given\nhint: pass an ID, --session ID, set SESSLUA_SESSION, "
        .. "or write the id to " .. M.paths(ctx.root).current_session, "EUSAGE"
    end
  end
  local id, why = M.normalize_id(raw)
  if not id then return nil, ("invalid session id '%s': %s"):format(raw, why), "EUSAGE" end
  return id
end

---Whether path is a regular file, or a symlink to one inside the root (a
---link committed into the tree must not make sesslua read or print files
---from elsewhere, such as ~/.ssh).
---@param ctx sesslua.Context
---@param path string
---@return boolean safe
---@return string|nil code "ENOENT", "EISDIR", "EINVAL" or "EACCES" when not safe
function M.safe_file(ctx, path)
  local st, err, code = fs.stat(path)
  -- a folder on the way that is a link out of the root or a file says so
  if not st then return false, code or "ENOENT", err end
  if st.type == "file" then return true end
  if st.type == "dir" then return false, "EISDIR" end
  if st.type ~= "link" then return false, "EINVAL" end
  local real, root = fs.realpath(path), fs.realpath(ctx.root)
  if real and root and real:sub(1, #root + 1) == root .. "/" then
    local target = fs.stat(real)
    return target ~= nil and target.type == "file", "EINVAL"
  end
  return false, "EACCES"
end

---What a log's file name says: {name, id, path, archive_date}; in ARCHIVE
---(`archived`) the id and date come from the name `<id>-YYYY-MM-DD[-N].md`.
---@param dir string
---@param name string the file name, `<id>.md`
---@param archived? boolean read the name as ARCHIVE writes it
---@return {name: string, id: string, path: string, archive_date: string|nil}
function M.describe_log(dir, name, archived)
  local id, date = name:sub(1, -4), nil
  if archived then
    local i, d = id:match("^(.-)%-(%d%d%d%d%-%d%d%-%d%d)%-?%d*$")
    if i then id, date = i, d end
  end
  return { name = name, id = id, path = dir .. "/" .. name, archive_date = date }
end

-- The id of an ARCHIVE name without ".md": what comes before -YYYY-MM-DD[-N].
local ARCHIVED_ID = "^(.-)%-%d%d%d%d%-%d%d%-%d%d%-?%d*$"

-- Whether a *.md file name is a session's log by its name: a session id
-- (normalize_id), in ARCHIVE the part before the date.
local function is_log_name(name, archived)
  local id = name:sub(1, -4)
  if archived then id = match(id, ARCHIVED_ID) or id end
  return M.normalize_id(id) ~= nil
end

-- fs.list_portable kept the names whose stem has an id's shape: what is
-- left to settle is a name too long for an id (a stem over 92 bytes, as
-- "session-" is put before a number), a document (its stem ends in e or g:
-- is_document_name) and, in ARCHIVE, the id before the date. C marks the
-- first two (LOOK). Most names need nothing, and the table is returned as
-- it came.
local LOOK = { last = "eEgG", over = 92 }
-- In ARCHIVE: where the date starts (the first place it matches, as
-- ARCHIVED_ID's shortest id), so that a name of at most 95 bytes whose id
-- is not empty and ends in no e or g is a log without the whole rule (its
-- id is a prefix of a stem C checked, and at most 81 bytes).
local DATE_TAIL = "%-%d%d%d%d%-%d%d%-%d%d%-?%d*%.md$"
local function archived_log_name(name)
  local at = #name <= 95 and find(name, DATE_TAIL)
  local last = at and at > 1 and byte(name, at - 1)
  if last and last ~= 101 and last ~= 69 and last ~= 103 and last ~= 71 then return true end
  return is_log_name(name, true)
end
local function drop_non_logs(names, marked, archived)
  local bad
  for k = 1, archived and #names or #marked do
    local i = archived and k or marked[k]
    if not (archived and archived_log_name(names[i]) or not archived and is_log_name(names[i])) then
      bad = bad or {}
      bad[#bad + 1] = i
    end
  end
  if not bad then return names end
  local out, b = {}, 1
  for i = 1, #names do
    if i == bad[b] then b = b + 1 else out[#out + 1] = names[i] end
  end
  return out
end

---The file names of the *.md logs of a folder that are safe to read, in
---natural id order (session-2 before session-10): one string per log, so
---a walk over ten thousand logs holds little more than their names.
---Files whose names are no session id (README.md, SESSION_LOG_TEMPLATE.md,
---"my notes.md") are left out silently: they are documents, not logs.
---warn(message) is called for each unsafe file skipped.
---@param ctx sesslua.Context
---@param dir string
---@param warn? fun(message: string) called for each unsafe file skipped
---@param archived? boolean names as ARCHIVE writes them
---@return string[] names empty when the folder cannot be listed
---@return string|nil message why the folder could not be listed (not when it is missing)
---@return string|nil code fs.list's failure code
function M.log_names(ctx, dir, warn, archived)
  -- regular files in natural order (as the key sys.natural_sort makes
  -- from the name without ".md"), and apart the rare rest: links, folders
  local names, others, marked = fs.list_portable(dir, ".md", LOOK)
  -- a folder that is not there has no logs; one that cannot be listed
  -- (a link out of the root, a file, no permission) is a failure to report
  if not names then
    if marked ~= "ENOENT" then return {}, others, marked end
    return {}
  end
  names = drop_non_logs(names, marked, archived)
  local linked = false
  for _, o in ipairs(others) do
    if not is_log_name(o.name, archived) then
      -- not a session's log
    elseif o.type == "link" and M.safe_file(ctx, dir .. "/" .. o.name) then
      names[#names + 1] = o.name
      linked = true
    elseif warn then
      warn(dir .. "/" .. o.name .. ": not a regular file inside the coordination root; skipped")
    end
  end
  -- a link to a log inside the root takes its place in the order
  if linked then sys.natural_sort(names, 3) end
  return names
end

---The logs of a folder (tree.log_names) as tree.describe_log tables.
---@param ctx sesslua.Context
---@param dir string
---@param warn? fun(message: string)
---@param archived? boolean
---@return {name: string, id: string, path: string, archive_date: string|nil}[] files
---@return string|nil message as tree.log_names
---@return string|nil code
function M.log_files(ctx, dir, warn, archived)
  local out = {}
  local names, err, code = M.log_names(ctx, dir, warn, archived)
  for i, name in ipairs(names) do
    out[i] = M.describe_log(dir, name, archived)
  end
  return out, err, code
end

---The newest archived log of session `id` (ARCHIVE's `<id>-YYYY-MM-DD[-N].md`,
---the latest date and then the highest N), or nil when it has none.
---@param ctx sesslua.Context
---@param id string a normalised session id
---@return string|nil path
---@return string|nil archive_date YYYY-MM-DD
function M.archived_log(ctx, id)
  local dir = M.paths(ctx.root).archive
  local best, best_key, best_date
  for _, name in ipairs((M.log_names(ctx, dir, nil, true))) do
    local f = M.describe_log(dir, name, true)
    if f.id == id and f.archive_date then
      local n = tonumber(name:match("%d%d%d%d%-%d%d%-%d%d%-(%d+)%.md$")) or 0
      local key = ("%s %09d"):format(f.archive_date, n)
      if not best_key or key > best_key then best, best_key, best_date = f.path, key, f.archive_date end
    end
  end
  return best, best_date
end

---The active log of a session that must exist.
---@param ctx sesslua.Context
---@param id string a normalised session id
---@return string|nil path
---@return string|nil message
---@return string|nil code "ENOENT", "EACCES", "EISDIR" or "EINVAL"
function M.existing_log(ctx, id)
  local path = M.log_path(ctx.root, id)
  local safe, why, detail = M.safe_file(ctx, path)
  if safe then return path end
  local folder, ferr, fcode = M.root_is_folder(ctx)
  if not folder then return nil, ferr, fcode end
  if detail and why ~= "ENOENT" then return nil, detail, why end
  if why == "EACCES" then
    return nil, path .. ": a symlink to outside the coordination root; refused", "EACCES"
  elseif why == "EISDIR" then
    return nil, path .. ": Is a directory", "EISDIR"
  elseif why == "EINVAL" then
    return nil, path .. ": not a regular file", "EINVAL"
  end
  local archived = M.archived_log(ctx, id)
  if archived then
    return nil, ("%s: no active log for %s: it was archived (%s)\nhint: sesslua view.lua %s shows "
      .. "it; sesslua create.lua %s ROLE GOAL starts a new one"):format(path, id, archived, id, id), "ENOENT"
  end
  return nil, ("%s: no active log for %s\nhint: sesslua create.lua %s ROLE GOAL, "
    .. "or sesslua list.lua to see the sessions"):format(path, id, id), "ENOENT"
end

---The session a workflow acts on and its active log, which must exist.
---@param ctx sesslua.Context
---@param given string|nil the ID argument
---@return string|nil id
---@return string|nil path_or_message the log's path; the message on failure
---@return string|nil code "EUSAGE" or "ENOENT" (and the like) on failure
function M.resolve_log(ctx, given)
  local id, err, code = M.session_arg(ctx, given)
  if not id then return nil, err, code end
  local path, perr, pcode = M.existing_log(ctx, id)
  if not path then return nil, perr, pcode end
  return id, path
end

---The coordination root must exist (for workflows that only read): a
---mistyped --root must not look like an empty team.
---@param ctx sesslua.Context
---@return string|nil root
---@return string|nil message
---@return string|nil code "ENOENT", or "ENOTDIR" for a root that is a file
function M.require_root(ctx)
  local ok, err, code = M.root_is_folder(ctx)
  if not ok then return nil, err, code end
  if fs.exists(ctx.root) then return ctx.root end
  return nil, ("%s: no coordination tree here\nhint: check --root / $SESSLUA_ROOT, or create one "
    .. "with sesslua init.lua"):format(ctx.root), "ENOENT"
end

---Whether the root is a folder, or not there yet: a root that names a
---file (`SESSLUA_ROOT=notes.md`) must not look like an empty team.
---@param ctx sesslua.Context
---@return boolean|nil ok true for a folder (or a link to one) or nothing there
---@return string|nil message
---@return string|nil code "ENOTDIR" (exit 3)
function M.root_is_folder(ctx)
  -- stat of "<root>/." follows a link to a folder and fails on a file
  local st, _, code = fs.stat(ctx.root .. "/.")
  if st or code ~= "ENOTDIR" or not fs.exists(ctx.root) then return true end
  return nil, ("%s: not a folder; the coordination root is a folder\nhint: check --root / "
    .. "$SESSLUA_ROOT (they name the folder that holds sessions/)"):format(ctx.root), "ENOTDIR"
end

---Path of an active log.
---@param root string
---@param id string
---@return string
function M.log_path(root, id)
  return M.paths(root).active .. "/" .. id .. ".md"
end

---The text of a knowledge file with no entries yet.
---@param kind sesslua.KnowledgeKind a M.KNOWLEDGE entry
---@param ctx sesslua.Context
---@return string text raises when the template is missing
function M.knowledge_header(kind, ctx)
  return template.fill(template.read(ctx, "knowledge.md"), {
    ["{{title}}"] = kind.title, ["{{total}}"] = kind.total, ["{{type}}"] = kind.type,
  })
end

---Create whatever part of the tree is missing; never overwrite.
---@param ctx sesslua.Context
---@return {path: string, created: boolean}[]|nil report
---@return string|nil message
---@return string|nil code
function M.ensure(ctx)
  local folder, ferr, fcode = M.root_is_folder(ctx)
  if not folder then return nil, ferr, fcode end
  local p = M.paths(ctx.root)
  local report = {}
  local function note(path, created) report[#report + 1] = { path = path, created = created } end
  for _, dir in ipairs({ p.root, p.sessions, p.active, p.archive, p.knowledge, p.messages, p.scripts }) do
    local existed = fs.exists(dir)
    local ok, err, code = fs.mkdir(dir)
    if not ok then return nil, err, code end
    note(dir, not existed)
  end
  local files = {
    { p.template, function() return template.read(ctx, "session-log.md") end },
    { p.scripts .. "/README.md", function() return template.read(ctx, "scripts-readme.md") end },
  }
  for _, kind in ipairs(M.KNOWLEDGE) do
    files[#files + 1] = { p.knowledge .. "/" .. kind.file,
                          function() return M.knowledge_header(kind, ctx) end }
  end
  for _, f in ipairs(files) do
    -- look first: a complete tree on a read-only disk is fine as it is
    local ok, err, code = false, nil, "EEXIST"
    if not fs.exists(f[1]) then ok, err, code = fs.write(f[1], f[2](), { exclusive = true }) end
    if not ok and code ~= "EEXIST" then return nil, err, code end
    note(f[1], ok == true)
  end
  return report
end

return M
