--- What every workflow script needs from the command line: option parsing
--- (lua-argparse), exit codes, one-line errors, warnings, color, JSON
--- output and `-` for text from standard input.
local argparse = require("argparse")
local sys = require("sesslua.sys")
local fs = require("sesslua.fs")
local json = require("sesslua.json")
local nearest = require("sesslua.nearest")

local M = {}

---Exit codes, documented in README.md and docs/errors.md.
---@type {ok: integer, check: integer, usage: integer, not_found: integer, conflict: integer, io: integer}
M.EXIT = { ok = 0, check = 1, usage = 2, not_found = 3, conflict = 4, io = 5 }

local errno_exit = {
  ENOENT = M.EXIT.not_found, ENOTDIR = M.EXIT.not_found,
  EEXIST = M.EXIT.conflict, ETIMEDOUT = M.EXIT.conflict, EUSAGE = M.EXIT.usage,
}

---Stop the script: `sesslua: <message>` on stderr, then exit with code.
---@param code integer the exit code, one of M.EXIT
---@param message string
---@param hint? string printed on a second line as `hint: ...`
---@param errcode? string what failed, as `--json` reports it ("ENOENT", "EACCES"...)
function M.fail(code, message, hint, errcode)
  if hint then message = message .. "\nhint: " .. hint end
  error({ code = code, message = message, errcode = errcode }, 0)
end

-- The `code` of a JSON error when the failure named none: by exit code.
local EXIT_ERRCODES = { "ECHECK", "EUSAGE", "ENOENT", "ECONFLICT", "EIO" }

