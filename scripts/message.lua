--- Messages between sessions: send (to one session or broadcast), inbox, read, prune.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local messages = require("sesslua.messages")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local clock = require("sesslua.clock")
local json = require("sesslua.json")
local routine = require("sesslua.routine")

local parser = cli.parser("message.lua", "Send and read messages between sessions.")
parser:command_target("command")
local send = parser:command("send", "Send a message to a session or to broadcast.")
send:argument("to", "A session id, or broadcast.")
send:argument("subject", "The subject (may be '-' for stdin).")
send:argument("body", "The body (may be '-' for stdin)."):args("?")
send:option("--priority", "How urgent: low, normal, high or urgent."):argname("{low,normal,high,urgent}")
  :default("normal")
send:option("--reply-to", "The message this answers: its id, the start of its id, or its N in your inbox.")
send:flag("--force", "Send even when the recipient has no active log or --reply-to names no stored message.")
send:flag("--json", "Print the message as JSON.")
local inbox = parser:command("inbox", "Show unread messages, urgent and high first.")
inbox:flag("--all", "Include messages already read.")
inbox:flag("--json", "Print the messages as JSON.")
inbox:flag("--mark-read", "Then mark the unread messages shown read (and note them in your log).")
local pager = require("sesslua.pager")
pager.flag(inbox)
local read = parser:command("read", "Mark messages read (and note them in your log's Messages Received).")
read:argument("ids", "Messages: N (the [N] inbox shows), an id, or the start of one."):args("*")
read:flag("--all", "Mark every unread message read.")
read:flag("--json", "Print the messages marked read as JSON.")
local prune = parser:command("prune", "Remove read messages older than DAYS; report stale mail.")
prune:option("--older-than", "Age in days."):argname("DAYS"):convert(tonumber)
prune:flag("--dry-run", "Say what would be removed.")
prune:flag("--include-migrated", "Also remove messages migrate converted (kept as history otherwise).")
prune:flag("--json", "Print what was (or would be) removed as JSON.")
local args = cli.parse(parser)

---A message's sent time as RFC 3339 in UTC, or json.null when a
---hand-made file holds no time.
local function sent_of(m)
  local t = clock.parse((tostring(m.sent or ""):gsub("T", " "):gsub("Z$", " UTC")))
  return t and clock.rfc3339(t) or json.null
end

local function me()
  local id = tree.current_session(ctx)
  if not id then
    cli.usage_error("message: no acting session",
      "pass --session ID (before the script name), set SESSLUA_SESSION, or write .current_session")
  end
  return cli.check(tree.session_arg(ctx, id))
end

-- A log line waits the usual 10 s for the log's lock, then once more for
-- longer: the message is already delivered (or marked read), so giving up
-- loses the line.
local LOCK_WAITS_MS = { 10000, 20000 }

---Append a line to a session's log Coordination section, if it has a log,
---and set the log's Last Updated / Updated By as every log edit does.
---@return table|nil failure {path, label, line, err, code} when not written
local function note(session, label, line, by)
  local path = tree.log_path(ctx.root, session)
  if not fs.exists(path) then return nil end
  local ok, err, code
  for _, wait in ipairs(LOCK_WAITS_MS) do
    ok, err, code = fs.update(path, function(text)
      local doc = log.new(text)
      edit.add_coordination(doc, label, line)
      edit.touch(doc, clock.now(), by)
      return doc.text
    end, { timeout_ms = wait })
    if ok or code ~= "ETIMEDOUT" then break end
  end
  if ok or code == "ENOENT" then return nil end -- archived meanwhile: no log, no line
  return { path = path, label = label, line = line, err = err, code = code }
end

