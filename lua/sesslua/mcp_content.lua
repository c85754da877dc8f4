--- The MCP server's resources (session logs, knowledge files, the team's
--- status) and prompts (the daily routine with the session's data filled
--- in). Every file served is one the listings give: inside the root, never
--- through a link out of it. Internal to `sesslua mcp`.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local json = require("sesslua.json")
local tree = require("sesslua.tree")
local team = require("sesslua.team")
local messages = require("sesslua.messages")
local contract = require("sesslua.mcp_schema")

local M = {}

local LOG, KNOWLEDGE, STATUS = "sesslua://log/", "sesslua://knowledge/", "sesslua://status"
local SCHEMA = "sesslua://schema/"

---The JSON contract's schema a URI names, or nil.
local function schema_of(uri)
  return uri:sub(1, #SCHEMA) == SCHEMA and contract.kind(uri:sub(#SCHEMA + 1)) or nil
end

---The contract's schemas as resources (the whole schema of what a tool's
---compact output schema stands for): those of the tools offered, and the
---error document's. Every other kind is still read by its URI.
local function schema_resources(out, offered)
  for _, s in ipairs(contract.all()) do
    if s.kind == "error" or not offered or offered[s.tool or ""] then
      out[#out + 1] = { uri = SCHEMA .. s.kind, name = s.kind .. ".schema.json",
        mimeType = "application/schema+json", description = s.title }
    end
  end
  return out
end

local function ignore() end

---A folder that could not be listed (a link out of the root, EIO): its
---resources are missing from the list, which a client cannot tell from
---"none", so the server's stderr says why (as mcp.lua's notes do).
local function unlisted(err)
  if err then
    io.stderr:write("sesslua: mcp: ", sys.escape_controls(err), "; its resources are not listed\n")
  end
end

---The status, every log (active, then archived) and knowledge file, and
---the JSON contract's schemas (of the tools offered, when given).
---@param ctx table the context
---@param offered? table<string, boolean> the tools offered, by name
---@return table[] resources
function M.resources(ctx, offered)
  local out = { { uri = STATUS, name = "status", mimeType = "application/json",
    description = "Every active session: work, progress, age, blockers (status --json)." } }
  if not tree.root_is_folder(ctx) then return schema_resources(out, offered) end
  local paths = tree.paths(ctx.root)
  local active, aerr = tree.log_files(ctx, paths.active, ignore)
  unlisted(aerr)
  for _, f in ipairs(active) do
    out[#out + 1] = { uri = LOG .. f.id, name = f.id, mimeType = "text/markdown",
      description = "Active log of " .. f.id }
  end
  local archived, rerr = tree.log_files(ctx, paths.archive, ignore, true)
  unlisted(rerr)
  for _, f in ipairs(archived) do
    local name = f.name:sub(1, -4)
    out[#out + 1] = { uri = LOG .. name, name = name, mimeType = "text/markdown",
      description = ("Archived log of %s (%s)"):format(f.id, f.archive_date or "?") }
  end
  local names, kerr, kcode = fs.list(paths.knowledge, ".md")
  if not names then
    unlisted(kcode ~= "ENOENT" and kerr)
    names = {}
  end
  table.sort(names)
  for _, n in ipairs(names) do
    if tree.safe_file(ctx, paths.knowledge .. "/" .. n) then
      out[#out + 1] = { uri = KNOWLEDGE .. n, name = n, mimeType = "text/markdown",
        description = "Shared knowledge: " .. n }
    end
  end
  return schema_resources(out, offered)
end

---The URI templates of the resources.
---@return table[]
function M.templates()
  return {
    { uriTemplate = LOG .. "{id}", name = "log", mimeType = "text/markdown",
      description = "A session's log: active by id, archived by file name without .md." },
    { uriTemplate = KNOWLEDGE .. "{file}", name = "knowledge", mimeType = "text/markdown",
      description = "A shared-knowledge file (learnings.md, patterns.md, ...)." },
    { uriTemplate = SCHEMA .. "{kind}", name = "schema", mimeType = "application/schema+json",
      description = "The JSON Schema of a --json document's kind (update, log, status, ...)." },
  }
end

