/*
 * test_search.c — core/search.c against hand-made cases and against a naive
 * reference (fold everything, then compare at every position).
 *
 * The reference shares no code or data with search.c's folding: it decodes
 * UTF-8 on its own (decode, then reject overlong forms, surrogates and
 * values above U+10FFFF) and folds a code point c to towlower(towupper(c))
 * from the C library under C.UTF-8 — for glibc 2.36 (Unicode 14) that is
 * exactly Unicode simple case folding except for Cherokee, which Unicode
 * folds to the upper case (the reference does too), and the Turkic
 * dotted/dotless i, which simple folding leaves alone (the reference too). Like search.c it keeps a letter whose folding would change its
 * UTF-8 length (K KELVIN SIGN, ẞ, ſ, ...) as it is. If the C library's
 * Unicode data moves past core/search_fold.h's, the exhaustive test below
 * says which code point differs: regenerate the table
 * (core/tools/gen_search_fold.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "search.h"
#include "search_internal.h"

#define MAX_HITS 512

typedef struct hits {
    size_t n;
    search_hit h[MAX_HITS];
} hits;

static int collect(void *ud, const char *text, const search_hit *hit)
{
    hits *hs = ud;
    (void)text;
    if (hs->n < MAX_HITS)
        hs->h[hs->n++] = *hit;
    return 0;
}

/* Exact-length heap copy so ASan flags any read past the end. */
static char *exact_copy(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, s, len);
    return p;
}

static size_t run(const char *text, size_t len, const char *needle, int flags,
                  hits *out)
{
    search_pattern pat;
    char *buf = exact_copy(text, len);
    assert_int_equal(search_compile(&pat, needle, strlen(needle), flags), 0);
    out->n = 0;
    size_t n = search_buffer(&pat, buf, len, collect, out);
    search_pattern_free(&pat);
    free(buf);
    return n;
}

static size_t run_str(const char *text, const char *needle, int flags, hits *out)
{
    return run(text, strlen(text), needle, flags, out);
}

/* ---- reference -------------------------------------------------------- */

static size_t ref_utf8_len(unsigned cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static size_t ref_encode(unsigned cp, unsigned char *out)
{
    size_t n = ref_utf8_len(cp);
    if (n == 1) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    for (size_t k = n - 1; k > 0; k--, cp >>= 6)
        out[k] = (unsigned char)(0x80 | (cp & 0x3F));
    out[0] = (unsigned char)((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | cp);
    return n;
}

/* A well-formed multi-byte sequence at in[0, avail): its length, and *cp;
 * or 0. Decodes first, then rejects what is not a shortest form. */
static size_t ref_decode(const unsigned char *in, size_t avail, unsigned *cp)
{
    unsigned c = in[0];
    size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || n > avail)
        return 0;
    unsigned v = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < n; k++) {
        if ((in[k] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (in[k] & 0x3F);
    }
    if (ref_utf8_len(v) != n || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return n;
}

static unsigned ref_fold_cp(unsigned cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp == 0x130 || cp == 0x131) /* İ ı: Turkic, not in simple folding */
        return cp;
    unsigned up = (unsigned)towupper((wint_t)cp);
    /* Unicode folds Cherokee to its upper case (the lower case came later,
     * and foldings are stable); everything else to the lower case. */
    unsigned f = (up >= 0x13A0 && up <= 0x13F5) ? up : (unsigned)towlower((wint_t)up);
    return ref_utf8_len(f) == ref_utf8_len(cp) ? f : cp;
}

static void ref_fold(const unsigned char *in, size_t len, unsigned char *out)
{
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = ref_decode(in + i, len - i, &cp);
        if (n == 0) { /* ASCII, or a byte outside any sequence: alone */
            out[i] = in[i] < 0x80 ? (unsigned char)ref_fold_cp(in[i]) : in[i];
            i++;
        } else {
            assert_int_equal(ref_encode(ref_fold_cp(cp), out + i), n);
            i += n;
        }
    }
}

static void ref_search(const char *text, size_t len, const char *needle,
                       size_t nlen, int flags, hits *out)
{
    unsigned char *t = malloc(len + 1), *n = malloc(nlen);
    assert_true(t && n);
    memcpy(t, text, len);
    memcpy(n, needle, nlen);
    if (flags & SEARCH_ICASE) {
        ref_fold((const unsigned char *)text, len, t);
        ref_fold((const unsigned char *)needle, nlen, n);
    }
    out->n = 0;
    for (size_t p = 0; p + nlen <= len; p++) {
        if (memcmp(t + p, n, nlen) != 0)
            continue;
        search_hit h = {.offset = p, .length = nlen, .line = 1};
        for (size_t i = 0; i < p; i++)
            if (text[i] == '\n')
                h.line++, h.line_start = i + 1;
        size_t e = p;
        while (e < len && text[e] != '\n')
            e++;
        h.line_end = (e < len && e > h.line_start && text[e - 1] == '\r') ? e - 1 : e;
        h.column = p - h.line_start + 1;
        out->h[out->n++] = h;
        size_t r = p + nlen - 1 > p ? p + nlen - 1 : p;
        while (r < len && text[r] != '\n')
            r++;
        p = r; /* the loop's p++ moves past the newline */
    }
    free(t);
    free(n);
}

/* ---- hand-made cases -------------------------------------------------- */

static void icase_ascii_matches_all_cases(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("Error\nerror\nERROR\neRrOr\nerr\n", "error", SEARCH_ICASE, &hs), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(hs.h[i].line, i + 1);
        assert_int_equal(hs.h[i].column, 1);
    }
    assert_int_equal(run_str("xx DEPLOY yy", "dEpLoY", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].column, 4);
}

