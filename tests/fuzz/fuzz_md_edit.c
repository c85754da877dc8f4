/*
 * fuzz_md_edit.c — libFuzzer target: the Lua-level edits (lmd.c's splice and
 * set_field, logedit.lua's inserts) emulated in C on a fuzzed document.
 *
 * Input: 8 control bytes, a replacement of up to 255 bytes (length in the
 * last control byte), then the document. The edit is one of
 *   0  replace a sub-span of a section's body [heading_end, body_end)
 *   1  set a `**Key:**` field's value found by md_field_find in a body
 *   2  insert at a section's heading_start
 *   3  insert at a section's heading_end
 *   4  insert at a section's body_end
 *   5  insert at a section's end (after its subtree)
 *   6  replace a whole subtree [heading_start, end)
 * After the splice the text is re-indexed and checked: every index
 * invariant (fuzz_check.h), the bytes before and after the edited span are
 * the original ones, and every section that ends before the edit keeps its
 * offsets, level, line, title and parent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "md.h"

enum { CTL = 8 };

/* text[0, len) with [a, b) replaced by r[0, rlen); malloc'd, exact size. */
static char *splice(const char *t, size_t len, size_t a, size_t b,
                    const char *r, size_t rlen, size_t *out_len)
{
    size_t n = len - (b - a) + rlen;
    char *o = malloc(n ? n : 1);
    if (!o)
        return NULL;
    memcpy(o, t, a);
    memcpy(o + a, r, rlen);
    memcpy(o + a + rlen, t + b, len - b);
    *out_len = n;
    return o;
}

/* Does section s end, line ending and all, before an edit at a? A heading
 * whose line ending is at a can still change: without one (end of text)
 * the line goes on, and a CR at a-1 joins an LF at a into one CRLF. */
static int ends_before(const md_section *s, const char *old, const char *nw,
                       size_t nlen, size_t a)
{
    if (s->heading_end < a)
        return 1;
    if (s->heading_end > a || a == 0)
        return 0;
    if (old[a - 1] == '\n')
        return 1;
    return old[a - 1] == '\r' && !(a < nlen && nw[a] == '\n');
}

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Set a field: the k-th field line of section s's body, looked up again by
 * its key as lmd.c's set_field does. Returns the span to replace. */
