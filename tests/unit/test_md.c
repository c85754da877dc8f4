/*
 * test_md.c — core/md.c: the section index, titles, fields, tasks, EOLs.
 *
 * Every test checks exact offsets, levels and line numbers on small
 * documents written out by hand; test_md_diff.c covers breadth against
 * libcmark.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "host.h"
#include "md.h"

/* Build the index of a NUL-terminated document. */
static md_index build(const char *text)
{
    md_index x = {0};
    assert_int_equal(md_index_build(text, strlen(text), &x), 0);
    return x;
}

static void assert_title(const char *text, const md_section *s, const char *want)
{
    assert_int_equal(s->title_len, strlen(want));
    assert_memory_equal(text + s->title_start, want, s->title_len);
}

/* Byte offset of the first occurrence of needle (which must be there). */
static size_t at(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    assert_non_null(p);
    return (size_t)(p - text);
}

/* ---- the index ----------------------------------------------------------- */

static void atx_sections_have_exact_ranges(void **state)
{
    const char *t = "intro\n# One\nbody\n## Two ##\nmore\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 2);
    assert_int_equal(x.sections[0].level, 1);
    assert_int_equal(x.sections[0].line, 2);
    assert_int_equal(x.sections[0].heading_start, 6);
    assert_int_equal(x.sections[0].heading_end, 12);
    assert_int_equal(x.sections[0].body_end, 17);
    assert_int_equal(x.sections[0].end, strlen(t));
    assert_title(t, &x.sections[0], "One");
    assert_int_equal(x.sections[1].level, 2);
    assert_int_equal(x.sections[1].line, 4);
    assert_int_equal(x.sections[1].heading_start, 17);
    assert_int_equal(x.sections[1].heading_end, 27);
    assert_int_equal(x.sections[1].parent, 0);
    assert_title(t, &x.sections[1], "Two");
    md_index_free(&x);
}

static void heading_inside_fence_is_not_a_section(void **state)
{
    const char *t = "# A\n```sh\n# not\n``\n# still not\n````\n## B\n"
                    "~~~\n# no\n~~~~~ \n# C\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 3);
    assert_int_equal(x.sections[1].line, 7);
    assert_int_equal(x.sections[2].line, 11);
    assert_title(t, &x.sections[2], "C");
    md_index_free(&x);
}

static void unclosed_fence_runs_to_end(void **state)
{
    md_index x = build("# A\n~~~\n# B\n\n# C\n");
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].end, strlen("# A\n~~~\n# B\n\n# C\n"));
    md_index_free(&x);
}

static void setext_heading_is_a_section(void **state)
{
    const char *t = "Title line\ncontinued  \n=====\ntext\n\nSub\n---\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 2);
    assert_int_equal(x.sections[0].level, 1);
    assert_int_equal(x.sections[0].line, 1);
    assert_int_equal(x.sections[0].heading_start, 0);
    assert_int_equal(x.sections[0].heading_end, at(t, "text"));
    assert_title(t, &x.sections[0], "Title line\ncontinued");
    assert_int_equal(x.sections[1].level, 2);
    assert_int_equal(x.sections[1].line, 6);
    assert_int_equal(x.sections[1].heading_start, at(t, "Sub"));
    assert_int_equal(x.sections[1].parent, 0);
    md_index_free(&x);
}

static void thematic_break_is_not_setext(void **state)
{
    md_index x = build("Para\n\n---\n***\nFoo\n***\n");
    (void)state;
    assert_int_equal(x.count, 0);
    md_index_free(&x);
}

static void setext_after_reference_definitions(void **state)
{
    const char *t = "[a]: /u\n===\n\n[b]: /v\nReal\n---\n";
    md_index x = build(t);
    (void)state;
    /* a paragraph of only definitions has no text to underline */
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].line, 4);
    assert_int_equal(x.sections[0].heading_start, at(t, "[b]"));
    assert_title(t, &x.sections[0], "Real");
    md_index_free(&x);
}

static void heading_in_list_item_is_content(void **state)
{
    md_index x = build("- item\n  # inside\n\n  ## also inside\n# Out\n");
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].line, 5);
    md_index_free(&x);
}

static void heading_in_blockquote_is_content(void **state)
{
    md_index x = build("> # quoted\n> text\nlazy\n# Out\n");
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].line, 4);
    md_index_free(&x);
}

static void lazy_underline_is_not_setext(void **state)
{
    /* a setext underline cannot be a lazy continuation line */
    md_index x = build("> quote\n---\n- item\ntext\n===\n");
    (void)state;
    assert_int_equal(x.count, 0);
    md_index_free(&x);
}

static void indented_code_heading_ignored(void **state)
{
    md_index x = build("    # code\n\t# tab code\n   # three spaces\n");
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].line, 3);
    md_index_free(&x);
}

static void html_block_heading_ignored(void **state)
{
    md_index x = build("<div>\n# no\n\n<!-- x\n# no\n-->\n<script>\n# no\n"
                       "</script>\n<custom a=\"1\">\n# no\n\n# Yes\n");
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].line, 13);
    md_index_free(&x);
}

static void atx_edge_forms(void **state)
{
    const char *t = "#nospace\n####### seven\n#\n### Closed ###  \n"
                    "## Hash# inside\n#5 no\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 3);
    assert_int_equal(x.sections[0].line, 3);
    assert_int_equal(x.sections[0].title_len, 0);
    assert_title(t, &x.sections[1], "Closed");
    assert_title(t, &x.sections[2], "Hash# inside");
    md_index_free(&x);
}

static void nested_levels_parent_and_end(void **state)
{
    const char *t = "# A\n## B\n### C\n## D\n# E\n### F\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 6);
    assert_int_equal(x.sections[0].parent, -1);
    assert_int_equal(x.sections[1].parent, 0);
    assert_int_equal(x.sections[2].parent, 1);
    assert_int_equal(x.sections[3].parent, 0);
    assert_int_equal(x.sections[4].parent, -1);
    assert_int_equal(x.sections[5].parent, 4);
    assert_int_equal(x.sections[0].end, at(t, "# E"));
    assert_int_equal(x.sections[1].end, at(t, "## D"));
    assert_int_equal(x.sections[2].end, at(t, "## D"));
    assert_int_equal(x.sections[2].body_end, at(t, "## D"));
    assert_int_equal(x.sections[3].end, at(t, "# E"));
    assert_int_equal(x.sections[4].body_end, at(t, "### F"));
    assert_int_equal(x.sections[4].end, strlen(t));
    assert_int_equal(x.sections[5].end, strlen(t));
    md_index_free(&x);
}

static void crlf_offsets_exact(void **state)
{
    const char *t = "# A\r\nbody\r\n\r\nSub\r\n---\r\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 2);
    assert_int_equal(x.sections[0].heading_end, 5);
    assert_title(t, &x.sections[0], "A");
    assert_int_equal(x.sections[1].line, 4);
    assert_int_equal(x.sections[1].heading_start, 13);
    assert_int_equal(x.sections[1].heading_end, strlen(t));
    assert_title(t, &x.sections[1], "Sub");
    md_index_free(&x);
}

