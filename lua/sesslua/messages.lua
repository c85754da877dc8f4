--- Messages between sessions, delivered Maildir-style under <root>/messages/:
---
---   messages/<session>/new/<id>.json   direct, unread
---   messages/<session>/cur/<id>.json   direct, read
---   messages/broadcast/<id>.json       to everyone
---   messages/<session>/broadcast-read  ids of broadcasts that session read
---
--- Each message is one JSON file written by a real encoder (docs/messages.md),
--- created atomically (temp file, then link into place), with a unique,
--- time-sortable id. Nothing is ever overwritten.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local json = require("sesslua.json")
local tree = require("sesslua.tree")

local M = {}

---A message, as its file holds it (and `path`, `mailbox`, `read` when read back).
---@class sesslua.Message
---@field schema integer 1
---@field id string unique, sorting by time
---@field from string a session id
---@field to string a session id, or "broadcast"
---@field subject string
---@field body string|userdata text, or json.null
---@field priority string "low", "normal", "high" or "urgent"
---@field sent string UTC, `YYYY-MM-DDTHH:MM:SSZ`
---@field reply_to string|userdata an id, or json.null
---@field migrated_from string|nil the old file, for a message sesslua.migrate converted
---@field extra table|nil the old message's other fields, for a message sesslua.migrate converted
---@field path string|nil the file (M.load, M.inbox)
---@field mailbox "direct"|"broadcast"|nil M.inbox only: where it was delivered
---@field read boolean|nil M.inbox only

---What M.deliver takes.
---@class sesslua.NewMessage
---@field from string a normalised session id
---@field to string a session id, or "broadcast"
---@field subject string
---@field body? string
---@field priority? string default "normal"
---@field reply_to? string
---@field sent_epoch? number default now
---@field already_read? boolean deliver a direct message into cur/
---@field migrated_from? string
---@field extra? table an old message's fields sesslua has no key for (migrate)

---The priorities, lowest first.
---@type string[]
M.PRIORITIES = { "low", "normal", "high", "urgent" }
local RANK = { urgent = 4, high = 3, normal = 2, low = 1 }

---A valid priority word (any case) in lower case, or nil.
---@param word string|nil
---@return string|nil priority "low", "normal", "high" or "urgent"
function M.priority(word)
  local w = word and word:lower()
  if w and RANK[w] then return w end
end

---`<root>/messages` with the further arguments appended as path parts.
---@param root string the coordination root
---@param ... string path parts appended
---@return string path
local function dir(root, ...)
  return table.concat({ tree.paths(root).messages, ... }, "/")
end
M.dir = dir

local counter = 0
---A unique id that sorts by time: 20261125T175953.123456Z-<pid>-<n><rand>.
---@param now? number epoch seconds with a fraction (default sys.time())
---@return string id
function M.new_id(now)
  now = now or sys.time()
  counter = counter + 1
  local secs = math.floor(now)
  local micro = math.floor((now - secs) * 1e6)
  return ("%s.%06dZ-%d-%d%04x"):format(os.date("!%Y%m%dT%H%M%S", secs), micro,
    sys.getpid(), counter, math.random(0, 0xffff))
end

---Why a message cannot be delivered, or nil: from, to and subject are
---required, and from and to must be session ids ("broadcast" for to) —
---to names a folder, and a message with a nil field is no message.
local function refusal(m)
  for _, k in ipairs({ "from", "to", "subject" }) do
    if type(m[k]) ~= "string" or not m[k]:find("%S") then
      return ("message not delivered: '%s' is missing (from, to and subject are required)"):format(k)
    end
  end
  for _, k in ipairs({ "from", "to" }) do
    if not (k == "to" and m.to == "broadcast") and tree.normalize_id(m[k]) ~= m[k] then
      local _, why = tree.normalize_id(m[k])
      return ("message not delivered: '%s' is not a session id: %s"):format(k,
        why or ("write it as " .. tree.normalize_id(m[k])))
    end
  end
end

