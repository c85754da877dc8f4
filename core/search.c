/*
 * search.c — literal search, see search.h.
 *
 * Case-insensitive matching is defined as: fold the text and the needle,
 * then compare bytes. Folding splits a buffer into units — an ASCII byte, a
 * well-formed UTF-8 sequence (Unicode table 3-7), or any other byte alone —
 * and maps each sequence to the sequence of its Unicode simple case folding
 * (search_fold.h, generated), ASCII A-Z to a-z, and lone bytes to
 * themselves. The table keeps only foldings with the same UTF-8 length, so
 * folding keeps every offset; and the unit holding a byte depends only on
 * the three bytes either side of it, so a candidate is verified by folding
 * just the units under it.
 *
 * Candidates come from a filter on two "rare" needle bytes (the generic
 * SIMD substring idea of W. Mula): a position can only match if the text byte
 * under needle[k1] is one of the few raw values that can fold to it there,
 * and the same for k2. Inside a well-formed needle letter those are the
 * bytes of the letter's case variants (at most FOLD_CLASS_MAX); for an ASCII
 * needle they are the letter's two cases, and that path is the one tuned.
 * With SSE2 the test runs 16 positions at a time; the portable fallback runs
 * it one position at a time. Lines are counted only up to each hit, so a
 * file without matches is never walked line by line.
 */
/* memmem and memrchr are GNU (and BSD, and POSIX 2024) extensions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search_fold.h"
#include "search_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define SEARCH_SSE2 1
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* AVX2 is chosen at run time (the build targets plain x86-64) */
#include <immintrin.h>
#define SEARCH_AVX2 1
#endif
#endif

#define BINARY_PROBE 8192

/* ---- folding ---------------------------------------------------------- */

