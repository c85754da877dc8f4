/*
 * search_internal.h — what search.c shares with search_regex.c: the line
 * cursor that turns match offsets into hits, and the regex half of a
 * pattern. Not a public header.
 */
#ifndef SESSLUA_SEARCH_INTERNAL_H
#define SESSLUA_SEARCH_INTERNAL_H

#include <stddef.h>

#include "search.h"

/* Where a scan stands: line `line` starts at line_start <= pos, and the
 * lines before pos are counted. Start with {0, 1, 0}. */
typedef struct search_cursor {
    size_t pos;
    size_t line;
    size_t line_start;
} search_cursor;

/* Fill hit for a match at off of mlen bytes and move the cursor to the
 * start of the line after the match's last byte. */
void search_cursor_hit(search_cursor *cur, const unsigned char *t, size_t len, size_t off,
                       size_t mlen, search_hit *hit);

/* PCRE2: compile src (the pattern itself with SEARCH_REGEX, else a
 * literal) into pat->re; 0, -1 out of memory, -3 refused (msg set). */
int search_regex_compile(search_pattern *pat, const char *src, size_t len, int flags,
                         char *msg, size_t msgsize);
void search_regex_free(search_pattern *pat);
/* search_buffer for a pattern with pat->re. */
size_t search_regex_buffer(const search_pattern *pat, const char *text, size_t len,
                           search_fn fn, void *ud);

/* The literal kernel's pieces: the first match of pat (compiled by
 * search_compile) starting in [from, len - pat->len], or (size_t)-1; the
 * length of the well-formed UTF-8 sequence at t[i] (0: none); the start
 * of the unit holding t[i]; the same-length simple case folding of cp. */
size_t search_find(const search_pattern *pat, const unsigned char *t, size_t len, size_t from);
/* For tests: use no kernel wider than level (2 AVX2, 1 SSE2; the CPU's
 * own widest when it has less). */
void search_simd_limit(int level);
size_t search_seq_len(const unsigned char *t, size_t len, size_t i);
size_t search_unit_start(const unsigned char *t, size_t len, size_t i);
unsigned search_fold_cp(unsigned cp);

/* Letters whose case variants differ in UTF-8 length (search_wide.c).
 * search_wide_compile returns 2 when the needle has none (compile it as
 * usual), 1 when it has nothing else (use PCRE2), 0 when pat->wide is set
 * (an anchor of the other letters plus the letters around it), -1 out of
 * memory. */
int search_wide_compile(search_pattern *pat, const char *needle, size_t len, int flags);
void search_wide_free(search_pattern *pat);
size_t search_wide_buffer(const search_pattern *pat, const char *text, size_t len,
                          search_fn fn, void *ud);
/* For a literal pattern (plain or wide): whether, in this text, the plain
 * kernel alone is exact for it (decide once per buffer), and its next
 * match starting at or after from: 1 and [*s, *e), or 0. */
int search_wide_plain(const search_pattern *pat, const char *text, size_t len);
/* What the plain kernel runs for a literal pattern where search_wide_plain
 * says it alone is exact: pat, or the whole needle of a wide one. */
const search_pattern *search_plain_kernel(const search_pattern *pat);
int search_literal_next(const search_pattern *pat, const unsigned char *t, size_t len,
                        size_t from, int plain, size_t *s, size_t *e);

/* A regular expression that is only literals between '|' ("deploy|
 * rollback") is searched as those literals, leftmost first (as PCRE2
 * would, ties to the earlier one): pat->alts. */
void search_alts_free(search_pattern *pat);
/* Two such literals on one pass: whether the vector filter takes a and b
 * together (plain case-insensitive literals, each probe two values a bit
 * apart, AVX2), and then the first position at or after from where one of
 * them matches, a first at a tie (*which 0 or 1), or (size_t)-1. */
int search_either_ok(const search_pattern *a, const search_pattern *b);
size_t search_find_either(const search_pattern *a, const search_pattern *b,
                          const unsigned char *t, size_t len, size_t from, int *which);
size_t search_alts_buffer(const search_pattern *pat, const char *text, size_t len,
                          search_fn fn, void *ud);

#endif
