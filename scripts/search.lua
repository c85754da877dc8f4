--- Search session logs and shared knowledge for a literal text.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local md = require("sesslua.md")
local log = require("sesslua.log")
local search = require("sesslua.search")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local json = require("sesslua.json")
local clock = require("sesslua.clock")

local parser = cli.parser("search.lua",
  "Find a literal text (case-insensitive) in active logs and shared knowledge.",
  "Exit status: 0 found, 1 nothing found, 2 usage error (as grep).\n"
  .. "--knowledge takes an optional TYPE: write the QUERY first (search.lua redis --knowledge)\n"
  .. "or the type with = (search.lua --knowledge=pattern redis).")
parser:argument("query", "The text to find (literal, not a pattern).")
-- argparse's mutex() takes its members; it returns the parser, not a group.
parser:mutex(
  parser:flag("--archived", "Search archived logs only."),
  parser:flag("--all", "Search active and archived logs and shared knowledge."),
  parser:option("--knowledge", "Shared knowledge only; optionally one TYPE."):args("?"))
parser:option("--session", "Only this session's logs and entries.")
parser:option("--section", "Only hits inside this section (title or prefix).")
parser:option("--since", "Only logs/entries dated YYYY-MM-DD or later.")
parser:flag("-s --case-sensitive", "Match case exactly.")
parser:flag("-l --files-with-matches", "Print only the names of files with hits.")
parser:flag("-c --count", "Print the number of matching lines per file.")
parser:flag("--json", "Print hits as JSON.")
local args = cli.parse(parser)

if args.query == "" then cli.usage_error("search: empty query") end
if args.since and not clock.valid_date(args.since) then
  cli.usage_error(("search: --since '%s': expected a date YYYY-MM-DD"):format(args.since))
end
cli.check(tree.require_root(ctx))
local only_session
if args.session then
  only_session = cli.check(tree.session_arg(ctx, args.session))
end

