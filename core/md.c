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
 * per-line scanners are in md_lines.c; what is recorded (sections, code
 * runs, items, blocks) in md_index.c; titles, fields and tasks in
 * md_text.c.
 */
#include "md.h"
#include "md_scan.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define NOMEM SIZE_MAX /* an index returned when memory runs out */

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

static MD_INLINE int para_begin(para *p, const line *l)
{
    p->start = l->start;
    p->title = l->start + l->fns;
    p->last_end = l->start + l->len;
    p->blen = p->nmap = 0;
    p->refs = mdl_peek(l, l->fns) == '[' && mdl_ref_possible_at(l->s, l->len, l->fns);
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

/* cmark drops a paragraph holding nothing but link reference definitions
 * when it closes; if it was its parent's first child (its `kind`), the
 * parent has no child again, and an item with none ends at a blank line.
 * The paragraph in slot s is closing: is it gone? */
static bool para_vanishes(scanner *sc, size_t s)
{
    bool gone = !para_has_content(&sc->p);
    sc->p.refs = false; /* asked once */
    if (gone && sc->stack[s].kind) {
        sc->stack[s - 1].has_child = 0;
        if (s - 1 < sc->dirty)
            sc->dirty = s - 1; /* blank_fails changed */
    }
    return gone;
}

static MD_NOINLINE void close_slots(scanner *sc, size_t d, bool line_belongs)
{
    while (sc->depth > d) {
        size_t s = --sc->depth;
        const block *b = &sc->stack[s];
        if (b->type == B_PARA && sc->p.refs && para_vanishes(sc, s)) {
            if (sc->options && b->rec != NO_REC)
                sc->idx->block_count--; /* it was the last block */
        } else if (sc->options && b->rec != NO_REC) {
            mdx_close_slot(sc, s, line_belongs ? sc->cur->next : SIZE_MAX);
        }
    }
}

/* Pop the blocks in slots [d, depth), top first. line_belongs: the line
 * being processed is their last (a closing fence, an HTML block's end).
 * Mostly there is nothing to pop, or no record to close. */
static inline void pop_to(scanner *sc, size_t d, bool line_belongs)
{
    if (sc->depth <= d)
        return;
    if (sc->options || sc->p.refs)
        close_slots(sc, d, line_belongs);
    sc->depth = d;
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

/* Out of add_child's line so that its common case saves few registers. */
static MD_NOINLINE int grow_stack(scanner *sc, size_t need)
{
    return md_grow((void **)&sc->stack, &sc->cap, need, sizeof *sc->stack);
}

/* The records of block b just pushed on parent: which item it is in, and
 * a document-level block's own record. */
static MD_INLINE size_t child_records(scanner *sc, size_t parent, block *b)
{
    const block *p = &sc->stack[parent];
    b->rec = NO_REC;
    b->up = p->type == B_ITEM ? p->rec : p->up;
    if (parent == 0 && (sc->options & MD_INDEX_BLOCKS) && mdx_add_block(sc, b) < 0)
        return NOMEM;
    return parent + 1;
}

/* cmark's add_child: close blocks that cannot hold the new one, push it.
 * Returns the new block's index, or NOMEM. Inline: a list item costs two
 * calls, and the call itself was a third of each. */
static MD_INLINE size_t add_child(scanner *sc, size_t parent, int type)
{
    block *b, *p;
    while (!can_contain(sc->stack[parent].type, type))
        parent--;
    if (parent + 2 > sc->cap && grow_stack(sc, parent + 2))
        return NOMEM;
    if (parent < sc->dirty)
        sc->dirty = parent; /* its has_child, and all above it */
    pop_to(sc, parent + 1, false);
    p = &sc->stack[parent];
    sc->depth = parent + 2;
    b = &sc->stack[parent + 1];
    memset(b, 0, sizeof *b);
    b->type = (unsigned char)type;
    if (type == B_PARA)
        b->kind = !p->has_child; /* see para_vanishes */
    p->has_child = 1;
    return sc->options ? child_records(sc, parent, b) : parent + 1;
}

/* ---- one line: check open blocks, open new ones, add the text --------- */

/* Does open block b continue on this line? Sets *closed when the line is
 * a closing fence (the line is then used up). */
static MD_INLINE bool match_block(scanner *sc, size_t i, line *l, bool *closed)
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
            pop_to(sc, i, true);
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
static MD_INLINE size_t open_item(scanner *sc, size_t c, line *l, size_t m,
                                  unsigned char ch)
{
    size_t so, scol, i, pad, marker_offset = l->indent, at = l->fns;
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
    if ((c = add_child(sc, c, B_ITEM)) == NOMEM ||
        ((sc->options & MD_INDEX_ITEMS) && mdx_add_item(sc, c, l, at, m, ch) < 0))
        return NOMEM;
    sc->stack[c].ch = ch;
    sc->stack[c].w1 = (uint16_t)marker_offset;
    sc->stack[c].w2 = (uint16_t)pad;
    return c;
}

static size_t open_fence(scanner *sc, size_t c, line *l, size_t m)
{
    size_t indent = l->fns - l->off;
    if ((c = add_child(sc, c, B_FENCE)) == NOMEM)
        return NOMEM;
    sc->stack[c].ch = mdl_peek(l, l->fns);
    sc->stack[c].w1 = (uint16_t)(m > MAX_FENCE ? MAX_FENCE : m); /* cmark keeps a byte */
    sc->stack[c].w2 = (uint16_t)indent;
    mdl_advance(l, l->fns + m - l->off, false);
    return c;
}

/* One step of open_new_blocks for a line that is not indented code.
 * Returns the new container, c when the line is to be added to it, or
 * NOMEM; *done when no further block can open. */
/* The bytes a block start can begin with (after the indentation): `>`, `#`,
 * a fence's, `<`, a setext underline's, a break's, a bullet, a digit. Most
 * lines begin with a letter, and nothing opens on them. */
static const unsigned char OPENS[256] = {
    ['>'] = 1, ['#'] = 1, ['`'] = 1, ['~'] = 1, ['<'] = 1, ['='] = 1,
    ['-'] = 1, ['*'] = 1, ['_'] = 1, ['+'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
};

/* Does a line's text that starts at c (n bytes, n > 0) open no block:
 * not a blank, and a byte outside OPENS, or `**` then neither `*` nor a
 * blank (too few stars for a break, no blank for a bullet: a `**Label:**`
 * line), or digits then neither `.` nor `)` (a date: no ordered list's
 * marker)? The test of the shortcuts and of the plain lane. */
static MD_INLINE bool opens_nothing(const unsigned char *c, size_t n)
{
    size_t d = 0;
    if (!OPENS[c[0]])
        return !is_space(c[0]);
    if (c[0] == '*')
        return n >= 3 && c[1] == '*' && c[2] != '*' && !is_space(c[2]);
    while (d < n && is_digit(c[d]))
        d++;
    return d > 0 && d < n && c[d] != '.' && c[d] != ')';
}

static MD_INLINE size_t open_one(scanner *sc, size_t c, line *l,
                                 bool all_matched, bool maybe_lazy, bool *done)
{
    int cont = sc->stack[c].type, lev;
    unsigned char ch = mdl_peek(l, l->fns);
    size_t m;
    if (!OPENS[ch]) {
        *done = true;
        return c;
    }
    if (ch == '>') {
        mdl_advance(l, l->fns + 1 - l->off, false);
        if (is_sp_tab(mdl_peek(l, l->off)))
            mdl_advance(l, 1, true);
        return add_child(sc, c, B_QUOTE);
    }
    if (ch == '#' && (m = mdl_scan_atx(l, l->fns)) != 0) {
        mdl_advance(l, l->fns + m - l->off, false);
        if ((c = add_child(sc, c, B_HEAD)) == 1 && mdx_add_atx(sc, l) < 0)
            return NOMEM;
        return c;
    }
    if ((ch == '`' || ch == '~') && (m = mdl_scan_open_fence(l, l->fns)) != 0)
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
    if (cont == B_PARA && (ch == '=' || ch == '-') &&
        (lev = mdl_scan_setext(l, l->fns)) != 0) {
        *done = true;
        if (para_has_content(&sc->p)) {
            sc->stack[c].type = B_HEAD;
            if (c == 1 && mdx_add_setext(sc, l, lev) < 0)
                return NOMEM;
            if (c == 1 && (sc->options & MD_INDEX_BLOCKS))
                sc->idx->blocks[sc->stack[c].rec].kind = MD_BLOCK_HEADING;
            mdl_advance(l, l->len - l->off, false);
        }
        return c;
    }
    if ((ch == '*' || ch == '-' || ch == '_') &&
        !(cont == B_PARA && !all_matched) && mdl_scan_hr(l, l->fns)) {
        mdl_advance(l, l->len - l->off, false);
        return add_child(sc, c, B_HR);
    }
    if ((m = mdl_list_marker(l, l->fns, cont == B_PARA, &ch)) != 0)
        return open_item(sc, c, l, m, ch);
    *done = true;
    return c;
}

/* cmark's open_new_blocks. Returns the container, or NOMEM. */
static MD_INLINE size_t open_new_blocks(scanner *sc, size_t c, line *l,
                                        bool all_matched, bool *opened)
{
    bool maybe_lazy = sc->stack[sc->depth - 1].type == B_PARA, done = false;
    int cont = sc->stack[c].type;
    while (cont != B_FENCE && cont != B_ICODE && cont != B_HTML) {
        size_t nc;
        mdl_find_fns(l);
        if (l->blank) { /* opens nothing; blank for what opens above c */
            if (c + 1 < sc->blank_from)
                sc->blank_from = c + 1;
            break;
        }
        if (l->indent >= CODE_INDENT) {
            if (maybe_lazy)
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
enum { LINE_TEXT = 0, LINE_CODE = 1, LINE_OTHER = 2 /* not taken */ };

/* cmark's add_text_to_container. Returns LINE_CODE when the line is
 * content of code or an HTML block, LINE_TEXT otherwise, -1 out of
 * memory. */
static MD_INLINE int add_text(scanner *sc, size_t c, size_t last, line *l,
                              bool opened)
{
    size_t top = sc->depth - 1;
    int t;
    mdl_find_fns(l);
    if (top != last && !opened && !l->blank && sc->stack[top].type == B_PARA)
        return para_add(&sc->p, l, true); /* lazy continuation */
    pop_to(sc, c + 1, false);
    t = sc->stack[c].type;
    if (t == B_HTML) {
        if (mdl_html_end(sc->stack[c].kind, l))
            pop_to(sc, c, true);
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

/* One line through cmark's three steps: LINE_TEXT, LINE_CODE, or -1.
 * Sets sc->blank_from: the first slot whose match began with nothing but
 * blanks left on the line. */
static MD_INLINE int process_line(scanner *sc, line *l)
{
    size_t i = 1, c;
    bool closed = false, opened = false, skipped = false, ok;
    sc->cur = l;
    sc->blank_from = SIZE_MAX;
    while (i < sc->depth) {
        if (!skipped && l->off >= l->len) {
            /* used up: only the blocks in sc->fail can stop the match */
            skipped = true;
            if (i < sc->blank_from)
                sc->blank_from = i;
            if ((i = blank_skip(sc, i)) >= sc->depth)
                break;
        }
        ok = match_block(sc, i, l, &closed);
        if (l->blank && i < sc->blank_from)
            sc->blank_from = i;
        if (!ok)
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

/* The commonest line of a log: a bullet list's item at the left margin,
 * `- ` then text that opens nothing (opens_nothing: `- [x] Deployed ...`),
 * while the document holds nothing open, or a paragraph, or a list whose
 * item holds at most a paragraph. The general steps would match those
 * blocks, fail the item, try every block start, then open the list
 * (unless it goes on with the same bullet), the item and its paragraph;
 * here the same blocks are pushed and recorded by the same calls without
 * the search
 * (MD_INDEX_NO_SHORTCUTS turns this off: tests/unit/test_md_diff.c and
 * tests/fuzz/fuzz_md_index.c compare both ways). Returns LINE_TEXT when it
 * took the line, -1 when memory ran out, LINE_OTHER when the line is not
 * of that shape and nothing changed. */
static MD_INLINE int bullet_item(scanner *sc, line *l)
{
    unsigned char ch = l->s[0];
    size_t c = 1;
    if (l->len < 3 || (ch != '-' && ch != '*' && ch != '+') || l->s[1] != ' ' ||
        !opens_nothing(l->s + 2, l->len - 2))
        return LINE_OTHER;
    switch (sc->depth) {
    case 1: /* nothing open */
        c = 0;
        break;
    case 2: /* a paragraph, which the item interrupts */
        if (sc->stack[1].type != B_PARA)
            return LINE_OTHER;
        break;
    case 3: /* a list whose item has no paragraph open */
    case 4: /* ... or has one */
        if (sc->stack[1].type != B_LIST || sc->stack[2].type != B_ITEM ||
            (sc->depth == 4 && sc->stack[3].type != B_PARA))
            return LINE_OTHER;
        break;
    default:
        return LINE_OTHER;
    }
    sc->cur = l;
    sc->blank_from = SIZE_MAX;
    if (sc->stack[c].type != B_LIST || sc->stack[c].ch != ch) {
        if ((c = add_child(sc, c, B_LIST)) == NOMEM)
            return -1;
        sc->stack[c].ch = ch;
    }
    if ((c = add_child(sc, c, B_ITEM)) == NOMEM ||
        ((sc->options & MD_INDEX_ITEMS) && mdx_add_item(sc, c, l, 0, 1, ch) < 0))
        return -1;
    sc->stack[c].ch = ch;
    sc->stack[c].w1 = 0;
    sc->stack[c].w2 = 2;
    l->off = l->fns = l->col = l->fns_col = 2;
    if (add_child(sc, c, B_PARA) == NOMEM)
        return -1;
    sc->p.lineno = sc->lineno;
    return para_begin(&sc->p, l) < 0 ? -1 : LINE_TEXT;
}

/* A line of text at the left margin that opens nothing (opens_nothing: a
 * letter, a date, a `**Label:**` line...). Under nothing
 * it starts a paragraph, under a paragraph it continues it, under a list's
 * item it ends both (its paragraph, if open, takes it as a lazy line). The
 * same blocks and records as the general steps; tests as for bullet_item. */
static MD_INLINE int text_line(scanner *sc, line *l)
{
    const block *st = sc->stack;
    if (!opens_nothing(l->s, l->len))
        return LINE_OTHER;
    if (sc->depth == 1 || (sc->depth == 3 && st[1].type == B_LIST && st[2].type == B_ITEM)) {
        /* a paragraph opens in the document, closing the list if any */
        sc->cur = l;
        sc->blank_from = SIZE_MAX;
        pop_to(sc, 2, false);
        if (add_child(sc, sc->depth - 1, B_PARA) == NOMEM)
            return -1;
        sc->p.lineno = sc->lineno;
        return para_begin(&sc->p, l) < 0 ? -1 : LINE_TEXT;
    }
    if (sc->depth == 2 && st[1].type == B_PARA) {
        sc->cur = l;
        sc->blank_from = SIZE_MAX;
        if (sc->p.title == SIZE_MAX)
            sc->p.title = l->start;
        return para_add(&sc->p, l, false) < 0 ? -1 : LINE_TEXT;
    }
    if (sc->depth == 4 && st[1].type == B_LIST && st[2].type == B_ITEM &&
        st[3].type == B_PARA) {
        sc->cur = l;
        sc->blank_from = SIZE_MAX;
        return para_add(&sc->p, l, true) < 0 ? -1 : LINE_TEXT;
    }
    return LINE_OTHER;
}

/* An empty line (nothing before its line ending) under blocks that all
 * continue on it unchanged — lists and items with content — with at most
 * a paragraph on top, which it closes: a quarter of a log's lines. The
 * general steps would match each block, skip to the paragraph, fail it,
 * try to open something and pop it. Same result, recorded the same way
 * (the line is blank from slot 1 up); tests as for bullet_item. */
static MD_INLINE int empty_line(scanner *sc, line *l)
{
    size_t top = sc->depth - 1;
    /* deep nesting is left to blank_skip, which jumps over the blocks
     * instead of checking each on every line */
    if (l->len != 0 || top > 8)
        return LINE_OTHER;
    for (size_t i = 1; i <= top; i++) {
        const block *b = &sc->stack[i];
        if (b->type != B_LIST && !(b->type == B_ITEM && b->has_child) &&
            !(b->type == B_PARA && i == top))
            return LINE_OTHER;
    }
    sc->cur = l;
    sc->blank_from = 1;
    l->blank = true;
    if (top > 0 && sc->stack[top].type == B_PARA)
        pop_to(sc, top, false);
    return LINE_TEXT;
}

/* ---- the plain lane -------------------------------------------------- */

/* Where the plain lane is: the shapes of the stack its lines keep it in. */
enum {
    LANE_NONE, LANE_DOC, LANE_HEAD, LANE_BREAK, LANE_PARA, LANE_FENCE, LANE_LIST,
    LANE_ITEM, LANE_SUBLIST, LANE_SUBITEM
};

/* The lane the stack is in: nothing open (LANE_DOC); an ATX heading, which
 * no line continues (LANE_HEAD); a thematic break, which blank lines keep
 * open (LANE_BREAK); a paragraph (LANE_PARA); a fenced code block
 * (LANE_FENCE); a list whose item has content and no paragraph open
 * (LANE_LIST); the same with its paragraph open (LANE_ITEM); and the same
 * two once more in that item (LANE_SUBLIST, LANE_SUBITEM: a template's
 * services, `1. **name**` then `   - Status: ...`). A paragraph that may
 * be reference definitions keeps its lines, which the lane does not copy:
 * LANE_NONE. The outermost blocks are the document's. */
static int lane_of(const scanner *sc)
{
    const block *st = sc->stack;
    switch (sc->depth) {
    case 1:
        return LANE_DOC;
    case 2:
        switch (st[1].type) {
        case B_HEAD: return LANE_HEAD;
        case B_HR: return LANE_BREAK;
        case B_FENCE: return LANE_FENCE;
        case B_PARA: return sc->p.refs ? LANE_NONE : LANE_PARA;
        default: return LANE_NONE;
        }
    case 3:
        return st[1].type == B_LIST && st[2].type == B_ITEM && st[2].has_child
                   ? LANE_LIST : LANE_NONE;
    case 4:
        return st[1].type == B_LIST && st[2].type == B_ITEM && st[3].type == B_PARA &&
                       !sc->p.refs ? LANE_ITEM : LANE_NONE;
    case 5:
    case 6:
        if (st[1].type != B_LIST || st[2].type != B_ITEM || st[3].type != B_LIST ||
            st[4].type != B_ITEM || !st[4].has_child)
            return LANE_NONE;
        if (sc->depth == 5)
            return LANE_SUBLIST;
        return st[5].type == B_PARA && !sc->p.refs ? LANE_SUBITEM : LANE_NONE;
    default:
        return LANE_NONE;
    }
}

/* add_child(sc, parent, type) for the lane, which knows parent can hold
 * type and that nothing above it has a record or reference lines. */
static MD_INLINE void lane_push(scanner *sc, size_t parent, int type)
{
    block *p = &sc->stack[parent], *b = p + 1;
    if (parent < sc->dirty)
        sc->dirty = parent;
    sc->depth = parent + 2;
    memset(b, 0, sizeof *b);
    b->type = (unsigned char)type;
    if (type == B_PARA)
        b->kind = !p->has_child;
    p->has_child = 1;
}

/* A paragraph's first line, s[0, n) at pos, its text from byte from on. */
static MD_INLINE void lane_para(scanner *sc, size_t pos, size_t n, size_t from)
{
    para *p = &sc->p;
    p->lineno = sc->lineno;
    p->start = pos;
    p->title = pos + from;
    p->last_end = pos + n;
    p->blen = p->nmap = 0;
    p->refs = false;
}

/* The length of the line at s (rest bytes to the end of the text) up to
 * its ending, and in *step the offset of the next line: as next_line,
 * the line ends at the first LF, CR or CRLF (a CR is looked for only when
 * the text has one). A log's lines are short (30-40 bytes): a 16-byte
 * compare in line costs less than memchr's call and its setup, which pay
 * off only on long runs. */
static MD_INLINE size_t lane_eol(const unsigned char *s, size_t rest, bool has_cr,
                                 size_t *step)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; rest - i >= 16; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_cmpeq_epi8(x, lf);
        if (has_cr)
            m = _mm_or_si128(m, _mm_cmpeq_epi8(x, cr));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) {
            i += (size_t)__builtin_ctz(bits);
            goto found;
        }
    }
#endif
    while (i < rest && s[i] != '\n' && !(has_cr && s[i] == '\r'))
        i++;
found:
    if (i == rest)
        *step = rest;
    else
        *step = i + 1 + (has_cr && s[i] == '\r' && i + 1 < rest && s[i + 1] == '\n');
    return i;
}

/* A line for the scanners of md_lines.c: s[0, n) at pos, nothing
 * consumed, its first non-space at 0 (the lane's lines start with one). */
static MD_INLINE void lane_line(line *l, const unsigned char *s, size_t n, size_t pos,
                                size_t next)
{
    memset(l, 0, sizeof *l);
    l->s = s;
    l->len = n;
    l->start = pos;
    l->next = next;
}

/* An item at the left margin, its marker (bullet, or delimiter ch after
 * digits) and one space w bytes, on line s[0, n) at pos, in lane: the
 * next item of the list in slot 1 when the markers match, else the first
 * of a new list; its paragraph opens. */
static MD_INLINE void lane_item(scanner *sc, int lane, unsigned char ch, size_t pos, size_t n,
                                size_t w)
{
    block *st = sc->stack;
    if (lane < LANE_LIST || st[1].ch != ch) {
        sc->depth = 1;
        lane_push(sc, 0, B_LIST);
        st[1].ch = ch;
    }
    lane_push(sc, 1, B_ITEM);
    st[2].ch = ch;
    st[2].w2 = (uint16_t)w;
    lane_push(sc, 2, B_PARA);
    lane_para(sc, pos, n, w);
}

/* The plain index's lane (no items, no blocks; strong lines when asked).
 * From the line at pos: runs of the lines the shortcuts take (empty_line,
 * bullet_item, text_line) and more of their kind (ordered items, dates),
 * code in a fenced block and its closing fence, headings, fences and
 * breaks at the left margin, and one list inside an item at its content
 * column (lane_of): 99 lines in 100 of the bench's logs, each for a
 * line-ending search and a few stores, with no line cursor and no block
 * steps. has_cr: the text has a CR, so lines may end CRLF or CR. The
 * stack, the paragraph, the records and the line count are left exactly
 * as the general steps leave them (tests/unit/test_md_diff.c compares the
 * two ways). Returns the offset of the first line it did not take, or
 * SIZE_MAX out of memory. */
static MD_INLINE size_t plain_lane_in(scanner *sc, size_t pos, const bool has_cr)
{
    const unsigned char *text = sc->text;
    size_t len = sc->len;
    block *st = sc->stack; /* 16 slots at least: the lane uses 4 */
    int lane = lane_of(sc);
    bool fresh = false; /* slots 2 and 3 hold what a bullet line pushes */
    if (lane == LANE_NONE)
        return pos;
    while (pos < len) {
        const unsigned char *s = text + pos;
        size_t n = 0, next = pos + 1;
        unsigned char c0 = s[0], ch;
        if (c0 != '\n') {
            n = lane_eol(s, len - pos, has_cr, &next);
            next += pos;
        }
        if (lane == LANE_FENCE) { /* a line of code, or the closing fence */
            size_t k = 0;
            while (k < 3 && k < n && s[k] == ' ')
                k++; /* a tab before the fence's byte makes 4 columns */
            if (k < n && s[k] == st[1].ch) {
                line l;
                lane_line(&l, s, n, pos, next);
                if (mdl_scan_close_fence(&l, k, st[1].ch) >= st[1].w1) {
                    sc->depth = 1;
                    lane = LANE_DOC;
                }
            }
            if (mdx_add_code(sc->idx, pos, next) < 0)
                return SIZE_MAX;
            sc->lineno++;
            pos = next;
            continue;
        }
        if (n == 0) { /* empty_line */
            sc->lineno++;
            if (lane == LANE_PARA || lane == LANE_HEAD) {
                sc->depth = 1;
                lane = LANE_DOC;
            } else if (lane == LANE_ITEM) {
                sc->depth = 3;
                lane = LANE_LIST;
            } else if (lane == LANE_SUBITEM) {
                sc->depth = 5;
                lane = LANE_SUBLIST;
            }
            pos = next;
            continue;
        }
        if (n >= 3 && (c0 == '-' || c0 == '*' || c0 == '+') && s[1] == ' ' &&
            opens_nothing(s + 2, n - 2)) { /* bullet_item's */
            if (s[2] == '[' && mdl_ref_possible_at(s, n, 2))
                return pos;
            sc->lineno++;
            ch = c0;
            if (lane == LANE_ITEM && fresh && st[1].ch == ch) {
                /* the next item of a run: the same blocks as the last one's */
                lane_para(sc, pos, n, 2);
                pos = next;
                continue;
            }
            lane_item(sc, lane, ch, pos, n, 2);
            lane = LANE_ITEM;
            fresh = true;
        } else if (opens_nothing(s, n)) { /* text_line's */
            if (c0 == '*' && sc->strong && mdx_add_strong(sc->idx, pos, pos + n) < 0)
                return SIZE_MAX;
            if (lane != LANE_PARA && lane != LANE_ITEM && lane != LANE_SUBITEM) {
                if (c0 == '[' && mdl_ref_possible_at(s, n, 0))
                    return pos;
                sc->lineno++;
                sc->depth = 1;
                lane_push(sc, 0, B_PARA);
                lane_para(sc, pos, n, 0);
                lane = LANE_PARA;
            } else { /* a paragraph's next line; lazy under an item */
                sc->lineno++;
                if (lane == LANE_PARA && sc->p.title == SIZE_MAX)
                    sc->p.title = pos;
                sc->p.last_end = pos + n;
            }
        } else if (is_digit(c0)) { /* an ordered list's item at the left margin */
            size_t d = 0;
            while (d < n && d < 10 && is_digit(s[d]))
                d++;
            if (d > 9 || d + 2 >= n || (s[d] != '.' && s[d] != ')') || s[d + 1] != ' ' ||
                !opens_nothing(s + d + 2, n - d - 2) ||
                (s[d + 2] == '[' && mdl_ref_possible_at(s, n, d + 2)) ||
                (lane == LANE_PARA && !(d == 1 && c0 == '1')))
                return pos; /* under a paragraph, only a list from 1 interrupts it */
            sc->lineno++;
            lane_item(sc, lane, s[d], pos, n, d + 2);
            lane = LANE_ITEM;
            fresh = false;
        } else if (c0 == ' ' && lane >= LANE_LIST) {
            /* at the item's content column: a bullet of a list in it, or
             * its paragraph's text */
            size_t w = (size_t)st[2].w1 + st[2].w2, k = 0;
            const unsigned char *c = s + w;
            while (k < n && k <= w && s[k] == ' ')
                k++;
            if (k != w || k >= n)
                return pos;
            if (n - w >= 3 && (c[0] == '-' || c[0] == '*' || c[0] == '+') && c[1] == ' ' &&
                opens_nothing(c + 2, n - w - 2)) {
                if (c[2] == '[' && mdl_ref_possible_at(s, n, w + 2))
                    return pos;
                sc->lineno++;
                ch = c[0];
                if (lane >= LANE_SUBLIST && st[3].ch == ch) {
                    sc->depth = 4; /* the next item of the list in the item */
                } else {
                    sc->depth = 3; /* a list opens in the item */
                    lane_push(sc, 2, B_LIST);
                    st[3].ch = ch;
                }
                lane_push(sc, 3, B_ITEM);
                st[4].ch = ch;
                st[4].w2 = 2;
                lane_push(sc, 4, B_PARA);
                lane_para(sc, pos, n, w + 2);
                lane = LANE_SUBITEM;
            } else if (opens_nothing(c, n - w)) {
                if (lane == LANE_SUBLIST || (lane == LANE_LIST && c[0] == '[' &&
                                             mdl_ref_possible_at(s, n, w)))
                    return pos;
                sc->lineno++;
                if (lane == LANE_LIST) { /* the item's paragraph opens */
                    sc->depth = 3;
                    lane_push(sc, 2, B_PARA);
                    lane_para(sc, pos, n, w);
                    lane = LANE_ITEM;
                } else { /* its next line; lazy in the item's list */
                    if (lane == LANE_ITEM && sc->p.title == SIZE_MAX)
                        sc->p.title = pos + w;
                    sc->p.last_end = pos + n;
                }
            } else {
                return pos;
            }
            fresh = false;
        } else if (c0 == '#' || c0 == '`' || c0 == '~' ||
                   ((c0 == '-' || c0 == '*' || c0 == '_') && lane != LANE_PARA)) {
            /* a heading, a fence or a break at the left margin: it closes
             * what is open (a paragraph only by the first two: under one,
             * `---` is a setext underline) and opens in slot 1 */
            line l;
            size_t m = 0;
            lane_line(&l, s, n, pos, next);
            if (c0 == '#' ? !mdl_scan_atx(&l, 0)
                          : c0 == '`' || c0 == '~' ? !(m = mdl_scan_open_fence(&l, 0))
                                                   : !mdl_scan_hr(&l, 0))
                return pos;
            sc->lineno++;
            sc->depth = 1;
            if (c0 == '#') {
                lane_push(sc, 0, B_HEAD);
                if (mdx_add_atx(sc, &l) < 0)
                    return SIZE_MAX;
                lane = LANE_HEAD;
            } else if (m) {
                lane_push(sc, 0, B_FENCE);
                st[1].ch = c0;
                st[1].w1 = (uint16_t)(m > MAX_FENCE ? MAX_FENCE : m);
                if (mdx_add_code(sc->idx, pos, next) < 0)
                    return SIZE_MAX;
                lane = LANE_FENCE;
            } else {
                if (c0 == '*' && s[1] == '*' && sc->strong &&
                    mdx_add_strong(sc->idx, pos, pos + n) < 0)
                    return SIZE_MAX; /* `***` */
                lane_push(sc, 0, B_HR);
                lane = LANE_BREAK;
            }
        } else {
            return pos;
        }
        pos = next;
    }
    return pos;
}

/* plain_lane_in made twice, so that the LF-only loop tests for no CR. */
static MD_NOINLINE size_t plain_lane(scanner *sc, size_t pos, bool has_cr)
{
    return has_cr ? plain_lane_in(sc, pos, true) : plain_lane_in(sc, pos, false);
}

/* ---- the index -------------------------------------------------------- */

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

int md_index_build(const char *text, size_t len, md_index *index)
{
    return md_index_build_opts(text, len, 0, index);
}

/* What a scratch keeps between builds: the scanner's arrays and the
 * records' growing arrays, each with its capacity. */
struct md_scratch {
    block *stack;
    size_t cap;
    size_t *fail;
    size_t fcap;
    nb_line *nb;
    size_t nb_cap;
    unsigned char *buf;
    size_t bcap;
    refline *map;
    size_t mcap;
    md_index work; /* counts 0 between builds */
};

/* An array bigger than this goes back to the system after a build rather
 * than stay with the scratch, and an index with more record bytes keeps
 * the arrays it was built in: one 200 MB log must not pin its arrays nor
 * be copied. */
enum { KEEP_BYTES = 1 << 20, PACK_MAX = 1 << 20 };

md_scratch *md_scratch_new(void)
{
    return calloc(1, sizeof(md_scratch));
}

/* Free what s keeps (s itself stays, emptied). */
static void scratch_clear(md_scratch *s)
{
    free(s->stack);
    free(s->fail);
    free(s->nb);
    free(s->buf);
    free(s->map);
    md_index_free(&s->work);
    memset(s, 0, sizeof *s);
}

void md_scratch_free(md_scratch *s)
{
    if (s == NULL)
        return;
    scratch_clear(s);
    free(s);
}

/* Move the scratch's arrays into sc and *work (s emptied). */
static void borrow(md_scratch *s, scanner *sc, md_index *work)
{
    sc->stack = s->stack, sc->cap = s->cap;
    sc->fail = s->fail, sc->fcap = s->fcap;
    sc->nb = s->nb, sc->nb_cap = s->nb_cap;
    sc->p.buf = s->buf, sc->p.bcap = s->bcap;
    sc->p.map = s->map, sc->p.mcap = s->mcap;
    *work = s->work;
    work->count = work->code_count = work->item_count = work->block_count = 0;
    work->strong_count = 0;
    memset(s, 0, sizeof *s);
}

/* p, or NULL (p freed, *cap 0) when it holds more than KEEP_BYTES. */
static void *kept(void *p, size_t *cap, size_t size)
{
    if (*cap * size <= KEEP_BYTES)
        return p;
    free(p);
    *cap = 0;
    return NULL;
}

/* Give the scanner's arrays and *work's back to s; big ones are freed. */
static void give_back(md_scratch *s, scanner *sc, md_index *work)
{
    s->stack = kept(sc->stack, &sc->cap, sizeof *sc->stack), s->cap = sc->cap;
    s->fail = kept(sc->fail, &sc->fcap, sizeof *sc->fail), s->fcap = sc->fcap;
    s->nb = kept(sc->nb, &sc->nb_cap, sizeof *sc->nb), s->nb_cap = sc->nb_cap;
    s->buf = kept(sc->p.buf, &sc->p.bcap, 1), s->bcap = sc->p.bcap;
    s->map = kept(sc->p.map, &sc->p.mcap, sizeof *sc->p.map), s->mcap = sc->p.mcap;
    work->sections = kept(work->sections, &work->capacity, sizeof *work->sections);
    work->code = kept(work->code, &work->code_capacity, sizeof *work->code);
    work->items = kept(work->items, &work->item_capacity, sizeof *work->items);
    work->blocks = kept(work->blocks, &work->block_capacity, sizeof *work->blocks);
    work->strong = kept(work->strong, &work->strong_capacity, sizeof *work->strong);
    s->work = *work;
}

/* The bytes of work's records. */
static size_t record_bytes(const md_index *w)
{
    return w->count * sizeof *w->sections + w->code_count * sizeof *w->code +
           w->item_count * sizeof *w->items + w->block_count * sizeof *w->blocks +
           w->strong_count * sizeof *w->strong;
}

int md_index_build_opts(const char *text, size_t len, unsigned options,
                        md_index *index)
{
    return md_index_build_in(NULL, text, len, options, index);
}

int md_index_build_in(md_scratch *scratch, const char *text, size_t len,
                      unsigned options, md_index *index)
{
    scanner sc;
    md_scratch own = {0}; /* when the caller keeps none: freed at the end */
    md_scratch *keep = scratch != NULL ? scratch : &own;
    md_index work = {0};
    size_t pos = 0;
    bool has_cr, lane;
    int rc = -1;
    memset(&sc, 0, sizeof sc);
    memset(index, 0, sizeof *index);
    if ((options & MD_INDEX_ALL) && len >= UINT32_MAX)
        return -1; /* the records' offsets are 32-bit */
    borrow(keep, &sc, &work);
    sc.text = (const unsigned char *)text;
    sc.len = len;
    sc.options = options & (MD_INDEX_ITEMS | MD_INDEX_BLOCKS);
    sc.shortcuts = !(options & MD_INDEX_NO_SHORTCUTS);
    sc.strong = (options & MD_INDEX_STRONG) != 0;
    sc.idx = &work;
    if (md_grow((void **)&sc.stack, &sc.cap, 16, sizeof *sc.stack))
        goto done;
    sc.depth = 1;
    memset(&sc.stack[0], 0, sizeof sc.stack[0]);
    sc.stack[0].type = B_DOC;
    sc.stack[0].rec = sc.stack[0].up = NO_REC;
    sc.dirty = SIZE_MAX;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    has_cr = len > 0 && memchr(text, '\r', len) != NULL;
    lane = sc.shortcuts && !sc.options;
    while (pos < len) {
        line l;
        int kind;
        if (lane && (pos = plain_lane(&sc, pos, has_cr)) >= len) {
            if (pos == SIZE_MAX)
                goto done;
            break;
        }
        next_line(&sc, pos, has_cr, &l);
        sc.lineno++;
        kind = LINE_OTHER;
        if (sc.shortcuts)
            kind = l.len == 0 ? empty_line(&sc, &l) : bullet_item(&sc, &l);
        if (kind == LINE_OTHER && sc.shortcuts && l.len > 0)
            kind = text_line(&sc, &l);
        if (kind == LINE_OTHER)
            kind = process_line(&sc, &l);
        if (kind < 0 ||
            (kind == LINE_CODE && mdx_add_code(&work, l.start, l.next) < 0) ||
            (kind == LINE_TEXT && sc.strong && l.len >= 2 && l.s[0] == '*' &&
             l.s[1] == '*' && mdx_add_strong(&work, l.start, l.start + l.len) < 0) ||
            (sc.options && mdx_nb_push(&sc, &l) < 0))
            goto done;
        pos = l.next;
    }
    pop_to(&sc, 1, false);
    mdx_link_sections(&work, len);
    if (scratch != NULL && record_bytes(&work) <= PACK_MAX) {
        if (mdx_pack(&work, index) != 0)
            goto done;
    } else { /* the arrays themselves become the index's */
        mdx_shrink_records(&work);
        *index = work;
        memset(&work, 0, sizeof work);
    }
    rc = 0;
done:
    give_back(keep, &sc, &work);
    scratch_clear(&own);
    return rc;
}
