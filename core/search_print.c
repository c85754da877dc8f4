/*
 * search_print.c — search results formatted in C, see search_print.h.
 *
 * The shapes are the ones scripts/search.lua printed hit by hit in Lua
 * (tests/e2e/test_search.sh holds them byte for byte); here a file's hits
 * are formatted in one pass, with what hits of one section share (its
 * title path, its JSON) made once.
 */
#define _GNU_SOURCE /* memrchr */
#include "search_print.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put_str(search_out *out, const char *s)
{
    search_out_put(out, s, strlen(s));
}

/* v's decimal digits written backwards, ending at end; returns where
 * they start. */
static char *digits_before(char *end, size_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static void put_uint(search_out *out, size_t v)
{
    char tmp[24];
    char *at = digits_before(tmp + sizeof tmp, v);
    search_out_put(out, at, (size_t)(tmp + sizeof tmp - at));
}

/* ---- sections and labels ------------------------------------------------- */

long search_section_at(const md_index *idx, size_t off)
{
    size_t lo = 0, hi = idx->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->sections[mid].heading_start <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* Whether text[s, e) is a `**Label:**` line (trailing blanks and CR
 * allowed); sets the label's span. */
static int is_label_line(const char *text, size_t s, size_t e, size_t *ls, size_t *le)
{
    while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
        e--;
    if (e - s < 6 || memcmp(text + s, "**", 2) != 0 || memcmp(text + e - 3, ":**", 3) != 0)
        return 0;
    for (size_t i = s + 2; i < e - 3; i++)
        if (text[i] == '*' || text[i] == '\n')
            return 0;
    *ls = s + 2;
    *le = e - 3;
    return 1;
}

/* Is strong line sp (see md_index.strong) a `**Label:**` line of the text
 * as search splits it, at '\n' only, among the lines from floor to hit
 * h's? 1 and the label's span, or 0. */
static int strong_label(const char *text, size_t floor, md_span sp, const search_hit *h,
                        size_t *ls, size_t *le)
{
    size_t p = sp.start, e = h->line_end;
    if (p != floor && text[p - 1] != '\n')
        return 0; /* after a lone CR: a line of the index's, not of search's */
    if (p < h->line_start) {
        if (text[sp.end] == '\n' || (text[sp.end] == '\r' && text[sp.end + 1] == '\n')) {
            e = sp.end; /* search's line too (a CR before the LF is trimmed) */
        } else { /* the index's line ended at a lone CR: search's goes on */
            const char *nl = memchr(text + p, '\n', h->line_start - p);
            e = nl ? (size_t)(nl - text) : h->line_start - 1;
        }
    }
    return is_label_line(text, p, e, ls, le);
}

int search_label_at(const md_index *idx, const char *text, long sec, const search_hit *h,
                    size_t *ls, size_t *le)
{
    size_t floor = sec >= 0 ? idx->sections[sec].heading_end : 0;
    size_t lo = 0, hi = idx->strong_count;
    if (h->line_start < floor)
        return 0;
    while (lo < hi) { /* the strong lines up to the hit's: [0, lo) */
        size_t mid = lo + (hi - lo) / 2;
        if (idx->strong[mid].start <= h->line_start)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0 && idx->strong[lo - 1].start >= floor)
        if (strong_label(text, floor, idx->strong[--lo], h, ls, le))
            return 1;
    return 0;
}

/* ---- the title cache ---------------------------------------------------- */

static size_t hash_bytes(const char *s, size_t n)
{
    size_t h = (size_t)14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211ULL;
    return h;
}

/* The free slot where hash h goes (cap is a power of two, never full). */
static search_title *free_slot(search_title *slots, size_t cap, size_t h)
{
    size_t i = h & (cap - 1);
    while (slots[i].raw)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int titles_grow(search_titles *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    search_title *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].raw)
            *free_slot(slots, cap, c->slots[i].hash) = c->slots[i];
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    return 0;
}

/* Drop the titles kept (the work memory stays). */
static void titles_drop(search_titles *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].raw);
        free(c->slots[i].plain);
    }
    free(c->slots);
    c->slots = NULL;
    c->cap = c->count = 0;
}

