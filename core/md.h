/*
 * md.h — Markdown section index over the original bytes.
 *
 * sesslua never re-renders a document. It finds where the document-level
 * headings are (exactly the headings libcmark puts directly under the
 * document node: ATX and setext; not headings inside list items, block
 * quotes, fenced or indented code, or HTML blocks) and hands out byte
 * offsets, so callers can splice edits and leave every other byte alone.
 *
 * The index is built by a single-pass block scanner of our own (cmark's full
 * parse is ~7x slower and allocates a node per inline); tests keep it equal
 * to libcmark's answer on generated documents (tests/unit/test_md_diff.c).
 *
 * No function here prints, allocates behind the caller's back beyond what
 * it documents, or knows what a "session" is.
 */
#ifndef SESSLUA_MD_H
#define SESSLUA_MD_H

#include <stddef.h>
#include <stdint.h>

/* One document-level heading and the text it owns.
 *
 *   heading_start  first byte of the heading's first line (for setext: the
 *                  paragraph's first line)
 *   heading_end    first byte after the heading's last line, line ending
 *                  included (for setext: after the underline)
 *   body_end       first byte of the next heading of ANY level, or the
 *                  document length: the section's own body is
 *                  [heading_end, body_end)
 *   end            first byte of the next heading of level <= this one, or
 *                  the document length: the subtree is [heading_start, end)
 *   title_start,   the heading's raw inline content, trimmed: no '#' marks,
 *   title_len      no closing sequence, no setext underline, no surrounding
 *                  blanks. For a multi-line setext heading the range spans
 *                  the line endings between lines. Still raw Markdown
 *                  (`**x**`); md_plain_title() strips inline markup.
 *   line           1-based line number of heading_start
 *   parent         index of the enclosing section (nearest earlier section
 *                  of a lower level), or -1
 */
typedef struct md_section {
    int level;
    int parent;
    size_t line;
    size_t heading_start;
    size_t heading_end;
    size_t body_end;
    size_t end;
    size_t title_start;
    size_t title_len;
} md_section;

/* A byte range [start, end). */
typedef struct md_span {
    size_t start;
    size_t end;
} md_span;

/* One list item, exactly as libcmark sees list items: not inside code or
 * HTML blocks; inside block quotes and other items too (a quote does not
 * change the depth). tests/unit/test_md_diff.c holds start line, end
 * line, depth, list type, delimiter and start number equal to libcmark's.
 *
 *   start       first byte of the item's first line (a line start: for an
 *               item in a quote or on the line of its parent item, the
 *               line's first byte, not the marker's)
 *   end         after the line ending of the item's last non-blank line:
 *               its continuation lines, lazy continuation lines and nested
 *               blocks included, trailing blank lines excluded (libcmark
 *               counts those in; see "blank" below)
 *   text_start, the first line's text after the marker and its blanks and,
 *   text_end    for a task, after the box `[ ]` and its blanks; trailing
 *               blanks and the line ending excluded (text_start <= text_end)
 *   line        1-based line number of start
 *   parent      index of the nearest enclosing item, or -1
 *   depth       0 for an item inside no other item; parent's depth + 1
 *   number      ordered items: the number as written (at most 9 digits);
 *               0 for bullets
 *   marker      '-', '*' or '+' for bullets; '.' or ')' for ordered items
 *   task        -1 when the first line's text does not start with a task
 *               box; 0 for `[ ]`, 1 for `[x]` or `[X]` (GFM: the box is
 *               followed by a blank or the line end)
 *
 * A line is blank for a block when nothing but blanks follows the markers
 * of the block's ancestors on it: in `> - a` followed by `>`, the second
 * line is not blank for the quote but is for the item.
 *
 * Records hold 32-bit offsets, so they stay small (36 bytes an item, 16 a
 * block): md_index_build_opts refuses a text of 4 GiB or more. */
typedef struct md_item {
    uint32_t start;
    uint32_t end;
    uint32_t text_start;
    uint32_t text_end;
    uint32_t line;
    int32_t parent;
    uint32_t depth;
    uint32_t number;
    char marker;
    signed char task;
} md_item;

/* What a document-level block is (the children of cmark's document node;
 * a paragraph holding only link reference definitions is no block, as in
 * cmark). */
