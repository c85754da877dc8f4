-- sesslua.pager.fits: when output fits the screen, so that no pager is
-- started (tests/e2e/test_pager.sh drives the pager itself on a terminal).
local pager = require("sesslua.pager")

local function check(cond, what)
  if not cond then error(what, 2) end
end

local function lines(n, text) return (text or "line") .. ("\n" .. (text or "line")):rep(n - 1) .. "\n" end
-- 24 rows: 23 lines and the prompt fit, 24 do not
check(pager.fits(lines(23), 24, 80), "23 lines fit 24 rows")
check(not pager.fits(lines(24), 24, 80), "24 lines do not fit 24 rows (the prompt's row)")
check(pager.fits("", 24, 80), "nothing fits")
-- a long line takes the rows it wraps to; colour codes take none
check(not pager.fits(lines(12, ("x"):rep(161)), 24, 80), "12 lines of 161 columns wrap to 36 rows")
check(pager.fits(lines(11, ("x"):rep(160)), 24, 80), "11 lines of 160 columns wrap to 22 rows")
check(pager.fits(lines(20, "\27[31m" .. ("x"):rep(80) .. "\27[0m"), 24, 80), "colour codes take no columns")
check(pager.fits(lines(20, ("é"):rep(80)), 24, 80), "a UTF-8 letter is one column")
io.write("ok pager\n")
