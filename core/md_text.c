/*
 * md_text.c — the text-level half of md.h: plain titles (via cmark's inline
 * parser), title lookup, `**Key:** value` fields, task items, line endings.
 */
#include "md.h"
#include "md_scan.h"

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

static bool equal_icase(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

long md_find_title(const char *const *plain_titles, const size_t *title_lens,
                   size_t count, const char *query, size_t query_len)
{
    for (int tier = 0; tier < 3; tier++) {
        for (size_t i = 0; i < count; i++) {
            const char *t = plain_titles[i];
            size_t n = title_lens[i];
            bool hit = tier == 0 ? n == query_len && memcmp(t, query, n) == 0
                       : tier == 1 ? equal_icase(t, n, query, query_len)
                                   : norm_prefix(t, n, query, query_len);
            if (hit)
                return (long)i;
        }
    }
    return -1;
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
char *md_plain_title(const char *raw, size_t len, size_t *out_len)
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

/* ---- fields, tasks, line endings -------------------------------------- */

/* The line at pos in text[0, end): content [pos, *cend), next line *next. */
static void line_at(const char *text, size_t end, size_t pos, size_t *cend,
                    size_t *next)
{
    const char *nl = memchr(text + pos, '\n', end - pos);
    size_t e = nl ? (size_t)(nl - text) : end;
    const char *cr = memchr(text + pos, '\r', e - pos);
    if (cr) {
        *cend = (size_t)(cr - text);
        *next = *cend + 1 + (*cend + 1 < end && cr[1] == '\n');
    } else {
        *cend = e;
        *next = e + (nl != NULL);
    }
}

static size_t skip_blank_bytes(const char *t, size_t i, size_t end)
{
    while (i < end && is_sp_tab((unsigned char)t[i]))
        i++;
    return i;
}

static size_t trim_end(const char *t, size_t start, size_t end)
{
    while (end > start && is_sp_tab((unsigned char)t[end - 1]))
        end--;
    return end;
}

/* `**Key:** value` or `**Key**: value` on [i, e): key and value spans. */
static bool parse_field(const char *t, size_t i, size_t e, md_span *key,
                        md_span *value)
{
    size_t k, v;
    i = skip_blank_bytes(t, i, e);
    if (e - i < 5 || t[i] != '*' || t[i + 1] != '*')
        return false;
    for (k = i + 2; k + 1 < e && !(t[k] == '*' && t[k + 1] == '*'); k++)
        ;
    if (k + 1 >= e)
        return false;
    if (k > i + 2 && t[k - 1] == ':') {
        key->end = k - 1;
        v = k + 2;
    } else if (k + 2 < e && t[k + 2] == ':') {
        key->end = k;
        v = k + 3;
    } else {
        return false;
    }
    key->start = i + 2;
    if (key->end <= key->start)
        return false;
    value->start = skip_blank_bytes(t, v, e);
    value->end = trim_end(t, value->start, e);
    return true;
}

/* Only whole lines count: a cursor in mid-line moves to the next line. */
static void align_to_line(const char *text, size_t end, size_t *pos)
{
    if (*pos > 0 && *pos < end && text[*pos - 1] != '\n' && text[*pos - 1] != '\r') {
        size_t cend, next;
        line_at(text, end, *pos, &cend, &next);
        *pos = next;
    }
}

/* The first code run of x that ends after pos (x->code_count when none). */
static size_t code_after(const md_index *x, size_t pos)
{
    size_t lo = 0, hi = x ? x->code_count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->code[mid].end <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int md_in_code(const md_index *index, size_t pos)
{
    size_t k = code_after(index, pos);
    return index && k < index->code_count && index->code[k].start <= pos;
}

/* A cursor over the lines of text[*pos, end) outside code. `skip` is the
 * start of the next code run (SIZE_MAX when none), so a text line costs one
 * comparison. Code runs are whole lines: a run never starts in the middle
 * of a line read here. */
typedef struct text_lines {
    const char *text;
    size_t end;
    const md_span *code; /* the runs from the next one on */
    const md_span *code_end;
    size_t skip;
} text_lines;

static void text_lines_init(text_lines *c, const char *text, size_t end,
                            const md_index *x, size_t pos)
{
    c->text = text;
    c->end = end;
    c->code = c->code_end = NULL;
    c->skip = SIZE_MAX;
    if (x && x->code_count > 0) { /* (no arithmetic on a NULL array) */
        c->code = x->code + code_after(x, pos);
        c->code_end = x->code + x->code_count;
        c->skip = c->code < c->code_end ? c->code->start : SIZE_MAX;
    }
}

/* The next text line: its start (returned) and content end *cend; *pos
 * moves past it. SIZE_MAX at the end. */
static size_t next_text_line(text_lines *c, size_t *pos, size_t *cend)
{
    size_t start, next;
    while (c->skip <= *pos) { /* skip the run holding *pos */
        if (c->code->end > *pos)
            *pos = c->code->end < c->end ? c->code->end : c->end;
        c->code++;
        c->skip = c->code < c->code_end ? c->code->start : SIZE_MAX;
    }
    if (*pos >= c->end)
        return SIZE_MAX;
    start = *pos;
    line_at(c->text, c->end, start, cend, &next);
    *pos = next;
    return start;
}

/* The next field line from *pos with cursor c. */
static int next_field(text_lines *c, size_t *pos, md_span *key, md_span *value,
                      md_span *line_span)
{
    size_t start, cend;
    while ((start = next_text_line(c, pos, &cend)) != SIZE_MAX) {
        if (parse_field(c->text, start, cend, key, value)) {
            *line_span = (md_span){start, *pos};
            return 1;
        }
    }
    return 0;
}

int md_field_next(const char *text, size_t end, const md_index *index,
                  size_t *pos, md_span *key, md_span *value, md_span *line_span)
{
    text_lines c;
    md_span k, v, ln;
    align_to_line(text, end, pos);
    text_lines_init(&c, text, end, index, *pos);
    if (!next_field(&c, pos, &k, &v, &ln))
        return 0;
    if (key)
        *key = k;
    if (value)
        *value = v;
    if (line_span)
        *line_span = ln;
    return 1;
}

int md_field_find(const char *text, size_t start, size_t end,
                  const md_index *index, const char *key, size_t key_len,
                  md_span *value, md_span *line_span)
{
    size_t pos = start;
    text_lines c;
    md_span k, v, ln;
    align_to_line(text, end, &pos);
    text_lines_init(&c, text, end, index, pos);
    while (next_field(&c, &pos, &k, &v, &ln)) {
        if (equal_icase(text + k.start, k.end - k.start, key, key_len)) {
            if (value)
                *value = v;
            if (line_span)
                *line_span = ln;
            return 0;
        }
    }
    return -1;
}

/* ---- fields of both forms, and where a `**Label:**` block ends ---------- */

/* A list item marker at t[i]: `-`, `*`, `+`, or 1-9 digits and `.` or `)`,
 * then a blank. Returns the index after the blank, or i when none. */
static size_t item_marker(const char *t, size_t i, size_t e)
{
    size_t k = i;
    if (k < e && (t[k] == '-' || t[k] == '*' || t[k] == '+')) {
        k++;
    } else {
        while (k < e && k - i < 9 && is_digit((unsigned char)t[k]))
            k++;
        if (k == i || k >= e || (t[k] != '.' && t[k] != ')'))
            return i;
        k++;
    }
    return k < e && is_sp_tab((unsigned char)t[k]) ? k + 1 : i;
}

/* A field of either form on the line [i, e): key, value, *bullet. */
static bool parse_any_field(const char *t, size_t i, size_t e, md_span *key,
                            md_span *value, int *bullet)
{
    size_t k;
    i = skip_blank_bytes(t, i, e);
    k = item_marker(t, i, e);
    *bullet = k != i;
    return parse_field(t, k, e, key, value);
}

/* The next line in text[*pos, end) outside code holding a field of either
 * form (cursor c). */
static int next_any_field(text_lines *c, size_t *pos, md_field *f)
{
    size_t start, cend;
    while ((start = next_text_line(c, pos, &cend)) != SIZE_MAX) {
        if (parse_any_field(c->text, start, cend, &f->key, &f->value, &f->bullet)) {
            f->line = (md_span){start, *pos};
            f->block_end = SIZE_MAX;
            return 1;
        }
    }
    return 0;
}

/* The first section heading starting at or after pos, or len. */
static size_t heading_from(const md_index *x, size_t pos, size_t len)
{
    size_t lo = 0, hi = x ? x->count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->sections[mid].heading_start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return x && lo < x->count ? x->sections[lo].heading_start : len;
}

/* The first document-level thematic break in [pos, limit), or limit. */
static size_t break_from(const md_index *x, size_t pos, size_t limit)
{
    size_t lo = 0, hi = x ? x->block_count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->blocks[mid].start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; x && lo < x->block_count && x->blocks[lo].start < limit; lo++)
        if (x->blocks[lo].kind == MD_BLOCK_BREAK)
            return x->blocks[lo].start;
    return limit;
}

/* Where the block led by non-bullet field f ends: the next non-bullet
 * field line, document-level thematic break or heading, or len. The lines
 * read are the block's own, so a walk over every field reads each twice
 * at most. */
static size_t block_end(const char *text, size_t len, const md_index *x,
                        const md_field *f)
{
    size_t limit = heading_from(x, f->line.end, len), pos = f->line.end;
    text_lines c;
    md_field g;
    text_lines_init(&c, text, limit, x, pos);
    while (next_any_field(&c, &pos, &g)) {
        if (!g.bullet) {
            limit = g.line.start;
            break;
        }
    }
    return break_from(x, f->line.end, limit);
}

int md_fields_next(const char *text, size_t len, size_t end,
                   const md_index *index, size_t *pos, md_field *field)
{
    text_lines c;
    md_field f;
    align_to_line(text, end, pos);
    text_lines_init(&c, text, end, index, *pos);
    if (!next_any_field(&c, pos, &f))
        return 0;
    if (!f.bullet)
        f.block_end = block_end(text, len, index, &f);
    *field = f;
    return 1;
}

int md_fields_find(const char *text, size_t len, size_t start, size_t end,
                   const md_index *index, const char *key, size_t key_len,
                   int last, md_field *field)
{
    size_t pos = start;
    text_lines c;
    md_field f;
    int found = 0;
    align_to_line(text, end, &pos);
    text_lines_init(&c, text, end, index, pos);
    while (next_any_field(&c, &pos, &f)) {
        if (equal_icase(text + f.key.start, f.key.end - f.key.start, key, key_len)) {
            *field = f;
            found = 1;
            if (!last)
                break;
        }
    }
    if (found && !field->bullet)
        field->block_end = block_end(text, len, index, field);
    return found ? 0 : -1;
}

/* `- [ ] text` on [i, e): sets *done and the text span. */
static bool parse_task(const char *t, size_t i, size_t e, int *done,
                       md_span *text_span)
{
    i = skip_blank_bytes(t, i, e);
    if (e - i < 5 || (t[i] != '-' && t[i] != '*' && t[i] != '+') ||
        !is_sp_tab((unsigned char)t[i + 1]))
        return false;
    i = skip_blank_bytes(t, i + 1, e);
    if (e - i < 3 || t[i] != '[' || t[i + 2] != ']' ||
        (t[i + 1] != ' ' && t[i + 1] != 'x' && t[i + 1] != 'X'))
        return false;
    if (i + 3 < e && !is_sp_tab((unsigned char)t[i + 3]))
        return false;
    *done = t[i + 1] != ' ';
    text_span->start = skip_blank_bytes(t, i + 3, e);
    text_span->end = trim_end(t, text_span->start, e);
    return true;
}

int md_task_next(const char *text, size_t end, const md_index *index,
                 size_t *pos, int *done, md_span *task_text, md_span *line_span)
{
    size_t start, cend;
    text_lines c;
    align_to_line(text, end, pos);
    text_lines_init(&c, text, end, index, *pos);
    while ((start = next_text_line(&c, pos, &cend)) != SIZE_MAX) {
        md_span tx;
        int d;
        if (parse_task(text, start, cend, &d, &tx)) {
            if (done)
                *done = d;
            if (task_text)
                *task_text = tx;
            if (line_span)
                *line_span = (md_span){start, *pos};
            return 1;
        }
    }
    return 0;
}

const char *md_eol(const char *text, size_t len)
{
    const char *nl = memchr(text, '\n', len);
    const char *cr = memchr(text, '\r', nl ? (size_t)(nl - text) : len);
    if (cr && (size_t)(cr - text) + 1 < len && cr[1] == '\n')
        return "\r\n";
    return "\n";
}
