/*
 * search_out.c — the output buffer of search_print.h and its two escapes:
 * for a terminal (the rule of sys.escape_controls) and for JSON (the rule
 * of sesslua.json), kept byte for byte with the Lua side
 * (tests/unit/test_search_pool.c, tests/e2e/test_search.sh).
 */
#include "search_print.h"
#include "controls.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- buffer ------------------------------------------------------------- */

static int reserve(search_out *out, size_t more)
{
    if (out->oom)
        return -1;
    if (out->cap - out->len >= more)
        return 0;
    size_t cap = out->cap ? out->cap : 4096;
    while (cap - out->len < more) {
        if (cap > ((size_t)-1) / 2) {
            out->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(out->data, cap);
    if (!p) {
        out->oom = 1;
        return -1;
    }
    out->data = p;
    out->cap = cap;
    return 0;
}

void search_out_reset(search_out *out)
{
    out->len = 0;
    out->nmarks = 0;
    out->oom = 0;
}

void search_out_free(search_out *out)
{
    free(out->data);
    free(out->marks);
    memset(out, 0, sizeof *out);
}

void search_out_put(search_out *out, const char *s, size_t n)
{
    if (n == 0 || reserve(out, n) != 0)
        return;
    memcpy(out->data + out->len, s, n);
    out->len += n;
}

static void put_str(search_out *out, const char *s)
{
    search_out_put(out, s, strlen(s));
}

void search_out_mark(search_out *out, int value)
{
    if (out->oom)
        return;
    if (out->nmarks == out->mcap) {
        size_t cap = out->mcap ? out->mcap * 2 : 16;
        search_mark *m = realloc(out->marks, cap * sizeof *m);
        if (!m) {
            out->oom = 1;
            return;
        }
        out->marks = m;
        out->mcap = cap;
    }
    out->marks[out->nmarks].at = out->len;
    out->marks[out->nmarks++].value = value;
}

int search_out_write(const search_out *out, size_t skip, const char *const *values,
                     const size_t *lens, FILE *f)
{
    size_t at = skip;
    for (size_t i = 0; i <= out->nmarks; i++) {
        size_t end = i < out->nmarks ? out->marks[i].at : out->len;
        if (end > at && fwrite(out->data + at, 1, end - at, f) != end - at)
            return -1;
        if (end > at)
            at = end;
        if (i == out->nmarks)
            break;
        int v = out->marks[i].value;
        if (lens[v] && fwrite(values[v], 1, lens[v], f) != lens[v])
            return -1;
    }
    return 0;
}

/* ---- escaping ------------------------------------------------------------ */

/* The end of the run of printable ASCII and tabs from s[i]: 16 bytes a
 * step where SSE2 is there (x86-64 always), so a line costs a few compares,
 * not one per byte. */
static size_t plain_run(const unsigned char *s, size_t i, size_t len)
{
#ifdef __SSE2__
    const __m128i lo = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t');
    while (len - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        /* signed: bytes 0x80-0xff are negative, so not > 0x1f */
        __m128i ok = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, del), _mm_cmpgt_epi8(v, lo)),
                                  _mm_cmpeq_epi8(v, tab));
        unsigned bad = ~(unsigned)_mm_movemask_epi8(ok) & 0xffffu;
        if (bad)
            return i + (size_t)__builtin_ctz(bad);
        i += 16;
    }
    if (i < len && len >= 16) { /* the tail: the last 16 bytes, overlapping */
        size_t p = len - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(s + p));
        __m128i ok = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, del), _mm_cmpgt_epi8(v, lo)),
                                  _mm_cmpeq_epi8(v, tab));
        unsigned bad = ~(unsigned)_mm_movemask_epi8(ok) & 0xffffu & ~((1u << (i - p)) - 1u);
        return bad ? p + (size_t)__builtin_ctz(bad) : len;
    }
#endif
    while (i < len && ((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t'))
        i++;
    return i;
}

void search_out_printable(search_out *out, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, from = 0, n;
    unsigned cp;
    while (i < len) {
        if ((i = plain_run(s, i, len)) == len) /* the common case */
            break;
        unsigned char c = s[i];
        if ((n = control_at(s, i, len, &cp)) == 0) {
            /* a character that is no control: none of its bytes is one
             * either (they continue it), so step over it whole */
            size_t seq = c >= 0xc2 ? utf8_seq(s, len, i) : 0;
            i += seq ? seq : 1;
            continue;
        }
        search_out_put(out, str + from, i - from);
        char esc[16];
        int w = cp ? snprintf(esc, sizeof esc, "\\u{%04X}", cp)
                   : snprintf(esc, sizeof esc, "\\x%02x", c);
        search_out_put(out, esc, (size_t)w);
        i += n;
        from = i;
    }
    search_out_put(out, str + from, len - from);
}

void search_out_line(search_out *out, const char *head, size_t hlen, const char *text,
                     size_t tlen)
{
    if (plain_run((const unsigned char *)text, 0, tlen) == tlen &&
        reserve(out, hlen + tlen + 1) == 0) { /* nearly every line */
        char *d = out->data + out->len;
        memcpy(d, head, hlen);
        memcpy(d + hlen, text, tlen);
        d[hlen + tlen] = '\n';
        out->len += hlen + tlen + 1;
        return;
    }
    search_out_put(out, head, hlen);
    search_out_printable(out, text, tlen);
    search_out_put(out, "\n", 1);
}

void search_out_json(search_out *out, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, from = 0;
    search_out_put(out, "\"", 1);
    while (i < len) {
        unsigned c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
            continue;
        }
        size_t n = c < 0x80 ? 1 : utf8_seq(s, len, i);
        unsigned cp = n >= 2 ? unicode_control(s + i, len - i) : 0;
        if (n >= 2 && !cp) { /* a character to keep */
            i += n;
            continue;
        }
        search_out_put(out, str + from, i - from);
        if (n == 0) {
            search_out_put(out, "\xEF\xBF\xBD", 3); /* not UTF-8: U+FFFD */
            n = 1;
        } else {
            const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t" : NULL;
            if (e) {
                put_str(out, e);
            } else {
                unsigned v = cp ? cp : c;
                char u[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15],
                             hex[(v >> 4) & 15], hex[v & 15]};
                search_out_put(out, u, 6);
            }
        }
        i += n;
        from = i;
    }
    search_out_put(out, str + from, len - from);
    search_out_put(out, "\"", 1);
}

