--- Search session logs and shared knowledge for a text or a regular expression.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local md = require("sesslua.md")
local search = require("sesslua.search")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local json = require("sesslua.json")
local clock = require("sesslua.clock")

local parser = cli.parser("search.lua",
  "Find a text (case-insensitive; with -e a regular expression) in active logs and shared knowledge.",
  "Exit status: 0 found, 1 nothing found, 2 usage error (as grep).\n"
  .. "The --knowledge option takes an optional TYPE: write the QUERY first (search.lua redis --knowledge) "
  .. "or the type with = (search.lua --knowledge=pattern redis).")
parser:argument("query", "The text to find (literal; with -e a PCRE2 regular expression).")
-- argparse's mutex() takes its members; it returns the parser, not a group.
parser:mutex(
  parser:flag("--archived", "Search archived logs only."),
  parser:flag("--all", "Search active and archived logs and shared knowledge."),
  parser:option("--knowledge", "Shared knowledge only; optionally one TYPE."):args("?"))
parser:option("--session", "Only this session's logs and entries.")
parser:option("--section", "Only hits inside this section (title or prefix).")
parser:option("--since", "Only logs/entries from WHEN on: a date YYYY-MM-DD, today, yesterday, 2d, 1w."):argname("WHEN")
parser:flag("-s --case-sensitive", "Match case exactly.")
parser:flag("-e --regex", "QUERY is a regular expression (PCRE2, as grep -P).")
parser:flag("-w --word", "Match whole words only.")
---A context line count: a whole number from 0.
local function lines_arg(v)
  local n = math.tointeger(tonumber(v))
  if n and n >= 0 then return n end
  return nil, ("'%s': expected a number of lines"):format(v)
end
parser:option("-C --context", "Print NUM lines around each hit (text and JSON).", nil, lines_arg)
parser:option("-A --after-context", "Print NUM lines after each hit.", nil, lines_arg)
parser:option("-B --before-context", "Print NUM lines before each hit.", nil, lines_arg)
parser:flag("-l --files-with-matches", "Print only the names of files with hits.")
parser:flag("-c --count", "Print the number of matching lines per file.")
parser:flag("--json", "Print hits as JSON.")
require("sesslua.pager").flag(parser)
local args = cli.parse(parser)