static unsigned ascii_lower(unsigned c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int is_cont(unsigned c) { return (c & 0xC0u) == 0x80u; }

/* Length of the well-formed UTF-8 sequence starting at t[i] (i < len): 1
 * for ASCII, 2 to 4, or 0 when t[i] starts none — a continuation byte, C0,
 * C1, F5-FF, or a sequence that is cut short, overlong, a surrogate or
 * above U+10FFFF. */
static size_t seq_len(const unsigned char *t, size_t len, size_t i)
{
    unsigned c = t[i], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        n = 2;
    } else if (c < 0xF0) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (len - i < n || t[i + 1] < lo || t[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (!is_cont(t[i + k]))
            return 0;
    return n;
}

/* The code point of a well-formed sequence of n >= 2 bytes. */
static unsigned utf8_decode(const unsigned char *s, size_t n)
{
    unsigned cp = s[0] & (0x7Fu >> n);
    for (size_t k = 1; k < n; k++)
        cp = (cp << 6) | (s[k] & 0x3Fu);
    return cp;
}

/* Write cp as an n-byte sequence (n >= 2, and cp needs exactly n bytes). */
static void utf8_encode(unsigned cp, size_t n, unsigned char *out)
{
    static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t k = n - 1; k > 0; k--) {
        out[k] = (unsigned char)(0x80u | (cp & 0x3Fu));
        cp >>= 6;
    }
    out[0] = (unsigned char)(lead[n] | cp);
}

/* Simple case folding of a code point from U+0080 up, when it keeps the
 * UTF-8 length; otherwise cp itself. */
static unsigned fold_cp(unsigned cp)
{
    if (cp >= FOLD_LIMIT)
        return cp;
    unsigned block = fold_stage1[cp >> FOLD_SHIFT];
    return (unsigned)((long)cp + fold_delta[fold_stage2[block][cp & ((1u << FOLD_SHIFT) - 1)]]);
}

/* Fold the unit starting at t[s] into out; returns its length. */
static size_t fold_unit(const unsigned char *t, size_t len, size_t s,
                        unsigned char out[4])
{
    unsigned c = t[s];
    if (c < 0x80) {
        out[0] = (unsigned char)ascii_lower(c);
        return 1;
    }
    size_t n = seq_len(t, len, s);
    if (n == 0) {
        out[0] = (unsigned char)c;
        return 1;
    }
    utf8_encode(fold_cp(utf8_decode(t + s, n)), n, out);
    return n;
}

/* Start of the unit holding t[i]: a continuation byte belongs to the
 * nearest non-continuation byte at most three bytes back when the
 * well-formed sequence that byte starts reaches i; else it stands alone. */
static size_t unit_start(const unsigned char *t, size_t len, size_t i)
{
    if (!is_cont(t[i]))
        return i;
    for (size_t back = 1; back <= 3 && back <= i; back++)
        if (!is_cont(t[i - back]))
            return seq_len(t, len, i - back) > back ? i - back : i;
    return i;
}

/* The code points that fold to f, f included (f must fold to itself);
 * returns how many. Any such cp is f minus one of the table's deltas. */
static size_t fold_class(unsigned f, unsigned out[FOLD_CLASS_MAX])
{
    size_t n = 0;
    out[n++] = f;
    for (size_t d = 1; d < sizeof fold_delta / sizeof *fold_delta; d++) {
        long cp = (long)f - fold_delta[d];
        if (cp >= 0x80 && cp < FOLD_LIMIT && fold_cp((unsigned)cp) == f &&
            n < FOLD_CLASS_MAX)
            out[n++] = (unsigned)cp;
    }
    return n;
}

/* ---- binary ----------------------------------------------------------- */

/* grep's rule, in short: a NUL near the start means not text. */
int search_is_binary(const char *text, size_t len)
{
    return memchr(text, 0, len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

/* ---- candidate filter ------------------------------------------------- */

/* One probed needle position: the text byte there must be one of v[0..3]
 * (unused slots repeat v[0]). When those are at most two values a bit
 * apart (a letter's two cases, 'd' and 'D'), the test is also
 * (byte | bit) == or_val: one OR and one compare in the vector filter. */
typedef struct probe {
    size_t k;
    unsigned char v[4];
    unsigned char bit, or_val;
} probe;

enum {
    PLAN_PAIR,  /* each probe's values are at most two, a bit apart */
    PLAN_QUAD,  /* each probe accepts at most four */
    PLAN_TABLE, /* p1 accepts more: test it through table */
};

typedef struct plan {
    probe p1, p2;
    int ascii;          /* needle all ASCII: verify without UTF-8 context */
    int mode;           /* PLAN_* */
    unsigned char table[256]; /* raw bytes accepted at p1 in PLAN_TABLE */
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

/* Mark in table every raw byte that folds to v (>= 0x80) in some context:
 * v, and byte j of each sequence whose folding has v at j. Only for needle
 * bytes outside a well-formed sequence, so it may be slow. */
static void preimage_any(unsigned v, unsigned char table[256])
{
    table[v] = 1;
    for (unsigned cp = 0x80; cp < FOLD_LIMIT; cp++) {
        if (!fold_stage1[cp >> FOLD_SHIFT]) {
            cp |= (1u << FOLD_SHIFT) - 1; /* no folding in this block */
            continue;
        }
        unsigned f = fold_cp(cp);
        if (f == cp)
            continue;
        unsigned char a[4], b[4];
        size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        utf8_encode(cp, n, a);
        utf8_encode(f, n, b);
        for (size_t j = 0; j < n; j++)
            if (b[j] == v)
                table[a[j]] = 1;
    }
}

/* The raw text bytes that can stand under folded needle byte n[k] >= 0x80
 * in a match, as a 256-entry table; returns how many. Inside a well-formed
 * needle sequence the text must hold a case variant of that letter at the
 * same place (a lead byte there only starts a well-formed sequence of the
 * same length), so the answer is byte k of each variant. */
static int position_set(const unsigned char *n, size_t len, size_t k,
                        unsigned char table[256])
{
    size_t s = unit_start(n, len, k), sl = seq_len(n, len, s);
    int count = 0;
    memset(table, 0, 256);
    if (sl >= 2 && s + sl > k) {
        unsigned cls[FOLD_CLASS_MAX];
        size_t m = fold_class(utf8_decode(n + s, sl), cls);
        for (size_t i = 0; i < m; i++) {
            unsigned char e[4];
            utf8_encode(cls[i], sl, e);
            table[e[k - s]] = 1;
        }
    } else {
        preimage_any(n[k], table);
    }
    for (int i = 0; i < 256; i++)
        count += table[i];
    return count;
}

/* Fill pr for needle position k; returns how many raw values it accepts
 * (pr->v is filled only when that is at most four). */
static int make_probe(const search_pattern *pat, size_t k, probe *pr,
                      unsigned char table[256])
{
    const unsigned char *n = (const unsigned char *)pat->needle;
    unsigned v = n[k];
    pr->k = k;
    memset(pr->v, (int)v, sizeof pr->v);
    if (v < 0x80) { /* no table needed */
        if (v < 'a' || v > 'z')
            return 1;
        pr->v[1] = pr->v[3] = (unsigned char)(v - 32);
        return 2;
    }
    int count = position_set(n, pat->len, k, table);
    int got = 1;
    for (int i = 0; i < 256 && count <= 4; i++)
        if (table[i] && i != (int)v)
            pr->v[got++] = (unsigned char)i;
    return count;
}

/* Whether pr's values (v[0] and v[1]) differ in at most one bit; if so,
 * set the OR test that accepts exactly them. */
static int or_test(probe *pr)
{
    unsigned d = pr->v[0] ^ pr->v[1];
    if (d & (d - 1))
        return 0;
    pr->bit = (unsigned char)d;
    pr->or_val = (unsigned char)(pr->v[0] | d);
    return 1;
}

/* Cost of probing position k (lower is better). ASCII goes by English
 * frequency. Inside a needle letter the probe accepts just the bytes of the
 * letter's case variants, which are rare in English-ish logs; the last
 * byte (which tells letters apart) is preferred to a middle byte (shared by
 * a block of 64 letters) and to the lead byte (which repeats through a
 * whole script), and fewer accepted values to more. A byte outside any
 * letter may accept many raw values: last. */
static unsigned probe_cost(const unsigned char *n, size_t len, size_t k)
{
    unsigned c = n[k];
    if (c < 0x80)
        return byte_freq(c);
    size_t s = unit_start(n, len, k), sl = seq_len(n, len, s);
    if (sl < 2 || s + sl <= k)
        return 4096;
    unsigned char table[256];
    unsigned width = (unsigned)position_set(n, len, k, table);
    return (s == k ? 16 : s + sl == k + 1 ? 8 : 12) + 2 * (width - 1);
}

/* Pick the cheapest needle position, then the cheapest outside its unit
 * (a letter's bytes come together), or failing that any other; the first
 * one wins a tie. A one-byte needle probes the same position twice. */
static void make_plan(const search_pattern *pat, plan *pl)
{
    const unsigned char *n = (const unsigned char *)pat->needle;
    size_t k1 = 0, k2 = 0;
    unsigned best1 = ~0u, best2 = ~0u;
    unsigned char scratch[256];
    pl->ascii = 1;
    for (size_t k = 0; k < pat->len; k++) {
        unsigned f = probe_cost(n, pat->len, k);
        if (n[k] >= 0x80)
            pl->ascii = 0;
        if (f < best1) {
            best2 = best1, k2 = k1;
            best1 = f, k1 = k;
        } else if (f < best2) {
            best2 = f, k2 = k;
        }
    }
    if (best2 == ~0u)
        k2 = k1;
    if (!pl->ascii) { /* every unit is one byte in an ASCII needle */
        size_t u1 = unit_start(n, pat->len, k1);
        size_t u2 = u1 + seq_len(n, pat->len, u1);
        int outside = 0;
        if (u2 <= k1) /* a lone byte */
            u2 = k1 + 1;
        k2 = k1;
        best2 = ~0u;
        for (size_t k = 0; k < pat->len; k++) {
            int out = k < u1 || k >= u2;
            unsigned f = probe_cost(n, pat->len, k);
            if (k != k1 && ((out && !outside) || (out == outside && f < best2)))
                best2 = f, k2 = k, outside = out;
        }
    }
    int w1 = make_probe(pat, k1, &pl->p1, pl->table);
    int w2 = make_probe(pat, k2, &pl->p2, scratch);
    /* A probe accepting more than four raw values cannot run in the vector
     * filter: drop it, or fall back to a table on p1 when both are wide. */
    if (w1 > 4 && w2 <= 4)
        pl->p1 = pl->p2, w1 = w2;
    else if (w2 > 4 && w1 <= 4)
        pl->p2 = pl->p1, w2 = w1;
    int pair = w1 <= 2 && w2 <= 2 && or_test(&pl->p1) && or_test(&pl->p2);
    pl->mode = w1 > 4 ? PLAN_TABLE : pair ? PLAN_PAIR : PLAN_QUAD;
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

int search_compile_ex(search_pattern *pat, const char *needle, size_t len, int flags,
                      char *msg, size_t msgsize)
{
    pat->needle = NULL;
    pat->re = NULL;
    pat->wide = NULL;
    pat->alts = NULL;
    pat->len = 0;
    pat->flags = flags;
    if (len == 0)
        return -2;
    if (flags & (SEARCH_REGEX | SEARCH_WORD))
        return search_regex_compile(pat, needle, len, flags, msg, msgsize);
    if (flags & SEARCH_ICASE) {
        int rc = search_wide_compile(pat, needle, len, flags);
        if (rc == 1) /* only letters of varying length: PCRE2 takes it */
            return search_regex_compile(pat, needle, len, flags, msg, msgsize);
        if (rc != 2)
            return rc;
    }
    return search_compile(pat, needle, len, flags);
}

int search_compile(search_pattern *pat, const char *needle, size_t len, int flags)
{
    const unsigned char *n = (const unsigned char *)needle;
    pat->re = NULL;
    pat->wide = NULL;
    pat->alts = NULL;
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
    if (flags & SEARCH_ICASE) {
        for (size_t s = 0, u; s < len; s += u)
            u = fold_unit(n, len, s, (unsigned char *)pat->needle + s);
    } else {
        memcpy(pat->needle, n, len);
    }
    pat->len = len;
    plan *pl = (plan *)(void *)(pat->needle + plan_offset(len));
    memset(pl, 0, sizeof *pl);
    if (flags & SEARCH_ICASE)
        make_plan(pat, pl);
    return 0;
}

void search_pattern_free(search_pattern *pat)
{
    search_regex_free(pat);
    search_wide_free(pat);
    search_alts_free(pat);
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
    /* Fold unit by unit; the first unit may begin before p. */
    size_t i = 0, s = unit_start(t, len, p);
    for (size_t k = p - s; i < pat->len; k = 0) {
        unsigned char f[4];
        if (t[s] < 0x80) {
            if (ascii_lower(t[s]) != n[i])
                return 0;
            i++, s++;
            continue;
        }
        size_t u = fold_unit(t, len, s, f);
        for (; k < u && i < pat->len; k++, i++)
            if (f[k] != n[i])
                return 0;
        s += u;
    }
    return 1;
}

static int probe_ok(const probe *pr, const unsigned char *t, size_t p)
{
    unsigned c = t[p + pr->k];
    return c == pr->v[0] || c == pr->v[1] || c == pr->v[2] || c == pr->v[3];
}

/* First match starting in [from, last], last = len - needle length; or
 * (size_t)-1. Portable one-position-at-a-time filter. */
static size_t find_scalar(const search_pattern *pat, const plan *pl,
                          const unsigned char *t, size_t len, size_t from,
                          size_t last)
{
    int table = pl->mode == PLAN_TABLE;
    for (size_t p = from; p <= last; p++) {
        int ok = table ? pl->table[t[p + pl->p1.k]]
                       : probe_ok(&pl->p1, t, p) && probe_ok(&pl->p2, t, p);
        if (ok && verify(pat, pl, t, len, p))
            return p;
    }
    return (size_t)-1;
}

#ifdef SEARCH_SSE2
/* How far past a candidate position the filter loads: its farther probe. */
static size_t probe_reach(const plan *pl)
{
    return pl->p1.k > pl->p2.k ? pl->p1.k : pl->p2.k;
}

static __m128i probe_load(const probe *pr, const unsigned char *t, size_t p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)(t + p + pr->k));
}

static __m128i probe_mask(const probe *pr, const unsigned char *t, size_t p)
{
    __m128i x = _mm_or_si128(probe_load(pr, t, p), _mm_set1_epi8((char)pr->bit));
    return _mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->or_val));
}

/* Candidates of a PLAN_PAIR at p, 16 positions. */
static __m128i pair_mask(const plan *pl, const unsigned char *t, size_t p)
{
    return _mm_and_si128(probe_mask(&pl->p1, t, p), probe_mask(&pl->p2, t, p));
}

static __m128i probe_mask4(const probe *pr, const unsigned char *t, size_t p)
{
    __m128i x = probe_load(pr, t, p);
    __m128i a = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->v[0])),
                             _mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->v[1])));
    __m128i b = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->v[2])),
                             _mm_cmpeq_epi8(x, _mm_set1_epi8((char)pr->v[3])));
    return _mm_or_si128(a, b);
}