static void lone_cr_ends_lines(void **state)
{
    const char *t = "# A\rtext\r## B\r";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 2);
    assert_int_equal(x.sections[1].line, 3);
    assert_int_equal(x.sections[1].heading_start, 9);
    assert_int_equal(x.sections[1].heading_end, 14);
    md_index_free(&x);
}

static void bom_skipped(void **state)
{
    const char *t = "\xEF\xBB\xBF# Title\nx\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].heading_start, 3);
    assert_int_equal(x.sections[0].line, 1);
    assert_title(t, &x.sections[0], "Title");
    md_index_free(&x);
}

static void no_trailing_newline(void **state)
{
    const char *t = "text\n## Last";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].heading_end, strlen(t));
    assert_int_equal(x.sections[0].end, strlen(t));
    assert_title(t, &x.sections[0], "Last");
    md_index_free(&x);
}

static void empty_document(void **state)
{
    md_index x = {0};
    (void)state;
    assert_int_equal(md_index_build("", 0, &x), 0);
    assert_int_equal(x.count, 0);
    md_index_free(&x);
    md_index_free(&x); /* safe twice */
    assert_int_equal(md_index_build("\xEF\xBB\xBF", 3, &x), 0);
    assert_int_equal(x.count, 0);
    md_index_free(&x);
}

static void nul_bytes_and_invalid_utf8_safe(void **state)
{
    const char t[] = "# a\0b\n\0# c\n\xff\xfe\n# \xc3\n## \xf0\x9f";
    md_index x = {0};
    (void)state;
    assert_int_equal(md_index_build(t, sizeof t - 1, &x), 0);
    assert_int_equal(x.count, 3);
    assert_int_equal(x.sections[0].title_len, 3);
    assert_int_equal(x.sections[2].level, 2);
    assert_int_equal(x.sections[2].end, sizeof t - 1);
    md_index_free(&x);
}

static void reference_template_sections(void **state)
{
    const char *t = "# Session [ID] - Work Log\n\n**Session ID:** s\n\n---\n\n"
                    "## Current Work\n\n**Status:** Planning\n\n---\n\n"
                    "## 🧠 Learnings & Discoveries\n\n- x\n";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 3);
    assert_int_equal(x.sections[0].end, strlen(t));
    assert_int_equal(x.sections[1].parent, 0);
    assert_int_equal(x.sections[1].end, at(t, "## 🧠"));
    assert_title(t, &x.sections[2], "🧠 Learnings & Discoveries");
    md_index_free(&x);
}

/* Deep containers: thousands of open blocks, still one cheap pass (a
 * rescan of the indentation per open block made this cubic once). */
static void deep_nesting_is_handled(void **state)
{
    enum { DEPTH = 3000 };
    size_t cap = (size_t)DEPTH * DEPTH + 6 * DEPTH + 64, n = 0;
    char *t = malloc(cap);
    md_index x = {0};
    (void)state;
    assert_non_null(t);
    for (int i = 0; i < DEPTH; i++) {
        memset(t + n, ' ', (size_t)i * 2);
        n += (size_t)i * 2;
        memcpy(t + n, "- a\n", 4);
        n += 4;
    }
    memset(t + n, '>', DEPTH);
    n += DEPTH;
    memcpy(t + n, " # q\n# Top\n", 12);
    n += 12;
    assert_int_equal(md_index_build(t, n, &x), 0);
    assert_int_equal(x.count, 1);
    assert_int_equal(x.sections[0].line, DEPTH + 2);
    md_index_free(&x);
    free(t);
}

/* ---- fields and tasks inside code --------------------------------------- */

/* The audit's log: a fenced ```md block quoting fields and tasks at the top
 * of Current Work, and a task inside a fence under Current Blockers. */
static const char *const CODE_LOG =
    "# Session 7 - Work Log\n\n**Status:** Active\n\n## Current Work\n\n"
    "```md\n**Working On:** FAKE\n**Progress:** 99%\n- [ ] fake task\n```\n\n"
    "**Working On:** REAL\n**Progress:** 10%\n\n"
    "## Blockers & Issues\n\n**Current Blockers:**\n"
    "~~~\n- [ ] not a blocker\n~~~\n- [ ] real blocker\n\nNotes:\n\n"
    "    **Progress:** 77% (indented code)\n    - [ ] indented task\n\n"
    "<!--\n**Progress:** 66% (comment)\n- [ ] commented task\n-->\n"
    "<div>\n- [ ] in html\n</div>\n\n"
    "- item\n  ```\n  - [ ] fenced in an item\n  ```\n"
    "> ```\n> **Progress:** 55% (quoted fence)\n> ```\n"
    "- [x] done for real\n";

static void fields_skip_code_blocks(void **state)
{
    const char *t = CODE_LOG;
    size_t len = strlen(t), pos;
    md_index x = build(t);
    md_span v, ln, k;
    const md_section *cw = &x.sections[1];
    (void)state;
    assert_int_equal(x.count, 3);
    /* in Current Work: the real lines, not the quoted ones */
    assert_int_equal(md_field_find(t, cw->heading_end, cw->body_end, &x,
                                   "Working On", 10, &v, &ln), 0);
    assert_memory_equal(t + v.start, "REAL", 4);
    assert_int_equal(ln.start, at(t, "**Working On:** REAL"));
    assert_int_equal(md_field_find(t, cw->heading_end, cw->body_end, &x,
                                   "progress", 8, &v, NULL), 0);
    assert_memory_equal(t + v.start, "10%", 3);
    /* without the index, the quoted line is what comes first */
    assert_int_equal(md_field_find(t, cw->heading_end, cw->body_end, NULL,
                                   "Working On", 10, &v, NULL), 0);
    assert_memory_equal(t + v.start, "FAKE", 4);
    /* over the whole text: no Progress in indented code, a comment, an HTML
     * block or a quoted fence */
    pos = 0;
    while (md_field_next(t, len, &x, &pos, &k, &v, &ln))
        assert_false(md_in_code(&x, ln.start));
    assert_int_equal(md_field_find(t, at(t, "**Progress:** 10%") + 1, len, &x,
                                   "Progress", 8, NULL, NULL), -1);
    md_index_free(&x);
}

static void tasks_skip_code_blocks(void **state)
{
    const char *t = CODE_LOG;
    size_t len = strlen(t), pos = 0;
    md_index x = build(t);
    md_span tx, ln;
    int done;
    (void)state;
    assert_int_equal(md_task_next(t, len, &x, &pos, &done, &tx, &ln), 1);
    assert_int_equal(done, 0);
    assert_int_equal(tx.start, at(t, "real blocker"));
    assert_int_equal(md_task_next(t, len, &x, &pos, &done, &tx, &ln), 1);
    assert_int_equal(done, 1);
    assert_int_equal(tx.start, at(t, "done for real"));
    assert_int_equal(md_task_next(t, len, &x, &pos, &done, &tx, &ln), 0);
    assert_int_equal(pos, len);
    /* the blockers block alone: one task */
    pos = at(t, "**Current Blockers:**");
    assert_int_equal(md_task_next(t, at(t, "\n    **Progress"), &x, &pos, &done,
                                  &tx, &ln), 1);
    assert_int_equal(tx.start, at(t, "real blocker"));
    assert_int_equal(md_task_next(t, at(t, "\n    **Progress"), &x, &pos, &done,
                                  &tx, &ln), 0);
    /* without the index every task-shaped line counts */
    pos = 0;
    for (int n = 0; n < 8; n++)
        assert_int_equal(md_task_next(t, len, NULL, &pos, &done, &tx, &ln), 1);
    assert_int_equal(md_task_next(t, len, NULL, &pos, &done, &tx, &ln), 0);
    md_index_free(&x);
}