---Write a message into its folder; returns the message table.
---@param ctx sesslua.Context
---@param m sesslua.NewMessage
---@return sesslua.Message|nil message as written (no `path`)
---@return string|nil message the reason on failure
---@return string|nil code "EUSAGE" when m is incomplete, "EINVAL"/"EISDIR" for a log that is no file; fs.mkdir's and fs.write's codes
function M.deliver(ctx, m)
  local why = refusal(m)
  if why then return nil, why, "EUSAGE" end
  -- A log that is a FIFO (or a folder, a device) is no session to write
  -- to: refused before anything is written, and without opening it (fs.stat
  -- never opens, so a FIFO cannot make the send wait for a writer).
  if m.to ~= "broadcast" then
    local log = tree.log_path(ctx.root, m.to)
    local safe, code = tree.safe_file(ctx, log)
    if not safe and (code == "EINVAL" or code == "EISDIR") then
      return nil, ("message not delivered: %s: not a regular file (a FIFO, a folder or a device "
        .. "stands where the log belongs)"):format(log), code
    end
  end
  local now = m.sent_epoch or sys.time()
  local msg = {
    schema = 1, id = M.new_id(now), from = m.from, to = m.to, subject = m.subject,
    body = m.body or json.null, priority = m.priority or "normal",
    sent = os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(now)), reply_to = m.reply_to or json.null,
    migrated_from = m.migrated_from, extra = m.extra,
  }
  local folder = m.to == "broadcast" and dir(ctx.root, "broadcast")
    or dir(ctx.root, m.to, m.already_read and "cur" or "new")
  local ok, err, code = fs.mkdir(folder)
  if not ok then return nil, err, code end
  local text = json.encode(msg, { indent = "  " }) .. "\n"
  for _ = 1, 5 do -- a clash of ids is near impossible; never overwrite anyway
    ok, err, code = fs.write(folder .. "/" .. msg.id .. ".json", text, { exclusive = true })
    if ok then return msg end
    if code ~= "EEXIST" then return nil, err, code end
    msg.id = M.new_id()
  end
  return nil, err, code
end

local ID_SHAPE = "^%d%d%d%d%d%d%d%dT%d%d%d%d%d%d%.%d%d%d%d%d%dZ%-%d+%-%x+$"

