--- Dates and times as the logs write them.
local sys = require("sesslua.sys")

local M = {}

local utc
---Whether the team's config asks for UTC rather than local time.
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
function M.today(t)
  return os.date(M.utc() and "!%Y-%m-%d" or "%Y-%m-%d", t)
end

---Date and time, `YYYY-MM-DD HH:MM:SS` (local), or with ` UTC` by config.
function M.now(t)
  if M.utc() then return os.date("!%Y-%m-%d %H:%M:%S UTC", t) end
  return os.date("%Y-%m-%d %H:%M:%S", t)
end

---UTC date and time, `YYYY-MM-DD HH:MM:SS UTC` (knowledge entries).
function M.now_utc(t)
  return os.date("!%Y-%m-%d %H:%M:%S UTC", t)
end

---Seconds since the epoch for a `YYYY-MM-DD[ HH:MM[:SS]][ UTC]` string.
---@return number|nil
function M.parse(s)
  if not s then return nil end
  local date, time = s:match("^%s*(%d%d%d%d%-%d%d%-%d%d)[ T]?([%d:]*)")
  if not date then return nil end
  local h, m, sec = time:match("^(%d%d?):(%d%d):?(%d*)$")
  local utc = s:find("UTC", 1, true) ~= nil or s:find("Z%s*$") ~= nil
  local stamp = ("%s %02d:%02d:%02d"):format(date, tonumber(h) or 0, tonumber(m) or 0,
                                             tonumber(sec) or 0)
  return sys.parse_time(stamp, utc)
end

---Whether s is a real calendar date `YYYY-MM-DD` (2026-02-30 is not).
function M.valid_date(s)
  local y, m, d = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  local t = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
  return os.date("%Y-%m-%d", t) == s
end

---"3h ago", "2d ago", "just now".
function M.age(seconds)
  if seconds < 60 then return "just now" end
  if seconds < 3600 then return ("%dm ago"):format(seconds // 60) end
  if seconds < 86400 then return ("%dh ago"):format(seconds // 3600) end
  return ("%dd ago"):format(seconds // 86400)
end

return M
