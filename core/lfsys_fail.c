/*
 * lfsys_fail.c — for the Lua bindings (lfsys.c, and any that reads files of
 * the tree): the root they resolve paths beneath, and failures worded for
 * people (see lfsys.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "fs.h"
#include "fs_internal.h"
#include "lfsys.h"
#include "lsupport.h"


/* Every path under the root of the tree is resolved beneath it (fs.h):
 * the root is the running workflow's, package.loaded["sesslua.context"]
 * .root (runner.lua), looked up at each call so that no caller has to
 * pass it and a context set later (tests) is seen. No context: no root. */
void sesslua_fs_sync_root(lua_State *L)
{
    int top = lua_gettop(L);
    const char *root = NULL;
    if (lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE) == LUA_TTABLE     /* loaded */
        && lua_getfield(L, -1, "sesslua.context") == LUA_TTABLE                 /* loaded ctx */
        && lua_getfield(L, -1, "root") == LUA_TSTRING)                          /* loaded ctx root */
        root = lua_tostring(L, -1);
    fs_set_root(root); /* copies it; ENOMEM leaves the old one */
    lua_settop(L, top);
}

/* lstat(path), by name in its folder resolved beneath the root. A path
 * ending in "." or ".." names a folder: opened whole (a root that is a
 * file is -ENOTDIR there). 0 or -errno. */
int sesslua_fs_lstat(const char *path, struct stat *st)
{
    const char *base;
    int rc = 0, dfd = fsp_dir(path, &base);
    if (dfd == -EINVAL) {
        int fd = fsp_open(path, O_PATH, 0);
        if (fd < 0)
            return fd;
        rc = fstat(fd, st) == 0 ? 0 : -errno;
        close(fd);
        return rc;
    }
    if (dfd < 0)
        return dfd;
    if (fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW) != 0)
        rc = -errno;
    close(dfd);
    return rc;
}

/* The first folder on path's way that is something else (a file where a
 * folder belongs): its length in path, or 0 when none is found. */
static size_t first_non_folder(const char *path)
{
    size_t n = strlen(path);
    char *buf = malloc(n + 1);
    size_t found = 0;
    if (!buf)
        return 0;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n && !found; i++) {
        struct stat st;
        if ((buf[i] != '/' && buf[i] != '\0') || buf[i - 1] == '/')
            continue;
        buf[i] = '\0';
        int fd = fsp_open(buf, O_PATH, 0);
        if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
            found = i;
        if (fd >= 0)
            close(fd);
        buf[i] = path[i];
    }
    free(buf);
    return found;
}

/* What a write met where its file belongs, when it is refused. */
static const char *not_regular_word(const char *path, int writing)
{
    struct stat st;
    if (sesslua_fs_lstat(path, &st) != 0)
        return NULL;
    if (S_ISLNK(st.st_mode))
        return writing ? "a symbolic link; sesslua never writes through a link (put the file "
                         "itself there)" : NULL;
    if (S_ISFIFO(st.st_mode))
        return "a FIFO, not a regular file; refused";
    if (S_ISSOCK(st.st_mode))
        return "a socket, not a regular file; refused";
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        return "a device, not a regular file; refused";
    return NULL;
}

/* nil, message, code for a failure of path, worded for what went wrong
 * where strerror would not say it: a link out of the root (and where it
 * leads), a file where a folder belongs, a FIFO or a link where a file
 * belongs (writing: a write refuses a link). Pushes nil, msg, code. */
int sesslua_fs_fail(lua_State *L, const char *path, int rc, int writing)
{
    int e = rc < 0 ? -rc : rc;
    if (e == EXDEV) {
        fs_escape esc; /* on the stack: lua_pushfstring may raise */
        int why = fs_explain_escape(path, &esc);
        if (why == 1 && esc.link[0] && strcmp(esc.link, path) == 0)
            lua_pushfstring(L, "a symlink out of the root (to %s); refused",
                            esc.target);
        else if (why == 1 && esc.link[0])
            lua_pushfstring(L, "%s is a symlink out of the root (to %s); refused", esc.link, esc.target);
        else
            lua_pushliteral(L, "leads out of the root; refused");
        return sesslua_fail_msg(L, path, lua_tostring(L, -1), e);
    }
    if (e == ENOTDIR) {
        size_t at = first_non_folder(path);
        if (at > 0 && path[at] == '\0')
            return sesslua_fail_msg(L, path, "a file where a folder belongs; remove or rename it", e);
        if (at > 0) {
            lua_pushlstring(L, path, at);
            lua_pushfstring(L, "%s is a file where a folder belongs; remove or rename it",
                            lua_tostring(L, -1));
            return sesslua_fail_msg(L, path, lua_tostring(L, -1), e);
        }
    }
    if (e == ELOOP || e == EINVAL) {
        const char *word = not_regular_word(path, writing);
        if (word)
            return sesslua_fail_msg(L, path, word, e);
    }
    return sesslua_fail(L, path, e);
}