typedef enum md_block_kind {
    MD_BLOCK_PARAGRAPH,
    MD_BLOCK_HEADING, /* ATX or setext */
    MD_BLOCK_LIST,
    MD_BLOCK_QUOTE,
    MD_BLOCK_CODE,    /* fenced or indented */
    MD_BLOCK_HTML,
    MD_BLOCK_BREAK    /* thematic break */
} md_block_kind;

/* One document-level block: [start, end) from its first line's first byte
 * to after the line ending of its last non-blank line (trailing blank
 * lines of a list, an indented code block, an unclosed fence or HTML
 * block excluded; libcmark's end line counts them in). line is the
 * 1-based line number of start. 16 bytes: a text of one-sentence
 * paragraphs (48 bytes with the blank line) needs a third of its size. */
typedef struct md_block {
    uint32_t start;
    uint32_t end;
    uint32_t line;
    unsigned char kind; /* md_block_kind */
} md_block;

/* The section index, and the lines cmark reads as code or raw HTML.
 *
 *   code   whole lines inside fenced code (its fence lines included),
 *          indented code or an HTML block, at any depth (in a list item or
 *          block quote too), merged into maximal runs of consecutive lines:
 *          [start, end) from a line's first byte to after the last line's
 *          line ending, in document order, never adjacent or overlapping.
 *          Fields and tasks are never read from these lines.
 *   items  every list item, in document order (an item before the items
 *          nested in it); exactly item_count long. Only with
 *          MD_INDEX_ITEMS (md_index_build_opts), else empty.
 *   blocks the document-level blocks in document order, never
 *          overlapping; exactly block_count long. Only with
 *          MD_INDEX_BLOCKS, else empty.
 *   strong every line that begins with `**` and is not code (see code),
 *          in document order, [start, end) from its first byte to the end
 *          of its text (before its line ending): where a `**Label:**` or
 *          a `**Key:** value` line can be, without a look at every line.
 *          Only with MD_INDEX_STRONG, else empty. */
typedef struct md_index {
    md_section *sections; /* owned; in document order */
    size_t count;
    size_t capacity;
    md_span *code;        /* owned; in document order */
    size_t code_count;
    size_t code_capacity;
    md_item *items;       /* owned; NULL when none */
    size_t item_count;
    size_t item_capacity;
    md_block *blocks;     /* owned; NULL when none */
    size_t block_count;
    size_t block_capacity;
    md_span *strong;      /* owned; NULL when none */
    size_t strong_count;
    size_t strong_capacity;
    void *pack;           /* owned: when not NULL, the one allocation the five
                           * arrays above live in (md_index_build_in) */
} md_index;

/* Build the index of text[0, len): sections and code runs. text need not
 * be NUL-terminated; a UTF-8 BOM at offset 0 is skipped; LF, CRLF and lone
 * CR all end lines. One pass, linear in len whatever the input (no
 * per-line rescans per nesting level). *index must be zeroed (or freed)
 * before the call. Returns 0, or -1 when memory runs out (index then holds
 * nothing and needs no free). items and blocks stay empty: this is the
 * index search builds for every file (with MD_INDEX_STRONG), about 4
 * instructions per byte of a log. */
int md_index_build(const char *text, size_t len, md_index *index);

/* What md_index_build_opts records besides sections and code runs. */
enum {
    MD_INDEX_ITEMS = 1u << 0,  /* index->items */
    MD_INDEX_BLOCKS = 1u << 1, /* index->blocks */
    MD_INDEX_ALL = MD_INDEX_ITEMS | MD_INDEX_BLOCKS,
    /* For tests: every line through the general steps, none through the
     * shortcut for a log's commonest line (the index is the same). */
    MD_INDEX_NO_SHORTCUTS = 1u << 2,
    MD_INDEX_STRONG = 1u << 3  /* index->strong (search's labels) */
};

/* md_index_build, also filling what options asks for, in the same pass
 * (still linear: each block's end is settled once, when it closes).
 * Recording both costs about 35% more than md_index_build; memory is one
 * md_item (36 bytes) per list item and one md_block (16 bytes) per
 * document-level block, the arrays sized exactly. Returns 0, or -1 when
 * memory runs out or, with options, when len >= 4 GiB (UINT32_MAX). */
int md_index_build_opts(const char *text, size_t len, unsigned options,
                        md_index *index);