void search_titles_free(search_titles *c)
{
    titles_drop(c);
    free(c->work_titles);
    free(c->work_tlen);
    for (int i = 0; i < 3; i++)
        search_out_free(&c->work[i]);
    memset(c, 0, sizeof *c);
}

/* The plain title of raw[0, rlen), owned by c (valid until
 * search_titles_free), its length in *plen; NULL when out of memory. */
static const char *titles_get(search_titles *c, const char *raw, size_t rlen, size_t *plen)
{
    size_t h = hash_bytes(raw, rlen);
    for (size_t i = c->cap ? h & (c->cap - 1) : 0; c->cap && c->slots[i].raw;
         i = (i + 1) & (c->cap - 1)) {
        const search_title *t = &c->slots[i];
        if (t->hash == h && t->rlen == rlen && memcmp(t->raw, raw, rlen) == 0) {
            *plen = t->plen;
            return t->plain;
        }
    }
    if ((c->count + 1) * 2 > c->cap && titles_grow(c) != 0)
        return NULL;
    size_t n = 0;
    char *copy = malloc(rlen + 1), *plain = copy ? md_plain_title(raw, rlen, &n) : NULL;
    if (!plain) {
        free(copy);
        return NULL;
    }
    memcpy(copy, raw, rlen);
    *free_slot(c->slots, c->cap, h) = (search_title){copy, plain, rlen, n, h};
    c->count++;
    *plen = n;
    return plain;
}

/* Per-file state of the formatter: titles made once per section, the
 * label of the previous hit (hits come in file order, so a hit's label is
 * found by looking only at the lines since the previous hit). */
typedef struct fmt {
    const char *text;
    const md_index *idx;
    const char **titles; /* plain titles, found on first use (owned by cache) */
    size_t *tlen;
    search_titles *cache;
    long sec;        /* section of the previous hit; -2 before the first */
    int has_label;
    size_t ls, le;   /* its label */
    size_t strong_k; /* the first strong line not yet looked at */
    search_out group; /* the current group's label tail, escaped */
    search_out tmp;
    search_out last;  /* the last group header printed */
} fmt;

static const char *title(fmt *f, long i, size_t *n)
{
    if (!f->titles[i]) {
        const md_section *s = &f->idx->sections[i];
        f->titles[i] = titles_get(f->cache, f->text + s->title_start, s->title_len, &f->tlen[i]);
        if (!f->titles[i])
            return NULL;
    }
    *n = f->tlen[i];
    return f->titles[i];
}

/* The section path of section i, outermost first, into path (at most
 * 64 deep); returns its depth. */
static size_t section_path(const fmt *f, long i, long path[64])
{
    size_t n = 0;
    for (long j = i; j >= 0 && n < 64; j = f->idx->sections[j].parent)
        n++;
    size_t k = n;
    for (long j = i; j >= 0 && k > 0; j = f->idx->sections[j].parent)
        path[--k] = j;
    return n;
}

/* Move f to hit h: its section and its label, the last `**Label:**` line
 * from the section's start to the hit's line. Hits come in file order, so
 * each strong line is looked at once per file. */
static void find_label(fmt *f, const search_hit *h)
{
    long sec = search_section_at(f->idx, h->offset);
    size_t floor = sec >= 0 ? f->idx->sections[sec].heading_end : 0;
    const md_span *strong = f->idx->strong;
    size_t n = f->idx->strong_count, ls, le;
    if (sec != f->sec || h->line_start < floor) /* the heading line: no label */
        f->has_label = 0;
    while (f->strong_k < n && strong[f->strong_k].start <= h->line_start) {
        md_span sp = strong[f->strong_k++];
        if (sp.start >= floor && strong_label(f->text, floor, sp, h, &ls, &le))
            f->has_label = 1, f->ls = ls, f->le = le;
    }
    f->sec = sec;
}