static int field_span(const char *t, const md_index *x, const md_section *s,
                      unsigned k, char *repl, size_t rlen, md_span *edit,
                      md_span *line)
{
    size_t pos = s->heading_end, n = 0;
    md_span key, value, ln, v2, l2;
    int found = 0;
    while (md_field_next(t, s->body_end, x, &pos, &key, &value, &ln)) {
        FUZZ_CHECK(s->heading_end <= ln.start && ln.start <= key.start &&
                       key.start < key.end && key.end <= value.start &&
                       value.start <= value.end && value.end <= ln.end &&
                       ln.end <= s->body_end && ln.end == pos,
                   "field spans out of order");
        for (size_t i = value.start; i < value.end; i++)
            FUZZ_CHECK(t[i] != '\n' && t[i] != '\r', "line ending in a value");
        if (n++ == k % 8 || !found) {
            found = 1;
            FUZZ_CHECK(md_field_find(t, s->heading_end, s->body_end, x,
                                     t + key.start, key.end - key.start, &v2,
                                     &l2) == 0,
                       "md_field_find misses key of line %zu", ln.start);
            FUZZ_CHECK(l2.start <= ln.start && v2.start >= l2.start &&
                           v2.end <= l2.end,
                       "md_field_find found a later line");
            *edit = v2;
            *line = l2;
        }
    }
    /* a value is one line (logedit.lua's one_line) */
    for (size_t i = 0; i < rlen; i++)
        if (repl[i] == '\n' || repl[i] == '\r')
            repl[i] = ' ';
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_index x = {0}, y = {0};
    char *text = NULL, *repl = NULL, *out = NULL;
    size_t len, rlen, a, b, olen = 0;
    const md_section *s;
    md_span fld = {0, 0}, fline = {0, 0};
    unsigned op;
    if (fuzz_split(data, size, CTL, &text, &len, &repl, &rlen) != 0)
        return 0;
    FUZZ_CHECK(md_index_build(text, len, &x) == 0, "build failed");
    fuzz_check_index(&x, text, len);
    if (x.count == 0)
        goto done;
    op = data[0] % 7;
    s = &x.sections[data[1] % x.count];
    switch (op) {
    case 0: /* a sub-span of the body */
        a = s->heading_end + u16(data + 2) % (s->body_end - s->heading_end + 1);
        b = a + u16(data + 4) % (s->body_end - a + 1);
        break;
    case 1:
        if (!field_span(text, &x, s, data[2], repl, rlen, &fld, &fline))
            goto done;
        a = fld.start;
        b = fld.end;
        break;
    case 2: a = b = s->heading_start; break;
    case 3: a = b = s->heading_end; break;
    case 4: a = b = s->body_end; break;
    case 5: a = b = s->end; break;
    default:
        a = s->heading_start;
        b = s->end;
        break;
    }
    if (!(out = splice(text, len, a, b, repl, rlen, &olen)))
        goto done;
    FUZZ_CHECK(memcmp(out, text, a) == 0, "bytes before the edit changed");
    FUZZ_CHECK(memcmp(out + a + rlen, text + b, len - b) == 0,
               "bytes after the edit changed");
    FUZZ_CHECK(md_index_build(out, olen, &y) == 0, "build failed");
    fuzz_check_index(&y, out, olen);
    /* sections entirely before the edit are untouched, and no new one
     * appears among them */
    {
        size_t k = 0;
        while (k < x.count && ends_before(&x.sections[k], text, out, olen, a))
            k++;
        FUZZ_CHECK(y.count >= k, "op %u at %zu: %zu sections before the edit, "
                   "%zu after it", op, a, k, y.count);
        for (size_t i = 0; i < k; i++) {
            const md_section *p = &x.sections[i], *q = &y.sections[i];
            FUZZ_CHECK(p->heading_start == q->heading_start &&
                           p->heading_end == q->heading_end &&
                           p->level == q->level && p->line == q->line &&
                           p->title_start == q->title_start &&
                           p->title_len == q->title_len && p->parent == q->parent,
                       "op %u at [%zu, %zu): section %zu before the edit moved "
                       "(start %zu->%zu, heading_end %zu->%zu, level %d->%d)",
                       op, a, b, i, p->heading_start, q->heading_start,
                       p->heading_end, q->heading_end, p->level, q->level);
        }
        if (k < y.count)
            FUZZ_CHECK(y.sections[k].heading_end >= a,
                       "op %u: a new section %zu ends before the edit at %zu",
                       op, k, a);
    }
    /* a set field reads back (unless its value has blanks at the edges,
     * which the reader trims; an empty value reads back empty, after any
     * blanks that followed the old value) */
    if (op == 1 && (rlen == 0 || (repl[0] != ' ' && repl[0] != '\t' &&
                                  repl[rlen - 1] != ' ' && repl[rlen - 1] != '\t'))) {
        md_span v;
        size_t keylen = 0;
        const char *key = NULL;
        md_span k2, v2, l2;
        size_t pos = fline.start;
        FUZZ_CHECK(md_field_next(out, olen, &y, &pos, &k2, &v2, &l2) == 1 &&
                       l2.start == fline.start,
                   "the edited field line is no longer a field");
        key = out + k2.start;
        keylen = k2.end - k2.start;
        FUZZ_CHECK(md_field_find(out, fline.start, olen, &y, key, keylen, &v, NULL) == 0 &&
                       (rlen == 0 ? v.start == v.end
                                  : v.start == a && v.end == a + rlen),
                   "set field does not read back: value [%zu, %zu), want [%zu, %zu)",
                   v.start, v.end, a, a + rlen);
    }
done:
    md_index_free(&x);
    md_index_free(&y);
    free(out);
    free(text);
    free(repl);
    return 0;
}
