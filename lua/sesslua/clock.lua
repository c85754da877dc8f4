--- Dates and times as the logs write them.
local sys = require("sesslua.sys")

local M = {}

local utc
---Whether the team's config asks for UTC rather than local time.
---@return boolean
function M.utc()
  if utc == nil then
    local ok, ctx = pcall(require, "sesslua.context")
    utc = false
    if ok and type(ctx) == "table" and ctx.root then
      utc = require("sesslua.config").get(ctx).values.time_zone == "UTC"
    end
  end
  return utc
end

---Today's date, `YYYY-MM-DD` (local time, or UTC by config).
---@param t? integer epoch seconds (default now)
---@return string date
function M.today(t)
  return os.date(M.utc() and "!%Y-%m-%d" or "%Y-%m-%d", t)
end

---Date and time, `YYYY-MM-DD HH:MM:SS` (local), or with ` UTC` by config.
---@param t? integer epoch seconds (default now)
---@return string stamp
function M.now(t)
  if M.utc() then return os.date("!%Y-%m-%d %H:%M:%S UTC", t) end
  return os.date("%Y-%m-%d %H:%M:%S", t)
end

---UTC date and time, `YYYY-MM-DD HH:MM:SS UTC` (knowledge entries).
---@param t? integer epoch seconds (default now)
---@return string stamp
function M.now_utc(t)
  return os.date("!%Y-%m-%d %H:%M:%S UTC", t)
end

---Seconds east of UTC that a zone suffix names: Z, UTC, GMT, +HH:MM,
---+HHMM or +HH; nil for anything else.
local function zone_offset(z)
  if z == "Z" or z == "z" or z == "UTC" or z == "GMT" then return 0 end
  local sign, hh, mm = z:match("^([+-])(%d%d):?(%d%d)$")
  if not sign then sign, hh = z:match("^([+-])(%d%d)$"); mm = "00" end
  if not sign or tonumber(hh) > 23 or tonumber(mm) > 59 then return nil end
  local off = tonumber(hh) * 3600 + tonumber(mm) * 60
  return sign == "-" and -off or off
end

---Seconds since the epoch for `YYYY-MM-DD[ HH:MM[:SS[.fff]]][ zone]`; a
---`T` may replace the space. The zone (`Z`, `UTC`, `GMT`, `+02:00`,
---`-0500`, `+02`) is honoured, so `10:00+02:00` is 08:00 UTC; without one
---the time is local (or UTC when `s` holds `UTC` anywhere, as before).
---Text after the timestamp is ignored, unless `exact`: then it gives nil.
---@param s string|nil
---@param exact? boolean refuse text after the timestamp
---@return integer|nil time nil for nil or text that is no timestamp
---@return string|nil message an impossible date: sys.parse_time's
---@return string|nil code "EINVAL"
function M.parse(s, exact)
  if type(s) ~= "string" then return nil end
  -- the form sesslua writes (clock.now), without or with " UTC": one
  -- pattern and the C conversion, as status reads a thousand of them
  local n = #s
  if (n == 19 or n == 23 and s:sub(20) == " UTC")
      and s:find("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d") then
    return sys.parse_time(n == 19 and s or s:sub(1, 19), n == 23)
  end
  local date, p = s:match("^%s*(%d%d%d%d%-%d%d%-%d%d)()")
  if not date then return nil end
  local h, m, sec, zone = 0, 0, 0, nil
  local th, tm, pt = s:match("^[T ](%d%d?):(%d%d)()", p)
  if th then
    h, m, p = tonumber(th), tonumber(tm), pt
    local ts, ps = s:match("^:(%d%d)()", p)
    if ts then
      sec, p = tonumber(ts), ps
      p = s:match("^[.,]%d+()", p) or p -- a fraction of a second is dropped
    end
  end
  -- a zone: a numeric offset only after a time (2025-11-15-05 is no zone)
  local z, pz = s:match("^%s*([+-]%d%d:?%d%d)()", p)
  if not z then z, pz = s:match("^%s*([+-]%d%d)()", p) end
  if z and not th then z = nil end
  if not z then z, pz = s:match("^%s*(%a+)()", p) end
  local offset = z and zone_offset(z)
  if offset then p = pz end
  if exact and not s:match("^%s*$", p) then return nil end
  local stamp = ("%s %02d:%02d:%02d"):format(date, h, m, sec)
  if offset then
    local t, err, code = sys.parse_time(stamp, true)
    if not t then return nil, err, code end
    return t - offset
  end
  local utc = s:find("UTC", 1, true) ~= nil or s:find("Z%s*$") ~= nil
  return sys.parse_time(stamp, utc)
end

---Whether s is a real calendar date `YYYY-MM-DD` (2026-02-30 is not).
---@param s string
---@return boolean
function M.valid_date(s)
  local y, m, d = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  local t = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
  return os.date("%Y-%m-%d", t) == s
end

---A time as RFC 3339 in UTC (`2025-11-15T14:30:00Z`), as every `--json`
---document writes times.
---@param t number epoch seconds (a fraction is dropped)
---@return string stamp
function M.rfc3339(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t))
end

---The first day a `--since WHEN` takes in, as `YYYY-MM-DD` in the logs'
---time zone (M.today): WHEN is a date (`2025-11-15`), `today`,
---`yesterday`, or a number of days, weeks back (`2d`, `3 days`, `1w`):
---`2d` is the day before yesterday, so the last two days are in.
---@param when string what the user wrote
---@param now? integer epoch seconds (default now)
---@return string|nil date nil when WHEN is none of those
---@return string|nil why "expected a date YYYY-MM-DD, today, yesterday or Nd (days)"
function M.since(when, now)
  now = now or os.time()
  local w = tostring(when):lower():match("^%s*(.-)%s*$")
  if M.valid_date(w) then return w end
  local days
  if w == "today" then days = 0
  elseif w == "yesterday" then days = 1
  else
    local n, unit = w:match("^(%d+)%s*(%a+)$")
    local per = ({ d = 1, day = 1, days = 1, w = 7, week = 7, weeks = 7 })[unit or ""]
    if per and #n <= 5 then days = tonumber(n) * per end
  end
  if not days then
    return nil, "expected a date YYYY-MM-DD, today, yesterday or a number of days (2d) or weeks (1w)"
  end
  -- calendar arithmetic on today's date (in the logs' zone): os.time
  -- carries day 0 and below into the months before; noon keeps a daylight
  -- saving change from landing on the day before
  local y, m, d = M.today(now):match("^(%d+)-(%d+)-(%d+)$")
  return os.date("%Y-%m-%d", os.time({ year = tonumber(y), month = tonumber(m),
    day = tonumber(d) - days, hour = 12 }))
end

-- The texts made so far, by unit and count: status gives an age for every
-- log, and a thousand logs have a few dozen distinct ones.
local ages = { m = {}, h = {}, d = {} }

---An age text of n units ("m", "h" or "d"), made once.
local function age_of(n, unit)
  local known = ages[unit]
  local t = known[n]
  if not t then
    t = ("%d" .. unit .. " ago"):format(n)
    if n < 100000 then known[n] = t end -- bounded, whatever the clock says
  end
  return t
end

---"3h ago", "2d ago", "just now".
---@param seconds number
---@return string
function M.age(seconds)
  if seconds < 60 then return "just now" end
  if seconds < 3600 then return age_of(seconds // 60, "m") end
  if seconds < 86400 then return age_of(seconds // 3600, "h") end
  return age_of(seconds // 86400, "d")
end

return M