/* The first candidate p + i (bit i of bits) at or before last that
 * verifies; or (size_t)-1. */
static size_t verify_bits(const search_pattern *pat, const plan *pl,
                          const unsigned char *t, size_t len, size_t p,
                          size_t last, unsigned bits)
{
    while (bits) {
        size_t q = p + (size_t)__builtin_ctz(bits);
        if (q <= last && verify(pat, pl, t, len, q))
            return q;
        bits &= bits - 1;
    }
    return (size_t)-1;
}

/* 16 candidate positions per step; loads stay inside t[0, len). */
static size_t find_sse2(const search_pattern *pat, const plan *pl,
                        const unsigned char *t, size_t len, size_t from,
                        size_t last)
{
    size_t kmax = probe_reach(pl);
    size_t p = from, q;
    if (pl->mode == PLAN_PAIR) {
        /* two blocks a step, one test for both: most steps find nothing */
        for (; p + kmax + 32 <= len && p <= last; p += 32) {
            __m128i a = pair_mask(pl, t, p), b = pair_mask(pl, t, p + 16);
            if (!_mm_movemask_epi8(_mm_or_si128(a, b)))
                continue;
            unsigned bits = (unsigned)_mm_movemask_epi8(a) |
                            (unsigned)_mm_movemask_epi8(b) << 16;
            if ((q = verify_bits(pat, pl, t, len, p, last, bits)) != (size_t)-1)
                return q;
        }
        for (; p + kmax + 16 <= len && p <= last; p += 16) {
            unsigned bits = (unsigned)_mm_movemask_epi8(pair_mask(pl, t, p));
            if (bits && (q = verify_bits(pat, pl, t, len, p, last, bits)) != (size_t)-1)
                return q;
        }
    } else if (pl->mode == PLAN_QUAD) {
        for (; p + kmax + 16 <= len && p <= last; p += 16) {
            __m128i m = _mm_and_si128(probe_mask4(&pl->p1, t, p), probe_mask4(&pl->p2, t, p));
            unsigned bits = (unsigned)_mm_movemask_epi8(m);
            if (bits && (q = verify_bits(pat, pl, t, len, p, last, bits)) != (size_t)-1)
                return q;
        }
    }
    return p <= last ? find_scalar(pat, pl, t, len, p, last) : (size_t)-1;
}
#endif

