/*
 * md_scan.h — internals shared by md.c (the block scanner), md_lines.c (its
 * per-line scanners), md_index.c (what the scanner records), md_title.c
 * and md_text.c (titles; fields, tasks). Not a public header: core/md.h is
 * the module's interface.
 */
#ifndef SESSLUA_MD_SCAN_H
#define SESSLUA_MD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { TAB_STOP = 4, CODE_INDENT = 4, MAX_FENCE = 255, MAX_LABEL = 1000 };

/* The block scanner's speed depends on the compiler's inlining: its
 * per-line steps belong in one loop (MD_INLINE), the record keeping the
 * plain section index never does out of it (MD_NOINLINE). */
#if defined(__GNUC__)
#define MD_INLINE inline __attribute__((always_inline))
#define MD_NOINLINE __attribute__((noinline))
#else
#define MD_INLINE inline
#define MD_NOINLINE
#endif

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

static inline bool equal_icase(const char *a, size_t alen, const char *b,
                               size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
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

/* ---- the block scanner's state (md.c) --------------------------------- */

#include "md.h"

enum block_type {
    B_DOC, B_QUOTE, B_LIST, B_ITEM, B_FENCE, B_ICODE, B_HTML, B_PARA, B_HEAD,
    B_HR
};

#define NO_REC UINT32_MAX /* a block with no record in md_index */

/* One open block. Lists and items keep cmark's marker_offset/padding; a
 * list's `ch` is its bullet or its delimiter, which is all lists_match()
 * compares (the two sets never overlap). */
typedef struct block {
    unsigned char type;
    unsigned char ch;        /* fence char; list bullet or delimiter */
    unsigned char kind;      /* HTML block start condition, 1-7 */
    unsigned char has_child; /* cmark's first_child != NULL */
    uint16_t w1;             /* fence length (<= MAX_FENCE); list marker
                                offset (< CODE_INDENT) */
    uint16_t w2;             /* fence indent (< CODE_INDENT); list padding
                                (<= 9 digits + delimiter + 4) */
    uint32_t rec;            /* its md_item (an item) or md_block (in slot
                                1), or NO_REC */
    uint32_t up;             /* the md_item of the nearest item below it
                                in the stack, or NO_REC */
} block;

/* After a line: the line ending at `end` was non-blank for the blocks in
 * the stack slots below `from` (see blank in md.h). See last_nonblank. */
typedef struct nb_line {
    size_t from;
    size_t end;
} nb_line;

/* Start of one paragraph line inside para.buf, and where it is in the text. */
typedef struct refline {
    size_t boff;
    size_t orig;
} refline;

/* The one open paragraph (a leaf, so there is at most one). */
typedef struct para {
    size_t start;    /* offset of its first line */
    size_t lineno;
    size_t title;    /* offset of its first content byte after refs */
    size_t last_end; /* end of its last line's content */
    bool refs;       /* may still be nothing but reference definitions */
    unsigned char *buf;
    size_t blen, bcap;
    refline *map;
    size_t nmap, mcap;
} para;

typedef struct scanner {
    const unsigned char *text;
    size_t len;
    block *stack;
    size_t depth, cap;
    /* Indices of the open blocks that may fail to continue on a used-up
     * blank line (see blank_fails), ascending, exact for the blocks below
     * `dirty`: a push lowers `dirty` to its parent, and the list is brought
     * up to date from there only when a blank line needs it. A blank line
     * then jumps over the items and lists between the entries instead of
     * matching each: deep lists followed by blank lines would otherwise
     * cost depth x lines. Entries of popped blocks are dropped lazily. */
    size_t *fail;
    size_t nfail, fcap;
    size_t dirty;
    para p;
    md_index *idx;
    size_t lineno;
    unsigned options;  /* MD_INDEX_ITEMS, MD_INDEX_BLOCKS */
    bool shortcuts;    /* not MD_INDEX_NO_SHORTCUTS */
    bool strong;       /* MD_INDEX_STRONG */
    const line *cur;   /* the line being processed */
    size_t blank_from; /* the first slot it is blank for (SIZE_MAX: none) */
    nb_line *nb;       /* live entries are nb[nb_lo, nb_n) */
    size_t nb_lo, nb_n, nb_cap;
} scanner;

/* md_index.c: what the scanner records. Each returns 0, or -1 when memory
 * runs out. */
int mdx_add_atx(scanner *sc, const line *l);
int mdx_add_setext(scanner *sc, const line *l, int level);
int mdx_add_code(md_index *x, size_t start, size_t next); /* a code line */
int mdx_add_strong(md_index *x, size_t start, size_t end); /* a line that begins `**` */
void mdx_link_sections(md_index *x, size_t len);
/* Copy work's arrays into one allocation: *out (zeroed first) then owns
 * it (out->pack), work keeps its own. 0, or -1 out of memory. */
int mdx_pack(const md_index *work, md_index *out);
/* Records (with MD_INDEX_ITEMS / MD_INDEX_BLOCKS only): a document-level
 * block's (b is in slot 1); an item's (just pushed in slot c, its marker of
 * m bytes, bullet or delimiter ch, at at on line l); line l was processed
 * (see nb_line); the block in slot s closes, ending at end or, when end is
 * SIZE_MAX, after its last non-blank line; the arrays are done. */
int mdx_add_block(scanner *sc, block *b);
int mdx_add_item(scanner *sc, size_t c, const line *l, size_t at, size_t m,
                 unsigned char ch);
int mdx_nb_push(scanner *sc, const line *l);
void mdx_close_slot(scanner *sc, size_t s, size_t end);
void mdx_shrink_records(md_index *x);

/* md_title.c: md_plain_title by cmark's inline parse always (it takes a
 * shortcut for titles the parse would give back as they are); for tests. */
char *mdt_plain_title_parsed(const char *raw, size_t len, size_t *out_len);

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
/* Can a link reference definition start at byte i (a `[`) of the line
 * s[0, n)? false when its label ends on this line without a `:` after it,
 * or cannot be a label: a paragraph starting so has text, and its lines
 * need no copy. */
bool mdl_ref_possible(const unsigned char *s, size_t n, size_t i);

/* The same, answering a task's box (`[x] `, `[ ] `: a one-byte label and
 * no `:`) without the call: a third of a log's lines start with one. */
static inline bool mdl_ref_possible_at(const unsigned char *s, size_t n, size_t i)
{
    if (i + 3 < n && s[i + 2] == ']' && s[i + 3] != ':' && s[i + 1] != '[' &&
        s[i + 1] != ']' && s[i + 1] != '\\')
        return false;
    return mdl_ref_possible(s, n, i);
}
/* Length of the link reference definition at the start of b[0, n), or 0. */
size_t mdl_parse_ref(const unsigned char *b, size_t n);

#endif
