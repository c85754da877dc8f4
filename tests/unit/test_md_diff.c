/*
 * test_md_diff.c — md_index_build() against libcmark, on generated documents.
 *
 * Our block scanner must find exactly the headings cmark puts directly under
 * the document node (same count, levels, start lines) and give each a title
 * range whose plain text equals cmark's heading text. It must also agree on
 * which field and task lines are code: every generated `**Key:**` and
 * `- [ ] text` line carries a unique token, and the line is in a code run
 * (md_in_code) exactly when cmark puts its token in a code block or HTML
 * block. Documents come from a seeded generator, so a failure prints its
 * seed and the document, and MD_DIFF_SEED=<seed> MD_DIFF_DOCS=1 replays it.
 * The fixtures in tests/fixtures/ (and tests/fixtures/md/) and the fuzz seed
 * corpus tests/fuzz/corpus/md/ go through the same comparison.
 *
 * With MD_INDEX_ALL, every list item must be cmark's (same order, start
 * line, depth, parent, ordered or bullet, delimiter, a list's start
 * number, one marker per list) and every document-level block too (kind,
 * start line); both must end on the line cmark_lines.h works out from
 * cmark's tree. The one deliberate difference: cmark's end lines count
 * trailing blank lines into lists, items, indented code and unclosed
 * blocks (and are off by one for setext headings, HTML blocks ended by
 * their end condition and fences closed by their container); ours end
 * after the last line that is not blank for the block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cmark.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmark_lines.h"
#include "md.h"

/* core/md_scan.h (whose names clash with this file's): the title's parse
 * without md_plain_title's shortcut. */
char *mdt_plain_title_parsed(const char *raw, size_t len, size_t *out_len);

enum { DEFAULT_DOCS = 20000, MAX_DOC = 1 << 16 };

/* ---- a deterministic generator ----------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

static size_t pick(rng *r, size_t n) { return (size_t)(rng_next(r) % n); }

typedef struct doc {
    char buf[MAX_DOC];
    size_t len;
} doc;

/* \x01 in a template stands for a NUL byte. */
static void put(doc *d, const char *s)
{
    size_t n = strlen(s);
    const char *nul = strchr(s, '\x01');
    if (nul && d->len + n < MAX_DOC) {
        memcpy(d->buf + d->len, s, n);
        d->buf[d->len + (size_t)(nul - s)] = '\0';
        d->len += n;
        return;
    }
    if (d->len + n < MAX_DOC) {
        memcpy(d->buf + d->len, s, n);
        d->len += n;
    }
}

#define PICK(r, arr) ((arr)[pick((r), sizeof(arr) / sizeof *(arr))])

/* Container-ish prefixes, stacked zero or more times before a body. */
static const char *const prefixes[] = {
    "", "", "", "", " ", "  ", "   ", "    ", "     ", "\t", " \t", "> ", ">",
    ">  ", " > ", "- ", "-  ", "-\t", "* ", "+ ", "1. ", "2) ", "10. ",
    "  ", "  ", "    ", "- ", "1.  ", "-     ", "   - ", "0. ", "> > ",
    "\t\t", "  \t", ">\t", "-\t\t", "1.\t", " 1. ", "123456789. ",
    "1234567890. ", "- > ", "> - ", "      ", "   ", "*   ", "+\t",
};

/* Line bodies: block starts of every kind, their near misses, and text. */
static const char *const bodies[] = {
    "# Heading", "## Two ##", "### Three #", "#### x ###b", "###### six",
    "####### seven", "#nospace", "#", "##", "# #", "#\tTab", "## Trail   ",
    "Plain text", "more words here", "text with `code`", "**Bold:** value",
    "===", "=", "---", "--", "- - -", "***", "* * *", "___", "-- -",
    "```", "```lua", "````", "~~~", "~~~ info", "```a`b", "`` `", "~~~~~",
    "<div>", "</div>", "<div class=\"x\">", "<DIV", "<!-- comment",
    "-->", "<!-- one line -->", "<script>", "</script>", "<pre>", "</pre>",
    "<style", "</style>", "<textarea>", "<?php", "?>", "<!DOCTYPE html>",
    "<!X", "<![CDATA[", "]]>", "<a href='x'>", "<span>", "</span>",
    "<a b=c d>", "<x y=\"1\"/>", "<table>", "<hr/>", "<col>", "<colx>", ">",
    "[a]: /url", "[b]: <x y> 'title'", "[c]:", "/url", "\"title\"",
    "[d]: /u \"t\" junk", "[]: /x", "[e]: /u (t)", "[a]", "[f]:\t/f 'g",
    "h'", "", "", "", "- item", "1. item", "2. item", "1) item", "-",
    "+", "*", "1.", "- # in item", "> # in quote", "\tcode", "    # code",
    "- [ ] task", "- [x] done", "a\tb", "\\# escaped", "* * * *",
    "  ```", "   ~~~", "``` ", "````` x", "~~~~", "\t```", "  ---", "  ===",
    " # sp", "   ### three", "\t# tab", "# NUL\x01here", "<!---->",
    "<script> x </script>", "<pre>a</pre>", "<div>a</div>", "<p/>",
    "<a\thref=\"x\" >", "</a >", "<a b='c' d=e f>", "<a =x>", "<?x?>",
    "- ---", "* ***", "1. ---", "  - # h", "  1. # h", "[x]:\t<y>", "(t)",
    "[x]: /u\t(t)", "[g]: <a\\>b>", "[\\]]: /x", "[h]: /x 'a\\'b'",
};