---Whether s has the shape of a message id (only then is it safe to put in a
---path: an id comes from the command line or from anyone's message file).
---@param s any
---@return boolean
function M.is_id(s)
  return type(s) == "string" and #s <= 100 and s:match(ID_SHAPE) ~= nil
end

---Read one message file; nil and a reason when it is not valid.
---@param path string
---@return sesslua.Message|nil message with `path` set
---@return string|nil message the reason on failure
---@return string|nil code "EINVAL" for a file that is no message; fs.read's codes
function M.load(path)
  local text, err, code = fs.read(path)
  if not text then return nil, err, code end
  local m, jerr = json.decode(text)
  if type(m) ~= "table" or type(m.id) ~= "string" then
    return nil, path .. ": not a sesslua message (" .. (jerr or "no id") .. ")", "EINVAL"
  end
  m.path = path
  return m
end

---Our message files are named by id (20261125T...); other .json files
---in these folders are the shell scripts' (see migrate.lua).
---@param name string a file name
---@return boolean
local function is_ours(name)
  return name:match("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%d") ~= nil
end
M.is_ours = is_ours

---Our message files in folder. A folder that is not there holds none; one
---that cannot be listed (a link out of the root, EIO) is added to problems
---when given, so that a reader is told why, not "no messages".
local function list_json(folder, problems)
  local out = {}
  local names, err, code = fs.list(folder, ".json")
  if not names and code ~= "ENOENT" and problems then
    problems[#problems + 1] = { path = folder, message = err, code = code, folder = true }
  end
  for _, name in ipairs(names or {}) do
    if is_ours(name) then out[#out + 1] = folder .. "/" .. name end
  end
  return out
end

---The set of broadcast ids a session has read.
---@param ctx sesslua.Context
---@param session string
---@return table<string, boolean> ids
function M.broadcast_read(ctx, session)
  local set = {}
  local text = fs.read(dir(ctx.root, session, "broadcast-read")) or ""
  for id in text:gmatch("[^\n]+") do set[id] = true end
  return set
end

---Messages for a session: direct (new, and cur when all) and broadcasts
---(unread, or all), each with .read and .mailbox ("direct"/"broadcast").
---@param ctx sesslua.Context
---@param session string
---@param all? boolean also the read ones
---@return sesslua.Message[] messages with `path`, `mailbox` and `read`, sorted by M.sort
---@return {path: string, message: string, code: string|nil, folder: boolean|nil}[] problems files that could not be read or are no message, and folders that could not be listed (`folder` true)
function M.inbox(ctx, session, all)
  local out, problems = {}, {}
  local function add(path, read, mailbox)
    local m, err = M.load(path)
    if not m then problems[#problems + 1] = { path = path, message = err }; return end
    m.read, m.mailbox = read or m.migrated_from ~= nil, mailbox -- migrated ones are history
    out[#out + 1] = m
  end
  for _, p in ipairs(list_json(dir(ctx.root, session, "new"), problems)) do add(p, false, "direct") end
  if all then
    for _, p in ipairs(list_json(dir(ctx.root, session, "cur"), problems)) do add(p, true, "direct") end
  end
  local read = M.broadcast_read(ctx, session)
  for _, p in ipairs(list_json(dir(ctx.root, "broadcast"), problems)) do
    local id = p:match("([^/]+)%.json$")
    if all or not read[id] then
      local before = #out
      add(p, read[id] == true, "broadcast")
      local m = out[#out]
      if #out > before and (m.from == session or (m.migrated_from and not all)) then
        table.remove(out)
      end
    end
  end
  M.sort(out)
  return out, problems
end

---Every folder a message file may sit in: broadcast/, then each session's
---new/ and cur/ (folders that do not exist are listed too).
---@param ctx sesslua.Context
---@return string[] folders
function M.folders(ctx)
  local root = tree.paths(ctx.root).messages
  local folders = { root .. "/broadcast" }
  for _, name in ipairs(fs.list(root) or {}) do
    if name ~= "broadcast" then
      folders[#folders + 1] = root .. "/" .. name .. "/new"
      folders[#folders + 1] = root .. "/" .. name .. "/cur"
    end
  end
  return folders
end

---A lookup of messages by id in every mailbox (each session's new/ and
---cur/, and broadcast/): the message a reply answers usually sits in the
---other session's mailbox, or has been read already. Lists the folders once.
---@param ctx sesslua.Context
---@return fun(id: string): sesslua.Message|nil find
function M.finder(ctx)
  local folders
  return function(id)
    if not M.is_id(id) then return nil end
    folders = folders or M.folders(ctx)
    for _, folder in ipairs(folders) do
      local m = M.load(folder .. "/" .. id .. ".json")
      if m then return m end
    end
  end
end

---The message with this id in any mailbox, or nil.
---@param ctx sesslua.Context
---@param id string
---@return sesslua.Message|nil
function M.find(ctx, id)
  return M.finder(ctx)(id)
end

---The stored messages whose id starts with `prefix`, in every mailbox
---(each session's new/ and cur/, and broadcast/), each id once, sorted:
---what a unique prefix typed for an id (`--reply-to 20261125T1759`) names.
---@param ctx sesslua.Context
---@param prefix string compared as plain text
---@return {id: string, path: string}[] found
function M.with_prefix(ctx, prefix)
  local found, seen = {}, {}
  for _, folder in ipairs(M.folders(ctx)) do
    for _, path in ipairs(list_json(folder)) do
      local id = path:match("([^/]+)%.json$")
      if id:sub(1, #prefix) == prefix and not seen[id] then
        seen[id] = true
        found[#found + 1] = { id = id, path = path }
      end
    end
  end
  table.sort(found, function(a, b) return a.id < b.id end)
  return found
end

---For each reply in list, the message it answers (from list itself, else
---from any mailbox): a map from the reply's id to its parent; replies whose
---parent is gone (pruned, or sent with --force) have no entry.
---@param ctx sesslua.Context
---@param list sesslua.Message[]
---@return table<string, sesslua.Message> parents reply id -> the message it answers
function M.parents(ctx, list)
  local by_id, out, find = {}, {}, M.finder(ctx)
  for _, m in ipairs(list) do by_id[m.id] = m end
  for _, m in ipairs(list) do
    if type(m.reply_to) == "string" then out[m.id] = by_id[m.reply_to] or find(m.reply_to) end
  end
  return out
end

---Urgent and high first, then newest first.
---@param list sesslua.Message[] sorted in place
function M.sort(list)
  table.sort(list, function(a, b)
    local ra, rb = RANK[a.priority] or 2, RANK[b.priority] or 2
    if (ra >= 3) ~= (rb >= 3) then return ra >= 3 end
    if ra >= 3 and ra ~= rb then return ra > rb end
    return a.id > b.id
  end)
end

---A counter of unread messages per session that reads the broadcast
---folder once (status shows a count for every session).
---@param ctx sesslua.Context
---@return fun(session: string): integer count
function M.unread_counter(ctx)
  local broadcasts = {}
  for _, path in ipairs(list_json(dir(ctx.root, "broadcast"))) do
    local m = M.load(path)
    if m and not m.migrated_from then broadcasts[#broadcasts + 1] = m end
  end
  -- the sessions that have a mailbox, listed once: status asks for every
  -- session, and most have none (a tree may have no messages folder at all)
  local names, _, code = fs.list(dir(ctx.root))
  local mailboxes -- nil when the folder could not be listed: each session's is asked
  if names then
    mailboxes = {}
    for _, name in ipairs(names) do mailboxes[name] = true end
  elseif code == "ENOENT" then
    mailboxes = {}
  end
  return function(session)
    local own = not mailboxes or mailboxes[session]
    local n = own and #list_json(dir(ctx.root, session, "new")) or 0
    if #broadcasts > 0 then
      local read = own and M.broadcast_read(ctx, session) or {}
      for _, m in ipairs(broadcasts) do
        if not read[m.id] and m.from ~= session then n = n + 1 end
      end
    end
    return n
  end
end

---Count of unread messages for one session.
---@param ctx sesslua.Context
---@param session string
---@return integer
function M.unread_count(ctx, session)
  return M.unread_counter(ctx)(session)
end

---Tell every session about a new shared knowledge entry, as the old
---share script did: one broadcast message (no log lines: a share must stay
---cheap however many sessions are active).
---@param ctx sesslua.Context
---@param entry {session: string, category: string, text: string} a knowledge entry
---@return sesslua.Message|nil message
---@return string|nil message the reason on failure
---@return string|nil code
function M.knowledge_broadcast(ctx, entry)
  return M.deliver(ctx, {
    from = entry.session, to = "broadcast",
    -- subject and body as the old share script sent them
    subject = "KNOWLEDGE",
    body = ("%s: %s - %s"):format(entry.session, entry.category, entry.text), priority = "normal",
  })
end

---Mark messages read: a direct one moves new -> cur; a broadcast id is
---added to the session's read list (the message itself is not copied).
---Each message is marked by one call only, even when two run at once (a
---move succeeds once; an id already in the read list is not added again),
---and `newly` lists the messages this call marked: what to record as
---received in the reader's log, exactly once.
---@param ctx sesslua.Context
---@param session string
---@param ids? string[] the ids to mark; nil for every unread message
---@return integer|nil marked
---@return string[]|string|nil missing_or_message the given ids not in the unread inbox; the message on failure
---@return sesslua.Message[]|string|nil newly_or_code the messages this call marked; the code on failure
function M.mark_read(ctx, session, ids)
  local inbox = M.inbox(ctx, session, false)
  local wanted
  if ids then
    wanted = {}
    for _, id in ipairs(ids) do wanted[id] = true end
  end
  local marked, found, broadcasts, newly = 0, {}, {}, {}
  for _, m in ipairs(inbox) do
    if wanted == nil or wanted[m.id] then
      found[m.id] = true
      if m.mailbox == "direct" then
        local cur = dir(ctx.root, session, "cur")
        local ok, err, code = fs.mkdir(cur)
        if not ok then return nil, err, code end
        ok, err, code = fs.move(m.path, cur .. "/" .. m.id .. ".json")
        if not ok and code ~= "ENOENT" then return nil, err, code end
        if ok then marked, newly[#newly + 1] = marked + 1, m end
      else
        broadcasts[#broadcasts + 1] = m
      end
    end
  end
  if #broadcasts > 0 then
    local ok, err, code = fs.mkdir(dir(ctx.root, session))
    if not ok then return nil, err, code end
    local added
    ok, err, added = fs.update(dir(ctx.root, session, "broadcast-read"), function(text)
      local read, lines, list = {}, {}, {}
      for id in (text or ""):gmatch("[^\n]+") do read[id] = true end
      for _, m in ipairs(broadcasts) do
        if not read[m.id] then read[m.id], lines[#lines + 1], list[#list + 1] = true, m.id, m end
      end
      if #lines == 0 then return nil, list end -- another reader marked them meanwhile
      return (text or "") .. table.concat(lines, "\n") .. "\n", list
    end, { create = true })
    if not ok then return nil, err, added end
    for _, m in ipairs(added) do newly[#newly + 1] = m end
    marked = marked + #added
  end
  local missing = {}
  for _, id in ipairs(ids or {}) do if not found[id] then missing[#missing + 1] = id end end
  return marked, missing, newly
end

return M
