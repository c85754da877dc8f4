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

/* ---- linear time on pathological lines ------------------------------------ */

/* A quadratic scanner takes minutes on these inputs: past LIMIT seconds
 * SIGALRM ends the test binary (a failure) instead of letting it hang. */
enum { LIMIT = 60 };

/* CPU seconds md_index_build takes on text[0, n); the index must hold
 * want_sections sections. */
static double build_seconds(const char *t, size_t n, size_t want_sections)
{
    md_index x = {0};
    clock_t c0 = clock();
    assert_int_equal(md_index_build(t, n, &x), 0);
    double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    assert_int_equal(x.count, want_sections);
    md_index_free(&x);
    return s;
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
        cmocka_unit_test(nested_bullets_are_linear),
        cmocka_unit_test(long_runs_are_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
