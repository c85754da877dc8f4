/*
 * search.c — literal search, see search.h.
 *
 * Case-insensitive matching is defined as: fold the text and the needle
 * (ASCII A-Z, and two-byte UTF-8 upper-case letters to their lower case),
 * then compare bytes. Folding maps ASCII to ASCII and a two-byte sequence to
 * a two-byte sequence, so it keeps every offset; and whether a byte is part
 * of a two-byte sequence depends only on its neighbours (lead bytes C2-DF are
 * never continuation bytes), so a candidate is verified by folding just the
 * bytes under it.
 *
 * Candidates come from a filter on two "rare" needle bytes (the generic
 * SIMD substring idea of W. Mula): a position can only match if the text byte
 * under needle[k1] is one of at most two raw values that fold to it, and the
 * same for k2. With SSE2 that test runs 16 positions at a time; the portable
 * fallback runs it one position at a time. Lines are counted only up to each
 * hit, so a file without matches is never walked line by line.
 */
/* memmem and memrchr are GNU (and BSD, and POSIX 2024) extensions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "search.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define SEARCH_SSE2 1
#endif

#define BINARY_PROBE 8192

/* ---- folding ---------------------------------------------------------- */

static unsigned ascii_lower(unsigned c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int is_lead2(unsigned c) { return c >= 0xC2 && c <= 0xDF; }
static int is_cont(unsigned c) { return c >= 0x80 && c <= 0xBF; }

/* Latin Extended-A (U+0100-017F): pairs alternate even/odd upper/lower,
 * with the parity flipping at the few letters that have no pair. */
static unsigned fold_latin_ext_a(unsigned cp)
{
    if (cp == 0x0130 || cp == 0x0131 || cp == 0x0138 || cp == 0x0149 ||
        cp == 0x017F)
        return cp; /* İ ı ĸ ŉ ſ: their case partners are ASCII or absent */
    if (cp == 0x0178)
        return 0x00FF; /* Ÿ -> ÿ */
    if ((cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E))
        return (cp & 1) ? cp + 1 : cp;
    return (cp & 1) ? cp : cp + 1;
}

static unsigned fold_greek(unsigned cp)
{
    if (cp >= 0x0391 && cp <= 0x03AB && cp != 0x03A2)
        return cp + 0x20;
    switch (cp) {
    case 0x0386: return 0x03AC;
    case 0x0388: case 0x0389: case 0x038A: return cp + 0x25;
    case 0x038C: return 0x03CC;
    case 0x038E: case 0x038F: return cp + 0x3F;
    case 0x03C2: return 0x03C3; /* final sigma folds like sigma */
    default: return cp;
    }
}

/* Lower-case partner of a code point below U+0800, or cp itself. */
static unsigned fold_cp(unsigned cp)
{
    if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7)
        return cp + 0x20;
    if (cp >= 0x0100 && cp <= 0x017F)
        return fold_latin_ext_a(cp);
    if (cp >= 0x0386 && cp <= 0x03C2)
        return fold_greek(cp);
    if (cp >= 0x0400 && cp <= 0x040F)
        return cp + 0x50;
    if (cp >= 0x0410 && cp <= 0x042F)
        return cp + 0x20;
    return cp;
}

/* Fold the two-byte sequence (lead, cont); returns both bytes packed. */
static unsigned fold_pair(unsigned lead, unsigned cont)
{
    unsigned cp = fold_cp(((lead & 0x1Fu) << 6) | (cont & 0x3Fu));
    return ((0xC0u | (cp >> 6)) << 8) | (0x80u | (cp & 0x3Fu));
}

/* The folded value of text[i], looking at its neighbours only. */
static unsigned fold_at(const unsigned char *t, size_t len, size_t i)
{
    unsigned c = t[i];
    if (c < 0x80)
        return ascii_lower(c);
    if (is_lead2(c) && i + 1 < len && is_cont(t[i + 1]))
        return fold_pair(c, t[i + 1]) >> 8;
    if (is_cont(c) && i > 0 && is_lead2(t[i - 1]))
        return fold_pair(t[i - 1], c) & 0xFFu;
    return c;
}

