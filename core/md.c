/*
 * md.c — Markdown section index over the original bytes (see md.h).
 *
 * The block scanner mirrors libcmark's block phase (blocks.c: check open
 * blocks, open new blocks, add the line's text) closely enough to agree on
 * every document-level heading, but keeps only what decides structure: a
 * stack of open blocks with their widths, and a paragraph's text only while
 * it may still turn out to be nothing but link reference definitions. No
 * inline parsing, no node allocation: one pass, one small stack.
 *
 * Names and order of the steps follow cmark's so the two can be compared
 * line by line; tests/unit/test_md_diff.c keeps them in agreement. The
 * per-line scanners are in md_lines.c; titles, fields and tasks in
 * md_text.c.
 */
#include "md.h"
#include "md_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NOMEM SIZE_MAX /* an index returned when memory runs out */

enum block_type {
    B_DOC, B_QUOTE, B_LIST, B_ITEM, B_FENCE, B_ICODE, B_HTML, B_PARA, B_HEAD,
    B_HR
};

/* One open block. Lists and items keep cmark's marker_offset/padding; a
 * list's `ch` is its bullet or its delimiter, which is all lists_match()
 * compares (the two sets never overlap). */
typedef struct block {
    unsigned char type;
    unsigned char ch;        /* fence char; list bullet or delimiter */
    unsigned char kind;      /* HTML block start condition, 1-7 */
    unsigned char has_child; /* cmark's first_child != NULL */
    size_t w1;               /* fence length; list marker offset */
    size_t w2;               /* fence indent; list padding */
} block;

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
    bool refs;       /* begins with '[': may be only reference definitions */
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
} scanner;

/* ---- the open paragraph ---------------------------------------------- */

/* Append s[from, len) of l (after `spaces` blanks for a split tab). */
static int para_text(para *p, const line *l, size_t from, size_t spaces)
{
    size_t n = l->len > from ? l->len - from : 0;
    if (md_grow((void **)&p->map, &p->mcap, p->nmap + 1, sizeof *p->map) ||
        md_grow((void **)&p->buf, &p->bcap, p->blen + spaces + n + 1, 1))
        return -1;
    p->map[p->nmap].boff = p->blen;
    p->map[p->nmap++].orig = l->start + from;
    memset(p->buf + p->blen, ' ', spaces);
    memcpy(p->buf + p->blen + spaces, l->s + from, n);
    p->blen += spaces + n;
    p->buf[p->blen++] = '\n';
    return 0;
}

static int para_begin(para *p, const line *l)
{
    p->start = l->start;
    p->title = l->start + l->fns;
    p->last_end = l->start + l->len;
    p->blen = p->nmap = 0;
    p->refs = mdl_peek(l, l->fns) == '[';
    return p->refs ? para_text(p, l, l->fns, 0) : 0;
}

static int para_add(para *p, const line *l, bool lazy)
{
    size_t from = lazy ? l->off : l->fns, spaces = 0;
    p->last_end = l->start + l->len;
    if (!p->refs)
        return 0;
    if (lazy && l->partial) {
        spaces = TAB_STOP - l->col % TAB_STOP;
        from++;
    }
    return para_text(p, l, from, spaces);
}

/* cmark's resolve_reference_link_definitions: drop leading definitions;
 * true when text remains. */
static bool para_has_content(para *p)
{
    size_t used = 0, k, ln = 0;
    if (!p->refs)
        return true;
    while (used < p->blen && p->buf[used] == '[') {
        k = mdl_parse_ref(p->buf + used, p->blen - used);
        if (k == 0)
            break;
        used += k;
    }
    if (used == 0)
        return true;
    while (ln < p->nmap && p->map[ln].boff < used)
        ln++;
    p->blen -= used;
    memmove(p->buf, p->buf + used, p->blen);
    p->nmap -= ln;
    memmove(p->map, p->map + ln, p->nmap * sizeof *p->map);
    for (k = 0; k < p->nmap; k++)
        p->map[k].boff -= used;
    p->refs = p->blen > 0 && p->buf[0] == '[';
    if (p->nmap == 0) {
        p->title = SIZE_MAX; /* the next line added starts the text */
        return false;
    }
    p->title = p->map[0].orig;
    return true;
}

/* ---- sections --------------------------------------------------------- */