#ifdef SEARCH_AVX2
#define AVX2 __attribute__((target("avx2")))

/* The widest kernel the CPU has, 2 AVX2 or 1 SSE2, lowered by tests
 * (search_simd_limit) to compare the kernels; never above 1 without AVX2. */
static _Atomic int simd_level = -1;

static int simd(void)
{
    int level = simd_level;
    if (level < 0) {
        __builtin_cpu_init();
        simd_level = level = __builtin_cpu_supports("avx2") ? 2 : 1;
    }
    return level;
}

void search_simd_limit(int level)
{
    int have = (__builtin_cpu_init(), __builtin_cpu_supports("avx2")) ? 2 : 1;
    simd_level = level < have ? level : have;
}

AVX2 static inline __m256i probe_mask_avx2(const probe *pr, const unsigned char *t,
                                           size_t p)
{
    __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(t + p + pr->k));
    __m256i m = _mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8((char)pr->v[0])),
                                _mm256_cmpeq_epi8(x, _mm256_set1_epi8((char)pr->v[1])));
    return _mm256_or_si256(m, _mm256_or_si256(
                                  _mm256_cmpeq_epi8(x, _mm256_set1_epi8((char)pr->v[2])),
                                  _mm256_cmpeq_epi8(x, _mm256_set1_epi8((char)pr->v[3]))));
}

