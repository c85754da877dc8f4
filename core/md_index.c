/*
 * md_index.c — what the block scanner (md.c) records in an md_index:
 * sections, code runs, list items and document-level blocks, and where
 * each block's last non-blank line is. The scanner decides structure;
 * this file only writes it down.
 */
#include "md.h"
#include "md_scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int mdx_add_atx(scanner *sc, const line *l)
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

int mdx_add_setext(scanner *sc, const line *l, int level)
{
    const para *p = &sc->p;
    md_section *s = new_section(sc, level, p->start, p->lineno);
    if (!s)
        return -1;
    s->heading_end = l->next;
    set_title(sc, s, p->title, p->last_end);
    return 0;
}

/* ---- list items and document-level blocks ---------------------------- */

/* A block's end is after its last non-blank line, known when it is popped.
 * Updating every open block on every line would cost depth x lines, so
 * the scanner keeps one entry per line instead (nb_push) and drops every
 * entry a newer one covers (from <= the newer from): `from` then falls
 * from the oldest live entry to the newest, and the last non-blank line of
 * the block in slot s is the newest entry with from > s. Blocks are popped
 * top slot first, so the entries older than that one can go: the one
 * found covers every slot still open below s. Each entry is pushed once
 * and dropped once: linear in lines + blocks. Returns SIZE_MAX for none. */
static size_t last_nonblank(scanner *sc, size_t s)
{
    size_t j = sc->nb_lo;
    if (j >= sc->nb_n || sc->nb[j].from <= s)
        return SIZE_MAX;
    while (j + 1 < sc->nb_n && sc->nb[j + 1].from > s)
        j++;
    sc->nb_lo = j;
    return sc->nb[j].end;
}

/* Record that line l (just processed) was non-blank for the open blocks in
 * slots below sc->blank_from. 0, or -1 out of memory. */
int mdx_nb_push(scanner *sc, const line *l)
{
    size_t from = sc->blank_from < sc->depth ? sc->blank_from : sc->depth;
    if (from <= 1)
        return 0;
    while (sc->nb_n > sc->nb_lo && sc->nb[sc->nb_n - 1].from <= from)
        sc->nb_n--;
    if (sc->nb_n == sc->nb_lo)
        sc->nb_n = sc->nb_lo = 0;
    if (sc->nb_n == sc->nb_cap && sc->nb_lo > 0 &&
        sc->nb_lo >= sc->nb_cap / 2) { /* reuse the dropped half */
        sc->nb_n -= sc->nb_lo;
        memmove(sc->nb, sc->nb + sc->nb_lo, sc->nb_n * sizeof *sc->nb);
        sc->nb_lo = 0;
    }
    if (md_grow((void **)&sc->nb, &sc->nb_cap, sc->nb_n + 1, sizeof *sc->nb))
        return -1;
    sc->nb[sc->nb_n++] = (nb_line){from, l->next};
    return 0;
}

/* Close the record of the block in slot s, which ends at `end`, or after
 * its last non-blank line when end is SIZE_MAX. */
void mdx_close_slot(scanner *sc, size_t s, size_t end)
{
    const block *b = &sc->stack[s];
    md_index *x = sc->idx;
    if (end == SIZE_MAX)
        end = last_nonblank(sc, s);
    if (end == SIZE_MAX)
        return;
    if (b->type == B_ITEM) {
        if (end > x->items[b->rec].end)
            x->items[b->rec].end = (uint32_t)end;
    } else if (end > x->blocks[b->rec].end) {
        x->blocks[b->rec].end = (uint32_t)end;
    }
}

/* A record for the new document-level block b. */
int mdx_add_block(scanner *sc, block *b)
{
    static const unsigned char kinds[] = {
        [B_QUOTE] = MD_BLOCK_QUOTE, [B_LIST] = MD_BLOCK_LIST,
        [B_FENCE] = MD_BLOCK_CODE,  [B_ICODE] = MD_BLOCK_CODE,
        [B_HTML] = MD_BLOCK_HTML,   [B_PARA] = MD_BLOCK_PARAGRAPH,
        [B_HEAD] = MD_BLOCK_HEADING, [B_HR] = MD_BLOCK_BREAK,
    };
    md_index *x = sc->idx;
    md_block *nb;
    if (x->block_count >= NO_REC ||
        md_grow((void **)&x->blocks, &x->block_capacity, x->block_count + 1,
                sizeof *x->blocks))
        return -1;
    b->rec = (uint32_t)x->block_count;
    nb = &x->blocks[x->block_count++];
    memset(nb, 0, sizeof *nb); /* padding too: records compare with memcmp */
    /* (md_index_build_opts keeps offsets and line numbers below 2^32) */
    nb->start = (uint32_t)sc->cur->start;
    nb->end = (uint32_t)sc->cur->next;
    nb->line = (uint32_t)sc->lineno;
    nb->kind = kinds[b->type];
    return 0;
}

/* A record for the item just pushed in slot c, whose marker (m bytes,
 * bullet or delimiter ch) is at at on line l. */