/* A range that starts inside a code block still knows it is inside:
 * code is decided from the text's start, not from the range's. */
static void range_starting_inside_code(void **state)
{
    const char *t = "# A\n```\n**Key:** fake\n- [ ] fake\n```\n**Key:** real\n- [ ] real\n";
    size_t len = strlen(t), inside = at(t, "**Key:** fake"), pos;
    md_index x = build(t);
    md_span v, tx;
    int done;
    (void)state;
    assert_true(md_in_code(&x, inside));
    assert_true(md_in_code(&x, inside + 3)); /* any byte of the line */
    assert_true(md_in_code(&x, at(t, "```")));
    assert_false(md_in_code(&x, at(t, "**Key:** real")));
    assert_false(md_in_code(&x, 0));
    assert_false(md_in_code(NULL, inside));
    assert_int_equal(md_field_find(t, inside, len, &x, "Key", 3, &v, NULL), 0);
    assert_memory_equal(t + v.start, "real", 4);
    /* mid-line in the code block: the next whole line is code too */
    assert_int_equal(md_field_find(t, inside - 2, len, &x, "Key", 3, &v, NULL), 0);
    assert_memory_equal(t + v.start, "real", 4);
    pos = inside;
    assert_int_equal(md_task_next(t, len, &x, &pos, &done, &tx, NULL), 1);
    assert_memory_equal(t + tx.start, "real", 4);
    /* a range that ends inside the code block finds nothing there */
    assert_int_equal(md_field_find(t, 0, at(t, "```\n**Key:** real"), &x, "Key",
                                   3, NULL, NULL), -1);
    md_index_free(&x);
}

/* Code runs: whole lines, consecutive lines merged, at any depth, CRLF
 * endings inside the run. */
static void code_runs_are_whole_lines(void **state)
{
    const char *t = "text\r\n```\r\n# x\r\n```\r\n\r\n    code\r\n\r\n    more\r\n"
                    "para\r\n- a\r\n\r\n      deep code\r\n<!-- c -->\r\n"
                    "**K:** v";
    md_index x = build(t);
    (void)state;
    assert_int_equal(x.count, 0);
    assert_int_equal(x.code_count, 3);
    /* the fence with its fence lines, then the indented code (blank line
     * inside included; the one before it closed nothing that was code) */
    assert_int_equal(x.code[0].start, at(t, "```"));
    assert_int_equal(x.code[0].end, at(t, "\r\n    code") + 2 - 2);
    assert_int_equal(x.code[1].start, at(t, "    code"));
    assert_int_equal(x.code[1].end, at(t, "para"));
    /* code in a list item, and the comment after it, are one run */
    assert_int_equal(x.code[2].start, at(t, "      deep code"));
    assert_int_equal(x.code[2].end, at(t, "**K:**"));
    assert_int_equal(md_field_find(t, 0, strlen(t), &x, "K", 1, NULL, NULL), 0);
    md_index_free(&x);
}

/* ---- edits: every byte outside the edited span stays identical ------------ */

/* md.splice and md.set_field live in the Lua binding (lmd.c): these tests
 * drive them through a lua_State, exactly as workflows call them, and check
 * the result byte by byte against the spans the C functions give. */

static lua_State *md_state(void)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    luaL_openlibs(L);
    luaL_requiref(L, "sesslua.md", luaopen_sesslua_md, 0); /* md at 1 */
    assert_int_equal(lua_gettop(L), 1);
    return L;
}

/* md.<fn>(args), the nargs arguments on top of the stack: a malloc'd copy
 * of the string it returns (*n its length), or NULL for nil. */
static char *call_md(lua_State *L, const char *fn, int nargs, size_t *n)
{
    char *r = NULL;
    lua_getfield(L, 1, fn);
    lua_insert(L, -(nargs + 1));
    if (lua_pcall(L, nargs, 1, 0) != LUA_OK)
        fail_msg("md.%s: %s", fn, lua_tostring(L, -1));
    if (!lua_isnil(L, -1)) {
        const char *s = lua_tolstring(L, -1, n);
        assert_non_null(s);
        r = malloc(*n + 1);
        assert_non_null(r);
        memcpy(r, s, *n + 1);
    }
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), 1);
    return r;
}

/* md.splice(text, a, b, ins) with 0-based a, b. */
static char *lua_splice(lua_State *L, const char *t, size_t len, size_t a,
                        size_t b, const char *ins, size_t *n)
{
    lua_pushlstring(L, t, len);
    lua_pushinteger(L, (lua_Integer)a + 1);
    lua_pushinteger(L, (lua_Integer)b + 1);
    lua_pushstring(L, ins);
    return call_md(L, "splice", 4, n);
}

/* md.set_field(text, key, value, a, b) with 0-based a, b. */
static char *lua_set_field(lua_State *L, const char *t, size_t len,
                           const char *key, size_t klen, const char *value,
                           size_t a, size_t b, size_t *n)
{
    lua_pushlstring(L, t, len);
    lua_pushlstring(L, key, klen);
    lua_pushstring(L, value);
    lua_pushinteger(L, (lua_Integer)a + 1);
    lua_pushinteger(L, (lua_Integer)b + 1);
    return call_md(L, "set_field", 5, n);
}

/* out is text with [a, b) replaced by ins: the bytes before a and from b
 * on are the original ones. */
static void assert_spliced(const char *t, size_t len, size_t a, size_t b,
                           const char *ins, const char *out, size_t olen)
{
    size_t ilen = strlen(ins);
    assert_int_equal(olen, len - (b - a) + ilen);
    assert_true(memcmp(out, t, a) == 0);
    assert_true(memcmp(out + a, ins, ilen) == 0);
    assert_true(memcmp(out + a + ilen, t + b, len - b) == 0);
}

/* The sections of out are those of t, those starting at or after `from`
 * moved by delta. */
static void assert_sections_moved(const md_index *x, const char *out,
                                  size_t olen, size_t from, long delta)
{
    md_index y = {0};
    assert_int_equal(md_index_build(out, olen, &y), 0);
    assert_int_equal(y.count, x->count);
    for (size_t i = 0; i < x->count; i++) {
        const md_section *p = &x->sections[i], *q = &y.sections[i];
        long d = p->heading_start >= from ? delta : 0;
        assert_int_equal(q->heading_start, (size_t)((long)p->heading_start + d));
        assert_int_equal(q->title_start, (size_t)((long)p->title_start + d));
        assert_int_equal(q->title_len, p->title_len);
        assert_int_equal(q->level, p->level);
        assert_int_equal(q->parent, p->parent);
    }
    md_index_free(&y);
}

/* Documents in every line-ending style, with a BOM, code, setext headings,
 * emoji titles and list-item fields. */