/* Working memory kept between builds. A thread that indexes file after
 * file (a worker of md.parse_ahead, of search) would otherwise grow and
 * free a dozen arrays per file, and two threads that allocate and free
 * each other's blocks meet on the allocator's locks: a thousand logs built
 * on a worker and freed on the caller's thread took half as long again as
 * on one thread. One owner per scratch, used by one thread at a time. */
typedef struct md_scratch md_scratch;

/* A new empty scratch, or NULL when memory runs out. */
md_scratch *md_scratch_new(void);

/* Free a scratch and what it keeps; NULL is fine. */
void md_scratch_free(md_scratch *scratch);

/* md_index_build_opts with scratch's arrays (scratch may be NULL: then
 * exactly md_index_build_opts). The index it gives is the same; when its
 * records are small it lives in one allocation (index->pack), copied out
 * of the scratch, and the scratch keeps its arrays for the next build. */
int md_index_build_in(md_scratch *scratch, const char *text, size_t len,
                      unsigned options, md_index *index);

/* The index of the first item, or of the first block, that starts at or
 * after byte pos (item_count or block_count when none does): a binary
 * search, both arrays being in start order. */
size_t md_first_item(const md_index *index, size_t pos);
size_t md_first_block(const md_index *index, size_t pos);

/* Free what md_index_build allocated; safe on a zeroed or freed index. */
void md_index_free(md_index *index);

/* Title lookup, in order of preference:
 *   1. exact byte match of the plain title;
 *   2. ASCII case-insensitive match;
 *   3. match after normalising both sides (ASCII letters lowered, ASCII
 *      punctuation, spaces, emoji and symbol code points dropped), where the
 *      query may be a prefix of the title ("recipes" finds
 *      "🍲 Recipes & Tips").
 * Within a tier the first section in document order wins. `plain_titles`
 * holds each section's plain title (md_plain_title) in index order.
 * Returns the section index, or -1. */
long md_find_title(const char *const *plain_titles, const size_t *title_lens,
                   size_t count, const char *query, size_t query_len);

/* md_find_title for a document object's lookups. MD_FIND_PREFIX: tiers 1
 * to 3, then a query that normalises to nothing (only emoji or
 * punctuation: `🚢`) matches a title starting with its bytes (ASCII case
 * aside), so `🚢` finds "🚢 Launch Plan". MD_FIND_EXACT, for writers:
 * tiers 1 and 2, then normalised EQUALITY (not empty), so "Notes" finds
 * "🗒 Notes" but never "Notes From Monday". */
enum { MD_FIND_PREFIX = 0, MD_FIND_EXACT = 1 };
long md_find_title_mode(const char *const *plain_titles, const size_t *title_lens,
                        size_t count, const char *query, size_t query_len,
                        int mode);

/* Does a title match query as MD_FIND_PREFIX's last two tiers do: the
 * normalised query (not empty) starts the normalised title, or a query
 * that normalises to nothing starts the title's bytes? 1 or 0. */
int md_title_has_prefix(const char *title, size_t title_len, const char *query,
                        size_t query_len);

/* Normalise for tier 3 above into out (capacity >= len + 1, NUL-written).
 * Returns the normalised length. */
size_t md_normalize_title(const char *s, size_t len, char *out);

/* Plain text of a heading's raw inline content: emphasis, code spans, links
 * and images reduced to their text, backslash escapes and entities
 * resolved, line endings folded to one space. Returns a malloc'd
 * NUL-terminated string the caller frees (*out_len set), or NULL when out
 * of memory. */
char *md_plain_title(const char *raw, size_t len, size_t *out_len);

/* `**Key:** value` fields and task items.
 *
 * All three functions below read whole lines of text[start, end) (a start
 * in mid-line moves to the next line) and take the index of the WHOLE text
 * (md_index_build(text, len) with len >= end): lines in index->code --
 * fenced or indented code, HTML blocks -- are skipped, so a field or task
 * quoted in a code sample is never read or edited. Whether a line is code
 * is decided from the text's first byte, not from `start`: a range that
 * starts inside a code block still knows it is inside. index may be NULL
 * for a text known to hold no code (nothing is skipped). */

