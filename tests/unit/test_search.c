/*
 * test_search.c — core/search.c against hand-made cases and against a naive
 * reference (fold everything, then compare at every position).
 *
 * The reference folds with the C library's towlower() under C.UTF-8,
 * restricted to the ranges search.h promises, so the two implementations of
 * folding share no code.
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

static unsigned ref_fold_cp(unsigned cp)
{
    int in_range = (cp >= 0xC0 && cp <= 0xDE) || (cp >= 0x100 && cp <= 0x17F) ||
                   (cp >= 0x386 && cp <= 0x3AB) || (cp >= 0x400 && cp <= 0x42F);
    if (cp == 0x3C2)
        return 0x3C3;
    if (!in_range)
        return cp;
    unsigned low = (unsigned)towlower((wint_t)cp);
    return (low >= 0x80 && low < 0x800) ? low : cp;
}

static void ref_fold(const unsigned char *in, size_t len, unsigned char *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned c = in[i];
        if (c >= 0xC2 && c <= 0xDF && i + 1 < len && in[i + 1] >= 0x80 && in[i + 1] <= 0xBF) {
            unsigned cp = ref_fold_cp(((c & 0x1Fu) << 6) | (in[i + 1] & 0x3Fu));
            out[i] = (unsigned char)(0xC0 | (cp >> 6));
            out[i + 1] = (unsigned char)(0x80 | (cp & 0x3F));
            i++;
        } else {
            out[i] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
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

/* ---- random comparison ----------------------------------------------- */

static const char *const pieces[] = {
    "a", "A", "b", "B", "q", "Q", " ", "\n", "\r\n", "\r", "é", "É", "ж", "Ж",
    "ς", "σ", "Σ", "Ÿ", "ÿ", "İ", "i", "\xC3", "\x89", "×", "÷", "ab", "AB",
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

static void random_buffers_match_reference(void **state)
{
    unsigned seed = 12345;
    char text[4096], needle[64];
    (void)state;
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
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
}

int main(void)
{
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
        cmocka_unit_test(random_buffers_match_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