---The file a log or knowledge URI names, when the tree has it and it is
---safe to read (inside the root, no link out of it); nil otherwise.
local function file_of(ctx, uri)
  local paths = tree.paths(ctx.root)
  local name = uri:sub(1, #LOG) == LOG and uri:sub(#LOG + 1)
  if name then
    if not tree.normalize_id(name) or name:find("/", 1, true) then return nil end
    for _, path in ipairs({ paths.active .. "/" .. name .. ".md", paths.archive .. "/" .. name .. ".md" }) do
      if tree.safe_file(ctx, path) then return path end
    end
    return nil
  end
  name = uri:sub(1, #KNOWLEDGE) == KNOWLEDGE and uri:sub(#KNOWLEDGE + 1)
  if name and name:match("^[%w][%w._-]*%.md$") and not name:find("..", 1, true) then
    local path = paths.knowledge .. "/" .. name
    if tree.safe_file(ctx, path) then return path end
  end
  return nil
end

---The contents of one resource, or nil and why.
---@param ctx table the context
---@param uri string
---@return table|nil contents {uri, mimeType, text}
---@return string|nil why
function M.read(ctx, uri)
  if uri == STATUS then
    local rows, totals = team.rows(ctx)
    return { uri = uri, mimeType = "application/json", text = json.encode(team.json(ctx, rows, totals)) }
  end
  local schema = schema_of(uri)
  if schema then return { uri = uri, mimeType = "application/schema+json", text = schema.text } end
  local path = file_of(ctx, uri)
  local text, err, code = nil, nil, nil
  if path then text, err, code = fs.read(path) end
  -- a file that is there but cannot be read says why, not "not found"
  if not text then return nil, (err and code ~= "ENOENT") and err or "resource not found: " .. uri end
  return { uri = uri, mimeType = "text/markdown", text = text }
end

---"size:mtime" of a file, or nil when it is not there.
local function stamp(path)
  local st = fs.stat(path)
  return st and ("%d:%.9f"):format(st.size, st.mtime) or nil
end

---What changes when the status would: each active log's name, size and
---time, and the time of each mailbox folder (a message in or out, a
---broadcast read). Cheap: stats, no reading.
local function status_signature(ctx)
  local paths = tree.paths(ctx.root)
  local parts = {}
  local names = fs.list(paths.active, ".md") or {}
  table.sort(names)
  for _, n in ipairs(names) do parts[#parts + 1] = n .. "=" .. (stamp(paths.active .. "/" .. n) or "-") end
  if fs.stat(paths.messages) then
    for _, dir in ipairs(messages.folders(ctx)) do parts[#parts + 1] = stamp(dir) or "-" end
  end
  return table.concat(parts, "\n")
end

---A short text that changes when the resource's contents do, or nil when
---the URI names no resource (for resources/subscribe). Stats only: it is
---asked every second while a client is subscribed.
---@param ctx table the context
---@param uri string
---@return string|nil signature
function M.signature(ctx, uri)
  if uri == STATUS then return status_signature(ctx) end
  if schema_of(uri) then return "built-in" end -- compiled into the binary: never changes
  local path = file_of(ctx, uri)
  return path and stamp(path)
end

local SESSION_ARG = { { name = "session", required = false,
  description = "The session (default: the server's acting session)." } }

local PROMPTS = {
  { name = "morning", title = "Start the day",
    description = "What was left last time, and the morning checklist." },
  { name = "end-of-day", title = "End the day",
    description = "What today recorded, and the end-of-day checklist." },
  { name = "handoff", title = "Hand off",
    description = "The log's handoff check, and what the next session needs." },
}

---The prompts offered.
---@return table[]
function M.prompts()
  local out = {}
  for i, p in ipairs(PROMPTS) do
    out[i] = { name = p.name, title = p.title, description = p.description, arguments = SESSION_ARG }
  end
  return out
end

local function bullets(list, fmt)
  if type(list) ~= "table" or #list == 0 then return "  (none)" end
  local out = {}
  for i, x in ipairs(list) do out[i] = "  " .. fmt(x, i) end
  return table.concat(out, "\n")
end

local function item(x) return "- " .. (type(x) == "table" and tostring(x.text) or tostring(x)) end

local function state_lines(d, unread)
  local open = {}
  for _, t in ipairs(type(d.phase) == "table" and d.phase or {}) do
    if not t.done then open[#open + 1] = t.text end
  end
  local function v(x) return (x == nil or x == json.null) and "not set" or tostring(x) end
  return table.concat({
    ("Session %s (%s): %s"):format(d.id, v(d.role), v(d.goal)),
    ("Working on: %s. Status: %s. Progress: %s."):format(v(d.working_on), v(d.status),
      type(d.progress) == "number" and ((math.tointeger(d.progress) or d.progress) .. "%") or "not set"),
    ("Last updated: %s. Unread messages: %d."):format(v(d.last_updated), unread),
    "Next steps from last time:", bullets(d.next_steps, function(x, i) return i .. ". " .. tostring(x) end),
    "Open phase tasks:", bullets(open, item),
    "Open blockers:", bullets(d.blockers, item),
  }, "\n")
end

local CHECKLISTS = {
  morning = {
    "Read your log from yesterday (tool view, or the resource sesslua://log/%s).",
    "Read your messages (message_inbox) and the team's status (status).",
    "Update Current Work: morning with focus and carry (which next steps become today's tasks).",
    "Plan today's tasks: update with phase for each, status and progress.",
  },
  ["end-of-day"] = {
    "Move completed tasks to Completed Today: update with done for each finished phase task.",
    "Update Next Steps for the next session: eod with next.",
    "Share important learnings with every session: share, or eod with share_all.",
    "Record open blockers (update blocker) so nobody waits on them unknowingly.",
  },
  handoff = {
    "Write very detailed Next Steps: update with next (next_clear to start over).",
    "Document blockers clearly: update with blocker, or resolve and how.",
    "Say where access and credentials are found (never the secrets themselves) and link the relevant docs: update with note.",
    "Run the handoff tool until it reports no FAIL; archive the log when the work is done.",
  },
}

local function checklist(name, id)
  local out = {}
  for i, line in ipairs(CHECKLISTS[name]) do out[i] = ("%d. %s"):format(i, line:format(id)) end
  return table.concat(out, "\n")
end

local function handoff_lines(server, id)
  local r, doc = server:run_tool("handoff", { id = id })
  local d = doc and json.decode(doc)
  if not (r and d and type(d.checks) == "table") then return nil end
  local out = {}
  for _, c in ipairs(d.checks) do
    if c.status ~= "PASS" then out[#out + 1] = ("  %s %s"):format(c.status, tostring(c.message)) end
  end
  return "Handoff check:\n" .. (#out > 0 and table.concat(out, "\n") or "  every check passes")
end

---A prompt with the session's data filled in, or nil and why.
---@param server table the server (run_tool, ctx)
---@param name string morning, end-of-day or handoff
---@param args table {session = id}
---@return table|nil result {description, messages}
---@return string|nil why
function M.prompt(server, name, args)
  if not CHECKLISTS[name] then return nil, "unknown prompt: " .. name end
  local given = type(args.session) == "string" and args.session ~= "" and args.session or nil
  local r, doc = server:run_tool("view", { id = given })
  local d = doc and json.decode(doc)
  if not d then
    local why = r and r.content[#r.content].text or "view is not available"
    return nil, (why:gsub("^sesslua: ", ""))
  end
  local unread = messages.unread_count(server.ctx, d.id)
  local parts = { state_lines(d, unread) }
  if name == "handoff" then parts[#parts + 1] = handoff_lines(server, d.id) end
  if name == "end-of-day" then
    parts[#parts + 1] = "Completed so far:\n" .. bullets(d.completed, function(x)
      return ("- %s: %s"):format(tostring(x.date), table.concat(x.items or {}, "; ")) end)
  end
  parts[#parts + 1] = "Checklist:\n" .. checklist(name, d.id)
  local title = name == "end-of-day" and "End of day" or name == "morning" and "Morning" or "Handoff"
  return { description = ("%s for %s"):format(title, d.id),
    messages = { { role = "user", content = { type = "text",
      text = ("%s routine for %s, from its log:\n\n%s"):format(title, d.id, table.concat(parts, "\n\n")) } } } }
end

return M
