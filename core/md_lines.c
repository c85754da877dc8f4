/*
 * md_lines.c — cmark's per-line scanners (scanners.re and the cursor of
 * blocks.c), one line at a time, for the block scanner in md.c.
 */
#include "md_scan.h"

/* Case-insensitive: does s[i, len) start with the lowercase word w? */
static bool has_word(const line *l, size_t i, const char *w)
{
    for (; *w; w++, i++)
        if (i >= l->len || lower(l->s[i]) != (unsigned char)*w)
            return false;
    return true;
}

/* Case-insensitive search for the lowercase word w in s[i, len). */
static bool find_word(const line *l, size_t i, const char *w)
{
    size_t n = strlen(w);
    for (; i + n <= l->len; i++)
        if (lower(l->s[i]) == (unsigned char)w[0] && has_word(l, i, w))
            return true;
    return false;
}

/* ---- cmark's cursor (S_find_first_nonspace, S_advance_offset) -------- */

/* Like cmark, rescan only when the cursor has passed the last first
 * non-space: deep containers would otherwise rescan the same indentation
 * once per open block. Tab stops are absolute, so the column holds. */
void mdl_find_fns(line *l)
{
    if (l->fns <= l->off) {
        size_t i = l->off, col = l->col;
        while (i < l->len && is_sp_tab(l->s[i])) {
            col += l->s[i] == ' ' ? 1 : TAB_STOP - col % TAB_STOP;
            i++;
        }
        l->fns = i;
        l->fns_col = col;
    }
    l->indent = l->fns_col - l->col;
    l->blank = l->fns >= l->len;
}

/* Advance by count columns (a tab may be split) or count bytes. */
void mdl_advance(line *l, size_t count, bool columns)
{
    while (count > 0 && l->off <= l->len) {
        if (l->off < l->len && l->s[l->off] == '\t') {
            size_t to_tab = TAB_STOP - l->col % TAB_STOP;
            if (columns) {
                size_t step = to_tab < count ? to_tab : count;
                l->partial = to_tab > count;
                l->col += step;
                l->off += l->partial ? 0 : 1;
                count -= step;
            } else {
                l->partial = false;
                l->col += to_tab;
                l->off++;
                count--;
            }
        } else {
            l->partial = false;
            l->off++;
            l->col++;
            count--;
        }
    }
}

/* ---- line scanners (cmark's scanners.re, on one line) ---------------- */

size_t mdl_run_of(const line *l, size_t i, unsigned char c)
{
    size_t n = 0;
    while (i + n < l->len && l->s[i + n] == c)
        n++;
    return n;
}

static bool rest_blank(const line *l, size_t i)
{
    while (i < l->len && is_sp_tab(l->s[i]))
        i++;
    return i >= l->len;
}

/* `#{1,6}` then blanks or the end: length matched (blanks included). */
size_t mdl_scan_atx(const line *l, size_t i)
{
    size_t n = mdl_run_of(l, i, '#');
    if (n < 1 || n > 6)
        return 0;
    if (i + n == l->len)
        return n + 1;
    if (!is_sp_tab(l->s[i + n]))
        return 0;
    while (i + n < l->len && is_sp_tab(l->s[i + n]))
        n++;
    return n;
}

size_t mdl_scan_open_fence(const line *l, size_t i)
{
    unsigned char c = mdl_peek(l, i);
    size_t n;
    if (c != '`' && c != '~')
        return 0;
    n = mdl_run_of(l, i, c);
    if (n < 3)
        return 0;
    if (c == '`' && memchr(l->s + i + n, '`', l->len - i - n))
        return 0;
    return n;
}

size_t mdl_scan_close_fence(const line *l, size_t i, unsigned char c)
{
    size_t n = mdl_run_of(l, i, c);
    return n >= 3 && rest_blank(l, i + n) ? n : 0;
}

int mdl_scan_setext(const line *l, size_t i)
{
    unsigned char c = mdl_peek(l, i);
    if (c != '=' && c != '-')
        return 0;
    if (!rest_blank(l, i + mdl_run_of(l, i, c)))
        return 0;
    return c == '=' ? 1 : 2;
}