/* ---- binary ----------------------------------------------------------- */

/* grep's rule, in short: a NUL near the start means not text. */
int search_is_binary(const char *text, size_t len)
{
    return memchr(text, 0, len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

/* ---- candidate filter ------------------------------------------------- */

/* One probed needle position: the text byte there must be a or b. */
typedef struct probe {
    size_t k;
    unsigned char a, b;
} probe;

typedef struct plan {
    probe p1, p2;
    int ascii;          /* needle all ASCII: verify without UTF-8 context */
    int use_table;      /* p1 has more than two raw values: use table */
    unsigned char table[256]; /* raw bytes accepted at p1 when use_table */
} plan;

/* Rough frequency rank of a byte in English-ish Markdown logs (0 = rare). */
static unsigned byte_freq(unsigned c)
{
    static const char common[] = "etaoinsrhldcumfpgwyb.,-:v/k*#)(|_'\"0123"
                                 "456789`[]x=>j<q!z?+;@&%";
    if (c == ' ' || c == '\n')
        return 255;
    const char *hit = c ? strchr(common, (int)ascii_lower(c)) : NULL;
    if (!hit)
        return c >= 0x80 ? 8 : 1;
    return 250 - (unsigned)(hit - common) * 4;
}

/* Raw byte values that fold to v in some context, as a 256-entry table;
 * returns how many. Only needed for non-ASCII needle bytes. */
static int preimage(unsigned v, unsigned char table[256])
{
    int count = 0;
    memset(table, 0, 256);
    table[v] = 1;
    for (unsigned lead = 0xC2; lead <= 0xDF; lead++)
        for (unsigned cont = 0x80; cont <= 0xBF; cont++) {
            unsigned f = fold_pair(lead, cont);
            if ((f >> 8) == v)
                table[lead] = 1;
            if ((f & 0xFFu) == v)
                table[cont] = 1;
        }
    for (int i = 0; i < 256; i++)
        count += table[i];
    return count;
}

/* Fill pr for needle position k; returns how many raw values it accepts. */
static int make_probe(const search_pattern *pat, size_t k, probe *pr,
                      unsigned char table[256])
{
    unsigned v = (unsigned char)pat->needle[k];
    int count = 1;
    pr->k = k;
    pr->a = pr->b = (unsigned char)v;
    if (!(pat->flags & SEARCH_ICASE))
        return 1;
    if (v < 0x80) {
        if (v >= 'a' && v <= 'z')
            pr->b = (unsigned char)(v - 32);
        return 1 + (pr->b != pr->a);
    }
    count = preimage(v, table);
    for (int i = 0, seen = 0; i < 256 && count <= 2; i++)
        if (table[i] && i != (int)v && !seen++)
            pr->b = (unsigned char)i;
    return count;
}

/* Pick the two rarest usable needle positions. */
static void make_plan(const search_pattern *pat, plan *pl)
{
    const unsigned char *n = (const unsigned char *)pat->needle;
    unsigned best1 = ~0u, best2 = ~0u;
    size_t k1 = 0, k2 = 0;
    unsigned char scratch[256];
    pl->ascii = 1;
    for (size_t k = 0; k < pat->len; k++) {
        if (n[k] >= 0x80)
            pl->ascii = 0;
        /* Prefer ASCII: a non-ASCII byte may have several raw pre-images. */
        unsigned f = byte_freq(n[k]) + (n[k] >= 0x80 ? 256 : 0);
        if (f < best1) {
            best2 = best1, k2 = k1;
            best1 = f, k1 = k;
        } else if (f < best2) {
            best2 = f, k2 = k;
        }
    }
    if (best2 == ~0u)
        k2 = k1;
    int wide1 = make_probe(pat, k1, &pl->p1, pl->table) > 2;
    int wide2 = make_probe(pat, k2, &pl->p2, scratch) > 2;
    /* A probe accepting more than two raw values cannot run in the vector
     * filter: drop it, or fall back to a table on p1 when both are wide. */
    if (wide1 && !wide2)
        pl->p1 = pl->p2;
    else if (wide2 && !wide1)
        pl->p2 = pl->p1;
    pl->use_table = wide1 && wide2;
}

/* ---- compile ---------------------------------------------------------- */

/* The plan is made once per pattern and kept in the same allocation as the
 * needle, after it: search.h's struct stays small and stable, and
 * search_pattern_free() still frees one block. */
static size_t plan_offset(size_t len)
{
    return (len + _Alignof(plan) - 1) / _Alignof(plan) * _Alignof(plan);
}

static const plan *pattern_plan(const search_pattern *pat)
{
    return (const plan *)(const void *)(pat->needle + plan_offset(pat->len));
}

int search_compile(search_pattern *pat, const char *needle, size_t len, int flags)
{
    const unsigned char *n = (const unsigned char *)needle;
    pat->needle = NULL;
    pat->len = 0;
    pat->flags = flags;
    if (len == 0)
        return -2;
    if (len > ((size_t)-1 - 2 * sizeof(plan)))
        return -1;
    pat->needle = malloc(plan_offset(len) + sizeof(plan));
    if (!pat->needle)
        return -1;
    for (size_t i = 0; i < len; i++)
        pat->needle[i] = (char)((flags & SEARCH_ICASE) ? fold_at(n, len, i) : n[i]);
    pat->len = len;
    plan *pl = (plan *)(void *)(pat->needle + plan_offset(len));
    memset(pl, 0, sizeof *pl);
    if (flags & SEARCH_ICASE)
        make_plan(pat, pl);
    return 0;
}

void search_pattern_free(search_pattern *pat)
{
    free(pat->needle);
    pat->needle = NULL;
    pat->len = 0;
}

/* ---- verification ----------------------------------------------------- */

static int verify(const search_pattern *pat, const plan *pl,
                  const unsigned char *t, size_t len, size_t p)
{
    const unsigned char *n = (const unsigned char *)pat->needle;
    if (pl->ascii) {
        for (size_t i = 0; i < pat->len; i++)
            if (ascii_lower(t[p + i]) != n[i])
                return 0;
        return 1;
    }
    for (size_t i = 0; i < pat->len; i++)
        if (fold_at(t, len, p + i) != n[i])
            return 0;
    return 1;
}

static int probe_ok(const probe *pr, const unsigned char *t, size_t p)
{
    unsigned c = t[p + pr->k];
    return c == pr->a || c == pr->b;
}

/* First match starting in [from, last], last = len - needle length; or
 * (size_t)-1. Portable one-position-at-a-time filter. */
static size_t find_scalar(const search_pattern *pat, const plan *pl,
                          const unsigned char *t, size_t len, size_t from,
                          size_t last)
{
    for (size_t p = from; p <= last; p++) {
        int ok = pl->use_table ? pl->table[t[p + pl->p1.k]]
                               : probe_ok(&pl->p1, t, p) && probe_ok(&pl->p2, t, p);
        if (ok && verify(pat, pl, t, len, p))
            return p;
    }
    return (size_t)-1;
}

#ifdef SEARCH_SSE2
static __m128i probe_mask(const probe *pr, const unsigned char *t, size_t p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + p + pr->k));
    return _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->a)),
                        _mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->b)));
}

