--- Edit a session log in $VISUAL or $EDITOR, holding its lock.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local clock = require("sesslua.clock")
local sys = require("sesslua.sys")

local parser = cli.parser("edit.lua", "Edit a session log in $VISUAL or $EDITOR (else vi), holding its lock.",
  "The log is locked while the editor runs, so no workflow writes it meanwhile. The result must "
  .. "still hold every section the log had; Last Updated is set; an unchanged log is not written. "
  .. "A broken result is refused: on a terminal you may edit again; otherwise the original is "
  .. "kept, the text saved as <log>.rejected, and the exit status is 1.")
cli.id_argument(parser)
local args = cli.parse(parser)

local id, path = cli.check(tree.resolve_log(ctx, args.id))
local function set(name) local v = sys.getenv(name); return v and v:find("%S") and v or nil end
local editor = set("VISUAL") or set("EDITOR")
if not editor then
  -- vi without a terminal (an agent, a pipe) would wait for keys forever
  if not sys.isatty(0) then
    cli.usage_error("edit: no terminal, and neither $VISUAL nor $EDITOR is set",
      "set EDITOR to a command that edits the file it is given, or run edit on a terminal")
  end
  editor = "vi"
end

---A word for the shell, in single quotes.
local function quoted(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

---The schema sections `original` has and `text` lacks (a log the editor
---broke: a heading deleted or mistyped); an empty list when it is whole.
local function lost_sections(original, text)
  local before, after, lost = log.new(original), log.new(text), {}
  for _, name in ipairs(log.SECTIONS) do
    if before:section(name) and not after:section(name) then lost[#lost + 1] = name end
  end
  return lost
end

-- Held until the end: no update, share or message writes the log while it
-- is open in the editor (they wait, or time out and say so).
local lock <close> = cli.check(fs.lock(path))
local original = cli.check(fs.read(path))

-- The editor works on a copy, so the log itself only ever changes by one
-- atomic write of a checked text.
local copy = os.tmpname()
local function done(code, message, hint)
  os.remove(copy)
  if message then cli.fail(code, message, hint) end
end
local f = assert(io.open(copy, "wb"))
f:write(original)
f:close()

local text, lost
while true do
  local ok, how, status = os.execute(editor .. " " .. quoted(copy))
  if not ok then
    done(cli.EXIT.check, ("edit: the editor (%s) %s with status %s; %s is unchanged"):format(
      editor, how == "signal" and "was ended by a signal" or "exited", tostring(status), path))
  end
  local r = io.open(copy, "rb")
  text = r and r:read("a") or ""
  if r then r:close() end
  if text == original then
    done()
    io.write("No change; nothing written.\n")
    return 0
  end
  lost = lost_sections(original, text)
  if #lost == 0 then break end
  io.stderr:write(("sesslua: edit: the edited log lacks %s\n"):format(table.concat(lost, ", ")))
  if not (sys.isatty(0) and sys.isatty(1)) then break end
  local answer = cli.ask("Edit again (e) or keep the original (k)?", "e")
  if not answer or not answer:lower():match("^e") then break end
end

if #lost > 0 then
  local rejected = path .. ".rejected"
  local saved = fs.write(rejected, text)
  done(cli.EXIT.check, ("edit: %s: the edited text lacks the section(s) %s; the log is unchanged"):format(
    path, table.concat(lost, ", ")),
    saved and ("your text is in %s: fix it there and copy it over, or edit again"):format(rejected)
      or "your edited text could not be saved")
end

local doc = log.new(text, path)
edit.touch(doc, clock.now(), tree.current_session(ctx) or id)
local ok, err, code = fs.write(path, doc.text) -- under our lock: fs.update would wait for it
done()
if not ok then cli.fail(cli.exit_for(code), "edit: " .. err) end
cli.written_warnings()
io.write(("Edited %s\n"):format(path))
return 0