static const char *const EDIT_DOCS[] = {
    "# Log\n\n**Status:** Active\n\n## Current Work\n\n**Working On:** x\n"
    "**Progress:** 10%\n\n### Sub\n- [ ] a\n\n## Next Steps\n1. b\n",
    "\xEF\xBB\xBF# Bom\r\n**Status:** Planning\r\n\r\n## \xF0\x9F\xA7\xA0 Learnings\r\n"
    "- x\r\n\r\nSetext\r\n---\r\n**Key**: v  \r\n",
    "# Lone CR\r**Role:** Dev\r\r## Two\r**Key:** v\r",
    "Preamble **not:** a field\n**Key:** first\n\nTitle\n===\n\n  **Key:** indented\n"
    "```\n# no\n**Key:** quoted\n```\n## End\n**Key:** last",
};

static void edits_keep_other_bytes(void **state)
{
    static const char *const ins[] = {"", "x", "new body\n\n", "a\r\nb\r\n\r\n"};
    lua_State *L = md_state();
    (void)state;
    for (size_t d = 0; d < sizeof EDIT_DOCS / sizeof *EDIT_DOCS; d++) {
        const char *t = EDIT_DOCS[d];
        size_t len = strlen(t), n;
        int ends_line = t[len - 1] == '\n' || t[len - 1] == '\r';
        md_index x = build(t);
        assert_true(x.count >= 2);
        for (size_t i = 0; i < x.count; i++) {
            const md_section *s = &x.sections[i];
            /* the five spans a workflow edits, as [a, b) */
            const size_t spans[][2] = {
                {s->heading_end, s->body_end},     /* replace the body */
                {s->heading_start, s->heading_start}, /* insert at its start */
                {s->heading_end, s->heading_end},  /* ... at its body's start */
                {s->body_end, s->body_end},        /* ... at its body's end */
                {s->end, s->end},                  /* ... after its subtree */
            };
            for (size_t e = 0; e < sizeof spans / sizeof *spans; e++) {
                for (size_t k = 0; k < sizeof ins / sizeof *ins; k++) {
                    size_t a = spans[e][0], b = spans[e][1];
                    char *out = lua_splice(L, t, len, a, b, ins[k], &n);
                    assert_non_null(out);
                    assert_spliced(t, len, a, b, ins[k], out, n);
                    /* a paragraph and a blank line change no heading */
                    if (k == 2 && (b < len || ends_line))
                        assert_sections_moved(&x, out, n, b, (long)n - (long)len);
                    free(out);
                }
            }
        }
        md_index_free(&x);
    }
    lua_close(L);
}

/* md.set_field: only the value's bytes change, for every field line of
 * every section, the value written exactly as given. */
static void set_field_keeps_other_bytes(void **state)
{
    static const char *const values[] = {"NEW", "", "50% & $1 %1 \\n", "  padded  "};
    lua_State *L = md_state();
    size_t fields = 0;
    (void)state;
    for (size_t d = 0; d < sizeof EDIT_DOCS / sizeof *EDIT_DOCS; d++) {
        const char *t = EDIT_DOCS[d];
        size_t len = strlen(t), n;
        md_index x = build(t);
        /* the preamble and each section's body */
        for (size_t i = 0; i <= x.count; i++) {
            size_t a = i == 0 ? 0 : x.sections[i - 1].heading_end;
            size_t b = i == 0 ? (x.count ? x.sections[0].heading_start : len)
                              : x.sections[i - 1].body_end;
            size_t pos = a;
            md_span key, value, line, v2;
            while (md_field_next(t, b, &x, &pos, &key, &value, &line)) {
                /* set_field edits the first line with this key */
                assert_int_equal(md_field_find(t, a, b, &x, t + key.start,
                                               key.end - key.start, &v2, NULL), 0);
                for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
                    char *out = lua_set_field(L, t, len, t + key.start,
                                              key.end - key.start, values[k], a,
                                              b, &n);
                    assert_non_null(out);
                    assert_spliced(t, len, v2.start, v2.end, values[k], out, n);
                    assert_sections_moved(&x, out, n, v2.end,
                                          (long)n - (long)len);
                    free(out);
                }
                fields++;
            }
        }
        md_index_free(&x);
    }
    assert_int_equal(fields, 10); /* 3 + 2 + 2 + 3: not the quoted one */
    lua_close(L);
}

/* The audit's case: `update --working-on REAL --progress 50` on a log whose
 * Current Work starts with a ```md block quoting the fields. The quoted
 * lines stay byte for byte; a field only in code is absent (nil). */
static void set_field_skips_code(void **state)
{
    const char *t = CODE_LOG;
    size_t len = strlen(t), n, n2;
    md_index x = build(t);
    const md_section *cw = &x.sections[1];
    lua_State *L = md_state();
    md_span v;
    char *out, *out2;
    (void)state;
    out = lua_set_field(L, t, len, "Working On", 10, "REAL 2", cw->heading_end,
                        cw->body_end, &n);
    assert_non_null(out);
    assert_int_equal(md_field_find(t, 0, len, &x, "working on", 10, &v, NULL), 0);
    assert_int_equal(v.start, at(t, "REAL"));
    assert_spliced(t, len, v.start, v.end, "REAL 2", out, n);
    out2 = lua_set_field(L, out, n, "Progress", 8, "50%", cw->heading_end,
                         cw->body_end + 2, &n2);
    assert_non_null(out2);
    assert_non_null(strstr(out2, "```md\n**Working On:** FAKE\n**Progress:** 99%\n"));
    assert_non_null(strstr(out2, "**Working On:** REAL 2\n**Progress:** 50%\n"));
    assert_int_equal(n2, len + 2);
    free(out);
    free(out2);
    /* a key that only code holds is not there to set */
    const char *only = "# A\n```\n**Key:** x\n```\n    **Other:** y\n";
    assert_null(lua_set_field(L, only, strlen(only), "Key", 3, "z", 0,
                              strlen(only), &n));
    assert_null(lua_set_field(L, only, strlen(only), "Other", 5, "z", 0,
                              strlen(only), &n));
    lua_close(L);
    md_index_free(&x);
}

/* ---- linear time on pathological lines ------------------------------------ */

/* A quadratic scanner takes minutes on these inputs: past LIMIT seconds
 * SIGALRM ends the test binary (a failure) instead of letting it hang. */
enum { LIMIT = 60 };

/* CPU seconds md_index_build takes on text[0, n); the index must hold
 * want_sections sections. */
/* The slower of the plain index and the one with items and blocks (each
 * record's end settled once, when its block closes). */
static double build_seconds(const char *t, size_t n, size_t want_sections)
{
    double worst = 0;
    for (unsigned opts = 0; opts <= MD_INDEX_ALL; opts += MD_INDEX_ALL) {
        md_index x = {0};
        clock_t c0 = clock();
        assert_int_equal(md_index_build_opts(t, n, opts, &x), 0);
        double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
        assert_int_equal(x.count, want_sections);
        md_index_free(&x);
        worst = s > worst ? s : worst;
    }
    return worst;
}

/* `- ` 200,000 times then text: 200,000 nested lists on one line. Each
 * level used to rescan the rest of the line for a thematic break (7.6 s at
 * 100,000; minutes at 200,000); now the failed scan's position is kept.
 * Also `* `, `- ` with tabs, and the same line followed by 200,000 blank
 * lines (each used to match every open item). Linear: well under a second
 * even with sanitizers. */