/* 16 candidate positions per step; loads stay inside t[0, len). */
static size_t find_sse2(const search_pattern *pat, const plan *pl,
                        const unsigned char *t, size_t len, size_t from,
                        size_t last)
{
    size_t kmax = pl->p1.k > pl->p2.k ? pl->p1.k : pl->p2.k;
    size_t p = from;
    for (; !pl->use_table && p + kmax + 16 <= len && p <= last; p += 16) {
        __m128i m = _mm_and_si128(probe_mask(&pl->p1, t, p), probe_mask(&pl->p2, t, p));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        while (bits) {
            size_t q = p + (size_t)__builtin_ctz(bits);
            if (q <= last && verify(pat, pl, t, len, q))
                return q;
            bits &= bits - 1;
        }
    }
    return p <= last ? find_scalar(pat, pl, t, len, p, last) : (size_t)-1;
}
#endif

static size_t find_next(const search_pattern *pat, const plan *pl,
                        const unsigned char *t, size_t len, size_t from)
{
    if (len < pat->len || from > len - pat->len)
        return (size_t)-1;
    if (!(pat->flags & SEARCH_ICASE)) {
        const char *m = memmem(t + from, len - from, pat->needle, pat->len);
        return m ? (size_t)((const unsigned char *)m - t) : (size_t)-1;
    }
#ifdef SEARCH_SSE2
    return find_sse2(pat, pl, t, len, from, len - pat->len);
#else
    return find_scalar(pat, pl, t, len, from, len - pat->len);
#endif
}

