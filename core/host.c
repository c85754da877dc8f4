/*
 * host.c — see host.h.
 */
#include <string.h>

#include <cmark.h>
#include <lauxlib.h>
#include <lualib.h>

#include "builtin.h"
#include "host.h"
#include "lsupport.h"

/* From Debian's lua-cjson-dev (static library); used for decoding JSON. */
extern int luaopen_cjson(lua_State *L);

static const sesslua_builtin *builtin_find(const char *name)
{
    for (const sesslua_builtin *b = sesslua_builtins; b->name != NULL; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

/*
 * Pushes the chunk of built-in b, loaded as "@builtin:<name>", or the error
 * message; returns the lua_load status. Lua entries load their bytecode
 * (mode "b"); should the running liblua refuse it (another 5.4 release with
 * a different format), the source is compiled instead, as other entries are.
 */
static int builtin_loadchunk(lua_State *L, const sesslua_builtin *b)
{
    lua_pushfstring(L, "@builtin:%s", b->name);      /* chunkname */
    const char *chunkname = lua_tostring(L, -1);
    int status = LUA_ERRSYNTAX;
    if (b->bytecode != NULL) {
        status = luaL_loadbufferx(L, b->bytecode, b->bytecode_size, chunkname, "b");
        if (status != LUA_OK)
            lua_pop(L, 1);                           /* chunkname */
    }
    if (status != LUA_OK)
        status = luaL_loadbufferx(L, b->data, b->size, chunkname, "t");
    lua_remove(L, -2);                               /* chunk|message */
    return status;
}

/* builtin.load(name) -> function | nil, message[, "ENOENT"] */
static int builtin_load(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const sesslua_builtin *b = builtin_find(name);
    if (b == NULL) {
        lua_pushfstring(L, "builtin:%s", name);
        return sesslua_fail_msg(L, lua_tostring(L, -1), "no such built-in", ENOENT);
    }
    if (builtin_loadchunk(L, b) == LUA_OK)
        return 1;                                    /* chunk */
    lua_pushnil(L);                                  /* message nil */
    lua_insert(L, -2);                               /* nil message */
    return 2;
}

/* builtin.get(name) -> string | nil; the file's bytes (source, for Lua) */
static int builtin_get(lua_State *L)
{
    const sesslua_builtin *b = builtin_find(luaL_checkstring(L, 1));
    if (b == NULL)
        return 0;
    lua_pushlstring(L, b->data, b->size);
    return 1;
}

/* builtin.names([prefix]) -> array of names starting with prefix, sorted */
static int builtin_names(lua_State *L)
{
    size_t plen = 0;
    const char *prefix = luaL_optlstring(L, 1, "", &plen);
    lua_newtable(L);                                 /* names */
    lua_Integer n = 0;
    for (const sesslua_builtin *b = sesslua_builtins; b->name != NULL; b++) {
        if (strncmp(b->name, prefix, plen) == 0) {
            lua_pushstring(L, b->name);
            lua_rawseti(L, -2, ++n);
        }
    }
    lua_getglobal(L, "table");                       /* names table */
    lua_getfield(L, -1, "sort");                     /* names table sort */
    lua_pushvalue(L, -3);                            /* names table sort names */
    lua_call(L, 1, 0);                               /* names table */
    lua_pop(L, 1);                                   /* names */
    return 1;
}

int luaopen_sesslua_builtin(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"get", builtin_get},
        {"load", builtin_load},
        {"names", builtin_names},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_pushliteral(L, SESSLUA_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, cmark_version_string());
    lua_setfield(L, -2, "cmark_version");
    lua_pushliteral(L, LUA_RELEASE);                 /* "Lua 5.4.4": from lua.h */
    lua_setfield(L, -2, "lua_release");
    return 1;
}

/* Searcher for built-in modules: "a.b" -> "lua/a/b.lua". */
static int builtin_searcher(lua_State *L)
{
    const char *modname = luaL_checkstring(L, 1);
    luaL_Buffer path;
    luaL_buffinit(L, &path);
    luaL_addstring(&path, "lua/");
    for (const char *p = modname; *p != '\0'; p++)
        luaL_addchar(&path, *p == '.' ? '/' : *p);
    luaL_addstring(&path, ".lua");
    luaL_pushresult(&path);                          /* mod path */
    const sesslua_builtin *b = builtin_find(lua_tostring(L, -1));
    if (b == NULL) {
        lua_pushfstring(L, "\n\tno built-in '%s'", lua_tostring(L, -1));
        return 1;
    }
    if (builtin_loadchunk(L, b) != LUA_OK)           /* mod path chunk */
        return lua_error(L);
    lua_pushfstring(L, "builtin:%s", lua_tostring(L, 2)); /* mod path chunk name */
    return 2;
}

/* Drop `./?...` entries from a package path string field. */
static void drop_relative_entries(lua_State *L, const char *field)
{
    lua_getfield(L, -1, field);                      /* package path */
    const char *s = lua_tostring(L, -1);
    luaL_Buffer out;
    luaL_buffinit(L, &out);
    int first = 1;
    while (s != NULL && *s != '\0') {
        const char *semi = strchr(s, ';');
        size_t len = semi ? (size_t)(semi - s) : strlen(s);
        if (len > 0 && !(len >= 2 && s[0] == '.' && s[1] == '/')) {
            if (!first)
                luaL_addchar(&out, ';');
            luaL_addlstring(&out, s, len);
            first = 0;
        }
        s = semi ? semi + 1 : NULL;
    }
    luaL_pushresult(&out);                           /* package path newpath */
    lua_setfield(L, -3, field);                      /* package path */
    lua_pop(L, 1);                                   /* package */
}

void sesslua_open_host(lua_State *L)
{
    static const luaL_Reg modules[] = {
        {"sesslua.md", luaopen_sesslua_md},
        {"sesslua.fs", luaopen_sesslua_fs},
        {"sesslua.sys", luaopen_sesslua_sys},
        {"sesslua.search", luaopen_sesslua_search},
        {"sesslua.json_c", luaopen_sesslua_json_c},
        {"sesslua.stdio", luaopen_sesslua_stdio},
        {"sesslua.builtin", luaopen_sesslua_builtin},
        {"cjson", luaopen_cjson},
        {NULL, NULL},
    };
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE); /* preload */
    for (const luaL_Reg *m = modules; m->name != NULL; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 1);
    lua_getglobal(L, "package");                     /* package */
    drop_relative_entries(L, "path");
    lua_getglobal(L, "package");
    drop_relative_entries(L, "cpath");
    lua_getglobal(L, "package");                     /* package */
    lua_getfield(L, -1, "searchers");                /* package searchers */
    lua_pushcfunction(L, builtin_searcher);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 2);
}
