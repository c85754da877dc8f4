/*
 * lsys.c — small system helpers for Lua: module "sesslua.sys".
 *
 * What Lua's os library lacks and the workflows need: terminal facts,
 * sub-second time, local-time arithmetic, host and process identity,
 * stdin. Misuse raises; failures of the world return
 * nil, "<what>: <reason>", "ECODE" (lsupport.h).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lsys_text.h"
#include "natsort.h"
#include "host.h"
#include "lsupport.h"
#include "controls.h"

#define DEFAULT_WIDTH 80

/// sys.isatty(fd) -> boolean   (fd is 0, 1 or 2)
static int l_isatty(lua_State *L)
{
    lua_Integer fd = luaL_checkinteger(L, 1);
    luaL_argcheck(L, fd >= 0 && fd <= 2, 1, "0, 1 or 2 expected");
    lua_pushboolean(L, isatty((int)fd));
    return 1;
}

/// sys.term_width() -> number   (the terminal on stdout, else $COLUMNS,
/// else 80)
static int l_term_width(lua_State *L)
{
    struct winsize ws;
    const char *cols = getenv("COLUMNS");
    lua_Integer width = DEFAULT_WIDTH;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        width = ws.ws_col;
    } else if (cols && *cols) {
        char *end;
        long v = strtol(cols, &end, 10);
        if (*end == '\0' && v > 0 && v < 100000)
            width = v;
    }
    lua_pushinteger(L, width);
    return 1;
}

/// sys.time() -> seconds since the epoch, with a fraction
static int l_time(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + ts.tv_nsec / 1e9);
    return 1;
}

/// sys.getenv(name) -> string | nil
static int l_getenv(lua_State *L)
{
    const char *v = getenv(luaL_checkstring(L, 1));
    if (v)
        lua_pushstring(L, v);
    else
        lua_pushnil(L);
    return 1;
}

/// sys.getpid() -> integer
static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

/// sys.hostname() -> string | nil, msg, code
static int l_hostname(lua_State *L)
{
    char buf[256];
    if (gethostname(buf, sizeof buf) != 0)
        return sesslua_fail(L, "hostname", errno);
    buf[sizeof buf - 1] = '\0'; /* POSIX leaves truncation unterminated */
    lua_pushstring(L, buf);
    return 1;
}

/// sys.cwd() -> string | nil, msg, code
static int l_cwd(lua_State *L)
{
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf))
        return sesslua_fail(L, "current folder", errno);
    lua_pushstring(L, buf);
    return 1;
}

/* Lua number -> time_t, refusing what time_t cannot hold. */
static time_t check_time(lua_State *L, int arg)
{
    lua_Number t = luaL_optnumber(L, arg, (lua_Number)time(NULL));
    luaL_argcheck(L, t > -1e15 && t < 1e15, arg, "time out of range");
    return (time_t)t;
}

/// sys.localtime_offset([t]) -> seconds east of UTC at time t (default now)
static int l_localtime_offset(lua_State *L)
{
    time_t t = check_time(L, 1);
    struct tm local;
    if (!localtime_r(&t, &local))
        return sesslua_fail(L, "localtime", errno ? errno : EOVERFLOW);
    /* Read the local broken-down time as if it were UTC: the difference is
     * the offset, DST included (portable, unlike tm_gmtoff). */
    lua_pushinteger(L, (lua_Integer)(timegm(&local) - t));
    return 1;
}

/* Parse exactly n digits at *p into *out; advance *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS" ('T' also
 * separates date and time). Returns 1 and fills tm when valid. */
static int parse_stamp(const char *s, struct tm *tm)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-'
        || !digits(&s, 2, &d))
        return 0;
    if (*s == ' ' || *s == 'T') {
        s++;
        if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
            return 0;
        if (*s == ':' && (s++, !digits(&s, 2, &sec)))
            return 0;
    }
    if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)
        || h > 23 || mi > 59 || sec > 59)
        return 0;
    memset(tm, 0, sizeof *tm);
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    tm->tm_hour = h;
    tm->tm_min = mi;
    tm->tm_sec = sec;
    tm->tm_isdst = -1; /* let mktime decide whether DST applies */
    return 1;
}

/// sys.parse_time("YYYY-MM-DD HH:MM:SS" [, utc]) -> epoch seconds
///   | nil, msg, "EINVAL"
/// Local time unless utc is true. Also accepts "YYYY-MM-DD" (midnight),
/// "YYYY-MM-DD HH:MM" and a 'T' between date and time.
static int l_parse_time(lua_State *L)
{
    const char *s = luaL_checkstring(L, 1);
    int utc = lua_toboolean(L, 2);
    struct tm tm;
    time_t t;
    if (!parse_stamp(s, &tm))
        return sesslua_fail_msg(L, s, "not a time (want YYYY-MM-DD HH:MM:SS)", EINVAL);
    /* -1 is also a valid time (one second before the epoch, in UTC): the
     * conversion sets tm_wday on success, so a sentinel there tells. */
    tm.tm_wday = -1;
    t = utc ? timegm(&tm) : mktime(&tm);
    if (t == (time_t)-1 && tm.tm_wday == -1)
        return sesslua_fail_msg(L, s, "time out of range", EINVAL);
    lua_pushinteger(L, (lua_Integer)t);
    return 1;
}

