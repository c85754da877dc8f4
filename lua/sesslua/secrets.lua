--- Credentials that must never sit in a log: private keys, cloud and API
--- tokens, passwords with a value, connection strings with a password.
--- Found values are masked before they are shown anywhere.
local M = {}

local function rep(class, n) return class:rep(n) end

---`word: value` / `word=value`, also as a Markdown field (`**Password:** v`)
---and quoted or in backticks; the capture is the value.
local function assign(word)
  return word .. "%*?%*?%s*[:=]%*?%*?%s*[\"'`]?([^%s\"'`,;]+)"
end

---Each rule: kind, a Lua pattern whose first capture is the secret value;
---`stand_in = n`: capture n may be a stand-in (`<password>`, `${VAR}`), not
---a credential.
M.RULES = {
  { kind = "private key", pattern = "(%-%-%-%-%-BEGIN [%u ]*PRIVATE KEY[%u ]*%-%-%-%-%-)" },
  { kind = "AWS access key", pattern = "%f[%w](A[KS]IA" .. rep("[0-9A-Z]", 16) .. ")%f[^%w]" },
  { kind = "GitHub token", pattern = "%f[%w](gh[pousr]_" .. rep("[%w]", 30) .. "[%w]*)" },
  { kind = "GitHub token", pattern = "%f[%w](github_pat_" .. rep("[%w_]", 22) .. "[%w_]*)" },
  { kind = "Slack token", pattern = "%f[%w](xox[baprs]%-" .. rep("[%w%-]", 10) .. "[%w%-]*)" },
  { kind = "Anthropic API key", pattern = "%f[%w](sk%-ant%-" .. rep("[%w_%-]", 20) .. "[%w_%-]*)" },
  { kind = "OpenAI API key", pattern = "%f[%w](sk%-proj%-" .. rep("[%w_%-]", 20) .. "[%w_%-]*)" },
  { kind = "OpenAI API key", pattern = "%f[%w](sk%-svcacct%-" .. rep("[%w_%-]", 20) .. "[%w_%-]*)" },
  { kind = "OpenAI API key", pattern = "%f[%w](sk%-admin%-" .. rep("[%w_%-]", 20) .. "[%w_%-]*)" },
  { kind = "OpenAI API key", pattern = "%f[%w](sk%-" .. rep("[%w]", 20) .. "[%w]*)%f[^%w%-]" },
  { kind = "connection string with a password",
    pattern = "%f[%w]([%a][%w+.%-]*://[^%s/:@]+:([^%s/@]+)@[%w.%-]+)", stand_in = 2 },
  { kind = "password", pattern = assign("[Pp][Aa][Ss][Ss][Ww][Oo]?[Rr]?[Dd]"), stand_in = 1 },
  { kind = "secret", pattern = "[Ss][Ee][Cc][Rr][Ee][Tt][%w_]*%s*=%s*[\"'`]?([^%s\"'`,;]+)", stand_in = 1 },
  { kind = "API key", pattern = assign("[Aa][Pp][Ii][_%-]?[Kk][Ee][Yy]"), stand_in = 1 },
}

local STAND_IN_WORDS = { redacted = true, none = true, null = true, changeme = true,
  hidden = true, omitted = true, password = true, secret = true, ["..."] = true }

---A value written as a stand-in, not a credential: `***`, `<password>`,
---`<from vault>`, `${VAR}`, `$VAR`, `{{var}}`, `[redacted]`, `(see vault)`,
---`xxx`, `changeme`...
local function is_stand_in(v)
  return v:match("^%*+$") or v:match("^[<%[({$]") or v:match("^[xX.]+$")
    or STAND_IN_WORDS[v:lower()] or #v < 4
end

---Mask a value: its first 4 characters, then asterisks.
function M.mask(v)
  if #v <= 4 then return ("*"):rep(#v) end
  return v:sub(1, 4) .. ("*"):rep(math.min(#v - 4, 12))
end

---Check the team's extra rules (config `secret_patterns`) before a scan.
---@param extra table|nil array of {kind = string, pattern = string} or {allow = string}
---@return boolean|nil ok, string|nil message naming the bad entry
function M.check_rules(extra)
  if extra == nil then return true end
  for i, r in ipairs(extra) do
    if type(r) ~= "table" then
      return nil, ("entry %d must be a table, not a %s"):format(i, type(r))
    end
    local pattern = r.allow or r.pattern
    if type(pattern) ~= "string" then
      return nil, ("entry %d needs a string 'pattern' (with 'kind') or 'allow'"):format(i)
    end
    if r.pattern and type(r.kind) ~= "string" then
      return nil, ("entry %d needs a string 'kind'"):format(i)
    end
    local ok, err = pcall(string.find, "", pattern)
    if not ok then
      return nil, ("entry %d: bad Lua pattern '%s': %s"):format(i, pattern, tostring(err):gsub("^.-: ", ""))
    end
  end
  return true
end

---Find credentials in text.
---@param extra table|nil more rules {kind, pattern}; entries {allow = pattern} are exceptions
---  (a found value that matches one is not reported)
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
    line = line:gsub("\r$", "")
    local seen = {}
    for _, r in ipairs(rules) do
      for value, second in line:gmatch(r.pattern) do
        local allowed = (r.stand_in == 1 and is_stand_in(value))
          or (r.stand_in == 2 and second ~= nil and is_stand_in(second))
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