static md_section *new_section(scanner *sc, int level, size_t start,
                               size_t lineno)
{
    md_index *x = sc->idx;
    md_section *s;
    if (md_grow((void **)&x->sections, &x->capacity, x->count + 1, sizeof *s))
        return NULL;
    s = &x->sections[x->count++];
    memset(s, 0, sizeof *s);
    s->level = level;
    s->line = lineno;
    s->heading_start = start;
    return s;
}

static void set_title(const scanner *sc, md_section *s, size_t a, size_t b)
{
    while (b > a && is_sp_tab(sc->text[b - 1]))
        b--;
    s->title_start = a;
    s->title_len = b > a ? b - a : 0;
}

static int add_atx(scanner *sc, const line *l)
{
    size_t h = mdl_run_of(l, l->fns, '#'), a = l->fns + h, b = l->len, n;
    md_section *s = new_section(sc, (int)h, l->start, sc->lineno);
    if (!s)
        return -1;
    s->heading_end = l->next;
    while (a < b && is_sp_tab(l->s[a]))
        a++;
    while (b > a && is_sp_tab(l->s[b - 1]))
        b--;
    for (n = b; n > a && l->s[n - 1] == '#'; n--)
        ;
    if (n < b && (n == a || is_sp_tab(l->s[n - 1])))
        b = n; /* a closing sequence */
    set_title(sc, s, l->start + a, l->start + b);
    return 0;
}

static int add_setext(scanner *sc, const line *l, int level)
{
    const para *p = &sc->p;
    md_section *s = new_section(sc, level, p->start, p->lineno);
    if (!s)
        return -1;
    s->heading_end = l->next;
    set_title(sc, s, p->title, p->last_end);
    return 0;
}

/* ---- the block stack -------------------------------------------------- */

static bool can_contain(int parent, int child)
{
    if (parent == B_DOC || parent == B_QUOTE || parent == B_ITEM)
        return child != B_ITEM;
    return parent == B_LIST && child == B_ITEM;
}

static bool accepts_lines(int t)
{
    return t == B_PARA || t == B_HEAD || t == B_FENCE || t == B_ICODE ||
           t == B_HTML;
}

/* Can open block b fail to continue on a line that has been used up and
 * is blank from the cursor on? Every other block (a list, an item with
 * content, code, a fence, an HTML block of kinds 1-5, a thematic break)
 * continues on such a line without moving the cursor: match_block
 * returns true and changes nothing. */
static bool blank_fails(const block *b)
{
    switch (b->type) {
    case B_LIST: case B_ICODE: case B_FENCE: case B_HR: return false;
    case B_ITEM: return !b->has_child;
    case B_HTML: return b->kind > 5;
    default: return true;
    }
}

/* Drop entries of popped blocks (those at or above depth). */
static void fail_trim(scanner *sc, size_t depth)
{
    while (sc->nfail > 0 && sc->fail[sc->nfail - 1] >= depth)
        sc->nfail--;
}

/* The first open block from i on that may fail on a used-up blank line,
 * or depth when none. Updating the list costs the blocks pushed since it
 * was last updated, so all calls together are linear in the text. Out of
 * memory, returns i: no jump, the blocks are matched one by one. */
