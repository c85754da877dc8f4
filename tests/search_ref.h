/*
 * search_ref.h — the reference the search tests hold the kernel to: raw
 * PCRE2 in caseless UTF mode, an independent implementation of the same
 * folding. Header-only, for tests/unit/test_search_pool.c and
 * tests/fuzz/fuzz_search.c.
 */
#ifndef SESSLUA_SEARCH_REF_H
#define SESSLUA_SEARCH_REF_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <string.h>

/* The first match of each line of text: what search must report for the
 * literal needle (or the pattern, when regex), each given to add(ud,
 * offset, length) in order. 0, or -1 when PCRE2 refuses the pattern (or
 * memory runs out). */
static inline int search_ref_lines(const char *text, size_t len, const char *needle,
                                   size_t nlen, int regex,
                                   void (*add)(void *ud, size_t off, size_t mlen), void *ud)
{
    char pat[256];
    size_t k = 0;
    if (nlen > sizeof pat - 4)
        return -1;
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
    if (!md) {
        pcre2_code_free(re);
        return -1;
    }
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(text + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - text) : len;
        if (pcre2_match(re, (PCRE2_SPTR)text + ls, le - ls, 0, 0, md, NULL) >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            add(ud, ls + ov[0], ov[1] - ov[0]);
        }
        ls = le + 1;
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 0;
}

#endif
