--- The session log's shape, declared once: its header fields, its sections
--- in order with their aliases, fields and labels, the footer, the fields a
--- handoff requires, the work statuses, and the template's sample lines.
--- The log model, the editor, summaries, handoff and placeholders all take
--- names from here. A team's own template (sessions/SESSION_LOG_TEMPLATE.md)
--- extends it: a `**Priority:** [High/Medium/Low]` line under Current Work
--- makes Priority a Current Work field and its bracket value a sample.
local md = require("sesslua.md")

local M = {}

---@class sesslua.SectionSpec
---@field name string the title sesslua writes
---@field aliases string[] other titles that are the same section (`Blockers`)
---@field fields string[] `**Key:** value` fields, in the order they are written
---@field labels string[] `**Label:**` lines that lead a list of their own
---@field implicit string|nil the label a hand-written section's own list stands for
---@field heading string|nil the heading line a team's template writes for it
---@field position integer its index in the schema's sections
---@field keys string[] M.key of its name and of each alias
---@field service_fields string[]|nil Services only: a service entry's `- Key: value` lines

---@class sesslua.Schema
---@field header string[] the header's fields, in order
---@field required string[] fields a handoff needs filled in
---@field sections sesslua.SectionSpec[] in the order a log keeps them
---@field footer string[] the footer's fields
---@field work_statuses string[] what Current Work's Status takes
---@field samples string[] Lua patterns, each matching a whole sample text
---@field tokens string[] the template's bracket tokens
---@field by_key table<string, sesslua.SectionSpec> M.key of every name and alias -> its spec

local Schema = {}
Schema.__index = Schema