static void case_sensitive_mode(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("Error\nerror\nERROR\n", "error", 0, &hs), 1);
    assert_int_equal(hs.h[0].line, 2);
    assert_int_equal(run_str("Élan élan", "élan", 0, &hs), 1);
    assert_int_equal(hs.h[0].column, 7);
}

static void utf8_letters_fold(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("café\nCAFÉ\n", "CAFÉ", SEARCH_ICASE, &hs), 2);
    assert_int_equal(run_str("ЖУК\nжук\nЖук\n", "жук", SEARCH_ICASE, &hs), 3);
    assert_int_equal(run_str("ΣΟΦΙΑ σοφια", "σοφία", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("ΣΟΦΊΑ", "σοφία", SEARCH_ICASE, &hs), 1);
    assert_int_equal(run_str("ŁÓDŹ łódź", "łÓdŹ", SEARCH_ICASE, &hs), 1);
    assert_int_equal(run_str("ЀЏ ѐџ", "ѐџ", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].column, 1);
    /* × and ÷ are not letters: they must not fold onto ÷ / ÷. */
    assert_int_equal(run_str("×", "÷", SEARCH_ICASE, &hs), 0);
}

static void match_at_buffer_start_and_end(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("needle in the middle, then needle", "NEEDLE", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 0);
    assert_int_equal(run_str("a\nthe end: needle", "needle", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 11);
    assert_int_equal(hs.h[0].line_end, 17);
    assert_int_equal(run_str("needle", "needle", 0, &hs), 1);
    assert_int_equal(run_str("needle", "needle", SEARCH_ICASE, &hs), 1);
}

static void needle_longer_than_buffer(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("abc", "abcd", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("abc", "abcd", 0, &hs), 0);
    assert_int_equal(run("", 0, "a", SEARCH_ICASE, &hs), 0);
}

static void one_hit_per_line_first_column(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("x foo foo FOO\nfoo\n", "foo", SEARCH_ICASE, &hs), 2);
    assert_int_equal(hs.h[0].column, 3);
    assert_int_equal(hs.h[0].line_start, 0);
    assert_int_equal(hs.h[0].line_end, 13);
    assert_int_equal(hs.h[1].line, 2);
    assert_int_equal(hs.h[1].offset, 14);
}

