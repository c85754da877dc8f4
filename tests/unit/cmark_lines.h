/*
 * cmark_lines.h — for test_md_diff.c: the line where each of libcmark's
 * block nodes really ends, as md.h defines a block's end (after its last
 * line that is not blank for it). cmark 0.30's own end lines count
 * trailing blank lines in and have quirks (see leaf_last_line); this works
 * the true line out from cmark's tree and the text. Header-only, for one
 * test; include it after cmocka.h (it asserts on allocations).
 */
#ifndef SESSLUA_CMARK_LINES_H
#define SESSLUA_CMARK_LINES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

/* Line starts of a text, as md.c splits lines (LF, CRLF, lone CR); the
 * first line starts after a BOM. */
typedef struct line_table {
    size_t *at;
    size_t n;
} line_table;

static line_table split_lines(const char *t, size_t len)
{
    line_table ls = {malloc((len + 2) * sizeof(size_t)), 0};
    assert_non_null(ls.at);
    ls.at[ls.n++] = len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (size_t i = ls.at[0]; i < len; i++) {
        if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
            i++;
        if ((t[i] == '\n' || t[i] == '\r') && i + 1 < len)
            ls.at[ls.n++] = i + 1;
    }
    return ls;
}

/* 1-based line holding byte pos. */
static size_t line_of(const line_table *ls, size_t pos)
{
    size_t lo = 0, hi = ls->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ls->at[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The block quotes around a node: the column (tabs expanded) of each
 * one's `>` on its first line, outermost first. */
typedef struct quotes {
    size_t *col;
    int *in; /* what the quote is in: 0 the document, 1 a quote, 2 an item */
    size_t n, cap;
} quotes;

/* The column of byte i of a line starting at first (tab stops of 4). */
static size_t column(const char *t, size_t first, size_t i)
{
    size_t col = 0;
    for (size_t k = first; k < i; k++)
        col += t[k] == '\t' ? 4 - col % 4 : 1;
    return col;
}

/* Where line n's text starts once the markers of the quotes in qs are
 * stripped; *e is set to the line's end. A marker may be up to 3 columns
 * right of where its quote's content starts, which may itself move 3
 * columns per enclosing quote: a `>` further right than that is text, as
 * in a lazy line. */
static size_t strip_quotes(const char *t, size_t len, const line_table *ls,
                           size_t n, const quotes *qs, size_t *e)
{
    size_t first = ls->at[n - 1], i = first;
    *e = n < ls->n ? ls->at[n] : len;
    size_t content = 0; /* where the container's content starts */
    for (size_t k = 0; k < qs->n; k++) {
        size_t j = i, col, most;
        while (j < *e && (t[j] == ' ' || t[j] == '\t'))
            j++;
        col = column(t, first, j);
        /* in the document or a quote, the content column on this line is
         * known; in an item, guess from the quote's first line */
        most = qs->in[k] < 2 ? content + 3 : qs->col[k] + 3 * (k + 1);
        if (j >= *e || t[j] != '>' || col > most)
            break;
        i = j + 1;
        content = col + 1 + (i < *e && (t[i] == ' ' || t[i] == '\t'));
    }
    return i;
}

/* Is line n (1-based) blank once the markers of quotes qs are stripped? A
 * line past the end is blank. */
static int blank_line(const char *t, size_t len, const line_table *ls, size_t n,
                      const quotes *qs)
{
    size_t i, e;
    if (n < 1 || n > ls->n)
        return 1;
    for (i = strip_quotes(t, len, ls, n, qs, &e); i < e; i++)
        if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
            return 0;
    return 1;
}

/* Our end offset as a 1-based last line. */
static size_t our_end_line(const line_table *ls, size_t start, size_t end)
{
    return line_of(ls, end > start ? end - 1 : start);
}

/* Lines in s: line endings (LF, CRLF, CR), plus an unended last line. */
static size_t count_lines(const char *s)
{
    size_t n = 0, i = 0;
    for (; s[i]; i++)
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n'))
            n++;
    return n + (i > 0 && s[i - 1] != '\n' && s[i - 1] != '\r');
}

/* Nothing but blanks and line endings in t[i, e)? */
static int only_blanks(const char *t, size_t i, size_t e)
{
    for (; i < e; i++)
        if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r' && t[i] != '\n')
            return 0;
    return 1;
}

/* Is the text's line n (1-based) a setext underline once the markers of
 * quotes qs and blanks are stripped? */
static int underline_line(const char *t, size_t len, const line_table *ls,
                          size_t n, const quotes *qs)
{
    size_t e, k, i = strip_quotes(t, len, ls, n, qs, &e);
    while (i < e && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i >= e || (t[i] != '=' && t[i] != '-'))
        return 0;
    for (k = i; k < e && t[k] == t[i]; k++)
        ;
    return blank_line(t, len, ls, n, qs) == 0 && only_blanks(t, k, e);
}

/* Is line n, once the markers of quotes qs and blanks are stripped, a run
 * of 3 or more backticks or tildes and nothing else: a closing fence? */
static int fence_line(const char *t, size_t len, const line_table *ls,
                      size_t n, const quotes *qs)
{
    size_t e, k, i = strip_quotes(t, len, ls, n, qs, &e);
    while (i < e && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i >= e || (t[i] != '`' && t[i] != '~'))
        return 0;
    for (k = i; k < e && t[k] == t[i]; k++)
        ;
    return k - i >= 3 && only_blanks(t, k, e);
}

/* Does a block start on line n? */
static int block_starts_at(cmark_node *docn, int n)
{
    cmark_iter *it = cmark_iter_new(docn);
    cmark_event_type ev;
    int found = 0;
    while (!found && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *x = cmark_iter_get_node(it);
        found = ev == CMARK_EVENT_ENTER &&
                cmark_node_get_type(x) <= CMARK_NODE_LAST_BLOCK &&
                cmark_node_get_start_line(x) == n;
    }
    cmark_iter_free(it);
    return found;
}

/* The underline of setext heading h. cmark 0.30's finalize() ends a
 * setext heading on the line that closes it (the one after the
 * underline), or on the last line at the end of the text: that last line
 * is the underline unless it is blank or starts a block of its own. */
static size_t setext_underline(const char *t, size_t len, const line_table *ls,
                               cmark_node *docn, cmark_node *h, const quotes *qs)
{
    size_t start = (size_t)cmark_node_get_start_line(h);
    size_t end = (size_t)cmark_node_get_end_line(h);
    if (end == start + 1 || (end == ls->n && underline_line(t, len, ls, end, qs) &&
                             !block_starts_at(docn, (int)end)))
        return end;
    return end - 1;
}

/* The last line of code block f, before blank lines are dropped. cmark
 * 0.30 ends a fenced block on the line that closes it: its closing fence,
 * or the first line after it (a container that does not go on, a blank
 * line ending a quote). Its literal holds the lines between the fences:
 * the last of those, or the closing fence. (Indented code ends where
 * cmark says, or on the line after its literal's, blank: dropped.) */
static size_t code_last_line(const char *t, size_t len, const line_table *ls,
                              cmark_node *docn, cmark_node *f, const quotes *qs)
{
    size_t start = (size_t)cmark_node_get_start_line(f);
    size_t end = (size_t)cmark_node_get_end_line(f);
    size_t content = start + count_lines(cmark_node_get_literal(f));
    if (end == content + 1 && fence_line(t, len, ls, end, qs) &&
        !block_starts_at(docn, (int)end))
        return end; /* the closing fence */
    return content < end ? content : end;
}

/* The last line of n that is not blank for n (md.h's "blank"), worked
 * out from cmark's tree, where cmark's own end lines count trailing blank
 * lines in: a list's or item's is its last child's, or its own end line
 * less the lines blank once its quote markers are stripped, whichever is
 * later (a lazy line `      >` is text, not a marker; a paragraph of link
 * reference definitions is gone from the tree); a quote's is cmark's end line (it can only go on with a marker or
 * a lazy line); a leaf's is cmark's end line less trailing blank lines,
 * corrected for two quirks of cmark 0.30's finalize(): an HTML block
 * closed by its end condition ends a line early (its literal holds every
 * line: counted instead), and so do a setext heading (setext_underline)
 * and a fenced code block closed by its container (code_last_line).
 * qs: the quotes around n. */
static size_t leaf_last_line(const char *t, size_t len, const line_table *ls,
                             cmark_node *docn, cmark_node *n, const quotes *qs)
{
    size_t start = (size_t)cmark_node_get_start_line(n);
    size_t end = (size_t)cmark_node_get_end_line(n);
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_HTML_BLOCK:
        end = start + count_lines(cmark_node_get_literal(n)) - 1;
        break;
    case CMARK_NODE_CODE_BLOCK:
        end = code_last_line(t, len, ls, docn, n, qs);
        break;
    case CMARK_NODE_HEADING:
        return end > start ? setext_underline(t, len, ls, docn, n, qs) : start;
    case CMARK_NODE_PARAGRAPH:
        return end;
    default:
        break;
    }
    while (end > start && blank_line(t, len, ls, end, qs))
        end--;
    return end;
}

/* cmark's end line of n moved back over the lines blank for it. */
static size_t walk_back(const char *t, size_t len, const line_table *ls,
                        cmark_node *n, const quotes *qs)
{
    size_t start = (size_t)cmark_node_get_start_line(n);
    size_t end = (size_t)cmark_node_get_end_line(n);
    while (end > start && blank_line(t, len, ls, end, qs))
        end--;
    return end;
}

/* Store last_line(n) in every block node's user data, in one pass. */
static void mark_last_lines(const char *t, size_t len, const line_table *ls,
                            cmark_node *docn)
{
    cmark_iter *it = cmark_iter_new(docn);
    cmark_event_type ev;
    quotes q = {0}, *qs = &q;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it), *c;
        cmark_node_type ty = cmark_node_get_type(n);
        size_t last = (size_t)cmark_node_get_start_line(n);
        if (ty > CMARK_NODE_LAST_BLOCK)
            continue;
        if (ty == CMARK_NODE_BLOCK_QUOTE && ev == CMARK_EVENT_ENTER) {
            cmark_node_type up = cmark_node_get_type(cmark_node_parent(n));
            if (q.n == q.cap) {
                q.cap = q.cap ? 2 * q.cap : 16;
                q.col = realloc(q.col, q.cap * sizeof *q.col);
                q.in = realloc(q.in, q.cap * sizeof *q.in);
                assert_true(q.col && q.in);
            }
            q.in[q.n] = up == CMARK_NODE_DOCUMENT ? 0 : up == CMARK_NODE_BLOCK_QUOTE ? 1 : 2;
            size_t first = ls->at[cmark_node_get_start_line(n) - 1];
            q.col[q.n++] = column(t, first, first + (size_t)cmark_node_get_start_column(n) - 1);
        }
        if (ty == CMARK_NODE_BLOCK_QUOTE && ev == CMARK_EVENT_EXIT) {
            q.n--;
            last = (size_t)cmark_node_get_end_line(n);
        } else if (ty == CMARK_NODE_LIST || ty == CMARK_NODE_ITEM ||
                   ty == CMARK_NODE_DOCUMENT) {
            if (ev == CMARK_EVENT_ENTER)
                continue;
            if (ty != CMARK_NODE_DOCUMENT)
                last = walk_back(t, len, ls, n, qs);
            for (c = cmark_node_first_child(n); c; c = cmark_node_next(c))
                if ((size_t)(uintptr_t)cmark_node_get_user_data(c) > last)
                    last = (size_t)(uintptr_t)cmark_node_get_user_data(c);
        } else if (ev == CMARK_EVENT_ENTER && ty != CMARK_NODE_BLOCK_QUOTE) {
            last = leaf_last_line(t, len, ls, docn, n, qs);
        } else {
            continue;
        }
        cmark_node_set_user_data(n, (void *)(uintptr_t)last);
    }
    cmark_iter_free(it);
    free(q.col);
    free(q.in);
}

static size_t last_line(cmark_node *n)
{
    return (size_t)(uintptr_t)cmark_node_get_user_data(n);
}

#endif
