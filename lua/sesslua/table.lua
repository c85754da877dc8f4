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

local function pad(s, n)
  return s .. string.rep(" ", math.max(0, n - M.width(s)))
end

---Print a header and rows of strings, columns aligned.
function M.print(header, rows)
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do r[i] = cli.printable(c) end
  end
  local widths = {}
  for i, h in ipairs(header) do widths[i] = M.width(h) end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do widths[i] = math.max(widths[i] or 0, M.width(c)) end
  end
  local function line(cells, paint)
    local out = {}
    for i, c in ipairs(cells) do
      out[i] = i < #cells and pad(c, widths[i]) or c
    end
    local s = table.concat(out, "  ")
    io.write(paint and cli.paint("bold", s) or s, "\n")
  end
  line(header, true)
  for _, r in ipairs(rows) do line(r) end
end

return M
