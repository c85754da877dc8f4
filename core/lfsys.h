/*
 * lfsys.h — what the Lua bindings share about files of the tree
 * (core/lfsys_fail.c). A binding that opens files itself (search) calls
 * sesslua_fs_sync_root first, then fs_open (fs.h), so its paths are
 * resolved beneath the same root as sesslua.fs's.
 */
#ifndef SESSLUA_LFSYS_H
#define SESSLUA_LFSYS_H

#include <sys/stat.h>

#include <lua.h>

/* Set fs.h's root to the running workflow's (package.loaded
 * ["sesslua.context"].root; none when there is no context). Never raises. */
void sesslua_fs_sync_root(lua_State *L);

/* lstat(path), resolved beneath the root as fs.h resolves. 0 or -errno. */
int sesslua_fs_lstat(const char *path, struct stat *st);

/* Push nil, "<path>: <why>", "<ECODE>" for rc (-errno) and return 3, worded
 * where strerror would not say it: a link out of the root and where it
 * leads (EXDEV), a file where a folder belongs (ENOTDIR), a FIFO, socket
 * or device where a file belongs (EINVAL), and, when writing, a link where
 * a file belongs (ELOOP). May raise only on memory exhaustion. */
int sesslua_fs_fail(lua_State *L, const char *path, int rc, int writing);

/* lfsys.c: make the metatable name of a userdata that owns a C resource
 * (gc serves __gc and __close; the metatable is private). */
void sesslua_fs_owner_mt(lua_State *L, const char *name, lua_CFunction gc);

/* lfsys_list.c: fs.list and fs.list_portable, and the metatable of the
 * listings they own (called once by luaopen_sesslua_fs). */
int sesslua_fs_list(lua_State *L);
int sesslua_fs_list_portable(lua_State *L);
void sesslua_fs_list_open(lua_State *L);

#endif
