/*
 * fuzz_md_text.c — libFuzzer target: md.h's line and title helpers on
 * arbitrary bytes: md_field_next / md_field_find, md_task_next,
 * md_plain_title, md_normalize_title / md_find_title and md_eol.
 *
 * No crash, no sanitizer report, every returned span inside the range
 * scanned and in order, cursors strictly advancing, no field or task read
 * from a line of code (and every other one read, as without the index),
 * and md_find_title's third tier agreeing with md_normalize_title. Each call gets an exact-size
 * copy so ASan sees a read past the end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "md.h"

static void fields(const char *t, size_t start, size_t end, const md_index *x)
{
    size_t pos = start, last = start, all = start;
    md_span k, v, ln, k2, v2, l2;
    while (md_field_next(t, end, x, &pos, &k, &v, &ln)) {
        FUZZ_CHECK(ln.start >= last && ln.start < ln.end && ln.end == pos &&
                       pos <= end,
                   "field line [%zu, %zu) cursor %zu", ln.start, ln.end, pos);
        FUZZ_CHECK(ln.start <= k.start && k.start < k.end && k.end <= v.start &&
                       v.start <= v.end && v.end <= ln.end,
                   "field spans out of order");
        FUZZ_CHECK(!md_in_code(x, ln.start), "field read from code at %zu",
                   ln.start);
        for (size_t i = v.start; i < v.end; i++)
            FUZZ_CHECK(t[i] != '\n' && t[i] != '\r', "line ending in a value");
        FUZZ_CHECK(md_field_find(t, start, end, x, t + k.start, k.end - k.start,
                                 &v2, NULL) == 0 && v2.end <= end && v2.start <= v.start,
                   "md_field_find misses a key md_field_next gave");
        /* the same line as the scan without the index gives, after the
         * lines it gives that are code */
        do {
            FUZZ_CHECK(md_field_next(t, end, NULL, &all, &k2, &v2, &l2) == 1,
                       "the index found a field the plain scan did not");
        } while (l2.start < ln.start && md_in_code(x, l2.start));
        FUZZ_CHECK(l2.start == ln.start && l2.end == ln.end,
                   "field at %zu, plain scan at %zu", ln.start, l2.start);
        last = pos;
    }
    /* the cursor runs to the end of the range; what is left is code */
    FUZZ_CHECK(pos >= end, "cursor %zu stopped before %zu", pos, end);
    while (md_field_next(t, end, NULL, &all, &k2, &v2, &l2))
        FUZZ_CHECK(md_in_code(x, l2.start), "field at %zu missed", l2.start);
}

static void tasks(const char *t, size_t start, size_t end, const md_index *x)
{
    size_t pos = start, all = start;
    int done = -1, d2;
    md_span tx, ln, t2, l2;
    while (md_task_next(t, end, x, &pos, &done, &tx, &ln)) {
        FUZZ_CHECK(done == 0 || done == 1, "done %d", done);
        FUZZ_CHECK(start <= ln.start && ln.start <= tx.start &&
                       tx.start <= tx.end && tx.end <= ln.end &&
                       ln.end == pos && pos <= end,
                   "task spans out of order");
        FUZZ_CHECK(!md_in_code(x, ln.start), "task read from code at %zu",
                   ln.start);
        do {
            FUZZ_CHECK(md_task_next(t, end, NULL, &all, &d2, &t2, &l2) == 1,
                       "the index found a task the plain scan did not");
        } while (l2.start < ln.start && md_in_code(x, l2.start));
        FUZZ_CHECK(l2.start == ln.start && d2 == done && t2.start == tx.start,
                   "task at %zu, plain scan at %zu", ln.start, l2.start);
    }
    while (md_task_next(t, end, NULL, &all, &d2, &t2, &l2))
        FUZZ_CHECK(md_in_code(x, l2.start), "task at %zu missed", l2.start);
}

static void titles(const char *t, size_t len)
{
    size_t plen = 0, n, qn;
    char *plain = md_plain_title(t, len, &plen), *norm = malloc(len + 1);
    const char *one[1];
    size_t lens[1];
    size_t half = len / 2;
    char *qnorm = malloc(half + 1);
    long hit;
    FUZZ_CHECK(plain != NULL, "md_plain_title failed");
    FUZZ_CHECK(plain[plen] == '\0' && strlen(plain) == plen,
               "plain title length %zu, strlen %zu", plen, strlen(plain));
    FUZZ_CHECK(plen == 0 || plain[plen - 1] != ' ', "trailing space kept");
    if (!norm || !qnorm)
        goto done;
    n = md_normalize_title(t, len, norm);
    FUZZ_CHECK(n <= len && norm[n] == '\0', "normalised length %zu of %zu", n,
               len);
    /* the first half as a query against the whole as a title */
    one[0] = t;
    lens[0] = len;
    qn = md_normalize_title(t, half, qnorm);
    hit = md_find_title(one, lens, 1, t, half);
    if (half == len || (qn > 0 && qn <= n && memcmp(qnorm, norm, qn) == 0))
        FUZZ_CHECK(hit == 0, "query (%zu bytes, normalised %zu) not found", half,
                   qn);
    FUZZ_CHECK(hit == 0 || hit == -1, "md_find_title returned %ld", hit);
    /* exact match of a title always finds it */
    FUZZ_CHECK(md_find_title(one, lens, 1, t, len) == 0, "exact match missed");
done:
    free(plain);
    free(norm);
    free(qnorm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *t = malloc(size ? size : 1);
    const char *eol;
    size_t a;
    md_index x = {0};
    if (!t)
        return 0;
    memcpy(t, data, size);
    a = size ? (size_t)data[0] % (size + 1) : 0;
    FUZZ_CHECK(md_index_build(t, size, &x) == 0, "md_index_build failed");
    fields(t, 0, size, &x);
    fields(t, a, size, &x);
    fields(t, 0, a, &x);
    tasks(t, 0, size, &x);
    tasks(t, a, size, &x);
    md_index_free(&x);
    eol = md_eol(t, size);
    FUZZ_CHECK(strcmp(eol, "\n") == 0 || strcmp(eol, "\r\n") == 0, "md_eol");
    if (size <= 4096) /* a cmark parse per input: keep titles short */
        titles(t, size);
    free(t);
    return 0;
}