/// sys.sleep(seconds)
static int l_sleep(lua_State *L)
{
    lua_Number secs = luaL_checknumber(L, 1);
    luaL_argcheck(L, secs >= 0 && secs < 1e9, 1, "seconds out of range");
    struct timespec req, rem;
    req.tv_sec = (time_t)secs;
    req.tv_nsec = (long)((secs - (lua_Number)req.tv_sec) * 1e9);
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem; /* a signal cut the sleep short: sleep the rest */
    return 0;
}

/// sys.read_stdin() -> string | nil, msg, code   (all of stdin)
static int l_read_stdin(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b); /* a Lua-owned buffer: nothing leaks if we raise */
    for (;;) {
        char *p = luaL_prepbuffer(&b);
        ssize_t n = read(STDIN_FILENO, p, LUAL_BUFFERSIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            luaL_pushresult(&b); /* balance the buffer, then drop it */
            lua_pop(L, 1);
            return sesslua_fail(L, "stdin", e);
        }
        if (n == 0)
            break;
        luaL_addsize(&b, (size_t)n);
    }
    luaL_pushresult(&b);
    return 1;
}

/* Bytes a terminal would act on: C0 controls but tab and newline, and DEL. */
/// sys.escape_controls(s) -> string
/// s with everything a terminal would act on made visible: C0 control
/// bytes but tab and newline, and DEL, as \xNN (ESC is \x1b); C1 controls
/// and bidi controls as \u{XXXX} (CSI is \u{009B}, RIGHT-TO-LEFT OVERRIDE
/// \u{202E}); stray bytes 0x80-0x9F as \xNN. Other text, valid UTF-8 or
/// not, is kept; s itself when there is nothing to escape. In C because
/// search runs it on every hit.
static int l_escape_controls(lua_State *L)
{
    size_t len;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    unsigned cp;
    size_t i = 0, n;
    while (i < len && control_at(s, i, len, &cp) == 0)
        i++;
    if (i == len) {
        lua_settop(L, 1);
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, (const char *)s, i);
    while (i < len) {
        if ((n = control_at(s, i, len, &cp)) == 0) {
            luaL_addchar(&b, (char)s[i++]);
            continue;
        }
        char esc[16];
        int w = cp ? snprintf(esc, sizeof esc, "\\u{%04X}", cp)
                   : snprintf(esc, sizeof esc, "\\x%02x", s[i]);
        luaL_addlstring(&b, esc, (size_t)w);
        i += n;
    }
    luaL_pushresult(&b);
    return 1;
}

/* ---- Limits for a chunk that must not hang or exhaust the process ---- */

/* A config file runs on every command: a loop, a pattern that backtracks
 * for ever inside string.find, or a 500 MB string would hang or exhaust
 * them all. While sys.run_limited resumes its coroutine, the state's
 * allocator is swapped for one that counts (and refuses past the cap, or
 * once time is up), a count hook counts instructions and reads the clock,
 * and a SIGALRM timer marks the time up and sets a hook at once (lua_sethook
 * is safe in a signal handler) for code that is back in Lua. Code that
 * stays in C (a backtracking match allocates nothing and runs no hook) is
 * ended by the timer's second tick, a grace period later: the handler
 * writes the caller's one line and _exit()s, the only safe way out of a
 * signal handler (no longjmp). Nothing else costs anything outside the
 * window: the allocator is the state's own again. */

enum { HIT_NONE, HIT_INSTRUCTIONS, HIT_MEMORY, HIT_TIME };

#define LIMIT_HOOK_COUNT 1000
#define LIMIT_GRACE_US 250000

static struct {
    lua_Alloc alloc;            /* the state's own allocator and its data */
    void *ud;
    lua_State *co;              /* the coroutine being run */
    ptrdiff_t used, cap;        /* bytes allocated (net) in the window, cap */
    lua_Integer steps, budget;  /* instructions counted, allowed */
    struct timespec deadline;
    int hit;                    /* HIT_*: which limit stopped the chunk */
    volatile sig_atomic_t expired; /* set by the timer */
    char line[1024];            /* what the timer's second tick writes */
    size_t line_len;
} limit;

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    size_t old = ptr ? osize : 0; /* for a new block osize is its type */
    if (nsize > old && (limit.expired || limit.used + (ptrdiff_t)(nsize - old) > limit.cap)) {
        if (limit.hit == HIT_NONE)
            limit.hit = limit.expired ? HIT_TIME : HIT_MEMORY;
        return NULL; /* Lua raises "not enough memory" */
    }
    void *p = limit.alloc(limit.ud, ptr, osize, nsize);
    if (p != NULL || nsize == 0)
        limit.used += (ptrdiff_t)nsize - (ptrdiff_t)old;
    return p;
}