/* The text header's tail for the current hit into f->tmp, escaped. */
static int label_tail(fmt *f)
{
    long path[64];
    size_t depth = f->sec >= 0 ? section_path(f, f->sec, path) : 0;
    search_out_reset(&f->tmp);
    search_out *raw = &f->group; /* scratch: raw text before escaping */
    search_out_reset(raw);
    for (size_t d = depth > 1 ? 1 : 0; d < depth; d++) {
        size_t n;
        const char *t = title(f, path[d], &n);
        if (!t)
            return -1;
        search_out_put(raw, " \xE2\x80\xBA ", 5);
        search_out_put(raw, t, n);
    }
    if (f->has_label) {
        search_out_put(raw, " \xE2\x80\xBA ", 5);
        search_out_put(raw, f->text + f->ls, f->le - f->ls);
    }
    search_out_printable(&f->tmp, raw->data ? raw->data : "", raw->len);
    return raw->oom || f->tmp.oom ? -1 : 0;
}

/* ---- text --------------------------------------------------------------- */

/* Start of the line before the one starting at s (s > 0). */
static size_t line_before(const char *text, size_t s)
{
    const char *nl = s >= 2 ? memrchr(text, '\n', s - 1) : NULL;
    return nl ? (size_t)(nl - text) + 1 : 0;
}

/* The line starting at s: its end without "\n" and a CR before it; *next
 * is the next line's start (len at the end). */
static size_t line_end(const char *text, size_t len, size_t s, size_t *next)
{
    const char *nl = memchr(text + s, '\n', len - s);
    size_t e = nl ? (size_t)(nl - text) : len;
    *next = nl ? e + 1 : len;
    return (nl && e > s && text[e - 1] == '\r') ? e - 1 : e;
}

/* "  NO: text" (sep ':' for a hit, '-' for context), escaped; the part
 * before the text made in one piece, as this runs once per line shown. */
static void put_line(search_out *out, size_t no, char sep, const char *text, size_t s, size_t e)
{
    char head[32], *at = head + sizeof head;
    *--at = ' ';
    *--at = sep;
    at = digits_before(at, no);
    *--at = ' ';
    *--at = ' ';
    search_out_line(out, at, (size_t)(head + sizeof head - at), text + s, e - s);
}

/* Context state: the last line printed (number and next line's start). */
typedef struct ctx {
    size_t last, next;   /* 0: nothing printed yet */
    size_t after_until;  /* after-context of the previous hit ends here */
} ctx;

/* After-context of the previous hit, up to line `upto` (excluded). */
static void flush_after(search_out *out, ctx *c, const char *text, size_t len, size_t upto)
{
    while (c->last && c->last < c->after_until && c->last + 1 < upto && c->next < len) {
        size_t next, e = line_end(text, len, c->next, &next);
        put_line(out, c->last + 1, '-', text, c->next, e);
        c->last++, c->next = next;
    }
}

static int format_text(search_out *out, fmt *f, const search_format_opts *o,
                       const char *text, size_t len, const search_hit *hits, size_t n)
{
    search_out *last = &f->last;
    ctx c = {0, 0, 0};
    int first = 1, rc = 0, context = o->context;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const search_hit *h = &hits[i];
        long sec = f->sec;
        int had = f->has_label;
        size_t ls = f->ls, le = f->le;
        find_label(f, h);
        /* before-context: back from the hit's line, not past what is printed */
        size_t bs = h->line_start, bno = h->line;
        for (size_t k = 0; k < o->before && bno > 1 && bno - 1 > c.last; k++)
            bs = line_before(text, bs), bno--;
        flush_after(out, &c, text, len, bno);
        if (context && c.last && bno > c.last + 1)
            search_out_put(out, "--\n", 3);
        if (first || sec != f->sec || had != f->has_label || ls != f->ls || le != f->le) {
            if ((rc = label_tail(f)) != 0)
                break;
            if (first || f->tmp.len != last->len || memcmp(f->tmp.data, last->data, last->len)) {
                search_out_put(out, "\n", 1);
                search_out_mark(out, 0);
                search_out_put(out, f->tmp.data, f->tmp.len);
                search_out_put(out, "\n", 1);
                search_out_reset(last);
                search_out_put(last, f->tmp.data ? f->tmp.data : "", f->tmp.len);
            }
            first = 0;
        }
        for (; bno < h->line; bno++) {
            size_t next, e = line_end(text, len, bs, &next);
            put_line(out, bno, '-', text, bs, e);
            bs = next;
        }
        put_line(out, h->line, ':', text, h->line_start, h->line_end);
        c.last = h->line;
        if (o->after) /* where after-context would start */
            line_end(text, len, h->line_start, &c.next);
        c.after_until = h->line + o->after;
        rc = last->oom ? -1 : 0;
    }
    flush_after(out, &c, text, len, (size_t)-1);
    return rc;
}

