-- The merge driver's logic on base/ours/theirs triples of every file kind:
-- knowledge entries as a union (once each, newest first, Totals right, old
-- heading forms kept), session logs section by section and item by item
-- (a field both sides changed keeps the later side and a merge note holds
-- the other), read-state as a union; what it cannot merge is refused.
local merge = require("sesslua.merge")
local knowledge = require("sesslua.knowledge")

local function check(cond, what, got)
  if not cond then error(what .. (got and ("\n--- got:\n" .. tostring(got)) or ""), 2) end
end
local function count(s, needle)
  local n, at = 0, 1
  while true do
    local a, b = s:find(needle, at, true)
    if not a then return n end
    n, at = n + 1, b + 1
  end
end

-- ---- knowledge ----------------------------------------------------------------
local HEAD = "# Shared Learnings\n\nKnowledge shared by every session.\n\n**Total Learnings:** %d\n\n---\n\n"
  .. "<!-- Sessions add entries below this line -->\n"
local function entry(date, time, session, cat, text)
  return knowledge.format_entry({ kind = knowledge.kind("learning"), session = session, category = cat,
    text = text, impact = "Medium", date = date, timestamp = date .. " " .. time .. " UTC" })
end
local function kfile(...)
  local text = HEAD:format(0)
  for _, e in ipairs({ ... }) do text = knowledge.insert(text, e) end
  return text
end

local e1 = entry("2026-12-01", "09:00:00", "s1", "base", "the base entry")
local a1 = entry("2026-12-02", "10:00:00", "s1", "alpha", "ours shares this")
local b1 = entry("2026-12-02", "11:00:00", "s2", "beta", "theirs shares this")
local both = entry("2026-12-02", "12:00:00", "s3", "gamma", "both sides carry this one")

