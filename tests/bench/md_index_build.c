/*
 * md_index_build.c — instructions per byte of the section index alone
 * (md_index_build), and of the document object's index
 * (md_index_build_opts with MD_INDEX_ALL), for callgrind:
 *
 *   md_index_build FILE COPIES N [all]
 *
 * reads FILE, repeats it COPIES times into one text and indexes that text
 * N times (with items and blocks when the fourth argument is "all"). Run
 * it under `valgrind --tool=callgrind` with N=1 and with N=0: the
 * difference divided by the text's size is the index's cost per byte,
 * without Lua or the file read. Prints "<bytes> <sections> <items>
 * <blocks> <record bytes>" for the last build. See docs/performance.md
 * ("md index") for the build line and the figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

int main(int argc, char **argv)
{
    FILE *f;
    char *one, *text;
    long n;
    size_t copies, runs, len;
    unsigned options;
    md_index x = {0};
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "all") != 0)) {
        fprintf(stderr, "usage: md_index_build FILE COPIES N [all]\n");
        return 2;
    }
    if (!(f = fopen(argv[1], "rb")) || fseek(f, 0, SEEK_END) != 0 ||
        (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        perror(argv[1]);
        return 1;
    }
    copies = strtoul(argv[2], NULL, 10);
    runs = strtoul(argv[3], NULL, 10);
    options = argc == 5 ? MD_INDEX_ALL : 0;
    one = malloc((size_t)n + 1);
    text = malloc((size_t)n * copies + 1);
    if (!one || !text || fread(one, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    for (size_t i = 0; i < copies; i++)
        memcpy(text + i * (size_t)n, one, (size_t)n);
    len = (size_t)n * copies;
    for (size_t i = 0; i < runs; i++) {
        md_index_free(&x);
        if (md_index_build_opts(text, len, options, &x) != 0)
            return 1;
    }
    printf("%zu %zu %zu %zu %zu\n", len, x.count, x.item_count, x.block_count,
           x.item_count * sizeof *x.items + x.block_count * sizeof *x.blocks);
    md_index_free(&x);
    free(one);
    free(text);
    return 0;
}
