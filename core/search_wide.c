/*
 * search_wide.c — case-insensitive literals holding a letter whose case
 * variants differ in UTF-8 length: k (KELVIN SIGN, 3 bytes), s (ſ, 2
 * bytes), ß (ẞ, 3 bytes), å (ANGSTROM SIGN), ω (OHM SIGN), and the rest of
 * the 34 pairs search_fold.h leaves out.
 *
 * The literal kernel compares folded bytes at fixed offsets, so it cannot
 * take such a letter. The needle is cut into units; the longest run of
 * units without one (the anchor) goes to the kernel, and each anchor
 * found is extended letter by letter, backwards over the units before it
 * and forwards over the units after it, comparing code points by full
 * simple case folding. A needle made only of such letters ("ss", "k") has
 * no anchor and goes to PCRE2, whose caseless UTF mode folds the same way
 * (Turkish İ and ı fold to nothing else in both).
 */
#include "search_internal.h"

#include <stdlib.h>
#include <string.h>

/* Simple case foldings that change the UTF-8 length (CaseFolding.txt C+S,
 * Unicode 14): source -> target. The targets fold to themselves. */
static const unsigned wide_pairs[][2] = {
    {0x017F, 0x0073}, {0x023A, 0x2C65}, {0x023E, 0x2C66}, {0x1C80, 0x0432},
    {0x1C81, 0x0434}, {0x1C82, 0x043E}, {0x1C83, 0x0441}, {0x1C84, 0x0442},
    {0x1C85, 0x0442}, {0x1C86, 0x044A}, {0x1C87, 0x0463}, {0x1E9E, 0x00DF},
    {0x1FBE, 0x03B9}, {0x2126, 0x03C9}, {0x212A, 0x006B}, {0x212B, 0x00E5},
    {0x2C62, 0x026B}, {0x2C64, 0x027D}, {0x2C6D, 0x0251}, {0x2C6E, 0x0271},
    {0x2C6F, 0x0250}, {0x2C70, 0x0252}, {0x2C7E, 0x023F}, {0x2C7F, 0x0240},
    {0xA78D, 0x0265}, {0xA7AA, 0x0266}, {0xA7AB, 0x025C}, {0xA7AC, 0x0261},
    {0xA7AD, 0x026C}, {0xA7AE, 0x026A}, {0xA7B0, 0x029E}, {0xA7B1, 0x0287},
    {0xA7B2, 0x029D}, {0xA7C5, 0x0282},
};
enum { NPAIRS = sizeof wide_pairs / sizeof wide_pairs[0] };

/* A byte that is not well-formed UTF-8 is its own unit: 0x110000 + byte. */
#define RAW(b) (0x110000u + (b))

/* Full simple case folding of a code point (or RAW byte). */
static unsigned fold_full(unsigned cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp >= 0x110000)
        return cp;
    for (int i = 0; i < NPAIRS; i++)
        if (wide_pairs[i][0] == cp)
            return wide_pairs[i][1];
    return search_fold_cp(cp);
}

/* Whether a folded code point has case variants of another length. */
static int is_wide(unsigned f)
{
    for (int i = 0; i < NPAIRS; i++)
        if (wide_pairs[i][1] == f)
            return 1;
    return 0;
}

/* The unit at t[i]: its length, and its code point or RAW byte in *cp. */
static size_t unit_at(const unsigned char *t, size_t len, size_t i, unsigned *cp)
{
    size_t n = search_seq_len(t, len, i);
    if (n == 0) {
        *cp = RAW(t[i]);
        return 1;
    }
    if (n == 1) {
        *cp = t[i];
        return 1;
    }
    unsigned v = t[i] & (0x7Fu >> n);
    for (size_t k = 1; k < n; k++)
        v = (v << 6) | (t[i + k] & 0x3Fu);
    *cp = v;
    return n;
}

typedef struct wide {
    search_pattern anchor; /* the kernel's part of the needle */
    unsigned *pre, *post;  /* folded units before and after it */
    size_t npre, npost;
    /* Most text holds none of the letters of other length that the needle's
     * letters stand for (a KELVIN SIGN for its k): then the kernel alone,
     * on the whole needle, is exact. Set when no needle letter is itself
     * of the other length. */
    search_pattern whole;
    unsigned char src[NPAIRS][4]; /* the UTF-8 of those letters */
    size_t srclen[NPAIRS];
    int nsrc;
} wide;

static void utf8_put(unsigned cp, unsigned char out[4], size_t *n)
{
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        *n = 2;
    } else {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        *n = 3;
    }
}

/* Fill w->src with the letters of other length behind the needle's wide
 * units, and compile w->whole; 0, or -1 out of memory. Leaves whole
 * uncompiled when a needle letter is one of those letters itself. */
static int whole_plan(wide *w, const unsigned char *n, size_t len, int flags)
{
    unsigned added[NPAIRS];
    for (size_t i = 0, u; i < len; i += u) {
        unsigned cp;
        u = unit_at(n, len, i, &cp);
        unsigned f = fold_full(cp);
        for (int k = 0; k < NPAIRS; k++) {
            if (wide_pairs[k][0] == cp)
                return 0; /* the needle holds such a letter: no shortcut */
            int seen = 0;
            for (int j = 0; j < w->nsrc; j++)
                seen |= added[j] == wide_pairs[k][0];
            if (wide_pairs[k][1] == f && !seen) {
                added[w->nsrc] = wide_pairs[k][0];
                utf8_put(wide_pairs[k][0], w->src[w->nsrc], &w->srclen[w->nsrc]);
                w->nsrc++;
            }
        }
    }
    return search_compile(&w->whole, (const char *)n, len, flags) != 0 ? -1 : 0;
}

