/*
 * test_search_pool.c — the parts of search around the kernel: letters of
 * varying length and literal alternations against PCRE2 itself (an
 * independent implementation of the same folding), the worker pool's
 * order and errors on 1 and 4 threads, and the escaping of printed text
 * and JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controls.h"
#include "search.h"
#include "search_pool.h"
#include "search_internal.h"
#include "search_print.h"
#include "../search_ref.h"

/* ---- letters of varying length, against PCRE2 --------------------------- */

typedef struct hits {
    size_t n;
    size_t off[512], len[512];
} hits;

static int collect(void *ud, const char *text, const search_hit *h)
{
    hits *hs = ud;
    (void)text;
    if (hs->n < 512)
        hs->off[hs->n] = h->offset, hs->len[hs->n] = h->length;
    hs->n++;
    return 0;
}

static void add_want(void *ud, size_t off, size_t mlen)
{
    hits *want = ud;
    if (want->n < 512)
        want->off[want->n] = off, want->len[want->n] = mlen;
    want->n++;
}

/* What search must report: PCRE2's first match of each line. */
static void reference(const char *text, size_t len, const char *needle, size_t nlen,
                      int regex, hits *want)
{
    want->n = 0;
    assert_int_equal(search_ref_lines(text, len, needle, nlen, regex, add_want, want), 0);
}

static void compare(const char *text, size_t len, const char *needle, size_t nlen, int regex)
{
    static hits got, want;
    search_pattern pat;
    char msg[128];
    int flags = SEARCH_ICASE | (regex ? SEARCH_REGEX : 0);
    assert_int_equal(search_compile_ex(&pat, needle, nlen, flags, msg, sizeof msg), 0);
    got.n = 0;
    search_buffer(&pat, text, len, collect, &got);
    reference(text, len, needle, nlen, regex, &want);
    if (got.n != want.n)
        fprintf(stderr, "needle '%.*s' text '%.*s'\n", (int)nlen, needle, (int)len, text);
    assert_int_equal(got.n, want.n);
    for (size_t i = 0; i < got.n && i < 512; i++) {
        assert_int_equal(got.off[i], want.off[i]);
        assert_int_equal(got.len[i], want.len[i]);
    }
    search_pattern_free(&pat);
}

/* Letters with variants of both lengths, their neighbours, line ends. */
static const char *const pieces[] = {
    "k", "K", "\xE2\x84\xAA", "s", "S", "\xC5\xBF", "\xC3\x9F", "\xE1\xBA\x9E", "\xC3\xA5",
    "\xC3\x85", "\xE2\x84\xAB", "a", "f", "A", " ", "\n", "\xCE\xA9", "\xE2\x84\xA6",
    "\xCF\x89", "\xC4\xB0", "i", "\xC4\xB1", "\xFF", "\xE2\x84",
};
enum { NPIECES = sizeof pieces / sizeof pieces[0] };

/* Random pieces; needles (valid) leave out the last two, which are not
 * UTF-8 (PCRE2 refuses them in a pattern). */
static size_t random_text(unsigned *seed, char *out, size_t max, int valid)
{
    size_t n = (size_t)rand_r(seed) % (max + 1), len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[(size_t)rand_r(seed) % (NPIECES - (valid ? 2 : 0))];
        memcpy(out + len, p, strlen(p));
        len += strlen(p);
    }
    return len;
}

static void wide_letters_match_pcre2(void **state)
{
    unsigned seed = 4242;
    char text[2048], needle[64];
    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = random_text(&seed, text, 120, 0), nlen;
        do {
            nlen = random_text(&seed, needle, 5, 1);
        } while (nlen == 0 || memchr(needle, '\n', nlen));
        compare(text, len, needle, nlen, 0);
    }
}

/* Literals between '|', some with letters of both lengths, against
 * PCRE2, on each kernel width. */