/* A line: prefixes, body, line ending. */
static void gen_line(rng *r, doc *d, const char *eol)
{
    size_t n = pick(r, 8) < 4 ? 1 : pick(r, 5);
    for (size_t i = 0; i < n; i++)
        put(d, PICK(r, prefixes));
    put(d, PICK(r, bodies));
    put(d, eol);
}

/* Realistic runs: a heading then a paragraph, a fenced block, a list. */
static void gen_run(rng *r, doc *d, const char *eol)
{
    static const char *const runs[] = {
        "# Title%s%sSome text.%s", "Para line%sSecond line%s===%s",
        "Setext two%s---%s%s", "```%s# not a heading%s```%s",
        "- a%s  # heading in item%s%s", "> quote%s# heading%s%s",
        "> quote%slazy%s---%s", "- a%s%s  b%s", "- %s  x%s%s",
        "1. a%s   ```%s# x%s", "<div>%s# no%s%s", "[ref]: /u%s===%s%s",
        "[ref]: /u%sText%s---%s", "    code%s# yes%s%s",
        "```md%s**Bold:** value%s```%s", "<!--%s- [ ] task%s-->%s",
        "text%s    **Bold:** value%s- [x] done%s", "- a%s%s      - [ ] task%s",
        "> ```%s> **Bold:** value%s**Bold:** value%s",
        "<div>%s**Bold:** value%s%s", "    - [ ] task%s%s**Bold:** value%s",
        /* an item left with no child once its paragraph of reference
         * definitions is dropped; a lazy line that is only `>` */
        "- [r]: /u%s%s%s  # h", "> - [c]:%s     >%s%s", "1. [x]:%s   <y>%s%s",
        /* runs of sibling items, a log's commonest lines */
        "- [x] done%s- [ ] task%s- text%s", "* a%s* [b]: /u%s* c%s",
        "- a%s-  b%s- c%s", "+ a%s+ b%s- c%s", "- a%s- - b%s- ***%s",
        "- a%s  b%s- c%s", "- a%slazy%s- b%s", "- a%s- ```%s- b%s",
        "**Bold:** value%s- [x] done%s* c%s", "[r]: /u%s- a%s%s- b",
        "- a%s%s- b%s", "- %s- b%s+ c%s", "text%s- -%s- b%s",
        /* a template's services and next steps: items in ordered items */
        "1. **a** (Port: 1)%s   - Status: x%s   - Progress: 1%%%s",
        "2. **b**%s   - S: y%s%s", "10. c%s    - d%s    text%s", "1) a%s   * b%s   * [c]: /u%s",
        "2. a%s   text%s   - b%s", "1. a%s%s   - b%s", "3. a%s   - b%s     - c%s",
        "- a%s  - b%s  lazy%s", "1. a%s   - b%s---%s", "1. a%s   - b%s   - ***%s",
        "- **Bold** a%s- b%s  - c%s", "1. a%s  - b%s   -%s", "2. a%s   - b%s   # h%s",
        /* dates, and digits that are a marker after all */
        "- 2025-11-15 a%s- 12) b%s3) c%s", "2025-11-15 a%s1. b%s- 1.5 h%s",
        "text%s2. b%s- 7%s", "- 2025%s   - 12. x%s1) 2025-01-01%s",
    };
    char tmp[256];
    snprintf(tmp, sizeof tmp, PICK(r, runs), eol, eol, eol);
    put(d, tmp);
}

/* Give every field and task the generator wrote a unique four-letter
 * token in place of its word ("Bold", "task", "done"): Z then three
 * letters. Same length, letters for letters: the structure is unchanged. */
