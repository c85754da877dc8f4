-- Unit tests of the Lua log model (sesslua.log, sesslua.logedit) inside
-- the real host, against the real C modules.
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local placeholders = require("sesslua.placeholders")
local template = require("sesslua.template")

local harness = dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "harness.lua")
local test, eq = harness.test, harness.eq

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

test("schema_section_found_by_name_emoji_and_case_aside_never_by_prefix", function()
  local d = log.new(SAMPLE)
  eq(d:section("current work").title, "🎯 Current Work")
  eq(d:section("next"), nil, "a prefix is no schema section")
  eq(d:lookup("next").title, "Next Steps", "a person's query may be a prefix")
  eq(d:lookup("🎯").title, "🎯 Current Work", "emoji prefix as shown")
  d = log.new("# S\n\n## Notes\n\n## Notes Archive\n\n## Plan\n")
  eq(d:lookup("notes").title, "Notes", "an exact title wins over a longer one")
  local _, why, names = d:lookup("not")
  eq(why, "ambiguous"); eq(#names, 2)
  _, why, names = d:lookup("zzz")
  eq(why, "missing"); eq(#names, 4, "every title, in the hint")
  d = log.new("# S\n\n## Coordination Lessons\n\nProse.\n\n## 🔗 COORDINATION FLOW\n\nMore.\n")
  eq(d:section("Coordination"), nil, "prose headings that start like a section are not it")
  d = log.new("# S\n\n## 🔗 Coordination\n\n**Messages Sent:**\n")
  eq(d:section("Coordination").title, "🔗 Coordination")
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

-- Hand-written layouts: the model reads and the editor writes the same
-- blocks and sections, so nothing is duplicated.
local HAND = table.concat({
  "# Session 5", "", "**Role:** Backend", "**Status:** Active", "",
  "## Current Work", "", "- **Working On:** Auth", "- **Status:** Testing", "- **Progress:** 40%", "",
  "### Current Phase", "- [ ] Login handler", "- [x] Tokens", "",
  "## Blockers", "- [ ] DB creds missing", "  - ticket OPS-123", "- N/A", "",
  "## Learnings", "", "**2025-11-10 - Tokens:**", "- JWT expiry matters", "",
  "## Next Steps", "1. Ship", "",
}, "\n")

local function count(s, needle)
  local n, pos = 0, 1
  while true do
    local a, b = s:find(needle, pos, true)
    if not a then return n end
    n, pos = n + 1, b + 1
  end
end

test("bulleted_fields_read_and_edited_in_place", function()
  local d = log.new(HAND)
  eq(d:work_status(), "Testing")
  eq(d:progress(), 40)
  eq(d:value("Working On"), "Auth")
  edit.set_work_field(d, "Status", "Building")
  eq(d.text, (HAND:gsub("%- %*%*Status:%*%* Testing", "- **Status:** Building")))
  local d2 = log.new((HAND:gsub("%- %*%*Progress:%*%* 40%%\n", "")))
  edit.set_work_field(d2, "Progress", "50%")
  assert(d2.text:find("- **Status:** Testing\n- **Progress:** 50%\n", 1, true), "new field written as its neighbours")
end)

test("log_status_is_the_headers_only", function()
  eq(log.new(HAND):header_value("Status"), "Active")
  local d = log.new((HAND:gsub("%*%*Status:%*%* Active\n", "")))
  eq(d:header_value("Status"), nil)
  eq(d:work_status(), "Testing")
end)

test("current_phase_heading_is_the_block", function()
  local d = log.new(HAND)
  local items = d:section_items("Current Work", "Current Phase")
  eq(#items, 2); eq(items[1].text, "Login handler")
  eq(edit.check_phase_task(d, "login"), "Login handler")
  edit.add_phase_task(d, "Refresh")
  assert(d.text:find("- [x] Tokens\n- [ ] Refresh\n", 1, true), "task added under the heading")
  eq(count(d.text, "Current Phase"), 1, "no second Current Phase block")
end)

test("blockers_section_short_name_and_none_variants", function()
  local d = log.new(HAND)
  eq(d:section("Blockers & Issues").title, "Blockers")
  local items = d:section_items("Blockers & Issues", "Current Blockers")
  eq(#items, 2)
  for _, s in ipairs({ "None", "None.", "none yet", "N/A", "No blockers", "- None", "[ ] None" }) do
    assert(log.is_none(s), s .. " says none")
  end
  assert(not log.is_none("None of the tests pass"))
  edit.add_blocker(d, "CI down")
  assert(not d.text:find("N/A", 1, true), "N/A left beside a blocker")
  assert(d.text:find("  - ticket OPS-123\n- [ ] CI down\n", 1, true), "blocker appended to the list")
  eq(count(d.text, "## Blockers"), 1, "no second Blockers section")
  local d2 = log.new("## Blockers\n\n- None yet\n")
  edit.add_blocker(d2, "X")
  eq(d2.text, "## Blockers\n\n- [ ] X\n")
end)

test("resolve_carries_sub_bullets", function()
  local d = log.new(HAND)
  eq(edit.resolve_blocker(d, "creds", "vault"), "DB creds missing")
  assert(d.text:find("- [x] ~~DB creds missing~~ - Solved by vault\n  - ticket OPS-123\n", 1, true), d.text)
  eq(count(d.text, "OPS-123"), 1, "details moved, not copied")
  local crlf = log.new((HAND:gsub("\n", "\r\n")))
  edit.resolve_blocker(crlf, "creds", "vault")
  assert(crlf.text:find("Solved by vault\r\n  - ticket OPS-123\r\n", 1, true), "CRLF kept")
end)

test("learnings_section_read_where_written", function()
  local d = log.new(HAND)
  edit.add_learning(d, "2025-11-12", "Cache", "TTL 60s")
  eq(count(d.text, "## Learn"), 1, "no second Learnings section")
  local l = d:learnings()
  eq(#l, 2); eq(l[2].topic, "Cache"); eq(l[2].text, "TTL 60s")
end)

test("service_fields_keep_template_order", function()
  local d = log.new("## Services Built/Modified\n\n1. **svc2**\n   - Status: Dev\n")
  edit.set_service(d, "svc2", { Location = "/x", Progress = "10%" })
  eq(d.text, "## Services Built/Modified\n\n1. **svc2**\n   - Status: Dev\n   - Progress: 10%\n   - Location: /x\n")
  edit.set_service(d, "svc2", { Status = "Prod" })
  eq(d.text, "## Services Built/Modified\n\n1. **svc2**\n   - Status: Prod\n   - Progress: 10%\n   - Location: /x\n")
  local d2 = log.new("## Services Built/Modified\n\n1. **a**\n   - Location: /y\n")
  edit.set_service(d2, "a", { Status = "Dev" })
  eq(d2.text, "## Services Built/Modified\n\n1. **a**\n   - Status: Dev\n   - Location: /y\n")
end)

test("natural_sort_orders_as_the_natural_keys_do", function()
  local sys, tree = require("sesslua.sys"), require("sesslua.tree")
  -- the rule in Lua: natural key of the stem, then the stem, then the name
  local function key(name) local stem = name:sub(1, -4); return tree.natural_key(stem) .. "\0" .. stem .. "\0" .. name end
  local pieces = { "session-", "s", "a", "-", ".", "_", "0", "00", "1", "2", "9", "10", "007",
                   "1234567890123", "99999999999999", "x", "é", "Z" }
  local seed = 11
  local function rand(n) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n + 1 end
  for _ = 1, 50 do
    local names, seen = {}, {}
    for _ = 1, 40 do
      local parts = {}
      for p = 1, rand(4) do parts[p] = pieces[rand(#pieces)] end
      local n = table.concat(parts) .. ".md"
      if not seen[n] then seen[n] = true; names[#names + 1] = n end
    end
    local want = {}
    for i, n in ipairs(names) do want[i] = n end
    table.sort(want, function(x, y) return key(x) < key(y) end)
    eq(table.concat(sys.natural_sort(names, 3), " "), table.concat(want, " "))
  end
  eq(#sys.natural_sort({}), 0)
  assert(not pcall(sys.natural_sort, { "a", 1 }), "names are strings")
end)

test("display_width_counts_wide_characters_twice", function()
  local tab = require("sesslua.table")
  eq(tab.width("abc"), 3)
  eq(tab.width("日本語"), 6)
  eq(tab.width("🚀 go"), 5)
  eq(tab.width("e\u{301}"), 1, "combining accent")
  eq(tab.width("\xED\xA0\x80x"), 4, "an encoded surrogate is no UTF-8: a column a byte")
  eq(tab.width("\xC0\xAFx"), 3, "an overlong form neither")
  eq(tab.width("\xF4\x90\x80\x80"), 4, "past U+10FFFF neither")
  eq(tab.width("é\xE6\x97"), 4, "a sequence cut short neither")
  eq(tab.width("\u{1F3FB}\u{FE0F}"), 0, "skin tone and variation selector")
  eq(tab.cp_width(0x4E00), 2); eq(tab.cp_width(0x41), 1); eq(tab.cp_width(0x300), 0)
  eq(tab.cut("Platform Engineer", 9), "Platform…", "ASCII cut by bytes")
  eq(tab.cut("Platform", 8), "Platform")
  eq(tab.cut("日本語テキスト", 7), "日本語…")
  eq(tab.width(tab.cut("日本語テキスト", 6)), 5)
  eq(tab.cut("🎉🎉🎉", 4), "🎉…")
  eq(tab.cut("ab\\u{202E}cd", 6), "ab…", "never half an escape")
  eq(tab.cut("ab\\x9bcd", 5), "ab…")
  eq(tab.cut("ab\\ncd", 4), "ab…")
  eq(tab.cut("ab\\u{202E}cd", 11), "ab\\u{202E}…", "a whole escape stays")
  eq(tab.cut("plain", 10), "plain")
end)

test("ids_sort_naturally", function()
  local tree = require("sesslua.tree")
  local ids = { "session-10", "session-2", "session-1", "alpha" }
  table.sort(ids, tree.natural_less)
  eq(table.concat(ids, " "), "alpha session-1 session-2 session-10")
  eq(tree.normalize_id("README"), nil)
  eq(tree.normalize_id("SESSION_LOG_TEMPLATE"), nil)
  eq(tree.normalize_id("session-log-template"), nil)
  eq(tree.normalize_id("template-migration"), "template-migration") -- a session about templates
  eq(tree.normalize_id("session-3"), "session-3")
end)

-- A hostile line with a long run of blanks inside is read in linear time
-- (`^%s*(.-)%s*$` would take hours on it; ctest's timeout catches that).
test("long_blank_runs_are_linear", function()
  local gap = (" "):rep(400000)
  local text = table.concat({ "# Log", "## Completed Today", "**2026-01-01:**", "- [x] a" .. gap .. "b",
    "## Learnings & Discoveries", "**2026-01-01 - T:**", "- c" .. gap .. "d",
    "## Next Steps", "1. e", "   f" .. gap .. "g", "" }, "\n")
  local doc = log.new(text)
  eq(doc:completed()[1].items[1], "a" .. gap .. "b")
  eq(doc:learnings()[1].text, "c" .. gap .. "d")
  eq(#doc:section_items("Next Steps"), 1)
  eq(log.trim("  x" .. gap .. "y  "), "x" .. gap .. "y")
  eq(log.trim(gap), "")
  edit.add_completed(doc, "2026-01-01", "h")
  eq(doc:completed()[1].items[2], "h")
end)

test("header_field_created_after_the_last_header_field", function()
  local d = log.new("# S\n\n**Session ID:** s1\n**Role:** Dev\n\n---\n\n## Current Work\n\n**Status:** Building\n")
  eq(edit.set_header_field(d, "Status", "Completed"), false, "not created unasked")
  eq(edit.set_header_field(d, "Status", "Completed", true), true)
  eq(d.text, "# S\n\n**Session ID:** s1\n**Role:** Dev\n**Status:** Completed\n\n---\n\n## Current Work\n\n**Status:** Building\n")
  d = log.new("# S\n- **Role:** Dev\n\n## Notes\n")
  edit.set_header_field(d, "Status", "Done", true)
  eq(d.text, "# S\n- **Role:** Dev\n- **Status:** Done\n\n## Notes\n", "written as its neighbour")
  d = log.new("# S\n\nProse.\n\n## Notes\n")
  edit.set_header_field(d, "Status", "Done", true)
  eq(d.text, "# S\n\n**Status:** Done\n\nProse.\n\n## Notes\n", "under the title")
end)

test("doc_block_before_walks_back_without_a_table_per_block", function()
  local md = require("sesslua.md")
  local d = md.parse("# A\n\npara\n\n---\n\n**Last Updated:** x\n")
  local b = d:block_before(d:len() + 1)
  eq(b.kind, "paragraph"); eq(b.start, 17)
  b = d:block_before(b.start)
  eq(b.kind, "break")
  eq(d:block_before(b.start, b.start), nil, "nothing at or after the floor")
  eq(d:block_before(1), nil)
  d:close()
  eq(pcall(d.text, d), false, "a closed document refuses use")
end)

test("content_end_skips_rules_and_the_footer", function()
  local d = log.new("# S\n\n## Session Notes\n\nA note.\n\n---\n\n**Last Updated:** x\n**Updated By:** y\n")
  local sec = d:section("Session Notes")
  eq(d.text:sub(sec.heading_end, d:content_end(sec) - 1), "\nA note.\n")
  d = log.new("# S\n\n## Session Notes\n\n---\n\n**Last Updated:** x\n")
  sec = d:section("Session Notes")
  eq(d:content_end(sec), sec.heading_end, "an empty section")
end)

test("items_of_a_dated_group_stop_at_the_next_label", function()
  local d = log.new("# S\n\n## Completed Today\n\n**2026-01-02:**\n- [x] b\n\n**2026-01-01:**\n- [x] a\n")
  local g = d:completed()
  eq(#g, 2); eq(#g[1].items, 1); eq(g[1].items[1], "b"); eq(g[2].items[1], "a")
  edit.add_completed(d, "2026-01-02", "c")
  g = d:completed()
  eq(#g[1].items, 2); eq(g[1].items[2], "c"); eq(#g[2].items, 1)
end)

test("a_big_log_is_edited_with_two_copies_at_most", function()
  local note = ("x"):rep(60) .. "\n\n"
  local text = "# S\n\n## Session Notes\n\n" .. note:rep(300000) .. "---\n\n**Last Updated:** x\n"
  local d = log.new(text)
  text = nil
  collectgarbage()
  local base = collectgarbage("count")
  edit.add_note(d, "the end")
  edit.touch(d, "now", "me")
  collectgarbage()
  local size = #d.text / 1024
  assert(collectgarbage("count") - base < size * 1.5, "old texts are freed")
  eq(d:footer_field("Last Updated").value, "now")
  assert(d.text:find("the end\n\n---\n", 1, true), "the note sits before the rule")
end)

test("doc_section_keyed_and_field_value_make_no_table_per_section", function()
  local md = require("sesslua.md")
  local d = md.parse("# S\n\n**Role:** Dev\n\n## Coordination Lessons\n\n## 🔗 *Coordination*\n\n"
    .. "- **Status:** x\n\n## Fish &amp; Chips\n")
  eq(d:section_keyed(md.normalize("Coordination")).title, "🔗 Coordination", "markup and emoji aside, never a prefix")
  eq(d:section_keyed("zzz", md.normalize("Fish & Chips")).index, 4, "any of the keys; entities resolved")
  eq(d:section_keyed(""), nil, "an empty key matches nothing")
  eq(d:section_at(1).title, "S"); eq(d:section_at(5), nil); eq(d:section_count(), 4)
  local v, bullet = d:field_value("status")
  eq(v, "x"); eq(bullet, true)
  eq(d:field_value("Role", 1, 5), nil, "only in the range")
end)

test("field_values_gives_what_field_value_gives_for_each_key", function()
  local md = require("sesslua.md")
  local d = md.parse("# S\n\n**Role:** Dev\n**Status:** ✅ Done\n\n## W\n\n- **Status:** x\n**Role:** later\n")
  local role, status, nothing, again = d:field_values(nil, nil, "role", "Status", "Goal", "Role")
  eq(role, "Dev"); eq(status, "✅ Done", "the first of the key, any case"); eq(nothing, nil); eq(again, "Dev")
  local sec = d:section_at(2)
  local s2, r2 = d:field_values(sec.heading_end, sec.body_end, "Status", "Role")
  eq(s2, "x", "the list-item form too"); eq(r2, "later")
  for _, k in ipairs({ "Role", "Status", "Goal" }) do
    eq(select(1, d:field_values(sec.heading_end, sec.body_end, k)), (d:field_value(k, sec.heading_end, sec.body_end)))
  end
  assert(not pcall(d.field_values, d, 1, 2), "a key is needed")
end)

test("span_queries_agree_with_the_tables", function()
  local md = require("sesslua.md")
  local text = "# Log\n\n**Last Updated:** quoted\n\n## 🎯 Current Work\n\n- **Current Phase:** no\n"
    .. "**Current Phase:**\n- [ ] a\n\n---\n\n## Notes\n\n**Last Updated:** 2025-11-15 10:00:00\n"
  local d = md.parse(text)
  local i = d:section_index(md.normalize("Current Work"))
  local sec = d:section_keyed(md.normalize("Current Work"))
  eq(i, sec.index)
  local level, start, heading_end, body_end, stop = d:section_span(i)
  eq(level, sec.level); eq(start, sec.start); eq(heading_end, sec.heading_end)
  eq(body_end, sec.body_end); eq(stop, sec.stop)
  eq(d:section_span(99), nil); eq(d:section_index("zzz"), nil)
  local ls, le, bstop = d:label_block("current phase", sec.heading_end, sec.body_end)
  eq(text:sub(ls, le - 1), "**Current Phase:**\n", "the plain form, not the list item before it")
  eq(text:sub(le, bstop - 1), "- [ ] a\n\n", "up to the thematic break")
  local blk = log.new(text):block(log.new(text):section("Current Work"), "Current Phase")
  eq(blk.label_end, le); eq(blk.stop, bstop)
  eq(d:label_block("Nothing", sec.heading_end, sec.body_end), nil)
  eq(d:last_field_value("Last Updated"), d:last_field("Last Updated").value)
  eq(d:last_field_value("Last Updated", 1, sec.start), "quoted")
end)

test("a_plan_answers_what_the_single_queries_answer", function()
  local md = require("sesslua.md")
  local text = "# Log\n\n**Role:** Dev\n**Status:** Active\n\n## 🎯 Current Work\n\n**Status:** Building\n"
    .. "- **Current Phase:** no\n**Current Phase:**\n- [ ] a\n- [x] b\n  - [ ] nested\n- c\n\n---\n\n"
    .. "## Notes\n\n**Last Updated:** quoted\n\n```\n**Last Updated:** in code\n```\n\n"
    .. "**Last Updated:** 2025-11-15 10:00:00\n"
  local d = md.parse(text)
  local plan = md.plan({
    header = { "Role", "Goal", "status" },
    sections = {
      { keys = { md.normalize("Current Work") }, fields = { "Status", "Role" }, label = "Current Phase", items = "todo" },
      { keys = { "nothing" }, fields = { "Status" }, label = "Current Phase" },
      { keys = { md.normalize("Notes") }, label = "Missing", items = "open" },
    },
    footer = "Last Updated",
  })
  local r = d:read(plan)
  eq(r[1], "Dev"); eq(r[2], nil, "a hole for a missing field"); eq(r[3], "Active", "keys in any case")
  local i = d:section_index(md.normalize("Current Work"))
  eq(r[4], i)
  local _, _, he, be = d:section_span(i)
  local s1, s2 = d:field_values(he, be, "Status", "Role")
  eq(r[5], s1); eq(r[6], s2)
  local _, le, stop = d:label_block("Current Phase", he, be)
  eq(table.concat(r[7], "|"), table.concat(d:item_texts(le, stop, "todo"), "|"))
  eq(table.concat(r[7], "|"), "a", "the labelled list's open tasks, at its own depth")
  eq(r[8], false, "a section the document lacks"); eq(r[9], nil); eq(r[10], false)
  eq(r[11], d:section_index(md.normalize("Notes"))); eq(r[12], false, "a label the section lacks")
  eq(r[13], "2025-11-15 10:00:00", "the footer: the last field outside code")
  eq(#md.parse("no footer"):read(md.plan({ footer = "Last Updated" })), 0)
  local many = {}
  for k = 1, 17 do many[k] = "k" .. k end
  assert(not pcall(md.plan, { header = many }), "at most 16 keys")
  assert(not pcall(md.plan, { header = { 1 } }), "keys are strings")
  assert(not pcall(md.plan, { sections = { { keys = {}, items = "done" } } }), "items is checked")
  assert(not pcall(d.read, d, {}), "a plan is md.plan's")
end)

test("brief_reads_what_the_log_model_reads", function()
  -- summary.brief reads with few queries; the Doc's own readers are the rule
  local summary = require("sesslua.summary")
  local text = "# Session 3\n\n**Role:** [Your Role]\n**Status:** Active\n\n## Current Work\n\n"
    .. "**Working On:** api\n**Status:** Building\n**Progress:** 40 %\n\n**Current Phase:**\n"
    .. "- [ ] Task 1\n- [ ] real task\n- [x] done one\n- plain\n\n## Blockers & Issues\n\n"
    .. "**Current Blockers:**\n- None\n- [ ] db down\n- [x] fixed\n- Blocker 1 description\n\n"
    .. "## Notes\n\n**Role:** Dev anywhere\n**Goal:** g\n"
  local d = log.new(text)
  local s = summary.brief(d, "s3", nil, { now = 0 })
  eq(s.role, nil, "a placeholder in the header wins over a value further down, as Doc:value")
  eq(s.role, d:value("Role")); eq(s.goal, "g"); eq(s.goal, d:value("Goal"))
  eq(s.status, "Building"); eq(s.log_status, "Active"); eq(s.working_on, "api")
  eq(s.progress, 40); eq(s.progress, d:progress())
  eq(s.open_tasks, 1, "the sample task and the done one do not count")
  eq(table.concat(s.blockers, "|"), "db down", "None, done and sample blockers are none")
end)

test("a_learning_keeps_its_code_lines", function()
  local d = log.new("# S\n\n## Learnings & Discoveries\n\n**2026-01-01 - Docker:**\n- use healthchecks\n"
    .. "```yaml\nlivenessProbe: {}\n```\n\n## Next Steps\n")
  local l = d:learnings()
  eq(#l, 1)
  eq(l[1].text, "use healthchecks\n```yaml\nlivenessProbe: {}\n```", "shared as written, code included")
end)

harness.done("test_log")
