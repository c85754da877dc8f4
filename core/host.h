/*
 * host.h — wiring a Lua state for sesslua: the C modules in package.preload,
 * the built-in searcher appended to package.searchers (so a file on the
 * search path always wins over what is compiled in), and relative entries
 * (`./?.lua`) removed from package.path and package.cpath.
 */
#ifndef SESSLUA_HOST_H
#define SESSLUA_HOST_H

#include <lua.h>

/* Expects the standard libraries open. Raises on out-of-memory only. */
void sesslua_open_host(lua_State *L);

/* The C modules, each opened by require("sesslua.<name>"). */
int luaopen_sesslua_md(lua_State *L);
int luaopen_sesslua_fs(lua_State *L);
int luaopen_sesslua_sys(lua_State *L);
int luaopen_sesslua_search(lua_State *L);
int luaopen_sesslua_json_c(lua_State *L);
int luaopen_sesslua_stdio(lua_State *L);
int luaopen_sesslua_builtin(lua_State *L);

#endif
