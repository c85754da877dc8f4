--- Credentials that must never sit in a log: private keys, cloud and API
--- tokens, passwords with a value, connection strings with a password.
--- Found values are masked before they are shown anywhere.
---
--- Every built-in rule starts from a literal anchor (`AKIA`, `sk-`, `://`,
--- `password`...) found with a plain search, and each stretch of text is
--- read a bounded number of times, so a scan costs time linear in the
--- text: archive runs it on whatever a log holds, a megabyte line included.
local M = {}

local STAND_IN_WORDS = { redacted = true, none = true, null = true, changeme = true,
  hidden = true, omitted = true, password = true, secret = true, ["..."] = true, tbd = true,
  todo = true, unset = true, empty = true, placeholder = true, example = true }

---A value written as a stand-in, not a credential: `***`, `<password>`,
---`<from vault>`, `${VAR}`, `$VAR`, `%VAR%`, `{{var}}`, `[redacted]`,
---`(see vault)`, `xxx`, `changeme`...
local function is_stand_in(v)
  return v:match("^%*+$") or v:match("^[<%[({$%%]") or v:match("^[xX.]+$")
    or STAND_IN_WORDS[v:lower()] or #v < 4
end
M.is_stand_in = is_stand_in

---Shaped like a generated key rather than a word: long, with a digit or
---mixed case. `secret:`/`api_key:` also label prose ("The secret: patience").
local function token_like(v)
  return #v >= 8 and not v:find("%s") and (v:find("%d") or (v:find("%l") and v:find("%u"))) ~= nil
end

