--- Long output on a terminal through a pager ($PAGER, else `less -FRX`),
--- as git and man do. A workflow's output is gathered first (io.write goes
--- to a temporary file), so output that fits the screen is printed as it
--- is and no pager is started; only longer output is paged.
---
--- Paging happens only when standard input and standard output are both
--- terminals (a pager started without a terminal to read keys from can
--- hang), never under --json or --no-pager, not when PAGER is empty or
--- `cat`, and not on a terminal that reports no size.
local sys = require("sesslua.sys")

local M = {}

---Add the --no-pager flag to a parser.
---@param parser table from cli.parser
function M.flag(parser)
  parser:flag("--no-pager", "Print long output directly, without $PAGER (or less).")
end

---The pager command to run, or nil when none should run: $PAGER (empty or
---`cat` turns paging off), else `less -FRX`.
---@return string|nil command a shell command
function M.command()
  local p = sys.getenv("PAGER")
  if p == nil then return "less -FRX" end
  p = p:match("^%s*(.-)%s*$")
  if p == "" or p == "cat" then return nil end
  return p
end

---Whether a run with these arguments pages its output.
---@param args table cli.parse's result (`json`, `no_pager`)
---@return boolean
function M.wanted(args)
  if args.json or args.no_pager then return false end
  return sys.isatty(0) and sys.isatty(1) and M.command() ~= nil
end

---The terminal's height in rows, as `stty size` reads it from the
---terminal on standard input; nil when it says none (0 rows: a
---pseudo-terminal nobody sized, such as `script` makes when its own input
---is no terminal, where a pager would wait for keys no one types).
local function screen_rows()
  local f = io.popen("stty size 2>/dev/null")
  local out = f and f:read("a")
  if f then f:close() end
  local rows = math.tointeger(tonumber((out or ""):match("^(%d+)%s")))
  return rows and rows > 0 and rows or nil
end

---Whether text fits in rows terminal rows of cols columns (one row left
---for the shell's prompt), a long line counted as the rows it wraps to.
---@param text string
---@param rows integer
---@param cols integer
---@return boolean
function M.fits(text, rows, cols)
  local used = 0
  for line in text:gmatch("([^\n]*)\n?") do
    local plain = line:gsub("\27%[[%d;]*m", ""):gsub("\t", "        ")
    local width = utf8.len(plain) or #plain
    used = used + math.max(1, (width + cols - 1) // cols)
    if used >= rows then return false end -- one row stays for the prompt
  end
  return true
end

---Single-quote s for the shell.
local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

---Print text through the pager, reading it from a file (no pipe, so a
---pager quit early never meets a writer killed by SIGPIPE). false when
---the pager could not be started (the text is then not shown yet).
local function page(text, command)
  local name = os.tmpname()
  local f = io.open(name, "wb")
  if not f then os.remove(name); return false end
  local ok = f:write(text) and f:close()
  if not ok then os.remove(name); return false end
  -- as git does: colours pass through less unless the user set LESS
  local _, how, code = os.execute(('LESS="${LESS-FRX}"; export LESS; %s < %s'):format(command,
    quote(name)))
  os.remove(name)
  return not (how == "exit" and code == 127) -- 127: the shell found no such command
end

local Pager = {}
Pager.__index = Pager

---Stop gathering and show what was gathered: as it is when it fits the
---screen (or when the run failed), else through the pager.
---@param err? any the error the run stopped with, if any
function Pager:finish(err)
  if not self.file then return end
  local file = self.file
  self.file = nil
  io.output(self.saved)
  file:seek("set")
  local text = file:read("a") or ""
  file:close()
  if text == "" then return end
  if err == nil then
    local rows = screen_rows()
    if rows and not M.fits(text, rows, sys.term_width()) and page(text, M.command()) then return end
  end
  io.write(text)
  io.flush()
end

---Whether output is being gathered for the pager.
---@return boolean
function Pager:active()
  return self.file ~= nil
end

Pager.__close = Pager.finish
Pager.__gc = Pager.finish

---Start gathering the output of a run that pages (M.wanted); a handle
---either way. Hold it as `local p <close> = pager.start(args)`: when the
---script ends, normally or by an error, what it wrote is shown.
---@param args table cli.parse's result (`json`, `no_pager`)
---@return table handle with `finish([err])`; a no-op when not paging
function M.start(args)
  local self = setmetatable({}, Pager)
  if not M.wanted(args) then return self end
  local file = io.tmpfile()
  if not file then return self end
  self.file, self.saved = file, io.output()
  io.output(file)
  return self
end

return M