static void tokenize(doc *d)
{
    static const char *const words[] = {"**Bold:**", "] task", "] done"};
    unsigned n = 0;
    for (size_t w = 0; w < 3; w++) {
        size_t k = strlen(words[w]);
        for (size_t i = 0; i + k <= d->len; i++) {
            if (memcmp(d->buf + i, words[w], k) != 0)
                continue;
            char *at = d->buf + i + 2; /* the word, after "**" or "] " */
            at[0] = 'Z';
            at[1] = (char)('a' + n / 676 % 26);
            at[2] = (char)('a' + n / 26 % 26);
            at[3] = (char)('a' + n % 26);
            n++;
        }
    }
}

static void gen_doc(uint64_t seed, doc *d)
{
    rng r = {seed * 0x9E3779B97F4A7C15ULL + 1};
    static const char *const eols[] = {"\n", "\n", "\n", "\r\n", "\r"};
    const char *eol = PICK(&r, eols);
    size_t lines = 1 + pick(&r, 40);
    d->len = 0;
    if (pick(&r, 20) == 0)
        put(d, "\xEF\xBB\xBF");
    for (size_t i = 0; i < lines; i++) {
        if (pick(&r, 10) == 0)
            eol = PICK(&r, eols);
        if (pick(&r, 4) == 0)
            gen_run(&r, d, eol);
        else
            gen_line(&r, d, eol);
    }
    if (d->len > 0 && pick(&r, 5) == 0)
        d->len--; /* no final line ending (or a cut CRLF) */
    tokenize(d);
}

/* ---- the comparison ---------------------------------------------------- */

static void print_doc(const char *text, size_t len)
{
    fputs("---- document ----\n", stderr);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\t')
            fputs("\\t", stderr);
        else if (c == '\r')
            fputs("\\r", stderr);
        else if (c == '\n')
            fputs("\\n\n", stderr);
        else if (c < 32)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputs("\n---- end ----\n", stderr);
}

/* MD_DIFF_DUMP=path writes the failing document there, for cmark(1). */
static void dump_doc(const char *text, size_t len)
{
    const char *path = getenv("MD_DIFF_DUMP");
    FILE *f = path && *path ? fopen(path, "wb") : NULL;
    if (f) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
}

/* Link references resolve against the whole document, which a title alone
 * cannot see: compare titles with brackets removed. */
static void drop_brackets(char *s)
{
    char *w = s;
    for (; *s; s++)
        if (*s != '[' && *s != ']')
            *w++ = *s;
    *w = '\0';
}

/* Plain text of cmark's heading node, breaks as spaces. */
static char *cmark_heading_text(cmark_node *h)
{
    cmark_iter *it = cmark_iter_new(h);
    cmark_event_type ev;
    size_t n = 0, cap = 64;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *x = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(x);
        const char *lit = NULL;
        size_t k;
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            lit = " ";
        else if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE ||
                 t == CMARK_NODE_HTML_INLINE)
            lit = cmark_node_get_literal(x);
        if (!lit)
            continue;
        k = strlen(lit);
        while (n + k + 1 > cap)
            out = realloc(out, cap *= 2);
        assert_non_null(out);
        memcpy(out + n, lit, k + 1);
        n += k;
    }
    cmark_iter_free(it);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
    return out;
}

/* Does cmark put the token tok in a code block or an HTML block (1), or
 * somewhere else or nowhere, as in a link reference definition (0)? */
static int cmark_token_in_code(cmark_node *docn, const char *tok)
{
    cmark_iter *it = cmark_iter_new(docn);
    cmark_event_type ev;
    int in_code = 0;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *x = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(x);
        const char *lit;
        if (ev == CMARK_EVENT_ENTER &&
            (t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK) &&
            (lit = cmark_node_get_literal(x)) != NULL && strstr(lit, tok)) {
            in_code = 1;
            break;
        }
    }
    cmark_iter_free(it);
    return in_code;
}

/* The token of a field key or task text span, or NULL when it has none. */
static const char *token_at(const char *text, md_span sp, char *tok)
{
    if (sp.end - sp.start < 4 || text[sp.start] != 'Z')
        return NULL;
    for (size_t i = 1; i < 4; i++)
        if (text[sp.start + i] < 'a' || text[sp.start + i] > 'z')
            return NULL;
    memcpy(tok, text + sp.start, 4);
    tok[4] = '\0';
    return tok;
}

/* Every tokened field and task line: in our code runs exactly when cmark
 * has its token in a code or HTML block. Returns NULL or what differs;
 * lines[0] counts text lines compared, lines[1] code lines. */
