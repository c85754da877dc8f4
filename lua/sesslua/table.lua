--- Aligned text tables for terminal output (UTF-8 aware widths).
local cli = require("sesslua.cli")

local M = {}

---Display width of a UTF-8 string (one column per code point; good enough
---for the text sesslua prints).
function M.width(s)
  return utf8.len(s) or #s
end

---Cut s to at most n columns, ending with "…" when cut.
function M.cut(s, n)
  if M.width(s) <= n then return s end
  if n <= 1 then return "…" end
  local ok, stop = pcall(utf8.offset, s, n)
  if not ok or not stop then return s:sub(1, n - 1) .. "…" end
  return s:sub(1, stop - 1) .. "…"
end

---Print a header and rows of strings, columns aligned. Each cell's width
---is measured once: a dashboard of a thousand rows is mostly this loop.
function M.print(header, rows)
  local widths, cell_widths = {}, {}
  for i, h in ipairs(header) do widths[i] = M.width(h) end
  for r, row in ipairs(rows) do
    local ws = {}
    for i, c in ipairs(row) do
      c = cli.printable(c)
      row[i] = c
      ws[i] = M.width(c)
      if ws[i] > (widths[i] or 0) then widths[i] = ws[i] end
    end
    cell_widths[r] = ws
  end
  local function line(cells, ws, paint)
    local out = {}
    local last = #cells
    for i, c in ipairs(cells) do
      out[i] = i < last and (c .. (" "):rep(widths[i] - ws[i])) or c
    end
    local s = table.concat(out, "  ")
    io.write(paint and cli.paint("bold", s) or s, "\n")
  end
  local hw = {}
  for i, h in ipairs(header) do hw[i] = M.width(h) end
  line(header, hw, true)
  for r, row in ipairs(rows) do line(row, cell_widths[r]) end
end

return M