do -- knowledge_union_each_once_newest_first
  local base = kfile(e1)
  local ours = kfile(e1, a1, both)
  local theirs = kfile(e1, both, b1)
  local out, why, n = merge.knowledge(base, ours, theirs)
  check(out, "knowledge merges: " .. tostring(why))
  check(n == 4, "four entries", n)
  check(#knowledge.entries(out) == 4, "four entries read back", out)
  check(count(out, "both sides carry this one") == 1, "the entry both sides added is there once", out)
  check(out:find("**Total Learnings:** 4", 1, true), "Total is recomputed", out)
  check(knowledge.count(out) == 4, "count agrees")
  local p_both, p_b1 = out:find("gamma", 1, true), out:find("beta", 1, true)
  local p_a1, p_e1 = out:find("alpha", 1, true), out:find("the base entry", 1, true)
  check(p_both < p_b1 and p_b1 < p_a1 and p_a1 < p_e1, "newest first by timestamp", out)
  check(not out:find("<<<<<<<", 1, true), "no conflict marker")
  -- merging the other way round gives the same entries in the same order
  local rev = merge.knowledge(base, theirs, ours)
  check(rev == out, "the merge is symmetric", rev)
end

do -- knowledge_deletion_on_one_side_is_kept
  local base = kfile(e1, a1)
  local ours = kfile(e1) -- ours removed a1
  local theirs = kfile(e1, a1, b1)
  local out = assert(merge.knowledge(base, ours, theirs))
  check(not out:find("alpha", 1, true), "an entry one side removed goes", out)
  check(out:find("beta", 1, true) and out:find("**Total Learnings:** 2", 1, true), "theirs' new entry stays", out)
end

do -- knowledge_old_heading_forms
  local old = HEAD:format(2) .. "\n### 2025-11-20 (Kickoff)\n\nWe chose git.\n\n---\n\n"
    .. "### Notes from the retro\n\n**Learning:** retro text\n\n---\n"
  local ours = knowledge.insert(old, a1)
  local theirs = knowledge.insert(old, b1)
  local out = assert(merge.knowledge(old, ours, theirs))
  check(#knowledge.entries(out) == 4, "old-form entries and new ones", out)
  check(count(out, "### 2025-11-20 (Kickoff)") == 1 and count(out, "### Notes from the retro") == 1,
    "old heading forms kept once", out)
  check(out:find("**Total Learnings:** 4", 1, true), "Total counts them all", out)
end

do -- knowledge_footer_total_and_header_edit
  local foot = "\n---\n\n**Total Learnings:** %d\n*Last updated: by hand*\n"
  local base = kfile(e1) .. foot:format(1)
  local ours = knowledge.insert(base, a1)
  local theirs = knowledge.insert(base:gsub("Knowledge shared by every session%.", "Shared by all."), b1)
  local out = assert(merge.knowledge(base, ours, theirs))
  check(count(out, "**Total Learnings:** 3") == 2, "both Total lines set", out)
  check(out:find("Shared by all.", 1, true), "theirs' header edit kept", out)
  check(out:find("*Last updated: by hand*", 1, true), "footer kept", out)
  check(#knowledge.entries(out) == 3, "three entries", out)
end

do -- knowledge_same_header_line_rewritten_both_ways_keeps_both
  local base = kfile(e1)
  local ours = base:gsub("Knowledge shared by every session%.", "Ours says.")
  local theirs = base:gsub("Knowledge shared by every session%.", "Theirs says.")
  local out = assert(merge.knowledge(base, ours, theirs))
  check(out:find("Ours says.", 1, true) and out:find("Theirs says.", 1, true)
    and not out:find("every session", 1, true), "both rewrites kept, the old line gone", out)
end

do -- knowledge_same_header_field_changed_both_ways_is_refused
  local base = kfile(e1):gsub("\n\n%*%*Total", "\n\n**Owner:** team\n**Total")
  local ours = base:gsub("%*%*Owner:%*%* team", "**Owner:** ours")
  local theirs = base:gsub("%*%*Owner:%*%* team", "**Owner:** theirs")
  local out, why = merge.knowledge(base, ours, theirs)
  check(out == nil and why and why:find("both sides changed"), "refused, not guessed", why)
  check(merge.merge("shared-knowledge/learnings.md", base, ours, theirs) == nil, "merge refuses too")
end

do -- knowledge_grouping_heading_is_refused_not_dropped
  local grouped = HEAD:format(2) .. "\n### 2026-12-02 - s1 - a\n\n**Learning:** one\n\n---\n\n## Older\n\n"
    .. "### 2025-01-01 - s1 - b\n\n**Learning:** two\n\n---\n"
  local out, why = merge.knowledge(grouped, knowledge.insert(grouped, a1), knowledge.insert(grouped, b1))
  check(out == nil and why:find("text between entries", 1, true), "a heading between entries is refused", why)
end

do -- knowledge_entry_edited_on_both_sides_keeps_both_edits
  local base = kfile(e1)
  local ours = base:gsub("the base entry", "the base entry, edited by ours")
  local theirs = base:gsub("the base entry", "the base entry, edited by theirs")
  local out = assert(merge.knowledge(base, ours, theirs))
  check(out:find("edited by ours", 1, true) and out:find("edited by theirs", 1, true)
    and #knowledge.entries(out) == 2 and out:find("**Total Learnings:** 2", 1, true), "both edits kept", out)
end

do -- knowledge_undated_entry_stays_below_its_neighbour
  local old = HEAD:format(2) .. "\n### 2025-11-20 (Kickoff)\n\nWe chose git.\n\n---\n\n"
    .. "### Notes from the retro\n\n**Learning:** retro text\n\n---\n\n### 2025-10-01 (Older)\n\nolder\n\n---\n"
  local out = assert(merge.knowledge(old, knowledge.insert(old, a1), knowledge.insert(old, b1)))
  local k, r, o = out:find("(Kickoff)", 1, true), out:find("Notes from the retro", 1, true), out:find("(Older)", 1, true)
  check(k < r and r < o, "the undated entry keeps its place", out)
end

do -- knowledge_crlf_kept
  local base = kfile(e1):gsub("\n", "\r\n")
  local ours = knowledge.insert(base, a1)
  local theirs = knowledge.insert(base, b1)
  local out = assert(merge.knowledge(base, ours, theirs))
  check(not out:find("[^\r]\n"), "CRLF throughout", out)
  check(#knowledge.entries(out) == 3, "three entries")
end

-- ---- session logs -----------------------------------------------------------------
local LOG = [[
# Session 1 - Work Log

**Session ID:** session-1
**Status:** Active

---

## Current Work

**Working On:** the parser
**Status:** Planning
**Progress:** 10%

**Current Phase:**
- [ ] design
- [ ] build

---

## Next Steps
1. write tests

---

## Session Notes

- 09:00 started

---

**Last Updated:** STAMP
**Updated By:** session-1
]]
local function log(stamp, f) local t = LOG:gsub("STAMP", stamp); return f and f(t) or t end
local function sub(a, b) return function(t) local r = t:gsub(a:gsub("%p", "%%%0"), (b:gsub("%%", "%%%%")), 1); return r end end
local function chain(...)
  local fs = { ... }
  return function(t) for _, f in ipairs(fs) do t = f(t) end return t end
end

do -- log_different_parts_combine
  local base = log("2026-12-03 09:00:00")
  local ours = log("2026-12-03 10:00:00", chain(sub("**Progress:** 10%", "**Progress:** 40%"),
    sub("- [ ] design", "- [x] design"), sub("- 09:00 started\n", "- 09:00 started\n- 10:00 ours note\n")))
  local theirs = log("2026-12-03 10:05:00", chain(sub("1. write tests\n", "1. write tests\n2. ship it\n"),
    sub("- [ ] build\n", "- [ ] build\n- [ ] review\n"), sub("- 09:00 started\n", "- 09:00 started\n- 10:05 theirs note\n")))
  local out, why, notes = merge.log(base, ours, theirs)
  check(out, "merges: " .. tostring(why))
  check(notes == 0, "no merge notes when nothing collided", out)
  for _, want in ipairs({ "**Progress:** 40%", "- [x] design", "- [ ] build", "- [ ] review", "2. ship it",
                          "- 10:00 ours note", "- 10:05 theirs note", "**Last Updated:** 2026-12-03 10:05:00" }) do
    check(out:find(want, 1, true), "holds " .. want, out)
  end
  check(count(out, "- [ ] build") == 1 and count(out, "09:00 started") == 1, "nothing doubled", out)
  check(not out:find("<<<<<<<", 1, true) and not out:find("Merge note", 1, true), "clean", out)
  check(out:find("- [ ] build\n- [ ] review", 1, true), "theirs' item after its predecessor", out)
end

do -- log_same_field_keeps_later_and_notes_the_other
  local base = log("2026-12-03 09:00:00")
  local ours = log("2026-12-03 10:00:00", sub("**Status:** Planning", "**Status:** Blocked"))
  local theirs = log("2026-12-03 10:30:00", sub("**Status:** Planning", "**Status:** Testing"))
  local out, _, notes = merge.log(base, ours, theirs)
  check(out and notes == 1, "one merge note", out)
  check(out:find("**Status:** Testing", 1, true), "the later side's value is the field", out)
  check(out:find("Merge note", 1, true) and out:find("**Status:** Blocked", 1, true), "the other value is in a note", out)
  check(count(out, "**Last Updated:**") == 1 and out:find("2026-12-03 10:30:00", 1, true), "one footer, the later", out)
  local notes_at = out:find("## Session Notes", 1, true)
  check(out:find("Merge note", 1, true) > notes_at, "the note is in Session Notes", out)
  check(out:find("Merge note", 1, true) < out:find("**Last Updated:**", 1, true), "above the footer", out)
  -- the other way round: the same value wins
  local rev = merge.log(base, theirs, ours)
  check(rev:find("**Status:** Testing", 1, true) and rev:find("Blocked", 1, true), "the later side wins either way", rev)
end

do -- log_same_task_checked_both_sides_is_one_task
  local base = log("2026-12-03 09:00:00")
  local ours = log("2026-12-03 10:00:00", sub("- [ ] build", "- [x] build"))
  local theirs = log("2026-12-03 10:01:00", sub("- [ ] build", "- [x] build"))
  local out, _, notes = merge.log(base, ours, theirs)
  check(notes == 0 and count(out, "build") == 1 and out:find("- [x] build", 1, true), "one checked task", out)
end

do -- log_section_added_on_one_side
  local base = log("2026-12-03 09:00:00")
  local ours = log("2026-12-03 10:00:00", sub("## Session Notes", "## Blockers & Issues\n\n**Current Blockers:**\n- [ ] the VPN\n\n---\n\n## Session Notes"))
  local theirs = log("2026-12-03 10:01:00", sub("**Progress:** 10%", "**Progress:** 20%"))
  local out = assert(merge.log(base, ours, theirs))
  check(out:find("## Blockers & Issues", 1, true) and out:find("- [ ] the VPN", 1, true)
    and out:find("**Progress:** 20%", 1, true), "both kept", out)
end

do -- log_new_on_both_sides_without_base
  local ours = log("2026-12-03 10:00:00", sub("**Working On:** the parser", "**Working On:** ours"))
  local theirs = log("2026-12-03 10:01:00", sub("**Working On:** the parser", "**Working On:** theirs"))
  local out, _, notes = merge.log("", ours, theirs)
  check(out and notes == 1 and out:find("**Working On:** theirs", 1, true) and out:find("ours", 1, true),
    "an add/add log keeps both values", out)
end

do -- log_without_session_notes_gets_one
  local strip = sub("## Session Notes\n\n- 09:00 started\n\n", "")
  local base = log("2026-12-03 09:00:00", strip)
  local ours = log("2026-12-03 10:00:00", chain(strip, sub("**Progress:** 10%", "**Progress:** 30%")))
  local theirs = log("2026-12-03 09:30:00", chain(strip, sub("**Progress:** 10%", "**Progress:** 50%")))
  local out, _, notes = merge.log(base, ours, theirs)
  check(notes == 1 and out:find("## Session Notes", 1, true) and out:find("**Progress:** 30%", 1, true)
    and out:find("50%", 1, true), "a Session Notes section is made for the note", out)
  check(out:find("## Session Notes", 1, true) < out:find("**Last Updated:**", 1, true), "above the footer", out)
end

do -- log_crlf_kept
  local crlf = function(t) return (t:gsub("\n", "\r\n")) end
  local base = crlf(log("2026-12-03 09:00:00"))
  local ours = crlf(log("2026-12-03 10:00:00", chain(sub("**Status:** Planning", "**Status:** Blocked"),
    sub("- 09:00 started\n", "- 09:00 started\n- ours note\n"))))
  local theirs = crlf(log("2026-12-03 10:30:00", sub("**Status:** Planning", "**Status:** Testing")))
  local out, _, notes = merge.log(base, ours, theirs)
  check(notes == 1 and out:find("- ours note\r\n", 1, true) and out:find("Merge note", 1, true), "merged", out)
  check(not out:find("[^\r]\n"), "CRLF throughout, the merge note too", out)
end

do -- log_refuses_binary
  local out, why = merge.log("a", "a\0b", "c")
  check(out == nil and why, "binary data is refused")
end

-- ---- read state and kinds ------------------------------------------------------------
do -- lines_union
  local out = merge.lines("a\n", "a\nb\nc\n", "a\nd\nb\n")
  check(out == "a\nb\nc\nd\n", "union, ours first, each once", out)
end

do -- kinds_by_path
  check(merge.kind("docs/coordination/shared-knowledge/learnings.md") == "knowledge", "knowledge")
  check(merge.kind("shared-knowledge/patterns.md") == "knowledge", "knowledge at the top")
  check(merge.kind("docs/coordination/sessions/ACTIVE/session-1.md") == "log", "log")
  check(merge.kind("sessions/ARCHIVE/2026-12/session-1.md") == "log", "archived log")
  check(merge.kind("sessions/ACTIVE/README.md") == nil, "a README is no log")
  check(merge.kind("messages/session-2/broadcast-read") == "lines", "read state")
  check(merge.kind("src/main.c") == nil, "other files are not ours")
  local out, why = merge.merge("src/main.c", "a", "b", "c")
  check(out == nil and why:find("not a file", 1, true), "an unknown file with both sides changed is refused", why)
  check(merge.merge("src/main.c", "a", "b", "a") == "b", "one side changed: that side")
end

print("test_merge: ok")
