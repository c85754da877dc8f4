--- Moving a tree from the shell scripts to sesslua: find what the old
--- system left (its template, .current_session, JSON message files,
--- knowledge entries written in the wrong argument order), report it, and
--- convert old messages into sesslua's format. Nothing is deleted; a
--- converted file is recorded in messages/.migrated (paths relative to the
--- root, so a copy or another checkout of the tree skips it too).
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

---The old system's scripts (the guide's session-*.sh) and the sesslua
---command for each: migrate names these, and no other script a
---repository keeps in scripts/.
---@type table<string, string>
M.OLD_SCRIPTS = {
  ["session-create-log.sh"] = "create",
  ["session-share-learning.sh"] = "share",
  ["session-search-knowledge.sh"] = "search --knowledge",
  ["session-send-message.sh"] = "message send",
  ["session-check-messages.sh"] = "message inbox",
  ["session-status.sh"] = "status",
  ["session-archive-log.sh"] = "archive",
}

-- How long a second migrate run waits for the first one's lock: converting
-- a few hundred files takes well under this.
M.LOCK_TIMEOUT_MS = 60000

---The first of names that t holds as a string (for the timestamp a
---number too: epoch seconds written as a JSON number), and its key. Top-level
---keys win; only when none is there is a nested object looked into (an
---inner `"timestamp": "$(date …)"` never beats the file's own).
local function pick(t, names, numbers)
  for _, k in ipairs(names) do
    local v = t[k]
    if type(v) == "string" or (numbers and type(v) == "number") then return v, k end
  end
  for _, v in pairs(t) do
    if type(v) == "table" then
      local found = pick(v, names, numbers)
      if found ~= nil then return found, nil end
    end
  end
end

---The first of names that t holds with a value that is not a string, and
---that value's type: for saying why a valid file cannot be used.
local function wrong_type(t, names)
  for _, k in ipairs(names) do
    if t[k] ~= nil and type(t[k]) ~= "string" then return k, type(t[k]) end
  end
end

-- What a backslash stood for in the old files: JSON's escapes, and the
-- shell's (`\!`, `\$`, `` \` ``, written by scripts run from bash), which
-- JSON does not know and which the text never meant to hold.
local ESCAPES = { n = "\n", t = "\t", r = "\r", b = "\b", f = "\f", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
local SHELL_ESCAPES = { ["!"] = true, ["$"] = true, ["`"] = true }

---A salvaged value's text with its escapes decoded: JSON's, `\uXXXX`, and
---the shell's (`\!` is `!`); any other backslash is kept as written.
---@param raw string
---@param counts table counts.escapes is increased per shell escape decoded
---@return string text
local function unescape(raw, counts)
  local out, pos = {}, 1
  while true do
    local at = raw:find("\\", pos, true)
    if not at then out[#out + 1] = raw:sub(pos); break end
    out[#out + 1] = raw:sub(pos, at - 1)
    local c = raw:sub(at + 1, at + 1)
    local hex = c == "u" and raw:match("^%x%x%x%x", at + 2)
    if hex then
      out[#out + 1] = utf8.char(tonumber(hex, 16)); pos = at + 6
    elseif ESCAPES[c] then
      out[#out + 1] = ESCAPES[c]; pos = at + 2
    elseif SHELL_ESCAPES[c] then
      out[#out + 1] = c; pos = at + 2
      counts.escapes = (counts.escapes or 0) + 1
    else
      out[#out + 1] = "\\"; pos = at + 1
    end
  end
  return table.concat(out)
end

---Make text the old scripts wrote into JSON when its only faults are inside
---strings: raw newlines, tabs and other control bytes are escaped, the
---shell's `\!` `\$` `` \` `` become the character, another lone backslash
---becomes `\\`. Unescaped quotes are not fixed here (salvage reads them).
---@param text string
---@return string repaired
---@return string[] what one phrase per kind of repair ("2 raw newlines inside strings escaped")
local function repair(text)
  local out, n = {}, { newline = 0, control = 0, shell = 0, backslash = 0 }
  local in_string, i, len = false, 1, #text
  while i <= len do
    local c = text:sub(i, i)
    if not in_string then
      if c == '"' then in_string = true end
      out[#out + 1] = c; i = i + 1
    elseif c == "\\" then
      local d = text:sub(i + 1, i + 1)
      if d == "u" and text:match("^%x%x%x%x", i + 2) or (d ~= "u" and ESCAPES[d]) then
        out[#out + 1] = c .. d
      elseif SHELL_ESCAPES[d] then
        out[#out + 1] = d; n.shell = n.shell + 1
      else
        out[#out + 1] = "\\\\" .. d; n.backslash = n.backslash + 1
      end
      i = i + 2
    elseif c == '"' then
      in_string = false; out[#out + 1] = c; i = i + 1
    elseif c == "\n" then
      out[#out + 1] = "\\n"; n.newline = n.newline + 1; i = i + 1
    elseif c:byte() < 32 then
      out[#out + 1] = ("\\u%04x"):format(c:byte()); n.control = n.control + 1; i = i + 1
    else
      out[#out + 1] = c; i = i + 1
    end
  end
  local what = {}
  if n.newline > 0 then what[#what + 1] = ("%d raw newline(s) inside strings escaped"):format(n.newline) end
  if n.control > 0 then what[#what + 1] = ("%d raw control character(s) (tabs, CRs) escaped"):format(n.control) end
  if n.shell > 0 then what[#what + 1] = ("%d shell escape(s) such as '\\!' decoded"):format(n.shell) end
  if n.backslash > 0 then what[#what + 1] = ("%d lone backslash(es) kept as backslashes"):format(n.backslash) end
  return table.concat(out), what
end

---Recover fields from a file the old scripts wrote without escaping, so a
---value may hold bare quotes and newlines. A key starts the text (after
---`{`), a nested object (after `{`), or follows the end of the previous
---value (`",` or `,` then the key); a value runs to the next key or to the
---closing brace. That reads both layouts the scripts used: one key per
---line, and all on one line (`{"from": "s4", "subject": "x "y"", "body": "b"}`).
---A value that opens with `{` holds the keys that follow, up to the value
---that ends with its `}`: nested keys stay nested, so they never replace
---the file's own. Escapes are decoded (unescape).
---@return table|nil fields, table counts {escapes = n}
local function salvage(text)
  local counts = {}
  local body = text:match("^%s*{(.*)}%s*$") or text:match("^%s*{(.*)$")
  if not body then return nil, counts end
  -- every place a key starts: {start of the key's quote, key, value start}
  local keys = {}
  local pos = 1
  while true do
    local s, e, key = body:find('"([%w_]+)"%s*:%s*', pos)
    if not s then break end
    local before = body:sub(1, s - 1)
    if (#keys == 0 and before:match("^%s*$"))
        or (#keys > 0 and (before:match('["%w}%]]%s*,%s*$') or before:match(':%s*{%s*$'))) then
      keys[#keys + 1] = { at = s, key = key, value = e + 1 }
    end
    pos = e + 1
  end
  local out = {}
  local stack = { out }
  for i, k in ipairs(keys) do
    local stop = keys[i + 1] and keys[i + 1].at - 1 or #body
    local raw = body:sub(k.value, stop):gsub("%s*,?%s*$", "")
    local into = stack[#stack]
    if raw:match("^{%s*$") then -- a nested object: its keys follow
      local t = {}
      if into[k.key] == nil then into[k.key] = t end
      stack[#stack + 1] = t
    else
      local closes = 0
      while #stack - closes > 1 and raw:match("}%s*$") do
        raw = raw:gsub("%s*}%s*$", "", 1):gsub("%s*,?%s*$", ""); closes = closes + 1
      end
      local quoted = raw:match('^"(.*)"$')
      local value = quoted and unescape(quoted, counts)
        or (raw:match("^%-?%d+%.?%d*$") and raw) -- a bare number (an epoch timestamp)
      if value and into[k.key] == nil then into[k.key] = value end -- the first one wins
      for _ = 1, closes do stack[#stack] = nil end
    end
  end
  return next(out) and out or nil, counts
end

---The fields of an old message file's text (see M.read_old_message).
---@param text string|nil
---@return table|nil fields, boolean valid, string|nil why, string|nil repaired what was repaired
local function parse_old_message(text)
  if not text then return nil, false end
  -- lua-cjson takes raw newlines inside strings: repair (and report) them
  -- even when the text decodes as it is
  local fixed, what = repair(text)
  local t = json.decode(fixed)
  local valid, repaired = t ~= nil and #what == 0, nil
  if t ~= nil and not valid and type(t) == "table" and not fixed:match("^%s*%[") then
    repaired = "repaired: " .. table.concat(what, ", ")
  elseif valid then
    if type(t) ~= "table" or text:match("^%s*%[") then
      local shape = t == json.null and "null" or type(t) == "table" and "an array" or ("a " .. type(t))
      return nil, true, ("valid JSON, but %s, not a message object"):format(shape)
    end
  else
    local counts
    t, counts = salvage(text)
    if not t then return nil, false end
    repaired = "fields recovered from its text (values run to the next key)"
    if counts.escapes then
      repaired = repaired .. (", %d shell escape(s) such as '\\!' decoded"):format(counts.escapes)
    end
  end
  local m, used = {}, {}
  for field, names in pairs(KEYS) do
    local key
    m[field], key = pick(t, names, field == "timestamp")
    if key then used[key] = true end
  end
  -- Every other key reaches the new message, under `extra`.
  for k, v in pairs(t) do
    if not used[k] and type(k) == "string" then
      m.extra = m.extra or json.object()
      m.extra[k] = v
    end
  end
  local why
  if not m.from then
    local key, kind = wrong_type(t, KEYS.from)
    why = key and ("'%s' is a %s, not a session id"):format(key, kind)
      or "it names no sender (from, from_session or sender)"
  end
  return m, valid, why, repaired
end

---Read an old message file: the fields, whether it was valid JSON, and,
---for a valid file that is not a usable message, why.
---@param path string
---@return table|nil fields, boolean valid, string|nil why
function M.read_old_message(path)
  return parse_old_message(fs.read(path))
end

---A value quoted for a report line: one line, at most 60 characters.
local function quote(s)
  s = tostring(s):gsub("[%c]", " ")
  if #s > 60 then s = s:sub(1, 57) .. "..." end
  return "'" .. s .. "'"
end

---The send time of an old message, and what was substituted when its
---timestamp cannot be read (nil when it was read as it is). Accepted:
---anything clock.parse reads exactly (2025-11-15T10:00:00+02:00, ...
---10:00:00Z, 2025-11-15 10:00:00, local time without a zone) and epoch
---seconds (1731664800; 13 digits are milliseconds). Otherwise the file's
---modification time stands in, and the report says so.
local function sent_time(raw, path)
  local n
  if type(raw) == "number" then
    n = raw
  elseif type(raw) == "string" then
    local digits = raw:match("^%s*(%d+)%.?%d*%s*$")
    if digits and #digits >= 9 and #digits <= 14 then n = tonumber(raw) end
  end
  if n then
    if n >= 1e11 then n = n / 1000 end -- milliseconds (Date.now(), date +%s%3N)
    return math.floor(n)
  end
  local t = type(raw) == "string" and clock.parse(raw, true)
  if t then return t end
  local st = fs.stat(path)
  local when = st and math.floor(st.mtime) or os.time()
  local stamp = os.date("!%Y-%m-%dT%H:%M:%SZ", when)
  local whose = st and "the file's modification time" or "the time of conversion"
  if raw == nil then
    return when, ("no timestamp; sent set to %s, %s"):format(whose, stamp)
  end
  return when, ("timestamp %s is not a time; sent set to %s, %s"):format(quote(raw), whose, stamp)
end

---The names in folder dir (fs.list's arguments), {} when it does not
---exist; nil, msg, code when it cannot be listed. A folder that cannot be
---read (a disk error, no permission, a link out of the root) is never
---taken for an empty one: its messages would be skipped unseen, or
---converted twice by the next run.
local function list_or_none(dir, suffix, with_types)
  local names, types_or_err, code = fs.list(dir, suffix, with_types)
  if names then return names, types_or_err end
  if code == "ENOENT" then return {}, {} end
  return nil, types_or_err, code
end

---The subfolders of dir that may hold messages (folders, and links,
---which fs.list refuses when they lead out of the root): plain files and
---others in it are no mailbox.
local function subfolders(dir)
  local names, types, code = list_or_none(dir, nil, true)
  if not names then return nil, types, code end
  local out = {}
  for _, name in ipairs(names) do
    local t = types[name]
    if t == "dir" or t == "link" then out[#out + 1] = name end
  end
  return out
end

---The .json names of a mailbox folder found by subfolders: {} when it is
---gone, or a link to something that is no folder.
local function mailbox_names(dir)
  local names, err, code = list_or_none(dir, ".json")
  if names or code == "ENOTDIR" then return names or {} end
  return nil, err, code
end

---Every old message file: broadcast/*.json not named the sesslua way, and
---direct/<to>/*.json; `rel` is the path relative to the root.
---@return table|nil files {path=, to=, rel=} each
---@return string|nil message, string|nil code when a folder cannot be listed
function M.old_messages(root)
  local base = tree.paths(root).messages
  local out = {}
  local names, err, code = list_or_none(base .. "/broadcast", ".json")
  if not names then return nil, err, code end
  for _, name in ipairs(names) do
    if not messages.is_ours(name) then
      out[#out + 1] = { path = base .. "/broadcast/" .. name, to = "broadcast",
                        rel = "messages/broadcast/" .. name }
    end
  end
  local tos, terr, tcode = subfolders(base .. "/direct")
  if not tos then return nil, terr, tcode end
  for _, to in ipairs(tos) do
    local files, ferr, fcode = mailbox_names(base .. "/direct/" .. to)
    if not files then return nil, ferr, fcode end
    for _, name in ipairs(files) do
      out[#out + 1] = { path = base .. "/direct/" .. to .. "/" .. name, to = to,
                        rel = "messages/direct/" .. to .. "/" .. name }
    end
  end
  return out
end

---An old file's path as recorded: relative to the root. Entries written
---before were absolute (and name another checkout after a copy or clone):
---their messages/... tail is what identifies the file.
function M.relative(root, path)
  if path:sub(1, #root + 1) == root .. "/" then return path:sub(#root + 2) end
  return path:match("/(messages/broadcast/[^/]+)$")
    or path:match("/(messages/direct/[^/]+/[^/]+)$") or path
end

---A file's text, "" when it does not exist; nil, msg, code when it cannot
---be read (a disk error must stop the run: taking an unreadable record for
---an empty one would convert a message twice).
local function read_or_empty(path)
  local text, err, code = fs.read(path)
  if text or code == "ENOENT" then return text or "" end
  return nil, err, code
end

---The old files already converted: those listed in messages/.migrated,
---and those a converted message names in migrated_from (a run that
---stopped between delivering and recording, or a lost .migrated).
---@return table|nil set, string|nil err, string|nil code
local function migrated_set(root)
  local set = {}
  local base = tree.paths(root).messages
  local text, err, code = read_or_empty(base .. "/.migrated")
  if not text then return nil, err, code end
  for line in text:gmatch("[^\n]+") do set[M.relative(root, line)] = true end
  local folders = { base .. "/broadcast" }
  local boxes, lerr, lcode = subfolders(base)
  if not boxes then return nil, lerr, lcode end
  for _, name in ipairs(boxes) do
    if name ~= "broadcast" and name ~= "direct" then
      folders[#folders + 1] = base .. "/" .. name .. "/cur"
      folders[#folders + 1] = base .. "/" .. name .. "/new"
    end
  end
  for _, folder in ipairs(folders) do
    local names, ferr, fcode = mailbox_names(folder)
    if not names then return nil, ferr, fcode end
    for _, name in ipairs(names) do
      if messages.is_ours(name) then
        local body, berr, bcode = read_or_empty(folder .. "/" .. name)
        if not body then return nil, berr, bcode end
        -- only converted messages carry the key: skip decoding the rest
        if body:find('"migrated_from"', 1, true) then
          local m = json.decode(body)
          if type(m) == "table" and type(m.migrated_from) == "string" then
            set[M.relative(root, m.migrated_from)] = true
          end
        end
      end
    end
  end
  return set
end

---A file's text, nil when it does not exist; false, msg, code when it
---cannot be read (the report must not leave out what it could not see).
local function read_or_nil(path)
  local text, err, code = fs.read(path)
  if text or code == "ENOENT" then return text end
  return false, err, code
end

---What the old system left besides messages (its template,
---.current_session, its scripts, knowledge entries in the wrong argument
---order), each passed to find(kind, path, message [, line]).
---@return true|nil ok, string|nil message, string|nil code when a file or folder cannot be read
local function look_around(root, p, find)
  local template, terr, tcode = read_or_nil(p.template)
  if template == false then return nil, terr, tcode end
  if template and template:find("[Your Role]", 1, true) then
    find("template", p.template, "the original template: create.lua fills [ID], [Your Role], "
      .. "[Your Goal], [Date] and [Date Time]; handoff.lua reports its sample lines until replaced")
  end
  local current, cerr, ccode = read_or_nil(p.current_session)
  if current == false then return nil, cerr, ccode end
  if current then
    find("current_session", p.current_session, ("names %s: sesslua uses it as the acting session "
      .. "after --session and $SESSLUA_SESSION"):format(current:match("%S+") or "nothing"))
  end
  local scripts, serr, scode = list_or_none(p.scripts, ".sh")
  if not scripts then return nil, serr, scode end
  for _, name in ipairs(scripts) do
    local command = M.OLD_SCRIPTS[name]
    if command then
      find("script", p.scripts .. "/" .. name, ("an old session-logging script: sesslua %s"
        .. " (docs/migration.md)"):format(command))
    end
  end
  for _, kind in ipairs(tree.KNOWLEDGE) do
    local path = knowledge.path(root, kind)
    local text, kerr, kcode = read_or_nil(path)
    if text == false then return nil, kerr, kcode end
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
  return true
end

---Look at a tree; with convert, turn old messages into sesslua messages.
---@return table|nil report {findings = {{kind, path, line, message}}, converted, pending, unrecoverable}
---@return string|nil message, string|nil code
function M.run(ctx, convert)
  local root = ctx.root
  local p = tree.paths(root)
  local findings = {}
  local function find(kind, path, message, line)
    findings[#findings + 1] = { kind = kind, path = path, message = message, line = line }
  end

  -- everything is read before anything is written: a folder or file that
  -- cannot be read stops the run with nothing converted
  local looked, err, code = look_around(root, p, find)
  if not looked then return nil, err, code end
  local old
  old, err, code = M.old_messages(root)
  if not old then return nil, err, code end
  -- Two runs at once must not both convert a file: the check (what is
  -- converted already) and the writes happen under one lock.
  local lock, lerr, lcode
  if convert and #old > 0 then
    lock, lerr, lcode = fs.lock(p.messages .. "/.migrated", { timeout_ms = M.LOCK_TIMEOUT_MS })
    if not lock then return nil, lerr, lcode end
  end
  local held <close> = lock -- released on every return below
  local done, serr, scode = migrated_set(root)
  if not done then return nil, serr, scode end
  local record, rerr, rcode = read_or_empty(p.messages .. "/.migrated")
  if not record then return nil, rerr, rcode end
  local converted, unrecoverable, pending = 0, 0, 0
  for _, o in ipairs(old) do
    -- an old file that cannot be read is an error, not one with nothing to
    -- recover (one that vanished meanwhile is simply not there any more)
    local text, oerr, ocode
    if not done[o.rel] then text, oerr, ocode = fs.read(o.path) end
    if ocode and ocode ~= "ENOENT" then return nil, oerr, ocode end
    if text then
      local m, valid, why, repaired = parse_old_message(text)
      local usable = m ~= nil and why == nil
      if not valid then
        find("message", o.path, m and ("not valid JSON; %s (file kept)"):format(repaired)
          or "not valid JSON and nothing could be recovered (file kept)")
      end
      if why then find("message", o.path, why .. "; not converted (file kept)") end
      local from, to, fwhy, twhy
      if usable then
        from, fwhy = tree.normalize_id(m.from)
        if not from then
          find("message", o.path, ("sender %s is not a session id (%s); not converted (file kept)"):format(
            quote(m.from), fwhy))
        end
        if o.to == "broadcast" then to = "broadcast" else to, twhy = tree.normalize_id(o.to) end
        if not to then
          find("message", o.path, ("recipient folder %s is not a session id (%s); not converted (file kept)"):format(
            quote(o.to), twhy))
        end
      end
      if not (usable and from and to) then
        unrecoverable = unrecoverable + 1
      else
        local sent, note = sent_time(m.timestamp, o.path)
        if note then find("message", o.path, note) end
        if m.extra then
          local names = {}
          for k in pairs(m.extra) do names[#names + 1] = k end
          table.sort(names)
          find("message", o.path, "fields kept under extra: " .. table.concat(names, ", "))
        end
        local priority = messages.priority(m.priority)
        if m.priority and not priority then
          find("message", o.path, ("priority %s is not low, normal, high or urgent; converted as normal"):format(
            quote(m.priority)))
        end
        if not convert then
          pending = pending + 1
        else
          local msg, err, code = messages.deliver(ctx, {
            from = from, to = to,
            subject = (m.subject and m.subject:find("%S")) and m.subject or "(no subject)", body = m.body,
            priority = priority or "normal",
            sent_epoch = sent, migrated_from = o.rel, already_read = true, extra = m.extra,
          })
          if not msg then return nil, err, code end
          -- written under our lock: fs.update would wait for that very lock
          record = record .. o.rel .. "\n"
          local ok, werr, wcode = fs.write(p.messages .. "/.migrated", record)
          if not ok then return nil, werr, wcode end
          done[o.rel] = true
          converted = converted + 1
        end
      end
    end
  end
  return { findings = findings, converted = converted, pending = pending,
           unrecoverable = unrecoverable }
end

return M