/* Candidates of a PLAN_PAIR at p, 32 positions. */
AVX2 static inline __m256i pair_mask_avx2(const plan *pl, const unsigned char *t, size_t p)
{
    const probe *a = &pl->p1, *b = &pl->p2;
    __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(t + p + a->k));
    __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(t + p + b->k));
    x = _mm256_cmpeq_epi8(_mm256_or_si256(x, _mm256_set1_epi8((char)a->bit)),
                          _mm256_set1_epi8((char)a->or_val));
    y = _mm256_cmpeq_epi8(_mm256_or_si256(y, _mm256_set1_epi8((char)b->bit)),
                          _mm256_set1_epi8((char)b->or_val));
    return _mm256_and_si256(x, y);
}

/* find_sse2 with 32 candidate positions per step; the rest to find_sse2. */
AVX2 static size_t find_avx2(const search_pattern *pat, const plan *pl,
                             const unsigned char *t, size_t len, size_t from,
                             size_t last)
{
    size_t kmax = probe_reach(pl);
    size_t p = from, q;
    if (pl->mode == PLAN_PAIR) {
        /* two blocks a step, one test for both: most steps find nothing */
        for (; p + kmax + 64 <= len && p <= last; p += 64) {
            __m256i a = pair_mask_avx2(pl, t, p), b = pair_mask_avx2(pl, t, p + 32);
            __m256i any = _mm256_or_si256(a, b);
            if (_mm256_testz_si256(any, any))
                continue;
            if ((q = verify_bits(pat, pl, t, len, p, last,
                                 (unsigned)_mm256_movemask_epi8(a))) != (size_t)-1 ||
                (q = verify_bits(pat, pl, t, len, p + 32, last,
                                 (unsigned)_mm256_movemask_epi8(b))) != (size_t)-1)
                return q;
        }
        for (; p + kmax + 32 <= len && p <= last; p += 32) {
            unsigned bits = (unsigned)_mm256_movemask_epi8(pair_mask_avx2(pl, t, p));
            if (bits && (q = verify_bits(pat, pl, t, len, p, last, bits)) != (size_t)-1)
                return q;
        }
    } else if (pl->mode == PLAN_QUAD) {
        for (; p + kmax + 32 <= len && p <= last; p += 32) {
            __m256i m = _mm256_and_si256(probe_mask_avx2(&pl->p1, t, p),
                                         probe_mask_avx2(&pl->p2, t, p));
            unsigned bits = (unsigned)_mm256_movemask_epi8(m);
            if (bits && (q = verify_bits(pat, pl, t, len, p, last, bits)) != (size_t)-1)
                return q;
        }
    }
    return p <= last ? find_sse2(pat, pl, t, len, p, last) : (size_t)-1;
}