---Record messages a session has read in ITS log (Coordination › Messages
---Received), in one locked edit that also sets its Last Updated / Updated
---By. Only the reading session's own commands call this: a sender never
---writes another session's log, so a broadcast makes no log look fresh.
---A session without an active log gets no lines (and no error).
---@param session string the reader
---@param list sesslua.Message[] what mark_read returned as newly marked
---@return string[]|nil lines written (empty when none or no log); nil on failure
---@return string|nil message on failure
---@return string|nil code on failure
---@return string|nil path the log, on failure
---@return string[]|nil lines the lines not written, on failure
local function note_received(session, list)
  local path = tree.log_path(ctx.root, session)
  if #list == 0 or not fs.exists(path) then return {} end
  local lines = {}
  table.sort(list, function(a, b) return a.id < b.id end) -- in the order they were sent
  for i, m in ipairs(list) do lines[i] = routine.received_line(m) end
  local ok, err, code
  for _, wait in ipairs(LOCK_WAITS_MS) do
    ok, err, code = fs.update(path, function(text)
      local doc = log.new(text)
      for _, line in ipairs(lines) do edit.add_coordination(doc, "Messages Received", line) end
      edit.touch(doc, clock.now(), session)
      return doc.text
    end, { timeout_ms = wait })
    if ok or code ~= "ETIMEDOUT" then break end
  end
  if ok or code == "ENOENT" then return lines end -- archived meanwhile: no log, no line
  return nil, err, code, path, lines
end