/* The first line in text[start, end) whose first non-blank characters are
 * `**Key:**` (or `**Key**:`), Key compared ASCII case-insensitively. On
 * success sets the value's byte range (leading blanks skipped; trailing
 * blanks and the line ending excluded) and the line's range
 * [line_start, line_end) (line_end after the line ending), and returns 0;
 * returns -1 when absent. Any out pointer may be NULL. */
int md_field_find(const char *text, size_t start, size_t end,
                  const md_index *index, const char *key, size_t key_len,
                  md_span *value, md_span *line);

/* Iterate `**Key:** value` lines in text[start, end). *pos is the cursor
 * (set to start first). Returns 1 and fills key/value/line spans for the
 * next field, 0 at the end. */
int md_field_next(const char *text, size_t end, const md_index *index,
                  size_t *pos, md_span *key, md_span *value, md_span *line);

/* A field line of either form, for md_fields_next / md_fields_find:
 *
 *   `**Key:** value` or `**Key**: value` at a line's start (after blanks),
 *   or the list-item form `- **Key:** value`, `* **Key**: value`,
 *   `1. **Key:** value` (a bullet `-*+`, or 1-9 digits and `.` or `)`,
 *   then blanks; read from the line's bytes, as tasks are).
 *
 *   key        the key's bytes between the `**`, without the colon
 *   value      leading blanks skipped; trailing blanks and the line ending
 *              excluded (raw Markdown)
 *   line       [line start, after the line ending)
 *   bullet     1 for the list-item form, else 0
 *   block_end  for bullet == 0: where the `**Label:**` block this line
 *              leads ends -- the start of the next non-bullet field line,
 *              of the next document-level thematic break, or of the next
 *              section heading, or the text's length, whichever comes
 *              first (so `**Steps:**` followed by `- [ ] a` lines
 *              holds the list). Thematic breaks come from index->blocks:
 *              build the index with MD_INDEX_BLOCKS, or they are not seen.
 *              SIZE_MAX for bullet == 1. */
typedef struct md_field {
    md_span key;
    md_span value;
    md_span line;
    int bullet;
    size_t block_end;
} md_field;

/* Iterate the field lines of both forms in text[start, end), outside
 * code, in file order; text is len bytes long (len >= end: a block may end
 * after `end`). *pos is the cursor (set to start first). Returns 1 and
 * fills *field, 0 at the end. Reads each line of a `**Label:**` block
 * twice at most: linear over a walk of the whole range. */
int md_fields_next(const char *text, size_t len, size_t end,
                   const md_index *index, size_t *pos, md_field *field);

/* Flags of md_fields_find's `last` argument (0: the first field, of
 * either form). */
enum {
    MD_FIELD_LAST = 1u << 0,  /* the last such field, not the first */
    MD_FIELD_PLAIN = 1u << 1  /* only `**Key:**` lines, not the list-item form */
};

/* The first (last & MD_FIELD_LAST: the last) field line of either form
 * (last & MD_FIELD_PLAIN: of the `**Key:**` form) in text[start, end) whose
 * key equals key ASCII case-insensitively, outside code. Fills *field and
 * returns 0, or returns -1 when there is none. */
int md_fields_find(const char *text, size_t len, size_t start, size_t end,
                   const md_index *index, const char *key, size_t key_len,
                   int last, md_field *field);

/* md_fields_find for each of nkeys keys, in one walk of text[start, end):
 * values[k] is the value of the first field whose key equals keys[k] (as
 * md_fields_find compares), or {SIZE_MAX, SIZE_MAX} when none does.
 * Returns how many keys were found; stops once all are. */
size_t md_fields_find_each(const char *text, size_t start, size_t end,
                           const md_index *index, const char *const *keys,
                           const size_t *key_lens, size_t nkeys, md_span *values);

/* Task list items `- [ ] text` / `* [x] text` / `+ [X] text` (any indent) in
 * text[start, end). *pos is the cursor as above. Returns 1 with *done set,
 * the text span (after "] ", trailing blanks and line ending excluded) and
 * the line span; 0 at the end. */
int md_task_next(const char *text, size_t end, const md_index *index,
                 size_t *pos, int *done, md_span *task_text, md_span *line);

/* Is byte offset pos on a line of index->code? (false for a NULL index) */
int md_in_code(const md_index *index, size_t pos);

/* The document's dominant line ending: "\r\n" when the first line ending is
 * CRLF, else "\n". */
const char *md_eol(const char *text, size_t len);

#endif
