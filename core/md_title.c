/*
 * md_title.c — headings' titles: plain text of their inline Markdown (via
 * cmark's inline parser), the normalised form, and title lookup.
 */
#include "md.h"
#include "md_scan.h"
#include "utf8.h"

#include <cmark.h>
#include <stdint.h>

/* ---- titles ----------------------------------------------------------- */

/* Decode one UTF-8 code point at s[*i]; invalid bytes come back as
 * themselves, one at a time (never read past len). */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i,
                          size_t *n)
{
    unsigned char c = s[*i];
    size_t k, need = c >= 0xF0 && c < 0xF5 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
    uint32_t cp = need == 3 ? c & 0x07u : need == 2 ? c & 0x0Fu : c & 0x1Fu;
    if (need == 0 || *i + need >= len) {
        *n = 1;
        return c;
    }
    for (k = 1; k <= need; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            *n = 1;
            return c;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3Fu);
    }
    *n = need + 1;
    return cp;
}

static bool is_symbol(uint32_t cp)
{
    return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* Next byte of the normalised form of s[0, len) from *i, or -1 at the end.
 * *keep counts bytes still to copy from a kept multi-byte character. */
static int norm_next(const unsigned char *s, size_t len, size_t *i, size_t *keep)
{
    while (*i < len) {
        size_t n;
        uint32_t cp;
        if (*keep > 0) {
            (*keep)--;
            return s[(*i)++];
        }
        cp = utf8_next(s, len, i, &n);
        if (n == 1 && cp < 0x80) {
            (*i)++;
            if (is_space((unsigned char)cp) || is_punct((unsigned char)cp))
                continue;
            return lower((unsigned char)cp);
        }
        if (n > 1 && is_symbol(cp)) {
            *i += n;
            continue;
        }
        *keep = n - 1;
        return s[(*i)++];
    }
    return -1;
}

size_t md_normalize_title(const char *s, size_t len, char *out)
{
    size_t i = 0, keep = 0, n = 0;
    int c;
    while ((c = norm_next((const unsigned char *)s, len, &i, &keep)) >= 0)
        out[n++] = (char)c;
    out[n] = '\0';
    return n;
}

/* Is the normalised query a (non-empty) prefix of the normalised title? */
static bool norm_prefix(const char *title, size_t tlen, const char *q, size_t qlen)
{
    size_t ti = 0, tk = 0, qi = 0, qk = 0, n = 0;
    int a, b;
    while ((b = norm_next((const unsigned char *)q, qlen, &qi, &qk)) >= 0) {
        a = norm_next((const unsigned char *)title, tlen, &ti, &tk);
        if (a != b)
            return false;
        n++;
    }
    return n > 0;
}

/* Are the normalised forms of title and q equal (and not empty)? */
static bool norm_equal(const char *title, size_t tlen, const char *q, size_t qlen)
{
    size_t ti = 0, tk = 0, qi = 0, qk = 0, n = 0;
    int a, b;
    do {
        a = norm_next((const unsigned char *)title, tlen, &ti, &tk);
        b = norm_next((const unsigned char *)q, qlen, &qi, &qk);
        if (a != b)
            return false;
        n++;
    } while (a >= 0);
    return n > 1;
}

/* A query that normalises to nothing (only emoji or punctuation, `🚢`)
 * matches a title that starts with its bytes, ASCII case aside. */
static bool raw_prefix(const char *title, size_t tlen, const char *q, size_t qlen)
{
    size_t i = 0, keep = 0;
    if (qlen == 0 || qlen > tlen ||
        norm_next((const unsigned char *)q, qlen, &i, &keep) >= 0)
        return false;
    return equal_icase(title, qlen, q, qlen);
}

int md_title_has_prefix(const char *title, size_t title_len, const char *query,
                        size_t query_len)
{
    return norm_prefix(title, title_len, query, query_len) ||
           raw_prefix(title, title_len, query, query_len);
}

/* Tiers, in order: 0 exact, 1 ASCII case-insensitive, 2 normalised
 * prefix, 3 normalised equality, 4 raw prefix of an empty-normalising
 * query. */
static bool tier_hit(int tier, const char *t, size_t n, const char *q, size_t qlen)
{
    switch (tier) {
    case 0: return n == qlen && memcmp(t, q, n) == 0;
    case 1: return equal_icase(t, n, q, qlen);
    case 2: return norm_prefix(t, n, q, qlen);
    case 3: return norm_equal(t, n, q, qlen);
    default: return raw_prefix(t, n, q, qlen);
    }
}

static long find_tiers(const char *const *titles, const size_t *lens, size_t count,
                       const char *query, size_t query_len, const int *tiers)
{
    for (; *tiers >= 0; tiers++)
        for (size_t i = 0; i < count; i++)
            if (tier_hit(*tiers, titles[i], lens[i], query, query_len))
                return (long)i;
    return -1;
}

long md_find_title(const char *const *plain_titles, const size_t *title_lens,
                   size_t count, const char *query, size_t query_len)
{
    static const int tiers[] = {0, 1, 2, -1};
    return find_tiers(plain_titles, title_lens, count, query, query_len, tiers);
}

long md_find_title_mode(const char *const *plain_titles, const size_t *title_lens,
                        size_t count, const char *query, size_t query_len,
                        int mode)
{
    static const int prefix[] = {0, 1, 2, 4, -1}, exact[] = {0, 1, 3, -1};
    return find_tiers(plain_titles, title_lens, count, query, query_len,
                      mode == MD_FIND_EXACT ? exact : prefix);
}

typedef struct strbuf {
    char *p;
    size_t n, cap;
} strbuf;

static int sb_put(strbuf *b, const char *s, size_t n)
{
    if (md_grow((void **)&b->p, &b->cap, b->n + n + 1, 1))
        return -1;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

/* Text of every inline leaf under doc, breaks as one space. */
static int collect_text(cmark_node *doc, strbuf *out)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    int rc = 0;
    if (!it)
        return -1;
    while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        const char *lit;
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            rc = sb_put(out, " ", 1);
        else if ((t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE ||
                  t == CMARK_NODE_HTML_INLINE) &&
                 (lit = cmark_node_get_literal(n)) != NULL)
            rc = sb_put(out, lit, strlen(lit));
    }
    cmark_iter_free(it);
    return rc;
}