/* A thematic break from i to the end of the line. Nested containers try
 * one at every level of a line like "- - - - ... x"; each scan would read
 * the rest of the line, so a failed scan remembers where it failed: a later
 * scan starting before that point (the cursor only moves forward) sees only
 * the same character and blanks up to it and fails there too. This keeps a
 * line linear, as cmark's thematic_break_kill_pos does. */
bool mdl_scan_hr(line *l, size_t i)
{
    unsigned char c = mdl_peek(l, i);
    size_t n = 0;
    if (c != '*' && c != '-' && c != '_')
        return false;
    if (l->hr_kill > i)
        return false;
    for (; i < l->len; i++) {
        if (l->s[i] == c)
            n++;
        else if (!is_sp_tab(l->s[i]))
            break;
    }
    if (i == l->len && n >= 3)
        return true;
    l->hr_kill = i;
    return false;
}

static const char *const block_tags[] = {
    "address", "article", "aside", "base", "basefont", "blockquote", "body",
    "caption", "center", "col", "colgroup", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu",
    "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param",
    "section", "source", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "title", "tr", "track", "ul",
};

static bool is_block_tag(const line *l, size_t i, size_t n)
{
    for (size_t k = 0; k < sizeof block_tags / sizeof *block_tags; k++)
        if (strlen(block_tags[k]) == n && has_word(l, i, block_tags[k]))
            return true;
    return false;
}

/* HTML block start conditions 1-6; i is at '<'. */
int mdl_html_start(const line *l, size_t i)
{
    static const char *const raw[] = {"script", "pre", "textarea", "style"};
    size_t n;
    i++;
    if (mdl_peek(l, i) == '!') {
        if (has_word(l, i + 1, "--"))
            return 2;
        if (has_word(l, i + 1, "[cdata["))
            return 5;
        return mdl_peek(l, i + 1) >= 'A' && mdl_peek(l, i + 1) <= 'Z' ? 4 : 0;
    }
    if (mdl_peek(l, i) == '?')
        return 3;
    for (size_t k = 0; k < 4; k++) {
        size_t e = i + strlen(raw[k]);
        if (has_word(l, i, raw[k]) && (is_space(mdl_peek(l, e)) || mdl_peek(l, e) == '>'))
            return 1;
    }
    if (mdl_peek(l, i) == '/')
        i++;
    for (n = 0; is_alpha(mdl_peek(l, i + n)) || is_digit(mdl_peek(l, i + n)); n++)
        ;
    if (n == 0 || !is_block_tag(l, i, n))
        return 0;
    i += n;
    if (is_space(mdl_peek(l, i)) || mdl_peek(l, i) == '>')
        return 6;
    return mdl_peek(l, i) == '/' && mdl_peek(l, i + 1) == '>' ? 6 : 0;
}

static size_t skip_spacechars(const line *l, size_t i)
{
    while (i < l->len && is_space(l->s[i]))
        i++;
    return i;
}

static size_t scan_tagname(const line *l, size_t i)
{
    size_t j = i;
    if (!is_alpha(mdl_peek(l, j)))
        return 0;
    while (is_alpha(mdl_peek(l, j)) || is_digit(mdl_peek(l, j)) || mdl_peek(l, j) == '-')
        j++;
    return j - i;
}

/* An attribute value after '=': quoted, or unquoted. 0 when none. */
static size_t scan_attr_value(const line *l, size_t i)
{
    unsigned char q = mdl_peek(l, i);
    size_t j = i;
    if (q == '"' || q == '\'') {
        const void *e = i + 1 <= l->len
                            ? memchr(l->s + i + 1, q, l->len - i - 1)
                            : NULL;
        return e ? (size_t)((const unsigned char *)e - l->s) + 1 - i : 0;
    }
    /* a NUL byte is cmark's U+FFFD here, so allowed */
    while (j < l->len && !is_space(l->s[j]) &&
           (l->s[j] == 0 || !strchr("\"'=<>`", l->s[j])))
        j++;
    return j - i;
}