/* Whether text holds any of w->src. */
static int has_src(const wide *w, const char *text, size_t len)
{
    /* memchr (vectorised in libc; memmem is not) on the letter's last
     * byte, which tells it from its neighbours: a lead byte such as E2
     * also starts every arrow, dash and check mark of a log */
    for (int j = 0; j < w->nsrc; j++) {
        size_t n = w->srclen[j];
        if (len < n)
            continue;
        const char *p = text + n - 1, *end = text + len;
        while ((p = memchr(p, w->src[j][n - 1], (size_t)(end - p))) != NULL) {
            if (memcmp(p - (n - 1), w->src[j], n - 1) == 0)
                return 1;
            p++;
        }
    }
    return 0;
}

int search_wide_compile(search_pattern *pat, const char *needle, size_t len, int flags)
{
    const unsigned char *n = (const unsigned char *)needle;
    size_t best_at = 0, best_len = 0, best_u = 0, best_nu = 0;
    size_t units = 0, run_at = 0, run_u = 0, nwide = 0;
    for (size_t i = 0, u; i < len; i += u, units++) {
        unsigned cp;
        u = unit_at(n, len, i, &cp);
        if (is_wide(fold_full(cp))) {
            nwide++;
            run_at = i + u, run_u = units + 1;
        } else if (i + u - run_at > best_len) {
            best_at = run_at, best_len = i + u - run_at;
            best_u = run_u, best_nu = units + 1 - run_u;
        }
    }
    if (nwide == 0)
        return 2;
    if (best_len == 0)
        return 1;
    wide *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->npre = best_u;
    w->npost = units - best_u - best_nu;
    w->pre = malloc((w->npre + w->npost + 1) * sizeof *w->pre);
    if (!w->pre || search_compile(&w->anchor, needle + best_at, best_len, flags) != 0) {
        free(w->pre);
        free(w);
        return -1;
    }
    w->post = w->pre + w->npre;
    if (whole_plan(w, n, len, flags) != 0) {
        pat->wide = w;
        search_wide_free(pat);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0, u, j = 0; i < len; i += u, j++) {
        unsigned cp;
        u = unit_at(n, len, i, &cp);
        if (j < best_u || j >= best_u + best_nu)
            w->pre[k++] = fold_full(cp);
    }
    pat->wide = w;
    pat->len = len;
    pat->flags = flags;
    return 0;
}

void search_wide_free(search_pattern *pat)
{
    wide *w = pat->wide;
    if (!w)
        return;
    search_pattern_free(&w->anchor);
    search_pattern_free(&w->whole);
    free(w->pre);
    free(w);
    pat->wide = NULL;
}

/* The needle matched around an anchor at [p, p + alen): its start in
 * *start and end in *end, or 0. */
static int extend(const wide *w, const unsigned char *t, size_t len, size_t p, size_t alen,
                  size_t *start, size_t *end)
{
    size_t q = p;
    for (size_t i = w->npre; i-- > 0;) {
        unsigned cp;
        if (q == 0)
            return 0;
        size_t s = search_unit_start(t, len, q - 1);
        if (s + unit_at(t, len, s, &cp) != q || fold_full(cp) != w->pre[i])
            return 0;
        q = s;
    }
    size_t r = p + alen;
    if (w->npost && r < len && search_unit_start(t, len, r) != r)
        return 0;
    for (size_t i = 0; i < w->npost; i++) {
        unsigned cp;
        if (r >= len)
            return 0;
        size_t u = unit_at(t, len, r, &cp);
        if (fold_full(cp) != w->post[i])
            return 0;
        r += u;
    }
    *start = q, *end = r;
    return 1;
}

const search_pattern *search_plain_kernel(const search_pattern *pat)
{
    return pat->wide ? &((const wide *)pat->wide)->whole : pat;
}

int search_wide_plain(const search_pattern *pat, const char *text, size_t len)
{
    const wide *w = pat->wide;
    return w->whole.needle && !has_src(w, text, len);
}

int search_literal_next(const search_pattern *pat, const unsigned char *t, size_t len,
                        size_t from, int plain, size_t *s, size_t *e)
{
    const wide *w = pat->wide;
    if (!w || plain) {
        const search_pattern *whole = search_plain_kernel(pat);
        size_t p = search_find(whole, t, len, from);
        if (p == (size_t)-1)
            return 0;
        *s = p, *e = p + whole->len;
        return 1;
    }
    /* anchors from `from` on; a match may begin before its anchor, but
     * not before `from` */
    for (size_t at = from;;) {
        size_t p = search_find(&w->anchor, t, len, at);
        if (p == (size_t)-1)
            return 0;
        at = p + 1;
        if (extend(w, t, len, p, w->anchor.len, s, e) && *s >= from)
            return 1;
    }
}

size_t search_wide_buffer(const search_pattern *pat, const char *text, size_t len,
                          search_fn fn, void *ud)
{
    const unsigned char *t = (const unsigned char *)text;
    search_cursor cur = {0, 1, 0};
    size_t reported = 0, s, e;
    int plain = search_wide_plain(pat, text, len);
    while (cur.pos < len && search_literal_next(pat, t, len, cur.pos, plain, &s, &e)) {
        search_hit hit;
        search_cursor_hit(&cur, t, len, s, e - s, &hit);
        reported++;
        if (fn && fn(ud, text, &hit))
            break;
    }
    return reported;
}
