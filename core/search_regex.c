/*
 * search_regex.c — regular expressions (and literals that the literal
 * kernel cannot take) through PCRE2, see search.h.
 *
 * Patterns are compiled in UTF mode with PCRE2_MATCH_INVALID_UTF (a log
 * with broken bytes is searched, not refused), caseless when asked, with
 * PCRE2_UCP so that \w, \b and -w know every script's letters, and JIT
 * compiled. A match is looked for in the whole buffer (MULTILINE: ^ and $
 * at line ends); one that runs over a line ending is tried again inside
 * its first line alone, so that every hit is a match within one line, as
 * grep sees a file.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#define _GNU_SOURCE /* memrchr */
#include "search_internal.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pattern text to compile: src itself, or src made literal; wrapped
 * for whole words. malloc'd, *n its length; NULL when out of memory. */
static char *pattern_source(const char *src, size_t len, int flags, size_t *n)
{
    static const char pre[] = "(?<![\\p{L}\\p{N}_])(?:", post[] = ")(?![\\p{L}\\p{N}_])";
    int word = (flags & SEARCH_WORD) != 0;
    char *out = malloc(len * 4 + sizeof pre + sizeof post + 1);
    size_t k = 0;
    if (!out)
        return NULL;
    if (word)
        memcpy(out, pre, sizeof pre - 1), k = sizeof pre - 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (flags & SEARCH_REGEX) {
            out[k++] = (char)c;
        } else if (c == 0) {
            memcpy(out + k, "\\x00", 4), k += 4;
        } else {
            /* a backslash before any ASCII punctuation makes it literal */
            if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                              (c >= 'A' && c <= 'Z') || c == ' '))
                out[k++] = '\\';
            out[k++] = (char)c;
        }
    }
    if (word)
        memcpy(out + k, post, sizeof post - 1), k += sizeof post - 1;
    *n = k;
    return out;
}

/* The literals of an alternation: up to 16, each a literal pattern. */
enum { ALTS_MAX = 16 };
typedef struct alts {
    search_pattern pat[ALTS_MAX];
    int n;
} alts;

/* Whether src is literals between '|' (no metacharacter, no empty one). */
static int literal_alternation(const char *src, size_t len)
{
    size_t run = 0;
    int n = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '|') {
            if (run == 0 || ++n > ALTS_MAX)
                return 0;
            run = 0;
        } else if (c == 0 || c == '\n' || c == '\r' || (c < 0x80 && strchr("\\^$.[]()?*+{}", c))) {
            return 0;
        } else {
            run++;
        }
    }
    return run > 0;
}

void search_alts_free(search_pattern *pat)
{
    alts *a = pat->alts;
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        search_pattern_free(&a->pat[i]);
    free(a);
    pat->alts = NULL;
}

/* Compile the literals of src into pat->alts: 0, -1 out of memory, or 1
 * when one of them needs PCRE2 (then nothing is kept). */
static int alts_compile(search_pattern *pat, const char *src, size_t len, int flags)
{
    alts *a = calloc(1, sizeof *a);
    char msg[8];
    if (!a)
        return -1;
    pat->alts = a;
    for (size_t i = 0, j; i <= len; i = j + 1) {
        for (j = i; j < len && src[j] != '|'; j++)
            ;
        search_pattern *p = &a->pat[a->n++];
        int rc = search_compile_ex(p, src + i, j - i, flags & ~SEARCH_REGEX, msg, sizeof msg);
        if (rc != 0 || p->re) {
            search_alts_free(pat);
            return rc == -1 ? -1 : 1;
        }
    }
    pat->len = len;
    pat->flags = flags;
    return 0;
}

/* Two literals the kernel takes together: one pass for both. */
static size_t either_buffer(const search_pattern *x, const search_pattern *y,
                            const char *text, size_t len, search_fn fn, void *ud)
{
    const unsigned char *t = (const unsigned char *)text;
    search_cursor cur = {0, 1, 0};
    size_t reported = 0, q;
    int which;
    while (cur.pos < len &&
           (q = search_find_either(x, y, t, len, cur.pos, &which)) != (size_t)-1) {
        search_hit hit;
        search_cursor_hit(&cur, t, len, q, which ? y->len : x->len, &hit);
        reported++;
        if (fn && fn(ud, text, &hit))
            break;
    }
    return reported;
}

