/*
 * fuzz_check.h — invariants of an md_index, shared by the libFuzzer targets
 * in tests/fuzz/. Header-only (static functions): each target is one
 * translation unit built with core/md.c alone (see tests/fuzz/run).
 *
 * A broken invariant prints what broke and aborts, which libFuzzer reports
 * as a crash and saves the input.
 */
#ifndef SESSLUA_FUZZ_CHECK_H
#define SESSLUA_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

#define FUZZ_CHECK(cond, ...)                                              \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "invariant failed at %s:%d: %s\n  ", __FILE__, \
                    __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            abort();                                                       \
        }                                                                  \
    } while (0)

/* Split a splicing target's input: ctl control bytes (the last one the
 * replacement's length), the replacement, then the text. *repl and *text
 * are malloc'd copies (at least one byte each, so never NULL on success),
 * the caller frees both. Returns 0; -1 when the input is shorter than ctl
 * or memory runs out (then nothing is left allocated). */
static inline int fuzz_split(const uint8_t *data, size_t size, size_t ctl, char **text,
                             size_t *len, char **repl, size_t *rlen)
{
    if (size < ctl)
        return -1;
    *rlen = data[ctl - 1];
    if (size < ctl + *rlen)
        *rlen = size - ctl;
    *len = size - ctl - *rlen;
    *repl = malloc(*rlen ? *rlen : 1);
    *text = malloc(*len ? *len : 1);
    if (!*repl || !*text) {
        free(*repl);
        free(*text);
        *repl = *text = NULL;
        return -1;
    }
    memcpy(*repl, data + ctl, *rlen);
    memcpy(*text, data + ctl + *rlen, *len);
    return 0;
}

/* Does a line start at offset pos of text[0, len)? (after the BOM, or after
 * LF, CRLF or a lone CR) */
static inline int fuzz_line_start(const char *t, size_t len, size_t pos)
{
    size_t first = len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (pos == first)
        return 1;
    if (pos == 0 || pos > len)
        return 0;
    if (t[pos - 1] == '\n')
        return 1;
    return t[pos - 1] == '\r' && (pos == len || t[pos] != '\n');
}

/* The code runs: whole lines, in order, never adjacent or overlapping,
 * inside the text, and no section heading inside one. */
static inline void fuzz_check_code(const md_index *x, const char *t, size_t len)
{
    size_t k = 0;
    FUZZ_CHECK(x->code_count <= x->code_capacity, "code count %zu capacity %zu",
               x->code_count, x->code_capacity);
    FUZZ_CHECK(x->code_count == 0 || x->code != NULL, "no code array");
    for (size_t i = 0; i < x->code_count; i++) {
        const md_span *c = &x->code[i];
        FUZZ_CHECK(c->start < c->end && c->end <= len, "code run %zu [%zu, %zu)",
                   i, c->start, c->end);
        FUZZ_CHECK(fuzz_line_start(t, len, c->start),
                   "code run %zu starts at %zu, not a line start", i, c->start);
        FUZZ_CHECK(c->end == len || fuzz_line_start(t, len, c->end),
                   "code run %zu ends at %zu, not a line start", i, c->end);
        FUZZ_CHECK(i == 0 || x->code[i - 1].end < c->start,
                   "code runs %zu and %zu touch or overlap", i - 1, i);
        FUZZ_CHECK(md_in_code(x, c->start) && md_in_code(x, c->end - 1) &&
                       (c->start == 0 || !md_in_code(x, c->start - 1)) &&
                       (c->end == len || !md_in_code(x, c->end)),
                   "md_in_code disagrees with run %zu", i);
    }
    for (size_t i = 0; i < x->count; i++) {
        const md_section *s = &x->sections[i];
        while (k < x->code_count && x->code[k].end <= s->heading_start)
            k++;
        FUZZ_CHECK(k >= x->code_count || x->code[k].start >= s->heading_end,
                   "section %zu [%zu, %zu) overlaps code run [%zu, %zu)", i,
                   s->heading_start, s->heading_end, x->code[k].start,
                   x->code[k].end);
    }
}

/* Every documented property of the index of text[0, len). Line numbers are
 * recounted only for small documents (the count is quadratic-ish). */