static const char *compare_code(const char *text, size_t len, cmark_node *docn,
                                const md_index *x, char *msg, size_t cap,
                                size_t *lines)
{
    md_span key, value, line, tx;
    size_t pos = 0;
    int done;
    char tok[5];
    for (int pass = 0; pass < 2; pass++) {
        pos = 0;
        while (pass == 0 ? md_field_next(text, len, NULL, &pos, &key, &value, &line)
                         : md_task_next(text, len, NULL, &pos, &done, &tx, &line)) {
            int want, got;
            if (!token_at(text, pass == 0 ? key : tx, tok))
                continue;
            want = cmark_token_in_code(docn, tok);
            lines[want]++;
            got = md_in_code(x, line.start);
            if (want != got) {
                snprintf(msg, cap, "%s %s at byte %zu: cmark %s, ours %s",
                         pass == 0 ? "field" : "task", tok, line.start,
                         want ? "code" : "text", got ? "code" : "text");
                return msg;
            }
        }
    }
    return NULL;
}

/* ---- list items and document-level blocks ------------------------------ */

/* A heading block ends where its section's heading does. */
static int heading_end_agrees(const md_index *x, const md_block *b)
{
    for (size_t i = 0; i < x->count; i++)
        if (x->sections[i].heading_start == b->start)
            return x->sections[i].heading_end == b->end;
    return 0;
}

static int kind_of(cmark_node_type t)
{
    switch (t) {
    case CMARK_NODE_PARAGRAPH: return MD_BLOCK_PARAGRAPH;
    case CMARK_NODE_HEADING: return MD_BLOCK_HEADING;
    case CMARK_NODE_LIST: return MD_BLOCK_LIST;
    case CMARK_NODE_BLOCK_QUOTE: return MD_BLOCK_QUOTE;
    case CMARK_NODE_CODE_BLOCK: return MD_BLOCK_CODE;
    case CMARK_NODE_HTML_BLOCK: return MD_BLOCK_HTML;
    case CMARK_NODE_THEMATIC_BREAK: return MD_BLOCK_BREAK;
    default: return -1;
    }
}

/* The document's children: same count, kinds, start and end lines. */
static const char *compare_blocks(cmark_node *docn, const md_index *x,
                                  const line_table *ls, char *msg, size_t cap,
                                  size_t *count)
{
    size_t i = 0;
    for (cmark_node *n = cmark_node_first_child(docn); n; n = cmark_node_next(n), i++) {
        const md_block *b;
        size_t want_end = last_line(n);
        if (i >= x->block_count) {
            snprintf(msg, cap, "cmark has a %s at line %d we missed",
                     cmark_node_get_type_string(n), cmark_node_get_start_line(n));
            return msg;
        }
        b = &x->blocks[i];
        if ((int)b->kind != kind_of(cmark_node_get_type(n)) ||
            b->line != (uint32_t)cmark_node_get_start_line(n) ||
            line_of(ls, b->start) != b->line || ls->at[b->line - 1] != b->start ||
            our_end_line(ls, b->start, b->end) != want_end ||
            (b->kind == MD_BLOCK_HEADING && !heading_end_agrees(x, b))) {
            snprintf(msg, cap, "block %zu: cmark %s lines %d-%zu, ours kind %d "
                     "line %u, lines %zu-%zu", i, cmark_node_get_type_string(n),
                     cmark_node_get_start_line(n), want_end, b->kind, b->line,
                     line_of(ls, b->start), our_end_line(ls, b->start, b->end));
            return msg;
        }
        (*count)++;
    }
    if (i != x->block_count) {
        snprintf(msg, cap, "we found %zu blocks, cmark %zu", x->block_count, i);
        return msg;
    }
    return NULL;
}

/* One cmark item against ours: lines, depth, parent, list type,
 * delimiter, and the start number for a list's first item. */