/* Attributes of an open tag from i; returns the position after them, or
 * SIZE_MAX when an attribute value is malformed. */
static size_t scan_attrs(const line *l, size_t i)
{
    for (;;) {
        size_t j = skip_spacechars(l, i), v;
        unsigned char c = mdl_peek(l, j);
        if (j == i || !(is_alpha(c) || c == '_' || c == ':'))
            return j;
        while (is_alpha(mdl_peek(l, j)) || is_digit(mdl_peek(l, j)) ||
               strchr(":._-", mdl_peek(l, j) ? mdl_peek(l, j) : 'x') != NULL)
            j++;
        i = j;
        j = skip_spacechars(l, j);
        if (mdl_peek(l, j) != '=')
            continue;
        j = skip_spacechars(l, j + 1);
        v = scan_attr_value(l, j);
        if (v == 0)
            return SIZE_MAX;
        i = j + v;
    }
}

/* HTML block start condition 7: a whole open or closing tag alone on its
 * line; i is at '<'. */
bool mdl_html_start_7(const line *l, size_t i)
{
    size_t n;
    i++;
    if (mdl_peek(l, i) == '/') {
        n = scan_tagname(l, i + 1);
        if (n == 0)
            return false;
        i = skip_spacechars(l, i + 1 + n);
    } else {
        n = scan_tagname(l, i);
        if (n == 0 || (i = scan_attrs(l, i + n)) == SIZE_MAX)
            return false;
        i = skip_spacechars(l, i);
        if (mdl_peek(l, i) == '/')
            i++;
    }
    if (mdl_peek(l, i) != '>')
        return false;
    for (i++; i < l->len; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\f')
            return false;
    return true;
}

bool mdl_html_end(int kind, const line *l)
{
    switch (kind) {
    case 1:
        return find_word(l, l->fns, "</script>") ||
               find_word(l, l->fns, "</pre>") ||
               find_word(l, l->fns, "</style>") ||
               find_word(l, l->fns, "</textarea>");
    case 2: return find_word(l, l->fns, "-->");
    case 3: return find_word(l, l->fns, "?>");
    case 4: return find_word(l, l->fns, ">");
    case 5: return find_word(l, l->fns, "]]>");
    default: return false;
    }
}

/* cmark's parse_list_marker: length of the marker, *ch its bullet or
 * delimiter; 0 when none. */
size_t mdl_list_marker(const line *l, size_t i, bool interrupts,
                       unsigned char *ch)
{
    size_t start = i, digits = 0;
    unsigned long num = 0;
    unsigned char c = mdl_peek(l, i);
    if (c == '*' || c == '-' || c == '+') {
        *ch = c;
        i++;
    } else if (is_digit(c)) {
        do
            num = num * 10 + (unsigned long)(mdl_peek(l, i++) - '0');
        while (++digits < 9 && is_digit(mdl_peek(l, i)));
        c = mdl_peek(l, i);
        if ((interrupts && num != 1) || (c != '.' && c != ')'))
            return 0;
        *ch = c;
        i++;
    } else {
        return 0;
    }
    if (!is_space(mdl_peek(l, i)))
        return 0;
    /* only an item with content may interrupt a paragraph */
    if (interrupts && rest_blank(l, i))
        return 0;
    return i - start;
}

/* ---- link reference definitions (cmark_parse_reference_inline) ------- */

static size_t skip_blanks(const unsigned char *b, size_t n, size_t i)
{
    while (i < n && is_sp_tab(b[i]))
        i++;
    return i;
}

static bool skip_line_end(const unsigned char *b, size_t n, size_t *i)
{
    size_t from = *i;
    if (*i < n && b[*i] == '\r')
        (*i)++;
    if (*i < n && b[*i] == '\n')
        (*i)++;
    return *i > from || *i >= n;
}

static size_t spnl(const unsigned char *b, size_t n, size_t i)
{
    i = skip_blanks(b, n, i);
    if (skip_line_end(b, n, &i))
        i = skip_blanks(b, n, i);
    return i;
}

static bool ref_label(const unsigned char *b, size_t n, size_t *pos)
{
    size_t i = *pos + 1, len = 0, s, e;
    if (*pos >= n || b[*pos] != '[')
        return false;
    while (i < n && b[i] != '[' && b[i] != ']') {
        if (b[i] == '\\' && i + 1 < n && is_punct(b[i + 1])) {
            i++;
            len++;
        }
        i++;
        if (++len > MAX_LABEL)
            return false;
    }
    if (i >= n || b[i] != ']')
        return false;
    for (s = *pos + 1, e = i; s < e && is_space(b[s]); s++)
        ;
    *pos = i + 1;
    return s < e; /* a label must not be blank */
}

bool mdl_ref_possible(const unsigned char *s, size_t n, size_t i)
{
    size_t j = i + 1, len = 0;
    bool blank = true;
    while (j < n && s[j] != '[' && s[j] != ']') {
        if (s[j] == '\\' && j + 1 < n && is_punct(s[j + 1])) {
            j++;
            len++;
        }
        blank = blank && is_space(s[j]);
        j++;
        if (++len > MAX_LABEL)
            return false;
    }
    if (j >= n)
        return true; /* the label may go on on the next line */
    /* as ref_label and mdl_parse_ref: `]`, a label not blank, then `:` */
    return s[j] == ']' && !blank && j + 1 < n && s[j + 1] == ':';
}

/* Destination: <...> or a run with balanced parentheses. -1 when none. */
static long ref_url(const unsigned char *b, size_t n, size_t i)
{
    size_t j = i, depth = 0;
    if (j < n && b[j] == '<') {
        for (j++; j < n; j++) {
            if (b[j] == '>')
                break;
            if (b[j] == '\\')
                j++;
            else if (b[j] == '\n' || b[j] == '<')
                return -1;
        }
        return j + 1 < n ? (long)(j + 1 - i) : -1;
    }
    for (; j < n; j++) {
        if (b[j] == '\\' && j + 1 < n && is_punct(b[j + 1])) {
            j++;
        } else if (b[j] == '(') {
            if (++depth > 32)
                return -1;
        } else if (b[j] == ')') {
            if (depth == 0)
                break;
            depth--;
        } else if (is_space(b[j])) {
            if (j == i)
                return -1;
            break;
        }
    }
    return j < n ? (long)(j - i) : -1;
}

/* Title: longest "..." / '...' / (...) allowing backslash escapes. */
static size_t ref_title(const unsigned char *b, size_t n, size_t i)
{
    unsigned char open = i < n ? b[i] : 0, close;
    bool here = true, next = false, next2 = false;
    size_t best = 0;
    if (open != '"' && open != '\'' && open != '(')
        return 0;
    close = open == '(' ? ')' : open;
    for (size_t j = i + 1; j < n && (here || next || next2); j++) {
        bool go1 = false, go2 = false;
        if (here) {
            unsigned char c = b[j];
            if (c == close)
                best = j + 1 - i;
            else if (!(open == '(' && c == '('))
                go1 = true;
            if (c == '\\' && j + 1 < n && is_punct(b[j + 1]))
                go2 = true;
        }
        here = next || go1;
        next = next2 || go2;
        next2 = false;
    }
    return best;
}

/* Length of one definition at the start of b[0, n), or 0. */
size_t mdl_parse_ref(const unsigned char *b, size_t n)
{
    size_t i = 0, before, title;
    long url;
    if (!ref_label(b, n, &i) || i >= n || b[i] != ':')
        return 0;
    i = spnl(b, n, i + 1);
    if ((url = ref_url(b, n, i)) < 0)
        return 0;
    before = i + (size_t)url;
    i = spnl(b, n, before);
    title = i == before ? 0 : ref_title(b, n, i);
    i = title ? i + title : before;
    i = skip_blanks(b, n, i);
    if (!skip_line_end(b, n, &i)) {
        if (!title)
            return 0;
        i = skip_blanks(b, n, before);
        if (!skip_line_end(b, n, &i))
            return 0;
    }
    return i;
}