static void nested_bullets_are_linear(void **state)
{
    enum { MARKERS = 200000 };
    static const char *const marks[] = {"- ", "* ", "-\t", "+ ", "> ", "1. "};
    size_t cap = (size_t)MARKERS * 4 + MARKERS + 64;
    char *t = malloc(cap);
    double worst = 0;
    (void)state;
    assert_non_null(t);
    alarm(LIMIT);
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
        size_t k = strlen(marks[m]), n = 0;
        for (size_t i = 0; i < MARKERS; i++, n += k)
            memcpy(t + n, marks[m], k);
        memcpy(t + n, "x\n# After\n", 10);
        double s = build_seconds(t, n + 10, 1);
        worst = s > worst ? s : worst;
        /* blank lines after the deep line, then a heading */
        memset(t + n + 2, '\n', MARKERS);
        memcpy(t + n + 2 + MARKERS, "# After\n", 8);
        s = build_seconds(t, n + 10 + MARKERS, 1);
        worst = s > worst ? s : worst;
    }
    alarm(0);
    free(t);
    assert_true(worst < 3.0);
}

/* Other long runs a nesting level could rescan: `#`, backticks, tildes,
 * `<`, thematic-break look-alikes, all behind deep containers. */
static void long_runs_are_linear(void **state)
{
    enum { N = 100000 };
    static const char *const units[] = {
        "- #######", "- ``` ", "- ~~~ ", "- <a ", "- * - ", "> > - ",
        "- _ _ x ", " - - *", "1. - ", "-  ",
    };
    char *t = malloc((size_t)N * 10 + 64);
    double worst = 0;
    (void)state;
    assert_non_null(t);
    alarm(LIMIT);
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        size_t k = strlen(units[u]), n = 0;
        for (size_t i = 0; i < N; i++, n += k)
            memcpy(t + n, units[u], k);
        memcpy(t + n, "\n\n# After\n", 10);
        double s = build_seconds(t, n + 10, 1);
        worst = s > worst ? s : worst;
    }
    alarm(0);
    free(t);
    assert_true(worst < 3.0);
}

/* ---- titles ------------------------------------------------------------- */