static int past_deadline(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > limit.deadline.tv_sec
           || (now.tv_sec == limit.deadline.tv_sec && now.tv_nsec >= limit.deadline.tv_nsec);
}

static void limit_hook(lua_State *L, lua_Debug *ar)
{
    if (ar->event == LUA_HOOKCOUNT)
        limit.steps += LIMIT_HOOK_COUNT;
    if (limit.hit == HIT_NONE) {
        if (limit.expired || past_deadline())
            limit.hit = HIT_TIME;
        else if (limit.steps >= limit.budget)
            limit.hit = HIT_INSTRUCTIONS;
    }
    if (limit.hit != HIT_NONE)
        luaL_error(L, "limit reached"); /* run_limited says which */
}

static void on_alarm(int sig)
{
    (void)sig;
    if (!limit.expired) {
        limit.expired = 1;
        lua_sethook(limit.co, limit_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
        return;
    }
    /* still inside C a grace period later: say so and end the process */
    ssize_t w = write(STDERR_FILENO, limit.line, limit.line_len);
    (void)w;
    _exit(2);
}

static lua_Integer opt_field(lua_State *L, int t, const char *k, lua_Integer dflt)
{
    lua_getfield(L, t, k);
    lua_Integer v = luaL_optinteger(L, -1, dflt);
    luaL_argcheck(L, v > 0, t, "limits must be > 0");
    lua_pop(L, 1);
    return v;
}

/// sys.run_limited(co, {instructions =, bytes =, milliseconds =}, exit_line)
///   -> ok, value_or_error, hit
/// Resume coroutine co (no arguments) as coroutine.resume does, within the
/// limits: ok and the first value it returned, or false and its error; hit
/// is nil, or "instructions", "memory" or "time" when a limit stopped it.
/// Code that stays in C past the time limit is ended with exit_line on
/// stderr and exit status 2. Not reentrant (one chunk at a time).
static int l_run_limited(lua_State *L)
{
    static const char *const hits[] = { NULL, "instructions", "memory", "time" };
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co != NULL, 1, "thread");
    luaL_checktype(L, 2, LUA_TTABLE);
    size_t n;
    const char *line = luaL_checklstring(L, 3, &n);
    luaL_argcheck(L, limit.co == NULL, 1, "already running a limited chunk");
    lua_Integer ms = opt_field(L, 2, "milliseconds", 2000);
    memset(&limit, 0, sizeof limit);
    limit.budget = opt_field(L, 2, "instructions", 10000000);
    limit.cap = (ptrdiff_t)opt_field(L, 2, "bytes", 64 << 20);
    limit.line_len = n < sizeof limit.line ? n : sizeof limit.line;
    memcpy(limit.line, line, limit.line_len);
    clock_gettime(CLOCK_MONOTONIC, &limit.deadline);
    limit.deadline.tv_sec += (time_t)(ms / 1000);
    limit.deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (limit.deadline.tv_nsec >= 1000000000L) {
        limit.deadline.tv_sec++;
        limit.deadline.tv_nsec -= 1000000000L;
    }
    limit.co = co;
    limit.alloc = lua_getallocf(L, &limit.ud);

    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old_sa);
    struct itimerval timer = { { 0, LIMIT_GRACE_US }, { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 } };
    struct itimerval off = { { 0, 0 }, { 0, 0 } }, old_timer;
    setitimer(ITIMER_REAL, &timer, &old_timer);
    lua_sethook(co, limit_hook, LUA_MASKCOUNT, LIMIT_HOOK_COUNT);
    lua_setallocf(L, limited_alloc, NULL);

    int nres = 0;
    int status = lua_resume(co, L, 0, &nres);

    lua_setallocf(L, limit.alloc, limit.ud);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old_sa, NULL);
    if (old_timer.it_value.tv_sec != 0 || old_timer.it_value.tv_usec != 0)
        setitimer(ITIMER_REAL, &old_timer, NULL); /* whoever had one keeps it */
    lua_sethook(co, NULL, 0, 0);
    int hit = limit.hit;
    if (hit == HIT_NONE && limit.expired)
        hit = HIT_TIME;
    limit.co = NULL;

    if (status == LUA_OK && nres > 0) {
        lua_settop(co, lua_gettop(co) - nres + 1); /* the first value only */
        lua_pushboolean(L, 1);
        lua_xmove(co, L, 1);
    } else if (status == LUA_OK || status == LUA_YIELD) {
        lua_pushboolean(L, status == LUA_OK);
        if (status == LUA_OK)
            lua_pushnil(L);
        else
            lua_pushliteral(L, "yielded");
    } else {
        lua_pushboolean(L, 0);
        lua_xmove(co, L, 1); /* the error */
    }
    if (hits[hit])
        lua_pushstring(L, hits[hit]);
    else
        lua_pushnil(L);
    return 3;
}