size_t search_alts_buffer(const search_pattern *pat, const char *text, size_t len,
                          search_fn fn, void *ud)
{
    const alts *a = pat->alts;
    const unsigned char *t = (const unsigned char *)text;
    size_t ns[ALTS_MAX], ne[ALTS_MAX], reported = 0;
    int plain[ALTS_MAX], live[ALTS_MAX];
    search_cursor cur = {0, 1, 0};
    for (int k = 0; k < a->n; k++)
        plain[k] = a->pat[k].wide ? search_wide_plain(&a->pat[k], text, len) : 1;
    if (a->n == 2 && plain[0] && plain[1]) {
        const search_pattern *x = search_plain_kernel(&a->pat[0]);
        const search_pattern *y = search_plain_kernel(&a->pat[1]);
        if (search_either_ok(x, y))
            return either_buffer(x, y, text, len, fn, ud);
    }
    for (int k = 0; k < a->n; k++)
        live[k] = search_literal_next(&a->pat[k], t, len, 0, plain[k], &ns[k], &ne[k]);
    for (;;) {
        int best = -1;
        for (int k = 0; k < a->n; k++)
            if (live[k] && (best < 0 || ns[k] < ns[best]))
                best = k;
        if (best < 0)
            break;
        search_hit hit;
        search_cursor_hit(&cur, t, len, ns[best], ne[best] - ns[best], &hit);
        reported++;
        if ((fn && fn(ud, text, &hit)) || cur.pos >= len)
            break;
        for (int k = 0; k < a->n; k++)
            if (live[k] && ns[k] < cur.pos)
                live[k] = search_literal_next(&a->pat[k], t, len, cur.pos, plain[k], &ns[k],
                                              &ne[k]);
    }
    return reported;
}

int search_regex_compile(search_pattern *pat, const char *src, size_t len, int flags,
                         char *msg, size_t msgsize)
{
    if ((flags & SEARCH_REGEX) && !(flags & SEARCH_WORD) && literal_alternation(src, len)) {
        int rc = alts_compile(pat, src, len, flags);
        if (rc <= 0)
            return rc;
    }
    size_t n;
    char *text = pattern_source(src, len, flags, &n);
    if (!text)
        return -1;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP | PCRE2_MULTILINE |
                    ((flags & SEARCH_ICASE) ? PCRE2_CASELESS : 0);
    int err;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)text, n, opts, &err, &at, NULL);
    free(text);
    if (!re) {
        PCRE2_UCHAR buf[200];
        if (err == PCRE2_ERROR_NOMEMORY)
            return -1;
        pcre2_get_error_message(err, buf, sizeof buf);
        if (flags & SEARCH_REGEX)
            snprintf(msg, msgsize, "%s at offset %zu", (const char *)buf, (size_t)at);
        else
            snprintf(msg, msgsize, "%s", (const char *)buf);
        return -3;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT it still works, slower */
    pat->re = re;
    return 0;
}

void search_regex_free(search_pattern *pat)
{
    pcre2_code_free(pat->re);
    pat->re = NULL;
}

/* The first match in text[from, len) that lies within one line: its
 * start and end, or 0 when there is none (or PCRE2 fails). */
static int next_match(const pcre2_code *re, pcre2_match_data *md, const unsigned char *t,
                      size_t len, size_t from, size_t *ms, size_t *me)
{
    while (from <= len) {
        int rc = pcre2_match(re, t, len, from, 0, md, NULL);
        if (rc < 0)
            return 0;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (s == len && len > 0 && t[len - 1] == '\n')
            return 0; /* after the last line ending there is no line */
        const unsigned char *nl = memchr(t + s, '\n', len - s);
        size_t le = nl ? (size_t)(nl - t) : len;
        if (e <= le) {
            *ms = s, *me = e;
            return 1;
        }
        /* the match runs over the line's end: try that line alone */
        const unsigned char *prev = s ? memrchr(t, '\n', s) : NULL;
        size_t ls = prev ? (size_t)(prev - t) + 1 : 0;
        rc = pcre2_match(re, t + ls, le - ls, s - ls, 0, md, NULL);
        if (rc >= 0) {
            ov = pcre2_get_ovector_pointer(md);
            *ms = ls + ov[0], *me = ls + ov[1];
            return 1;
        }
        from = le + 1;
    }
    return 0;
}

size_t search_regex_buffer(const search_pattern *pat, const char *text, size_t len,
                           search_fn fn, void *ud)
{
    const unsigned char *t = (const unsigned char *)text;
    search_cursor cur = {0, 1, 0};
    size_t reported = 0, s, e;
    if (len == 0)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(pat->re, NULL);
    if (!md)
        return 0;
    while (cur.pos < len && next_match(pat->re, md, t, len, cur.pos, &s, &e)) {
        search_hit hit;
        search_cursor_hit(&cur, t, len, s, e > s ? e - s : 1, &hit);
        hit.length = e - s;
        reported++;
        if (fn && fn(ud, text, &hit))
            break;
    }
    pcre2_match_data_free(md);
    return reported;
}