---The built-in shape: the reference template teams follow.
local function builtin()
  return {
    header = { "Session ID", "Role", "Goal", "Started", "Status" },
    required = { "Working On", "Role", "Goal" },
    sections = {
      { name = "Current Work", fields = { "Working On", "Status", "Progress" },
        labels = { "Current Phase" } },
      { name = "Completed Today" },
      { name = "Services Built/Modified", aliases = { "Services" },
        -- a service entry's own `- Key: value` lines
        service_fields = { "Status", "Progress", "Location" } },
      { name = "Learnings & Discoveries", aliases = { "Learnings" } },
      { name = "Blockers & Issues", aliases = { "Blockers" },
        labels = { "Current Blockers", "Resolved Issues" }, implicit = "Current Blockers" },
      { name = "Coordination", labels = { "Messages Sent", "Messages Received", "Collaborations" } },
      { name = "Next Steps" },
      { name = "Session Notes" },
    },
    footer = { "Last Updated", "Updated By" },
    work_statuses = { "Planning", "Building", "Testing", "Deploying", "Complete" },
    -- Each matches a whole text as the template has it, so a real entry that
    -- merely mentions a token ("Handle [ID] tokens") is never taken for one.
    samples = {
      -- values still to fill
      "^%[not set%]$", "^%[Service/Task Name%]$", "^%[X%%%]$", "^%[Your Role%]$", "^%[Your Goal%]$",
      "^%[ID%]$", "^session%-%[ID%]$", "^Session %[ID%]$", "^#+%s*Session %[ID%] %- Work Log$",
      "^%[Date%]$", "^%[Date Time%]$", "^%[Previous Date%]$", "^%[Topic%]$", "^%[topic%]$",
      "^%[issue%]$", "%- %[Topic%]$",
      "^%*%*%[service%-name%]%*%*", "^%*%*%[another%-service%]%*%*",
      "^%[Date Time%] ", "^%[Any additional notes",
      -- the reference template's sample lines
      "^Task %d+$", "^Completed task %d+$", "^Deployed service X$", "^Previous completed work$",
      "^Next task description$", "^Blocker %d+ description$",
      "^~~Previous blocker~~ %- Solved by doing X$",
      "^Learning description$", "^Why it matters$", "^Impact on future work$", "^Another learning$",
      '"Subject" %(Priority%)$', '"Subject" %- Action taken$',
      "^Working with session%-X on", "^Helped session%-Y with",
      "^Status: Development | Testing | Production$", "^Progress: X%%$", "^Status: %.%.%.$",
      "^Progress: %.%.%.$", "^Location: SERVICES/service%-name/$",
      -- a choice list never narrowed to one value
      "^Planning | Building | Testing | Deploying | Complete$", "^Active | Idle | Completed$",
    },
    -- A text holding one inside other words ("Working with session-3 on
    -- [topic]") is probably half filled in: handoff warns about it.
    tokens = {
      "[not set]", "[Service/Task Name]", "[X%]", "[Your Role]", "[Your Goal]", "[ID]", "[Date]",
      "[Date Time]", "[Previous Date]", "[Topic]", "[topic]", "[issue]", "[service-name]",
      "[another-service]",
    },
  }
end

---Fill in the lists a declaration may leave out, and index the names.
local function finish(s)
  s.by_key = {}
  for i, sec in ipairs(s.sections) do
    sec.aliases, sec.fields, sec.labels = sec.aliases or {}, sec.fields or {}, sec.labels or {}
    sec.position = i
    -- the keys a heading may have to be this section, for md's section_keyed
    sec.keys = { M.key(sec.name) }
    s.by_key[sec.keys[1]] = sec
    for _, a in ipairs(sec.aliases) do
      local k = M.key(a)
      sec.keys[#sec.keys + 1] = k
      s.by_key[k] = s.by_key[k] or sec
    end
  end
  return setmetatable(s, Schema)
end

---A title as section matching compares it: case, emoji, punctuation and
---spacing aside (`## 🔗 Coordination` is Coordination; `## Coordination
---Lessons` is not).
---@param title string
---@return string
function M.key(title)
  return md.normalize(title)
end

---The built-in schema (a fresh copy: callers may extend it).
---@return sesslua.Schema
function M.builtin()
  return finish(builtin())
end

---The spec of a schema section by its name or an alias, or nil.
---@param name string
---@return sesslua.SectionSpec|nil
function Schema:spec(name)
  return self.by_key[M.key(name)]
end

---Whether a heading's plain title is the schema section `name` (its name or
---an alias, compared by M.key); for a name the schema does not know, the
---title must equal it the same way.
---@param title string
---@param name string
---@return boolean
function Schema:is(title, name)
  local k = M.key(title)
  if k == "" then return false end
  local spec = self:spec(name)
  if not spec then return k == M.key(name) end
  return self.by_key[k] == spec
end

---The section names in the order a log keeps them.
---@return string[]
function Schema:order()
  local out = {}
  for i, sec in ipairs(self.sections) do out[i] = sec.name end
  return out
end

---Whether status is one of the work statuses.
---@param status string
---@return boolean
function Schema:known_status(status)
  for _, s in ipairs(self.work_statuses) do
    if s == status then return true end
  end
  return false
end

---The Lua pattern matching exactly s.
local function literal(s)
  return "^" .. s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0") .. "$"
end

---Whether a template text is a sample to fill in rather than content: a
---bracket token as the whole text (`[High/Medium/Low]`), or a choice list
---never narrowed to one value (`High | Medium | Low`).
local function is_sample_text(s)
  return s:match("^%[[^%]]+%]$") ~= nil or s:match("^[^|]+ | [^|]+ |") ~= nil
    or s:match("^[^|]+ | [^|]+$") ~= nil
end

local function add_unique(list, v)
  for _, x in ipairs(list) do if x == v then return false end end
  list[#list + 1] = v
  return true
end

---Extend schema s with what a template text declares: its level-2
---sections (a title the schema lacks becomes a section, in template
---order), the fields and labels of each section and of the header, and
---the values of its fields and list items that are samples.
---@param s sesslua.Schema
---@param text string the template
---@return sesslua.Schema s
function M.extend(s, text)
  local sections = md.sections(text)
  local footer = {}
  for _, k in ipairs(s.footer) do footer[M.key(k)] = true end
  local function fields_of(a, b, into_fields, into_labels)
    for _, f in ipairs(md.fields(text, a, b)) do
      local v = f.value:gsub("%s+$", "")
      if footer[M.key(f.key)] then
        -- the footer's lines close the last section; they are not its fields
      elseif v == "" then
        if into_labels then add_unique(into_labels, f.key) end
      else
        if into_fields then add_unique(into_fields, f.key) end
        if is_sample_text(v) then add_unique(s.samples, literal(v)) end
      end
    end
  end
  local first = sections[1]
  local header_a, header_b = 1, first and first.start or #text + 1
  if first and first.level == 1 then header_a, header_b = first.heading_end, first.body_end end
  fields_of(header_a, header_b, s.header, nil)
  local after -- the spec the previous template section matched
  for _, sec in ipairs(sections) do
    if sec.level == 2 then
      local spec = s:spec(sec.title)
      if not spec then
        spec = { name = sec.title, aliases = {}, fields = {}, labels = {} }
        table.insert(s.sections, after and after.position + 1 or #s.sections + 1, spec)
        finish(s)
      end
      spec.heading = spec.heading or text:sub(sec.start, sec.heading_end - 1):gsub("\r?\n$", "")
      fields_of(sec.heading_end, sec.stop, spec.fields, spec.labels)
      for _, t in ipairs(md.tasks(text, sec.heading_end, sec.stop)) do
        if is_sample_text(t.text) then add_unique(s.samples, literal(t.text)) end
      end
      after = spec
    end
  end
  return s
end

local current, current_root
local LOADED = package.loaded -- require's own table

---The running workflow's context, or nil: package.loaded's when it is
---there (a table lookup: a log read asks for the schema, and status reads
---a thousand), else what require gives.
local function context()
  local ctx = LOADED["sesslua.context"]
  if not ctx then
    local ok, c = pcall(require, "sesslua.context")
    ctx = ok and c or nil
  end
  return type(ctx) == "table" and ctx or nil
end

---The schema in force: the built-in one extended by the team's template
---(sessions/SESSION_LOG_TEMPLATE.md under the root, else `session-log.md`
---on the search path) when a coordination root is known. Made once per
---process and root.
---@return sesslua.Schema
function M.current()
  local ctx = context()
  local root = ctx and ctx.root or nil
  if current and current_root == root then return current end
  local s = M.builtin()
  if root then
    local fs = require("sesslua.fs")
    local text = fs.read(require("sesslua.tree").paths(root).template)
    if not text and ctx.search_dirs then
      local found, t = pcall(require("sesslua.template").read, ctx, "session-log.md")
      text = found and t or nil
    end
    if text then M.extend(s, text) end
    s.template_text = text -- what the schema was made from (the rows cache keys on it)
  end
  -- the placeholder list is the schema's: a team's additions reach it
  local placeholders = package.loaded["sesslua.placeholders"]
  if placeholders then placeholders.use(s) end
  current, current_root = s, root
  return s
end

return M
