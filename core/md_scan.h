/*
 * md_scan.h — internals shared by md.c (the block scanner), md_lines.c (its
 * per-line scanners) and md_text.c (titles, fields, tasks). Not a public
 * header: core/md.h is the module's interface.
 */
#ifndef SESSLUA_MD_SCAN_H
#define SESSLUA_MD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { TAB_STOP = 4, CODE_INDENT = 4, MAX_FENCE = 255, MAX_LABEL = 1000 };

/* The line being processed, with cmark's cursor state. The line ending is
 * not part of s[0, len); like cmark (which appends '\n'), peek() reports a
 * '\n' at len. */
typedef struct line {
    const unsigned char *s;
    size_t len;
    size_t start;   /* offset of s in the document */
    size_t next;    /* offset of the next line */
    size_t off;
    size_t col;
    size_t fns;     /* first non-space */
    size_t fns_col;
    size_t indent;
    bool blank;
    bool partial;   /* a tab only partly consumed as columns */
    size_t hr_kill; /* a thematic break scan from before here fails (cmark's
                       thematic_break_kill_pos) */
} line;



static inline bool is_sp_tab(unsigned char c) { return c == ' ' || c == '\t'; }

static inline bool is_eol(unsigned char c) { return c == '\n' || c == '\r'; }

/* cmark_isspace */
static inline bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool is_punct(unsigned char c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) ||
           (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static inline bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static inline unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static inline unsigned char mdl_peek(const line *l, size_t i)
{
    if (i < l->len)
        return l->s[i];
    return i == l->len ? '\n' : 0;
}

/* Grow *p to hold need elements of size bytes; 0, or -1 out of memory. */

static inline int md_grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 8;
    void *q;
    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    if (!(q = realloc(*p, n * size)))
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* md_lines.c: one line at a time, as cmark's scanners see it. */
void mdl_find_fns(line *l);
void mdl_advance(line *l, size_t count, bool columns);
size_t mdl_run_of(const line *l, size_t i, unsigned char c);
size_t mdl_scan_atx(const line *l, size_t i);
size_t mdl_scan_open_fence(const line *l, size_t i);
size_t mdl_scan_close_fence(const line *l, size_t i, unsigned char c);
int mdl_scan_setext(const line *l, size_t i);
bool mdl_scan_hr(line *l, size_t i);
int mdl_html_start(const line *l, size_t i);
bool mdl_html_start_7(const line *l, size_t i);
bool mdl_html_end(int kind, const line *l);
/* A list marker at i: its width, *ch set to the bullet or delimiter; 0 when
 * there is none (or it may not interrupt a paragraph). */
size_t mdl_list_marker(const line *l, size_t i, bool interrupts, unsigned char *ch);
/* Length of the link reference definition at the start of b[0, n), or 0. */
size_t mdl_parse_ref(const unsigned char *b, size_t n);

#endif
