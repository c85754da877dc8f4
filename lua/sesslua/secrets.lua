--- Credentials that must never sit in a log: private keys, cloud and API
--- tokens, passwords with a value, connection strings with a password.
--- Found values are masked before they are shown anywhere.
local M = {}

local function rep(class, n) return class:rep(n) end

---Each rule: kind, a Lua pattern whose first capture is the secret value.
M.RULES = {
  { kind = "private key", pattern = "(%-%-%-%-%-BEGIN [%u ]*PRIVATE KEY%-%-%-%-%-)" },
  { kind = "AWS access key", pattern = "%f[%w](A[KS]IA" .. rep("[0-9A-Z]", 16) .. ")%f[^%w]" },
  { kind = "GitHub token", pattern = "%f[%w](gh[pousr]_" .. rep("[%w]", 30) .. "[%w]*)" },
  { kind = "GitHub token", pattern = "%f[%w](github_pat_" .. rep("[%w_]", 22) .. "[%w_]*)" },
  { kind = "Slack token", pattern = "%f[%w](xox[baprs]%-" .. rep("[%w%-]", 10) .. "[%w%-]*)" },
  { kind = "Anthropic API key", pattern = "%f[%w](sk%-ant%-" .. rep("[%w_%-]", 20) .. "[%w_%-]*)" },
  { kind = "OpenAI API key", pattern = "%f[%w](sk%-proj%-" .. rep("[%w_%-]", 20) .. "[%w_%-]*)" },
  { kind = "OpenAI API key", pattern = "%f[%w](sk%-" .. rep("[%w]", 20) .. "[%w]*)%f[^%w%-]" },
  { kind = "connection string with a password",
    pattern = "%f[%w]([%a][%w+.%-]*://[^%s/:@]+:[^%s/@]+@[%w.%-]+)" },
  { kind = "password", pattern = "[Pp][Aa][Ss][Ss][Ww][Oo]?[Rr]?[Dd]%s*[:=]%s*[\"']?([^%s\"',;]+)", assign = true },
  { kind = "secret", pattern = "[Ss][Ee][Cc][Rr][Ee][Tt]%s*=%s*[\"']?([^%s\"',;]+)", assign = true },
  { kind = "API key", pattern = "[Aa][Pp][Ii]_?[Kk][Ee][Yy]%s*[:=]%s*[\"']?([^%s\"',;]+)", assign = true },
}

---A value written as a stand-in, not a credential: `***`, `<password>`,
---`${VAR}`, `$VAR`, `[redacted]`, `xxx`, `changeme`...
local function is_stand_in(v)
  return v:match("^%*+$") or v:match("^<.*>$") or v:match("^%$") or v:match("^%[.*%]$")
    or v:match("^[xX.]+$") or v:match("^%(.*%)$") or v:lower() == "redacted"
    or v:lower() == "none" or v:lower() == "null" or v == "..." or #v < 4
end

---Mask a value: its first 4 characters, then asterisks.
function M.mask(v)
  if #v <= 4 then return ("*"):rep(#v) end
  return v:sub(1, 4) .. ("*"):rep(math.min(#v - 4, 12))
end

---Find credentials in text.
---@param extra table|nil more rules {kind, pattern}; rules with allow = true list exceptions
---@return table hits array of {kind, line, masked}
function M.scan(text, extra)
  local rules = M.RULES
  local allow = {}
  if extra then
    rules = {}
    for _, r in ipairs(M.RULES) do rules[#rules + 1] = r end
    for _, r in ipairs(extra) do
      if r.allow then allow[#allow + 1] = r.allow else rules[#rules + 1] = r end
    end
  end
  local hits = {}
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local seen = {}
    for _, r in ipairs(rules) do
      for value in line:gmatch(r.pattern) do
        local allowed = r.assign and is_stand_in(value)
        for _, a in ipairs(allow) do if value:find(a) then allowed = true end end
        if not allowed and not seen[value] then
          seen[value] = true
          hits[#hits + 1] = { kind = r.kind, line = n, masked = M.mask(value) }
        end
      end
    end
  end
  return hits
end

return M
