-- clock.parse: the fast path for the form sesslua writes must give what the
-- general reader gives for the same time written another way.
local clock = require("sesslua.clock")
local sys = require("sesslua.sys")

local function eq(a, b, what)
  if a ~= b then error(("%s: %s ~= %s"):format(what, tostring(a), tostring(b)), 2) end
end

for _, stamp in ipairs({ "2025-11-15 14:06:58", "2024-02-29 00:00:00", "1999-12-31 23:59:59" }) do
  local t = clock.parse(stamp)
  eq(t, sys.parse_time(stamp, false), stamp .. ": local time")
  -- the general reader: a T, a fraction, text after it
  eq(clock.parse((stamp:gsub(" ", "T"))), t, stamp .. " with T")
  eq(clock.parse(stamp .. ".250"), t, stamp .. " with a fraction")
  eq(clock.parse(" " .. stamp), t, stamp .. " after a blank")
  local u = clock.parse(stamp .. " UTC")
  eq(u, sys.parse_time(stamp, true), stamp .. " UTC")
  eq(clock.parse((stamp:gsub(" ", "T")) .. "Z"), u, stamp .. "Z")
  eq(clock.parse(stamp .. "+00:00"), u, stamp .. "+00:00")
  eq(clock.parse(stamp .. " +02:00"), u - 7200, stamp .. " +02:00")
end
-- impossible dates and times are refused on both paths
eq(clock.parse("2025-13-45 10:00:00"), nil, "month 13")
eq(clock.parse("2025-02-30 10:00:00 UTC"), nil, "February 30th UTC")
eq(clock.parse("2025-11-15 25:00:00"), nil, "hour 25")
eq(clock.parse("2025-11-15 9:05"), clock.parse("2025-11-15 09:05:00"), "a one-digit hour")
eq(clock.parse("2025-11-15 14:06:58 UTCX"), clock.parse("2025-11-15 14:06:58 UTC"), "text after the zone")
eq(clock.parse("2025-11-15 14:06:58 UTC", true), sys.parse_time("2025-11-15 14:06:58", true), "exact")
eq(clock.parse("2025-11-15 14:06:58 later", true), nil, "exact refuses text after it")
eq(clock.parse("yesterday"), nil, "no date")
eq(clock.parse(nil), nil, "nil")
io.write("ok clock\n")
