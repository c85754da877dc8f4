/*
 * md_text.c — the text-level half of md.h: `**Key:** value` fields of both
 * forms and where a `**Label:**` block ends, task items, code lookups,
 * line endings. Titles are in md_title.c.
 */
#include "md.h"
#include "md_scan.h"

#include <stdint.h>

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
    size_t lo = x ? md_first_block(x, pos) : 0;
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
        if ((last & MD_FIELD_PLAIN) && f.bullet)
            continue;
        if (equal_icase(text + f.key.start, f.key.end - f.key.start, key, key_len)) {
            *field = f;
            found = 1;
            if (!(last & MD_FIELD_LAST))
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

size_t md_fields_find_each(const char *text, size_t start, size_t end,
                           const md_index *index, const char *const *keys,
                           const size_t *key_lens, size_t nkeys, md_span *values)
{
    size_t pos = start, left = nkeys;
    text_lines c;
    md_field f;
    for (size_t k = 0; k < nkeys; k++)
        values[k].start = values[k].end = SIZE_MAX;
    align_to_line(text, end, &pos);
    text_lines_init(&c, text, end, index, pos);
    while (left > 0 && next_any_field(&c, &pos, &f)) {
        for (size_t k = 0; k < nkeys; k++) {
            if (values[k].start == SIZE_MAX &&
                equal_icase(text + f.key.start, f.key.end - f.key.start, keys[k], key_lens[k])) {
                values[k] = f.value;
                left--;
            }
        }
    }
    return nkeys - left;
}
