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
-- clock.since: --since WHEN as the first day taken in (calendar days back
-- from today, across month and year ends)
local noon = os.time({ year = 2026, month = 3, day = 1, hour = 12 }) -- local time
eq(clock.since("2025-11-15", noon), "2025-11-15", "a date is itself")
eq(clock.since("today", noon), "2026-03-01", "today")
eq(clock.since("Yesterday", noon), "2026-02-28", "yesterday, across a month end")
eq(clock.since("2d", noon), "2026-02-27", "2d: the last two days")
eq(clock.since("3 days", noon), "2026-02-26", "3 days")
eq(clock.since("1w", noon), "2026-02-22", "1w")
eq(clock.since("0d", noon), "2026-03-01", "0d is today")
eq(clock.since("61d", noon), "2025-12-30", "61d, across a year end")
for _, bad in ipairs({ "2025-02-30", "2d ago", "soon", "", "-2d", "2x", "d", "999999d" }) do
  local d, why = clock.since(bad, noon)
  eq(d, nil, "since refuses '" .. bad .. "'")
  eq(type(why), "string", "since says why for '" .. bad .. "'")
end
eq(clock.rfc3339(0), "1970-01-01T00:00:00Z", "rfc3339 of the epoch")
eq(clock.rfc3339(1763217000.9), "2025-11-15T14:30:00Z", "rfc3339 drops the fraction")
-- ages as people read them, the same text the second time (made once)
for _, case in ipairs({ { 0, "just now" }, { 59, "just now" }, { -5, "just now" }, { 60, "1m ago" },
    { 3599, "59m ago" }, { 3600, "1h ago" }, { 86399, "23h ago" }, { 86400, "1d ago" },
    { 90.5, "1m ago" }, { 400 * 86400 + 7, "400d ago" }, { 1e12, "11574074d ago" } }) do
  eq(clock.age(case[1]), case[2], "age of " .. case[1])
  eq(clock.age(case[1]), case[2], "age of " .. case[1] .. ", again")
end
io.write("ok clock\n")