static void line_numbers_exact_across_many_lines(void **state)
{
    size_t lines = 20000, len = 0;
    char *text = malloc(lines * 16);
    hits hs;
    (void)state;
    assert_non_null(text);
    for (size_t i = 1; i <= lines; i++)
        len += (size_t)sprintf(text + len, (i % 997 == 0) ? "line %zu MARK\n" : "line %zu\n", i);
    assert_int_equal(run(text, len, "mark", SEARCH_ICASE, &hs), lines / 997);
    for (size_t i = 0; i < hs.n; i++) {
        assert_int_equal(hs.h[i].line, (i + 1) * 997);
        assert_int_equal(strncmp(text + hs.h[i].line_start, "line ", 5), 0);
    }
    free(text);
}

static void crlf_line_excludes_cr(void **state)
{
    hits hs;
    (void)state;
    assert_int_equal(run_str("one\r\ntwo hit\r\nthree\r\n", "HIT", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].line, 2);
    assert_int_equal(hs.h[0].line_start, 5);
    assert_int_equal(hs.h[0].line_end, 12);
    assert_int_equal(hs.h[0].column, 5);
}

static void binary_detected(void **state)
{
    char buf[9000];
    (void)state;
    memset(buf, 'a', sizeof buf);
    assert_int_equal(search_is_binary(buf, sizeof buf), 0);
    buf[100] = '\0';
    assert_int_equal(search_is_binary(buf, sizeof buf), 1);
    buf[100] = 'a';
    buf[8500] = '\0'; /* beyond the probe: treated as text */
    assert_int_equal(search_is_binary(buf, sizeof buf), 0);
    assert_int_equal(search_is_binary(buf, 0), 0);
}

static void empty_needle_rejected(void **state)
{
    search_pattern pat;
    (void)state;
    assert_int_equal(search_compile(&pat, "", 0, SEARCH_ICASE), -2);
    assert_null(pat.needle);
    search_pattern_free(&pat); /* safe after a failed compile */
}

static void no_read_past_end(void **state)
{
    static const char *needles[] = {"z", "zq", "Zq9", "end", "ж", "ÉÉ", "é"};
    char text[80];
    hits hs;
    (void)state;
    /* Every length around the 16-byte vector width, needle at the end. */
    for (size_t len = 1; len < sizeof text; len++) {
        for (size_t k = 0; k < sizeof needles / sizeof *needles; k++) {
            size_t nl = strlen(needles[k]);
            if (nl > len)
                continue;
            memset(text, 'a', len);
            memcpy(text + len - nl, needles[k], nl);
            assert_int_equal(run(text, len, needles[k], SEARCH_ICASE, &hs), 1);
            assert_int_equal(hs.h[0].offset, len - nl);
            assert_int_equal(run(text, len, needles[k], 0, &hs), 1);
        }
    }
}

/* A needle at every offset of buffers of every length up to past two
 * 32-byte blocks (the AVX2 filter tests 64 positions a step, SSE2 32),
 * in mixed case, on each kernel: found once, where it is. The probes of
 * "dEpLoY" and "ж" are a bit apart (one OR and one compare); "σ" has
 * three forms (σ, ς, Σ) and takes the four-value filter. */
static void needle_at_every_offset_on_each_kernel(void **state)
{
    static const char *needles[] = {"dEpLoY", "q", "ж", "σ", "Zq9"};
    static const char *finds[] = {"deploy", "Q", "Ж", "Σ", "zQ9"};
    char text[160];
    hits hs;
    (void)state;
    for (int level = 2; level >= 1; level--) {
        search_simd_limit(level);
        for (size_t k = 0; k < sizeof needles / sizeof *needles; k++) {
            size_t nl = strlen(needles[k]);
            for (size_t len = nl; len < sizeof text; len++) {
                for (size_t at = 0; at + nl <= len; at++) {
                    memset(text, 'a', len);
                    memcpy(text + at, needles[k], nl);
                    assert_int_equal(run(text, len, finds[k], SEARCH_ICASE, &hs), 1);
                    assert_int_equal(hs.h[0].offset, at);
                }
            }
        }
    }
    search_simd_limit(2);
}