static void literal_alternation_matches_pcre2(void **state)
{
    static const char *const words[] = {"kafka", "flaky test", "deploy", "dep", "ss",
                                        "\xC3\x9F", "af", "K"};
    unsigned seed = 99;
    char text[2048], pat[128];
    (void)state;
    for (int iter = 0; iter < 10000; iter++) {
        search_simd_limit(iter % 2 ? 1 : 2);
        size_t len = random_text(&seed, text, 80, 0);
        for (int w = 0; w < 3; w++) { /* plant words */
            const char *p = words[(size_t)rand_r(&seed) % 8];
            size_t at = len ? (size_t)rand_r(&seed) % len : 0;
            if (len + strlen(p) < sizeof text) {
                memmove(text + at + strlen(p), text + at, len - at);
                memcpy(text + at, p, strlen(p));
                len += strlen(p);
            }
        }
        size_t k = 0, n = 1 + (size_t)rand_r(&seed) % 3;
        for (size_t i = 0; i < n; i++) {
            const char *p = words[(size_t)rand_r(&seed) % 8];
            if (i)
                pat[k++] = '|';
            memcpy(pat + k, p, strlen(p)), k += strlen(p);
        }
        compare(text, len, pat, k, 1);
    }
    search_simd_limit(2);
}

/* Two literals the vector filter takes together (one pass for both, 64
 * positions a step): each planted at every offset of lines long enough
 * for whole steps and the last positions one by one, in mixed case, alone
 * and together, one a prefix of the other, against PCRE2 on each width. */
static void two_literals_at_every_offset(void **state)
{
    static const char *const pats[] = {"deploy|rollback", "rollback|deploy", "dep|deploy",
                                       "deploy|dep", "ab|b"};
    static const char *const plants[] = {"DePlOy", "rollBACK", "dep", "Ab", "b"};
    char text[256];
    (void)state;
    for (int level = 2; level >= 1; level--) {
        search_simd_limit(level);
        for (size_t len = 60; len < 200; len += 23) {
            for (size_t at = 0; at + 8 <= len; at++) {
                for (size_t k = 0; k < sizeof pats / sizeof *pats; k++) {
                    const char *a = plants[k], *b = plants[(k + at) % 5];
                    memset(text, 'x', len);
                    text[len / 2] = '\n';
                    memcpy(text + at, a, strlen(a));
                    size_t other = (at * 7) % len;
                    if (other + strlen(b) <= len)
                        memcpy(text + other, b, strlen(b));
                    compare(text, len, pats[k], strlen(pats[k]), 1);
                }
            }
        }
    }
    search_simd_limit(2);
}

/* ---- the pool ------------------------------------------------------------ */

/* n files in dir (some missing, one binary, one empty) searched on
 * `threads`: their counts and errors, in order, as one string. */
static void pool_run(const char *dir, int n, int threads, char *out, size_t cap)
{
    search_pattern pat;
    char path[512];
    search_job_opts o = {0, 1, 0, {SEARCH_PRINT_COUNT, 0, 0, 0, {0}, 0}};
    int err;
    assert_int_equal(search_compile(&pat, "needle", 6, SEARCH_ICASE), 0);
    search_pool *p = search_pool_new(&pat, &o, threads, &err);
    assert_non_null(p);
    size_t k = 0;
    int next = 0;
    out[0] = '\0';
    while (next < n || search_pool_pending(p)) {
        while (next < n && search_pool_room(p)) {
            snprintf(path, sizeof path, "%s/f%d", dir, next++);
            assert_int_equal(search_pool_submit(p, path), 0);
        }
        search_job *j = search_pool_next(p);
        assert_non_null(j);
        k += (size_t)snprintf(out + k, cap - k, "%s:%zu:%d:%d:%.*s|", strrchr(j->path, '/'),
                              j->count, j->err, j->binary, (int)j->out.len,
                              j->out.data ? j->out.data : "");
        search_pool_done(p, j);
    }
    assert_null(search_pool_next(p));
    search_pool_free(p);
    search_pattern_free(&pat);
}

