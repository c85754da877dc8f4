--- End the day: move finished tasks, set next steps, share learnings.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local knowledge = require("sesslua.knowledge")
local summary = require("sesslua.summary")
local clock = require("sesslua.clock")
local routine = require("sesslua.routine")

local parser = cli.parser("eod.lua", "End the day: completed tasks, next steps, learnings to share.",
  "On a terminal it asks; with --yes or no terminal it asks nothing and shares nothing unless --share-all.")
cli.id_argument(parser)
parser:option("--next", "A next step (repeatable; TEXT may be '-')."):count("*")
parser:mutex(
  parser:flag("--share-all", "Share every learning recorded today that is not shared yet."),
  parser:flag("--share-none", "Share nothing."))
cli.prompt_flags(parser, "Ask nothing.")
parser:flag("--json", "Print the day's summary as JSON (asks nothing).")
local args = cli.parse(parser)

local id, path = cli.check(tree.resolve_log(ctx, args.id))
local today = clock.today()
local ask = cli.interactive(args) and not args.json

local next_steps = {}
for _, t in ipairs(args.next or {}) do
  local step = cli.one_line(cli.text(t, "--next"))
  if step:match("^%s*$") then cli.usage_error("eod: --next: empty TEXT") end
  next_steps[#next_steps + 1] = step
end
if ask and #next_steps == 0 then
  io.write("Next steps for the next session, one per line (empty line to finish):\n")
  while true do
    local line = cli.ask("  next")
    if not line or line:match("^%s*$") then break end
    next_steps[#next_steps + 1] = cli.one_line(line)
  end
end

-- Learnings recorded today that shared knowledge lacks (the edit below
-- does not touch Learnings, so the log as it is now says which).
local pending = knowledge.unshared_learnings(ctx, cli.check(log.open(path)), id, today)
local to_share, offered = {}, {}
for _, e in ipairs(pending) do
  local yes = args.share_all
  if ask and not args.share_all and not args.share_none then
    offered[e] = true
    local a = cli.ask(("Share learning '%s: %s'? (y/n)"):format(cli.printable(e.category),
      cli.printable(e.text)), "n")
    yes = a and a:lower():match("^y") ~= nil
  end
  if yes then to_share[#to_share + 1] = e end
end

-- a topic share would refuse is refused here too, before anything is written
local bad = routine.bad_topic(to_share)
if bad then
  cli.usage_error(("eod: %s: %s; nothing was changed"):format(path, bad),
    "shorten the topic under Learnings & Discoveries in the log, or run eod without sharing it")
end

-- Sharing comes first and is idempotent, so a failure of the log edit after
-- it leaves nothing a re-run would repeat; but first make sure both folders
-- can be written, so that an unwritable one stops eod with nothing changed.
if #to_share > 0 then
  local p = tree.paths(ctx.root)
  for _, dir in ipairs({ p.knowledge, p.active }) do
    if dir == p.active or fs.exists(dir) then -- knowledge.add creates a missing folder
      local ok, err, code = routine.writable(dir)
      if not ok then cli.fail(cli.exit_for(code), ("eod: %s; nothing was changed"):format(err)) end
    end
  end
end
local shared, done = 0, {}
for _, e in ipairs(to_share) do
  local added, err, code = knowledge.add(ctx, e, { unique = true })
  if added == nil then
    cli.fail(cli.exit_for(code), ("eod: %s; %d of %d learning(s) were shared before this, the log "
      .. "was not changed"):format(err, shared, #to_share),
      "run eod again once fixed: what is shared already is not shared twice")
  end
  done[e] = true
  if added then shared = shared + 1 end
end

local moved, written, touched
local ok, err, code = fs.update(path, function(text)
  local d = log.new(text)
  written = d
  moved = edit.move_done_tasks(d, today)
  for _, t in ipairs(next_steps) do edit.add_next_step(d, t) end
  touched = os.time()
  edit.touch(d, clock.now(touched), tree.current_session(ctx) or id)
  return d.text
end)
if not ok then
  local what = shared == 0 and "nothing was changed" or ("the log was not changed, but %d "
    .. "learning(s) were shared (a re-run does not share them again)"):format(shared)
  cli.fail(cli.exit_for(code), ("eod: %s; %s"):format(err, what))
end

-- the log as written: reading it again could fail after the change is made
local doc = written
local s = summary.brief(doc, id, path)
local completed_today = 0
for _, g in ipairs(doc:completed()) do
  if g.date == today then completed_today = #g.items end
end
local steps = log.texts(doc:section_items("Next Steps"))
if args.json then
  local learnings = {}
  for i, e in ipairs(pending) do
    learnings[i] = { category = e.category, text = e.text, shared = done[e] == true }
  end
  cli.print_json({ schema = 1, kind = "eod", id = id, path = path, date = today,
    updated_at = clock.rfc3339(touched), completed_today = completed_today, moved = moved,
    open_tasks = s.open_tasks, blockers = s.blockers, next_steps = steps,
    learnings = learnings, shared = shared })
  return 0
end
io.write(cli.paint("bold", ("End of day for %s (%s)"):format(id, today)), "\n")
io.write(("  completed today: %d (%d moved from Current Phase)\n"):format(completed_today, #moved))
io.write(("  open phase tasks: %d · open blockers: %d · next steps: %d\n"):format(
  s.open_tasks, #s.blockers, #steps))
io.write(("  learnings shared: %d"):format(shared))
local left = {}
for _, e in ipairs(pending) do if not done[e] then left[#left + 1] = e end end
if #left > 0 then
  io.write((" (%d not shared: sesslua eod.lua %s --share-all)"):format(#left, id))
end
io.write("\n")
-- Without the questions, say which ones (the answers already named them).
for _, e in ipairs(left) do
  if not offered[e] then
    local lines = cli.printable(e.text):gsub("\n", "\n      ")
    io.write("    - ", cli.printable(e.category), ": ", lines, "\n")
  end
end
return 0