-- Which files, and what each is.
local paths = tree.paths(ctx.root)
local files, info = {}, {}
local function add(path, meta) files[#files + 1] = path; info[path] = meta end
local function add_logs(dir, archived)
  for _, f in ipairs(tree.log_files(ctx, dir, cli.warn, archived)) do
    if not only_session or f.id == only_session then
      f.session = f.id -- the file's own table serves as its description
      add(f.path, f)
    end
  end
end
local knowledge_kinds = {}
if args.knowledge then
  local word = args.knowledge[1]
  if word then
    local kind = knowledge.kind(word)
    if not kind then
      cli.usage_error(("search: --knowledge '%s' is not a knowledge type"):format(word),
        "types: learning, pattern, troubleshooting, best-practice")
    end
    knowledge_kinds = { kind }
  else
    knowledge_kinds = tree.KNOWLEDGE
  end
else
  if not args.archived then add_logs(paths.active, false) end
  if args.archived or args.all then add_logs(paths.archive, true) end
  if not args.archived then knowledge_kinds = tree.KNOWLEDGE end
end
for _, kind in ipairs(knowledge_kinds) do
  local p = knowledge.path(ctx.root, kind)
  if fs.exists(p) then add(p, { kind = kind }) end
end

local result = search.files(files, args.query, { icase = not args.case_sensitive, labels = true })
for _, e in ipairs(result.errors) do cli.warn(e.message) end

-- Knowledge hits carry their whole entry; logs their section path.
local entry_cache = {}
local function entry_at(path, line)
  if not entry_cache[path] then
    entry_cache[path] = knowledge.entries(fs.read(path) or "", info[path].kind)
  end
  local found
  for _, e in ipairs(entry_cache[path]) do
    if e.line <= line then found = e else break end
  end
  return found
end
local last_updated_cache = {}
local function log_date(path)
  if info[path].archive_date then return info[path].archive_date end
  if last_updated_cache[path] == nil then
    local doc = log.new(fs.read(path) or "", path)
    local text = doc:last_updated()
    last_updated_cache[path] = text and text:match("^(%d%d%d%d%-%d%d%-%d%d)") or false
  end
  return last_updated_cache[path] or nil
end
---How a title matches --section, as md.find ranks it: 1 exact,
---2 case-insensitive, 3 normalised prefix; nil when it does not.
local function title_tier(title)
  local q = args.section
  if title == q then return 1 end
  if title:lower() == q:lower() then return 2 end
  if md.find({ { title = title } }, q) then return 3 end
end
---The best tier any section of a file reaches: a hit is kept only when its
---section path matches at that tier, so `--section Notes` picks "Notes"
---and not also "Notes Archive", as md.find would.
local best_tier_cache = {}
local function best_tier(path)
  if best_tier_cache[path] == nil then
    local best = false
    for _, sec in ipairs(md.sections(fs.read(path) or "")) do
      local t = title_tier(sec.title)
      if t and (not best or t < best) then best = t end
    end
    best_tier_cache[path] = best
  end
  return best_tier_cache[path]
end
local function section_matches(h)
  local best = best_tier(h.path)
  if not best then return false end
  for _, t in ipairs(h.sections) do
    if title_tier(t) == best then return true end
  end
  return false
end

local hits = {}
for _, h in ipairs(result.hits) do
  local meta = info[h.path]
  local keep = true
  if args.section and not section_matches(h) then keep = false end
  if keep and meta.kind then
    h.entry = entry_at(h.path, h.line)
    if not h.entry then keep = false end -- the file's header, not knowledge
    if keep and only_session and (not h.entry or h.entry.session ~= only_session) then keep = false end
    if keep and args.since and (not h.entry or h.entry.date < args.since) then keep = false end
  elseif keep and args.since then
    local d = log_date(h.path)
    if not d or d < args.since then keep = false end
  end
  if keep then hits[#hits + 1] = h end
end

local function label(h)
  local meta = info[h.path]
  local head = meta.kind and ("shared-knowledge/" .. meta.kind.file) or meta.session
  if meta.archive_date then head = head .. " (archived " .. meta.archive_date .. ")" end
  local parts = { head }
  for i, t in ipairs(h.sections) do
    -- the log's own title says nothing the session id does not
    if not (i == 1 and #h.sections > 1) then parts[#parts + 1] = t end
  end
  parts[#parts + 1] = h.label -- the `**Label:**` sub-heading above the hit
  return table.concat(parts, " › ")
end

if args.json then
  local out = {}
  for i, h in ipairs(hits) do
    local meta = info[h.path]
    out[i] = { path = h.path, session = meta.session or (h.entry and h.entry.session) or json.null,
      section = #h.sections > 0 and h.sections[#h.sections] or json.null,
      sections = h.sections, line = h.line, column = h.column, text = h.text, entry = json.null }
    if h.entry then
      local e = h.entry
      out[i].entry = { date = e.date, session = e.session, category = e.category, type = e.type,
        impact = e.impact or json.null, text = e.text or json.null }
    end
  end
  cli.print_json({ schema = 1, kind = "search", query = args.query, hits = out })
  return #hits > 0 and 0 or 1
end

if args.files_with_matches or args.count then
  local counts, order = {}, {}
  for _, h in ipairs(hits) do
    if not counts[h.path] then counts[h.path] = 0; order[#order + 1] = h.path end
    counts[h.path] = counts[h.path] + 1
  end
  for _, p in ipairs(order) do
    io.write(p, args.count and (":" .. counts[p]) or "", "\n")
  end
  return #hits > 0 and 0 or 1
end

local function highlight(text, column)
  if not cli.color_enabled() then return text end
  local stop = column + #args.query - 1
  return text:sub(1, column - 1) .. cli.paint("red", text:sub(column, stop)) .. text:sub(stop + 1)
end

---Every occurrence highlighted (ASCII case folding is enough for display).
local function highlight_all(text)
  if not cli.color_enabled() then return text end
  local lower, q = text:lower(), args.query:lower()
  local out, pos = {}, 1
  while true do
    local a, b = lower:find(q, pos, true)
    if not a then break end
    out[#out + 1] = text:sub(pos, a - 1) .. cli.paint("red", text:sub(a, b))
    pos = b + 1
  end
  out[#out + 1] = text:sub(pos)
  return table.concat(out)
end

local shown_entries, last_label, last_path = {}, nil, nil
for _, h in ipairs(hits) do
  if h.entry then
    local key = h.path .. ":" .. h.entry.line
    if not shown_entries[key] then
      shown_entries[key] = true
      if last_label then io.write("\n"); last_label, last_path = nil, nil end
      local text = fs.read(h.path) or ""
      io.write(cli.paint("cyan", "shared-knowledge/" .. info[h.path].kind.file .. ":" .. h.entry.line), "\n")
      local body = text:sub(h.entry.start, h.entry.stop - 1):gsub("%s*%-%-%-%s*$", "")
      io.write(highlight_all(body:gsub("\r", "")), "\n\n")
    end
  else
    local l = label(h)
    if l ~= last_label or h.path ~= last_path then
      if last_label then io.write("\n") end
      io.write(cli.paint("cyan", l), "\n")
      last_label, last_path = l, h.path
    end
    io.write(("  %d: %s\n"):format(h.line, highlight(h.text, h.column)))
  end
end
return #hits > 0 and 0 or 1