static const char *compare_item(const line_table *ls, cmark_node *n,
                                const md_item *it, long parent, int depth,
                                char *msg, size_t cap)
{
    cmark_node *list = cmark_node_parent(n);
    int ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    char delim = cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ')' : '.';
    size_t want_end = last_line(n);
    int ours_ordered = it->marker == '.' || it->marker == ')';
    if (it->line != (uint32_t)cmark_node_get_start_line(n) ||
        ls->at[it->line - 1] != it->start ||
        our_end_line(ls, it->start, it->end) != want_end ||
        (int)it->depth != depth || it->parent != parent ||
        ours_ordered != ordered || (ordered && it->marker != delim) ||
        (ordered && cmark_node_first_child(list) == n &&
         it->number != (uint32_t)cmark_node_get_list_start(list))) {
        snprintf(msg, cap, "item at line %d: cmark lines %d-%zu depth %d parent "
                 "%ld %s %c start %d; ours lines %u-%zu depth %u parent %d marker "
                 "%c number %u", cmark_node_get_start_line(n),
                 cmark_node_get_start_line(n), want_end, depth, parent,
                 ordered ? "ordered" : "bullet", ordered ? delim : '-',
                 cmark_node_get_list_start(list), it->line,
                 our_end_line(ls, it->start, it->end), it->depth, it->parent,
                 it->marker, it->number);
        return msg;
    }
    if (it->start > it->text_start || it->text_start > it->text_end ||
        it->text_end > it->end)
        return "item text outside its item";
    return NULL;
}

/* Every cmark list item, in document order, against ours. The items of
 * one cmark list share a marker (cmark starts a new list when it
 * changes). */
static const char *compare_items(cmark_node *docn, const md_index *x,
                                 const line_table *ls, char *msg, size_t cap,
                                 size_t *count)
{
    /* our index of the open items, and of the last item seen, by depth */
    size_t slots = x->item_count + 1;
    long *stack = malloc(slots * sizeof *stack), *last = malloc(slots * sizeof *last);
    cmark_iter *it = cmark_iter_new(docn);
    cmark_event_type ev;
    const char *why = NULL;
    size_t i = 0, depth = 0;
    assert_true(stack && last);
    while (!why && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (cmark_node_get_type(n) != CMARK_NODE_ITEM)
            continue;
        if (ev == CMARK_EVENT_EXIT) {
            depth--;
            continue;
        }
        if (i >= x->item_count) {
            snprintf(msg, cap, "cmark has an item at line %d we missed",
                     cmark_node_get_start_line(n));
            why = msg;
            break;
        }
        why = compare_item(ls, n, &x->items[i], depth ? stack[depth - 1] : -1,
                           (int)depth, msg, cap);
        /* the previous sibling is the last item seen at this depth */
        if (!why && cmark_node_previous(n) &&
            x->items[last[depth]].marker != x->items[i].marker) {
            snprintf(msg, cap, "item at line %u: marker %c, its list's %c",
                     x->items[i].line, x->items[i].marker,
                     x->items[last[depth]].marker);
            why = msg;
        }
        last[depth] = (long)i;
        stack[depth++] = (long)i++;
        (*count)++;
    }
    cmark_iter_free(it);
    free(stack);
    free(last);
    if (!why && i != x->item_count) {
        snprintf(msg, cap, "we found %zu items, cmark %zu (extra at line %u)",
                 x->item_count, i, x->items[i].line);
        why = msg;
    }
    return why;
}

/* Order, nesting and range invariants of one index. */
static const char *check_invariants(const md_index *x, size_t len)
{
    for (size_t i = 0; i < x->count; i++) {
        const md_section *s = &x->sections[i];
        if (!(s->heading_start < s->heading_end && s->heading_end <= s->body_end &&
              s->body_end <= s->end && s->end <= len))
            return "ranges out of order";
        if (s->title_start < s->heading_start ||
            s->title_start + s->title_len > s->heading_end)
            return "title outside heading";
        if (i > 0 && x->sections[i - 1].heading_end > s->heading_start)
            return "sections overlap";
        if (s->parent >= (int)i ||
            (s->parent >= 0 && x->sections[s->parent].level >= s->level))
            return "bad parent";
        if (s->parent >= 0 && x->sections[s->parent].end < s->end)
            return "child ends after parent";
        if (s->parent < 0 && i > 0 && x->sections[i - 1].end > s->heading_start &&
            x->sections[i - 1].level >= s->level)
            return "previous section not closed";
    }
    return NULL;
}

/* Compare one document; returns NULL or what differs (msg holds details). */
/* Sections and code runs of p equal x's, byte for byte; p has no items
 * or blocks. */
static void same_sections(const md_index *p, const md_index *x)
{
    assert_int_equal(p->count, x->count);
    assert_int_equal(p->code_count, x->code_count);
    assert_int_equal(p->item_count + p->block_count, 0);
    assert_true(p->count == 0 ||
                memcmp(p->sections, x->sections, p->count * sizeof *p->sections) == 0);
    assert_true(p->code_count == 0 ||
                memcmp(p->code, x->code, p->code_count * sizeof *p->code) == 0);
}

/* index->strong as its definition says, line by line: the lines (ended
 * by LF, CRLF or CR; after a BOM) that begin with `**` and are not code,
 * each to the end of its text. */
