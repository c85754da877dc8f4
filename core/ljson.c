/*
 * ljson.c — the JSON encoder behind sesslua.json: module "sesslua.json_c".
 *
 * lua/sesslua/json.lua keeps the API (json.encode, json.object, json.null)
 * and calls the closure made here:
 *
 *     local encode = require("sesslua.json_c").encoder(json.null, object_mt)
 *     encode(value, indent, depth) -> string
 *
 * The output is byte for byte what the Lua encoder before it wrote (kept as
 * tests/lua/json_oracle.lua; tests/lua/test_json_diff.lua compares them):
 *   - object keys sorted, "schema" then "kind" first, the rest as Lua's `<`
 *     orders strings (strcoll, segment by segment over embedded zeros);
 *   - a table is an array when every key is an integer in 1..#t (holes are
 *     null), so an empty table is []; a table whose metatable is object_mt
 *     (json.object) is always an object, so an empty one is {};
 *   - integers as %lld; integral floats below 2^53 in magnitude as integers
 *     (-0.0 is 0); other floats as %.14g; NaN and infinities as null;
 *   - strings: invalid UTF-8 bytes each become U+FFFD; `"`, `\`, C0 controls
 *     and DEL are escaped (\b \f \n \r \t, else \u00xx); C1 controls and
 *     the bidi controls (U+061C, U+200E/F, U+202A-E, U+2066-9) as \uxxxx;
 *     nothing else (no escaped slashes);
 *   - indent: "[" NL inner item ("," NL inner item)* NL pad "]", where pad
 *     is indent repeated depth times and inner depth + 1 times, ": "
 *     between key and value; compact without.
 * Raises "json: cannot encode a <type>" for a function, a thread or a
 * userdata other than null, "json: object keys must be strings", and
 * "json: nesting deeper than 1000 levels (a cycle?)".
 *
 * Tables are read raw (no __index, __len or __pairs), so no Lua code runs
 * during an encode and every value read stays anchored by its table.
 *
 * Memory: the output grows in one luaL_Buffer, whose box is freed when an
 * error unwinds. A luaL_Buffer must be on top of the stack whenever text is
 * added, so nothing the walk needs stays on the stack above it: the tables
 * being written and their sorted keys sit in two Lua tables below the
 * buffer, indexed by nesting level, and each value is pushed, read, popped,
 * then written. A string read that way stays valid after the pop because
 * its table (or argument 1) still holds it and Lua's collector never moves
 * objects.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

/* Deeper nesting raises: the walk recurses in C, and a cycle would
 * otherwise recurse until the C stack runs out. 1000 is lua-cjson's
 * default limit too. */
#define JSON_MAX_DEPTH 1000

#define UV_NULL lua_upvalueindex(1)
#define UV_OBJECT_MT lua_upvalueindex(2)

typedef struct encoder {
    lua_State *L;
    luaL_Buffer b;
    int tables;             /* stack index: tables[level] = table written at level */
    int keys;               /* stack index: keys[level] = its sorted keys (userdata) */
    const char *indent;     /* NULL: compact */
    size_t indent_len;
    lua_Integer depth;      /* nesting depth of the value encoded (opts.depth) */
    int c_collate;          /* strings collate as in the C locale: memcmp */
} encoder;

typedef struct json_key {
    const char *s;          /* a Lua string: NUL-terminated, held by its table */
    size_t len;
    int rank;               /* 1 "schema", 2 "kind", 99 any other */
} json_key;

static void encode_value(encoder *e, int level, int pop);

/* Raises the message alone, with no position: as json.lua's error(msg, 0)
 * did (luaL_error would name the Lua line calling the encoder). */
static int json_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

/* ---- strings ------------------------------------------------------------ */

/* 0: copied as is; 1: escaped. For bytes below 0x80 only: `"`, `\`, the C0
 * controls and DEL (what Lua's %c matches in the C locale). */
