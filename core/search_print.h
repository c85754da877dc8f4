/*
 * search_print.h — search results formatted in C: text and JSON for a
 * whole file's hits at once, so a word on most lines costs no Lua table
 * per hit.
 *
 * A file's output is written into a search_out buffer by whichever thread
 * searched the file. What only the caller knows (the start of a text
 * header, the values of the caller's own JSON fields: both come from Lua)
 * is left out; `marks` record where each value goes, and the caller writes
 * the pieces between the marks with the values in the gaps
 * (search_out_write).
 *
 * Text (SEARCH_PRINT_TEXT), per group of hits sharing one label:
 *   "\n" MARK0 " › section › ... › Label" "\n"   (the first "\n" is the
 *                                              blank line between groups)
 *   "  LINE: text\n" per hit
 * where the sections are the hit's section path minus the document's own
 * title when there are deeper ones, as scripts/search.lua has always
 * printed them, and every piece is escaped as sys.escape_controls does.
 * With context lines, "  LINE- text\n" for each and "--\n" between runs
 * of lines that are not adjacent, as grep -C prints them.
 * JSON (SEARCH_PRINT_JSON): one ",\n    {...}" object per hit, keys sorted,
 * as sesslua.json pretty-prints them at depth 2: column, label, line, path,
 * section, sections, text (after and before with context), and the
 * caller's fields, field k's value being MARKk.
 * FILES and COUNT: "path\n" and "path:N\n".
 *
 * Nothing here prints or locks; every function is safe to call from any
 * thread on its own search_out.
 */
#ifndef SESSLUA_SEARCH_PRINT_H
#define SESSLUA_SEARCH_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "md.h"
#include "search.h"

enum {
    SEARCH_PRINT_NONE = 0, /* hand hits to Lua as tables */
    SEARCH_PRINT_TEXT,
    SEARCH_PRINT_JSON,
    SEARCH_PRINT_FILES,
    SEARCH_PRINT_COUNT,
};

/* A growing output buffer with marks. oom is set (and later writes
 * ignored) once memory ran out. Zero-initialise; search_out_free frees. */
typedef struct search_mark {
    size_t at;  /* offset in data */
    int value;  /* which of the caller's values goes there */
} search_mark;

typedef struct search_out {
    char *data;
    size_t len, cap;
    search_mark *marks;
    size_t nmarks, mcap;
    int oom;
} search_out;

void search_out_reset(search_out *out);
void search_out_free(search_out *out);
void search_out_put(search_out *out, const char *s, size_t n);
void search_out_mark(search_out *out, int value);

/* Append s escaped for a terminal: C0 controls but tab and newline, and
 * DEL, as \xNN; C1 and bidi controls as \u{XXXX}; stray bytes 0x80-0x9F
 * as \xNN (the rule of sys.escape_controls). */
void search_out_printable(search_out *out, const char *s, size_t n);
/* head (as it is), then text as search_out_printable puts it, then a line
 * feed: a shown line, in one step when the text needs no escape. */
void search_out_line(search_out *out, const char *head, size_t hlen, const char *text,
                     size_t tlen);

/* Append s as a JSON string (quotes included), as sesslua.json encodes
 * one: bytes that are not UTF-8 become U+FFFD, C0 controls and DEL are
 * escaped, C1 and bidi controls written as \uXXXX. */
void search_out_json(search_out *out, const char *s, size_t n);

/* Index of the last section of idx starting at or before byte off, or -1. */
long search_section_at(const md_index *idx, size_t off);

/* The `**Label:**` sub-heading hit h is under within its section sec
 * (search_section_at): its own line when it is one, else the nearest one
 * above, never a line of code; none for a hit on the heading line. idx
 * is built with MD_INDEX_STRONG: the label lines are among its strong
 * lines. Returns 1 and the label's text span [*ls, *le), or 0. */
int search_label_at(const md_index *idx, const char *text, long sec, const search_hit *h,
                    size_t *ls, size_t *le);

/* Plain titles (md_plain_title) of the raw heading texts already seen.
 * The same headings recur in file after file of a tree, and cmark's inline
 * parse of a title is the formatter's largest cost after the index: one
 * cache per thread that formats (it is not locked), kept across files.
 * Zero-initialise; search_titles_free frees. Memory: a file's distinct
 * titles at most, plus SEARCH_TITLES_KEEP kept from earlier files. The
 * formatter keeps its work memory here too (a file's title slots, three
 * buffers), so a file costs no allocation once the first ones have grown:
 * up to SEARCH_WORK_KEEP bytes each. */
enum { SEARCH_TITLES_KEEP = 256, SEARCH_WORK_KEEP = 64 * 1024 };

typedef struct search_title {
    char *raw, *plain; /* owned; NULL: a free slot */
    size_t rlen, plen;
    size_t hash;
} search_title;

typedef struct search_titles {
    search_title *slots; /* open addressing, cap a power of two */
    size_t cap, count;
    const char **work_titles; /* search_format's, for the file it formats */
    size_t *work_tlen, work_cap;
    search_out work[3];
} search_titles;

void search_titles_free(search_titles *c);

/* What search_format needs besides the hits. */
enum { SEARCH_FIELDS_MAX = 8 };

typedef struct search_format_opts {
    int format;           /* SEARCH_PRINT_* */
    int context;          /* context asked for (even 0 lines: "--" between runs) */
    size_t before, after; /* context lines */
    const char *fields[SEARCH_FIELDS_MAX]; /* JSON: the caller's keys */
    int nfields;
} search_format_opts;

/* Format one file's hits (count matching lines; hits may be NULL for
 * FILES and COUNT). idx is the file's section index (TEXT and JSON), built
 * by the caller with MD_INDEX_STRONG, at least up to the last hit's line
 * (and its context); titles the calling thread's cache (NULL: none). Returns
 * 0, or -1 when out of memory. */
int search_format(search_out *out, const search_format_opts *o, const char *path,
                  const char *text, size_t len, const md_index *idx,
                  const search_hit *hits, size_t nhits, size_t count,
                  search_titles *titles);

/* Write out to f with values[k] (lens[k] bytes) in place of every mark k,
 * skipping the first `skip` bytes of out (a first group's blank line, a
 * first JSON hit's comma). Returns 0, or -1 on a write error (errno set). */
int search_out_write(const search_out *out, size_t skip, const char *const *values,
                     const size_t *lens, FILE *f);

#endif
