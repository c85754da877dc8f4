/*
 * lsys_text.c — text for terminals, in "sesslua.sys": the columns a string
 * takes (core/width.h) and a table's lines padded to their columns.
 */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lsys_text.h"
#include "width.h"

/// sys.width(s) -> integer
/// Columns a terminal gives s: wide characters and emoji two, combining
/// marks none (core/width.h); one a byte when s is not valid UTF-8.
static int l_width(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_pushinteger(L, (lua_Integer)text_width(s, len));
    return 1;
}

/// sys.cp_width(cp) -> 0, 1 or 2: the columns of one code point.
static int l_cp_width(lua_State *L)
{
    lua_Integer cp = luaL_checkinteger(L, 1);
    luaL_argcheck(L, cp >= 0 && cp <= 0x7FFFFFFF, 1, "code point out of range");
    lua_pushinteger(L, text_cp_width((uint32_t)cp));
    return 1;
}

enum { MAX_COLUMNS = 64 };

/* The string t[r] (t at idx), raising when it is none. */
static const char *cell(lua_State *L, int idx, lua_Integer r, size_t *len)
{
    const char *s;
    if (lua_rawgeti(L, idx, r) != LUA_TSTRING)
        luaL_error(L, "sys.align_rows: cell %d of a column is not a string", (int)r);
    s = lua_tolstring(L, -1, len);
    lua_pop(L, 1); /* the column's table keeps it alive */
    return s;
}

/// sys.align_rows(columns, widths, sep) -> lines
/// The rows of a table as lines: row r is each column's cells[r] padded
/// with spaces from its widths[r] to the column's width (widths[i]), the
/// columns joined by sep, the last column's cell unpadded. columns[i] is
/// {cells = string[], widths = integer[]} (the last one's widths unused);
/// the rows are the last column's. What a Lua loop of a thousand rows of
/// concatenations gives, without a string per cell.
static int l_align_rows(lua_State *L)
{
    int col[MAX_COLUMNS], wid[MAX_COLUMNS];
    lua_Integer width[MAX_COLUMNS];
    size_t seplen;
    const char *sep;
    lua_Integer n, rows;
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    sep = luaL_checklstring(L, 3, &seplen);
    n = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, n >= 1 && n <= MAX_COLUMNS, 1, "1 to 64 columns expected");
    luaL_checkstack(L, 2 * (int)n + 4, "too many columns");
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE)       /* ... column */
            return luaL_error(L, "sys.align_rows: column %d is not a table", (int)i);
        lua_getfield(L, -1, "cells");                 /* ... column cells */
        luaL_checktype(L, -1, LUA_TTABLE);
        col[i - 1] = lua_gettop(L);
        lua_getfield(L, -2, "widths");                /* ... column cells widths */
        wid[i - 1] = lua_gettop(L);
        if (i < n) {
            luaL_checktype(L, -1, LUA_TTABLE);
            lua_rawgeti(L, 2, i);
            width[i - 1] = luaL_checkinteger(L, -1);
            lua_pop(L, 1);
        }
    }
    rows = (lua_Integer)lua_rawlen(L, col[n - 1]);
    lua_createtable(L, (int)rows, 0);                 /* ... lines */
    for (lua_Integer r = 1; r <= rows; r++) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);                         /* ... lines buffer */
        for (lua_Integer i = 0; i < n; i++) {
            size_t len;
            const char *s = cell(L, col[i], r, &len);
            luaL_addlstring(&b, s, len);
            if (i == n - 1)
                break;
            lua_rawgeti(L, wid[i], r);
            lua_Integer pad = width[i] - luaL_checkinteger(L, -1);
            lua_pop(L, 1);
            for (; pad > 0; pad--)
                luaL_addchar(&b, ' ');
            luaL_addlstring(&b, sep, seplen);
        }
        luaL_pushresult(&b);                          /* ... lines line */
        lua_rawseti(L, -2, r);
    }
    return 1;
}

const luaL_Reg lsys_text_funcs[] = {
    { "width", l_width },
    { "cp_width", l_cp_width },
    { "align_rows", l_align_rows },
    { NULL, NULL },
};