/* Of the candidates at p + bit of a (bits ba) and of b (bb), the first
 * that verifies, a before b at one position (*which 0 or 1); (size_t)-1
 * when none does. */
static size_t either_bits(const search_pattern *a, const plan *pa, unsigned ba,
                          const search_pattern *b, const plan *pb, unsigned bb,
                          const unsigned char *t, size_t len, size_t p, int *which)
{
    for (unsigned all = ba | bb; all; all &= all - 1) {
        unsigned i = (unsigned)__builtin_ctz(all);
        size_t q = p + i;
        if ((ba >> i & 1) && q + a->len <= len && verify(a, pa, t, len, q))
            return *which = 0, q;
        if ((bb >> i & 1) && q + b->len <= len && verify(b, pb, t, len, q))
            return *which = 1, q;
    }
    return (size_t)-1;
}

/* From p on, 64 positions a step: the first step whose filters find a
 * candidate of a or b, its four masks in m (a, b, then the same 32 on);
 * or the first p where a step would load past len. No call inside, so
 * the filters' constants stay in registers. */
AVX2 static size_t either_scan(const plan *pa, const plan *pb, const unsigned char *t,
                               size_t len, size_t p, size_t kmax, unsigned m[4])
{
    for (; p + kmax + 64 <= len; p += 64) {
        __m256i ma = pair_mask_avx2(pa, t, p), mb = pair_mask_avx2(pb, t, p);
        __m256i na = pair_mask_avx2(pa, t, p + 32), nb = pair_mask_avx2(pb, t, p + 32);
        __m256i any = _mm256_or_si256(_mm256_or_si256(ma, mb), _mm256_or_si256(na, nb));
        if (!_mm256_testz_si256(any, any)) {
            m[0] = (unsigned)_mm256_movemask_epi8(ma);
            m[1] = (unsigned)_mm256_movemask_epi8(mb);
            m[2] = (unsigned)_mm256_movemask_epi8(na);
            m[3] = (unsigned)_mm256_movemask_epi8(nb);
            return p;
        }
    }
    return p;
}

