-- Unit tests of the Lua log model (sesslua.log, sesslua.logedit) inside
-- the real host, against the real C modules.
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local placeholders = require("sesslua.placeholders")
local template = require("sesslua.template")

local passed = 0
local function test(name, fn)
  local ok, err = pcall(fn)
  if not ok then error(name .. ": " .. tostring(err), 0) end
  passed = passed + 1
end
local function eq(a, b, what)
  if a ~= b then error(("%s: got %q, expected %q"):format(what or "value", tostring(a), tostring(b)), 2) end
end

local SAMPLE = table.concat({
  "# Session 3 - Work Log", "", "**Session ID:** session-3", "**Role:** Dev", "",
  "## 🎯 Current Work", "", "**Working On:** Parser", "**Status:** Building", "**Progress:** 40%", "",
  "**Current Phase:**", "- [x] Lexer", "- [ ] Parser", "", "---", "",
  "## Completed Today", "", "**2025-11-15:**", "- [x] Lexer", "", "---", "",
  "## Blockers & Issues", "", "**Current Blockers:**", "- [ ] Flaky CI", "", "**Resolved Issues:**", "",
  "---", "", "## Next Steps", "", "1. Finish parser", "2. Tests", "", "---", "",
  "**Last Updated:** 2025-11-15 10:00:00", "**Updated By:** session-3", "",
}, "\n")

test("fields_read_from_header_and_current_work", function()
  local d = log.new(SAMPLE)
  eq(d:value("Role"), "Dev")
  eq(d:value("Working On"), "Parser")
  eq(d:work_status(), "Building")
  eq(d:progress(), 40)
end)

test("section_found_by_emoji_title_prefix", function()
  local d = log.new(SAMPLE)
  eq(d:section("current work").title, "🎯 Current Work")
  eq(d:section("next").title, "Next Steps")
end)

test("phase_tasks_and_next_steps", function()
  local d = log.new(SAMPLE)
  local items = d:section_items("Current Work", "Current Phase")
  eq(#items, 2); eq(items[1].done, true); eq(items[2].text, "Parser")
  local steps = log.texts(d:section_items("Next Steps"))
  eq(#steps, 2); eq(steps[2], "Tests")
end)

test("completed_groups_by_date", function()
  local g = log.new(SAMPLE):completed()
  eq(#g, 1); eq(g[1].date, "2025-11-15"); eq(g[1].items[1], "Lexer")
end)

test("last_updated_parsed", function()
  local text, t = log.new(SAMPLE):last_updated()
  eq(text, "2025-11-15 10:00:00"); assert(type(t) == "number")
end)

test("set_field_changes_only_the_value", function()
  local d = log.new(SAMPLE)
  edit.set_work_field(d, "Progress", "55%")
  eq(d.text, (SAMPLE:gsub("Progress:%*%* 40%%", "Progress:** 55%%")))
end)

test("missing_field_created_in_template_order", function()
  local d = log.new("# T\n\n## Current Work\n\n**Progress:** 5%\n")
  edit.set_work_field(d, "Working On", "X")
  eq(d.text, "# T\n\n## Current Work\n\n**Working On:** X\n**Progress:** 5%\n")
end)

test("check_task_exact_case_substring_ambiguous", function()
  local d = log.new(SAMPLE .. "")
  eq(edit.check_phase_task(d, "parser"), "Parser")
  assert(d.text:find("- [x] Parser", 1, true))
  local d2 = log.new(SAMPLE:gsub("%- %[ %] Parser", "- [ ] Parser A\n- [ ] Parser B"))
  local none, why, names = edit.check_phase_task(d2, "Pars")
  eq(none, nil); eq(why, "ambiguous"); eq(#names, 2)
end)

test("completed_goes_under_existing_date_without_duplicates", function()
  local d = log.new(SAMPLE)
  eq(edit.add_completed(d, "2025-11-15", "Parser"), true)
  eq(edit.add_completed(d, "2025-11-15", "Parser"), false)
  assert(d.text:find("**2025-11-15:**\n- [x] Lexer\n- [x] Parser\n", 1, true))
  edit.add_completed(d, "2025-11-16", "Docs")
  local g = d:completed()
  eq(g[1].date, "2025-11-16", "newest first")
end)

test("next_step_numbering_continues", function()
  local d = log.new(SAMPLE)
  edit.add_next_step(d, "Ship")
  assert(d.text:find("2. Tests\n3. Ship\n", 1, true))
end)

test("resolve_moves_blocker", function()
  local d = log.new(SAMPLE)
  eq(edit.resolve_blocker(d, "flaky", "retry"), "Flaky CI")
  assert(d.text:find("**Resolved Issues:**\n- [x] ~~Flaky CI~~ - Solved by retry\n", 1, true))
  assert(not d.text:find("- [ ] Flaky CI", 1, true))
end)

test("crlf_document_edits_stay_crlf", function()
  local crlf = SAMPLE:gsub("\n", "\r\n")
  local d = log.new(crlf)
  edit.add_next_step(d, "Ship")
  edit.add_blocker(d, "New")
  assert(not d.text:find("[^\r]\n"), "a bare LF crept in")
end)

test("no_final_newline_append", function()
  local d = log.new("## Next Steps\n\n1. A")
  edit.add_next_step(d, "B")
  eq(d.text, "## Next Steps\n\n1. A\n2. B\n")
end)

test("placeholders_recognised", function()
  assert(placeholders.is_placeholder("Task 1"))
  assert(placeholders.is_placeholder("[Service/Task Name]"))
  assert(placeholders.is_placeholder("[not set]"))
  assert(not placeholders.is_placeholder("Task 1 of the parser rewrite"))
end)

test("template_fill_is_literal_and_single_pass", function()
  eq(template.fill("a [X] b {{y}}", { ["[X]"] = "{{y}} %1 &", ["{{y}}"] = "Y" }), "a {{y}} %1 & b Y")
  eq(template.fill("session-[ID] [ID]", { ["session-[ID]"] = "s-1", ["[ID]"] = "1" }), "s-1 1")
end)

io.write(("ok %d tests\n"):format(passed))