int mdx_add_item(scanner *sc, size_t c, const line *l, size_t at, size_t m,
                 unsigned char ch)
{
    md_index *x = sc->idx;
    md_item *it;
    size_t i = at + m, e = l->len;
    uint32_t up = sc->stack[c - 1].up;
    if (x->item_count >= INT32_MAX || /* md_item.parent is an int32_t */
        md_grow((void **)&x->items, &x->item_capacity, x->item_count + 1,
                sizeof *x->items))
        return -1;
    sc->stack[c].rec = (uint32_t)x->item_count;
    it = &x->items[x->item_count++];
    memset(it, 0, sizeof *it);
    it->start = (uint32_t)l->start;
    it->end = (uint32_t)l->next;
    it->line = (uint32_t)sc->lineno;
    it->marker = (char)ch;
    it->parent = up == NO_REC ? -1 : (int32_t)up;
    it->depth = up == NO_REC ? 0 : x->items[up].depth + 1;
    for (size_t k = at; k < l->len && is_digit(l->s[k]); k++)
        it->number = it->number * 10 + (uint32_t)(l->s[k] - '0');
    while (i < e && is_sp_tab(l->s[i]))
        i++;
    it->task = -1;
    if (e - i >= 3 && l->s[i] == '[' && l->s[i + 2] == ']' &&
        (l->s[i + 1] == ' ' || lower(l->s[i + 1]) == 'x') &&
        (e - i == 3 || is_sp_tab(l->s[i + 3]))) {
        it->task = l->s[i + 1] != ' ';
        for (i += 3; i < e && is_sp_tab(l->s[i]); i++)
            ;
    }
    while (e > i && is_sp_tab(l->s[e - 1]))
        e--;
    it->text_start = (uint32_t)(l->start + i);
    it->text_end = (uint32_t)(l->start + e);
    return 0;
}

/* Add line l to the code runs: extends the last run when l follows it. */
int mdx_add_code(md_index *x, size_t start, size_t next)
{
    if (x->code_count > 0 && x->code[x->code_count - 1].end == start) {
        x->code[x->code_count - 1].end = next;
        return 0;
    }
    if (md_grow((void **)&x->code, &x->code_capacity, x->code_count + 1,
                sizeof *x->code))
        return -1;
    x->code[x->code_count++] = (md_span){start, next};
    return 0;
}

int mdx_add_strong(md_index *x, size_t start, size_t end)
{
    if (md_grow((void **)&x->strong, &x->strong_capacity, x->strong_count + 1,
                sizeof *x->strong))
        return -1;
    x->strong[x->strong_count++] = (md_span){start, end};
    return 0;
}

/* body_end, end and parent from the levels: walking the parent chain of
 * the previous section closes every section the new one ends. */
void mdx_link_sections(md_index *x, size_t len)
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

/* Give back what an array does not use (kept as it is if that fails). */
static void shrink(void **p, size_t *cap, size_t count, size_t size)
{
    void *q;
    if (count == *cap)
        return;
    if (count == 0) {
        free(*p);
        *p = NULL;
        *cap = 0;
    } else if ((q = realloc(*p, count * size)) != NULL) {
        *p = q;
        *cap = count;
    }
}

/* Give back what the record arrays do not use. */
void mdx_shrink_records(md_index *x)
{
    shrink((void **)&x->items, &x->item_capacity, x->item_count, sizeof *x->items);
    shrink((void **)&x->blocks, &x->block_capacity, x->block_count,
           sizeof *x->blocks);
    shrink((void **)&x->strong, &x->strong_capacity, x->strong_count,
           sizeof *x->strong);
}

void md_index_free(md_index *index)
{
    if (index->pack != NULL) {
        free(index->pack);
    } else {
        free(index->sections);
        free(index->code);
        free(index->items);
        free(index->blocks);
        free(index->strong);
    }
    memset(index, 0, sizeof *index);
}

/* Round n up to a multiple of 16 (every record's alignment divides it). */
static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

int mdx_pack(const md_index *work, md_index *out)
{
    size_t ns = align16(work->count * sizeof *work->sections);
    size_t nc = align16(work->code_count * sizeof *work->code);
    size_t ni = align16(work->item_count * sizeof *work->items);
    size_t nb = align16(work->block_count * sizeof *work->blocks);
    size_t nt = work->strong_count * sizeof *work->strong;
    size_t all = ns + nc + ni + nb + nt;
    char *p = all > 0 ? malloc(all) : NULL;
    memset(out, 0, sizeof *out);
    if (p == NULL)
        return all > 0 ? -1 : 0;
    out->pack = p;
#define PLACE(field, count, cap, bytes)                                   \
    do {                                                                     \
        if (work->count > 0) {                                               \
            out->field = (void *)p;                                          \
            memcpy(p, work->field, work->count * sizeof *work->field);       \
        }                                                                    \
        out->count = out->cap = work->count;                                 \
        p += (bytes);                                                        \
    } while (0)
    PLACE(sections, count, capacity, ns);
    PLACE(code, code_count, code_capacity, nc);
    PLACE(items, item_count, item_capacity, ni);
    PLACE(blocks, block_count, block_capacity, nb);
    PLACE(strong, strong_count, strong_capacity, nt);
#undef PLACE
    return 0;
}

/* The first of n records of size bytes at base whose first member, a
 * uint32_t start (md_item's and md_block's), is >= pos. */
static size_t first_at(const void *base, size_t n, size_t size, size_t pos)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t start;
        memcpy(&start, (const char *)base + mid * size, sizeof start);
        if (start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t md_first_item(const md_index *x, size_t pos)
{
    return first_at(x->items, x->item_count, sizeof *x->items, pos);
}

size_t md_first_block(const md_index *x, size_t pos)
{
    return first_at(x->blocks, x->block_count, sizeof *x->blocks, pos);
}