static const unsigned char ascii_escape[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

/* Length of the UTF-8 character at p (first byte >= 0x80), its code point
 * in *cp; 0 when the bytes there are not one. The rules of Lua's utf8.len
 * (strict): no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_char(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
    size_t n;
    uint32_t v, min;
    if (p[0] < 0xC0)
        return 0;                                    /* a continuation byte */
    else if (p[0] < 0xE0)
        n = 2, v = p[0] & 0x1Fu, min = 0x80;
    else if (p[0] < 0xF0)
        n = 3, v = p[0] & 0x0Fu, min = 0x800;
    else if (p[0] < 0xF8)
        n = 4, v = p[0] & 0x07u, min = 0x10000;
    else
        return 0;                                    /* would be above U+10FFFF */
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* What a terminal acts on beyond C0: C1 controls (CSI, OSC...) and the
 * bidi controls that reorder what is shown. */
static int terminal_control(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x61C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static void add_u(luaL_Buffer *b, uint32_t cp)
{
    char u[8];
    int n = snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
    luaL_addlstring(b, u, (size_t)n);
}

static void add_ascii_escape(luaL_Buffer *b, unsigned char c)
{
    switch (c) {
    case '"': luaL_addlstring(b, "\\\"", 2); break;
    case '\\': luaL_addlstring(b, "\\\\", 2); break;
    case '\b': luaL_addlstring(b, "\\b", 2); break;
    case '\f': luaL_addlstring(b, "\\f", 2); break;
    case '\n': luaL_addlstring(b, "\\n", 2); break;
    case '\r': luaL_addlstring(b, "\\r", 2); break;
    case '\t': luaL_addlstring(b, "\\t", 2); break;
    default: add_u(b, c); break;
    }
}

/* Writes s as a JSON string. Runs of bytes that need nothing are copied in
 * one piece. */
static void add_string(luaL_Buffer *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    luaL_addchar(b, '"');
    while (p < end) {
        uint32_t cp = 0;
        size_t n = 0;
        if (*p < 0x80) {
            if (!ascii_escape[*p]) {
                p++;
                continue;
            }
        } else if ((n = utf8_char(p, end, &cp)) > 0 && !terminal_control(cp)) {
            p += n;
            continue;
        }
        luaL_addlstring(b, (const char *)run, (size_t)(p - run));
        if (*p < 0x80)
            add_ascii_escape(b, *p), p++;
        else if (n == 0)
            luaL_addlstring(b, "\xEF\xBF\xBD", 3), p++; /* U+FFFD for one bad byte */
        else
            add_u(b, cp), p += n;
        run = p;
    }
    luaL_addlstring(b, (const char *)run, (size_t)(p - run));
    luaL_addchar(b, '"');
}

/* ---- numbers ------------------------------------------------------------ */

/* Writes i as "%lld" would, without printf's machinery (status documents
 * are full of counts); buf holds at least 21 bytes. Returns the length. */
static size_t format_integer(lua_Integer i, char *buf)
{
    char digits[24];
    size_t n = 0, len = 0;
    lua_Unsigned u = i < 0 ? 0u - (lua_Unsigned)i : (lua_Unsigned)i;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (i < 0)
        buf[len++] = '-';
    while (n > 0)
        buf[len++] = digits[--n];
    return len;
}

/* Formats the number at idx into buf (64 bytes); returns its length. */
static size_t format_number(lua_State *L, int idx, char *buf)
{
    if (lua_isinteger(L, idx))
        return format_integer(lua_tointeger(L, idx), buf);
    lua_Number v = lua_tonumber(L, idx);
    if (isnan(v) || isinf(v)) {
        memcpy(buf, "null", 4);
        return 4;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0)         /* 2^53 */
        return format_integer((lua_Integer)v, buf);
    return (size_t)snprintf(buf, 64, "%.14g", (double)v);
}

/* ---- tables ------------------------------------------------------------- */

/* A newline and the indent repeated `times` times (none when times <= 0,
 * as string.rep gives). */
static void add_indent(encoder *e, lua_Integer times)
{
    size_t need = 1 + (times > 0 ? (size_t)times * e->indent_len : 0);
    char *p = luaL_prepbuffsize(&e->b, need);
    *p++ = '\n';
    for (lua_Integer i = 0; i < times; i++, p += e->indent_len)
        memcpy(p, e->indent, e->indent_len);
    luaL_addsize(&e->b, need);
}

/* Lua's order of strings (lvm.c's l_strcmp): strcoll over each segment
 * between embedded zeros, a prefix first. In the C locale (the host never
 * sets another) that is memcmp's order with the shorter string first on a
 * tie, which is what c_collate takes. */
static int lua_strcmp(const char *l, size_t ll, const char *r, size_t lr, int c_collate)
{
    if (c_collate) {
        int c = memcmp(l, r, ll < lr ? ll : lr);
        return c != 0 ? c : (ll > lr) - (ll < lr);
    }
    for (;;) {
        int c = strcoll(l, r);
        if (c != 0)
            return c;
        size_t len = strlen(l);
        if (len == lr)
            return len == ll ? 0 : 1;
        if (len == ll)
            return -1;
        len++;
        l += len, ll -= len, r += len, lr -= len;
    }
}

/* json.lua's key_less: "schema", then "kind", then the rest in Lua's order.
 * Keys are distinct, so the order is total and any sort gives one result. */
static int key_less(const json_key *a, const json_key *b, int c_collate)
{
    if (a->rank != b->rank)
        return a->rank < b->rank;
    return lua_strcmp(a->s, a->len, b->s, b->len, c_collate) < 0;
}

static int key_rank(const char *s, size_t len)
{
    if (len == 6 && memcmp(s, "schema", 6) == 0)
        return 1;
    if (len == 4 && memcmp(s, "kind", 4) == 0)
        return 2;
    return 99;
}

/* Shell sort (Ciura's gaps): in place, no allocation, and as fast as
 * qsort for the few dozen keys of an object, without a call per compare. */
static void sort_keys(json_key *keys, size_t n, int c_collate)
{
    static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        size_t gap = gaps[g];
        for (size_t i = gap; i < n; i++) {
            json_key k = keys[i];
            size_t j = i;
            for (; j >= gap && key_less(&k, &keys[j - gap], c_collate); j -= gap)
                keys[j] = keys[j - gap];
            keys[j] = k;
        }
    }
}

/* With the table on top: is it written as an array (of *len items)? Not
 * when its metatable is json.object's (as getmetatable sees it: a
 * __metatable field honoured), nor when a key is not an integer in 1..#t. */
static int is_array(encoder *e, lua_Unsigned *len)
{
    lua_State *L = e->L;
    if (lua_getmetatable(L, -1)) {                   /* t mt */
        lua_pushliteral(L, "__metatable");
        if (lua_rawget(L, -2) != LUA_TNIL)           /* t mt protected */
            lua_remove(L, -2);                       /* t mt' */
        else
            lua_pop(L, 1);                           /* t mt */
        int object = lua_rawequal(L, -1, UV_OBJECT_MT);
        lua_pop(L, 1);                               /* t */
        if (object)
            return 0;
    }
    lua_Unsigned n = lua_rawlen(L, -1);
    lua_pushnil(L);                                  /* t nil */
    while (lua_next(L, -2)) {                        /* t k v */
        lua_pop(L, 1);                               /* t k */
        lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        if (k < 1 || (lua_Unsigned)k > n) {
            lua_pop(L, 1);                           /* t */
            return 0;
        }
    }
    *len = n;
    return 1;
}

/* A bigger array for the keys of level (the n first copied from old), held
 * at keys[level] from now on. */
static json_key *grow_keys(encoder *e, int level, const json_key *old, size_t n, size_t *cap)
{
    size_t bigger = *cap < 16 ? 32 : *cap * 2;
    json_key *keys = lua_newuserdatauv(e->L, bigger * sizeof *keys, 0); /* ... keys */
    if (n > 0)
        memcpy(keys, old, n * sizeof *keys);
    lua_rawseti(e->L, e->keys, level);               /* ... */
    *cap = bigger;
    return keys;
}

/* With the table on top: its keys, sorted, in the array held at
 * keys[level]; the count in *count. Raises on a key that is not a string.
 * The array is reused by the objects that follow at that level, so an
 * object costs no allocation (and no collector work). */
static json_key *sorted_keys(encoder *e, int level, size_t *count)
{
    lua_State *L = e->L;
    lua_rawgeti(L, e->keys, level);                  /* t keys? */
    json_key *keys = lua_touserdata(L, -1);
    size_t cap = keys != NULL ? lua_rawlen(L, -1) / sizeof *keys : 0;
    lua_pop(L, 1);                                   /* t */
    size_t n = 0;
    lua_pushnil(L);                                  /* t nil */
    while (lua_next(L, -2)) {                        /* t k v */
        lua_pop(L, 1);                               /* t k */
        if (lua_type(L, -1) != LUA_TSTRING)
            json_error(L, "json: object keys must be strings");
        if (n == cap)
            keys = grow_keys(e, level, keys, n, &cap);
        keys[n].s = lua_tolstring(L, -1, &keys[n].len);
        keys[n].rank = key_rank(keys[n].s, keys[n].len);
        n++;
    }
    sort_keys(keys, n, e->c_collate);
    *count = n;
    return keys;
}

static void encode_array(encoder *e, int level, lua_Integer n)
{
    lua_State *L = e->L;
    if (n == 0) {
        luaL_addchar(&e->b, '[');
        luaL_addchar(&e->b, ']');
        return;
    }
    lua_Integer depth = e->depth + level - 1;
    luaL_addchar(&e->b, '[');
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&e->b, ',');
        if (e->indent != NULL)
            add_indent(e, depth + 1);
        lua_rawgeti(L, e->tables, level);            /* buf t */
        lua_rawgeti(L, -1, i);                       /* buf t v */
        encode_value(e, level, 2);                   /* buf */
    }
    if (e->indent != NULL)
        add_indent(e, depth);
    luaL_addchar(&e->b, ']');
}

