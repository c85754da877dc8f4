/*
 * md.c — Markdown section index over the original bytes (see md.h).
 *
 * The block scanner mirrors libcmark's block phase (blocks.c: check open
 * blocks, open new blocks, add the line's text) closely enough to agree on
 * every document-level heading, but keeps only what decides structure: a
 * stack of open blocks with their widths, and a paragraph's text only while
 * it may still turn out to be nothing but link reference definitions. No
 * inline parsing, no node allocation: one pass, one small stack.
 *
 * Names and order of the steps follow cmark's so the two can be compared
 * line by line; tests/unit/test_md_diff.c keeps them in agreement.
 */
#include "md.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NOMEM SIZE_MAX /* an index returned when memory runs out */

enum { TAB_STOP = 4, CODE_INDENT = 4, MAX_FENCE = 255, MAX_LABEL = 1000 };

enum block_type {
    B_DOC, B_QUOTE, B_LIST, B_ITEM, B_FENCE, B_ICODE, B_HTML, B_PARA, B_HEAD,
    B_HR
};

/* One open block. Lists and items keep cmark's marker_offset/padding; a
 * list's `ch` is its bullet or its delimiter, which is all lists_match()
 * compares (the two sets never overlap). */
typedef struct block {
    unsigned char type;
    unsigned char ch;        /* fence char; list bullet or delimiter */
    unsigned char kind;      /* HTML block start condition, 1-7 */
    unsigned char has_child; /* cmark's first_child != NULL */
    size_t w1;               /* fence length; list marker offset */
    size_t w2;               /* fence indent; list padding */
} block;

/* The line being processed, with cmark's cursor state. The line ending is
 * not part of s[0, len); like cmark (which appends '\n'), peek() reports a
 * '\n' at len. */
typedef struct line {
    const unsigned char *s;
    size_t len;
    size_t start;   /* offset of s in the document */
    size_t next;    /* offset of the next line */
    size_t off;
    size_t col;
    size_t fns;     /* first non-space */
    size_t fns_col;
    size_t indent;
    bool blank;
    bool partial;   /* a tab only partly consumed as columns */
} line;

/* Start of one paragraph line inside para.buf, and where it is in the text. */
typedef struct refline {
    size_t boff;
    size_t orig;
} refline;

/* The one open paragraph (a leaf, so there is at most one). */
typedef struct para {
    size_t start;    /* offset of its first line */
    size_t lineno;
    size_t title;    /* offset of its first content byte after refs */
    size_t last_end; /* end of its last line's content */
    bool refs;       /* begins with '[': may be only reference definitions */
    unsigned char *buf;
    size_t blen, bcap;
    refline *map;
    size_t nmap, mcap;
} para;

typedef struct scanner {
    const unsigned char *text;
    size_t len;
    block *stack;
    size_t depth, cap;
    para p;
    md_index *idx;
    size_t lineno;
} scanner;

/* ---- bytes ---------------------------------------------------------- */

static bool is_sp_tab(unsigned char c) { return c == ' ' || c == '\t'; }

static bool is_eol(unsigned char c) { return c == '\n' || c == '\r'; }