/* ---- JSON --------------------------------------------------------------- */

/* ["a", "b"] as json.encode writes an array at depth 3. */
static int sections_json(fmt *f, search_out *js)
{
    long path[64];
    size_t depth = f->sec >= 0 ? section_path(f, f->sec, path) : 0;
    search_out_reset(js);
    if (depth == 0) {
        put_str(js, "[]");
        return 0;
    }
    put_str(js, "[\n");
    for (size_t d = 0; d < depth; d++) {
        size_t n;
        const char *t = title(f, path[d], &n);
        if (!t)
            return -1;
        put_str(js, d ? ",\n        " : "        ");
        search_out_json(js, t, n);
    }
    put_str(js, "\n      ]");
    return js->oom ? -1 : 0;
}

/* A context array at depth 3: k lines from the one starting at s. */
static void context_json(search_out *out, const char *text, size_t len, size_t s, size_t k)
{
    put_str(out, "[");
    for (size_t j = 0; j < k; j++) {
        size_t next, e = line_end(text, len, s, &next);
        put_str(out, j ? ",\n        " : "\n        ");
        search_out_json(out, text + s, e - s);
        s = next;
    }
    put_str(out, k ? "\n      ]" : "]");
}

/* The keys of a JSON hit, sorted: what each one is. */
enum { K_AFTER, K_BEFORE, K_COLUMN, K_LABEL, K_LINE, K_PATH, K_SECTION, K_SECTIONS,
       K_TEXT, K_FIELD };

typedef struct jkey {
    const char *name;
    int kind;  /* K_* */
    int field; /* K_FIELD: index in o->fields */
} jkey;

static int jkey_cmp(const void *a, const void *b)
{
    return strcmp(((const jkey *)a)->name, ((const jkey *)b)->name);
}

/* The keys of every hit in sorted order (as sesslua.json sorts them);
 * returns how many. */
static int json_keys(const search_format_opts *o, jkey keys[K_FIELD + SEARCH_FIELDS_MAX])
{
    static const char *const names[K_FIELD] = {"after", "before", "column", "label", "line",
                                               "path", "section", "sections", "text"};
    int n = 0, context = o->context;
    for (int k = context ? K_AFTER : K_COLUMN; k < K_FIELD; k++)
        keys[n].name = names[k], keys[n].kind = k, keys[n++].field = 0;
    for (int i = 0; i < o->nfields && i < SEARCH_FIELDS_MAX; i++)
        keys[n].name = o->fields[i], keys[n].kind = K_FIELD, keys[n++].field = i;
    qsort(keys, (size_t)n, sizeof *keys, jkey_cmp);
    return n;
}

/* One key's value for hit h. */
static int json_value(search_out *out, fmt *f, const search_format_opts *o, const jkey *k,
                      const search_out *pj, const search_out *secs, const char *text,
                      size_t len, const search_hit *h)
{
    size_t s, n, next;
    switch (k->kind) {
    case K_AFTER:
        line_end(text, len, h->line_start, &s);
        for (n = 0, next = s; n < o->after && next < len; n++)
            line_end(text, len, next, &next);
        context_json(out, text, len, s, n);
        break;
    case K_BEFORE:
        for (n = 0, s = h->line_start; n < o->before && s > 0; n++)
            s = line_before(text, s);
        context_json(out, text, len, s, n);
        break;
    case K_COLUMN:
        put_uint(out, h->column);
        break;
    case K_LABEL:
        if (f->has_label)
            search_out_json(out, text + f->ls, f->le - f->ls);
        else
            put_str(out, "null");
        break;
    case K_LINE:
        put_uint(out, h->line);
        break;
    case K_PATH:
        search_out_put(out, pj->data, pj->len);
        break;
    case K_SECTION: {
        const char *t = f->sec >= 0 ? title(f, f->sec, &n) : NULL;
        if (f->sec >= 0 && !t)
            return -1;
        if (t)
            search_out_json(out, t, n);
        else
            put_str(out, "null");
        break;
    }
    case K_SECTIONS:
        search_out_put(out, secs->data, secs->len);
        break;
    case K_TEXT:
        search_out_json(out, text + h->line_start, h->line_end - h->line_start);
        break;
    default:
        search_out_mark(out, k->field);
    }
    return 0;
}

