/*
 * fuzz_search.c — the search kernel (core/search*.c) against PCRE2 itself:
 * a literal, or literals between '|', searched case-insensitively in the
 * fuzzer's text must give, line by line, the first match PCRE2's caseless
 * UTF mode gives (offset and length), on the kernel width the input picks.
 *
 * Input: a control byte (bit 0: literals between '|' as a regex; bit 1:
 * the SSE2 kernel, else the widest the CPU has), the needle's length
 * (1 to 64), the needle, then the text. The text is searched in a buffer
 * of its exact size, so a read past its end trips AddressSanitizer.
 * Needles the kernel does not take (a metacharacter with bit 0, invalid
 * UTF-8 PCRE2 refuses, patterns PCRE2 would run) are skipped.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "search.h"
#include "search_internal.h"

typedef struct hits {
    size_t n, cap;
    size_t *off, *len;
} hits;

static int push(hits *h, size_t off, size_t len)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        size_t *o = realloc(h->off, cap * sizeof *o);
        if (!o)
            return -1;
        h->off = o;
        size_t *l = realloc(h->len, cap * sizeof *l);
        if (!l)
            return -1;
        h->len = l;
        h->cap = cap;
    }
    h->off[h->n] = off, h->len[h->n] = len;
    h->n++;
    return 0;
}

static int collect(void *ud, const char *text, const search_hit *hit)
{
    (void)text;
    return push(ud, hit->offset, hit->length) != 0;
}

/* PCRE2's first match on each line of text, or -1 when PCRE2 refuses the
 * pattern (then there is nothing to compare with). */
static int reference(const char *text, size_t len, const char *needle, size_t nlen, int regex,
                     hits *want)
{
    char pat[140];
    size_t k = 0;
    if (!regex)
        memcpy(pat, "\\Q", 2), k = 2;
    memcpy(pat + k, needle, nlen), k += nlen;
    if (!regex)
        memcpy(pat + k, "\\E", 2), k += 2;
    int err;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, k,
                                   PCRE2_UTF | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &err,
                                   &at, NULL);
    if (!re)
        return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    FUZZ_CHECK(md != NULL, "out of memory");
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(text + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - text) : len;
        if (pcre2_match(re, (PCRE2_SPTR)text + ls, le - ls, 0, 0, md, NULL) >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            FUZZ_CHECK(push(want, ls + ov[0], ov[1] - ov[0]) == 0, "out of memory");
        }
        ls = le + 1;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int regex = data[0] & 1;
    size_t nlen = 1 + data[1] % 64;
    if (size < 2 + nlen)
        return 0;
    const char *needle = (const char *)data + 2;
    if (memchr(needle, '\n', nlen))
        return 0; /* a hit is one line */
    size_t len = size - 2 - nlen;
    char *text = malloc(len ? len : 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, data + 2 + nlen, len);

    search_simd_limit(data[0] & 2 ? 1 : 2);
    search_pattern pat;
    char msg[128];
    hits got = {0}, want = {0};
    int rc = search_compile_ex(&pat, needle, nlen, SEARCH_ICASE | (regex ? SEARCH_REGEX : 0), msg,
                               sizeof msg);
    /* compared: what the kernel runs, not what goes to PCRE2 whole */
    if (rc == 0 && !pat.re && reference(text, len, needle, nlen, regex, &want) == 0) {
        search_buffer(&pat, text, len, collect, &got);
        FUZZ_CHECK(got.n == want.n, "needle '%.*s': %zu hits, PCRE2 %zu", (int)nlen, needle,
                   got.n, want.n);
        for (size_t i = 0; i < got.n; i++)
            FUZZ_CHECK(got.off[i] == want.off[i] && got.len[i] == want.len[i],
                       "hit %zu at %zu+%zu, PCRE2 %zu+%zu", i, got.off[i], got.len[i],
                       want.off[i], want.len[i]);
    }
    if (rc == 0)
        search_pattern_free(&pat);
    free(got.off), free(got.len), free(want.off), free(want.len);
    free(text);
    return 0;
}
