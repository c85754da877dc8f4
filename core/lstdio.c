/*
 * lstdio.c — the process's standard streams for a protocol server: module
 * "sesslua.stdio".
 *
 * `sesslua mcp` speaks JSON-RPC on stdin and stdout and runs workflows in
 * the same process. Nothing a workflow writes to stdout (io.write, print,
 * C code writing to the C stdout) may reach the client, and nothing but
 * the server may read the client's requests. So the server takes both
 * streams once:
 *
 *   stdio.take() -> input, output | nil, msg, code
 *       input is a line reader and output a Lua file handle on the original
 *       fds 0 and 1 (close-on-exec, so no child process inherits the
 *       protocol); fd 0
 *       is then /dev/null and fd 1 an anonymous temporary file, and a
 *       write to a client that has gone fails with EPIPE instead of
 *       killing the process (SIGPIPE caught and dropped).
 *   stdio.collect() -> string
 *       what was written to fd 1 since the last collect (C stdout flushed
 *       first); the file is emptied.
 *   stdio.read_line(input, max [, wait]) -> line | nil [, n] | false, n
 *       one line without its "\n"; nil at end of input (with n, the bytes
 *       of an unfinished last line, which is dropped); false and the
 *       line's length when it is longer than max bytes (the line is read
 *       to its end and dropped, so the next call starts on the next line).
 *       With wait (milliseconds), nil, msg, "ETIMEDOUT" when no byte of a
 *       new line arrives in that time (a line once begun is read whole).
 *       The reader has its own buffer, so "nothing is waiting" is known
 *       exactly (a FILE's buffer cannot be asked).
 *
 * Misuse raises; failures of the world return nil, msg, code (lsupport.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "host.h"
#include "lsupport.h"

static int stream_close(lua_State *L)
{
    luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
    int ok = fclose(p->f) == 0;
    return luaL_fileresult(L, ok, NULL);
}

/* A new, closed Lua file handle (made before the fd it will own, so a
 * memory error raised here leaks nothing). */
static luaL_Stream *new_stream(lua_State *L)
{
    luaL_Stream *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->f = NULL;
    p->closef = NULL; /* "closed" until it holds a FILE */
    luaL_setmetatable(L, LUA_FILEHANDLE);
    return p;
}

#define READER "sesslua.stdio.reader"

/* The protocol's input: the fd and the bytes read but not yet returned. */
typedef struct {
    int fd; /* -1 once closed */
    size_t at, len;
    char buf[16384];
} reader;

static int reader_close(lua_State *L)
{
    reader *r = luaL_checkudata(L, 1, READER);
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    return 0;
}

/* Hand fd to the handle p as a FILE opened with mode; -1 on failure. */
static int adopt(luaL_Stream *p, int fd, const char *mode)
{
    p->f = fdopen(fd, mode);
    if (p->f == NULL)
        return -1;
    p->closef = stream_close;
    return 0;
}

/* SIGPIPE's handler while serving: nothing, so a write to a client that has
 * gone fails with EPIPE. Not SIG_IGN, which every child process (git, run
 * by sync) would inherit through exec; a handler is reset there. */
static void on_sigpipe(int sig)
{
    (void)sig;
}

static int l_take(lua_State *L)
{
    reader *in = lua_newuserdatauv(L, sizeof *in, 0); /* in */
    in->fd = -1;
    in->at = in->len = 0;
    if (luaL_newmetatable(L, READER)) {              /* in mt */
        lua_pushcfunction(L, reader_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, reader_close);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);                         /* in */
    luaL_Stream *out = new_stream(L);                /* in out */
    int e = 0, fin = -1, fout = -1, null = -1, tmp = -1;
    FILE *t = NULL;
    fflush(stdout);
    fin = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
    fout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    t = tmpfile();
    if (fin < 0 || fout < 0 || null < 0 || t == NULL)
        goto fail;
    tmp = fileno(t);
    if (dup2(null, STDIN_FILENO) < 0 || dup2(tmp, STDOUT_FILENO) < 0)
        goto fail;
    clearerr(stdin);
    in->fd = fin;
    fin = -1;
    if (adopt(out, fout, "w") != 0)
        goto fail;
    fout = -1;
    fclose(t); /* fd 1 keeps the file */
    close(null);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGPIPE, &sa, NULL);
    return 2;