---The inbox as shown: each thread's first message (urgent and high first,
---then newest), the replies under it, oldest first, each with its depth.
---@param list sesslua.Message[] sorted by messages.sort
---@return {m: sesslua.Message, depth: integer}[] order
local function thread_order(list)
  local by_id, children, roots, seen, out = {}, {}, {}, {}, {}
  for _, m in ipairs(list) do by_id[m.id] = m end
  for _, m in ipairs(list) do
    local parent = m.reply_to
    if type(parent) == "string" and by_id[parent] then
      children[parent] = children[parent] or {}
      table.insert(children[parent], m)
    else
      roots[#roots + 1] = m
    end
  end
  local function walk(m, depth)
    if seen[m] then return end
    seen[m] = true
    out[#out + 1] = { m = m, depth = depth }
    table.sort(children[m.id] or {}, function(a, b) return a.id < b.id end)
    for _, c in ipairs(children[m.id] or {}) do walk(c, depth + 1) end
  end
  for _, m in ipairs(roots) do walk(m, 0) end
  -- Hand-made files can answer each other in a loop (no root): still shown.
  for _, m in ipairs(list) do walk(m, 0) end
  return out
end

---The positions `inbox` gives: its unread messages, numbered 1.. in the
---order it shows them (the numbers `read N` and `--reply-to N` take).
---@param session string
---@return sesslua.Message[] by_position
---@return table<string, integer> position_of id -> position
local function positions(session)
  local unread = {}
  for _, m in ipairs(messages.inbox(ctx, session, false)) do
    if not m.read then unread[#unread + 1] = m end
  end
  local by_position, position_of = {}, {}
  for i, e in ipairs(thread_order(unread)) do by_position[i], position_of[e.m.id] = e.m, i end
  return by_position, position_of
end

-- A number of 1 to 7 digits is a position in the inbox; an id starts with
-- its 8-digit date, so anything longer is an id or the start of one.
local function is_position(word) return word:match("^%d+$") ~= nil and #word <= 7 end

---The message at a position of `session`'s inbox (exit 3 when there is none).
local function at_position(session, word, list)
  local m = list[tonumber(word)]
  if m then return m.id end
  cli.fail(cli.EXIT.not_found, ("message: no message %s in %s's inbox (it lists %d unread)"):format(
    word, session, #list), ("the numbers are those of sesslua --session %s message.lua inbox"):format(session))
end

---Exit 2 naming the messages `prefix` could mean, with their subjects.
local function ambiguous(what, prefix, found)
  local lines = {}
  for i, f in ipairs(found) do
    if i > 10 then lines[#lines + 1] = ("... and %d more"):format(#found - 10); break end
    local m = messages.load(f.path)
    lines[#lines + 1] = f.id .. "  " .. cli.printable(cli.one_line(tostring(m and m.subject or "?")))
  end
  cli.usage_error(("message: %s '%s' is ambiguous: %d messages start with it"):format(what, prefix, #found),
    "give more of the id:\n  " .. table.concat(lines, "\n  "))
end

---What `word` names among `pool` (messages, or {id, path} entries): the
---one whose id it is or starts; nil when none; exit 2 when several.
local function by_prefix(what, word, pool)
  local found = {}
  for _, m in ipairs(pool) do
    if m.id == word then return m.id end
    if m.id:sub(1, #word) == word then found[#found + 1] = { id = m.id, path = m.path } end
  end
  if #found > 1 then ambiguous(what, word, found) end
  return found[1] and found[1].id
end

---The id --reply-to names: a position in the sender's inbox, a whole id or
---the start of one stored in some mailbox. A malformed id exits 2, an id
---no mailbox holds 3 (--force sends anyway, a whole id only: a prefix
---must name a stored message).
local function reply_id(session)
  if not args.reply_to then return nil end
  local word = args.reply_to:gsub("%.json$", "") -- as `read` accepts the file name
  if is_position(word) then return at_position(session, word, (positions(session))) end
  if messages.is_id(word) then
    if not args.force and not messages.find(ctx, word) then
      cli.fail(cli.EXIT.not_found, ("message: --reply-to %s: no such message in any mailbox"):format(word),
        "check the id with sesslua message.lua inbox --all, or use --force to send anyway")
    end
    return word
  end
  if #word > 100 or not word:match("^%d%d%d%d%d%d%d%d[%w.%-]*$") then
    cli.usage_error(("message: --reply-to '%s' is not a message id"):format(args.reply_to),
      "ids look like 20261125T175953.123456Z-4121-1a3f2 (or the start of one, or the N of inbox's list);"
        .. " sesslua message.lua inbox --all shows them")
  end
  local id = by_prefix("--reply-to", word, messages.with_prefix(ctx, word))
  if not id then
    cli.fail(cli.EXIT.not_found, ("message: --reply-to %s: no message in any mailbox starts with it"):format(word),
      "check the id with sesslua message.lua inbox --all")
  end
  return id
end

local function do_send()
  local from = me()
  local to = args.to
  if to ~= "broadcast" then
    to = cli.check(tree.session_arg(ctx, to))
    if not fs.exists(tree.log_path(ctx.root, to)) and not args.force then
      cli.fail(cli.EXIT.not_found, ("message: %s has no active log"):format(to),
        "check the id with sesslua list.lua, or use --force to send anyway")
    end
  end
  local priority = messages.priority(args.priority)
  if not priority then
    local near = require("sesslua.nearest").find(args.priority, messages.PRIORITIES)
    cli.usage_error(("message: priority '%s' is not low, normal, high or urgent"):format(args.priority),
      near and ("did you mean '%s'?"):format(near) or "sesslua help message send")
  end
  -- The subject is kept exactly (the message file is JSON, which holds any
  -- text); only the one-line log entries and the terminal flatten it.
  local subject = cli.text(args.subject, "subject")
  if subject:match("^%s*$") then cli.usage_error("message: empty subject") end
  local body = args.body and cli.text(args.body, "body")
  local reply_to = reply_id(from)
  local msg = cli.check(messages.deliver(ctx, { from = from, to = to, subject = subject, body = body,
    priority = priority, reply_to = reply_to }))
  local stamp = clock.now():sub(1, 16) -- YYYY-MM-DD HH:MM, in the configured time zone
  local one_line = cli.one_line(subject)
  local failed = {}
  local function add(f) if f then failed[#failed + 1] = f end end
  -- Only the sender's log: a recipient's Messages Received line is written
  -- by the recipient's own read (do_read), so a send, a broadcast above
  -- all, never rewrites another session's log or makes it look fresh.
  add(note(from, "Messages Sent", ('%s → %s: "%s" (%s)'):format(stamp, to, one_line, priority), from))
  local recipients = { to }
  if to == "broadcast" then
    recipients = {}
    for _, f in ipairs(tree.log_files(ctx, tree.paths(ctx.root).active)) do
      if f.id ~= from then recipients[#recipients + 1] = f.id end
    end
  end
  cli.written_warnings() -- log lines written but not durable: done, said
  require("sesslua.hooks").run(ctx, "after_message", { message = msg, recipients = recipients })
  if args.json then
    msg.path = nil
    cli.print_json({ schema = 1, kind = "message", message = msg })
  else
    io.write(("Sent %s to %s (%s)\n"):format(msg.id, to, priority))
  end
  if #failed > 0 then
    -- Delivered, but a log misses its line: say so and how to add it, and
    -- do not exit 0, so a caller never believes the logs are complete.
    local paths, hints = {}, {}
    for i, f in ipairs(failed) do
      paths[i] = f.path
      hints[i] = ("add to %s under Coordination › %s: - %s"):format(f.path, f.label, f.line)
    end
    local why = failed[1].err
    if why:sub(1, #failed[1].path + 2) == failed[1].path .. ": " then why = why:sub(#failed[1].path + 3) end
    cli.fail(cli.exit_for(failed[1].code), ("message: %s was delivered, but the log line for %s could not be written: %s"):format(
      msg.id, table.concat(paths, ", "), why), table.concat(hints, "\nhint: "))
  end
  return 0
end

---Mark messages read and note them in the reader's log; exit 4 (or the
---write's code) naming the lines to add by hand when the log is busy.
---@return integer marked
---@return sesslua.Message[] newly the messages this run marked
local function mark_and_note(session, ids)
  local marked, _, newly = cli.check(messages.mark_read(ctx, session, ids))
  local lines, err, code, path, missed = note_received(session, newly)
  if not lines then
    local why = err:sub(1, #path + 2) == path .. ": " and err:sub(#path + 3) or err
    for i, l in ipairs(missed) do missed[i] = "- " .. l end
    cli.fail(cli.exit_for(code), ("message: %d message(s) marked read, but the Messages Received lines"
      .. " for %s could not be written: %s"):format(marked, path, why),
      ("add under Coordination › Messages Received in %s:\n  "):format(path) .. table.concat(missed, "\n  "))
  end
  cli.written_warnings()
  return marked, newly
end

---The ids of the unread messages in list: what inbox --mark-read marks
---(only what was shown, never a message that arrived meanwhile).
local function unread_ids(list)
  local ids = {}
  for _, m in ipairs(list) do if not m.read then ids[#ids + 1] = m.id end end
  return ids
end

local function do_inbox()
  local session = me()
  local list, problems = messages.inbox(ctx, session, args.all)
  -- a file that is no message is skipped with a warning; a mailbox folder
  -- that cannot be listed (a link out of the root, EIO) makes the inbox
  -- incomplete, so it is refused as every other read of such a path is
  for _, p in ipairs(problems) do
    if p.folder then cli.fail(cli.exit_for(p.code), p.message, nil, p.code) end
  end
  for _, p in ipairs(problems) do cli.warn(p.message) end
  -- What each reply answers, wherever it is stored (a reply to our own
  -- message answers one that sits in the other session's mailbox).
  local parents = messages.parents(ctx, list)
  local _, position_of = positions(session)
  if args.json then
    local out = {}
    for i, m in ipairs(list) do
      local parent = parents[m.id]
      out[i] = { id = m.id, from = m.from, to = m.to, subject = m.subject, body = m.body or json.null,
        priority = m.priority, sent = sent_of(m), reply_to = m.reply_to or json.null,
        read = m.read, mailbox = m.mailbox, position = position_of[m.id] or json.null,
        in_reply_to_subject = parent and parent.subject or json.null,
        in_reply_to_from = parent and parent.from or json.null }
    end
    local marked
    if args.mark_read then marked = mark_and_note(session, unread_ids(list)) end
    cli.print_json({ schema = 1, kind = "inbox", session = session, messages = out, marked_read = marked })
    return 0
  end
  if #list == 0 then io.write("No ", args.all and "" or "unread ", "messages for ", session, ".\n"); return 0 end
  local _ <close> = pager.start(args) -- a long inbox on a terminal: through the pager
  -- Threads: a reply follows the message it answers, indented; an unread
  -- message shows its position, which `read N` and `--reply-to N` take.
  local colors = { urgent = "red", high = "yellow" }
  local p = cli.printable -- message files may come from anyone
  for _, e in ipairs(thread_order(list)) do
    local m, pad = e.m, ("    "):rep(e.depth)
    local mark = m.read and " " or "*"
    local number = position_of[m.id] and ("[" .. position_of[m.id] .. "] ") or ""
    local prio = m.priority ~= "normal" and (" [" .. m.priority .. "]") or ""
    io.write(pad, mark, " ", number, cli.paint(colors[m.priority] or "bold", p(cli.one_line(tostring(m.subject)))), prio, "\n")
    if type(m.reply_to) == "string" and e.depth == 0 then -- its parent is not shown above it
      local parent = parents[m.id]
      io.write(pad, "  ↳ re: ", parent and p(cli.one_line(tostring(parent.subject)))
        or (p(m.reply_to) .. " (not found)"), "\n")
    end
    io.write(pad, "  from ", p(tostring(m.from)), m.mailbox == "broadcast" and " to everyone" or "", ", ",
      p(tostring(m.sent)), "  id ", p(m.id), "\n")
    if type(m.body) == "string" then
      for line in (m.body .. "\n"):gmatch("([^\n]*)\n") do io.write(pad, "  │ ", p(line), "\n") end
    end
  end
  local unread = #unread_ids(list)
  if args.mark_read then
    io.write(("Marked %d message(s) read.\n"):format(mark_and_note(session, unread_ids(list))))
    return 0
  end
  io.write(("%d unread. Mark read: sesslua message.lua read N (the [N] above), an id or its start, or --all\n"):format(unread))
  return 0
end

local function do_read()
  local session = me()
  if not args.all and #args.ids == 0 then cli.usage_error("message: read needs IDs or --all") end
  local ids
  if not args.all then
    -- all or nothing: resolve every word before marking any
    local by_position = positions(session)
    local unread = messages.inbox(ctx, session, false)
    local missing = {}
    ids = {}
    for _, word in ipairs(args.ids) do
      word = word:gsub("%.json$", "")
      local id
      if is_position(word) then id = at_position(session, word, by_position)
      else id = by_prefix("read", word, unread) end
      if id then ids[#ids + 1] = id else missing[#missing + 1] = word end
    end
    if #missing > 0 then
      cli.fail(cli.EXIT.not_found, ("message: no unread message %s for %s"):format(
        table.concat(missing, ", "), session), ("sesslua --session %s message.lua inbox"):format(session))
    end
  end
  local marked, newly = mark_and_note(session, ids)
  if args.json then
    local out = {}
    table.sort(newly, function(a, b) return a.id < b.id end)
    for i, m in ipairs(newly) do
      out[i] = { id = m.id, from = m.from, subject = m.subject, sent = sent_of(m),
        mailbox = m.mailbox }
    end
    cli.print_json({ schema = 1, kind = "read", session = session, marked = marked, messages = out })
    return 0
  end
  io.write(("Marked %d message(s) read.\n"):format(marked))
  return 0
end

local function do_prune()
  local days = args.older_than
  if not days or days < 0 then cli.usage_error("message: prune needs --older-than DAYS (>= 0)") end
  local cutoff = os.time() - days * 86400
  local kept = 0
  local function older(m)
    local t = clock.parse((m.sent or ""):gsub("T", " "):gsub("Z$", " UTC"))
    if not (t and t < cutoff) then return false end
    -- converted history: migrate never converts a file twice, so a pruned
    -- one would be gone for good
    if m.migrated_from and not args.include_migrated then kept = kept + 1; return false end
    return true
  end
  local removed, gone, waiting = 0, {}, {}
  local say = args.json and function() end or io.write
  local root = tree.paths(ctx.root).messages
  -- Who must still read a broadcast. An ACTIVE that cannot be listed (a link
  -- out of the root, EIO) is a failure, not "no one": read as empty, every
  -- old broadcast would count as read by all and be deleted. Every *.md
  -- counts, a log that is a link or no regular file too: keeping a
  -- broadcast too long is the safe side.
  local logs, lerr, lcode = fs.list(tree.paths(ctx.root).active, ".md")
  if not logs and lcode ~= "ENOENT" then cli.fail(cli.exit_for(lcode), lerr, nil, lcode) end
  local active = {}
  for _, name in ipairs(logs or {}) do active[name:gsub("%.md$", "")] = true end
  -- Any other folder that cannot be listed only removes less; still said.
  local function names(dir, suffix)
    local list, err, code = fs.list(dir, suffix)
    if not list and code ~= "ENOENT" then cli.warn(("%s; nothing removed there"):format(err)) end
    return list or {}
  end
  local sessions, merr, mcode = fs.list(root)
  if not sessions and mcode ~= "ENOENT" then cli.fail(cli.exit_for(mcode), merr, nil, mcode) end
  local function remove(m, mailbox)
    removed = removed + 1
    gone[#gone + 1] = { id = m.id, path = m.path, from = m.from, to = m.to, sent = sent_of(m),
      mailbox = mailbox }
    if args.dry_run then say("would remove ", m.path, "\n") else cli.check(fs.remove(m.path)) end
  end
  for _, session in ipairs(sessions or {}) do
    if session ~= "broadcast" then
      for _, name in ipairs(names(messages.dir(ctx.root, session, "cur"), ".json")) do
        local m = messages.load(messages.dir(ctx.root, session, "cur", name))
        if m and older(m) then remove(m, "direct") end
      end
      local unread = #names(messages.dir(ctx.root, session, "new"), ".json")
      if not active[session] and unread > 0 then
        waiting[#waiting + 1] = { session = session, unread = unread,
          path = messages.dir(ctx.root, session, "new") }
        say(("%s has no active log (archived?) and %d unread message(s) in %s\n"):format(
          session, unread, messages.dir(ctx.root, session, "new")))
      end
    end
  end
  -- A broadcast goes once every active session has read it.
  for _, name in ipairs(names(messages.dir(ctx.root, "broadcast"), ".json")) do
    local m = messages.load(messages.dir(ctx.root, "broadcast", name))
    if m and older(m) then
      local all_read = true
      for s in pairs(active) do
        if s ~= m.from and not messages.broadcast_read(ctx, s)[m.id] then all_read = false end
      end
      if all_read then remove(m, "broadcast") end
    end
  end
  if args.json then
    cli.print_json({ schema = 1, kind = "prune", dry_run = args.dry_run == true, older_than_days = days,
      removed = removed, kept_migrated = kept, messages = gone, unread_without_log = waiting })
    return 0
  end
  io.write(("%s %d read message(s) older than %d day(s).\n"):format(args.dry_run and "Would remove" or "Removed", removed, days))
  if kept > 0 then
    io.write(("Kept %d migrated message(s) as history (--include-migrated removes them too).\n"):format(kept))
  end
  return 0
end

local handlers = { send = do_send, inbox = do_inbox, read = do_read, prune = do_prune }
return handlers[args.command]()
