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
 * cost.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "natsort.h"

enum { PAD = 12 };

typedef struct entry {
    char *key; /* natural key \0 stem \0 name; owned */
    size_t len;
    lua_Integer index; /* 1-based, in the array as given */
} entry;

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

static int compare(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static void free_entries(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].key);
    free(e);
}

int sesslua_natural_sort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer suffix = luaL_optinteger(L, 2, 0);
    size_t n = (size_t)lua_rawlen(L, 1), made = 0;
    entry *e;
    luaL_argcheck(L, suffix >= 0, 2, "a length >= 0");
    if (n < 2) {
        lua_settop(L, 1);
        return 1;
    }
    if ((e = calloc(n, sizeof *e)) == NULL)
        return luaL_error(L, "not enough memory");
    for (; made < n; made++) {
        size_t len, stem, k;
        if (lua_rawgeti(L, 1, (lua_Integer)made + 1) != LUA_TSTRING) { /* names s */
            free_entries(e, made);
            return luaL_error(L, "sys.natural_sort: names[%d] is not a string", (int)made + 1);
        }
        const char *s = lua_tolstring(L, -1, &len);
        stem = (size_t)suffix < len ? len - (size_t)suffix : 0;
        k = natural_key(s, stem, NULL);
        e[made].len = k + 1 + stem + 1 + len;
        if ((e[made].key = malloc(e[made].len)) == NULL) {
            free_entries(e, made);
            return luaL_error(L, "not enough memory");
        }
        natural_key(s, stem, e[made].key);
        e[made].key[k] = '\0';
        memcpy(e[made].key + k + 1, s, stem);
        e[made].key[k + 1 + stem] = '\0';
        memcpy(e[made].key + k + 2 + stem, s, len);
        e[made].index = (lua_Integer)made + 1;
        lua_pop(L, 1);                                /* names */
    }
    qsort(e, n, sizeof *e, compare);
    lua_createtable(L, (int)n, 0);                    /* names sorted */
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, 1, e[i].index);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    free_entries(e, n);
    for (size_t i = 0; i < n; i++) {                  /* back into names */
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        lua_rawseti(L, 1, (lua_Integer)i + 1);
    }
    lua_settop(L, 1);
    return 1;
}