/* Both literals' filters on one pass over the text. */
AVX2 static size_t find_either_avx2(const search_pattern *a, const plan *pa,
                                    const search_pattern *b, const plan *pb,
                                    const unsigned char *t, size_t len, size_t from,
                                    int *which)
{
    size_t ka = probe_reach(pa), kb = probe_reach(pb);
    size_t kmax = ka > kb ? ka : kb, p = from, q;
    unsigned m[4];
    while (p + kmax + 64 <= len) {
        p = either_scan(pa, pb, t, len, p, kmax, m);
        if (p + kmax + 64 > len)
            break;
        if ((q = either_bits(a, pa, m[0], b, pb, m[1], t, len, p, which)) != (size_t)-1 ||
            (q = either_bits(a, pa, m[2], b, pb, m[3], t, len, p + 32, which)) != (size_t)-1)
            return q;
        p += 64;
    }
    for (; p < len; p++) { /* the last positions, one by one */
        unsigned ba = p + a->len <= len && probe_ok(&pa->p1, t, p) && probe_ok(&pa->p2, t, p);
        unsigned bb = p + b->len <= len && probe_ok(&pb->p1, t, p) && probe_ok(&pb->p2, t, p);
        if ((ba || bb) && (q = either_bits(a, pa, ba, b, pb, bb, t, len, p, which)) != (size_t)-1)
            return q;
    }
    return (size_t)-1;
}
#else
void search_simd_limit(int level)
{
    (void)level;
}
#endif

int search_either_ok(const search_pattern *a, const search_pattern *b)
{
#ifdef SEARCH_AVX2
    return simd() == 2 && a->needle && b->needle && !a->wide && !b->wide && !a->alts &&
           !b->alts && !a->re && !b->re && (a->flags & b->flags & SEARCH_ICASE) &&
           pattern_plan(a)->mode == PLAN_PAIR && pattern_plan(b)->mode == PLAN_PAIR;
#else
    (void)a, (void)b;
    return 0;
#endif
}

size_t search_find_either(const search_pattern *a, const search_pattern *b,
                          const unsigned char *t, size_t len, size_t from, int *which)
{
#ifdef SEARCH_AVX2
    return find_either_avx2(a, pattern_plan(a), b, pattern_plan(b), t, len, from, which);
#else
    (void)a, (void)b, (void)t, (void)len, (void)from, (void)which;
    return (size_t)-1;
#endif
}

static size_t find_next(const search_pattern *pat, const plan *pl,
                        const unsigned char *t, size_t len, size_t from);

size_t search_find(const search_pattern *pat, const unsigned char *t, size_t len, size_t from)
{
    return find_next(pat, pattern_plan(pat), t, len, from);
}

size_t search_seq_len(const unsigned char *t, size_t len, size_t i)
{
    return seq_len(t, len, i);
}

size_t search_unit_start(const unsigned char *t, size_t len, size_t i)
{
    return unit_start(t, len, i);
}