/* cmark_isspace */
static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_punct(unsigned char c)
{
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) ||
           (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static unsigned char peek(const line *l, size_t i)
{
    if (i < l->len)
        return l->s[i];
    return i == l->len ? '\n' : 0;
}

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
static void find_fns(line *l)
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
static void advance(line *l, size_t count, bool columns)
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

static size_t run_of(const line *l, size_t i, unsigned char c)
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
static size_t scan_atx(const line *l, size_t i)
{
    size_t n = run_of(l, i, '#');
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

static size_t scan_open_fence(const line *l, size_t i)
{
    unsigned char c = peek(l, i);
    size_t n;
    if (c != '`' && c != '~')
        return 0;
    n = run_of(l, i, c);
    if (n < 3)
        return 0;
    if (c == '`' && memchr(l->s + i + n, '`', l->len - i - n))
        return 0;
    return n;
}

static size_t scan_close_fence(const line *l, size_t i, unsigned char c)
{
    size_t n = run_of(l, i, c);
    return n >= 3 && rest_blank(l, i + n) ? n : 0;
}

static int scan_setext(const line *l, size_t i)
{
    unsigned char c = peek(l, i);
    if (c != '=' && c != '-')
        return 0;
    if (!rest_blank(l, i + run_of(l, i, c)))
        return 0;
    return c == '=' ? 1 : 2;
}

static bool scan_hr(const line *l, size_t i)
{
    unsigned char c = peek(l, i);
    size_t n = 0;
    if (c != '*' && c != '-' && c != '_')
        return false;
    for (; i < l->len; i++) {
        if (l->s[i] == c)
            n++;
        else if (!is_sp_tab(l->s[i]))
            return false;
    }
    return n >= 3;
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
static int html_start(const line *l, size_t i)
{
    static const char *const raw[] = {"script", "pre", "textarea", "style"};
    size_t n;
    i++;
    if (peek(l, i) == '!') {
        if (has_word(l, i + 1, "--"))
            return 2;
        if (has_word(l, i + 1, "[cdata["))
            return 5;
        return peek(l, i + 1) >= 'A' && peek(l, i + 1) <= 'Z' ? 4 : 0;
    }
    if (peek(l, i) == '?')
        return 3;
    for (size_t k = 0; k < 4; k++) {
        size_t e = i + strlen(raw[k]);
        if (has_word(l, i, raw[k]) && (is_space(peek(l, e)) || peek(l, e) == '>'))
            return 1;
    }
    if (peek(l, i) == '/')
        i++;
    for (n = 0; is_alpha(peek(l, i + n)) || is_digit(peek(l, i + n)); n++)
        ;
    if (n == 0 || !is_block_tag(l, i, n))
        return 0;
    i += n;
    if (is_space(peek(l, i)) || peek(l, i) == '>')
        return 6;
    return peek(l, i) == '/' && peek(l, i + 1) == '>' ? 6 : 0;
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
    if (!is_alpha(peek(l, j)))
        return 0;
    while (is_alpha(peek(l, j)) || is_digit(peek(l, j)) || peek(l, j) == '-')
        j++;
    return j - i;
}

/* An attribute value after '=': quoted, or unquoted. 0 when none. */
static size_t scan_attr_value(const line *l, size_t i)
{
    unsigned char q = peek(l, i);
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
        unsigned char c = peek(l, j);
        if (j == i || !(is_alpha(c) || c == '_' || c == ':'))
            return j;
        while (is_alpha(peek(l, j)) || is_digit(peek(l, j)) ||
               strchr(":._-", peek(l, j) ? peek(l, j) : 'x') != NULL)
            j++;
        i = j;
        j = skip_spacechars(l, j);
        if (peek(l, j) != '=')
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
static bool html_start_7(const line *l, size_t i)
{
    size_t n;
    i++;
    if (peek(l, i) == '/') {
        n = scan_tagname(l, i + 1);
        if (n == 0)
            return false;
        i = skip_spacechars(l, i + 1 + n);
    } else {
        n = scan_tagname(l, i);
        if (n == 0 || (i = scan_attrs(l, i + n)) == SIZE_MAX)
            return false;
        i = skip_spacechars(l, i);
        if (peek(l, i) == '/')
            i++;
    }
    if (peek(l, i) != '>')
        return false;
    for (i++; i < l->len; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\f')
            return false;
    return true;
}

static bool html_end(int kind, const line *l)
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
static size_t list_marker(const line *l, size_t i, bool interrupts,
                          unsigned char *ch)
{
    size_t start = i, digits = 0;
    unsigned long num = 0;
    unsigned char c = peek(l, i);
    if (c == '*' || c == '-' || c == '+') {
        *ch = c;
        i++;
    } else if (is_digit(c)) {
        do
            num = num * 10 + (unsigned long)(peek(l, i++) - '0');
        while (++digits < 9 && is_digit(peek(l, i)));
        c = peek(l, i);
        if ((interrupts && num != 1) || (c != '.' && c != ')'))
            return 0;
        *ch = c;
        i++;
    } else {
        return 0;
    }
    if (!is_space(peek(l, i)))
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
static size_t parse_ref(const unsigned char *b, size_t n)
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

/* ---- growable arrays -------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 8;
    void *q;
    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    if (!(q = realloc(*p, n * size)))
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* ---- the open paragraph ---------------------------------------------- */

/* Append s[from, len) of l (after `spaces` blanks for a split tab). */
static int para_text(para *p, const line *l, size_t from, size_t spaces)
{
    size_t n = l->len > from ? l->len - from : 0;
    if (grow((void **)&p->map, &p->mcap, p->nmap + 1, sizeof *p->map) ||
        grow((void **)&p->buf, &p->bcap, p->blen + spaces + n + 1, 1))
        return -1;
    p->map[p->nmap].boff = p->blen;
    p->map[p->nmap++].orig = l->start + from;
    memset(p->buf + p->blen, ' ', spaces);
    memcpy(p->buf + p->blen + spaces, l->s + from, n);
    p->blen += spaces + n;
    p->buf[p->blen++] = '\n';
    return 0;
}

static int para_begin(para *p, const line *l)
{
    p->start = l->start;
    p->title = l->start + l->fns;
    p->last_end = l->start + l->len;
    p->blen = p->nmap = 0;
    p->refs = peek(l, l->fns) == '[';
    return p->refs ? para_text(p, l, l->fns, 0) : 0;
}

static int para_add(para *p, const line *l, bool lazy)
{
    size_t from = lazy ? l->off : l->fns, spaces = 0;
    p->last_end = l->start + l->len;
    if (!p->refs)
        return 0;
    if (lazy && l->partial) {
        spaces = TAB_STOP - l->col % TAB_STOP;
        from++;
    }
    return para_text(p, l, from, spaces);
}

/* cmark's resolve_reference_link_definitions: drop leading definitions;
 * true when text remains. */
static bool para_has_content(para *p)
{
    size_t used = 0, k, ln = 0;
    if (!p->refs)
        return true;
    while (used < p->blen && p->buf[used] == '[') {
        k = parse_ref(p->buf + used, p->blen - used);
        if (k == 0)
            break;
        used += k;
    }
    if (used == 0)
        return true;
    while (ln < p->nmap && p->map[ln].boff < used)
        ln++;
    p->blen -= used;
    memmove(p->buf, p->buf + used, p->blen);
    p->nmap -= ln;
    memmove(p->map, p->map + ln, p->nmap * sizeof *p->map);
    for (k = 0; k < p->nmap; k++)
        p->map[k].boff -= used;
    p->refs = p->blen > 0 && p->buf[0] == '[';
    if (p->nmap == 0) {
        p->title = SIZE_MAX; /* the next line added starts the text */
        return false;
    }
    p->title = p->map[0].orig;
    return true;
}

/* ---- sections --------------------------------------------------------- */

static md_section *new_section(scanner *sc, int level, size_t start,
                               size_t lineno)
{
    md_index *x = sc->idx;
    md_section *s;
    if (grow((void **)&x->sections, &x->capacity, x->count + 1, sizeof *s))
        return NULL;
    s = &x->sections[x->count++];
    memset(s, 0, sizeof *s);
    s->level = level;
    s->line = lineno;
    s->heading_start = start;
    return s;
}

static void set_title(const scanner *sc, md_section *s, size_t a, size_t b)
{
    while (b > a && is_sp_tab(sc->text[b - 1]))
        b--;
    s->title_start = a;
    s->title_len = b > a ? b - a : 0;
}

static int add_atx(scanner *sc, const line *l)
{
    size_t h = run_of(l, l->fns, '#'), a = l->fns + h, b = l->len, n;
    md_section *s = new_section(sc, (int)h, l->start, sc->lineno);
    if (!s)
        return -1;
    s->heading_end = l->next;
    while (a < b && is_sp_tab(l->s[a]))
        a++;
    while (b > a && is_sp_tab(l->s[b - 1]))
        b--;
    for (n = b; n > a && l->s[n - 1] == '#'; n--)
        ;
    if (n < b && (n == a || is_sp_tab(l->s[n - 1])))
        b = n; /* a closing sequence */
    set_title(sc, s, l->start + a, l->start + b);
    return 0;
}

static int add_setext(scanner *sc, const line *l, int level)
{
    const para *p = &sc->p;
    md_section *s = new_section(sc, level, p->start, p->lineno);
    if (!s)
        return -1;
    s->heading_end = l->next;
    set_title(sc, s, p->title, p->last_end);
    return 0;
}

/* ---- the block stack -------------------------------------------------- */

static bool can_contain(int parent, int child)
{
    if (parent == B_DOC || parent == B_QUOTE || parent == B_ITEM)
        return child != B_ITEM;
    return parent == B_LIST && child == B_ITEM;
}

static bool accepts_lines(int t)
{
    return t == B_PARA || t == B_HEAD || t == B_FENCE || t == B_ICODE ||
           t == B_HTML;
}

/* cmark's add_child: close blocks that cannot hold the new one, push it.
 * Returns the new block's index, or NOMEM. */
static size_t add_child(scanner *sc, size_t parent, int type)
{
    block *b;
    while (!can_contain(sc->stack[parent].type, type))
        parent--;
    if (grow((void **)&sc->stack, &sc->cap, parent + 2, sizeof *b))
        return NOMEM;
    sc->stack[parent].has_child = 1;
    sc->depth = parent + 2;
    b = &sc->stack[parent + 1];
    memset(b, 0, sizeof *b);
    b->type = (unsigned char)type;
    return parent + 1;
}

/* ---- one line: check open blocks, open new ones, add the text --------- */

/* Does open block b continue on this line? Sets *closed when the line is
 * a closing fence (the line is then used up). */
static bool match_block(scanner *sc, size_t i, line *l, bool *closed)
{
    block *b = &sc->stack[i];
    find_fns(l);
    switch (b->type) {
    case B_QUOTE:
        if (l->indent > 3 || peek(l, l->fns) != '>')
            return false;
        advance(l, l->indent + 1, true);
        if (is_sp_tab(peek(l, l->off)))
            advance(l, 1, true);
        return true;
    case B_ITEM:
        if (l->indent >= b->w1 + b->w2)
            advance(l, b->w1 + b->w2, true);
        else if (l->blank && b->has_child)
            advance(l, l->fns - l->off, false);
        else
            return false;
        return true;
    case B_ICODE:
        if (l->indent >= CODE_INDENT)
            advance(l, CODE_INDENT, true);
        else if (l->blank)
            advance(l, l->fns - l->off, false);
        else
            return false;
        return true;
    case B_FENCE:
        if (l->indent <= 3 && peek(l, l->fns) == b->ch &&
            scan_close_fence(l, l->fns, b->ch) >= b->w1) {
            *closed = true;
            sc->depth = i;
            return true;
        }
        for (size_t k = b->w2; k > 0 && is_sp_tab(peek(l, l->off)); k--)
            advance(l, 1, true);
        return true;
    case B_HEAD:
        return false;
    case B_HTML:
        return b->kind <= 5 || !l->blank;
    case B_PARA:
        return !l->blank;
    default:
        return true;
    }
}

/* The list item branch of open_new_blocks. */
static size_t open_item(scanner *sc, size_t c, line *l, size_t m,
                        unsigned char ch)
{
    size_t so, scol, i, pad, marker_offset = l->indent;
    bool sp;
    advance(l, l->fns + m - l->off, false);
    sp = l->partial;
    so = l->off;
    scol = l->col;
    while (l->col - scol <= 5 && is_sp_tab(peek(l, l->off)))
        advance(l, 1, true);
    i = l->col - scol;
    if (i >= 5 || i < 1 || is_eol(peek(l, l->off))) {
        pad = m + 1;
        l->off = so;
        l->col = scol;
        l->partial = sp;
        if (i > 0)
            advance(l, 1, true);
    } else {
        pad = m + i;
    }
    if (sc->stack[c].type != B_LIST || sc->stack[c].ch != ch) {
        if ((c = add_child(sc, c, B_LIST)) == NOMEM)
            return NOMEM;
        sc->stack[c].ch = ch;
    }
    if ((c = add_child(sc, c, B_ITEM)) == NOMEM)
        return NOMEM;
    sc->stack[c].ch = ch;
    sc->stack[c].w1 = marker_offset;
    sc->stack[c].w2 = pad;
    return c;
}

static size_t open_fence(scanner *sc, size_t c, line *l, size_t m)
{
    size_t indent = l->fns - l->off;
    if ((c = add_child(sc, c, B_FENCE)) == NOMEM)
        return NOMEM;
    sc->stack[c].ch = peek(l, l->fns);
    sc->stack[c].w1 = m > MAX_FENCE ? MAX_FENCE : m; /* cmark keeps a byte */
    sc->stack[c].w2 = indent;
    advance(l, l->fns + m - l->off, false);
    return c;
}

/* One step of open_new_blocks for a line that is not indented code.
 * Returns the new container, c when the line is to be added to it, or
 * NOMEM; *done when no further block can open. */
static size_t open_one(scanner *sc, size_t c, line *l, bool all_matched,
                       bool maybe_lazy, bool *done)
{
    int cont = sc->stack[c].type, lev;
    unsigned char ch = peek(l, l->fns);
    size_t m;
    if (ch == '>') {
        advance(l, l->fns + 1 - l->off, false);
        if (is_sp_tab(peek(l, l->off)))
            advance(l, 1, true);
        return add_child(sc, c, B_QUOTE);
    }
    if ((m = scan_atx(l, l->fns)) != 0) {
        advance(l, l->fns + m - l->off, false);
        if ((c = add_child(sc, c, B_HEAD)) == 1 && add_atx(sc, l) < 0)
            return NOMEM;
        return c;
    }
    if ((m = scan_open_fence(l, l->fns)) != 0)
        return open_fence(sc, c, l, m);
    if (ch == '<') {
        int kind = html_start(l, l->fns);
        if (!kind && cont != B_PARA && !maybe_lazy && html_start_7(l, l->fns))
            kind = 7;
        if (kind) {
            if ((c = add_child(sc, c, B_HTML)) != NOMEM)
                sc->stack[c].kind = (unsigned char)kind;
            return c;
        }
    }
    if (cont == B_PARA && (lev = scan_setext(l, l->fns)) != 0) {
        *done = true;
        if (para_has_content(&sc->p)) {
            sc->stack[c].type = B_HEAD;
            if (c == 1 && add_setext(sc, l, lev) < 0)
                return NOMEM;
            advance(l, l->len - l->off, false);
        }
        return c;
    }
    if (!(cont == B_PARA && !all_matched) && scan_hr(l, l->fns)) {
        advance(l, l->len - l->off, false);
        return add_child(sc, c, B_HR);
    }
    if ((m = list_marker(l, l->fns, cont == B_PARA, &ch)) != 0)
        return open_item(sc, c, l, m, ch);
    *done = true;
    return c;
}

/* cmark's open_new_blocks. Returns the container, or NOMEM. */
static size_t open_new_blocks(scanner *sc, size_t c, line *l,
                              bool all_matched, bool *opened)
{
    bool maybe_lazy = sc->stack[sc->depth - 1].type == B_PARA, done = false;
    int cont = sc->stack[c].type;
    while (cont != B_FENCE && cont != B_ICODE && cont != B_HTML) {
        size_t nc;
        find_fns(l);
        if (l->indent >= CODE_INDENT) {
            if (maybe_lazy || l->blank)
                break;
            advance(l, CODE_INDENT, true);
            nc = add_child(sc, c, B_ICODE);
        } else {
            nc = open_one(sc, c, l, all_matched, maybe_lazy, &done);
        }
        if (nc == NOMEM)
            return NOMEM;
        if (done)
            break;
        *opened = true; /* every step that is not `done` pushed a block */
        c = nc;
        if (accepts_lines(sc->stack[c].type))
            break;
        cont = sc->stack[c].type;
        maybe_lazy = false;
    }
    return c;
}

/* cmark's add_text_to_container. */
static int add_text(scanner *sc, size_t c, size_t last, line *l, bool opened)
{
    size_t top = sc->depth - 1;
    int t;
    find_fns(l);
    if (top != last && !opened && !l->blank && sc->stack[top].type == B_PARA)
        return para_add(&sc->p, l, true); /* lazy continuation */
    sc->depth = c + 1;
    t = sc->stack[c].type;
    if (t == B_HTML) {
        if (html_end(sc->stack[c].kind, l))
            sc->depth = c;
    } else if (t == B_FENCE || t == B_ICODE || t == B_HEAD || l->blank) {
        /* the text is content; nothing structural to learn */
    } else if (t == B_PARA) {
        if (sc->p.title == SIZE_MAX)
            sc->p.title = l->start + l->fns;
        return para_add(&sc->p, l, false);
    } else {
        if (add_child(sc, c, B_PARA) == NOMEM)
            return -1;
        sc->p.lineno = sc->lineno;
        return para_begin(&sc->p, l);
    }
    return 0;
}

static int process_line(scanner *sc, line *l)
{
    size_t i = 1, c;
    bool closed = false, opened = false;
    while (i < sc->depth && match_block(sc, i, l, &closed)) {
        if (closed)
            return 0;
        i++;
    }
    c = open_new_blocks(sc, i - 1, l, i == sc->depth, &opened);
    if (c == NOMEM)
        return -1;
    return add_text(sc, c, i - 1, l, opened);
}

/* ---- the index -------------------------------------------------------- */

/* Line ending search: memchr for '\n', and for '\r' only when the text has
 * one at all. */
static void next_line(const scanner *sc, size_t pos, bool has_cr, line *l)
{
    const unsigned char *s = sc->text + pos;
    size_t rest = sc->len - pos;
    const unsigned char *nl = memchr(s, '\n', rest);
    size_t end = nl ? (size_t)(nl - s) : rest;
    const unsigned char *cr = has_cr ? memchr(s, '\r', end) : NULL;
    memset(l, 0, sizeof *l);
    l->s = s;
    l->start = pos;
    if (cr) {
        l->len = (size_t)(cr - s);
        l->next = pos + l->len + 1 + (l->len + 1 < rest && cr[1] == '\n');
    } else {
        l->len = end;
        l->next = pos + end + (nl != NULL);
    }
}

/* body_end, end and parent from the levels: walking the parent chain of
 * the previous section closes every section the new one ends. */
static void link_sections(md_index *x, size_t len)
{
    for (size_t i = 0; i < x->count; i++) {
        md_section *s = &x->sections[i];
        long top = (long)i - 1;
        while (top >= 0 && x->sections[top].level >= s->level) {
            x->sections[top].end = s->heading_start;
            top = x->sections[top].parent;
        }
        s->parent = (int)top;
        s->body_end = i + 1 < x->count ? x->sections[i + 1].heading_start : len;
        s->end = len;
    }
}

int md_index_build(const char *text, size_t len, md_index *index)
{
    scanner sc;
    size_t pos = 0;
    bool has_cr;
    int rc = -1;
    memset(&sc, 0, sizeof sc);
    memset(index, 0, sizeof *index);
    sc.text = (const unsigned char *)text;
    sc.len = len;
    sc.idx = index;
    if (grow((void **)&sc.stack, &sc.cap, 16, sizeof *sc.stack))
        goto done;
    sc.depth = 1;
    sc.stack[0].type = B_DOC;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    has_cr = len > 0 && memchr(text, '\r', len) != NULL;
    while (pos < len) {
        line l;
        next_line(&sc, pos, has_cr, &l);
        sc.lineno++;
        if (process_line(&sc, &l) < 0)
            goto done;
        pos = l.next;
    }
    link_sections(index, len);
    rc = 0;
done:
    free(sc.stack);
    free(sc.p.buf);
    free(sc.p.map);
    if (rc < 0)
        md_index_free(index);
    return rc;
}

void md_index_free(md_index *index)
{
    free(index->sections);
    memset(index, 0, sizeof *index);
}

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
    if (grow((void **)&b->p, &b->cap, b->n + n + 1, 1))
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
 * A leading "x" keeps it a paragraph without changing any inline reading
 * (nothing inline depends on the character before '<', '#', '[', digits;
 * '*' and '_' runs at the start flank the same way), and is dropped after. */
char *md_plain_title(const char *raw, size_t len, size_t *out_len)
{
    strbuf src = {0}, out = {0};
    cmark_node *doc = NULL;
    char *result = NULL;
    if (sb_put(&src, "x", 1) || sb_put(&src, raw, len))
        goto done;
    if (!(doc = cmark_parse_document(src.p, src.n, CMARK_OPT_DEFAULT)))
        goto done;
    if (sb_put(&out, "", 0) || collect_text(doc, &out))
        goto done;
    while (out.n > 0 && out.p[out.n - 1] == ' ')
        out.p[--out.n] = '\0';
    if (out.n > 0 && out.p[0] == 'x')
        memmove(out.p, out.p + 1, out.n--);
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

int md_field_next(const char *text, size_t end, size_t *pos, md_span *key,
                  md_span *value, md_span *line_span)
{
    while (*pos < end) {
        size_t cend, next, start = *pos;
        md_span k, v;
        line_at(text, end, start, &cend, &next);
        *pos = next;
        if (parse_field(text, start, cend, &k, &v)) {
            if (key)
                *key = k;
            if (value)
                *value = v;
            if (line_span)
                *line_span = (md_span){start, next};
            return 1;
        }
    }
    return 0;
}

int md_field_find(const char *text, size_t start, size_t end, const char *key,
                  size_t key_len, md_span *value, md_span *line_span)
{
    size_t pos = start;
    md_span k, v, ln;
    while (md_field_next(text, end, &pos, &k, &v, &ln)) {
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

/* `- [ ] text` on [i, e): sets *done and the text span. */
static bool parse_task(const char *t, size_t i, size_t e, int *done,
                       md_span *text_span)
{
    i = skip_blank_bytes(t, i, e);
    if (e - i < 5 || !strchr("-*+", t[i]) || !is_sp_tab((unsigned char)t[i + 1]))
        return false;
    i = skip_blank_bytes(t, i + 1, e);
    if (e - i < 3 || t[i] != '[' || t[i + 2] != ']' || !strchr(" xX", t[i + 1]))
        return false;
    if (i + 3 < e && !is_sp_tab((unsigned char)t[i + 3]))
        return false;
    *done = t[i + 1] != ' ';
    text_span->start = skip_blank_bytes(t, i + 3, e);
    text_span->end = trim_end(t, text_span->start, e);
    return true;
}

int md_task_next(const char *text, size_t end, size_t *pos, int *done,
                 md_span *task_text, md_span *line_span)
{
    while (*pos < end) {
        size_t cend, next, start = *pos;
        md_span tx;
        int d;
        line_at(text, end, start, &cend, &next);
        *pos = next;
        if (parse_task(text, start, cend, &d, &tx)) {
            if (done)
                *done = d;
            if (task_text)
                *task_text = tx;
            if (line_span)
                *line_span = (md_span){start, next};
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
