--- Start the day: what was left last time, then plan today.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local summary = require("sesslua.summary")
local routine = require("sesslua.routine")
local clock = require("sesslua.clock")

local parser = cli.parser("morning.lua", "Show what was left last time and plan the day.",
  "On a terminal it asks. Without one it only prints, unless told what to write: --carry, --yes"
  .. " (carry every next step), --focus or --status. When it writes, the unread messages it showed"
  .. " are marked read and noted under Messages Received.")
cli.id_argument(parser)
parser:option("--focus", "Today's focus (sets Working On).")
parser:option("--carry", "Next steps (numbers, e.g. 1,3; or all / none) to carry into Current Phase.")
parser:option("--status", "Set the work status.")
cli.prompt_flags(parser, "Ask nothing; carry every next step (unless --carry).")
parser:flag("--json", "Print what it shows and what it wrote as JSON (asks nothing).")
local args = cli.parse(parser)
-- under --json the text goes nowhere and nothing is asked
local say = args.json and function() end or io.write

local id, path = cli.check(tree.resolve_log(ctx, args.id))
local doc = cli.check(log.open(path))
local s = summary.brief(doc, id, path)
local _, updated_at = doc:last_updated()
local steps = log.texts(doc:section_items("Next Steps"))
local open = log.texts(doc:section_items("Current Work", "Current Phase"),
  function(it) return it.done == false end)