---A value that opens a sentence ("rotated weekly by ops", "must be 12
---characters"): a plain word followed by another word. Only the next 64
---bytes are read, to keep the scan linear.
local function is_prose(text)
  return text:sub(1, 64):find("^%a+[,;:]?%s+%a") ~= nil
end

-- Rules found by a literal anchor: `pattern` is matched at the anchor (it
-- starts with `^`); `word_start`: the anchor must not follow a letter or
-- digit; `stop`: a class the next character must not be in (the token
-- would go on); `accept`: a check of the first capture.
local function anchored(r)
  return function(line, _, emit)
    local init = 1
    while true do
      local p = line:find(r.anchor, init, true)
      if not p then return end
      local s, e, cap
      if not r.word_start or p == 1 or not line:find("^%w", p - 1) then
        s, e, cap = line:find(r.pattern, p)
      end
      if s then
        if not (r.stop and line:find(r.stop, e + 1))
          and (not r.accept or r.accept(cap)) then
          emit(line:sub(s, e))
        end
        init = e + 1 -- a run already read is not read again
      else
        init = p + 1
      end
    end
  end
end

local function has_private_key(header) return header:find("PRIVATE KEY", 1, true) ~= nil end
local function not_stand_in(v) return not is_stand_in(v) end

local SCHEME_AT = "^[%w+.%-]"

---`scheme://user:password@host`, the user possibly empty
---(`redis://:pw@cache`): found from each `://`, the scheme read backwards.
local function connection(line, _, emit)
  local init = 1
  while true do
    local p = line:find("://", init, true)
    if not p then return end
    init = p + 3
    local a = p
    while a > 1 and line:find(SCHEME_AT, a - 1) do a = a - 1 end
    -- the scheme starts at the first letter of the run that starts a word
    local start
    for j = a, p - 1 do
      if line:find("^%a", j) and (j == 1 or not line:find("^%w", j - 1)) then start = j; break end
    end
    if start then
      local s, e, _, pw = line:find("^([^%s/:@]*):([^%s/@]+)@[%w.%-]+", p + 3)
      if s then
        if not is_stand_in(pw) then emit(line:sub(start, e)) end
        init = e + 1
      end
    end
  end
end

---`key: value`, `key=value`, `"key": "value"`, `**Key:** value`, the key
---found (any case) from a literal anchor; `key_ok(identifier)` says whether
---the whole identifier from the anchor on names this kind of credential;
---`strict`: the value must also look generated (see token_like).
local function assignment(anchor, key_ok, strict)
  return function(line, lower, emit)
    local init = 1
    while true do
      local p = lower:find(anchor, init, true)
      if not p then return end
      local _, q = lower:find("^[%w_%-]*", p)
      init = q + 1
      local _, sep = line:find("^[\"'`]?%*?%*?[ \t]*[:=]%*?%*?[ \t]*", q + 1)
      if sep and key_ok(lower:sub(p, q)) then
        local v, rest, stop
        local quote = line:match("^[\"'`]", sep + 1)
        if quote then
          -- a quoted value ends at its quote, looked for nearby only
          local close = line:sub(sep + 2, sep + 257):find(quote, 1, true)
          if close then v, rest, stop = line:sub(sep + 2, sep + close), "", sep + close + 1 end
        end
        if not v then
          local a, b = line:find("^[^%s\"'`,;]+", sep + 1 + (quote and 1 or 0))
          if a then v, rest, stop = line:sub(a, b), line:sub(b + 1, b + 64), b end
        end
        if v then
          init = math.max(init, stop + 1)
          if not is_stand_in(v) and not is_prose(v .. rest) and (not strict or token_like(v)) then
            emit(v)
          end
        end
      end
    end
  end
end

---Each rule: kind, and find(line, lower, emit) calling emit(value) for each
---credential in a line (lower is the line in lower case).
M.RULES = {
  { kind = "private key", find = anchored { anchor = "-----BEGIN ",
    pattern = "^%-%-%-%-%-BEGIN ([%u ]*)%-%-%-%-%-", accept = has_private_key } },
  { kind = "AWS access key", find = anchored { anchor = "AKIA", word_start = true,
    pattern = "^AKIA" .. ("[0-9A-Z]"):rep(16), stop = "^%w" } },
  { kind = "AWS access key", find = anchored { anchor = "ASIA", word_start = true,
    pattern = "^ASIA" .. ("[0-9A-Z]"):rep(16), stop = "^%w" } },
  { kind = "GitHub token", find = anchored { anchor = "gh", word_start = true,
    pattern = "^gh[pousr]_" .. ("%w"):rep(30) .. "%w*" } },
  { kind = "GitHub token", find = anchored { anchor = "github_pat_", word_start = true,
    pattern = "^github_pat_" .. ("[%w_]"):rep(22) .. "[%w_]*" } },
  { kind = "Slack token", find = anchored { anchor = "xox", word_start = true,
    pattern = "^xox[baprse]%-" .. ("[%w%-]"):rep(10) .. "[%w%-]*" } },
  { kind = "Slack token", find = anchored { anchor = "xapp-", word_start = true,
    pattern = "^xapp%-%d+%-" .. ("[%w%-]"):rep(10) .. "[%w%-]*" } },
  { kind = "Slack webhook", find = anchored { anchor = "hooks.slack.com/",
    pattern = "^hooks%.slack%.com/services/T%w+/B%w+/(%w+)", accept = not_stand_in } },
  { kind = "Slack webhook", find = anchored { anchor = "hooks.slack.com/",
    pattern = "^hooks%.slack%.com/workflows/T%w+/A%w+/%w+/(%w+)", accept = not_stand_in } },
  { kind = "Anthropic API key", find = anchored { anchor = "sk-ant-", word_start = true,
    pattern = "^sk%-ant%-" .. ("[%w_%-]"):rep(20) .. "[%w_%-]*" } },
  { kind = "OpenAI API key", find = anchored { anchor = "sk-proj-", word_start = true,
    pattern = "^sk%-proj%-" .. ("[%w_%-]"):rep(20) .. "[%w_%-]*" } },
  { kind = "OpenAI API key", find = anchored { anchor = "sk-svcacct-", word_start = true,
    pattern = "^sk%-svcacct%-" .. ("[%w_%-]"):rep(20) .. "[%w_%-]*" } },
  { kind = "OpenAI API key", find = anchored { anchor = "sk-admin-", word_start = true,
    pattern = "^sk%-admin%-" .. ("[%w_%-]"):rep(20) .. "[%w_%-]*" } },
  { kind = "OpenAI API key", find = anchored { anchor = "sk-", word_start = true,
    pattern = "^sk%-" .. ("%w"):rep(20) .. "%w*", stop = "^[%w%-]" } },
  { kind = "connection string with a password", find = connection },
  -- password, passwd (also passwrd, passwod), DB_PASSWORD: not passwords, password_hash
  { kind = "password", find = assignment("passw", function(id) return id:find("^passwo?r?d$") end) },
  -- secret, client_secret, SECRET_KEY, aws_secret_access_key
  { kind = "secret", find = assignment("secret", function() return true end, true) },
  -- api_key, api-key, apikey, X-API-Key, OPENAI_API_KEY
  { kind = "API key", find = assignment("api", function(id) return id:find("^api[_%-]?key") end, true) },
}

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

---A team's rule, a Lua pattern whose first capture (else the whole match)
---is the value. Its cost is the team's pattern's own.
local function pattern_rule(pattern)
  return function(line, _, emit)
    for value in line:gmatch(pattern) do emit(value) end
  end
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
      if r.allow then allow[#allow + 1] = r.allow
      else rules[#rules + 1] = { kind = r.kind, find = pattern_rule(r.pattern) } end
    end
  end
  local hits = {}
  local n, kind, seen = 0, nil, nil
  local function emit(value)
    if seen[value] then return end
    for _, a in ipairs(allow) do if value:find(a) then return end end
    seen[value] = true
    hits[#hits + 1] = { kind = kind, line = n, masked = M.mask(value) }
  end
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    line = line:gsub("\r$", "")
    local lower = line:lower()
    seen = {}
    for _, r in ipairs(rules) do
      kind = r.kind
      r.find(line, lower, emit)
    end
  end
  return hits
end

return M