/* The title is a heading's inline content, but parsed alone its first
 * characters could read as a block start ("1. x", "> x", "<div>", "[a]: /u").
 * A leading "x " keeps it a paragraph and is dropped after. The space
 * matters: a delimiter run after a space flanks as it does at the start of
 * a heading, so "_Notes_" and "**(WIP)**" still read as emphasis. */
/* Whether cmark's inline parse gives raw back unchanged: printable ASCII
 * but the bytes that start or end an inline (\ ` * _ [ ] < > ! &), and
 * whole UTF-8 characters (cmark replaces broken ones), with no blank at
 * either end. Most titles are so ("2025-11-15 - Deployment", "🎯 Current
 * Work"), and cmark's parse of one costs thousands of instructions. */
static int plain_already(const unsigned char *s, size_t len)
{
    static const char starts[] = "\\`*_[]<>!&";
    if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
        return 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t n = utf8_seq(s, len, i);
            if (n == 0)
                return 0;
            i += n;
            continue;
        }
        if (c < 0x20 || c == 0x7f || memchr(starts, c, sizeof starts - 1))
            return 0;
        i++;
    }
    return 1;
}

char *md_plain_title(const char *raw, size_t len, size_t *out_len)
{
    if (plain_already((const unsigned char *)raw, len)) {
        char *copy = malloc(len + 1);
        if (!copy)
            return NULL;
        memcpy(copy, raw, len);
        copy[len] = '\0';
        if (out_len)
            *out_len = len;
        return copy;
    }
    return mdt_plain_title_parsed(raw, len, out_len);
}

char *mdt_plain_title_parsed(const char *raw, size_t len, size_t *out_len)
{
    strbuf src = {0}, out = {0};
    cmark_node *doc = NULL;
    char *result = NULL;
    if (sb_put(&src, "x ", 2) || sb_put(&src, raw, len))
        goto done;
    if (!(doc = cmark_parse_document(src.p, src.n, CMARK_OPT_DEFAULT)))
        goto done;
    if (sb_put(&out, "", 0) || collect_text(doc, &out))
        goto done;
    while (out.n > 0 && out.p[out.n - 1] == ' ')
        out.p[--out.n] = '\0';
    size_t drop = out.n >= 2 && out.p[0] == 'x' && out.p[1] == ' ' ? 2
                  : out.n == 1 && out.p[0] == 'x' ? 1 : 0;
    memmove(out.p, out.p + drop, out.n - drop + 1); /* with the NUL */
    out.n -= drop;
    result = out.p;
    out.p = NULL;
    if (out_len)
        *out_len = out.n;
done:
    if (doc)
        cmark_node_free(doc);
    free(src.p);
    free(out.p);
    return result;
}