---The JSON document of an error, as a workflow given `--json` prints it on
---stdout (besides the line on stderr): `{schema = 1, kind = "error",
---code, exit, message, hints, details}`: the first line of the message,
---its `hint:` lines, and its other lines (a list of what failed).
---@param err any the error object (cli.fail's table, or any Lua error)
---@return table document
function M.error_json(err)
  local exit, text, errcode = 2, tostring(err), "EINTERNAL" -- a Lua error: a bug
  if type(err) == "table" then
    exit = math.tointeger(err.code) or 2
    text, errcode = tostring(err.message), err.errcode
  end
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local hints, details = {}, {}
  for i = 2, #lines do
    local hint = lines[i]:match("^hint: (.*)$")
    if hint then hints[#hints + 1] = hint
    elseif lines[i]:find("%S") then details[#details + 1] = lines[i]:match("^%s*(.-)%s*$") end
  end
  return { schema = 1, kind = "error", exit = exit,
           code = errcode or EXIT_ERRCODES[exit] or "EINTERNAL",
           message = lines[1] or "", hints = hints, details = details }
end

---Stop on a usage error (exit 2).
---@param message string
---@param hint? string
function M.usage_error(message, hint)
  M.fail(M.EXIT.usage, message, hint)
end

---The exit code for a failure code from sesslua.fs ("ENOENT", ...).
---@param errcode string|nil a failure code ("ENOENT", "EUSAGE", ...)
---@return integer exit
function M.exit_for(errcode)
  return errno_exit[errcode] or M.EXIT.io
end

---Pass through a successful fs result, or stop with its message. Either
---way, first print the warnings of writes that were done but may not be
---durable (M.written_warnings).
---Usage: `local text = cli.check(fs.read(path))`.
---@param value any the first result; nil means failure
---@param message string|nil the failure message
---@param errcode string|nil the failure code ("ENOENT", ...)
---@param ... any further results, passed through
---@return any value
---@return any message
---@return any errcode
---@return any ... all unchanged, on success (a failure never returns)
function M.check(value, message, errcode, ...)
  M.written_warnings()
  if value == nil then M.fail(M.exit_for(errcode), message, nil, errcode) end
  return value, message, errcode, ...
end

-- A warning line longer than this is cut as an error line is (core/main.c):
-- its first 200 and last 100 bytes stay, so a 131 KB value cannot flood
-- the terminal and the tail, which usually says why, is kept.
local WARN_MAX, WARN_HEAD, WARN_TAIL = 400, 200, 100

---line cut in the middle when longer than WARN_MAX bytes; cuts fall
---between UTF-8 characters.
local function cut_line(line)
  if #line <= WARN_MAX then return line end
  local head, tail = WARN_HEAD, #line - WARN_TAIL + 1
  while head > 0 and (line:byte(head + 1) or 0) & 0xC0 == 0x80 do head = head - 1 end
  while tail <= #line and line:byte(tail) & 0xC0 == 0x80 do tail = tail + 1 end
  return ("%s\u{2026} (%d bytes cut) \u{2026}%s"):format(line:sub(1, head), tail - head - 1,
    line:sub(tail))
end

---A warning line on stderr; never stops. A line over 400 bytes is cut in
---the middle, as error lines are.
---@param message string
function M.warn(message)
  local text = M.printable(message):gsub("[^\n]+", cut_line)
  -- one write, so warnings of processes sharing a stderr stay whole lines
  io.stderr:write(("sesslua: warning: %s\n"):format(text))
end

---Print, as warnings, every write since the last call that was done but
---may not survive a power loss (`written, but may not survive a power
---loss: <path>: <why>`: the file is in place, only its folder's fsync
---failed). The write counts as done: go on, never undo or retry it. The
---one place workflows print these; the host prints any left at the end.
---@return integer n how many were printed
function M.written_warnings()
  local list = fs.warnings()
  for _, w in ipairs(list) do M.warn(w) end
  return #list
end

local color_codes = { red = 31, green = 32, yellow = 33, blue = 34, magenta = 35,
                      cyan = 36, bold = 1, dim = 2 }
local use_color

---Whether stdout gets color: a terminal, and NO_COLOR unset.
---@return boolean
function M.color_enabled()
  if use_color == nil then
    local when = package.loaded["sesslua.context"].color
    if when == "always" then use_color = true
    elseif when == "never" then use_color = false
    else
      local no_color = sys.getenv("NO_COLOR")
      use_color = sys.isatty(1) and (no_color == nil or no_color == "")
        and sys.getenv("TERM") ~= "dumb"
    end
  end
  return use_color
end

local UNICODE = { full = "█", empty = "░", none = "—", sep = "·", cut = "…" }
local ASCII = { full = "#", empty = "-", none = "-", sep = "|", cut = "~" }
local symbols

---The symbols tables and bars are drawn with: block characters, an em
---dash for "none", a middle dot, an ellipsis; their ASCII stand-ins
---(`#`, `-`, `-`, `|`, `~`, one column each) when the locale names a
---character set that is not UTF-8 (LC_ALL, else LC_CTYPE, else LANG: `C`,
---`POSIX`, `en_US.ISO-8859-1`). No locale set at all keeps UTF-8, as
---terminals and agents nearly always are.
---@return {full: string, empty: string, none: string, sep: string, cut: string}
function M.symbols()
  if not symbols then
    local locale
    for _, name in ipairs({ "LC_ALL", "LC_CTYPE", "LANG" }) do
      local v = sys.getenv(name)
      if v and v ~= "" then locale = v; break end
    end
    local utf8_locale = locale == nil or locale:lower():find("utf%-?8") ~= nil
    symbols = utf8_locale and UNICODE or ASCII
  end
  return symbols
end

---Wrap s in an ANSI color when stdout is a terminal.
---@param name "red"|"green"|"yellow"|"blue"|"magenta"|"cyan"|"bold"|"dim"
---@param s string
---@return string
function M.paint(name, s)
  if not M.color_enabled() then return s end
  return ("\27[%dm%s\27[0m"):format(color_codes[name], s)
end

---Print one JSON document on stdout.
---@param value any what json.encode takes
function M.print_json(value)
  io.write(json.encode(value, { indent = "  " }), "\n")
end

local stdin_text
---A TEXT option's value: `-` means standard input (read once, CRLF read as
---LF, trailing newlines dropped). Text with control characters (escape
---sequences, NUL, a lone CR...) is refused: it would end up in shared
---Markdown and on other people's terminals.
---@param value string the option's value; "-" reads standard input
---@param what? string the option, for the message (e.g. "--note")
---@return string text a usage error (exit 2) for control characters or a second "-"
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

---Text safe to print on a terminal (logs and messages may hold anything):
---C0 control characters other than tab and newline, and DEL, shown as
---\xNN; C1 controls (U+0080-U+009F) and bidi controls (U+061C, U+200E,
---U+200F, U+202A-U+202E, U+2066-U+2069) as \u{XXXX}. Other text is kept.
---@type fun(s: string): string
M.printable = sys.escape_controls -- in C: search runs it on every hit

---Text as one line: runs of whitespace with a line break become one space
---(for fields and list items, which are one line in the log).
---@param s string
---@return string
function M.one_line(s)
  return (s:gsub("%s*\r?\n%s*", " "))
end

---Whether to ask questions: a terminal on both ends (or --interactive),
---and not --yes.
---@param args table the table cli.parse returned (`yes`, `interactive`)
---@return boolean
function M.interactive(args)
  if args.yes then return false end
  if args.interactive then return true end
  return sys.isatty(0) and sys.isatty(1)
end

local input_ended = false
---Ask a question on stdout and read one line of answer; the default when
---the answer is empty. Once input has ended, asks nothing more and gives
---defaults (so a closed terminal never eats the shell's next command).
---@param question string
---@param default? string
---@return string|nil answer trimmed; default when empty or when input has ended
---@return boolean ended whether standard input has ended
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
---@param name string the script as the user types it ("create.lua")
---@param description string
---@param epilog? string
---@return table parser a lua-argparse parser
function M.parser(name, description, epilog)
  -- named as typed: the usage reads `sesslua update.lua [-h] ...`
  local parser = argparse("sesslua " .. name, description, epilog)
    :usage_margin(2):help_max_width(80)
  parser._sesslua_name = name
  return parser
end

---The optional session id argument the log workflows share.
---@param parser table from cli.parser
function M.id_argument(parser)
  parser:argument("id", "Session id: 12 or session-12 (default: the acting session)."):args("?")
end

---The --yes and --interactive flags of workflows that ask on a terminal.
---@param parser table from cli.parser
---@param yes_help? string the help of --yes (default "Ask nothing.")
function M.prompt_flags(parser, yes_help)
  parser:flag("-y --yes", yes_help or "Ask nothing.")
  parser:flag("-i --interactive", "Ask even without a terminal (answers from stdin).")
end

---A word as it would be typed in a POSIX shell: quoted when it needs it.
local function shell_word(s)
  if s ~= "" and not s:find("[^%w%-%._/:=@%%+,]") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

---Every option alias of a parser and its commands, to its option
---(argparse's own fields `_options`, `_aliases`, `_maxargs`; pinned, as the
---build embeds Debian's argparse).
local function options_by_alias(parser, into)
  into = into or {}
  for _, o in ipairs(parser._options or {}) do
    for _, alias in ipairs(o._aliases or {}) do into[alias] = o end
  end
  for _, c in ipairs(parser._commands or {}) do options_by_alias(c, into) end
  return into
end

---When argparse took a value that starts with '-' for an unknown option
---(`create.lua 5 r "- fix login"`), the hint that says how to pass it, with
---the user's own command line corrected: `NAME ... -- '- fix login'` for an
---argument, `--opt='- fix'` for an option's value. nil when the word looks
---like a mistyped option rather than text.
local function dash_value_hint(parser, args, bad)
  local k
  for i, a in ipairs(args) do
    if a == "--" then break end
    if #a > 1 and a:sub(1, #bad) == bad then k = i; break end
  end
  if not k then return nil end
  local text = args[k]
  if not (text:find("%s") or not text:sub(2, 2):match("[%a%-]")) then return nil end
  local options = options_by_alias(parser)
  local function arity(word)
    local o = word:sub(1, 1) == "-" and options[word:match("^[^=]*")]
    return o and (o._maxargs or 0) or nil
  end
  local words = { "sesslua", parser._sesslua_name }
  -- the nearest option before it, if the word is among that option's values
  local opt_at
  for j = k - 1, 1, -1 do
    local n = arity(args[j])
    if n then
      if n >= k - j and not args[j]:find("=", 1, true) then opt_at = j end
      break
    end
  end
  -- a second value (of --learning TOPIC TEXT) has no way to start with '-'
  if opt_at and opt_at < k - 1 then return nil end
  local prev = opt_at and args[opt_at]
  if prev then
    -- the value of an option: join them, with '=' to a long alias
    local joined = prev .. shell_word(text)
    for _, alias in ipairs(options[prev]._aliases) do
      if alias:sub(1, 2) == "--" then joined = alias .. "=" .. shell_word(text) end
    end
    for i = 1, k - 2 do words[#words + 1] = shell_word(args[i]) end
    words[#words + 1] = joined
    for i = k + 1, #args do words[#words + 1] = shell_word(args[i]) end
    return "to pass a value starting with '-', join it to its option: " .. table.concat(words, " ")
  end
  -- an argument: options first, then --, then the arguments
  local after = {}
  for i = 1, k - 1 do words[#words + 1] = shell_word(args[i]) end
  local i = k + 1
  while i <= #args do
    local a = args[i]
    local n = arity(a)
    if n then
      words[#words + 1] = shell_word(a)
      if not a:find("=", 1, true) then
        local taken = 0
        while taken < n and args[i + 1] and args[i + 1]:sub(1, 1) ~= "-" do
          i = i + 1; taken = taken + 1
          words[#words + 1] = shell_word(args[i])
        end
      end
    elseif a ~= "--" then
      after[#after + 1] = shell_word(a)
    end
    i = i + 1
  end
  words[#words + 1] = "--"
  words[#words + 1] = shell_word(text)
  for _, w in ipairs(after) do words[#words + 1] = w end
  return "to pass a value starting with '-', put -- before it: " .. table.concat(words, " ")
end

---Placeholders that say what goes there (`--status TEXT`, `--progress N`,
---`ID`) where a workflow names none, instead of argparse's `<working_on>`.
local function name_placeholders(p)
  for _, o in ipairs(p._options or {}) do
    if not o._argname and not o._choices and (o._maxargs or 0) > 0 then
      local target = o._target or o:_get_default_target()
      local name = o._convert == tonumber and "N"
        or (target == "session" or target:find("_?id$") or target == "reply_to") and "ID"
        or "TEXT"
      o._argname = name
    end
  end
  for _, a in ipairs(p._arguments or {}) do
    if not a._argname and not a._choices then a._argname = (a._name or "arg"):upper() end
  end
  for _, c in ipairs(p._commands or {}) do name_placeholders(c) end
end

---Plain data for one argparse element (argument or option).
local function element_data(e, option)
  local d = { name = e._target or e:_get_default_target(), description = e._description,
    choices = e._choices, hidden = e._hidden or nil }
  if e._convert == tonumber then d.type = "number" end
  if option then
    d.aliases = e._aliases
    d.args = e._maxargs or 0
    d.flag = d.args == 0 or nil
    d.repeatable = (e._maxcount or 1) > 1 or nil
    if d.args > 0 then
      local argname = e._argname
      if type(argname) == "string" then argname = { argname } end
      d.argnames = argname or { e:_get_default_argname() }
    end
  else
    d.optional = (e._minargs or 1) == 0 or nil
    d.variadic = (e._maxargs or 1) > 1 or nil
  end
  if type(e._default) ~= "nil" then d.default = e._default end
  return d
end

---A parser (or command) as plain data: name, description, epilog, help,
---arguments, options and commands.
local function parser_data(p)
  local d = { name = p._name, description = p._description, epilog = p._epilog,
    help = p:get_help(), arguments = {}, options = {}, commands = {} }
  for _, a in ipairs(p._arguments or {}) do d.arguments[#d.arguments + 1] = element_data(a, false) end
  for _, o in ipairs(p._options or {}) do
    if not o._hidden then d.options[#d.options + 1] = element_data(o, true) end
  end
  for _, c in ipairs(p._commands or {}) do d.commands[#d.commands + 1] = parser_data(c) end
  return d
end

---A workflow's command line as plain data, for help pages, completion
---and tool schemas: `{name, description, epilog, help, arguments,
---options, commands}`. Each argument is `{name, description, choices,
---optional, variadic, type, default}`; each option `{name, aliases,
---description, args, argnames, flag, repeatable, choices, type,
---default}` (`type` is "number" for options converted with tonumber;
---`name` is the key in cli.parse's result). Each command is the same
---shape as the whole.
---@param parser table from cli.parser
---@return table declaration
function M.declaration(parser)
  name_placeholders(parser)
  local d = parser_data(parser)
  d.name = parser._sesslua_name or d.name
  return d
end

-- The error `cli.parse` raises in describe mode: runner.declaration
-- catches it, so a workflow stops before it does anything.
local DESCRIBED = {}

---The declaration carried by an error `cli.parse` raised in describe
---mode; nil for any other error.
---@param err any
---@return table|nil declaration
function M.described(err)
  if type(err) == "table" and getmetatable(err) == DESCRIBED then return err.declaration end
  return nil
end

---The command the words of args lead to (`message send ...`: send's
---parser), with the words that name it.
local function command_of(parser, args)
  local p, path = parser, {}
  for _, a in ipairs(args) do
    if a == "--" then break end
    for _, c in ipairs(p._commands or {}) do
      for _, n in ipairs(c._aliases or { c._name }) do
        if n == a then p = c; path[#path + 1] = a end
      end
    end
  end
  return p, path
end

---The names of a parser's options, or of its commands.
local function names_of(list)
  local out = {}
  for _, e in ipairs(list or {}) do
    for _, n in ipairs(e._aliases or { e._name }) do out[#out + 1] = n end
  end
  return out
end

-- The host's own options, which a person may write after the workflow.
local HOST_OPTIONS = { ["--session"] = "session", ["--debug"] = "debug", ["--root"] = "root",
                       ["--color"] = "color" }

---Take the host options written after the workflow (`share.lua ...
-----session s1`) when the workflow has no option of that name: --session
---and --debug apply as if written before it; --root cannot (the tree is
---open already), so it stops with the command line that works.
local function take_host_options(parser, args)
  local own = options_by_alias(parser)
  local ctx = package.loaded["sesslua.context"]
  local out, i = {}, 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      table.move(args, i, #args, #out + 1, out)
      break
    end
    local opt, value = a:match("^(%-%-%a+)=(.*)$")
    opt = opt or a
    local what = HOST_OPTIONS[opt]
    if what and not own[opt] then
      if what ~= "debug" and not value then i = i + 1; value = args[i] end
      if what == "session" then
        if not value then M.usage_error("--session: missing value") end
        ctx.session = value
      elseif what == "debug" then
        ctx.debug = true
      elseif what == "color" then
        if value ~= "auto" and value ~= "always" and value ~= "never" then
          M.usage_error(("--color: '%s' is not auto, always or never"):format(tostring(value)))
        end
        ctx.color, use_color = value, nil
      else
        M.usage_error(("%s: --root goes before the workflow"):format(parser._sesslua_name),
          ("sesslua --root %s %s ..."):format(shell_word(value or "DIR"), parser._sesslua_name))
      end
    else
      out[#out + 1] = a
    end
    i = i + 1
  end
  return out
end

---The hint lines of a parse error: a likely meaning, then the usage when
---it is short, else where the whole help is.
local function parse_hints(parser, args, message)
  local cmd, path = command_of(parser, args)
  local hints = {}
  local bad = message:match("^unknown option '(.*)'$")
  if bad then
    local near = nearest.find((bad:gsub("=.*$", "")), names_of(cmd._options))
    local dash = dash_value_hint(parser, args, bad)
    if near and not dash then hints[#hints + 1] = ("did you mean '%s'?"):format(near) end
    if dash then hints[#hints + 1] = dash end
  end
  local badcmd = message:match("^unknown command '(.*)'$")
  if badcmd then
    local near = nearest.find(badcmd, names_of(cmd._commands))
    if near then hints[#hints + 1] = ("did you mean '%s'?"):format(near) end
  end
  -- an option with an optional value took the word meant as an argument
  if message:match("^missing argument") then
    for k, a in ipairs(args) do
      local o = options_by_alias(cmd)[a]
      if o and (o._minargs or 1) == 0 and (o._maxargs or 0) == 1 and args[k + 1]
          and args[k + 1]:sub(1, 1) ~= "-" then
        hints[#hints + 1] = ("%s took '%s' as its value: write %s=VALUE, or the argument before it")
          :format(a, args[k + 1], a)
        break
      end
    end
  end
  local needs = message:match("^option '(.-)' requires an argument")
  local o = needs and options_by_alias(cmd)[needs]
  if o and o._description then
    local argname = type(o._argname) == "table" and table.concat(o._argname, " ") or o._argname or "VALUE"
    hints[#hints + 1] = ("%s %s: %s"):format(needs, argname, o._description)
  end
  local usage = cmd:get_usage():gsub("^Usage: ", ""):gsub("\n%s*", " ")
  local help = "sesslua help " .. table.concat({ parser._sesslua_name, table.unpack(path) }, " ")
  if #usage <= 120 then
    hints[#hints + 1] = usage .. " (" .. help .. " for more)"
  else
    hints[#hints + 1] = help .. " shows every option"
  end
  return table.concat(hints, "\nhint: ")
end

---Parse args (default: the script's `arg`); on error stop with exit 2, a
---likely meaning of a mistyped option or command ("did you mean"), and the
---usage or where the help is. Host options written after the workflow
---(--session, --debug) are taken as if written before it.
---@param parser table from cli.parser
---@param args? string[] default: the script's `arg`
---@return table args argparse's result (`--working-on` as `working_on`)
function M.parse(parser, args)
  name_placeholders(parser)
  if package.loaded["sesslua.context"].describe_only then
    error(setmetatable({ declaration = M.declaration(parser) }, DESCRIBED), 0)
  end
  args = take_host_options(parser, args or _G.arg)
  local ok, result = parser:pparse(args)
  if not ok then
    -- argparse may add a "Did you mean" line; the first line says it all
    result = tostring(result):match("^[^\n]*")
    M.usage_error(("%s: %s"):format(parser._sesslua_name, result), parse_hints(parser, args, result))
  end
  return result
end

return M
