-- Unit tests of sesslua.summary and archive's closing of a log, inside the
-- real host: complete statuses, the status a dashboard shows, values as
-- text, resolved items with their resolution, the JSON projection.
local log = require("sesslua.log")
local summary = require("sesslua.summary")
local archive = require("sesslua.archive")
local json = require("sesslua.json")

local harness = dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "harness.lua")
local test, eq = harness.test, harness.eq

test("complete_statuses_are_words_of_the_list_in_any_case_with_emoji_and_extra_words", function()
  for _, s in ipairs({ "Completed", "complete", "✅ COMPLETE - search service shipped", "Done",
                       "**Finished**", "shipped to prod", "Closed." }) do
    eq(summary.is_complete_status(s), true, s)
  end
  for _, s in ipairs({ "Active", "Incomplete", "not done yet", "Almost finished", "", "Building",
                       "undone" }) do
    eq(summary.is_complete_status(s), false, s)
  end
  eq(summary.is_complete_status(nil), false, "nil")
end)

test("shown_status_is_the_work_s_else_the_header_s_and_a_complete_header_wins", function()
  eq(summary.shown_status({ status = "Building", log_status = "Active" }), "Building")
  eq(summary.shown_status({ log_status = "✅ COMPLETE" }), "✅ COMPLETE")
  eq(summary.shown_status({ status = "Building", log_status = "Done - shipped" }), "Done - shipped")
  eq(summary.shown_status({ status = "Testing" }), "Testing")
  eq(summary.shown_status({}), nil)
end)

test("resolved_items_split_into_issue_and_resolution", function()
  local cases = {
    { "~~Redis timeout~~ - Solved by raised the pool size", "Redis timeout", "raised the pool size" },
    { "~~Disk - full~~ - Fixed by cleaning /var", "Disk - full", "cleaning /var" },
    { "DNS - resolved by moving to **Route53**", "DNS", "moving to Route53" },
    { "Flaky CI - retried", "Flaky CI", "retried" },
    { "~~Cert expired~~", "Cert expired", nil },
    { "Nothing to add", "Nothing to add", nil },
    { "~~x~~ — Solved by y", "x", "y" },
    { "~~x~~ - Solved by", "x", nil },
    { "~~x~~ - Solvedby z", "x", "Solvedby z" },
  }
  for _, c in ipairs(cases) do
    local r = summary.resolved_item(c[1])
    eq(r.text, c[2], c[1] .. " text")
    eq(r.resolution, c[3], c[1] .. " resolution")
  end
end)

local LOG = table.concat({
  "# Session 7 - Work Log", "", "**Session ID:** session-7", "**Role:** **Dev** ops",
  "**Goal:** Ship `search`", "**Status:** Active", "**Priority:** High", "",
  "## Current Work", "", "**Working On:** **Email** service", "**Status:** Building",
  "**Progress:** 50%", "**Owner:** [Ana](https://example.com/ana)", "",
  "**Current Phase:**", "- [x] Write _specs_", "- [ ] Wire `smtp`", "", "---", "",
  "## Completed Today", "", "**2025-11-15:**", "- [x] Set up **CI**", "", "---", "",
  "## Learnings & Discoveries", "", "**2025-11-15 - Async _io_:**", "- use **gather**",
  "- keep `timeouts`", "", "---", "",
  "## Blockers & Issues", "", "**Current Blockers:**", "- [ ] Waiting on **DB**", "",
  "**Resolved Issues:**", "- [x] ~~Redis timeout~~ - Solved by raised the pool size", "",
  "---", "", "## Next Steps", "", "1. Deploy to *staging*", "", "---", "",
  "**Last Updated:** 2025-11-15 10:00:00", "**Updated By:** session-7", "",
}, "\n")

test("full_summary_values_are_text_without_markdown", function()
  local s = summary.full(log.new(LOG), "session-7", nil, { now = 0 })
  eq(s.role, "Dev ops", "role")
  eq(s.goal, "Ship search", "goal")
  eq(s.working_on, "Email service", "working on")
  eq(s.fields["Working On"], "Email service", "fields")
  eq(s.work_fields.Owner, "Ana", "a link is its text")
  eq(s.phase[1].text, "Write specs", "phase")
  eq(s.phase[2].text, "Wire smtp", "phase")
  eq(s.completed[1].items[1], "Set up CI", "completed")
  eq(s.learnings[1].topic, "Async io", "learning topic")
  eq(s.learnings[1].text, "use gather\nkeep timeouts", "learning lines stay lines")
  eq(s.blockers[1], "Waiting on DB", "blocker")
  eq(s.next_steps[1], "Deploy to staging", "next step")
  eq(s.resolved[1].text, "Redis timeout", "resolved text")
  eq(s.resolved[1].resolution, "raised the pool size", "resolution")
end)

test("json_projection_keeps_keys_and_gives_null_for_absent_values", function()
  local s = summary.full(log.new(LOG), "session-7", "/x/session-7.md", { now = 0 })
  local j = summary.json(s, "log")
  eq(j.schema, 1); eq(j.kind, "log")
  eq(j.status, "Building"); eq(j.log_status, "Active")
  eq(j.resolved[1].text, "Redis timeout")
  local bare = summary.full(log.new("# Notes\n\nJust text.\n"), "odd", nil, { now = 0 })
  local jb = summary.json(bare, "log")
  eq(jb.role, json.null, "absent role"); eq(jb.progress, json.null, "absent progress")
  local enc = json.encode(summary.json(summary.full(log.new(
    "## Blockers & Issues\n\n**Resolved Issues:**\n- [x] ~~Cert~~\n"), "r", nil, { now = 0 }), "log"))
  assert(enc:find('"resolved":[{"resolution":null,"text":"Cert"}]', 1, true), enc)
end)