/* ---- lines ------------------------------------------------------------ */

/* Number of '\n' in t[a, b). */
static size_t count_newlines(const unsigned char *t, size_t a, size_t b)
{
    size_t n = 0;
#ifdef SEARCH_SSE2
    /* Per-byte counters (cmpeq gives -1 per newline), summed with psadbw
     * before any of them can wrap at 255. */
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (a + 16 <= b) {
        __m128i acc = zero;
        for (int i = 0; i < 255 && a + 16 <= b; i++, a += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + a));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, nl));
        }
        __m128i sum = _mm_sad_epu8(acc, zero);
        n += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_extract_epi16(sum, 4);
    }
#endif
    for (; a < b; a++)
        n += t[a] == '\n';
    return n;
}

/* Where the scan stands: line `line` starts at or before `pos`, and lines
 * before `pos` are counted. */
typedef struct cursor {
    size_t pos;
    size_t line;
    size_t line_start;
} cursor;

/* Fill hit for a match at off and move the cursor to the next line after
 * the match's last byte. */
static void make_hit(cursor *cur, const unsigned char *t, size_t len,
                     size_t off, size_t mlen, search_hit *hit)
{
    size_t nl = count_newlines(t, cur->pos, off);
    if (nl) {
        const unsigned char *last = memrchr(t + cur->pos, '\n', off - cur->pos);
        cur->line_start = (size_t)(last - t) + 1;
    }
    cur->line += nl;
    const unsigned char *eol = memchr(t + off, '\n', len - off);
    size_t end = eol ? (size_t)(eol - t) : len;
    hit->offset = off;
    hit->length = mlen;
    hit->line = cur->line;
    hit->column = off - cur->line_start + 1;
    hit->line_start = cur->line_start;
    hit->line_end = (eol && end > cur->line_start && t[end - 1] == '\r') ? end - 1 : end;
    /* A needle holding '\n' ends on a later line: resume after that one. */
    size_t tail = off + mlen - 1;
    if (eol && tail > end)
        eol = memchr(t + tail, '\n', len - tail);
    cur->pos = eol ? (size_t)(eol - t) + 1 : len;
    cur->line += count_newlines(t, off, cur->pos);
    cur->line_start = cur->pos;
}

size_t search_buffer(const search_pattern *pat, const char *text, size_t len,
                     search_fn fn, void *ud)
{
    const unsigned char *t = (const unsigned char *)text;
    cursor cur = {0, 1, 0};
    size_t reported = 0;
    if (!pat->needle || pat->len == 0 || len < pat->len)
        return 0;
    const plan *pl = pattern_plan(pat);
    while (cur.pos < len) {
        size_t off = find_next(pat, pl, t, len, cur.pos);
        search_hit hit;
        if (off == (size_t)-1)
            break;
        make_hit(&cur, t, len, off, pat->len, &hit);
        reported++;
        if (fn && fn(ud, text, &hit))
            break;
    }
    return reported;
}