unsigned search_fold_cp(unsigned cp)
{
    return fold_cp(cp);
}

static size_t find_next(const search_pattern *pat, const plan *pl,
                        const unsigned char *t, size_t len, size_t from)
{
    if (len < pat->len || from > len - pat->len)
        return (size_t)-1;
    if (!(pat->flags & SEARCH_ICASE)) {
        const char *m = memmem(t + from, len - from, pat->needle, pat->len);
        return m ? (size_t)((const unsigned char *)m - t) : (size_t)-1;
    }
#ifdef SEARCH_AVX2
    if (simd() == 2)
        return find_avx2(pat, pl, t, len, from, len - pat->len);
#endif
#ifdef SEARCH_SSE2
    return find_sse2(pat, pl, t, len, from, len - pat->len);
#else
    return find_scalar(pat, pl, t, len, from, len - pat->len);
#endif
}

/* ---- lines ------------------------------------------------------------ */

#ifdef SEARCH_AVX2
/* count_newlines for b >= 32: 32 bytes a step, then the 32 bytes that end
 * at b with only those not yet counted kept (no byte-by-byte tail). */
__attribute__((target("avx2,popcnt"))) static size_t
count_newlines_avx2(const unsigned char *t, size_t a, size_t b)
{
    const __m256i nl = _mm256_set1_epi8('\n'), zero = _mm256_setzero_si256();
    size_t n = 0, i = a;
    while (i + 32 <= b) {
        __m256i acc = zero;
        for (int k = 0; k < 255 && i + 32 <= b; k++, i += 32) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(t + i));
            acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(x, nl));
        }
        __m256i sum = _mm256_sad_epu8(acc, zero); /* four 64-bit sums */
        n += (size_t)_mm256_extract_epi64(sum, 0) + (size_t)_mm256_extract_epi64(sum, 1) +
             (size_t)_mm256_extract_epi64(sum, 2) + (size_t)_mm256_extract_epi64(sum, 3);
    }
    if (i < b) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(t + b - 32));
        unsigned bits = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, nl));
        n += (size_t)__builtin_popcount(bits >> (32 - (b - i)));
    }
    return n;
}
#endif

/* Number of '\n' in t[a, b). */
static size_t count_newlines(const unsigned char *t, size_t a, size_t b)
{
    size_t n = 0;
#ifdef SEARCH_AVX2
    if (b >= 32 && b > a && simd() == 2)
        return count_newlines_avx2(t, a, b);
#endif
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

void search_cursor_hit(search_cursor *cur, const unsigned char *t, size_t len, size_t off,
                       size_t mlen, search_hit *hit)
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
    /* A needle holding '\n' ends on a later line: resume after that one.
     * Else the only newline passed is the line's own. */
    size_t tail = off + mlen - 1;
    if (eol && tail > end) {
        eol = memchr(t + tail, '\n', len - tail);
        cur->pos = eol ? (size_t)(eol - t) + 1 : len;
        cur->line += count_newlines(t, off, cur->pos);
    } else {
        cur->pos = eol ? (size_t)(eol - t) + 1 : len;
        cur->line += eol != NULL;
    }
    cur->line_start = cur->pos;
}

size_t search_buffer(const search_pattern *pat, const char *text, size_t len,
                     search_fn fn, void *ud)
{
    const unsigned char *t = (const unsigned char *)text;
    search_cursor cur = {0, 1, 0};
    size_t reported = 0;
    if (pat->re)
        return search_regex_buffer(pat, text, len, fn, ud);
    if (pat->wide)
        return search_wide_buffer(pat, text, len, fn, ud);
    if (pat->alts)
        return search_alts_buffer(pat, text, len, fn, ud);
    if (!pat->needle || pat->len == 0 || len < pat->len)
        return 0;
    const plan *pl = pattern_plan(pat);
    while (cur.pos < len) {
        size_t off = find_next(pat, pl, t, len, cur.pos);
        search_hit hit;
        if (off == (size_t)-1)
            break;
        search_cursor_hit(&cur, t, len, off, pat->len, &hit);
        reported++;
        if (fn && fn(ud, text, &hit))
            break;
    }
    return reported;
}
