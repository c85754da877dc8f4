--- Update any part of a session log in one locked edit.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local clock = require("sesslua.clock")
local diff = require("sesslua.diff")
local json = require("sesslua.json")

-- logs up to this size say which options changed them (--json `changes`);
-- a bigger one's text is not held twice to compare
local TRACK_MAX = 16 * 1024 * 1024

local parser = cli.parser("update.lua", "Update a session log; every TEXT may be '-' for stdin.",
  'Example: sesslua update.lua 12 --status Building --progress 60 --done "Tests written"')
cli.id_argument(parser)
parser:option("--working-on", "What the session works on now.")
parser:option("--status", "Planning, Building, Testing, Deploying or Complete.")
parser:option("--progress", "0-100, as 60 or 60%.")
parser:option("--phase", "Add an unchecked task to Current Phase."):count("*")
parser:option("--done", "Check a phase task and record it as completed today."):count("*")
parser:option("--completed", "Record a completed item under today's date."):count("*")
parser:option("--blocker", "Add a current blocker."):count("*")
parser:option("--resolve", "Move a blocker to Resolved Issues."):count("*")
parser:option("--how", "How the resolved blocker was solved.")
parser:option("--next", "Append a next step."):count("*")
parser:flag("--next-clear", "Empty Next Steps first.")
parser:flag("--clear-samples", "Remove the template's sample lines from every list.")
parser:option("--note", "Append a paragraph to Session Notes."):count("*")
parser:option("--collab", "Add a line under Coordination › Collaborations."):count("*")
parser:option("--learning", "Add a dated learning."):args(2):argname({ "TOPIC", "TEXT" }):count("*")
parser:option("--set", "Set any field the log has, e.g. Priority=High (Status is the header's; --status sets Current Work's).")
  :argname("KEY=VALUE"):count("*")
parser:option("--service", "Add or update a service entry.")
parser:option("--service-status", "The service's status.")
parser:option("--service-progress", "The service's progress (0-100).")
parser:option("--service-location", "Where the service lives.")
parser:flag("--dry-run", "Print the diff the update would make; write nothing.")
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)


---Validate and normalise every option before anything is written.
local function prepare()
  -- fields and list items are one line in the log; notes and learnings
  -- keep their lines. Emptiness is checked after `-` has been read: an
  -- empty standard input is no text either.
  local function nonempty(v, what, kind)
    if v and v:match("^%s*$") then
      cli.usage_error(("update: %s: empty %s"):format(what, kind or "TEXT"), "give " .. what .. " some text")
    end
    return v
  end
  local function text(v, what, kind) return v and nonempty(cli.one_line(cli.text(v, what)), what, kind) end
  local function texts(list, what, keep_lines)
    local out = {}
    for i, v in ipairs(list or {}) do
      out[i] = cli.text(v, what)
      if not keep_lines then out[i] = cli.one_line(out[i]) end
      if out[i]:match("^%s*$") then
        cli.usage_error("update: empty TEXT", "give " .. what .. " some text")
      end
    end
    return out
  end
  local o = {
    working_on = text(args.working_on, "--working-on"), status = text(args.status, "--status"),
    phase = texts(args.phase, "--phase"), done = texts(args.done, "--done"),
    completed = texts(args.completed, "--completed"), blocker = texts(args.blocker, "--blocker"),
    resolve = texts(args.resolve, "--resolve"), how = text(args.how, "--how"),
    next = texts(args.next, "--next"), note = texts(args.note, "--note", true),
    collab = texts(args.collab, "--collab"), learning = {},
  }
  for i, pair in ipairs(args.learning or {}) do
    o.learning[i] = { topic = text(pair[1], "--learning TOPIC"),
                      text = nonempty(cli.text(pair[2], "--learning TEXT"), "--learning TEXT") }
    -- the topic becomes a knowledge category when eod or archive share it:
    -- refused now by the same rule, not at the end of the day
    local why = require("sesslua.routine").topic_problem(o.learning[i].topic)
    if why then
      cli.usage_error(("update: --learning TOPIC '%s' is %s"):format(o.learning[i].topic, why),
        "a short topic, such as Docker or Caching; the details go in TEXT")
    end
  end
  local function percent(v, what)
    local n = v and v:match("^%s*(%d+)%s*%%?%s*$")
    if v and (not n or tonumber(n) > 100) then
      cli.usage_error(("update: %s: expected a number 0-100 (like 60 or 60%%), got '%s'"):format(what, v))
    end
    return n and tonumber(n)
  end
  o.progress = percent(args.progress, "--progress")
  o.set = {}
  for i, kv in ipairs(args.set or {}) do
    local key, value = kv:match("^%s*([^=]-)%s*=(.*)$")
    if not key or key == "" then
      cli.usage_error(("update: --set: expected KEY=VALUE, got '%s'"):format(kv), "for example --set Priority=High")
    end
    o.set[i] = { key = key, value = nonempty(cli.one_line(cli.text(value, "--set " .. key)), "--set " .. key) }
  end
  if args.service then
    local p = percent(args.service_progress, "--service-progress")
    o.service = { name = text(args.service, "--service", "NAME"), fields = {
      Status = text(args.service_status, "--service-status"), Progress = p and (p .. "%"),
      Location = text(args.service_location, "--service-location") } }
  elseif args.service_status or args.service_progress or args.service_location then
    cli.usage_error("update: --service-status, --service-progress and --service-location need --service NAME")
  end
  if o.how and #o.resolve == 0 then cli.usage_error("update: --how needs --resolve TEXT") end
  if o.status and not log.known_status(o.status) then
    cli.warn(("status '%s' is not one of %s"):format(o.status, table.concat(log.WORK_STATUSES, ", ")))
  end
  return o
