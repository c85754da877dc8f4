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

local parser = cli.parser("eod.lua", "End the day: completed tasks, next steps, learnings to share.",
  "On a terminal it asks; with --yes or no terminal it asks nothing and shares nothing unless --share-all.")
cli.id_argument(parser)
parser:option("--next", "A next step (repeatable; TEXT may be '-')."):count("*")
parser:mutex(
  parser:flag("--share-all", "Share every learning recorded today that is not shared yet."),
  parser:flag("--share-none", "Share nothing."))
cli.prompt_flags(parser, "Ask nothing.")
local args = cli.parse(parser)

local id, path = cli.check(tree.resolve_log(ctx, args.id))
local today = clock.today()
local ask = cli.interactive(args)

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

local moved
cli.check(fs.update(path, function(text)
  local d = log.new(text)
  moved = edit.move_done_tasks(d, today)
  for _, t in ipairs(next_steps) do edit.add_next_step(d, t) end
  edit.touch(d, clock.now(), tree.current_session(ctx) or id)
  return d.text
end))

-- Learnings recorded today that shared knowledge lacks.
local doc = cli.check(log.open(path))
local pending = knowledge.unshared_learnings(ctx, doc, id, today)
local shared = 0
for _, e in ipairs(pending) do
  local yes = args.share_all
  if ask and not args.share_all and not args.share_none then
    local a = cli.ask(("Share learning '%s: %s'? (y/n)"):format(e.category, e.text), "n")
    yes = a and a:lower():match("^y") ~= nil
  end
  if yes then
    local added = cli.check(knowledge.add(ctx, e, { unique = true }))
    if added then shared = shared + 1 end
  end
end

local s = summary.brief(doc, id, path)
local completed_today = 0
for _, g in ipairs(doc:completed()) do
  if g.date == today then completed_today = #g.items end
end
local steps = log.texts(doc:section_items("Next Steps"))
io.write(cli.paint("bold", ("End of day for %s (%s)"):format(id, today)), "\n")
io.write(("  completed today: %d (%d moved from Current Phase)\n"):format(completed_today, #moved))
io.write(("  open phase tasks: %d · open blockers: %d · next steps: %d\n"):format(
  s.open_tasks, #s.blockers, #steps))
io.write(("  learnings shared: %d"):format(shared))
if #pending > shared then
  io.write((" (%d not shared: sesslua eod.lua %s --share-all)"):format(#pending - shared, id))
end
io.write("\n")
return 0