static size_t blank_skip(scanner *sc, size_t i)
{
    size_t lo = 0, hi;
    if (sc->dirty < sc->depth) {
        size_t from = sc->dirty > 1 ? sc->dirty : 1;
        fail_trim(sc, from);
        if (md_grow((void **)&sc->fail, &sc->fcap, sc->nfail + sc->depth - from,
                    sizeof *sc->fail))
            return i;
        for (size_t j = from; j < sc->depth; j++)
            if (blank_fails(&sc->stack[j]))
                sc->fail[sc->nfail++] = j;
    }
    sc->dirty = SIZE_MAX;
    fail_trim(sc, sc->depth);
    hi = sc->nfail;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sc->fail[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sc->nfail ? sc->fail[lo] : sc->depth;
}

/* cmark's add_child: close blocks that cannot hold the new one, push it.
 * Returns the new block's index, or NOMEM. */
static size_t add_child(scanner *sc, size_t parent, int type)
{
    block *b;
    while (!can_contain(sc->stack[parent].type, type))
        parent--;
    if (md_grow((void **)&sc->stack, &sc->cap, parent + 2, sizeof *b))
        return NOMEM;
    if (parent < sc->dirty)
        sc->dirty = parent; /* its has_child, and all above it */
    sc->stack[parent].has_child = 1;
    sc->depth = parent + 2;
    b = &sc->stack[parent + 1];
    memset(b, 0, sizeof *b);
    b->type = (unsigned char)type;
    return parent + 1;
}

/* ---- one line: check open blocks, open new ones, add the text --------- */

/* Does open block b continue on this line? Sets *closed when the line is
 * a closing fence (the line is then used up). */
static bool match_block(scanner *sc, size_t i, line *l, bool *closed)
{
    block *b = &sc->stack[i];
    mdl_find_fns(l);
    switch (b->type) {
    case B_QUOTE:
        if (l->indent > 3 || mdl_peek(l, l->fns) != '>')
            return false;
        mdl_advance(l, l->indent + 1, true);
        if (is_sp_tab(mdl_peek(l, l->off)))
            mdl_advance(l, 1, true);
        return true;
    case B_ITEM:
        if (l->indent >= b->w1 + b->w2)
            mdl_advance(l, b->w1 + b->w2, true);
        else if (l->blank && b->has_child)
            mdl_advance(l, l->fns - l->off, false);
        else
            return false;
        return true;
    case B_ICODE:
        if (l->indent >= CODE_INDENT)
            mdl_advance(l, CODE_INDENT, true);
        else if (l->blank)
            mdl_advance(l, l->fns - l->off, false);
        else
            return false;
        return true;
    case B_FENCE:
        if (l->indent <= 3 && mdl_peek(l, l->fns) == b->ch &&
            mdl_scan_close_fence(l, l->fns, b->ch) >= b->w1) {
            *closed = true;
            sc->depth = i;
            return true;
        }
        for (size_t k = b->w2; k > 0 && is_sp_tab(mdl_peek(l, l->off)); k--)
            mdl_advance(l, 1, true);
        return true;
    case B_HEAD:
        return false;
    case B_HTML:
        return b->kind <= 5 || !l->blank;
    case B_PARA:
        return !l->blank;
    default:
        return true;
    }
}

/* The list item branch of open_new_blocks. */
static size_t open_item(scanner *sc, size_t c, line *l, size_t m,
                        unsigned char ch)
{
    size_t so, scol, i, pad, marker_offset = l->indent;
    bool sp;
    mdl_advance(l, l->fns + m - l->off, false);
    sp = l->partial;
    so = l->off;
    scol = l->col;
    while (l->col - scol <= 5 && is_sp_tab(mdl_peek(l, l->off)))
        mdl_advance(l, 1, true);
    i = l->col - scol;
    if (i >= 5 || i < 1 || is_eol(mdl_peek(l, l->off))) {
        pad = m + 1;
        l->off = so;
        l->col = scol;
        l->partial = sp;
        if (i > 0)
            mdl_advance(l, 1, true);
    } else {
        pad = m + i;
    }
    if (sc->stack[c].type != B_LIST || sc->stack[c].ch != ch) {
        if ((c = add_child(sc, c, B_LIST)) == NOMEM)
            return NOMEM;
        sc->stack[c].ch = ch;
    }
    if ((c = add_child(sc, c, B_ITEM)) == NOMEM)
        return NOMEM;
    sc->stack[c].ch = ch;
    sc->stack[c].w1 = marker_offset;
    sc->stack[c].w2 = pad;
    return c;
}

static size_t open_fence(scanner *sc, size_t c, line *l, size_t m)
{
    size_t indent = l->fns - l->off;
    if ((c = add_child(sc, c, B_FENCE)) == NOMEM)
        return NOMEM;
    sc->stack[c].ch = mdl_peek(l, l->fns);
    sc->stack[c].w1 = m > MAX_FENCE ? MAX_FENCE : m; /* cmark keeps a byte */
    sc->stack[c].w2 = indent;
    mdl_advance(l, l->fns + m - l->off, false);
    return c;
}

/* One step of open_new_blocks for a line that is not indented code.
 * Returns the new container, c when the line is to be added to it, or
 * NOMEM; *done when no further block can open. */
static size_t open_one(scanner *sc, size_t c, line *l, bool all_matched,
                       bool maybe_lazy, bool *done)
{
    int cont = sc->stack[c].type, lev;
    unsigned char ch = mdl_peek(l, l->fns);
    size_t m;
    if (ch == '>') {
        mdl_advance(l, l->fns + 1 - l->off, false);
        if (is_sp_tab(mdl_peek(l, l->off)))
            mdl_advance(l, 1, true);
        return add_child(sc, c, B_QUOTE);
    }
    if ((m = mdl_scan_atx(l, l->fns)) != 0) {
        mdl_advance(l, l->fns + m - l->off, false);
        if ((c = add_child(sc, c, B_HEAD)) == 1 && add_atx(sc, l) < 0)
            return NOMEM;
        return c;
    }
    if ((m = mdl_scan_open_fence(l, l->fns)) != 0)
        return open_fence(sc, c, l, m);
    if (ch == '<') {
        int kind = mdl_html_start(l, l->fns);
        if (!kind && cont != B_PARA && !maybe_lazy && mdl_html_start_7(l, l->fns))
            kind = 7;
        if (kind) {
            if ((c = add_child(sc, c, B_HTML)) != NOMEM)
                sc->stack[c].kind = (unsigned char)kind;
            return c;
        }
    }
    if (cont == B_PARA && (lev = mdl_scan_setext(l, l->fns)) != 0) {
        *done = true;
        if (para_has_content(&sc->p)) {
            sc->stack[c].type = B_HEAD;
            if (c == 1 && add_setext(sc, l, lev) < 0)
                return NOMEM;
            mdl_advance(l, l->len - l->off, false);
        }
        return c;
    }
    if (!(cont == B_PARA && !all_matched) && mdl_scan_hr(l, l->fns)) {
        mdl_advance(l, l->len - l->off, false);
        return add_child(sc, c, B_HR);
    }
    if ((m = mdl_list_marker(l, l->fns, cont == B_PARA, &ch)) != 0)
        return open_item(sc, c, l, m, ch);
    *done = true;
    return c;
}

/* cmark's open_new_blocks. Returns the container, or NOMEM. */
static size_t open_new_blocks(scanner *sc, size_t c, line *l,
                              bool all_matched, bool *opened)
{
    bool maybe_lazy = sc->stack[sc->depth - 1].type == B_PARA, done = false;
    int cont = sc->stack[c].type;
    while (cont != B_FENCE && cont != B_ICODE && cont != B_HTML) {
        size_t nc;
        mdl_find_fns(l);
        if (l->indent >= CODE_INDENT) {
            if (maybe_lazy || l->blank)
                break;
            mdl_advance(l, CODE_INDENT, true);
            nc = add_child(sc, c, B_ICODE);
        } else {
            nc = open_one(sc, c, l, all_matched, maybe_lazy, &done);
        }
        if (nc == NOMEM)
            return NOMEM;
        if (done)
            break;
        *opened = true; /* every step that is not `done` pushed a block */
        c = nc;
        if (accepts_lines(sc->stack[c].type))
            break;
        cont = sc->stack[c].type;
        maybe_lazy = false;
    }
    return c;
}

/* What a line was, for md_index's code runs. */
enum { LINE_TEXT = 0, LINE_CODE = 1 };

/* cmark's add_text_to_container. Returns LINE_CODE when the line is
 * content of code or an HTML block, LINE_TEXT otherwise, -1 out of
 * memory. */
static int add_text(scanner *sc, size_t c, size_t last, line *l, bool opened)
{
    size_t top = sc->depth - 1;
    int t;
    mdl_find_fns(l);
    if (top != last && !opened && !l->blank && sc->stack[top].type == B_PARA)
        return para_add(&sc->p, l, true); /* lazy continuation */
    sc->depth = c + 1;
    t = sc->stack[c].type;
    if (t == B_HTML) {
        if (mdl_html_end(sc->stack[c].kind, l))
            sc->depth = c;
        return LINE_CODE;
    } else if (t == B_FENCE || t == B_ICODE) {
        return LINE_CODE;
    } else if (t == B_HEAD || l->blank) {
        /* the text is content; nothing structural to learn */
    } else if (t == B_PARA) {
        if (sc->p.title == SIZE_MAX)
            sc->p.title = l->start + l->fns;
        return para_add(&sc->p, l, false);
    } else {
        if (add_child(sc, c, B_PARA) == NOMEM)
            return -1;
        sc->p.lineno = sc->lineno;
        return para_begin(&sc->p, l);
    }
    return LINE_TEXT;
}

/* One line through cmark's three steps: LINE_TEXT, LINE_CODE, or -1. */
static int process_line(scanner *sc, line *l)
{
    size_t i = 1, c;
    bool closed = false, opened = false, skipped = false;
    while (i < sc->depth) {
        if (!skipped && l->off >= l->len) {
            /* used up: only the blocks in sc->fail can stop the match */
            skipped = true;
            if ((i = blank_skip(sc, i)) >= sc->depth)
                break;
        }
        if (!match_block(sc, i, l, &closed))
            break;
        if (closed)
            return LINE_CODE; /* a closing fence */
        i++;
    }
    c = open_new_blocks(sc, i - 1, l, i == sc->depth, &opened);
    if (c == NOMEM)
        return -1;
    return add_text(sc, c, i - 1, l, opened);
}

/* ---- the index -------------------------------------------------------- */

/* Add line l to the code runs: extends the last run when l follows it. */
static int add_code_line(md_index *x, const line *l)
{
    if (x->code_count > 0 && x->code[x->code_count - 1].end == l->start) {
        x->code[x->code_count - 1].end = l->next;
        return 0;
    }
    if (md_grow((void **)&x->code, &x->code_capacity, x->code_count + 1,
                sizeof *x->code))
        return -1;
    x->code[x->code_count++] = (md_span){l->start, l->next};
    return 0;
}

/* Line ending search: memchr for '\n', and for '\r' only when the text has
 * one at all. */
static void next_line(const scanner *sc, size_t pos, bool has_cr, line *l)
{
    const unsigned char *s = sc->text + pos;
    size_t rest = sc->len - pos;
    const unsigned char *nl = memchr(s, '\n', rest);
    size_t end = nl ? (size_t)(nl - s) : rest;
    const unsigned char *cr = has_cr ? memchr(s, '\r', end) : NULL;
    memset(l, 0, sizeof *l);
    l->s = s;
    l->start = pos;
    if (cr) {
        l->len = (size_t)(cr - s);
        l->next = pos + l->len + 1 + (l->len + 1 < rest && cr[1] == '\n');
    } else {
        l->len = end;
        l->next = pos + end + (nl != NULL);
    }
}

/* body_end, end and parent from the levels: walking the parent chain of
 * the previous section closes every section the new one ends. */
static void link_sections(md_index *x, size_t len)
{
    for (size_t i = 0; i < x->count; i++) {
        md_section *s = &x->sections[i];
        long top = (long)i - 1;
        while (top >= 0 && x->sections[top].level >= s->level) {
            x->sections[top].end = s->heading_start;
            top = x->sections[top].parent;
        }
        s->parent = (int)top;
        s->body_end = i + 1 < x->count ? x->sections[i + 1].heading_start : len;
        s->end = len;
    }
}

int md_index_build(const char *text, size_t len, md_index *index)
{
    scanner sc;
    size_t pos = 0;
    bool has_cr;
    int rc = -1;
    memset(&sc, 0, sizeof sc);
    memset(index, 0, sizeof *index);
    sc.text = (const unsigned char *)text;
    sc.len = len;
    sc.idx = index;
    if (md_grow((void **)&sc.stack, &sc.cap, 16, sizeof *sc.stack))
        goto done;
    sc.depth = 1;
    sc.stack[0].type = B_DOC;
    sc.dirty = SIZE_MAX;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    has_cr = len > 0 && memchr(text, '\r', len) != NULL;
    while (pos < len) {
        line l;
        int kind;
        next_line(&sc, pos, has_cr, &l);
        sc.lineno++;
        if ((kind = process_line(&sc, &l)) < 0 ||
            (kind == LINE_CODE && add_code_line(index, &l) < 0))
            goto done;
        pos = l.next;
    }
    link_sections(index, len);
    rc = 0;
done:
    free(sc.stack);
    free(sc.fail);
    free(sc.p.buf);
    free(sc.p.map);
    if (rc < 0)
        md_index_free(index);
    return rc;
}

void md_index_free(md_index *index)
{
    free(index->sections);
    free(index->code);
    memset(index, 0, sizeof *index);
}