static void encode_object(encoder *e, int level, const json_key *keys, size_t n)
{
    lua_State *L = e->L;
    if (n == 0) {
        luaL_addchar(&e->b, '{');
        luaL_addchar(&e->b, '}');
        return;
    }
    lua_Integer depth = e->depth + level - 1;
    luaL_addchar(&e->b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            luaL_addchar(&e->b, ',');
        if (e->indent != NULL)
            add_indent(e, depth + 1);
        add_string(&e->b, keys[i].s, keys[i].len);
        luaL_addchar(&e->b, ':');
        if (e->indent != NULL)
            luaL_addchar(&e->b, ' ');
        lua_rawgeti(L, e->tables, level);            /* buf t */
        lua_pushlstring(L, keys[i].s, keys[i].len);  /* buf t k */
        lua_rawget(L, -2);                           /* buf t v */
        encode_value(e, level, 2);                   /* buf */
    }
    if (e->indent != NULL)
        add_indent(e, depth);
    luaL_addchar(&e->b, '}');
}

/* Writes tables[level]. */
static void encode_table(encoder *e, int level)
{
    lua_State *L = e->L;
    lua_Unsigned len = 0;
    lua_rawgeti(L, e->tables, level);                /* buf t */
    if (is_array(e, &len)) {
        lua_pop(L, 1);                               /* buf */
        encode_array(e, level, (lua_Integer)len);
        return;
    }
    size_t n = 0;
    const json_key *keys = sorted_keys(e, level, &n);
    lua_pop(L, 1);                                   /* buf */
    encode_object(e, level, keys, n);
}

