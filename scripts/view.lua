--- Show a session log, one section of it, or its summary as JSON.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local summary = require("sesslua.summary")
local sys = require("sesslua.sys")

local parser = cli.parser("view.lua", "Show a session log (or one section, or JSON).",
  "In --json, values are plain text (Markdown markers removed). `fields` holds the header's "
  .. "fields and the Current Work keys the header lacks (a key in both, like Status, is the "
  .. "header's); `header_fields` and `work_fields` hold each part's own, so Current Work's "
  .. "Status is work_fields.Status. `resolved` items are {text, resolution} (resolution null "
  .. "when none is written).")
cli.id_argument(parser)
parser:option("--section", "Only this section: its title, or a prefix of one title (case aside, emoji included).")
parser:flag("--archived", "Show the session's newest archived log (without it, an archived log is shown when the session has no active one).")
parser:flag("--json", "Print the log's summary as JSON.")
local pager = require("sesslua.pager")
pager.flag(parser)
local args = cli.parse(parser)

-- the active log, else (or with --archived) the newest archived one
local id = cli.check(tree.session_arg(ctx, args.id))
local path, archive_date
if not args.archived then
  local err, code
  path, err, code = tree.existing_log(ctx, id)
  if not path and code ~= "ENOENT" then cli.fail(cli.exit_for(code), err, nil, code) end
end
if not path then
  path, archive_date = tree.archived_log(ctx, id)
  if not path and args.archived then
    cli.fail(cli.EXIT.not_found, ("view: %s has no archived log in %s"):format(id, tree.paths(ctx.root).archive),
      "sesslua list.lua --archived lists them", "ENOENT")
  end
  if not path then cli.check(tree.existing_log(ctx, id)) end -- its message and hint
  -- said on stderr: stdout stays the log's bytes
  if not args.json then
    io.stderr:write(("sesslua: note: %s: the archived log of %s\n"):format(cli.printable(path), id))
  end
end
local doc = cli.check(log.open(path))

local sec
if args.section then
  local why, titles
  sec, why, titles = doc:lookup(args.section)
  if why == "ambiguous" then
    cli.usage_error(("view: %s: section '%s' is ambiguous"):format(path, args.section),
      "it starts: " .. table.concat(titles, "; "))
  elseif not sec then
    cli.fail(cli.EXIT.not_found, ("view: %s: no section '%s'"):format(path, args.section),
      "sections: " .. table.concat(titles, "; "))
  end
end

if args.json then
  local s = summary.full(doc, id, path, { stale_hours = require("sesslua.config").get(ctx).values.stale_hours })
  local out = summary.json(s, "log")
  out.archived, out.archive_date = archive_date ~= nil, archive_date or require("sesslua.json").null
  if sec then
    out.section = { title = sec.title, level = sec.level, line = sec.line,
                    text = doc.text:sub(sec.start, sec.stop - 1) }
  end
  cli.print_json(out)
  return 0
end
local text = sec and doc.text:sub(sec.start, sec.stop - 1) or doc.text
local _ <close> = pager.start(args) -- a long log on a terminal: through the pager
-- the log's bytes unchanged into a pipe or file (`view 12 > copy.md`); on a
-- terminal escaped, so a title sequence or bidi override in a log someone
-- pushed cannot act on it
io.write(sys.isatty(1) and cli.printable(text) or text)
return 0