static void plain_title_strips_markup(void **state)
{
    static const struct {
        const char *raw, *want;
    } cases[] = {
        {"**Bold** and _em_", "Bold and em"},
        {"`code` [link](http://x) ![img](i.png)", "code link img"},
        {"a &amp; b \\* c", "a & b * c"},
        {"1. Not a list", "1. Not a list"},
        {"> not a quote", "> not a quote"},
        {"two\nlines", "two lines"},
        {"<b>x</b>", "<b>x</b>"},
        {"*x*", "x"},
        {"", ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = 99;
        char *p = md_plain_title(cases[i].raw, strlen(cases[i].raw), &n);
        assert_non_null(p);
        assert_string_equal(p, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
        free(p);
    }
}

static void normalize_drops_emoji_punctuation_and_case(void **state)
{
    const char *s = "🧠 Learnings & Discoveries! ✅ Über";
    char out[64];
    size_t n = md_normalize_title(s, strlen(s), out);
    (void)state;
    assert_string_equal(out, "learningsdiscoveriesÜber");
    assert_int_equal(n, strlen("learningsdiscoveriesÜber"));
}

static void title_lookup_prefers_exact_then_case_then_prefix(void **state)
{
    const char *titles[] = {"🧠 Learnings & Discoveries", "learnings", "Learnings",
                            "Next Steps"};
    size_t lens[4];
    (void)state;
    for (size_t i = 0; i < 4; i++)
        lens[i] = strlen(titles[i]);
    assert_int_equal(md_find_title(titles, lens, 4, "Learnings", 9), 2);
    assert_int_equal(md_find_title(titles, lens, 4, "LEARNINGS", 9), 1);
    assert_int_equal(md_find_title(titles, lens, 4, "next steps", 10), 3);
    assert_int_equal(md_find_title(titles, lens, 4, "learn", 5), 0);
    assert_int_equal(md_find_title(titles, lens, 4, "next-", 5), 3);
    assert_int_equal(md_find_title(titles, lens, 4, "missing", 7), -1);
    assert_int_equal(md_find_title(titles, lens, 4, "🧠", strlen("🧠")), -1);
}

static void emoji_title_found_by_prefix(void **state)
{
    const char *titles[] = {"Current Work", "✅ Completed Today",
                            "🧠 Learnings & Discoveries"};
    size_t lens[3];
    (void)state;
    for (size_t i = 0; i < 3; i++)
        lens[i] = strlen(titles[i]);
    assert_int_equal(md_find_title(titles, lens, 3, "Learnings", 9), 2);
    assert_int_equal(md_find_title(titles, lens, 3, "completed today", 15), 1);
}

static void invalid_utf8_safe(void **state)
{
    const char s[] = "\xf0\x9f\xa7\xc3\x28 \xe2\x82 A\xff";
    char out[sizeof s + 1];
    size_t n = md_normalize_title(s, sizeof s - 1, out);
    const char *titles[] = {s};
    size_t lens[] = {sizeof s - 1};
    char *p;
    (void)state;
    assert_true(n <= sizeof s - 1);
    assert_int_equal(out[n], '\0');
    assert_int_equal(md_find_title(titles, lens, 1, "\xf0", 1), 0);
    p = md_plain_title(s, sizeof s - 1, &n);
    assert_non_null(p);
    free(p);
}

/* ---- fields and tasks --------------------------------------------------- */

static void field_read_value_span(void **state)
{
    const char *t = "# S\n**Status:**   Active  \r\n  **Role**: Dev\n";
    md_span v, ln;
    (void)state;
    assert_int_equal(md_field_find(t, 0, strlen(t), NULL, "status", 6, &v, &ln), 0);
    assert_int_equal(v.start, at(t, "Active"));
    assert_int_equal(v.end, at(t, "Active") + 6);
    assert_int_equal(ln.start, 4);
    assert_int_equal(ln.end, at(t, "  **Role"));
    assert_int_equal(md_field_find(t, 0, strlen(t), NULL, "Role", 4, &v, NULL), 0);
    assert_memory_equal(t + v.start, "Dev", 3);
    assert_int_equal(v.end, strlen(t) - 1);
}

static void field_absent(void **state)
{
    const char *t = "**Status:** x\nStatus: y\n**Stat:** z\n";
    (void)state;
    assert_int_equal(md_field_find(t, 0, strlen(t), NULL, "Role", 4, NULL, NULL), -1);
    assert_int_equal(md_field_find(t, 0, strlen(t), NULL, "Stat", 4, NULL, NULL), 0);
    /* outside the range */
    assert_int_equal(md_field_find(t, 14, strlen(t), NULL, "Status", 6, NULL, NULL), -1);
}

static void field_next_iterates_in_order(void **state)
{
    const char *t = "**A:** 1\ntext\n**B**: \n**[Date] - [Topic]:**\n";
    size_t pos = 0;
    md_span k, v, ln;
    (void)state;
    assert_int_equal(md_field_next(t, strlen(t), NULL, &pos, &k, &v, &ln), 1);
    assert_memory_equal(t + k.start, "A", 1);
    assert_int_equal(k.end - k.start, 1);
    assert_memory_equal(t + v.start, "1", 1);
    assert_int_equal(md_field_next(t, strlen(t), NULL, &pos, &k, &v, &ln), 1);
    assert_memory_equal(t + k.start, "B", 1);
    assert_int_equal(v.start, v.end);
    assert_int_equal(md_field_next(t, strlen(t), NULL, &pos, &k, &v, &ln), 1);
    assert_int_equal(k.end - k.start, strlen("[Date] - [Topic]"));
    assert_int_equal(ln.end, strlen(t));
    assert_int_equal(md_field_next(t, strlen(t), NULL, &pos, &k, &v, &ln), 0);
}

static void tasks_checked_and_unchecked(void **state)
{
    const char *t = "- [ ] one  \n  * [x] two\n+ [X] three\n- [y] no\n-[ ] no\n"
                    "- [ ]\n";
    size_t pos = 0;
    int done = -1;
    md_span tx, ln;
    (void)state;
    assert_int_equal(md_task_next(t, strlen(t), NULL, &pos, &done, &tx, &ln), 1);
    assert_int_equal(done, 0);
    assert_int_equal(tx.start, 6);
    assert_int_equal(tx.end, 9);
    assert_int_equal(ln.start, 0);
    assert_int_equal(ln.end, 12);
    assert_int_equal(md_task_next(t, strlen(t), NULL, &pos, &done, &tx, &ln), 1);
    assert_int_equal(done, 1);
    assert_memory_equal(t + tx.start, "two", 3);
    assert_int_equal(md_task_next(t, strlen(t), NULL, &pos, &done, &tx, &ln), 1);
    assert_int_equal(done, 1);
    assert_memory_equal(t + tx.start, "three", 5);
    assert_int_equal(md_task_next(t, strlen(t), NULL, &pos, &done, &tx, &ln), 1);
    assert_int_equal(done, 0);
    assert_int_equal(tx.start, tx.end);
    assert_int_equal(md_task_next(t, strlen(t), NULL, &pos, &done, &tx, &ln), 0);
}

/* ---- list items and document-level blocks ------------------------------- */

/* Build the index with items and blocks of a NUL-terminated document. */
static md_index build_all(const char *text)
{
    md_index x = {0};
    assert_int_equal(md_index_build_opts(text, strlen(text), MD_INDEX_ALL, &x), 0);
    return x;
}

/* Offset just after the line holding needle (its line ending included). */
static size_t after_line(const char *text, const char *needle)
{
    size_t i = at(text, needle);
    while (text[i] && text[i] != '\n' && text[i] != '\r')
        i++;
    if (text[i] == '\r')
        i++;
    return text[i] == '\n' ? i + 1 : i;
}

static void assert_item(const char *t, const md_item *it, const char *first,
                        const char *last, char marker, uint32_t number, int task,
                        const char *text)
{
    assert_int_equal(it->start, at(t, first));
    assert_int_equal(it->end, after_line(t, last));
    assert_int_equal(it->marker, marker);
    assert_int_equal(it->number, number);
    assert_int_equal(it->task, task);
    assert_int_equal(it->text_end - it->text_start, strlen(text));
    assert_memory_equal(t + it->text_start, text, strlen(text));
}

static void items_bullets_numbers_and_task_boxes(void **state)
{
    const char *t = "- a\n* b  \n+ c\n1. one\n2) two\n7. seven\n123456789. big\n"
                    "- [ ] open\n- [x] done\n-\t[X]\tDone\n- [ ]\n- [x]y\n- [-] no\n";
    md_index x = build_all(t);
    (void)state;
    assert_int_equal(x.item_count, 13);
    assert_item(t, &x.items[0], "- a", "- a", '-', 0, -1, "a");
    assert_item(t, &x.items[1], "* b", "* b", '*', 0, -1, "b");
    assert_item(t, &x.items[2], "+ c", "+ c", '+', 0, -1, "c");
    assert_item(t, &x.items[3], "1. one", "1. one", '.', 1, -1, "one");
    assert_item(t, &x.items[4], "2) two", "2) two", ')', 2, -1, "two");
    assert_item(t, &x.items[5], "7. seven", "7. seven", '.', 7, -1, "seven");
    assert_item(t, &x.items[6], "123456789.", "123456789.", '.', 123456789, -1, "big");
    assert_item(t, &x.items[7], "- [ ] open", "- [ ] open", '-', 0, 0, "open");
    assert_item(t, &x.items[8], "- [x] done", "- [x] done", '-', 0, 1, "done");
    assert_item(t, &x.items[9], "-\t[X]", "-\t[X]", '-', 0, 1, "Done");
    assert_item(t, &x.items[10], "- [ ]\n", "- [ ]\n", '-', 0, 0, "");
    assert_item(t, &x.items[11], "- [x]y", "- [x]y", '-', 0, -1, "[x]y");
    assert_item(t, &x.items[12], "- [-]", "- [-]", '-', 0, -1, "[-] no");
    for (size_t i = 0; i < x.item_count; i++) {
        assert_int_equal(x.items[i].line, i + 1);
        assert_int_equal(x.items[i].depth, 0);
        assert_int_equal(x.items[i].parent, -1);
    }
    /* a new bullet or delimiter starts a new list, as in cmark */
    assert_int_equal(x.block_count, 7);
    assert_int_equal(x.blocks[5].start, at(t, "7. seven"));
    assert_int_equal(x.blocks[5].end, after_line(t, "123456789."));
    md_index_free(&x);
}

/* Continuation lines, a lazy line, a blank line, nested lists: an item
 * ends after its last non-blank line. */
static void items_nest_and_end_after_their_last_line(void **state)
{
    const char *t = "- top\n  continued\n  - child\n    - grandchild\nlazy line\n"
                    "\n  after blank\n- second\n\n\n";
    md_index x = build_all(t);
    (void)state;
    assert_int_equal(x.item_count, 4);
    assert_item(t, &x.items[0], "- top", "  after blank", '-', 0, -1, "top");
    assert_item(t, &x.items[1], "  - child", "lazy line", '-', 0, -1, "child");
    assert_item(t, &x.items[2], "    - grand", "lazy line", '-', 0, -1, "grandchild");
    assert_item(t, &x.items[3], "- second", "- second", '-', 0, -1, "second");
    assert_int_equal(x.items[1].line, 3);
    assert_int_equal(x.items[2].line, 4);
    assert_int_equal(x.items[3].line, 8);
    assert_int_equal(x.items[1].depth, 1);
    assert_int_equal(x.items[1].parent, 0);
    assert_int_equal(x.items[2].depth, 2);
    assert_int_equal(x.items[2].parent, 1);
    assert_int_equal(x.items[3].parent, -1);
    assert_int_equal(x.block_count, 1); /* one list; trailing blanks not its own */
    assert_int_equal(x.blocks[0].end, after_line(t, "- second"));
    md_index_free(&x);
}

/* Items in block quotes count (the quote adds no depth); list-looking
 * lines in fenced, indented or HTML code are no items. */
static void items_in_quotes_not_in_code(void **state)
{
    const char *t = "> - quoted\n>   more\n>\n> - two\n\n```\n- fenced\n```\n\n"
                    "    - indented code\n\n<div>\n- html\n</div>\n\n~~~\n1. x\n~~~\n"
                    "- > - deep\n";
    md_index x = build_all(t);
    (void)state;
    assert_int_equal(x.item_count, 4);
    /* the `>` line is blank for the item, not for the quote */
    assert_item(t, &x.items[0], "> - quoted", ">   more", '-', 0, -1, "quoted");
    assert_item(t, &x.items[1], "> - two", "> - two", '-', 0, -1, "two");
    assert_item(t, &x.items[2], "- > - deep", "- > - deep", '-', 0, -1, "> - deep");
    assert_item(t, &x.items[3], "- > - deep", "- > - deep", '-', 0, -1, "deep");
    assert_int_equal(x.items[0].depth, 0);
    assert_int_equal(x.items[3].depth, 1);
    assert_int_equal(x.items[3].parent, 2);
    assert_int_equal(x.block_count, 6);
    assert_int_equal(x.blocks[0].kind, MD_BLOCK_QUOTE);
    assert_int_equal(x.blocks[0].end, after_line(t, "> - two"));
    md_index_free(&x);
}

static void items_crlf_and_bom(void **state)
{
    const char *t = "\xEF\xBB\xBF- a\r\n- [x] b \r\n\r\n  c\r\n\r\n";
    md_index x = build_all(t);
    (void)state;
    assert_int_equal(x.item_count, 2);
    assert_int_equal(x.items[0].start, 3);
    assert_item(t, &x.items[0], "- a", "- a", '-', 0, -1, "a");
    assert_item(t, &x.items[1], "- [x] b", "  c", '-', 0, 1, "b");
    assert_int_equal(x.items[1].line, 2);
    assert_int_equal(x.block_count, 1);
    assert_int_equal(x.blocks[0].start, 3);
    assert_int_equal(x.blocks[0].end, after_line(t, "  c"));
    md_index_free(&x);
}

/* An item whose only paragraph is a link reference definition has no
 * child once cmark drops it: a blank line then ends the item, and a line
 * indented like its content is no longer inside it. */
static void item_left_empty_by_a_reference_definition(void **state)
{
    const char *t = "- [x]: /url\n\n\n  # Heading\n";
    md_index x = build_all(t), y = build(t);
    (void)state;
    assert_int_equal(x.item_count, 1);
    assert_int_equal(x.items[0].end, after_line(t, "- [x]"));
    assert_int_equal(x.block_count, 2);
    assert_int_equal(x.blocks[1].kind, MD_BLOCK_HEADING);
    assert_int_equal(y.count, 1);
    assert_int_equal(y.sections[0].line, 4);
    md_index_free(&x);
    md_index_free(&y);
}

static void assert_block(const char *t, const md_block *b, int kind,
                         const char *first, const char *last, uint32_t line)
{
    assert_int_equal(b->kind, kind);
    assert_int_equal(b->start, at(t, first));
    assert_int_equal(b->end, after_line(t, last));
    assert_int_equal(b->line, line);
}

static void blocks_of_every_kind(void **state)
{
    const char *t = "# Title\n\npara one\nstill para\n\n---\n\n> quote\n\n- a\n- b\n\n"
                    "```\ncode\n```\n\n    indented\n\n\n<!-- c -->\n\nSetext\n===\n"
                    "[ref]: /url\n\n~~~\nopen\n\n\n";
    md_index x = build_all(t);
    (void)state;
    assert_int_equal(x.block_count, 10);
    assert_block(t, &x.blocks[0], MD_BLOCK_HEADING, "# Title", "# Title", 1);
    assert_block(t, &x.blocks[1], MD_BLOCK_PARAGRAPH, "para one", "still para", 3);
    assert_block(t, &x.blocks[2], MD_BLOCK_BREAK, "---", "---", 6);
    assert_block(t, &x.blocks[3], MD_BLOCK_QUOTE, "> quote", "> quote", 8);
    assert_block(t, &x.blocks[4], MD_BLOCK_LIST, "- a", "- b", 10);
    assert_block(t, &x.blocks[5], MD_BLOCK_CODE, "```\ncode", "```\n\n", 13);
    /* indented code and an unclosed fence: trailing blank lines excluded */
    assert_block(t, &x.blocks[6], MD_BLOCK_CODE, "    indented", "    indented", 17);
    assert_block(t, &x.blocks[7], MD_BLOCK_HTML, "<!-- c -->", "<!-- c -->", 20);
    /* setext: the underline is the heading's; the definitions are none */
    assert_block(t, &x.blocks[8], MD_BLOCK_HEADING, "Setext", "===", 22);
    assert_block(t, &x.blocks[9], MD_BLOCK_CODE, "~~~", "open", 26);
    md_index_free(&x);
}

/* The plain index records neither; the records change nothing else. */
static void plain_index_has_no_records(void **state)
{
    const char *t = CODE_LOG;
    md_index x = build(t), y = build_all(t);
    (void)state;
    assert_int_equal(x.item_count + x.block_count, 0);
    assert_null(x.items);
    assert_null(x.blocks);
    assert_int_equal(x.count, y.count);
    assert_memory_equal(x.sections, y.sections, x.count * sizeof *x.sections);
    assert_int_equal(x.code_count, y.code_count);
    assert_memory_equal(x.code, y.code, x.code_count * sizeof *x.code);
    assert_int_equal(y.item_count, 3); /* real blocker, item, done for real */
    assert_int_equal(y.item_capacity, 3);
    assert_true(y.block_count > 10 && y.block_count == y.block_capacity);
    md_index_free(&x);
    md_index_free(&y);
}

/* Short paragraphs: the records take well under half the text. */
static void records_are_compact(void **state)
{
    enum { N = 2000 };
    const char *para = "One short paragraph of a log, a sentence long.\n\n";
    size_t k = strlen(para), n = 0;
    char *t = malloc(k * N + 1);
    md_index x = {0};
    (void)state;
    assert_non_null(t);
    for (int i = 0; i < N; i++, n += k)
        memcpy(t + n, para, k);
    assert_int_equal(md_index_build_opts(t, n, MD_INDEX_ALL, &x), 0);
    assert_int_equal(x.block_count, N);
    assert_true(x.block_capacity * sizeof *x.blocks < n / 2);
    md_index_free(&x);
    free(t);
}

/* ---- fields of both forms ----------------------------------------------- */

static const char *const FIELD_LOG =
    "# Log\n\n**Status:** Active  \n\n## Current Work\n\n**Current Phase:**\n"
    "- [ ] a\n- **Owner:** me\n1. **Due**: Friday\n\n**Progress:** 5%\n\n---\n\n"
    "**Notes:** n\n```\n**Fake:** x\n- **Fake:** y\n```\n  **Indented**: i\n"
    "## Next\n**Last:** one\n**Last:** two\n";

static void fields_of_both_forms_with_block_ends(void **state)
{
    const char *t = FIELD_LOG;
    size_t len = strlen(t), pos = 0, n = 0;
    md_index x = build_all(t);
    md_field f, all[10];
    static const char *const keys[] = {"Status", "Current Phase", "Owner", "Due",
                                       "Progress", "Notes", "Indented", "Last",
                                       "Last"};
    (void)state;
    while (md_fields_next(t, len, len, &x, &pos, &f))
        all[n++] = f;
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(all[i].key.end - all[i].key.start, strlen(keys[i]));
        assert_memory_equal(t + all[i].key.start, keys[i], strlen(keys[i]));
        assert_int_equal(all[i].bullet, i == 2 || i == 3);
    }
    /* the value: blanks trimmed, raw Markdown */
    assert_int_equal(all[0].value.start, at(t, "Active"));
    assert_int_equal(all[0].value.end, at(t, "Active") + 6);
    assert_int_equal(all[0].line.start, at(t, "**Status:**"));
    assert_int_equal(all[0].line.end, after_line(t, "**Status:**"));
    assert_int_equal(all[3].value.start, at(t, "Friday"));
    /* a block ends at the next heading, non-bullet field or break */
    assert_int_equal(all[0].block_end, at(t, "## Current Work"));
    assert_int_equal(all[1].block_end, at(t, "**Progress:**"));
    assert_int_equal(all[2].block_end, SIZE_MAX);
    assert_int_equal(all[4].block_end, at(t, "---"));
    assert_int_equal(all[5].block_end, at(t, "  **Indented**"));
    assert_int_equal(all[6].block_end, at(t, "## Next"));
    assert_int_equal(all[7].block_end, at(t, "**Last:** two"));
    assert_int_equal(all[8].block_end, len);
    md_index_free(&x);
}

static void fields_found_by_key_either_form(void **state)
{
    const char *t = FIELD_LOG;
    size_t len = strlen(t), pos;
    md_index x = build_all(t);
    md_field f;
    (void)state;
    assert_int_equal(md_fields_find(t, len, 0, len, &x, "owner", 5, 0, &f), 0);
    assert_true(f.bullet);
    assert_int_equal(f.value.start, at(t, "me\n"));
    assert_int_equal(md_fields_find(t, len, 0, len, &x, "LAST", 4, 0, &f), 0);
    assert_int_equal(f.line.start, at(t, "**Last:** one"));
    assert_int_equal(md_fields_find(t, len, 0, len, &x, "last", 4, 1, &f), 0);
    assert_int_equal(f.line.start, at(t, "**Last:** two"));
    assert_int_equal(f.block_end, len);
    assert_int_equal(md_fields_find(t, len, 0, len, &x, "Fake", 4, 0, &f), -1);
    /* a range: the block may end after it */
    assert_int_equal(md_fields_find(t, len, at(t, "## Current"), at(t, "- [ ] a"), &x,
                                    "current phase", 13, 0, &f), 0);
    assert_int_equal(f.block_end, at(t, "**Progress:**"));
    assert_int_equal(md_fields_find(t, len, at(t, "## Current"), at(t, "- [ ] a"), &x,
                                    "Owner", 5, 0, &f), -1);
    /* the one-form reader is unchanged: no bullet fields */
    pos = 0;
    assert_int_equal(md_field_find(t, 0, len, &x, "Owner", 5, NULL, NULL), -1);
    md_index_free(&x);
    (void)pos;
}

/* Without blocks in the index a thematic break is not seen. */
static void field_block_needs_blocks_for_breaks(void **state)
{
    const char *t = "**A:** 1\n\n---\n\n- **B:** 2\n";
    size_t len = strlen(t), pos = 0;
    md_index x = build(t), y = build_all(t);
    md_field f;
    (void)state;
    assert_int_equal(md_fields_next(t, len, len, &x, &pos, &f), 1);
    assert_int_equal(f.block_end, len);
    pos = 0;
    assert_int_equal(md_fields_next(t, len, len, &y, &pos, &f), 1);
    assert_int_equal(f.block_end, at(t, "---"));
    md_index_free(&x);
    md_index_free(&y);
}

static void eol_detection(void **state)
{
    (void)state;
    assert_string_equal(md_eol("a\r\nb\n", 5), "\r\n");
    assert_string_equal(md_eol("a\nb\r\n", 5), "\n");
    assert_string_equal(md_eol("a\rb", 3), "\n");
    assert_string_equal(md_eol("abc", 3), "\n");
    assert_string_equal(md_eol("", 0), "\n");
    assert_string_equal(md_eol("a\r", 2), "\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(atx_sections_have_exact_ranges),
        cmocka_unit_test(heading_inside_fence_is_not_a_section),
        cmocka_unit_test(unclosed_fence_runs_to_end),
        cmocka_unit_test(setext_heading_is_a_section),
        cmocka_unit_test(thematic_break_is_not_setext),
        cmocka_unit_test(setext_after_reference_definitions),
        cmocka_unit_test(heading_in_list_item_is_content),
        cmocka_unit_test(heading_in_blockquote_is_content),
        cmocka_unit_test(lazy_underline_is_not_setext),
        cmocka_unit_test(indented_code_heading_ignored),
        cmocka_unit_test(html_block_heading_ignored),
        cmocka_unit_test(atx_edge_forms),
        cmocka_unit_test(nested_levels_parent_and_end),
        cmocka_unit_test(crlf_offsets_exact),
        cmocka_unit_test(lone_cr_ends_lines),
        cmocka_unit_test(bom_skipped),
        cmocka_unit_test(no_trailing_newline),
        cmocka_unit_test(empty_document),
        cmocka_unit_test(nul_bytes_and_invalid_utf8_safe),
        cmocka_unit_test(reference_template_sections),
        cmocka_unit_test(deep_nesting_is_handled),
        cmocka_unit_test(plain_title_strips_markup),
        cmocka_unit_test(normalize_drops_emoji_punctuation_and_case),
        cmocka_unit_test(title_lookup_prefers_exact_then_case_then_prefix),
        cmocka_unit_test(emoji_title_found_by_prefix),
        cmocka_unit_test(invalid_utf8_safe),
        cmocka_unit_test(field_read_value_span),
        cmocka_unit_test(field_absent),
        cmocka_unit_test(field_next_iterates_in_order),
        cmocka_unit_test(tasks_checked_and_unchecked),
        cmocka_unit_test(eol_detection),
        cmocka_unit_test(fields_skip_code_blocks),
        cmocka_unit_test(tasks_skip_code_blocks),
        cmocka_unit_test(range_starting_inside_code),
        cmocka_unit_test(code_runs_are_whole_lines),
        cmocka_unit_test(edits_keep_other_bytes),
        cmocka_unit_test(set_field_keeps_other_bytes),
        cmocka_unit_test(set_field_skips_code),
        cmocka_unit_test(nested_bullets_are_linear),
        cmocka_unit_test(long_runs_are_linear),
        cmocka_unit_test(items_bullets_numbers_and_task_boxes),
        cmocka_unit_test(items_nest_and_end_after_their_last_line),
        cmocka_unit_test(items_in_quotes_not_in_code),
        cmocka_unit_test(items_crlf_and_bom),
        cmocka_unit_test(item_left_empty_by_a_reference_definition),
        cmocka_unit_test(blocks_of_every_kind),
        cmocka_unit_test(plain_index_has_no_records),
        cmocka_unit_test(records_are_compact),
        cmocka_unit_test(fields_of_both_forms_with_block_ends),
        cmocka_unit_test(fields_found_by_key_either_form),
        cmocka_unit_test(field_block_needs_blocks_for_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
