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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "search.h"
#include "search_internal.h"
#include "../search_ref.h"

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

static void add_want(void *ud, size_t off, size_t mlen)
{
    FUZZ_CHECK(push(ud, off, mlen) == 0, "out of memory");
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
    if (rc == 0 && !pat.re && search_ref_lines(text, len, needle, nlen, regex, add_want, &want) == 0) {
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