static void pool_keeps_order_on_any_threads(void **state)
{
    char dir[] = "/tmp/test_search_pool.XXXXXX", path[512];
    static char one[65536], four[65536];
    (void)state;
    assert_non_null(mkdtemp(dir));
    for (int i = 0; i < 100; i++) {
        if (i % 17 == 5)
            continue; /* missing: ENOENT in its place */
        snprintf(path, sizeof path, "%s/f%d", dir, i);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        if (i == 7)
            fwrite("needle\0binary", 1, 13, f);
        else
            for (int l = 0; l < i * 13; l++)
                fputs(l % (i + 1) ? "hay line\n" : "a NEEDLE line\n", f);
        fclose(f);
    }
    pool_run(dir, 100, 1, one, sizeof one);
    pool_run(dir, 100, 4, four, sizeof four);
    assert_string_equal(one, four);
    assert_non_null(strstr(one, "/f5:0:2:0:|")); /* ENOENT, in order */
    assert_non_null(strstr(one, "/f7:0:0:1:|")); /* binary, skipped */
    for (int i = 0; i < 100; i++) {
        snprintf(path, sizeof path, "%s/f%d", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

/* ---- escaping -------------------------------------------------------------- */

static void escaping_as_the_lua_side_does(void **state)
{
    search_out o = {0};
    (void)state;
    static const char raw[] = "a\x1b[31m\t\x7f \xc2\x9b \xe2\x80\xae \x85 \xff\xc3\xa9";
    search_out_printable(&o, raw, sizeof raw - 1);
    search_out_put(&o, "", 1);
    assert_string_equal(o.data, "a\\x1b[31m\t\\x7f \\u{009B} \\u{202E} \\x85 \xff\xc3\xa9");
    search_out_reset(&o);
    search_out_json(&o, raw, sizeof raw - 1);
    search_out_put(&o, "", 1);
    assert_string_equal(o.data, "\"a\\u001b[31m\\t\\u007f \\u009b \\u202e \xef\xbf\xbd "
                                "\xef\xbf\xbd\xc3\xa9\"");
    search_out_free(&o);
}

/* Long runs are skipped 16 bytes at a time: a control at any place of a
 * line, before, across and after a block's end, is still escaped. */
static void escaping_finds_a_control_anywhere_in_a_long_line(void **state)
{
    char raw[48], want[64];
    (void)state;
    for (size_t len = 1; len <= sizeof raw; len++) {
        for (size_t at = 0; at < len; at++) {
            memset(raw, 'a', len);
            raw[at] = '\x1b';
            snprintf(want, sizeof want, "%.*s\\x1b%.*s", (int)at, raw, (int)(len - at - 1),
                     raw + at + 1);
            search_out o = {0};
            search_out_printable(&o, raw, len);
            search_out_put(&o, "", 1);
            assert_string_equal(o.data, want);
            search_out_free(&o);
        }
    }
}

/* The escaping of random bytes (controls, characters, stray and cut
 * sequences) is the rule of controls.h applied at every byte in turn, as
 * sys.escape_controls does: search_out_printable's steps over plain runs
 * and whole characters change nothing. */
static void escaping_random_bytes_as_byte_by_byte(void **state)
{
    static const unsigned char pool[] = {
        'a', ' ', '\t', '\n', 0x1b, 0x7f, 0x80, 0x85, 0x9b, 0x9f, 0xa0, 0xbf, 0xc2,
        0xc3, 0xd8, 0x9c, 0xe2, 0x80, 0x81, 0xae, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xff,
    };
    unsigned seed = 99;
    char raw[80];
    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)rand_r(&seed) % sizeof raw;
        for (size_t i = 0; i < len; i++)
            raw[i] = (char)(rand_r(&seed) % 4 ? "plain text "[rand_r(&seed) % 11]
                                              : pool[rand_r(&seed) % sizeof pool]);
        search_out got = {0}, want = {0};
        search_out_printable(&got, raw, len);
        const unsigned char *s = (const unsigned char *)raw;
        for (size_t i = 0; i < len;) {
            unsigned cp;
            size_t n = control_at(s, i, len, &cp);
            char esc[16];
            if (n == 0) {
                search_out_put(&want, raw + i, 1);
                i++;
                continue;
            }
            int w = cp ? snprintf(esc, sizeof esc, "\\u{%04X}", cp)
                       : snprintf(esc, sizeof esc, "\\x%02x", s[i]);
            search_out_put(&want, esc, (size_t)w);
            i += n;
        }
        assert_int_equal(got.len, want.len);
        assert_true(got.len == 0 || memcmp(got.data, want.data, got.len) == 0);
        /* a shown line: the head, the same escaped text, a line feed */
        search_out line = {0};
        search_out_put(&line, "x", 1); /* not at the buffer's start */
        search_out_line(&line, "  12: ", 6, raw, len);
        assert_int_equal(line.len, 1 + 6 + want.len + 1);
        assert_memory_equal(line.data + 1, "  12: ", 6);
        assert_true(want.len == 0 || memcmp(line.data + 7, want.data, want.len) == 0);
        assert_int_equal(line.data[line.len - 1], '\n');
        search_out_free(&line);
        search_out_free(&got);
        search_out_free(&want);
    }
}

/* ---- titles -------------------------------------------------------------- */

typedef struct all_hits {
    size_t n;
    search_hit h[4096];
} all_hits;

static int keep_hit(void *ud, const char *text, const search_hit *h)
{
    all_hits *a = ud;
    (void)text;
    if (a->n < 4096)
        a->h[a->n++] = *h;
    return 0;
}

/* text's hits of "x" formatted as TEXT into out (reset first), with the
 * title cache c (NULL: none). */
static void format_with(const char *text, search_titles *c, search_out *out)
{
    static all_hits a;
    search_pattern pat;
    search_format_opts o = {SEARCH_PRINT_TEXT, 0, 0, 0, {0}, 0};
    md_index idx = {0};
    size_t len = strlen(text);
    assert_int_equal(search_compile(&pat, "x", 1, SEARCH_ICASE), 0);
    a.n = 0;
    search_buffer(&pat, text, len, keep_hit, &a);
    assert_int_equal(md_index_build_opts(text, len, MD_INDEX_STRONG, &idx), 0);
    search_out_reset(out);
    assert_int_equal(search_format(out, &o, "f.md", text, len, &idx, a.h, a.n, a.n, c), 0);
    search_out_put(out, "", 1);
    md_index_free(&idx);
    search_pattern_free(&pat);
}

/* Titles are made once and kept across files: the same output as without
 * the cache, for a file seen again, another one sharing its titles, and a
 * file with more distinct titles than the cache keeps. */
static void cached_titles_print_as_fresh_ones(void **state)
{
    static char many[65536];
    const char *files[3] = {"# Top *x*\n## A `x`\nx one\n## B\n**Lab:**\nx two\n",
                            "# Top *x*\n## B\nx three\n### C &amp; x\nx four\n", many};
    size_t k = 0;
    (void)state;
    for (int i = 0; i < 300; i++) /* distinct titles past SEARCH_TITLES_KEEP */
        k += (size_t)snprintf(many + k, sizeof many - k, "## T%d _x_\nx %d\n", i, i);
    search_titles c = {0};
    search_out fresh = {0}, cached = {0};
    for (int round = 0; round < 2; round++) {
        for (int f = 0; f < 3; f++) {
            format_with(files[f], NULL, &fresh);
            format_with(files[f], &c, &cached);
            assert_string_equal(cached.data, fresh.data);
        }
    }
    assert_non_null(strstr(fresh.data, "\n \xE2\x80\xBA T299 x\n  599: ## T299 _x_\n  600: x 299\n"));
    search_titles_free(&c);
    search_out_free(&fresh);
    search_out_free(&cached);
}

/* ---- labels -------------------------------------------------------------- */

/* A `**Label:**` line as search defines it, written out again here:
 * text[s, e) less trailing blanks and CR is `**`, no `*` nor line feed,
 * `:**`, six bytes at least. */
static int ref_is_label(const char *text, size_t s, size_t e, size_t *ls, size_t *le)
{
    while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
        e--;
    if (e - s < 6 || strncmp(text + s, "**", 2) != 0 || strncmp(text + e - 3, ":**", 3) != 0)
        return 0;
    for (size_t i = s + 2; i < e - 3; i++)
        if (text[i] == '*' || text[i] == '\n')
            return 0;
    *ls = s + 2, *le = e - 3;
    return 1;
}

/* Hit h's label the slow way: its line, then each line above it (split at
 * '\n' only, as search's lines are) back to its section's start; the
 * first `**Label:**` line outside code. */
static int ref_label(const md_index *idx, const char *text, const search_hit *h, size_t *ls,
                     size_t *le)
{
    long sec = search_section_at(idx, h->offset);
    size_t floor = sec >= 0 ? idx->sections[sec].heading_end : 0;
    size_t s = h->line_start, e = h->line_end;
    if (s < floor)
        return 0;
    for (;;) {
        if (!md_in_code(idx, s) && ref_is_label(text, s, e, ls, le))
            return 1;
        if (s <= floor)
            return 0;
        e = s - 1;
        for (s = e; s > floor && text[s - 1] != '\n'; s--)
            ;
    }
}

/* Random documents of label lines, field lines, code, HTML blocks,
 * headings and text, ending lines with LF, CRLF or a lone CR: every hit's
 * label, from search_label_at and in search_format's JSON, is the one the
 * walk back finds. */
static void labels_as_a_walk_back(void **state)
{
    static const char *const lines[] = {
        "**Lab:**", "**Lab x:**  ", "**Key:** value x", "**x:**", "***", "** x:**",
        "**a*b:**", "**Two:** **x:**", "x text", "- [x] task x", "- **In:** x", "",
        "# H x", "## Sub", "Setext x", "---", "===", "```", "```md", "~~~", "    **Ind:**",
        "<div>", "</div>", "> **Q:**", "  **Sp:**", "\t**Tab:**", "**End:**\tx", "x",
    };
    static const char *const eols[] = {"\n", "\n", "\n", "\r\n", "\r"};
    static char text[8192];
    static all_hits a;
    uint64_t seed = 0x5EED;
    search_pattern pat;
    search_out out = {0};
    size_t checked = 0, found = 0;
    (void)state;
    assert_int_equal(search_compile(&pat, "x", 1, SEARCH_ICASE), 0);
    for (int doc = 0; doc < 3000; doc++) {
        size_t len = 0, n;
        if (doc % 17 == 0)
            len += (size_t)snprintf(text, sizeof text, "\xEF\xBB\xBF");
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        n = 1 + (seed >> 33) % 40;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *l = lines[(seed >> 33) % (sizeof lines / sizeof *lines)];
            const char *eol = (seed >> 20) % 29 == 0 ? eols[(seed >> 8) % 5] : "\n";
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", l, eol);
        }
        md_index idx = {0};
        a.n = 0;
        search_buffer(&pat, text, len, keep_hit, &a);
        assert_int_equal(md_index_build_opts(text, len, MD_INDEX_STRONG, &idx), 0);
        search_format_opts o = {SEARCH_PRINT_JSON, 0, 0, 0, {0}, 0};
        search_out_reset(&out);
        assert_int_equal(search_format(&out, &o, "f.md", text, len, &idx, a.h, a.n, a.n, NULL), 0);
        search_out_put(&out, "", 1);
        const char *at = out.data;
        for (size_t i = 0; i < a.n; i++) {
            size_t rs = 0, re = 0, gs = 0, ge = 0;
            long sec = search_section_at(&idx, a.h[i].offset);
            int want = ref_label(&idx, text, &a.h[i], &rs, &re);
            int got = search_label_at(&idx, text, sec, &a.h[i], &gs, &ge);
            assert_int_equal(got, want);
            if (want) {
                assert_int_equal(gs, rs);
                assert_int_equal(ge, re);
            }
            /* the same label in the hit's JSON object (labels here need no escape) */
            assert_non_null(at = strstr(at, "\"label\": "));
            at += strlen("\"label\": ");
            if (want) {
                assert_int_equal(at[0], '"');
                assert_memory_equal(at + 1, text + rs, re - rs);
                assert_int_equal(at[1 + re - rs], '"');
            } else {
                assert_memory_equal(at, "null", 4);
            }
            checked++;
            found += (size_t)want;
        }
        assert_null(strstr(at, "\"label\": "));
        md_index_free(&idx);
    }
    assert_true(checked > 10000 && found > checked / 10); /* the documents have both */
    search_out_free(&out);
    search_pattern_free(&pat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wide_letters_match_pcre2),
        cmocka_unit_test(literal_alternation_matches_pcre2),
        cmocka_unit_test(two_literals_at_every_offset),
        cmocka_unit_test(pool_keeps_order_on_any_threads),
        cmocka_unit_test(escaping_as_the_lua_side_does),
        cmocka_unit_test(escaping_finds_a_control_anywhere_in_a_long_line),
        cmocka_unit_test(escaping_random_bytes_as_byte_by_byte),
        cmocka_unit_test(cached_titles_print_as_fresh_ones),
        cmocka_unit_test(labels_as_a_walk_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