end

local function fail_match(what, query, why, names)
  local list = #names > 0 and table.concat(names, "; ") or "none"
  cli.usage_error(("update: %s '%s' is %s"):format(what, query,
    why == "ambiguous" and "ambiguous" or "not in the log"),
    (why == "ambiguous" and "it matches: " or "candidates: ") .. list)
end

---Whether the log at path still holds exactly `new` (of length `len`, the
---old text's): read again only when the lengths agree, as fs.update does,
---so a big log's old text need not be kept through every edit.
local function unchanged(path, len, new)
  return #new == len and fs.read(path) == new
end

---Apply every option to the text; returns the new text, or nil when the
---options change nothing (then the log is left as it is, its time too),
---and the options that changed it, in order ({option, value} each).
local function apply(text, o, id, by, path)
  if type(text) == "table" then text = table.remove(text) end -- handed over: this is its only holder
  local doc = log.new(text)
  local len = #text
  text = nil -- the doc holds it; a big log's old text can go at its first edit
  local today, now = clock.today(), clock.now()
  local changes = {}
  -- an option changed the log when the text differs after it; a big
  -- log's text is not kept for the comparison (memory): its options count
  local small = len <= TRACK_MAX
  local function track(option, value, fn, ...)
    local before = small and doc.text
    local r1, r2, r3 = fn(...)
    if not small or doc.text ~= before then
      changes[#changes + 1] = { option = option, value = value or json.null }
    end
    return r1, r2, r3
  end
  if args.clear_samples then track("--clear-samples", nil, edit.clear_samples, doc) end
  if args.next_clear then track("--next-clear", nil, edit.clear_next_steps, doc) end
  if o.working_on then track("--working-on", o.working_on, edit.set_work_field, doc, "Working On", o.working_on) end
  if o.status then track("--status", o.status, edit.set_work_field, doc, "Status", o.status) end
  if o.progress then
    track("--progress", o.progress .. "%", edit.set_work_field, doc, "Progress", o.progress .. "%")
  end
  for _, t in ipairs(o.phase) do track("--phase", t, edit.add_phase_task, doc, t) end
  local function done(q)
    local task, why, names = edit.check_phase_task(doc, q)
    if task then edit.add_completed(doc, today, task) end
    return task, why, names
  end
  for _, q in ipairs(o.done) do
    local task, why, names = track("--done", q, done, q)
    if not task then fail_match("phase task", q, why, names) end
  end
  for _, t in ipairs(o.completed) do track("--completed", t, edit.add_completed, doc, today, t) end
  for _, t in ipairs(o.blocker) do track("--blocker", t, edit.add_blocker, doc, t) end
  for _, q in ipairs(o.resolve) do
    local done, why, names = track("--resolve", q, edit.resolve_blocker, doc, q, o.how)
    if not done then fail_match("blocker", q, why, names) end
  end
  for _, t in ipairs(o.next) do track("--next", t, edit.add_next_step, doc, t) end
  for _, t in ipairs(o.note) do track("--note", t, edit.add_note, doc, t) end
  for _, t in ipairs(o.collab) do track("--collab", t, edit.add_coordination, doc, "Collaborations", t) end
  for _, l in ipairs(o.learning) do
    track("--learning", l.topic .. ": " .. l.text, edit.add_learning, doc, today, l.topic, l.text)
  end
  if o.service then track("--service", o.service.name, edit.set_service, doc, o.service.name, o.service.fields) end
  for _, kv in ipairs(o.set) do
    if not track("--set", kv.key .. "=" .. kv.value, edit.set_field, doc, kv.key, kv.value) then
      local keys, seen = {}, {}
      for _, spec in ipairs(doc.schema.sections) do
        for _, l in ipairs(spec.labels) do seen[l] = true end -- list labels are no values
      end
      for _, f in ipairs(log.fields(doc.text)) do
        if not seen[f.key] then keys[#keys + 1], seen[f.key] = f.key, true end
      end
      cli.fail(cli.EXIT.not_found, ("update: %s: the log has no field '%s'"):format(id, kv.key),
        #keys > 0 and ("its fields: " .. table.concat(keys, ", ")) or nil)
    end
  end
  if unchanged(path, len, doc.text) then return nil, {} end
  edit.touch(doc, now, by or id)
  return doc.text, changes
end

local id, path = cli.check(tree.resolve_log(ctx, args.id))
local by = tree.current_session(ctx)
local o = prepare()

if args.dry_run then
  local text = cli.check(fs.read(path))
  local new, changes = apply(text, o, id, by, path)
  local patch = new and diff.unified(text, new, path) or ""
  if args.json then
    cli.print_json({ schema = 1, kind = "update", id = id, path = path, dry_run = true, diff = patch,
                     changed = new ~= nil, changes = changes })
  elseif not new then
    io.write("Nothing to change in ", path, "\n")
  else
    io.write(patch)
  end
  return 0
end
local changes = {}
local _, changed = cli.check(fs.update(path, function(text)
  -- the text goes to apply in a table it empties, so this frame does not
  -- keep a big log's old text alive through every edit
  local new, owned = nil, { text }
  text = nil
  new, changes = apply(owned, o, id, by, path)
  return new
end))
-- An update that changes nothing writes nothing: the file keeps its bytes
-- and its time (Last Updated too), and no hook hears of an update.
if changed then require("sesslua.hooks").run(ctx, "after_update", { id = id, path = path, options = o }) end
if args.json then
  cli.print_json({ schema = 1, kind = "update", id = id, path = path, dry_run = false,
                   diff = json.null, changed = changed, changes = changed and changes or {} })
elseif changed then
  io.write("Updated ", path, "\n")
else
  io.write("Nothing to change in ", path, "\n")
end
return 0