test("status_fields_read_header_then_current_work_null_when_absent", function()
  local d = log.new(LOG)
  local s = summary.brief(d, "session-7", nil, { now = 0, fields = { "Priority", "Owner", "Team" } })
  eq(s.fields.Priority, "High", "header field")
  eq(s.fields.Owner, "Ana", "Current Work field, as text")
  eq(s.fields.Team, nil, "absent field")
  local j = summary.json(s, "status")
  eq(j.fields.Team, json.null, "absent field is null in JSON")
  eq(j.fields.Priority, "High")
  local plain = summary.json(summary.brief(d, "session-7", nil, { now = 0 }), "status")
  eq(next(plain.fields), nil, "no columns asked, no fields")
end)

test("archive_close_keeps_a_complete_status_as_written", function()
  local d = log.new("# S\n\n**Status:** ✅ COMPLETE - search service shipped\n\n## Session Notes\n\n")
  archive.close(d, "2025-11-20", "session-3")
  assert(d.text:find("**Status:** ✅ COMPLETE - search service shipped\n", 1, true), d.text)
  assert(d.text:find("Archived 2025-11-20 by session-3.\n", 1, true), d.text)
  assert(not d.text:find("Status was", 1, true), d.text)
end)

test("archive_close_keeps_the_old_status_in_the_note", function()
  local d = log.new("# S\n\n**Status:** In review\n\n## Current Work\n\n**Status:** Testing\n")
  archive.close(d, "2025-11-20", "session-3")
  assert(d.text:find("# S\n\n**Status:** Completed\n", 1, true), d.text)
  assert(d.text:find("**Status:** Testing\n", 1, true), "Current Work left alone: " .. d.text)
  assert(d.text:find("Archived 2025-11-20 by session-3 (Status was: In review).", 1, true), d.text)
end)

test("archive_close_creates_a_missing_header_status_never_a_current_work_one", function()
  local d = log.new("# S\n\n**Role:** Dev\n**Goal:** G\n\n## Next Steps\n\n1. x\n")
  archive.close(d, "2025-11-20", "session-3")
  assert(d.text:find("**Goal:** G\n**Status:** Completed\n", 1, true), d.text)
  assert(not d.text:find("Current Work", 1, true), d.text)
  eq(d:header_value("Status"), "Completed")
end)

-- A log full of the template's samples, blanks and padded values: what
-- brief reads of it must not depend on whether the samples are matched in
-- C (md.plan's skip) or in Lua (a team pattern C cannot take).
local SAMPLES = table.concat({
  "# Session 9 - Work Log", "", "**Role:** [Your Role]", "**Goal:**  ", "**Status:** Active", "",
  "## Current Work", "", "**Working On:**  [not set] ", "**Status:** Planning | Building | Testing | Deploying | Complete",
  "**Progress:** [X%]", "", "**Current Phase:**", "- [ ] Task 1", "- [ ] Task 1 of the parser", "- [ ] ",
  "- [x] Task 2", "- [ ] TODO", "", "## Blockers & Issues", "", "**Current Blockers:**",
  "- Blocker 1 description", "- none", "- the staging cert", "- TODO", "", "---",
  "**Last Updated:** [Date Time]", "" }, "\n")

local function brief_of(text)
  local s = summary.brief(log.new(text), "session-9", nil, { now = 0 })
  return json.encode(summary.json(s, "status"))
end

test("samples_read_the_same_matched_in_c_or_in_lua", function()
  local placeholders = require("sesslua.placeholders")
  assert(placeholders.compiled(), "the built-in samples compile for C")
  local in_c = brief_of(SAMPLES)
  local s = summary.brief(log.new(SAMPLES), "session-9", nil, { now = 0 })
  eq(s.role, nil, "a sample role")
  eq(s.goal, nil, "a blank goal")
  eq(s.working_on, nil, "a padded sample")
  eq(s.status, nil, "a choice list never narrowed")
  eq(s.log_status, "Active")
  eq(s.progress, nil, "a sample progress")
  eq(s.open_tasks, 3, "the parser's, the blank one and TODO (Task 1 is a sample)")
  eq(#s.blockers, 2, "the cert and TODO (a sample and none left out)")
  eq(s.last_updated, nil, "a sample footer")
  -- a pattern C cannot take: everything is matched in Lua, with the same answers
  table.insert(placeholders.PATTERNS, "^[X]$")
  local ok, err = pcall(function()
    eq(placeholders.compiled(), nil, "a set is Lua's")
    eq(brief_of(SAMPLES), in_c, "the same row from Lua")
  end)
  table.remove(placeholders.PATTERNS)
  assert(ok, err)
  -- a team's own sample, appended: read as one at once, in C
  table.insert(placeholders.PATTERNS, "^TODO$")
  ok, err = pcall(function()
    assert(placeholders.compiled(), "recompiled with the team's pattern")
    local t = summary.brief(log.new(SAMPLES), "session-9", nil, { now = 0 })
    eq(t.open_tasks, 2, "TODO is a sample now")
    eq(#t.blockers, 1, "TODO is a sample blocker now")
  end)
  table.remove(placeholders.PATTERNS)
  assert(ok, err)
  eq(brief_of(SAMPLES), in_c, "back to the built-in samples")
end)

harness.done("test_summary")