static void strong_as_defined(const char *text, size_t len, const md_index *x,
                              const md_index *s)
{
    size_t at = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, k = 0;
    while (at < len) {
        size_t e = at;
        while (e < len && text[e] != '\n' && text[e] != '\r')
            e++;
        if (e - at >= 2 && text[at] == '*' && text[at + 1] == '*' && !md_in_code(x, at)) {
            assert_true(k < s->strong_count);
            assert_int_equal(s->strong[k].start, at);
            assert_int_equal(s->strong[k].end, e);
            k++;
        }
        at = e + (e < len) + (e + 1 < len && text[e] == '\r' && text[e + 1] == '\n');
    }
    assert_int_equal(s->strong_count, k);
}

/* Recording items and blocks changes nothing else; and the plain index's
 * own lane (plain_lane in core/md.c) finds what the general steps find,
 * the strong lines too. */
static void same_as_plain(const char *text, size_t len, const md_index *x)
{
    md_index p = {0}, g = {0};
    assert_int_equal(md_index_build(text, len, &p), 0);
    same_sections(&p, x);
    assert_int_equal(md_index_build_opts(text, len, MD_INDEX_NO_SHORTCUTS, &g), 0);
    same_sections(&g, x);
    md_index_free(&p);
    md_index_free(&g);
    assert_int_equal(md_index_build_opts(text, len, MD_INDEX_STRONG, &p), 0);
    strong_as_defined(text, len, x, &p);
    p.strong_count = 0; /* the rest as without */
    same_sections(&p, x);
    assert_int_equal(md_index_build_opts(text, len, MD_INDEX_STRONG | MD_INDEX_NO_SHORTCUTS, &g), 0);
    strong_as_defined(text, len, x, &g);
    md_index_free(&p);
    md_index_free(&g);
}

/* The scanner's shortcuts for common lines (bullet_item, empty_line,
 * text_line in core/md.c) record
 * exactly what the general steps do. */
/* g's records equal x's, byte for byte. */
static void same_records(const md_index *g, const md_index *x)
{
    assert_int_equal(g->count, x->count);
    assert_int_equal(g->code_count, x->code_count);
    assert_int_equal(g->item_count, x->item_count);
    assert_int_equal(g->block_count, x->block_count);
    assert_true(g->count == 0 ||
                memcmp(g->sections, x->sections, g->count * sizeof *g->sections) == 0);
    assert_true(g->code_count == 0 ||
                memcmp(g->code, x->code, g->code_count * sizeof *g->code) == 0);
    assert_true(g->item_count == 0 ||
                memcmp(g->items, x->items, g->item_count * sizeof *g->items) == 0);
    assert_true(g->block_count == 0 ||
                memcmp(g->blocks, x->blocks, g->block_count * sizeof *g->blocks) == 0);
}

static void same_without_shortcuts(const char *text, size_t len, const md_index *x)
{
    md_index g = {0};
    assert_int_equal(md_index_build_opts(text, len, MD_INDEX_ALL | MD_INDEX_NO_SHORTCUTS, &g), 0);
    same_records(&g, x);
    md_index_free(&g);
}

/* One scratch for every document of a run: what a build leaves in it must
 * never show in the next one's index (md_index_build_in). */
static md_scratch *shared_scratch;

static void same_with_scratch(const char *text, size_t len, const md_index *x)
{
    md_index g = {0}, s = {0};
    if (shared_scratch == NULL)
        assert_non_null(shared_scratch = md_scratch_new());
    assert_int_equal(md_index_build_in(shared_scratch, text, len, MD_INDEX_ALL, &g), 0);
    same_records(&g, x);
    assert_int_equal(md_index_build_in(shared_scratch, text, len, 0, &s), 0);
    assert_int_equal(s.item_count + s.block_count + s.strong_count, 0);
    assert_int_equal(s.count, x->count);
    assert_int_equal(s.code_count, x->code_count);
    md_index_free(&g);
    md_index_free(&s);
    assert_int_equal(md_index_build_in(shared_scratch, text, len, MD_INDEX_STRONG, &s), 0);
    strong_as_defined(text, len, x, &s);
    md_index_free(&s);
}

/* Counts of what a run compared. */
typedef struct tally {
    size_t headings, lines[2], blocks, items;
} tally;

