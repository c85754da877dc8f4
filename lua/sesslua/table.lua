--- Aligned text tables for terminal output (UTF-8 aware widths).
local cli = require("sesslua.cli")

local M = {}

-- Code points a terminal shows in two columns (East Asian Wide and
-- Fullwidth, and emoji shown as pictures), as sorted {first, last} ranges,
-- and those it shows in none (combining marks, joiners, variation
-- selectors, skin tones). Compact, not the whole Unicode table: what logs
-- hold — CJK text and emoji in headings and notes — comes out right.
local WIDE = {
  { 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
  { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
  { 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
  { 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
  { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
  { 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
  { 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
  { 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
  { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
  { 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
  { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 },
  { 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
  { 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
  { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 }, { 0x1F300, 0x1F64F },
  { 0x1F680, 0x1F6FF }, { 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
  { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
}
local ZERO = {
  { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
  { 0x064B, 0x065F }, { 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 },
  { 0x20D0, 0x20FF }, { 0x302A, 0x302D }, { 0x3099, 0x309A }, { 0xFE00, 0xFE0F },
  { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0x1F3FB, 0x1F3FF }, { 0xE0000, 0xE01EF },
}

local function in_ranges(ranges, cp)
  local lo, hi = 1, #ranges
  while lo <= hi do
    local mid = (lo + hi) // 2
    local r = ranges[mid]
    if cp < r[1] then hi = mid - 1
    elseif cp > r[2] then lo = mid + 1
    else return true end
  end
  return false
end

---Columns one code point takes on a terminal: 0, 1 or 2.
---@param cp integer a code point
---@return integer columns 0, 1 or 2
function M.cp_width(cp)
  if cp < 0x300 then return 1 end
  if in_ranges(ZERO, cp) then return 0 end
  if cp >= 0x1100 and in_ranges(WIDE, cp) then return 2 end
  return 1
end

local widths, widths_n = {}, 0 -- a dashboard repeats its cells: bars, "—", ages

---Display width of a string: ASCII at C speed, else per code point (wide
---characters and emoji 2 columns, combining marks 0); invalid UTF-8 counts
---one column a byte.
---@param s string
---@return integer columns
function M.width(s)
  if not s:find("[\128-\255]") then return #s end
  local w = widths[s]
  if w then return w end
  if not utf8.len(s) then return #s end
  w = 0
  for _, cp in utf8.codes(s) do w = w + M.cp_width(cp) end
  if #s <= 64 and widths_n < 10000 then widths[s], widths_n = w, widths_n + 1 end
  return w
end

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
  if M.width(s) <= n then return s end
  if n <= 0 then return "" end
  local mark = cli.symbols().cut -- "…", or "~" when the locale is not UTF-8
  if n == 1 then return mark end
  if not utf8.len(s) then return whole_escapes(s:sub(1, n - 1)) .. mark end
  local w, stop = 0, 1
  for p, cp in utf8.codes(s) do
    local cw = M.cp_width(cp)
    if w + cw > n - 1 then break end -- room for the "…"
    w = w + cw
    stop = p + #utf8.char(cp)
  end
  return whole_escapes(s:sub(1, stop - 1)) .. mark
end

---Print a header and rows of strings, columns aligned. Each cell's width
---is measured once: a dashboard of a thousand rows is mostly this loop.
---opts.sep: between columns (default two spaces); opts.width: cut every
---line to this many columns (a terminal's width). opts.cell_widths: the
---width of every cell but the last of each row, measured by the caller,
---whose cells are then taken as printable already (neither is redone).
---@param header string[]
---@param rows string[][] each cell is replaced by its cli.printable form
---@param opts? {sep: string|nil, width: integer|nil, cell_widths: integer[][]|nil}
function M.print(header, rows, opts)
  local sep = opts and opts.sep or "  "
  local max = opts and opts.width
  local widths, cell_widths = {}, opts and opts.cell_widths
  for i, h in ipairs(header) do widths[i] = M.width(h) end
  if cell_widths then
    for _, ws in ipairs(cell_widths) do
      for i, w in ipairs(ws) do
        if w > (widths[i] or 0) then widths[i] = w end
      end
    end
  else
    cell_widths = {}
    for r, row in ipairs(rows) do
      local ws, last = {}, #row
      for i, c in ipairs(row) do
        c = cli.printable(c)
        row[i] = c
        -- the last cell is never padded: its width only matters cut
        if i < last or max then
          ws[i] = M.width(c)
          if ws[i] > (widths[i] or 0) then widths[i] = ws[i] end
        end
      end
      cell_widths[r] = ws
    end
  end
  local pads = {} -- the same few paddings recur on every line
  local function pad(n)
    local p = pads[n]
    if not p then p = (" "):rep(n); pads[n] = p end
    return p
  end
  local function line(cells, ws, paint)
    local out = {}
    local last = #cells
    for i = 1, last - 1 do
      out[i] = cells[i] .. pad(widths[i] - ws[i])
    end
    out[last] = cells[last]
    local s = table.concat(out, sep)
    if max then s = M.cut(s, max) end
    io.write(paint and cli.paint("bold", s) or s, "\n")
  end
  local hw = {}
  for i, h in ipairs(header) do hw[i] = M.width(h) end
  line(header, hw, true)
  for r, row in ipairs(rows) do line(row, cell_widths[r]) end
end

return M
