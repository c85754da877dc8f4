--- Aligned text tables for terminal output (UTF-8 aware widths).
local cli = require("sesslua.cli")

local sys = require("sesslua.sys")

local M = {}
local sys_width, sys_cp_width, align_rows = sys.width, sys.cp_width, sys.align_rows

---Columns one code point takes on a terminal: 0, 1 or 2 (East Asian Wide
---and Fullwidth and emoji shown as pictures 2; combining marks, joiners,
---variation selectors and skin tones 0). The table is in C
---(core/width.c), shared with sys.width.
---@param cp integer a code point
---@return integer columns 0, 1 or 2
function M.cp_width(cp) return sys_cp_width(cp) end

---Display width of a string: the sum of its code points' widths (wide
---characters and emoji 2 columns, combining marks 0); invalid UTF-8 counts
---one column a byte. In C: a dashboard measures every cell.
---@param s string
---@return integer columns
function M.width(s) return sys_width(s) end

-- s without a half of an escape at its end (`\u{20`, `\x9`, `\`): a cut
-- text shows whole escapes (cli.printable writes `\u{XXXX}`, `\xNN`,
-- `\n`...) or none.
local function whole_escapes(s)
  return (s:gsub("\\u{%x*$", ""):gsub("\\x%x?$", ""):gsub("\\$", ""))
end

---Cut s to at most n columns, ending with "…" when cut ("~" when the locale
---is not UTF-8: cli.symbols), never in the middle
---of an escape cli.printable wrote).
---@param s string
---@param n integer columns
---@return string
function M.cut(s, n)
  -- no string is wider than its bytes (a wide character takes three or
  -- four): a short one needs no measuring
  if #s <= n or M.width(s) <= n then return s end
  if n <= 0 then return "" end
  local mark = cli.symbols().cut -- "…", or "~" when the locale is not UTF-8
  if n == 1 then return mark end
  -- ASCII (a column a byte) and invalid UTF-8 (counted so) cut by bytes
  if #s == M.width(s) or not utf8.len(s) then return whole_escapes(s:sub(1, n - 1)) .. mark end
  local w, stop = 0, 1
  for p, cp in utf8.codes(s) do
    local cw = M.cp_width(cp)
    if w + cw > n - 1 then break end -- room for the "…"
    w = w + cw
    stop = p + #utf8.char(cp)
  end
  return whole_escapes(s:sub(1, stop - 1)) .. mark
end

---Print a header and columns of strings, aligned: columns[i] is
---{cells = string[], widths = integer[]}, the cells printable already
---(cli.printable) and measured (table.width) by the caller; the last
---column's widths may be absent (it is never padded). The form a caller
---that builds its cells a column at a time (status, over a thousand
---logs) prints without a table per row. opts as table.print's.
---@param header string[]
---@param columns {cells: string[], widths: integer[]|nil}[]
---@param opts? {sep: string|nil, width: integer|nil}
function M.print_columns(header, columns, opts)
  local sep = opts and opts.sep or "  "
  local max = opts and opts.width
  local n = #columns
  local widths = {}
  for i = 1, n - 1 do
    local w = M.width(header[i])
    for _, cw in ipairs(columns[i].widths) do
      if cw > w then w = cw end
    end
    widths[i] = w
  end
  local function write(s, paint)
    if max then s = M.cut(s, max) end
    io.write(paint and cli.paint("bold", s) or s, "\n")
  end
  local out = {}
  for i = 1, n - 1 do out[i] = header[i] .. (" "):rep(widths[i] - M.width(header[i])) end
  out[n] = header[n]
  write(table.concat(out, sep, 1, n), true)
  -- the rows padded and joined in C: a thousand rows are nine thousand
  -- concatenations in Lua
  local lines = align_rows(columns, widths, sep)
  if max then
    for r, line in ipairs(lines) do lines[r] = M.cut(line, max) end
  end
  -- written in one call: a thousand rows are a thousand writes otherwise
  if #lines > 0 then io.write(table.concat(lines, "\n"), "\n") end
end

---Print a header and rows of strings, columns aligned (table.print_columns
---with the rows made printable and measured here). opts.sep: between
---columns (default two spaces); opts.width: cut every line to this many
---columns (a terminal's width).
---@param header string[]
---@param rows string[][] each cell is replaced by its cli.printable form
---@param opts? {sep: string|nil, width: integer|nil}
function M.print(header, rows, opts)
  local columns = {}
  for i = 1, #header do columns[i] = { cells = {}, widths = {} } end
  for r, row in ipairs(rows) do
    for i = 1, #header do
      local c = cli.printable(row[i] or "")
      row[i] = c
      columns[i].cells[r], columns[i].widths[r] = c, M.width(c)
    end
  end
  M.print_columns(header, columns, opts)
end

return M