static const char *compare(const char *text, size_t len, char *msg, size_t cap,
                           tally *tl)
{
    line_table ls = split_lines(text, len);
    md_index x = {0};
    cmark_node *docn = cmark_parse_document(text, len, CMARK_OPT_SOURCEPOS);
    const char *why = NULL;
    size_t i = 0;
    assert_non_null(docn);
    assert_int_equal(md_index_build_opts(text, len, MD_INDEX_ALL, &x), 0);
    same_as_plain(text, len, &x);
    same_without_shortcuts(text, len, &x);
    same_with_scratch(text, len, &x);
    for (cmark_node *n = cmark_node_first_child(docn); n && !why;
         n = cmark_node_next(n)) {
        const md_section *s;
        char *want, *got;
        size_t got_len;
        if (cmark_node_get_type(n) != CMARK_NODE_HEADING)
            continue;
        if (i >= x.count) {
            snprintf(msg, cap, "cmark has a heading at line %d we missed",
                     cmark_node_get_start_line(n));
            why = msg;
            break;
        }
        s = &x.sections[i++];
        tl->headings++;
        if ((int)s->line != cmark_node_get_start_line(n) ||
            s->level != cmark_node_get_heading_level(n)) {
            snprintf(msg, cap, "heading %zu: cmark line %d level %d, ours line %zu level %d",
                     i - 1, cmark_node_get_start_line(n),
                     cmark_node_get_heading_level(n), s->line, s->level);
            why = msg;
            break;
        }
        want = cmark_heading_text(n);
        got = md_plain_title(text + s->title_start, s->title_len, &got_len);
        assert_non_null(got);
        drop_brackets(want);
        drop_brackets(got);
        if (strcmp(want, got) != 0) {
            snprintf(msg, cap, "heading at line %zu: cmark title \"%s\", ours \"%s\"",
                     s->line, want, got);
            why = msg;
        }
        free(want);
        free(got);
    }
    if (!why && i != x.count) {
        snprintf(msg, cap, "we found %zu headings, cmark %zu (extra at line %zu)",
                 x.count, i, x.sections[i].line);
        why = msg;
    }
    if (!why)
        why = check_invariants(&x, len);
    if (!why)
        why = compare_code(text, len, docn, &x, msg, cap, tl->lines);
    if (!why) {
        mark_last_lines(text, len, &ls, docn);
        why = compare_blocks(docn, &x, &ls, msg, cap, &tl->blocks);
    }
    if (!why)
        why = compare_items(docn, &x, &ls, msg, cap, &tl->items);
    md_index_free(&x);
    cmark_node_free(docn);
    free(ls.at);
    return why;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

/* md_plain_title gives a title cmark's inline parse would give back as it
 * is without parsing it: on random titles of plain words, inline
 * delimiters, blanks, controls and whole, cut or overlong UTF-8, the
 * result is always the parse's. */
static void plain_titles_as_parsed(void **state)
{
    static const char *const pieces[] = {
        "Deploy", " ", "  ", "2025-11-15", " - ", "(WIP)", "#", "x", "\t", "*",
        "**", "_", "`", "[a]", "]", "<b>", "&amp;", "&", "!", "\\", "~", "|",
        "\xF0\x9F\x8E\xAF", "\xE2\x80\xBA", "\xC3\xA9", "\xC3", "\xE2\x80",
        "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xFF",
        "\x01", "\x7F", "\xEF\xBF\xBE", "\xC2\xA0", "\xE3\x80\x80",
    };
    rng r = {424242};
    char title[256];
    size_t shortcuts = 0;
    (void)state;
    for (int iter = 0; iter < 30000; iter++) {
        size_t n = 0, parts = 1 + pick(&r, 6);
        for (size_t k = 0; k < parts; k++) {
            const char *p = pieces[pick(&r, sizeof pieces / sizeof *pieces)];
            size_t m = strlen(p);
            if (n + m >= sizeof title)
                break;
            memcpy(title + n, p, m);
            n += m;
        }
        title[n] = '\0';
        size_t got_len = 0, want_len = 0;
        char *got = md_plain_title(title, n, &got_len);
        char *want = mdt_plain_title_parsed(title, n, &want_len);
        assert_non_null(got);
        assert_non_null(want);
        if (got_len != want_len || memcmp(got, want, got_len) != 0) {
            print_doc(title, n);
            fail_msg("title %d: shortcut \"%s\", parse \"%s\"", iter, got, want);
        }
        shortcuts += got_len == n && memcmp(got, title, n) == 0;
        free(got);
        free(want);
    }
    assert_true(shortcuts > 1000); /* the shortcut's inputs were among them */
}

static void generated_documents_agree_with_cmark(void **state)
{
    uint64_t first = env_u64("MD_DIFF_SEED", 1);
    uint64_t count = env_u64("MD_DIFF_DOCS", DEFAULT_DOCS);
    doc *d = malloc(sizeof *d);
    char msg[512];
    size_t failures = 0;
    tally n = {0};
    (void)state;
    assert_non_null(d);
    for (uint64_t seed = first; seed < first + count && failures < 3; seed++) {
        const char *why;
        gen_doc(seed, d);
        why = compare(d->buf, d->len, msg, sizeof msg, &n);
        if (why) {
            fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, why);
            print_doc(d->buf, d->len);
            dump_doc(d->buf, d->len);
            failures++;
        }
    }
    free(d);
    printf("%llu documents, %zu document-level headings, %zu field/task "
           "lines (%zu in code), %zu blocks and %zu list items compared\n",
           (unsigned long long)count, n.headings, n.lines[0] + n.lines[1],
           n.lines[1], n.blocks, n.items);
    assert_true(count < 1000 || (n.lines[0] > count / 4 && n.lines[1] > count / 4 &&
                                 n.items > count && n.blocks > count));
    if (failures)
        fail_msg("%zu generated document(s) disagree with cmark "
                 "(replay: MD_DIFF_SEED=<seed> MD_DIFF_DOCS=1)", failures);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
    }
    fclose(f);
    return buf;
}