static inline void fuzz_check_index(const md_index *x, const char *t, size_t len)
{
    size_t lines = 1, counted = 0;
    fuzz_check_code(x, t, len);
    FUZZ_CHECK(x->count <= x->capacity, "count %zu capacity %zu", x->count,
               x->capacity);
    FUZZ_CHECK(x->count == 0 || x->sections != NULL, "no sections array");
    for (size_t i = 0; i < x->count; i++) {
        const md_section *s = &x->sections[i];
        size_t want_end = len;
        long want_parent = -1;
        FUZZ_CHECK(s->level >= 1 && s->level <= 6, "section %zu level %d", i,
                   s->level);
        FUZZ_CHECK(s->heading_start < s->heading_end &&
                       s->heading_end <= s->body_end && s->body_end <= s->end &&
                       s->end <= len,
                   "section %zu: start %zu heading_end %zu body_end %zu end "
                   "%zu len %zu",
                   i, s->heading_start, s->heading_end, s->body_end, s->end, len);
        FUZZ_CHECK(s->body_end ==
                       (i + 1 < x->count ? x->sections[i + 1].heading_start : len),
                   "section %zu: body_end %zu", i, s->body_end);
        if (i > 0)
            FUZZ_CHECK(x->sections[i - 1].heading_start < s->heading_start,
                       "section %zu out of order", i);
        FUZZ_CHECK(fuzz_line_start(t, len, s->heading_start),
                   "section %zu: heading_start %zu not at a line start", i,
                   s->heading_start);
        FUZZ_CHECK(s->heading_end == len ||
                       fuzz_line_start(t, len, s->heading_end),
                   "section %zu: heading_end %zu not at a line start", i,
                   s->heading_end);
        FUZZ_CHECK(s->title_start >= s->heading_start &&
                       s->title_len <= s->heading_end - s->title_start,
                   "section %zu: title [%zu, +%zu) outside heading [%zu, %zu)",
                   i, s->title_start, s->title_len, s->heading_start,
                   s->heading_end);
        /* end: the next section of level <= this one, else len */
        for (size_t j = i + 1; j < x->count; j++)
            if (x->sections[j].level <= s->level) {
                want_end = x->sections[j].heading_start;
                break;
            }
        FUZZ_CHECK(s->end == want_end, "section %zu: end %zu, want %zu", i,
                   s->end, want_end);
        /* parent: nearest earlier section of a lower level */
        for (size_t j = i; j-- > 0;)
            if (x->sections[j].level < s->level) {
                want_parent = (long)j;
                break;
            }
        FUZZ_CHECK(s->parent == want_parent, "section %zu: parent %d, want %ld",
                   i, s->parent, want_parent);
        if (s->parent >= 0) {
            const md_section *p = &x->sections[s->parent];
            FUZZ_CHECK(p->heading_start < s->heading_start && s->end <= p->end,
                       "section %zu not nested in its parent %d", i, s->parent);
        }
        if (len <= 4096) {
            /* incremental line count from the previous heading */
            for (; counted < s->heading_start; counted++)
                if (t[counted] == '\n' ||
                    (t[counted] == '\r' &&
                     (counted + 1 >= s->heading_start || t[counted + 1] != '\n')))
                    lines++;
            FUZZ_CHECK(s->line == lines, "section %zu: line %zu, want %zu", i,
                       s->line, lines);
        }
    }
}

/* 1-based line of byte pos, counted from the text's start (small texts). */
static inline size_t fuzz_line_of(const char *t, size_t len, size_t pos)
{
    size_t n = 1;
    for (size_t j = 0; j < pos && j < len; j++)
        n += t[j] == '\n' || (t[j] == '\r' && (j + 1 >= len || t[j + 1] != '\n'));
    return n;
}

/* An item may start on a line of code only when code opens on it, after
 * its marker: a fence, an HTML block, indented code (or a quote or list
 * item holding one). */
static inline int fuzz_code_may_open(const char *t, size_t start, size_t end)
{
    for (size_t j = start; j < end && t[j] != '\n' && t[j] != '\r'; j++)
        if (t[j] == '`' || t[j] == '~' || t[j] == '<' || t[j] == '\t' ||
            (j + 4 <= end && memcmp(t + j, "    ", 4) == 0))
            return 1;
    return 0;
}

/* The list items and document-level blocks of md_index_build_opts
 * (MD_INDEX_ALL): in document order, whole lines inside the text, items
 * nested in their parents and in a block, blocks never overlapping,
 * headings exactly the sections, and nothing read from code that did not
 * open on its own line. */
