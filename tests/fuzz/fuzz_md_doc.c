/*
 * fuzz_md_doc.c — libFuzzer target: the document object's index
 * (md_index_build_opts with MD_INDEX_ALL) and its splices, as md.parse
 * and d:splice use them.
 *
 * Input: 8 control bytes, a replacement of up to 255 bytes (length in the
 * last control byte), then the document. The splice replaces [a, b) of
 * the document (a, b from control bytes 0-3) by the replacement, as
 * lmd.c's lmd_push_spliced does. Both texts are indexed and checked: every
 * index invariant (fuzz_check.h), items and blocks included; the index of
 * the spliced text equals a fresh build over an exact-size copy of it (so
 * nothing depends on bytes past the end or on the old text); recording
 * items and blocks leaves sections and code runs as md_index_build finds
 * them; fields of both forms and their block ends are sound; and the
 * bytes outside the splice are the old ones.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "md.h"

enum { CTL = 8 };

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Do two indexes hold exactly the same records? */
static int same_index(const md_index *x, const md_index *y)
{
    return x->count == y->count && x->code_count == y->code_count &&
           x->item_count == y->item_count && x->block_count == y->block_count &&
           (x->count == 0 ||
            memcmp(x->sections, y->sections, x->count * sizeof *x->sections) == 0) &&
           (x->code_count == 0 ||
            memcmp(x->code, y->code, x->code_count * sizeof *x->code) == 0) &&
           (x->item_count == 0 ||
            memcmp(x->items, y->items, x->item_count * sizeof *x->items) == 0) &&
           (x->block_count == 0 ||
            memcmp(x->blocks, y->blocks, x->block_count * sizeof *x->blocks) == 0);
}

/* Fields of both forms: in order, outside code, values on their line; a
 * non-bullet field's block ends after its line, at a line start, and no
 * later than the next non-bullet field; md_fields_find agrees. */
static void check_fields(const char *t, size_t len, const md_index *x)
{
    size_t pos = 0, last = 0, prev_block = SIZE_MAX;
    md_field f, g;
    while (md_fields_next(t, len, len, x, &pos, &f)) {
        FUZZ_CHECK(f.line.start >= last && f.line.start <= f.key.start &&
                       f.key.start < f.key.end && f.key.end <= f.value.start &&
                       f.value.start <= f.value.end && f.value.end <= f.line.end &&
                       f.line.end == pos && pos <= len,
                   "field spans out of order at %zu", f.line.start);
        FUZZ_CHECK(!md_in_code(x, f.line.start), "field read from code at %zu",
                   f.line.start);
        if (f.bullet) {
            FUZZ_CHECK(f.block_end == SIZE_MAX, "a bullet field has a block");
        } else {
            FUZZ_CHECK(f.block_end >= f.line.end && f.block_end <= len &&
                           (f.block_end == len || fuzz_line_start(t, len, f.block_end)),
                       "field at %zu: block end %zu", f.line.start, f.block_end);
            FUZZ_CHECK(prev_block == SIZE_MAX || prev_block <= f.line.start,
                       "a block runs past the next non-bullet field at %zu",
                       f.line.start);
            prev_block = f.block_end;
        }
        FUZZ_CHECK(md_fields_find(t, len, 0, len, x, t + f.key.start,
                                  f.key.end - f.key.start, 0, &g) == 0 &&
                       g.line.start <= f.line.start,
                   "md_fields_find misses a key md_fields_next gave");
        last = f.line.end;
    }
}

/* Index t[0, len) with everything, check it, and check the plain index
 * agrees on sections and code. Returns the full index in *x. */
static void index_and_check(const char *t, size_t len, md_index *x)
{
    md_index p = {0};
    FUZZ_CHECK(md_index_build_opts(t, len, MD_INDEX_ALL, x) == 0, "build failed");
    fuzz_check_index(x, t, len);
    fuzz_check_records(x, t, len);
    check_fields(t, len, x);
    FUZZ_CHECK(md_index_build(t, len, &p) == 0, "plain build failed");
    FUZZ_CHECK(p.item_count == 0 && p.block_count == 0, "plain index has records");
    p.items = x->items; /* compare the rest */
    p.item_count = x->item_count;
    p.blocks = x->blocks;
    p.block_count = x->block_count;
    FUZZ_CHECK(same_index(&p, x), "records change the sections or code runs");
    p.items = NULL;
    p.blocks = NULL;
    md_index_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    md_index x = {0}, y = {0}, z = {0};
    char *text = NULL, *repl = NULL, *out = NULL, *copy = NULL;
    size_t len, rlen, a, b, olen;
    if (fuzz_split(data, size, CTL, &text, &len, &repl, &rlen) != 0)
        return 0;
    index_and_check(text, len, &x);
    a = u16(data) % (len + 1);
    b = a + u16(data + 2) % (len - a + 1);
    olen = len - (b - a) + rlen;
    out = malloc(olen ? olen : 1);
    copy = malloc(olen ? olen : 1);
    if (!out || !copy)
        goto done;
    memcpy(out, text, a);
    memcpy(out + a, repl, rlen);
    memcpy(out + a + rlen, text + b, len - b);
    FUZZ_CHECK(memcmp(out, text, a) == 0 &&
                   memcmp(out + a + rlen, text + b, len - b) == 0,
               "bytes outside the splice changed");
    index_and_check(out, olen, &y);
    memcpy(copy, out, olen);
    memset(out, 0, olen); /* the old buffer says nothing any more */
    FUZZ_CHECK(md_index_build_opts(copy, olen, MD_INDEX_ALL, &z) == 0, "build failed");
    FUZZ_CHECK(same_index(&y, &z), "splice [%zu, %zu) +%zu: the index differs from a "
               "fresh build", a, b, rlen);
done:
    md_index_free(&x);
    md_index_free(&y);
    md_index_free(&z);
    free(text);
    free(repl);
    free(out);
    free(copy);
    return 0;
}