/* Writes the value on top of the stack and pops it with what lies between
 * it and the buffer (pop slots in all), before anything is added; level is
 * the nesting level of the table holding it (0 at the top). */
static void encode_value(encoder *e, int level, int pop)
{
    lua_State *L = e->L;
    char num[64];
    size_t len = 0;
    const char *s;
    switch (lua_type(L, -1)) {
    case LUA_TNIL:
        lua_pop(L, pop);
        luaL_addlstring(&e->b, "null", 4);
        return;
    case LUA_TBOOLEAN:
        s = lua_toboolean(L, -1) ? "true" : "false";
        lua_pop(L, pop);
        luaL_addstring(&e->b, s);
        return;
    case LUA_TNUMBER:
        len = format_number(L, -1, num);
        lua_pop(L, pop);
        luaL_addlstring(&e->b, num, len);
        return;
    case LUA_TSTRING:
        s = lua_tolstring(L, -1, &len);
        lua_pop(L, pop);                             /* still held: see top */
        add_string(&e->b, s, len);
        return;
    case LUA_TTABLE:
        if (level >= JSON_MAX_DEPTH)
            json_error(L, "json: nesting deeper than %d levels (a cycle?)", JSON_MAX_DEPTH);
        lua_rawseti(L, e->tables, level + 1);
        lua_pop(L, pop - 1);                         /* buf */
        encode_table(e, level + 1);
        return;
    case LUA_TLIGHTUSERDATA:
        if (lua_rawequal(L, -1, UV_NULL)) {
            lua_pop(L, pop);
            luaL_addlstring(&e->b, "null", 4);
            return;
        }
        break;
    default:
        break;
    }
    json_error(L, "json: cannot encode a %s", luaL_typename(L, -1));
}

/* encode(value, indent, depth) -> string; indent nil or false: compact. */
static int json_encode(lua_State *L)
{
    encoder e;
    e.L = L;
    e.indent = NULL;
    e.indent_len = 0;
    if (lua_toboolean(L, 2)) {
        luaL_checktype(L, 2, LUA_TSTRING);
        e.indent = lua_tolstring(L, 2, &e.indent_len);
    }
    const char *collate = setlocale(LC_COLLATE, NULL);
    e.c_collate = collate != NULL && (strcmp(collate, "C") == 0 || strcmp(collate, "POSIX") == 0);
    e.depth = luaL_optinteger(L, 3, 0);
    luaL_argcheck(L, e.depth > LUA_MININTEGER + 1 && e.depth < LUA_MAXINTEGER - JSON_MAX_DEPTH,
                  3, "out of range");
    lua_settop(L, 3);
    lua_newtable(L);                                 /* value indent depth tables */
    lua_newtable(L);                                 /* ... tables keys */
    e.tables = 4;
    e.keys = 5;
    luaL_buffinit(L, &e.b);                          /* ... tables keys buf */
    lua_pushvalue(L, 1);                             /* ... buf value */
    encode_value(&e, 0, 1);                          /* ... buf */
    luaL_pushresult(&e.b);                           /* ... json */
    return 1;
}

/* encoder(null, object_mt) -> encode: the values that mean null and an
 * object, as json.lua defines them. */
static int json_encoder(lua_State *L)
{
    luaL_checkany(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_pushcclosure(L, json_encode, 2);
    return 1;
}

int luaopen_sesslua_json_c(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"encoder", json_encoder},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}