-- Listing and sorting ten thousand log names makes several times their
-- size in short-lived strings: collecting when the heap has grown by 10%
-- (Lua's default waits for 100%) keeps peak memory near what is live, so
-- it grows with the number of files by little more than their names.
collectgarbage("incremental", 110)
if args.query == "" then cli.usage_error("search: empty query") end
-- context lines: nil when none of -C, -A, -B is given
local context = args.context or args.before_context or args.after_context
local before = context and (args.before_context or args.context or 0)
local after = context and (args.after_context or args.context or 0)
if context and (args.section or args.since) then
  cli.usage_error("search: -C, -A and -B cannot be combined with --section or --since")
end
-- on a terminal, long output through the pager (not grep's context lines,
-- which C prints past io.output)
local paged <close> = require("sesslua.pager").start(context and { no_pager = true } or args)
if args.since then -- from here on the first day taken in, YYYY-MM-DD
  local day, why = clock.since(args.since)
  if not day then cli.usage_error(("search: --since '%s': %s"):format(args.since, why)) end
  args.since = day
end
cli.check(tree.require_root(ctx))
local only_session
if args.session then
  only_session = cli.check(tree.session_arg(ctx, args.session))
end

-- What to search: folders of logs, walked by name (only the names are
-- held, so memory stays flat over ten thousand logs), then the knowledge
-- files.
local paths = tree.paths(ctx.root)
local log_dirs, knowledge_files, kind_of = {}, {}, {}
local function add_logs(dir, archived)
  local names = tree.log_names(ctx, dir, cli.warn, archived)
  if only_session then
    local kept = {}
    for _, n in ipairs(names) do
      if tree.describe_log(dir, n, archived).id == only_session then kept[#kept + 1] = n end
    end
    names = kept
  end
  log_dirs[#log_dirs + 1] = { dir = dir, names = names }
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
  if fs.exists(p) then knowledge_files[#knowledge_files + 1] = p; kind_of[p] = kind end
end

-- What the listing left is freed now, so the search reuses that memory
-- rather than growing past it.
collectgarbage()

---What a file with hits is: {kind} for knowledge, else the log's
---description with its session. Only the current file's is kept.
local meta_path, meta_value
local function meta(path)
  if path ~= meta_path then
    local kind = kind_of[path]
    if kind then
      meta_value = { kind = kind }
    else
      local dir, name = path:match("^(.*)/([^/]*)$")
      meta_value = tree.describe_log(dir, name, dir == paths.archive)
      meta_value.session = meta_value.id
    end
    meta_path = path
  end
  return meta_value
end

-- Per-file facts a filter needs, kept only while that file's hits are
-- handled: results stream file by file, so memory stays flat however big
-- the corpus and however many hits.
local text_path, text_value -- one file at a time: the filters share its read
local function file_text(path)
  if path ~= text_path then text_path, text_value = path, fs.read(path) or "" end
  return text_value
end

---The knowledge entry a hit is in: the one whose bytes [start, stop) hold
---it; nil in the file's header, its footer or text between sections.
local function entry_finder(path)
  local entries = knowledge.entries(file_text(path), meta(path).kind)
  local i = 0
  return function(h) -- hits come in file order
    while entries[i + 1] and entries[i + 1].start <= h.offset do i = i + 1 end
    local e = entries[i]
    return e and h.offset < e.stop and e or nil
  end
end

local function log_date(path)
  if meta(path).archive_date then return meta(path).archive_date end
  -- the log model only for --since (a third of a millisecond to load)
  local text = require("sesslua.log").new(file_text(path), path):last_updated()
  local day = text and text:match("^(%d%d%d%d%-%d%d%-%d%d)")
  if day then return day end
  -- no Last Updated date: the file's own time says when it was written
  local st = fs.stat(path)
  return st and clock.today(math.floor(st.mtime))
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
local function best_tier(path)
  local best
  for _, sec in ipairs(md.sections(file_text(path))) do
    local t = title_tier(sec.title)
    if t and (not best or t < best) then best = t end
  end
  return best
end
local function in_section(h, best)
  for _, t in ipairs(h.sections) do
    if title_tier(t) == best then return true end
  end
  return false
end

---The hits of one file that pass --section, --session and --since.
local function keep_hits(path, hits)
  local m = meta(path)
  if not (m.kind or args.section or args.since) then return hits end -- nothing to filter
  local best = args.section and best_tier(path)
  if args.section and not best then return {} end
  local entry_at = m.kind and entry_finder(path)
  if not m.kind and args.since then
    local d = log_date(path)
    if not d or d < args.since then return {} end
  end
  local kept = {}
  for _, h in ipairs(hits) do
    local keep = not args.section or in_section(h, best)
    if keep and entry_at then
      h.entry = entry_at(h)
      keep = h.entry ~= nil -- the file's header and footer are no knowledge
        and not (only_session and h.entry.session ~= only_session)
        and not (args.since and h.entry.date < args.since) -- an undated entry is "" < any date
    end
    if keep then kept[#kept + 1] = h end
  end
  return kept
end

local function label(h)
  local m = meta(h.path)
  local head = m.kind and ("shared-knowledge/" .. m.kind.file) or m.session
  if m.archive_date then head = head .. " (archived " .. m.archive_date .. ")" end
  local parts = { head }
  for i, t in ipairs(h.sections) do
    -- the log's own title says nothing the session id does not
    if not (i == 1 and #h.sections > 1) then parts[#parts + 1] = t end
  end
  parts[#parts + 1] = h.label -- the `**Label:**` sub-heading above the hit
  return cli.printable(table.concat(parts, " › "))
end

---Every occurrence of the query in text highlighted (display only: ASCII
---case folding is enough to find what to paint).
local function highlight(text, column, length)
  text = cli.printable(text)
  if not cli.color_enabled() then return text end
  if column and (args.regex or args.word) then -- paint the kernel's own match
    local stop = column + length - 1
    return text:sub(1, column - 1) .. cli.paint("red", text:sub(column, stop)) .. text:sub(stop + 1)
  end
  if column and not (args.case_sensitive and text or text:lower())
      :find(args.case_sensitive and args.query or args.query:lower(), 1, true) then
    -- a match by Unicode case folding: paint the kernel's own match
    local stop = column + #args.query - 1
    return text:sub(1, column - 1) .. cli.paint("red", text:sub(column, stop)) .. text:sub(stop + 1)
  end
  local find_in = args.case_sensitive and text or text:lower()
  local q = args.case_sensitive and args.query or args.query:lower()
  local out, pos = {}, 1
  while true do
    local a, b = find_in:find(q, pos, true)
    if not a then break end
    out[#out + 1] = text:sub(pos, a - 1) .. cli.paint("red", text:sub(a, b))
    pos = b + 1
  end
  out[#out + 1] = text:sub(pos)
  return table.concat(out)
end

-- Writers: each takes one file's kept hits; finish closes the output.
local emit, finish
-- printed: what is already out, shared with the C printer (JSON hits, or
-- text groups: a group after another is set off by a blank line).
local printed = 0
if args.json then
  io.write('{\n  "schema": 1,\n  "kind": "search",\n  "hits": [')
  -- One hit as json.encode would pretty-print it at depth 2 (keys sorted),
  -- written by hand: a common word has hundreds of thousands of hits, and
  -- what hits of one file or section share is encoded once.
  local enc = function(v, depth) return json.encode(v, { indent = "  ", depth = depth }) end
  local last_sections, sections_json
  emit = function(path, hits)
    local m = meta(path)
    local path_json, session_json = enc(path), enc(m.session or json.null)
    local out = {}
    for _, h in ipairs(hits) do
      if h.sections ~= last_sections then
        last_sections, sections_json = h.sections, enc(h.sections, 3)
      end
      local entry_json, session = "null", session_json
      if h.entry then
        local e = h.entry
        local function said(v) return v ~= "" and v or json.null end -- "" where the entry names none
        entry_json = enc({ date = said(e.date), session = said(e.session), category = said(e.category),
          type = e.type, impact = e.impact or json.null, text = e.text or json.null }, 3)
        if not m.session then session = enc(said(e.session)) end
      end
      printed = printed + 1
      out[#out + 1] = table.concat({ printed > 1 and ",\n    {" or "\n    {",
        -- a knowledge hit's context is its whole entry: no lines around it
        context and '\n      "after": [],\n      "before": [],' or "",
        '\n      "column": ', h.column,
        ',\n      "entry": ', entry_json,
        ',\n      "label": ', h.label and enc(h.label) or "null",
        ',\n      "line": ', h.line,
        ',\n      "path": ', path_json,
        ',\n      "section": ', #h.sections > 0 and enc(h.sections[#h.sections]) or "null",
        ',\n      "sections": ', sections_json,
        ',\n      "session": ', session,
        ',\n      "text": ', enc(h.text),
        "\n    }" })
    end
    io.write(table.concat(out))
  end
  finish = function()
    io.write(printed > 0 and "\n  ]" or "]", ',\n  "query": ', enc(args.query, 1), "\n}\n")
  end
elseif args.files_with_matches or args.count then
  emit = function(path, _, n)
    io.write(cli.printable(path), args.count and (":" .. n) or "", "\n")
  end
  finish = function() end
else
  local last_label, last_path = nil, nil
  local color, printable = cli.color_enabled(), cli.printable -- per hit: no lookups
  local last_sections, last_sub
  emit = function(path, hits)
    local text -- read once per file, for knowledge entries
    local shown = {}
    local out = {} -- one write per file: a common word has many hits
    local function write(a, b)
      out[#out + 1] = a
      if b then out[#out + 1] = b end
    end
    for _, h in ipairs(hits) do
      if h.entry then
        if not shown[h.entry.line] then
          shown[h.entry.line] = true
          if printed > 0 then write("\n") end
          printed, last_label, last_path = printed + 1, nil, nil
          text = text or file_text(path)
          write(cli.paint("cyan", "shared-knowledge/" .. meta(path).kind.file .. ":" .. h.entry.line), "\n")
          local body = text:sub(h.entry.start, h.entry.stop - 1):gsub("%s*%-%-%-%s*$", "")
          write(highlight((body:gsub("\r", ""))), "\n")
        end
      else
        -- hits of one section share their sections table: one label each
        local l = last_label
        if h.sections ~= last_sections or h.label ~= last_sub or path ~= last_path then
          l, last_sections, last_sub = label(h), h.sections, h.label
        end
        if l ~= last_label or path ~= last_path then
          if printed > 0 then write("\n") end
          write(cli.paint("cyan", l), "\n")
          printed, last_label, last_path = printed + 1, l, path
        end
        local n = #out
        out[n + 1], out[n + 2], out[n + 3], out[n + 4] = "  ", h.line, ": ",
          color and highlight(h.text, h.column, h.length) or printable(h.text)
        out[n + 5] = "\n"
      end
    end
    io.write(table.concat(out))
  end
  finish = function() end
end

local found = 0
local function each(file)
  -- without a hit list (the fast -l / -c path) the kernel's count stands
  local hits = file.hits and keep_hits(file.path, file.hits)
  local n = hits and #hits or file.count
  if n > 0 then
    found = found + n
    emit(file.path, hits, n)
  end
end

-- Logs with no per-hit filter are printed by the C side, file by file in
-- order (text without color or with context lines, JSON, -l, -c): no Lua table per hit. Lua is
-- called once per file with hits, for what only it knows: the group
-- header's start (the session, "(archived DATE)"), or the values of the
-- JSON keys C does not know ("entry", null for a log, and "session").
local print_as = args.json and "json" or args.count and "count"
  or args.files_with_matches and "files"
  or (not cli.color_enabled() or context) and "text" or nil
if args.section or args.since then print_as = nil end
if paged:active() then print_as = nil end -- gathered for the pager: printed by Lua's io.write
-- An active log's session is its name without ".md" (tree.describe_log):
-- C cuts it from each path ("stem"), with no call per file with a hit.
-- An archived log's is worked out here.
local active_head = args.json and { false, "stem" } or { "stem" }
local function head(path)
  local m = meta(path)
  if args.json then return nil, m.session end
  return m.archive_date and (m.session .. " (archived " .. m.archive_date .. ")") or m.session
end

-- Each folder of logs as its names (C makes each path), then the
-- knowledge files.
local batches = {}
for _, d in ipairs(log_dirs) do batches[#batches + 1] = d end
batches[#batches + 1] = { names = knowledge_files }
for _, batch in ipairs(batches) do
  local o = { icase = not args.case_sensitive, labels = true, each = each,
    regex = args.regex, word = args.word, dir = batch.dir }
  if print_as and batch.dir then
    o = { icase = o.icase, regex = args.regex, word = args.word, print = print_as,
          head = batch.dir == paths.active and active_head or head,
          printed = printed, fields = { "entry", "session" },
          before = before, after = after, dir = batch.dir }
  end
  -- A table per hit (knowledge entries, and logs printed in Lua) is where
  -- Lua's default, lazier collector is faster (by 40% on 64,000 hits).
  if not o.print then collectgarbage("incremental", 200) end
  local ok, result = pcall(search.files, batch.names, args.query, o)
  if not ok then -- the one error a query can cause: PCRE2 refused it
    local why = tostring(result):match("bad pattern: (.*)$")
    if not why then error(result, 0) end
    cli.usage_error(("search: -e '%s': %s"):format(args.query, why))
  end
  if o.print then
    found, printed = found + result.count, result.printed
  end
  for _, e in ipairs(result.errors) do cli.warn(e.message) end
end
finish()
return found > 0 and 0 or 1
