--- Handoff checks: is a log ready for someone else to pick up? Each check
--- yields PASS, WARN or FAIL with the line it refers to. Used by
--- handoff.lua and, before anything moves, by archive.lua.
local log = require("sesslua.log")
local md = require("sesslua.md")
local placeholders = require("sesslua.placeholders")
local secrets = require("sesslua.secrets")

local M = {}

---Defaults; the root config may change them (config.handoff).
M.DEFAULTS = {
  stale_hours = 24,
  checks = { placeholders = true, required = true, next_steps = true, progress = true,
             blockers = true, stale = true, secrets = true },
}

local function result(list, check, status, message, line)
  list[#list + 1] = { check = check, status = status, message = message, line = line }
end

---1-based line number of a byte position.
local function line_of(text, pos)
  local n = 1
  for _ in text:sub(1, pos - 1):gmatch("\n") do n = n + 1 end
  return n
end

local trim = log.trim -- linear: `^%s*(.-)%s*$` is quadratic on inner blanks

---The text a placeholder may hide in, for one line: a field's value, an
---item's text, a label, else the line. A field with no value is a label
---(`**[Date] - [Topic]:**`), so its key is the candidate.
local function candidate(s)
  local key, value = s:match("^%s*%*%*(.-):%*%*(.*)$")
  if key then
    value = trim(value)
    return value ~= "" and value or key
  end
  local item = s:match("^%s*[-*+]%s+%[[ xX]%](.*)$") or s:match("^%s*[-*+]%s(.*)$")
    or s:match("^%s*%d+[.)]%s(.*)$")
  if item then return trim(item) end
  local label = s:match("^%s*%*%*(.-)%*%*:?%s*$")
  return label or trim(s)
end

local function check_placeholders(doc, out)
  local found = 0
  local n = 0
  local pos = 1
  -- code (fenced, indented, HTML blocks) is decided by the section index,
  -- as everywhere else: a quoted sample in a code block is no placeholder
  for line in (doc.text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local at = pos
    pos = pos + #line + 1
    line = line:gsub("\r$", "")
    if not md.in_code(doc.text, at) and not log.is_comment(line) then
      local c = candidate(line)
      if c and placeholders.is_placeholder(c) then
        found = found + 1
        result(out, "placeholders", "FAIL", ("template placeholder left: %s"):format(c), n)
      elseif c and placeholders.token_in(c) then
        found = found + 1 -- half filled in, or a real text that names a token
        result(out, "placeholders", "WARN", ("template token %s left in: %s")
          :format(placeholders.token_in(c), c), n)
      end
    end
  end
  if found == 0 then result(out, "placeholders", "PASS", "no template placeholder left") end
end

local function field_line(doc, key)
  local f = doc:field(key)
  return f and line_of(doc.text, f.line_start) or nil
end

---Whether key is a field of the header (a hand-written log may leave a
---header field out; a work field it must have).
local function in_header(doc, key)
  for _, k in ipairs(doc.schema.header) do if k == key then return true end end
  return false
end

local function check_required(doc, out)
  for _, key in ipairs(doc.schema.required) do
    if doc:value(key) then
      result(out, "required", "PASS", key .. " is filled in", field_line(doc, key))
    elseif not (in_header(doc, key) and doc:field(key) == nil) then
      result(out, "required", "FAIL", key .. " is not filled in", field_line(doc, key))
    end
  end
end

---Next steps that say nothing someone could act on.
local VAGUE = { tbd = true, tba = true, todo = true, ["to do"] = true, ["n/a"] = true, na = true,
  none = true, nothing = true, unknown = true, etc = true, ["etc."] = true, ["..."] = true,
  ["…"] = true, ["—"] = true, ["–"] = true }

---Whether a next step is concrete: not a filler word, not only
---punctuation, at least 3 characters once emphasis is stripped.
local function concrete(text)
  local t = trim((text:gsub("[*_`~]", ""))):lower()
  if #t < 3 or not t:find("[%w\128-\255]") then return false end
  -- filler words are short: only a short text is worth trimming ("TBD.")
  return #t > 16 or not (VAGUE[t] or VAGUE[(t:gsub("[.!?:]+$", ""))])
end

---An item's text as a message shows it: trimmed, at most 60 characters.
local function shown(text)
  local t = trim(text)
  if #t <= 60 then return t end
  local cut = t:sub(1, 57)
  while not utf8.len(cut) do cut = cut:sub(1, -2) end -- not inside a character
  return cut .. "..."
end

---Line numbers of increasing byte positions, counting each byte once.
local function line_counter(text)
  local pos, n = 1, 1
  return function(to)
    for _ in text:sub(pos, to - 1):gmatch("\n") do n = n + 1 end
    pos = math.max(pos, to)
    return n
  end
end

local function check_next_steps(doc, out)
  local sec = doc:section("Next Steps")
  local line = line_counter(doc.text)
  local good, vague = 0, {}
  for _, it in ipairs(doc:section_items("Next Steps")) do
    if not it.placeholder then
      if concrete(it.text) then good = good + 1 else vague[#vague + 1] = it end
    end
  end
  if good > 0 then
    result(out, "next_steps", "PASS", ("%d next step(s)"):format(good), sec and sec.line)
    for _, it in ipairs(vague) do
      result(out, "next_steps", "WARN", ("next step is not concrete: '%s'"):format(shown(it.text)),
        line(it.start))
    end
  else
    local why = ""
    if #vague > 0 then
      local list = {}
      for i = 1, math.min(#vague, 3) do list[i] = "'" .. shown(vague[i].text) .. "'" end
      why = (" (%s %s not concrete)"):format(table.concat(list, ", "), #vague > 1 and "are" or "is")
    end
    result(out, "next_steps", "FAIL", "Next Steps has no concrete item" .. why, sec and sec.line)
  end
end

---A number as people write it: 60, 62.5.
local function num(p)
  return p == math.floor(p) and ("%d"):format(p) or ("%g"):format(p)
end

local function check_progress(doc, out)
  local p = doc:progress()
  local line = field_line(doc, "Progress")
  if not p then
    result(out, "progress", "FAIL", "Progress is not a number from 0 to 100", line)
    return
  end
  local open, done = 0, 0
  for _, it in ipairs(doc:section_items("Current Work", "Current Phase")) do
    if it.done ~= nil and not it.placeholder then
      if it.done then done = done + 1 else open = open + 1 end
    end
  end
  if p >= 100 and open > 0 then
    result(out, "progress", "WARN",
      ("progress is %s%% but %d phase task(s) are open"):format(num(p), open), line)
  elseif p == 0 and done > 0 and open == 0 then
    result(out, "progress", "WARN", "progress is 0% but every phase task is done", line)
  else
    result(out, "progress", "PASS", ("progress %s%% agrees with the phase checklist"):format(num(p)), line)
  end
end

---text without its `<!-- -->` comments. A plain search for each end:
---gsub("<!%-%-.-%-%->") rescans to the end from every unclosed opening.
local function strip_comments(text)
  local parts, pos = {}, 1
  while true do
    local a = text:find("<!--", pos, true)
    local b = a and select(2, text:find("-->", a + 4, true))
    if not b then break end
    parts[#parts + 1] = text:sub(pos, a - 1)
    pos = b + 1
  end
  parts[#parts + 1] = text:sub(pos)
  return table.concat(parts)
end

local function check_blockers(doc, out)
  local sec = doc:section("Blockers")
  if not sec then
    result(out, "blockers", "WARN", "no Blockers & Issues section: say what blocks, or None")
    return
  end
  local blk = doc:block(sec, "Current Blockers")
  local a, b = sec.heading_end, doc:content_end(sec)
  if blk then a, b = blk.label_end, blk.stop end
  -- The template's own hint (`<!-- ... or "None". -->`) says nothing;
  -- `**Current Blockers:** None` says it on the label line.
  local body = strip_comments(doc.text:sub(a, b - 1))
  if blk and blk.value then body = blk.value .. "\n" .. body end
  local items, said_none = {}, false
  for _, t in ipairs(log.texts(log.items(doc.text, a, b))) do
    if log.is_none(t) then said_none = true else items[#items + 1] = t end
  end
  if blk and log.is_none(blk.value) then said_none = true end
  if #items > 0 or said_none or body:lower():match("%f[%a]none%f[%A]") then
    result(out, "blockers", "PASS", #items > 0 and ("%d blocker(s) stated"):format(#items)
      or "no blockers (None)", sec.line)
  else
    result(out, "blockers", "WARN", "Blockers & Issues is empty: say what blocks, or None", sec.line)
  end
end

local function check_stale(doc, out, opts)
  local text, t = doc:last_updated()
  local footer = doc:footer_field("Last Updated")
  local line = footer and line_of(doc.text, footer.line_start) or nil
  if not t then
    result(out, "stale", "WARN", "no Last Updated time", line)
    return
  end
  local hours = (opts.now - t) / 3600
  if hours > opts.stale_hours then
    result(out, "stale", "WARN",
      ("last updated %s, over %s hours ago"):format(text, num(opts.stale_hours)), line)
  else
    result(out, "stale", "PASS", "last updated " .. text, line)
  end
end

local function check_secrets(doc, out, opts)
  local hits = secrets.scan(doc.text, opts.secrets)
  for _, h in ipairs(hits) do
    result(out, "secrets", "FAIL", ("%s at %s:%d: %s — keep credentials out of logs"):format(
      h.kind, opts.path or "log", h.line, h.masked), h.line)
  end
  if #hits == 0 then result(out, "secrets", "PASS", "no credentials found") end
end

local CHECKS = {
  { "placeholders", check_placeholders }, { "required", check_required },
  { "next_steps", check_next_steps }, { "progress", check_progress },
  { "blockers", check_blockers }, { "stale", check_stale }, { "secrets", check_secrets },
}

---Check options that come from the config before running: every name in
---`checks` is a known check with a boolean, every extra secret rule is
---well formed.
---@return boolean|nil ok, string|nil message, string|nil config key at fault
function M.check_options(opts)
  for name, on in pairs(opts.checks or {}) do
    if M.DEFAULTS.checks[name] == nil then
      local known = {}
      for _, c in ipairs(CHECKS) do known[#known + 1] = c[1] end
      return nil, ("unknown check '%s' (known: %s)"):format(tostring(name), table.concat(known, ", ")),
        "handoff_checks"
    elseif type(on) ~= "boolean" then
      return nil, ("check '%s' must be true or false, not a %s"):format(name, type(on)), "handoff_checks"
    end
  end
  local ok, err = secrets.check_rules(opts.secrets)
  if not ok then return nil, err, "secret_patterns" end
  return true
end

---Run the checks on a Doc.
---@param opts table|nil {now, stale_hours, checks = {name = bool}, strict, path, secrets}
---@return table results, boolean ok (no FAIL)
function M.run(doc, opts)
  opts = opts or {}
  opts.now = opts.now or os.time()
  opts.stale_hours = opts.stale_hours or M.DEFAULTS.stale_hours
  local enabled = opts.checks or M.DEFAULTS.checks
  local out = {}
  for _, c in ipairs(CHECKS) do
    if enabled[c[1]] ~= false then c[2](doc, out, opts) end
  end
  local ok = true
  for _, r in ipairs(out) do
    if opts.strict and r.status == "WARN" then r.status = "FAIL" end
    if r.status == "FAIL" then ok = false end
  end
  return out, ok
end

return M