static int format_json(search_out *out, fmt *f, const search_format_opts *o, const char *path,
                       const char *text, size_t len, const search_hit *hits, size_t n)
{
    search_out secs = {0}, pj = {0};
    jkey keys[K_FIELD + SEARCH_FIELDS_MAX];
    int nkeys = json_keys(o, keys);
    long sec_done = -2;
    int rc = 0;
    search_out_json(&pj, path, strlen(path));
    for (size_t i = 0; i < n && rc == 0; i++) {
        const search_hit *h = &hits[i];
        find_label(f, h);
        if (f->sec != sec_done && (rc = sections_json(f, &secs)) != 0)
            break;
        sec_done = f->sec;
        put_str(out, ",\n    {");
        for (int k = 0; k < nkeys && rc == 0; k++) {
            put_str(out, k ? ",\n      \"" : "\n      \"");
            put_str(out, keys[k].name);
            put_str(out, "\": ");
            rc = json_value(out, f, o, &keys[k], &pj, &secs, text, len, h);
        }
        put_str(out, "\n    }");
    }
    if (secs.oom || pj.oom)
        rc = -1;
    search_out_free(&secs);
    search_out_free(&pj);
    return rc;
}

/* ---- one file ----------------------------------------------------------- */

int search_format(search_out *out, const search_format_opts *o, const char *path,
                  const char *text, size_t len, const md_index *idx,
                  const search_hit *hits, size_t nhits, size_t count,
                  search_titles *titles)
{
    int rc = 0;
    if (o->format == SEARCH_PRINT_FILES || o->format == SEARCH_PRINT_COUNT) {
        search_out_printable(out, path, strlen(path));
        if (o->format == SEARCH_PRINT_COUNT) {
            search_out_put(out, ":", 1);
            put_uint(out, count);
        }
        search_out_put(out, "\n", 1);
        return out->oom ? -1 : 0;
    }
    search_titles local = {0};
    if (!titles)
        titles = &local;
    if (titles->count > SEARCH_TITLES_KEEP) /* a file's titles stay until it is done */
        titles_drop(titles);
    fmt f = {.text = text, .idx = idx, .cache = titles, .sec = -2};
    if (idx->count > titles->work_cap) {
        free(titles->work_titles);
        free(titles->work_tlen);
        titles->work_titles = malloc(idx->count * sizeof *titles->work_titles);
        titles->work_tlen = malloc(idx->count * sizeof *titles->work_tlen);
        titles->work_cap = titles->work_titles && titles->work_tlen ? idx->count : 0;
        if (!titles->work_cap)
            rc = -1;
    }
    if (rc == 0 && idx->count) {
        f.titles = titles->work_titles;
        f.tlen = titles->work_tlen;
        memset(f.titles, 0, idx->count * sizeof *f.titles);
    }
    f.group = titles->work[0], f.tmp = titles->work[1], f.last = titles->work[2];
    search_out_reset(&f.group), search_out_reset(&f.tmp), search_out_reset(&f.last);
    if (rc == 0)
        rc = o->format == SEARCH_PRINT_JSON
                 ? format_json(out, &f, o, path, text, len, hits, nhits)
                 : format_text(out, &f, o, text, len, hits, nhits);
    titles->work[0] = f.group, titles->work[1] = f.tmp, titles->work[2] = f.last;
    for (int i = 0; i < 3; i++) /* memory follows the window, not the largest file */
        if (titles->work[i].cap > SEARCH_WORK_KEEP)
            search_out_free(&titles->work[i]);
    if (titles->work_cap * sizeof(size_t) > SEARCH_WORK_KEEP) {
        free(titles->work_titles), free(titles->work_tlen);
        titles->work_titles = NULL, titles->work_tlen = NULL, titles->work_cap = 0;
    }
    search_titles_free(&local);
    return rc || out->oom ? -1 : 0;
}