static inline void fuzz_check_records(const md_index *x, const char *t, size_t len)
{
    size_t k = 0;
    FUZZ_CHECK(x->item_count <= x->item_capacity &&
                   x->block_count <= x->block_capacity,
               "records count past capacity");
    for (size_t i = 0; i < x->block_count; i++) {
        const md_block *b = &x->blocks[i];
        FUZZ_CHECK(b->start < b->end && b->end <= len && b->kind <= MD_BLOCK_BREAK,
                   "block %zu [%u, %u) kind %d len %zu", i, b->start, b->end,
                   b->kind, len);
        FUZZ_CHECK(fuzz_line_start(t, len, b->start) &&
                       (b->end == len || fuzz_line_start(t, len, b->end)),
                   "block %zu [%u, %u) not whole lines", i, b->start, b->end);
        FUZZ_CHECK(i == 0 || x->blocks[i - 1].end <= b->start,
                   "blocks %zu and %zu overlap", i - 1, i);
        if (b->kind == MD_BLOCK_HEADING) {
            FUZZ_CHECK(k < x->count && x->sections[k].heading_start == b->start &&
                           x->sections[k].heading_end == b->end,
                       "heading block %zu [%u, %u) is not section %zu", i,
                       b->start, b->end, k);
            k++;
        }
        if (b->kind == MD_BLOCK_CODE || b->kind == MD_BLOCK_HTML)
            FUZZ_CHECK(md_in_code(x, b->start), "code block %zu not in code", i);
        if (b->kind == MD_BLOCK_PARAGRAPH || b->kind == MD_BLOCK_HEADING ||
            b->kind == MD_BLOCK_BREAK)
            FUZZ_CHECK(!md_in_code(x, b->start), "block %zu (kind %d) starts in code",
                       i, b->kind);
        if (len <= 4096)
            FUZZ_CHECK(b->line == fuzz_line_of(t, len, b->start),
                       "block %zu: line %u", i, b->line);
    }
    FUZZ_CHECK(x->block_count == 0 || k == x->count,
               "%zu heading blocks, %zu sections", k, x->count);
    k = 0; /* the block holding the current item */
    for (size_t i = 0; i < x->item_count; i++) {
        const md_item *it = &x->items[i];
        FUZZ_CHECK(it->start < it->end && it->end <= len &&
                       fuzz_line_start(t, len, it->start) &&
                       (it->end == len || fuzz_line_start(t, len, it->end)),
                   "item %zu [%u, %u) len %zu", i, it->start, it->end, len);
        FUZZ_CHECK(it->start <= it->text_start && it->text_start <= it->text_end &&
                       it->text_end <= it->end,
                   "item %zu text [%u, %u) outside [%u, %u)", i, it->text_start,
                   it->text_end, it->start, it->end);
        FUZZ_CHECK(i == 0 || x->items[i - 1].start <= it->start, "item %zu out of order", i);
        FUZZ_CHECK(strchr("-*+.)", it->marker) && it->marker != 0 &&
                       it->task >= -1 && it->task <= 1 && it->number <= 999999999 &&
                       (it->marker == '.' || it->marker == ')' || it->number == 0),
                   "item %zu: marker %d number %u task %d", i, it->marker,
                   it->number, it->task);
        if (it->parent >= 0) {
            const md_item *p = &x->items[it->parent];
            FUZZ_CHECK((size_t)it->parent < i && p->start <= it->start &&
                           it->end <= p->end && it->depth == p->depth + 1,
                       "item %zu not nested in its parent %d", i, it->parent);
        } else {
            FUZZ_CHECK(it->depth == 0, "item %zu: no parent, depth %u", i, it->depth);
        }
        while (k < x->block_count && x->blocks[k].end <= it->start)
            k++;
        FUZZ_CHECK(x->block_count == 0 ||
                       (k < x->block_count && x->blocks[k].start <= it->start &&
                        it->end <= x->blocks[k].end &&
                        (x->blocks[k].kind == MD_BLOCK_LIST ||
                         x->blocks[k].kind == MD_BLOCK_QUOTE)),
                   "item %zu [%u, %u) not inside a list or quote block", i,
                   it->start, it->end);
        /* (once per line: nested items on one line share it) */
        FUZZ_CHECK((i > 0 && x->items[i - 1].start == it->start) ||
                       !md_in_code(x, it->start) ||
                       fuzz_code_may_open(t, it->start, it->end),
                   "item %zu at %u starts in code", i, it->start);
        if (len <= 4096)
            FUZZ_CHECK(it->line == fuzz_line_of(t, len, it->start),
                       "item %zu: line %u", i, it->line);
    }
}

#endif