fail:
    e = errno;
    if (fin >= 0)
        close(fin);
    if (fout >= 0)
        close(fout);
    if (null >= 0)
        close(null);
    if (t != NULL)
        fclose(t);
    return sesslua_fail(L, "standard streams", e);
}

static int l_collect(lua_State *L)
{
    fflush(stdout);
    off_t end = lseek(STDOUT_FILENO, 0, SEEK_END);
    if (end < 0)
        return sesslua_fail(L, "standard output", errno);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    off_t at = 0;
    while (at < end) {
        size_t want = (size_t)(end - at) < LUAL_BUFFERSIZE ? (size_t)(end - at) : LUAL_BUFFERSIZE;
        ssize_t n = pread(STDOUT_FILENO, luaL_prepbuffer(&b), want, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        luaL_addsize(&b, (size_t)n);
        at += n;
    }
    luaL_pushresult(&b);                             /* text */
    if (ftruncate(STDOUT_FILENO, 0) != 0 || lseek(STDOUT_FILENO, 0, SEEK_SET) < 0)
        return sesslua_fail(L, "standard output", errno);
    return 1;
}

/* Wait up to ms for input; 0 when none came. */
static int readable(int fd, lua_Integer ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int k;
    do
        k = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
    while (k < 0 && errno == EINTR);
    return k != 0;
}

/* Refill r's buffer: bytes read, 0 at end of input, -1 on error. */
static ssize_t refill(reader *r)
{
    ssize_t n;
    do
        n = read(r->fd, r->buf, sizeof r->buf);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        r->at = 0;
        r->len = (size_t)n;
    }
    return n;
}

static int l_read_line(lua_State *L)
{
    reader *r = luaL_checkudata(L, 1, READER);
    lua_Integer max = luaL_checkinteger(L, 2);
    lua_Integer wait = luaL_optinteger(L, 3, -1);
    luaL_argcheck(L, r->fd >= 0, 1, "closed reader");
    luaL_argcheck(L, max >= 0, 2, "negative length");
    if (r->at == r->len && wait >= 0 && !readable(r->fd, wait))
        return sesslua_fail_msg(L, "standard input", "no message yet", ETIMEDOUT);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_Integer n = 0;
    ssize_t got = 1; /* > 0 while reading, 0 at end of input, < 0 on error */
    int e = 0;
    for (;;) {
        if (r->at == r->len && (got = refill(r)) <= 0) {
            e = errno;
            break;
        }
        const char *p = r->buf + r->at;
        const char *nl = memchr(p, '\n', r->len - r->at);
        size_t take = nl ? (size_t)(nl - p) : r->len - r->at;
        if (n < max) /* keep at most max bytes; the rest is only counted */
            luaL_addlstring(&b, p, (lua_Integer)take < max - n ? take : (size_t)(max - n));
        n += (lua_Integer)take;
        r->at += take + (nl != NULL);
        if (nl)
            break;
    }
    luaL_pushresult(&b);                             /* line */
    if (got < 0) {
        lua_pop(L, 1);
        return sesslua_fail(L, "standard input", e);
    }
    if (got == 0) {
        lua_pop(L, 1);
        lua_pushnil(L);
        if (n == 0)
            return 1;
        lua_pushinteger(L, n);
        return 2;
    }
    if (n > max) {
        lua_pop(L, 1);
        lua_pushboolean(L, 0);
        lua_pushinteger(L, n);
        return 2;
    }
    return 1;
}

static const luaL_Reg stdio_funcs[] = {
    { "take", l_take },
    { "collect", l_collect },
    { "read_line", l_read_line },
    { NULL, NULL },
};

int luaopen_sesslua_stdio(lua_State *L)
{
    luaL_newlib(L, stdio_funcs);
    return 1;
}