local news = routine.knowledge_since(ctx, updated_at)
-- check every option before printing anything
if args.carry then
  local ok, err = routine.parse_choice(args.carry, #steps)
  if not ok then cli.usage_error("morning: --carry: " .. err) end
end
local focus = args.focus and cli.one_line(cli.text(args.focus, "--focus"))
if focus and focus:match("^%s*$") then cli.usage_error("morning: --focus: empty TEXT") end
local status = args.status
  and routine.check_status(cli, "morning", cli.one_line(cli.text(args.status, "--status")))

say(cli.paint("bold", ("Good morning, %s"):format(id)),
  (" — last updated %s\n"):format(summary.age_text(s)))
-- everything shown from the log or shared files goes through printable:
-- they may hold escape sequences written by anyone
if s.working_on then say("Working on: ", cli.printable(s.working_on), "\n") end
local messages = require("sesslua.messages")
local unread = messages.inbox(ctx, id, false) -- from the mailbox, never from the log
local SHOWN_MAX = 20 -- urgent and high first; the rest stay for the inbox
if #unread > 0 and not args.json then
  io.write(cli.paint("yellow", ("%d unread message(s)"):format(#unread)), ":\n")
  for i, m in ipairs(unread) do
    if i > SHOWN_MAX then
      io.write(("  ... and %d more: sesslua --session %s message.lua inbox\n"):format(#unread - SHOWN_MAX, id))
      break
    end
    local p = cli.printable -- message files may come from anyone
    io.write("  * ", p(cli.one_line(tostring(m.subject))),
      m.priority ~= "normal" and (" [" .. p(tostring(m.priority)) .. "]") or "", " — from ", p(tostring(m.from)), "\n")
    if type(m.body) == "string" then
      for line in (m.body .. "\n"):gmatch("([^\n]*)\n") do io.write("    │ ", p(line), "\n") end
    end
  end
end
if not args.json then
  routine.show(cli, "Next steps from last time:", steps, true)
  routine.show(cli, "Open phase tasks:", open)
  routine.show(cli, "Open blockers:", s.blockers)
  local news_lines = {}
  for _, e in ipairs(news) do
    news_lines[#news_lines + 1] = ("%s %s: %s (%s)"):format(e.type or "", e.category, e.text or "", e.session)
  end
  routine.show(cli, ("New shared knowledge since then (%d):"):format(#news), news_lines)
end

-- Plan the day. A default is shown escaped; taking it changes nothing.
-- Without a terminal nothing is written unless an option asks for it: an
-- agent that only wants to read the morning must not rewrite the log.
local carry, chosen = args.carry, nil
local asking = cli.interactive(args) and not args.json
local shown = {}
for i = 1, math.min(#unread, SHOWN_MAX) do shown[i] = unread[i].id end
---The --json document: what morning showed, and what it wrote.
local function print_json(chosen_set, newly, written)
  local json = require("sesslua.json")
  local null = json.null
  local next_steps, msgs, knew = {}, {}, {}
  for i, t in ipairs(steps) do
    next_steps[i] = { n = i, text = t, carried = chosen_set ~= nil and chosen_set[i] == true }
  end
  for i = 1, math.min(#unread, SHOWN_MAX) do
    local m = unread[i]
    local t = clock.parse((tostring(m.sent or ""):gsub("T", " "):gsub("Z$", " UTC")))
    msgs[i] = { id = m.id, from = m.from, to = m.to, subject = m.subject, body = m.body or null,
      priority = m.priority, sent = t and clock.rfc3339(t) or null, reply_to = m.reply_to or null,
      mailbox = m.mailbox }
  end
  for i, e in ipairs(news) do
    local t = clock.parse(e.timestamp) or clock.parse(e.date)
    knew[i] = { type = e.type or null, category = e.category, text = e.text or null,
      session = e.session or null, date = e.date or null, timestamp = t and clock.rfc3339(t) or null }
  end
  cli.print_json({ schema = 1, kind = "morning", id = id, path = path,
    last_updated = s.last_updated or null,
    updated_at = s.updated_at and clock.rfc3339(s.updated_at) or null,
    working_on = s.working_on or null, status = s.status or null,
    next_steps = next_steps, open_tasks = open, blockers = s.blockers,
    unread = #unread, messages = msgs, knowledge = knew,
    written = written, set = { working_on = focus or null, status = status or null },
    marked_read = newly and #newly or 0 })
end
if not asking and not (args.yes or carry or focus or status) then
  if args.json then print_json(nil, nil, false); return 0 end
  io.write(("Nothing written (no terminal). To plan: sesslua morning.lua %s --carry all"
    .. " (or 1,3 / none) [--focus TEXT], or --yes to carry every next step%s.\n"):format(id,
    #unread > 0 and " (the messages shown are then marked read)" or ""))
  return 0
end
if not asking and not carry and not args.yes then carry = "none" end -- only --focus / --status asked
if asking then
  if not focus then
    local shown = s.working_on and cli.printable(s.working_on)
    local answer = cli.ask("Today's focus", shown)
    if answer ~= shown then focus = answer end
  end
  while #steps > 0 and not carry do
    local answer = cli.ask("Carry which next steps into Current Phase (1,2 / all / none)", "all")
    local ok, err = routine.parse_choice(answer, #steps)
    if ok then carry, chosen = answer, ok else io.write("  ", err, "; try again\n") end
  end
  if not status then
    local shown = s.status and cli.printable(s.status)
    local answer = cli.ask("Status", shown or "Building")
    if answer and answer ~= shown then status = routine.check_status(cli, "morning", answer) end
  end
end
chosen = chosen or assert(routine.parse_choice(carry, #steps))
local carried = {}
for i, t in ipairs(steps) do if chosen[i] then carried[#carried + 1] = t end end

-- The messages shown are read now: marked in the mailbox, and each one this
-- run marked (never one another reader got first) noted in this log, in
-- the same edit as the plan.
local _, _, newly = cli.check(messages.mark_read(ctx, id, shown))
table.sort(newly, function(a, b) return a.id < b.id end)
local _, changed = cli.check(fs.update(path, function(text)
  local d, len = log.new(text), #text
  for _, m in ipairs(newly) do edit.add_coordination(d, "Messages Received", routine.received_line(m)) end
  if focus and focus ~= "" then edit.set_work_field(d, "Working On", focus) end
  if status and status ~= "" then edit.set_work_field(d, "Status", status) end
  local set, details = {}, {}
  for _, t in ipairs(carried) do set[t] = true end
  for _, it in ipairs(d:section_items("Next Steps")) do
    if set[it.text] then details[it.text] = edit.item_details(d, it) end
  end
  for _, t in ipairs(carried) do edit.add_phase_task(d, t, details[t]) end
  edit.remove_next_steps(d, set)
  -- a plan that changes nothing leaves the log alone, its time too (as
  -- update does; the file is read again only when the lengths agree)
  if #d.text == len and fs.read(path) == d.text then return nil end
  edit.touch(d, clock.now(), tree.current_session(ctx) or id)
  return d.text
end))
if args.json then print_json(chosen, newly, changed == true); return 0 end
if not changed then io.write("Nothing to change in ", path, "\n"); return 0 end
io.write(("Planned: %d next step(s) carried into Current Phase%s.\n"):format(#carried,
  focus and (", focus: " .. cli.printable(focus)) or ""))
if #newly > 0 then io.write(("Marked %d message(s) read.\n"):format(#newly)) end
return 0
