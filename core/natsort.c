/*
 * natsort.c — sys.natural_sort(names [, suffix_len]): an array of names
 * sorted in place as people count, session-2 before session-10.
 *
 * Each name's stem (the name without its last suffix_len bytes, ".md")
 * gets a key: every run of digits without its leading zeros (one zero
 * kept), padded with zeros to 12 digits (a longer run as it is). Names
 * sort by that key, then by the stem, then by the name, all bytewise: the
 * order tree.log_names gave when it built the same keys in Lua, where the
 * keys and the sort of ten thousand log names were most of a listing's
 * cost. fs.list_portable sorts its names with the same keys (natsort.h).
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "natsort.h"

enum { PAD = 12 };

/* Bytes of s's natural key; writes them at out when out is not NULL. */
static size_t natural_key(const char *s, size_t n, char *out)
{
    size_t i = 0, w = 0;
    while (i < n) {
        if (s[i] < '0' || s[i] > '9') {
            if (out)
                out[w] = s[i];
            w++;
            i++;
            continue;
        }
        size_t start = i, digits;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        while (start + 1 < i && s[start] == '0') /* leading zeros do not count */
            start++;
        digits = i - start;
        for (size_t z = digits; z < PAD; z++) {
            if (out)
                out[w] = '0';
            w++;
        }
        if (out)
            memcpy(out + w, s + start, digits);
        w += digits;
    }
    return w;
}

static size_t stem_of(size_t len, size_t suffix_len)
{
    return suffix_len < len ? len - suffix_len : 0;
}

size_t natsort_key_size(const char *name, size_t len, size_t suffix_len)
{
    size_t stem = stem_of(len, suffix_len);
    return natural_key(name, stem, NULL) + 1 + stem + 1 + len;
}

void natsort_key_make(const char *name, size_t len, size_t suffix_len, char *out,
                      natsort_entry *e)
{
    size_t stem = stem_of(len, suffix_len), k = natural_key(name, stem, out);
    out[k] = '\0';
    memcpy(out + k + 1, name, stem);
    out[k + 1 + stem] = '\0';
    memcpy(out + k + 2 + stem, name, len);
    e->key = out;
    e->len = k + 2 + stem + len;
    e->name_len = len;
}

static int compare(const void *a, const void *b)
{
    const natsort_entry *x = a, *y = b;
    if (x->head != y->head) /* most pairs: the keys differ early */
        return x->head < y->head ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Sort e by head: a radix sort a byte at a time, least significant first,
 * passing over the bytes all heads share. tmp holds n entries. */
static void sort_heads(natsort_entry *e, natsort_entry *tmp, size_t n)
{
    natsort_entry *from = e, *to = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i].head >> shift) & 255) + 1]++;
        if (count[((from[0].head >> shift) & 255) + 1] == n)
            continue; /* one value at this byte */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].head >> shift) & 255]++] = from[i];
        natsort_entry *t = from;
        from = to;
        to = t;
    }
    if (from != e)
        memcpy(e, from, n * sizeof *e);
}

void natsort_entries(natsort_entry *e, size_t n)
{
    if (n < 2)
        return;
    /* The bytes every key starts with ("session-0000000" in a folder of
     * logs) settle no comparison: each entry's head is the 8 bytes after
     * them, big-endian, zero-padded, so that comparing heads orders as
     * comparing keys does as far as they reach. */
    size_t common = e[0].len;
    for (size_t i = 1; i < n && common > 0; i++) {
        size_t m = e[i].len < common ? e[i].len : common, k = 0;
        while (k < m && e[i].key[k] == e[0].key[k])
            k++;
        common = k;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t h = 0;
        for (size_t k = common; k < common + 8; k++)
            h = h << 8 | (k < e[i].len ? (unsigned char)e[i].key[k] : 0);
        e[i].head = h;
    }
    natsort_entry *tmp = malloc(n * sizeof *tmp);
    if (!tmp) { /* the slower way needs no memory */
        qsort(e, n, sizeof *e, compare);
        return;
    }
    sort_heads(e, tmp, n);
    free(tmp);
    /* keys whose heads tie: by the whole key (rare but for long names) */
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && e[j].head == e[i].head; j++)
            ;
        if (j - i > 1)
            qsort(e + i, j - i, sizeof *e, compare);
    }
}

/* names[i] as a string, or a raised error naming i. Pushes nothing. */
static const char *name_at(lua_State *L, size_t i, size_t *len)
{
    if (lua_rawgeti(L, 1, (lua_Integer)i + 1) != LUA_TSTRING) /* names s */
        luaL_error(L, "sys.natural_sort: names[%d] is not a string", (int)i + 1);
    const char *s = lua_tolstring(L, -1, len);
    lua_pop(L, 1); /* still referenced by names, which the call holds */
    return s;
}

int sesslua_natural_sort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer suffix = luaL_optinteger(L, 2, 0);
    size_t n = (size_t)lua_rawlen(L, 1), bytes = 0, len;
    luaL_argcheck(L, suffix >= 0, 2, "a length >= 0");
    if (n < 2) {
        lua_settop(L, 1);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = name_at(L, i, &len);
        bytes += natsort_key_size(s, len, (size_t)suffix);
    }
    /* one block for the entries and their keys, owned by Lua: nothing to
     * free if a push below raises */
    natsort_entry *e = lua_newuserdatauv(L, n * sizeof *e + bytes, 0); /* names box */
    char *at = (char *)(e + n);
    for (size_t i = 0; i < n; i++) {
        const char *s = name_at(L, i, &len);
        natsort_key_make(s, len, (size_t)suffix, at, &e[i]);
        at += e[i].len;
    }
    natsort_entries(e, n);
    for (size_t i = 0; i < n; i++) {
        lua_pushlstring(L, e[i].key + e[i].len - e[i].name_len, e[i].name_len);
        lua_rawseti(L, 1, (lua_Integer)i + 1);
    }
    lua_settop(L, 1);
    return 1;
}
