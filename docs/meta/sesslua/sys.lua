---@meta sesslua.sys
-- LuaCATS definitions of the C module sesslua.sys (core/lsys.c), for
-- editors; never loaded by sesslua. tests/lua/test_api_docs.lua checks them
-- against the module and docs/lua-api.md.

local sys = {}

---Whether fd (0, 1 or 2; anything else raises) is a terminal.
---@param fd integer
---@return boolean
function sys.isatty(fd) end

---Columns of the terminal on stdout, else $COLUMNS, else 80.
---@return integer
function sys.term_width() end

---Seconds since the epoch, with a fraction (wall clock).
---@return number
function sys.time() end

---An environment variable; nil when unset.
---@param name string
---@return string|nil
function sys.getenv(name) end

---The process id.
---@return integer
function sys.getpid() end

---The host name.
---@return string|nil name
---@return string|nil message
---@return string|nil code
function sys.hostname() end

---The current folder, absolute.
---@return string|nil path
---@return string|nil message
---@return string|nil code
function sys.cwd() end

---Seconds east of UTC of the local time zone at time t (default now).
---@param t? integer epoch seconds
---@return integer|nil offset
---@return string|nil message
---@return string|nil code
function sys.localtime_offset(t) end

---Epoch seconds of "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS"
---(a T may replace the space), local time or UTC.
---@param s string
---@param utc? boolean
---@return integer|nil time
---@return string|nil message
---@return string|nil code "EINVAL"
function sys.parse_time(s, utc) end

---s with C0 controls but tab and newline, and DEL, as \xNN, and C1 and bidi
---controls as \u{XXXX}: nothing in it can act on a terminal.
---@param s string
---@return string
function sys.escape_controls(s) end

---Columns a terminal gives s: wide characters and emoji 2, combining marks
---0 (core/width.c); one a byte when s is not valid UTF-8.
---@param s string
---@return integer columns
function sys.width(s) end

---Sort names in place as people count (session-2 before session-10): by
---the natural key of each name without its last suffix_len bytes, then
---that stem, then the name.
---@param names string[]
---@param suffix_len? integer bytes of a suffix left out of the key (3 for ".md")
---@return string[] names the same table
function sys.natural_sort(names, suffix_len) end

---Columns of one code point: 0, 1 or 2.
---@param cp integer
---@return integer columns
function sys.cp_width(cp) end

---A table's rows as lines: row r is each column's cells[r] padded with
---spaces from widths[r] to the column's width (widths[i]), joined by
---sep; the last column's cell is not padded. The rows are the last
---column's.
---@param columns {cells: string[], widths: integer[]|nil}[]
---@param widths integer[] each column's width but the last's
---@param sep string
---@return string[] lines
function sys.align_rows(columns, widths, sep) end

---Resume coroutine co within limits, as coroutine.resume does.
---@param co thread
---@param limits {instructions: integer?, bytes: integer?, milliseconds: integer?}
---@param exit_line string printed on stderr when C code overruns the time limit
---@return boolean ok
---@return any value_or_error
---@return string|nil hit "instructions", "memory" or "time"
function sys.run_limited(co, limits, exit_line) end

---Sleep seconds (fractions allowed).
---@param seconds number
function sys.sleep(seconds) end

---All of standard input.
---@return string|nil text
---@return string|nil message
---@return string|nil code
function sys.read_stdin() end

---Run a command without a shell; stdin is /dev/null, stdout and stderr are collected.
---@param argv string[] the program (looked up on PATH) and its arguments
---@param opts? {cwd: string?} the folder it runs in
---@return integer|nil status its exit status, 128 + N when signal N ended it
---@return string stdout_or_message
---@return string stderr_or_code
function sys.run(argv, opts) end

return sys