/* Compare every *.md file in dir; returns how many were checked. */
static size_t compare_dir(const char *dir, size_t *failures)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    size_t checked = 0;
    tally tl = {0};
    char path[4096], msg[512];
    if (!dp)
        return 0;
    while ((e = readdir(dp)) != NULL) {
        size_t n = strlen(e->d_name), len = 0;
        char *text;
        const char *why;
        if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!(text = read_all(path, &len)))
            continue;
        checked++;
        if ((why = compare(text, len, msg, sizeof msg, &tl)) != NULL) {
            fprintf(stderr, "%s: %s\n", path, why);
            (*failures)++;
        }
        free(text);
    }
    closedir(dp);
    return checked;
}

/* tests/fixtures (with the hand-edited logs, handoff logs and knowledge
 * files in its folders), found from this file's path (CMake compiles with
 * an absolute one) or from the working directory. */
static void fixture_files_agree_with_cmark(void **state)
{
    static const char *const dirs[] = {
        "fixtures",          "fixtures/md",        "fixtures/handedited",
        "fixtures/handoff",  "fixtures/knowledge", "fixtures/migrate",
        "fuzz/corpus/md",
    };
    char dir[4096];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    size_t failures = 0, checked = 0;
    (void)state;
    for (size_t i = 0; slash && i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(dir, sizeof dir, "%.*s/../%s", (int)(slash - file), file, dirs[i]);
        checked += compare_dir(dir, &failures);
    }
    if (checked == 0) /* from the working directory */
        for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
            snprintf(dir, sizeof dir, "tests/%s", dirs[i]);
            checked += compare_dir(dir, &failures);
        }
    assert_true(checked >= 40);
    assert_int_equal(failures, 0);
}

/* A list too big to be packed (its records pass md.c's PACK_MAX): the
 * scratch hands its arrays over instead, and the next small document is
 * built right from the emptied scratch. */
static void scratch_hands_over_big_indexes(void **state)
{
    enum { ITEMS = 60000 };
    char *big = malloc(ITEMS * 16 + 64), *p = big;
    const char *small = "# A\n\n- x\n\n## B\n\n```\n# no\n```\n";
    md_index want = {0};
    (void)state;
    assert_non_null(big);
    p += sprintf(p, "# Big\n\n");
    for (int i = 0; i < ITEMS; i++)
        p += sprintf(p, "- [ ] item %d\n", i % 1000);
    assert_int_equal(md_index_build_opts(big, (size_t)(p - big), MD_INDEX_ALL, &want), 0);
    assert_int_equal(want.item_count, ITEMS);
    same_with_scratch(big, (size_t)(p - big), &want);
    md_index_free(&want);
    assert_int_equal(md_index_build_opts(small, strlen(small), MD_INDEX_ALL, &want), 0);
    same_with_scratch(small, strlen(small), &want);
    same_with_scratch("", 0, &(md_index){0});
    md_index_free(&want);
    free(big);
}

static int free_scratch(void **state)
{
    (void)state;
    md_scratch_free(shared_scratch);
    shared_scratch = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scratch_hands_over_big_indexes),
        cmocka_unit_test(generated_documents_agree_with_cmark),
        cmocka_unit_test(plain_titles_as_parsed),
        cmocka_unit_test(fixture_files_agree_with_cmark),
    };
    return cmocka_run_group_tests(tests, NULL, free_scratch);
}
