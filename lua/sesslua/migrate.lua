--- Moving a tree from the shell scripts to sesslua: find what the old
--- system left (its template, .current_session, JSON message files,
--- knowledge entries written in the wrong argument order), report it, and
--- convert old messages into sesslua's format. Nothing is deleted; a
--- converted file is recorded in messages/.migrated so re-runs skip it.
local fs = require("sesslua.fs")
local json = require("sesslua.json")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local messages = require("sesslua.messages")
local clock = require("sesslua.clock")

local M = {}

-- Old message JSON keys, and the names other versions of the scripts used.
local KEYS = {
  from = { "from", "from_session", "sender" },
  to = { "to", "to_session", "recipient" },
  subject = { "subject", "title" },
  body = { "message", "body", "content" },
  priority = { "priority" },
  timestamp = { "timestamp", "time", "date", "sent" },
}

local function pick(t, names)
  for _, k in ipairs(names) do
    if type(t[k]) == "string" then return t[k] end
  end
end

---Recover fields from a file the old scripts wrote without escaping: each
---key sat on its own line as `"key": "value",` — the value is whatever lies
---between the first `": "` and the last quote of that line; the message
---body may run over several lines up to the closing brace.
local function salvage(text)
  local out = {}
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local i = 1
  while i <= #lines do
    local key, rest = lines[i]:match('^%s*"([%w_]+)"%s*:%s*"(.*)$')
    if key then
      local value = rest
      -- a value continues until a line that ends the string: `"` or `",`
      while not value:match('"%s*,?%s*$') and i < #lines and not lines[i + 1]:match('^%s*"[%w_]+"%s*:') do
        i = i + 1
        value = value .. "\n" .. lines[i]
      end
      out[key] = value:gsub('"%s*,?%s*$', "")
    end
    i = i + 1
  end
  return next(out) and out or nil
end

---Read an old message file: the decoded fields, whether it was valid JSON.
---@return table|nil fields, boolean valid
function M.read_old_message(path)
  local text = fs.read(path)
  if not text then return nil, false end
  local t = json.decode(text)
  local valid = type(t) == "table"
  if not valid then t = salvage(text) end
  if not t then return nil, false end
  local m = {}
  for field, names in pairs(KEYS) do m[field] = pick(t, names) end
  return m, valid
end

---Every old message file: broadcast/*.json not named the sesslua way, and
---direct/<to>/*.json.
function M.old_messages(root)
  local base = tree.paths(root).messages
  local out = {}
  for _, name in ipairs(fs.list(base .. "/broadcast", ".json") or {}) do
    if not messages.is_ours(name) then
      out[#out + 1] = { path = base .. "/broadcast/" .. name, to = "broadcast" }
    end
  end
  for _, to in ipairs(fs.list(base .. "/direct") or {}) do
    for _, name in ipairs(fs.list(base .. "/direct/" .. to, ".json") or {}) do
      out[#out + 1] = { path = base .. "/direct/" .. to .. "/" .. name, to = to }
    end
  end
  return out
end

local function migrated_set(root)
  local set = {}
  local text = fs.read(tree.paths(root).messages .. "/.migrated") or ""
  for line in text:gmatch("[^\n]+") do set[line] = true end
  return set
end

---Look at a tree; with convert, turn old messages into sesslua messages.
---@return table report {findings = {{kind, path, line, message}}, converted, unrecoverable}
function M.run(ctx, convert)
  local root = ctx.root
  local p = tree.paths(root)
  local findings = {}
  local function find(kind, path, message, line)
    findings[#findings + 1] = { kind = kind, path = path, message = message, line = line }
  end

  local template = fs.read(p.template)
  if template and template:find("[Your Role]", 1, true) then
    find("template", p.template, "the original template: create.lua fills [ID], [Your Role], "
      .. "[Your Goal], [Date] and [Date Time]; handoff.lua reports its sample lines until replaced")
  end
  local current = fs.read(p.current_session)
  if current then
    find("current_session", p.current_session, ("names %s: sesslua uses it as the acting session "
      .. "after --session and $SESSLUA_SESSION"):format(current:match("%S+") or "nothing"))
  end
  for _, name in ipairs(fs.list(p.scripts, ".sh") or {}) do
    find("script", p.scripts .. "/" .. name, "an old shell script; see docs/migration.md for its sesslua command")
  end

  for _, kind in ipairs(tree.KNOWLEDGE) do
    local path = knowledge.path(root, kind)
    local text = fs.read(path)
    for _, e in ipairs(text and knowledge.entries(text, kind) or {}) do
      local why
      if knowledge.impact(e.category) then why = "its category is an impact level"
      elseif #e.category > 60 then why = "its category is " .. #e.category .. " characters long"
      elseif knowledge.impact(e.text) then why = "its text is an impact level" end
      if why then
        find("knowledge", path, ("entry written in the wrong argument order: %s (kept as it is)"):format(why), e.line)
      end
    end
  end

  local done = migrated_set(root)
  local converted, unrecoverable, pending = 0, 0, 0
  for _, old in ipairs(M.old_messages(root)) do
    if not done[old.path] then
      local m, valid = M.read_old_message(old.path)
      if not valid then
        find("message", old.path, m and "not valid JSON; fields recovered line by line (file kept)"
          or "not valid JSON and nothing could be recovered (file kept)")
      end
      local to = old.to == "broadcast" and "broadcast" or tree.normalize_id(old.to)
      if not m or not m.from or not to then
        unrecoverable = unrecoverable + 1
      elseif not convert then
        pending = pending + 1
      else
        local sent = clock.parse((m.timestamp or ""):gsub("T", " "):gsub("Z$", " UTC"))
        local msg, err = messages.deliver(ctx, {
          from = m.from, to = to,
          subject = m.subject or "(no subject)", body = m.body,
          priority = messages.priority(m.priority) or "normal",
          sent_epoch = sent, migrated_from = old.path, already_read = true,
        })
        if not msg then return nil, err end
        local ok, uerr = fs.update(p.messages .. "/.migrated", function(t)
          return (t or "") .. old.path .. "\n"
        end, { create = true })
        if not ok then return nil, uerr end
        converted = converted + 1
      end
    end
  end
  return { findings = findings, converted = converted, pending = pending,
           unrecoverable = unrecoverable }
end

return M
