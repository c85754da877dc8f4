-- sesslua.table's aligned output (print_columns over sys.align_rows):
-- the bytes a dashboard prints, padded by display width, cut on terminals.
local tab = require("sesslua.table")
local sys = require("sesslua.sys")
local CUT = require("sesslua.cli").symbols().cut -- "…", "~" when the locale is not UTF-8

local harness = dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "harness.lua")
local test, eq = harness.test, harness.eq

---What print_columns writes, as one string.
local function printed(header, columns, opts)
  local out, write = {}, io.write
  io.write = function(...) for _, s in ipairs({ ... }) do out[#out + 1] = s end end -- luacheck: ignore
  local ok, err = pcall(tab.print_columns, header, columns, opts)
  io.write = write -- luacheck: ignore
  assert(ok, err)
  return table.concat(out)
end

local function column(cells, last)
  local widths = {}
  for i, c in ipairs(cells) do widths[i] = tab.width(c) end
  return { cells = cells, widths = not last and widths or nil }
end

test("cells_are_padded_by_display_width_and_the_last_column_is_not", function()
  local cols = { column({ "session-1", "日本" }), column({ "Planning", "🎉 ok" }),
                 column({ "the work", "x" }, true) }
  eq(printed({ "ID", "STATUS", "WORKING ON" }, cols, { sep = "  " }),
    "ID         STATUS    WORKING ON\n" ..
    "session-1  Planning  the work\n" ..
    "日本       🎉 ok     x\n")
end)

test("a_width_cuts_every_line_and_one_space_separates", function()
  local cols = { column({ "session-1", "日本" }), column({ "a long working on", "x" }, true) }
  eq(printed({ "ID", "WORKING ON" }, cols, { sep = " ", width = 14 }),
    ("ID        WOR%s\nsession-1 a l%s\n日本      x\n"):format(CUT, CUT))
end)

test("no_rows_print_the_header_only", function()
  eq(printed({ "ID", "X" }, { column({}), column({}, true) }), "ID  X\n")
end)

test("align_rows_joins_and_pads_as_lua_would", function()
  local lines = sys.align_rows({ { cells = { "a", "bbb" }, widths = { 1, 3 } },
    { cells = { "é", "" }, widths = { 1, 0 } }, { cells = { "x", "y" } } }, { 3, 2 }, " | ")
  eq(#lines, 2, "rows")
  eq(lines[1], "a   | é  | x")
  eq(lines[2], "bbb |    | y")
  eq(pcall(sys.align_rows, { { cells = { 1 }, widths = { 1 } }, { cells = { "x" } } }, { 1 }, " "),
    false, "a cell that is no string")
end)

test("a_short_string_is_never_cut_whatever_its_characters", function()
  eq(tab.cut("日本", 6), "日本", "6 bytes, 4 columns")
  eq(tab.cut("日本", 4), "日本", "4 columns")
  eq(tab.cut("日本語", 4), "日" .. CUT)
  eq(tab.cut("abc", math.huge), "abc")
end)

harness.done("test_table")
return 0