/* ---- Unicode letters -------------------------------------------------- */

/* a and b (two cases of one text) find each other, alone and inside a line,
 * and stay apart case-sensitively. */
static void both_ways(const char *a, const char *b)
{
    hits hs;
    char text[256];
    assert_int_equal(run_str(a, b, SEARCH_ICASE, &hs), 1);
    assert_int_equal(run_str(b, a, SEARCH_ICASE, &hs), 1);
    snprintf(text, sizeof text, "first line\nsome text before %s and after\n", a);
    assert_int_equal(run_str(text, b, SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 28);
    assert_int_equal(hs.h[0].line, 2);
    snprintf(text, sizeof text, "first line\nsome text before %s and after\n", b);
    assert_int_equal(run_str(text, a, SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].column, 18);
    if (strcmp(a, b) != 0)
        assert_int_equal(run_str(a, b, 0, &hs), 0);
}

static void unicode_letters_fold_both_ways(void **state)
{
    static const char *const pairs[][2] = {
        {"ҐАНОК", "ґанок"},            /* the audit's repro (Cyrillic U+0490) */
        {"Ș", "ș"}, {"Ț", "ț"},        /* Latin Extended-B, comma below */
        {"ȘTIINȚĂ", "știință"},
        {"Ǆ", "ǆ"}, {"ǅ", "ǆ"}, {"Ǆ", "ǅ"}, /* DŽ: upper, title, lower */
        {"Ґ", "ґ"}, {"Ѡ", "ѡ"}, {"Ӂ", "ӂ"}, /* Cyrillic U+0460-04FF */
        {"ՀԱՅԵՐԵՆ", "հայերեն"},       /* Armenian */
        {"Ἀ", "ἀ"}, {"Ὠ", "ὠ"}, {"ᾈ", "ᾀ"}, /* Greek Extended (ᾈ: status S) */
        {"Σ", "ς"}, {"ς", "σ"}, {"µ", "μ"}, {"ϴ", "θ"}, {"ϑ", "Θ"},
        {"VIỆT NAM", "việt nam"},      /* 3 bytes: Latin Extended Additional */
        {"Ａ", "ａ"}, {"ＦＵＬＬ", "ｆｕｌｌ"}, /* fullwidth */
        {"ᲐᲑᲒ", "აბგ"}, {"ႠႡ", "ⴀⴁ"}, /* Georgian Mtavruli, Asomtavruli */
        {"ᏣᎳᎩ", "ꮳꮃꭹ"},             /* Cherokee (folds to upper case) */
        {"ⰀⰁ", "ⰰⰱ"}, {"ꙀꙂ", "ꙁꙃ"}, {"Ⓐ", "ⓐ"}, {"Ⅻ", "ⅻ"},
        {"𐐀", "𐐨"}, {"𐐀𐐁", "𐐨𐐩"},   /* 4 bytes: Deseret */
        {"𐒰𐒱", "𐓘𐓙"}, {"𞤀𞤁", "𞤢𞤣"}, {"𑢠", "𑣀"}, /* Osage, Adlam, Warang Citi */
        {"Mixed ÉCOLE Ґ 𐐀 VIỆT", "mixed école ґ 𐐨 việt"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        both_ways(pairs[i][0], pairs[i][1]);
}

/* Letters whose folding changes the UTF-8 length keep their case (see
 * core/search_fold.h), and the Turkic i pairs are not folded. */
static void length_changing_letters_keep_case(void **state)
{
    static const char *const apart[][2] = {
        {"\xE2\x84\xAA", "k"}, /* KELVIN SIGN, 3 bytes vs 1 */
        {"\xE2\x84\xAB", "å"}, /* ANGSTROM SIGN, 3 bytes vs 2 */
        {"\xE2\x84\xA6", "ω"}, /* OHM SIGN */
        {"ẞ", "ß"},  /* 3 bytes vs 2 */
        {"ſ", "s"},  /* 2 bytes vs 1 */
        {"Ⱥ", "ⱥ"},  /* 2 bytes vs 3 */
        {"ᲀ", "в"},
        {"İ", "i"}, {"ı", "I"}, {"ı", "i"},
    };
    hits hs;
    (void)state;
    for (size_t i = 0; i < sizeof apart / sizeof *apart; i++) {
        assert_int_equal(run_str(apart[i][0], apart[i][1], SEARCH_ICASE, &hs), 0);
        assert_int_equal(run_str(apart[i][1], apart[i][0], SEARCH_ICASE, &hs), 0);
        assert_int_equal(run_str(apart[i][0], apart[i][0], SEARCH_ICASE, &hs), 1);
    }
    /* their same-length partners still fold */
    assert_int_equal(run_str("\xE2\x84\xA6 Ω", "ω", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 4);
    assert_int_equal(run_str("STRAẞE Straße", "STRAßE", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 9);
}

/* The folded needle: search_compile keeps it in pat.needle. */
static size_t folded(const unsigned char *in, size_t len, unsigned char *out)
{
    search_pattern pat;
    assert_int_equal(search_compile(&pat, (const char *)in, len, SEARCH_ICASE), 0);
    assert_int_equal(pat.len, len);
    memcpy(out, pat.needle, len);
    search_pattern_free(&pat);
    return len;
}

/* search.c folds every code point to the reference's folding: all of them
 * up to U+1FFFF (every script with case), then a sample of the rest. */
static void folding_matches_reference_for_every_code_point(void **state)
{
    (void)state;
    for (unsigned cp = 0; cp <= 0x10FFFF; cp += cp < 0x20000 ? 1 : 61) {
        unsigned char e[4], f[4], want[4];
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n = ref_encode(cp, e);
        folded(e, n, f);
        assert_int_equal(ref_encode(ref_fold_cp(cp), want), n);
        if (memcmp(f, want, n) != 0)
            fprintf(stderr, "U+%04X folds to U+%04X in the reference\n", cp, ref_fold_cp(cp));
        assert_memory_equal(f, want, n);
    }
}

typedef struct fold_pair {
    unsigned fold, cp;
} fold_pair;

static int by_fold(const void *a, const void *b)
{
    const fold_pair *x = a, *y = b;
    return x->fold != y->fold ? (x->fold < y->fold ? -1 : 1) : (x->cp < y->cp ? -1 : x->cp > y->cp);
}

/* Every pair of case variants finds each other through search_buffer, as
 * a one-letter needle (the filter probes the letter's own bytes) in a line
 * long enough for the vector loop, and inside an ASCII word. */
static void all_case_variants_find_each_other(void **state)
{
    static fold_pair pairs[4096];
    size_t np = 0;
    (void)state;
    for (unsigned cp = 0x80; cp < 0x20000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        unsigned f = ref_fold_cp(cp);
        if (f != cp) {
            assert_true(np + 2 <= sizeof pairs / sizeof *pairs);
            pairs[np++] = (fold_pair){f, cp};
            pairs[np++] = (fold_pair){f, f};
        }
    }
    qsort(pairs, np, sizeof *pairs, by_fold);
    size_t tested = 0;
    for (size_t i = 0; i < np; i++) {
        for (size_t j = i; j < np && pairs[j].fold == pairs[i].fold; j++) {
            unsigned char a[4], b[4];
            char text[64], needle[16];
            hits hs;
            size_t na = ref_encode(pairs[i].cp, a), nb = ref_encode(pairs[j].cp, b);
            if (pairs[i].cp == pairs[j].cp && i != j)
                continue;
            for (int dir = 0; dir < 2; dir++) {
                const unsigned char *x = dir ? b : a, *y = dir ? a : b;
                size_t nx = dir ? nb : na, ny = dir ? na : nb;
                memset(text, '.', 20);
                memcpy(text + 20, y, ny);
                memcpy(text + 20 + ny, "!", 2);
                memcpy(needle, x, nx);
                needle[nx] = '\0';
                assert_int_equal(run_str(text, needle, SEARCH_ICASE, &hs), 1);
                assert_int_equal(hs.h[0].offset, 20);
                snprintf(text, sizeof text, "a word: q%.*sz.", (int)ny, (const char *)y);
                snprintf(needle, sizeof needle, "Q%.*sZ", (int)nx, (const char *)x);
                assert_int_equal(run_str(text, needle, SEARCH_ICASE, &hs), 1);
                assert_int_equal(hs.h[0].offset, 8);
            }
            tested++;
        }
    }
    assert_true(tested > 1300);
}

/* A multi-byte match flush with either end of an exact-size buffer (ASan
 * flags a read past it), at every length around the vector width. */
static void multibyte_matches_at_buffer_edges(void **state)
{
    static const char *const cases[][2] = {
        {"ґ", "Ґ"}, {"Ệ", "ệ"}, {"𐐀", "𐐨"}, {"ǅ", "Ǆ"}, {"ꭰ", "Ꭰ"},
        {"ҐАНОК", "ґанок"}, {"x𐐀", "X𐐨"}, {"ϑ", "θ"}, {"ａ", "Ａ"},
    };
    char text[96];
    hits hs;
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const char *needle = cases[c][0], *other = cases[c][1];
        size_t nl = strlen(other);
        for (size_t len = nl; len < 80; len++) {
            memset(text, 'a', len);
            memcpy(text + len - nl, other, nl); /* at the end */
            assert_int_equal(run(text, len, needle, SEARCH_ICASE, &hs), 1);
            assert_int_equal(hs.h[0].offset, len - nl);
            assert_int_equal(hs.h[0].line_end, len);
            memset(text, 'a', len);
            memcpy(text, other, nl); /* at the start */
            assert_int_equal(run(text, len, needle, SEARCH_ICASE, &hs), 1);
            assert_int_equal(hs.h[0].offset, 0);
            /* cut short by the end of the buffer: no match */
            memset(text, 'a', len);
            memcpy(text + len - nl, other, nl);
            assert_int_equal(run(text, len - 1, needle, SEARCH_ICASE, &hs), 0);
        }
    }
}

/* Bytes outside any well-formed sequence are never folded, and never taken
 * for part of a letter: they match only themselves. */
static void invalid_utf8_never_folds(void **state)
{
    hits hs;
    (void)state;
    /* overlong forms of A and Ж, CESU-8 surrogates for 𐐀, above U+10FFFF */
    assert_int_equal(run_str("\xC1\x81", "a", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("\xC1\x81", "\xC1\x81", SEARCH_ICASE, &hs), 1);
    assert_int_equal(run_str("x\xE0\x90\x96y", "x\xE0\x90\xB6y", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("\xED\xA0\x81\xED\xB0\x80", "𐐨", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("\xED\xA0\x81\xED\xB0\x80", "\xED\xA0\x81\xED\xB0\xA8", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("\xF4\x90\x90\x80", "\xF4\x90\x90\xA8", SEARCH_ICASE, &hs), 0);
    /* a stray continuation byte after a letter is not part of it */
    assert_int_equal(run_str("Ệ\x86", "ệ\x86", SEARCH_ICASE, &hs), 1);
    assert_int_equal(run_str("Ệ\x86", "ệ\x87", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("Ж\x96", "ж\xB6", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("x\x96", "\xB6", SEARCH_ICASE, &hs), 0);
    /* a sequence cut short (by a byte, or by the end of the buffer) */
    assert_int_equal(run_str("\xE1\xBBx", "ệ", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("\xE1\xBBx", "\xE1\xBBX", SEARCH_ICASE, &hs), 1);
    assert_int_equal(run_str("abc\xE1\xBB", "ệ", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("abc\xF0\x90\x90", "𐐨", SEARCH_ICASE, &hs), 0);
    assert_int_equal(run_str("\xF0\x90\x90\xF0\x90\x90\x80", "𐐨", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 3);
    /* lead bytes run together */
    assert_int_equal(run_str("\xD0\xE1\xBB\x86\xD0", "ệ", SEARCH_ICASE, &hs), 1);
    assert_int_equal(hs.h[0].offset, 1);
}

/* ---- random comparison ----------------------------------------------- */

static const char *const pieces[] = {
    "a", "A", "b", "B", "q", "Q", " ", "\n", "\r\n", "\r", "é", "É", "ж", "Ж",
    "ς", "σ", "Σ", "Ÿ", "ÿ", "İ", "i", "ı", "I", "\xC3", "\x89", "×", "÷", "ab", "AB",
    /* more letters, 2 to 4 bytes, with several variants sharing bytes */
    "ґ", "Ґ", "ș", "Ș", "ǅ", "ǆ", "Ǆ", "θ", "ϑ", "Θ", "ϴ", "µ", "μ", "Μ",
    "ệ", "Ệ", "ẹ", "ａ", "Ａ", "ა", "Ა", "Ꭰ", "ꭰ", "ⓐ", "Ⓐ", "𐐀", "𐐨", "𐐁", "𞤀", "𞤢",
    "k", "K", "\xE2\x84\xAA", "ß", "ẞ", "s", "ſ",
    /* pieces of sequences, overlong forms, surrogates, beyond U+10FFFF */
    "\xD0", "\x96", "\xB6", "\xE1\xBB", "\xBB", "\x86", "\xF0\x90\x90", "\x80",
    "\xC1\x81", "\xE0\x90\x96", "\xED\xA0\x81", "\xF4\x90\x80\x80", "\xFF",
};

static size_t random_text(unsigned *seed, char *out, size_t max_pieces)
{
    size_t n = (size_t)rand_r(seed) % (max_pieces + 1), len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[(size_t)rand_r(seed) % (sizeof pieces / sizeof *pieces)];
        memcpy(out + len, p, strlen(p));
        len += strlen(p);
    }
    return len;
}

/* On a mismatch, show the case so it can be turned into a hand-made test. */
static void dump_case(const char *text, size_t len, const char *needle,
                      size_t nlen, int flags)
{
    fprintf(stderr, "flags=%d needle=", flags);
    for (size_t i = 0; i < nlen; i++)
        fprintf(stderr, "%02x", (unsigned char)needle[i]);
    fprintf(stderr, " text=");
    for (size_t i = 0; i < len; i++)
        fprintf(stderr, "%02x", (unsigned char)text[i]);
    fprintf(stderr, "\n");
}

static void compare_one(const char *text, size_t len, const char *needle,
                        size_t nlen, int flags)
{
    static hits got, want;
    search_pattern pat;
    char *buf = exact_copy(text, len);
    assert_int_equal(search_compile(&pat, needle, nlen, flags), 0);
    got.n = 0;
    search_buffer(&pat, buf, len, collect, &got);
    ref_search(text, len, needle, nlen, flags, &want);
    if (got.n != want.n)
        dump_case(text, len, needle, nlen, flags);
    assert_int_equal(got.n, want.n);
    for (size_t i = 0; i < got.n; i++) {
        assert_int_equal(got.h[i].offset, want.h[i].offset);
        assert_int_equal(got.h[i].line, want.h[i].line);
        assert_int_equal(got.h[i].column, want.h[i].column);
        assert_int_equal(got.h[i].line_start, want.h[i].line_start);
        assert_int_equal(got.h[i].line_end, want.h[i].line_end);
    }
    search_pattern_free(&pat);
    free(buf);
}

/* Random texts and needles (slices of the text or not) on the kernel of
 * one width. */
static void random_buffers_at(int simd_level)
{
    unsigned seed = 12345;
    char text[4096], needle[64];
    search_simd_limit(simd_level);
    for (int iter = 0; iter < 6000; iter++) {
        size_t len = random_text(&seed, text, (iter % 3) ? 60 : 600);
        size_t nlen;
        if (len > 0 && rand_r(&seed) % 2) { /* a slice of the text: hits likely */
            size_t at = (size_t)rand_r(&seed) % len;
            nlen = 1 + (size_t)rand_r(&seed) % 6;
            if (nlen > len - at)
                nlen = len - at;
            memcpy(needle, text + at, nlen);
        } else {
            nlen = random_text(&seed, needle, 4);
        }
        if (nlen == 0)
            continue;
        compare_one(text, len, needle, nlen, SEARCH_ICASE);
        compare_one(text, len, needle, nlen, 0);
    }
    search_simd_limit(2);
}

/* Each kernel the CPU has: AVX2 (when it has it), then SSE2. */
static void random_buffers_match_reference(void **state)
{
    (void)state;
    random_buffers_at(2);
    random_buffers_at(1);
}

/* Texts of bytes that mostly do not form letters: around sequence starts,
 * continuation bytes and the bytes of letters' variants. */
static void random_bytes_match_reference(void **state)
{
    static const unsigned char alphabet[] = {
        0x80, 0x86, 0x87, 0x90, 0x96, 0xA8, 0xAA, 0xB6, 0xBB, 0xBF, 0xC1, 0xC3,
        0xD0, 0xD1, 0xE0, 0xE1, 0xE2, 0x84, 0xED, 0xF0, 0xF4, 0xF5, 'a', 'A', 'k', '\n',
    };
    unsigned seed = 777;
    char text[256], needle[16];
    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)rand_r(&seed) % sizeof text, nlen;
        for (size_t i = 0; i < len; i++)
            text[i] = (char)alphabet[(size_t)rand_r(&seed) % sizeof alphabet];
        if (len > 0 && rand_r(&seed) % 2) {
            size_t at = (size_t)rand_r(&seed) % len;
            nlen = 1 + (size_t)rand_r(&seed) % 8;
            if (nlen > len - at)
                nlen = len - at;
            memcpy(needle, text + at, nlen);
        } else {
            nlen = 1 + (size_t)rand_r(&seed) % 4;
            for (size_t i = 0; i < nlen; i++)
                needle[i] = (char)alphabet[(size_t)rand_r(&seed) % sizeof alphabet];
        }
        compare_one(text, len, needle, nlen, SEARCH_ICASE);
        compare_one(text, len, needle, nlen, 0);
    }
}

int main(void)
{
    /* The reference folds with towlower/towupper under C.UTF-8. */
    if (!setlocale(LC_CTYPE, "C.UTF-8")) {
        fprintf(stderr, "test_search: no C.UTF-8 locale\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(icase_ascii_matches_all_cases),
        cmocka_unit_test(case_sensitive_mode),
        cmocka_unit_test(utf8_letters_fold),
        cmocka_unit_test(match_at_buffer_start_and_end),
        cmocka_unit_test(needle_longer_than_buffer),
        cmocka_unit_test(one_hit_per_line_first_column),
        cmocka_unit_test(line_numbers_exact_across_many_lines),
        cmocka_unit_test(crlf_line_excludes_cr),
        cmocka_unit_test(binary_detected),
        cmocka_unit_test(empty_needle_rejected),
        cmocka_unit_test(no_read_past_end),
        cmocka_unit_test(needle_at_every_offset_on_each_kernel),
        cmocka_unit_test(unicode_letters_fold_both_ways),
        cmocka_unit_test(length_changing_letters_keep_case),
        cmocka_unit_test(folding_matches_reference_for_every_code_point),
        cmocka_unit_test(all_case_variants_find_each_other),
        cmocka_unit_test(multibyte_matches_at_buffer_edges),
        cmocka_unit_test(invalid_utf8_never_folds),
        cmocka_unit_test(random_buffers_match_reference),
        cmocka_unit_test(random_bytes_match_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