/* ---- sys.run: a command as a subprocess, without a shell ---------------- */

/* Read what is ready on fd into the table of chunks at stack index t;
 * returns 0 at end of file, 1 while open. */
static int drain(lua_State *L, int fd, int t)
{
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return 0;
    lua_pushlstring(L, buf, (size_t)n);
    lua_rawseti(L, t, (lua_Integer)lua_rawlen(L, t) + 1);
    return 1;
}

/* The child's side: stdin from /dev/null (a command must never wait on
 * the user's terminal), stdout and stderr into the pipes, then exec. Only
 * async-signal-safe calls between fork and exec. */
static void child(const char *const *argv, const char *cwd, int out, int err)
{
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0
        || dup2(err, STDERR_FILENO) < 0 || (cwd && chdir(cwd) != 0))
        _exit(127);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
}

/* Wait for pid; its exit status, or 128 + the signal that ended it. */
static int reap(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/// sys.run(argv [, opts]) -> status, stdout, stderr | nil, msg, code
/// argv: {"git", "status"}; opts.cwd: the folder it runs in.
static int l_run(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *cwd = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "cwd"); /* argv opts cwd? */
        cwd = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
        lua_pop(L, 1); /* the string stays alive in opts */
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, n >= 1 && n < 4096, 1, "argv must hold 1 to 4095 strings");
    const char **argv = lua_newuserdatauv(L, sizeof *argv * (size_t)(n + 1), 0); /* ... ud */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, 1, "argv must hold only strings");
        argv[i - 1] = lua_tostring(L, -1); /* kept alive by the argv table */
        lua_pop(L, 1);
    }
    argv[n] = NULL;
    lua_newtable(L); /* ... ud out_chunks */
    lua_newtable(L); /* ... ud out_chunks err_chunks */
    int t_out = lua_gettop(L) - 1, t_err = lua_gettop(L);
    int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
    if (pipe(po) != 0 || pipe(pe) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (po[i] >= 0) close(po[i]);
            if (pe[i] >= 0) close(pe[i]);
        }
        return sesslua_fail(L, argv[0], e);
    }
    for (int i = 0; i < 2; i++) { /* no other child inherits them */
        fcntl(po[i], F_SETFD, FD_CLOEXEC);
        fcntl(pe[i], F_SETFD, FD_CLOEXEC);
    }
    pid_t pid = fork();
    if (pid == 0)
        child(argv, cwd, po[1], pe[1]);
    int e = errno;
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        return sesslua_fail(L, argv[0], e);
    }
    struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 && fds[i].revents && !drain(L, fds[i].fd, i ? t_err : t_out)) {
                close(fds[i].fd);
                fds[i].fd = -1; /* poll skips negative fds */
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int status = reap(pid);
    if (status == 127 && lua_rawlen(L, t_out) == 0 && lua_rawlen(L, t_err) == 0)
        return sesslua_fail_msg(L, argv[0], "cannot run the command", ENOENT);
    lua_pushinteger(L, status); /* ... out err status */
    for (int t = t_out; t <= t_err; t++) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        lua_Integer k = (lua_Integer)lua_rawlen(L, t);
        for (lua_Integer i = 1; i <= k; i++) {
            lua_rawgeti(L, t, i);
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
    }
    return 3;
}

static const luaL_Reg sys_funcs[] = {
    { "run_limited", l_run_limited },
    { "escape_controls", l_escape_controls },
    { "natural_sort", sesslua_natural_sort },
    { "isatty", l_isatty },
    { "term_width", l_term_width },
    { "time", l_time },
    { "getenv", l_getenv },
    { "getpid", l_getpid },
    { "hostname", l_hostname },
    { "cwd", l_cwd },
    { "localtime_offset", l_localtime_offset },
    { "parse_time", l_parse_time },
    { "sleep", l_sleep },
    { "read_stdin", l_read_stdin },
    { "run", l_run },
    { NULL, NULL },
};

int luaopen_sesslua_sys(lua_State *L)
{
    luaL_newlib(L, sys_funcs);
    luaL_setfuncs(L, lsys_text_funcs, 0); /* width, cp_width, align_rows */
    return 1;
}
