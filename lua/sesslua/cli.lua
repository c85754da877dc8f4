--- What every workflow script needs from the command line: option parsing
--- (lua-argparse), exit codes, one-line errors, warnings, color, JSON
--- output and `-` for text from standard input.
local argparse = require("argparse")
local sys = require("sesslua.sys")
local json = require("sesslua.json")

local M = {}

---Exit codes, documented in README.md and docs/errors.md.
M.EXIT = { ok = 0, check = 1, usage = 2, not_found = 3, conflict = 4, io = 5 }

local errno_exit = {
  ENOENT = M.EXIT.not_found, ENOTDIR = M.EXIT.not_found,
  EEXIST = M.EXIT.conflict, ETIMEDOUT = M.EXIT.conflict, EUSAGE = M.EXIT.usage,
}

---Stop the script: `sesslua: <message>` on stderr, then exit with code.
---@param code integer one of M.EXIT
---@param message string
---@param hint string|nil printed on a second line as `hint: ...`
function M.fail(code, message, hint)
  if hint then message = message .. "\nhint: " .. hint end
  error({ code = code, message = message }, 0)
end

---Stop on a usage error (exit 2).
function M.usage_error(message, hint)
  M.fail(M.EXIT.usage, message, hint)
end

---The exit code for a failure code from sesslua.fs ("ENOENT", ...).
function M.exit_for(errcode)
  return errno_exit[errcode] or M.EXIT.io
end

---Pass through a successful fs result, or stop with its message.
---Usage: `local text = cli.check(fs.read(path))`.
function M.check(value, message, errcode, ...)
  if value == nil then M.fail(M.exit_for(errcode), message) end
  return value, message, errcode, ...
end

---A warning line on stderr; never stops.
function M.warn(message)
  -- one write, so warnings of processes sharing a stderr stay whole lines
  io.stderr:write(("sesslua: warning: %s\n"):format(M.printable(message)))
end

local color_codes = { red = 31, green = 32, yellow = 33, blue = 34, magenta = 35,
                      cyan = 36, bold = 1, dim = 2 }
local use_color

---Whether stdout gets color: a terminal, and NO_COLOR unset.
function M.color_enabled()
  if use_color == nil then
    local no_color = sys.getenv("NO_COLOR")
    use_color = sys.isatty(1) and (no_color == nil or no_color == "")
      and sys.getenv("TERM") ~= "dumb"
  end
  return use_color
end

---Wrap s in an ANSI color when stdout is a terminal.
function M.paint(name, s)
  if not M.color_enabled() then return s end
  return ("\27[%dm%s\27[0m"):format(color_codes[name], s)
end

---Print one JSON document on stdout.
function M.print_json(value)
  io.write(json.encode(value, { indent = "  " }), "\n")
end

local stdin_text
---A TEXT option's value: `-` means standard input (read once, CRLF read as
---LF, trailing newlines dropped). Text with control characters (escape
---sequences, NUL, a lone CR...) is refused: it would end up in shared
---Markdown and on other people's terminals.
---@param value string
---@param what string|nil the option, for the message (e.g. "--note")
function M.text(value, what)
  if value == "-" then
    if stdin_text then
      M.usage_error("only one option can read '-' from standard input")
    end
    stdin_text = (sys.read_stdin() or ""):gsub("\r\n", "\n"):gsub("\n+$", "")
    value = stdin_text
  end
  local bad = value:find("[%z\1-\8\11-\31\127]")
  if bad then
    M.usage_error(("%s: text contains the control character \\x%02x at byte %d"):format(
      what or "text", value:byte(bad), bad), "remove escape sequences and other control characters")
  end
  return value
end

---Text safe to print on a terminal: control characters other than tab and
---newline shown as \xNN (logs and messages may hold anything).
M.printable = sys.escape_controls -- in C: search runs it on every hit

---Text as one line: runs of whitespace with a line break become one space
---(for fields and list items, which are one line in the log).
function M.one_line(s)
  return (s:gsub("%s*\r?\n%s*", " "))
end

---Whether to ask questions: a terminal on both ends (or --interactive),
---and not --yes.
function M.interactive(args)
  if args.yes then return false end
  if args.interactive then return true end
  return sys.isatty(0) and sys.isatty(1)
end

---Ask a question on stdout and read one line of answer; the default when
---the answer is empty. Once input has ended, asks nothing more and gives
---defaults (so a closed terminal never eats the shell's next command).
---@return string|nil answer, boolean ended
local input_ended = false
function M.ask(question, default)
  if input_ended then return default, true end
  io.write(question, default and default ~= "" and (" [" .. default .. "]") or "", ": ")
  io.flush()
  local answer = io.read("l")
  if answer == nil then
    io.write("\n")
    input_ended = true
    return default, true
  end
  answer = M.text(answer:match("^%s*(.-)%s*$"), "answer")
  if answer == "" then return default, false end
  return answer, false
end

---A new option parser for a workflow. `name` is the script's name as the
---user types it ("create.lua").
function M.parser(name, description, epilog)
  local parser = argparse(name, description, epilog)
    :usage_margin(2):help_max_width(80)
  parser._sesslua_name = name
  return parser
end

---The optional session id argument the log workflows share.
function M.id_argument(parser)
  parser:argument("id", "Session id: 12 or session-12 (default: the acting session)."):args("?")
end

---The --yes and --interactive flags of workflows that ask on a terminal.
function M.prompt_flags(parser, yes_help)
  parser:flag("-y --yes", yes_help or "Ask nothing.")
  parser:flag("-i --interactive", "Ask even without a terminal (answers from stdin).")
end

---Parse args (default: the script's `arg`); on error stop with exit 2 and
---the parser's usage line.
function M.parse(parser, args)
  local ok, result = parser:pparse(args or _G.arg)
  if not ok then
    -- argparse may add a "Did you mean" line; the first line says it all
    result = tostring(result):match("^[^\n]*")
    M.usage_error(("%s: %s"):format(parser._sesslua_name, result),
      parser:get_usage():gsub("^Usage: ", "sesslua "):gsub("\n%s*", " "))
  end
  return result
end

return M
