/*
 * fuzz_md_index.c — libFuzzer target: md_index_build() on arbitrary bytes.
 *
 * No crash, no sanitizer report, and the index obeys every property md.h
 * documents (fuzz_check.h). The same bytes are indexed twice (the second
 * time without the scanner's shortcuts and its lane), the first from a
 * copy with exactly len bytes, so ASan sees any read past the end (text
 * need not be NUL-terminated); and twice more with the strong lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "md.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_index x = {0}, y = {0};
    char *copy = malloc(size ? size : 1);
    const char *text = (const char *)data;
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    FUZZ_CHECK(md_index_build(copy, size, &x) == 0, "md_index_build failed");
    fuzz_check_index(&x, copy, size);
    /* deterministic: a second build gives the same index, and the general
     * steps alone (no shortcut for a list's next item) give it too */
    FUZZ_CHECK(md_index_build_opts(text, size, MD_INDEX_NO_SHORTCUTS, &y) == 0,
               "md_index_build failed");
    FUZZ_CHECK(x.count == y.count, "count %zu then %zu", x.count, y.count);
    FUZZ_CHECK(x.count == 0 ||
                   memcmp(x.sections, y.sections, x.count * sizeof *x.sections) == 0,
               "two builds differ");
    FUZZ_CHECK(x.code_count == y.code_count &&
                   (x.code_count == 0 ||
                    memcmp(x.code, y.code, x.code_count * sizeof *x.code) == 0),
               "two builds find different code");
    {
        md_index s = {0}, t = {0};
        FUZZ_CHECK(md_index_build_opts(copy, size, MD_INDEX_STRONG, &s) == 0, "build failed");
        FUZZ_CHECK(md_index_build_opts(text, size, MD_INDEX_STRONG | MD_INDEX_NO_SHORTCUTS,
                                       &t) == 0,
                   "build failed");
        FUZZ_CHECK(s.count == x.count && s.code_count == x.code_count,
                   "strong lines change the sections");
        FUZZ_CHECK(s.strong_count == t.strong_count &&
                       (s.strong_count == 0 ||
                        memcmp(s.strong, t.strong, s.strong_count * sizeof *s.strong) == 0),
                   "the lane and the general steps find different strong lines");
        for (size_t i = 0; i < s.strong_count; i++) {
            md_span sp = s.strong[i];
            FUZZ_CHECK(sp.start + 2 <= sp.end && sp.end <= size && copy[sp.start] == '*' &&
                           copy[sp.start + 1] == '*' && !md_in_code(&x, sp.start) &&
                           (i == 0 || s.strong[i - 1].end < sp.start) &&
                           (sp.end == size || copy[sp.end] == '\n' || copy[sp.end] == '\r') &&
                           !memchr(copy + sp.start, '\n', sp.end - sp.start) &&
                           !memchr(copy + sp.start, '\r', sp.end - sp.start),
                       "strong line %zu is not one", i);
        }
        md_index_free(&s);
        md_index_free(&t);
    }
    /* one BOM is skipped: with or without it, the same headings */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 &&
        !(size >= 6 && memcmp(text + 3, "\xEF\xBB\xBF", 3) == 0)) {
        md_index z = {0};
        FUZZ_CHECK(md_index_build(copy + 3, size - 3, &z) == 0, "build failed");
        FUZZ_CHECK(z.count == x.count, "BOM changes the count: %zu vs %zu",
                   x.count, z.count);
        for (size_t i = 0; i < z.count; i++)
            FUZZ_CHECK(z.sections[i].heading_start + 3 == x.sections[i].heading_start &&
                           z.sections[i].level == x.sections[i].level &&
                           z.sections[i].line == x.sections[i].line,
                       "BOM changes section %zu", i);
        FUZZ_CHECK(z.code_count == x.code_count, "BOM changes the code runs");
        for (size_t i = 0; i < z.code_count; i++)
            FUZZ_CHECK(z.code[i].start + 3 == x.code[i].start &&
                           z.code[i].end + 3 == x.code[i].end,
                       "BOM changes code run %zu", i);
        md_index_free(&z);
    }
    md_index_free(&x);
    md_index_free(&y);
    md_index_free(&y); /* safe twice, as documented */
    free(copy);
    return 0;
}
