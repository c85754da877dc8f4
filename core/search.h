/*
 * search.h — literal and regular-expression search over many files,
 * faster than grep.
 *
 * Whole buffers are scanned with SIMD code keyed on the needle's rarest
 * bytes; Lua never loops over bytes. Case-insensitive matching folds by
 * Unicode simple case folding (CaseFolding.txt C + S, Unicode 14, not the C
 * library's locale), all of it: letters whose two cases have the same
 * UTF-8 length are folded in the kernel's byte compare; the 34 whose
 * cases differ in length (KELVIN SIGN and k, ſ and s, ẞ and ß, ANGSTROM
 * SIGN and å, OHM SIGN and ω, ...; see search_wide.c) are matched letter by
 * letter around the rest of the needle. The Turkic I/ı and İ/i pairs are
 * not folded, and nothing folds to several letters (ß is not ss): the rule
 * of PCRE2's caseless UTF mode, which SEARCH_REGEX patterns use. Bytes that
 * are not well-formed UTF-8 match only themselves. Binary data (a NUL byte
 * in the first 8 KiB) is skipped. Memory stays flat: buffers are reused
 * for a whole run, whatever the corpus size.
 */
#ifndef SESSLUA_SEARCH_H
#define SESSLUA_SEARCH_H

#include <stddef.h>

enum {
    SEARCH_ICASE = 1 << 0, /* case-insensitive (the default at the Lua level) */
    SEARCH_REGEX = 1 << 1, /* the needle is a PCRE2 pattern */
    SEARCH_WORD = 1 << 2,  /* match whole words only (as grep -w) */
};

/* One match: the byte offset of the match, its 1-based line and 1-based
 * byte column, and the span of the whole line (line ending excluded). */
typedef struct search_hit {
    size_t offset;
    size_t length;
    size_t line;
    size_t column;
    size_t line_start;
    size_t line_end;
} search_hit;

/* Called once per matching line (the first match on that line); return
 * nonzero to stop the scan. */
typedef int (*search_fn)(void *ud, const char *text, const search_hit *hit);

/* A compiled needle; reuse it across buffers. */
typedef struct search_pattern {
    char *needle;      /* owned; folded when SEARCH_ICASE (same length) */
    size_t len;
    int flags;
    void *re;          /* owned: the compiled PCRE2 pattern, or NULL */
    void *wide;        /* owned: how letters of varying length are matched, or NULL */
    void *alts;        /* owned: a regex of literals between '|', or NULL */
} search_pattern;

/* Returns 0, -1 when out of memory, or -2 for an empty needle. */
int search_compile(search_pattern *pat, const char *needle, size_t len, int flags);

/* search_compile with every flag: also -3 for a pattern PCRE2 refuses,
 * with its message (and offset) in msg. */
int search_compile_ex(search_pattern *pat, const char *needle, size_t len, int flags,
                      char *msg, size_t msgsize);
void search_pattern_free(search_pattern *pat);

/* 1 when text looks binary (NUL in the first 8 KiB), else 0. */
int search_is_binary(const char *text, size_t len);

/* Scan text[0, len). Returns the number of matching lines reported. */
size_t search_buffer(const search_pattern *pat, const char *text, size_t len,
                     search_fn fn, void *ud);

#endif
