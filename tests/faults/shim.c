/*
 * shim.c — an LD_PRELOAD library that makes one system call fail, for
 * tests/e2e/test_faults.sh.
 *
 * It stands in front of libc for the calls a write makes: open (open,
 * open64, openat, openat64), write, fsync, close, rename (rename, renameat),
 * renameat2 (the function, and syscall(SYS_renameat2, ...) as core/fs.c
 * calls it; syscall(SYS_openat2, ...), as core/fs_path.c opens a path
 * beneath the root, counts as an open; O_PATH opens, lookups like stat(),
 * and their closes are not counted), link (link, linkat), unlink (unlink, unlinkat), mkdir (mkdir,
 * mkdirat) and fchmod. Each name keeps a count of the calls made through
 * it; the calls libc makes inside itself (fopen, stdio's writes) do not
 * pass here and are not counted. An fsync of a folder counts once more,
 * as "fsyncdir" (so a test can fail "the first folder sync").
 *
 * Environment:
 *   SESSLUA_FAULT=NAME:N:WHAT   the Nth call of NAME (counted from 1) does
 *                               not happen and fails with errno WHAT
 *                               (ENOSPC, EIO, EFBIG, EACCES, EROFS, EDQUOT,
 *                               ENOMEM or a number); a close still closes
 *                               the descriptor (as Linux does when close
 *                               reports an error). WHAT may also be a
 *                               signal (SIGTERM, SIGINT, SIGHUP, SIGKILL):
 *                               raised at that call, before it is made.
 *   SESSLUA_FAULT_COUNT=FILE    at exit, append "NAME COUNT" for every name
 *                               called at least once (to plan a run).
 *   SESSLUA_FAULT_TRACE=FILE    append "NAME N ARG" for every call (ARG is
 *                               the path, or the descriptor), to see what
 *                               each site is.
 *   SESSLUA_FAULT_NO_OPENAT2=1  openat2 fails with ENOSYS, as on a kernel
 *                               before 5.6: core/fs_path.c walks by hand.
 *
 * Test code only: not linked into sesslua, built as a MODULE by
 * tests/CMakeLists.txt, never instrumented by the sanitizers (it runs in
 * front of them).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_OPEN, C_WRITE, C_FSYNC, C_CLOSE, C_RENAME, C_RENAMEAT2, C_LINK, C_UNLINK,
       C_MKDIR, C_FCHMOD, C_FSYNCDIR, C_COUNT };
static const char *const names[C_COUNT] = {
    "open", "write", "fsync", "close", "rename", "renameat2", "link", "unlink",
    "mkdir", "fchmod", "fsyncdir",
};

static long counts[C_COUNT];
static int fault_call = -1; /* which name fails, or -1 */
static long fault_n;        /* at which call */
static int fault_errno;     /* with which errno, or 0 */
static int fault_signal;    /* or which signal is raised */
static int parsed;
static int trace_fd = -1;

static const struct { const char *name; int value; } errnos[] = {
    { "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EFBIG", EFBIG }, { "EACCES", EACCES },
    { "EROFS", EROFS },   { "EDQUOT", EDQUOT }, { "ENOMEM", ENOMEM }, { "EPERM", EPERM },
};
static const struct { const char *name; int value; } signals[] = {
    { "SIGTERM", SIGTERM }, { "SIGINT", SIGINT }, { "SIGHUP", SIGHUP }, { "SIGKILL", SIGKILL },
};

/* The next definition of a libc function (dlsym aborts nothing: a missing
 * one is a broken test setup, reported once and fatal). */
static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        static const char msg[] = "fault shim: a libc function is missing\n";
        ssize_t ignored = syscall(SYS_write, 2, msg, sizeof msg - 1);
        (void)ignored;
        _exit(99);
    }
    return f;
}

static void parse_config(void)
{
    const char *spec = getenv("SESSLUA_FAULT");
    const char *trace = getenv("SESSLUA_FAULT_TRACE");
    parsed = 1;
    if (trace && *trace)
        trace_fd = (int)syscall(SYS_openat, AT_FDCWD, trace,
                                O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (!spec || !*spec)
        return;
    char name[32], what[32];
    long n;
    if (sscanf(spec, "%31[^:]:%ld:%31s", name, &n, what) != 3 || n < 1)
        return;
    for (int i = 0; i < C_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            fault_call = i;
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
        if (strcmp(errnos[i].name, what) == 0)
            fault_errno = errnos[i].value;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (strcmp(signals[i].name, what) == 0)
            fault_signal = signals[i].value;
    if (!fault_errno && !fault_signal)
        fault_errno = atoi(what);
    fault_n = n;
}

/* Count a call of `which`; 1 when this one is to fail (errno is set). */
static int hit(int which, const char *path, long fd)
{
    if (!parsed)
        parse_config();
    long n = ++counts[which];
    if (trace_fd >= 0) {
        char line[512];
        int len = path ? snprintf(line, sizeof line, "%s %ld %s\n", names[which], n, path)
                       : snprintf(line, sizeof line, "%s %ld fd=%ld\n", names[which], n, fd);
        if (len > 0 && (size_t)len < sizeof line)
            (void)!syscall(SYS_write, trace_fd, line, (size_t)len);
    }
    if (which != fault_call || n != fault_n)
        return 0;
    if (fault_signal) {
        raise(fault_signal);
        return 0;
    }
    errno = fault_errno;
    return 1;
}

__attribute__((destructor)) static void write_counts(void)
{
    const char *file = getenv("SESSLUA_FAULT_COUNT");
    if (!file || !*file)
        return;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char buf[512];
    size_t len = 0;
    for (int i = 0; i < C_COUNT; i++)
        if (counts[i] > 0)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %ld\n", names[i], counts[i]);
    (void)!syscall(SYS_write, fd, buf, len);
    syscall(SYS_close, fd);
}

/* ---- the stand-ins ------------------------------------------------------ */

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_LIKE(fname)                                                      \
    int fname(const char *path, int flags, ...)                               \
    {                                                                         \
        static int (*real)(const char *, int, ...);                           \
        va_list ap;                                                           \
        va_start(ap, flags);                                                  \
        mode_t mode = mode_arg(flags, ap);                                    \
        va_end(ap);                                                           \
        if (!real)                                                            \
            real = next(#fname);                                              \
        if (!(flags & O_PATH) && hit(C_OPEN, path, 0))                        \
            return -1;                                                        \
        return real(path, flags, mode);                                       \
    }
OPEN_LIKE(open)
OPEN_LIKE(open64)

#define OPENAT_LIKE(fname)                                                    \
    int fname(int dirfd, const char *path, int flags, ...)                    \
    {                                                                         \
        static int (*real)(int, const char *, int, ...);                      \
        va_list ap;                                                           \
        va_start(ap, flags);                                                  \
        mode_t mode = mode_arg(flags, ap);                                    \
        va_end(ap);                                                           \
        if (!real)                                                            \
            real = next(#fname);                                              \
        if (!(flags & O_PATH) && hit(C_OPEN, path, 0))                        \
            return -1;                                                        \
        return real(dirfd, path, flags, mode);                                \
    }
OPENAT_LIKE(openat)
OPENAT_LIKE(openat64)

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = next("write");
    if (hit(C_WRITE, NULL, fd))
        return -1;
    return real(fd, buf, n);
}

int fsync(int fd)
{
    static int (*real)(int);
    struct stat st;
    if (!real)
        real = next("fsync");
    if (hit(C_FSYNC, NULL, fd))
        return -1;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && hit(C_FSYNCDIR, NULL, fd))
        return -1;
    return real(fd);
}

/* Opens with O_PATH (and their closes) are lookups, as lstat() is: they
 * read no data and cannot fill a disk, and core/fs_path.c makes several per
 * path it resolves beneath the root. Like stat(), they are not counted or
 * failed, so the sites a run has are those that move data. */
static int is_path_fd(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_PATH);
}

int close(int fd)
{
    static int (*real)(int);
    if (!real)
        real = next("close");
    if (is_path_fd(fd)) /* a lookup's descriptor: see is_path_fd */
        return real(fd);
    if (hit(C_CLOSE, NULL, fd)) {
        int e = errno;
        real(fd); /* Linux frees the descriptor whatever close reports */
        errno = e;
        return -1;
    }
    return real(fd);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real)
        real = next("rename");
    if (hit(C_RENAME, to, 0))
        return -1;
    return real(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
    static int (*real)(int, const char *, int, const char *);
    if (!real)
        real = next("renameat");
    if (hit(C_RENAME, to, 0))
        return -1;
    return real(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags)
{
    static int (*real)(int, const char *, int, const char *, unsigned);
    if (!real)
        real = next("renameat2");
    if (hit(C_RENAMEAT2, to, 0))
        return -1;
    return real(fromfd, from, tofd, to, flags);
}

/* core/fs.c reaches renameat2 through syscall(); every other syscall()
 * passes through untouched (six arguments is the most any takes). */
long syscall(long nr, ...)
{
    static long (*real)(long, ...);
    va_list ap;
    long a[6];
    va_start(ap, nr);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (!real)
        real = next("syscall");
#ifdef SYS_renameat2
    if (nr == SYS_renameat2 && hit(C_RENAMEAT2, (const char *)a[3], 0))
        return -1;
#endif
#ifdef SYS_openat2
    if (nr == SYS_openat2) {
        const char *off = getenv("SESSLUA_FAULT_NO_OPENAT2");
        if (off && *off == '1') {
            errno = ENOSYS;
            return -1;
        }
        const uint64_t *how = (const uint64_t *)a[2]; /* struct open_how: flags first */
        if (!(how[0] & O_PATH) && hit(C_OPEN, (const char *)a[1], 0))
            return -1;
    }
#endif
    return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int link(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real)
        real = next("link");
    if (hit(C_LINK, to, 0))
        return -1;
    return real(from, to);
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
    static int (*real)(int, const char *, int, const char *, int);
    if (!real)
        real = next("linkat");
    if (hit(C_LINK, to, 0))
        return -1;
    return real(fromfd, from, tofd, to, flags);
}

int unlink(const char *path)
{
    static int (*real)(const char *);
    if (!real)
        real = next("unlink");
    if (hit(C_UNLINK, path, 0))
        return -1;
    return real(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
    static int (*real)(int, const char *, int);
    if (!real)
        real = next("unlinkat");
    if (hit(C_UNLINK, path, 0))
        return -1;
    return real(dirfd, path, flags);
}

int mkdir(const char *path, mode_t mode)
{
    static int (*real)(const char *, mode_t);
    if (!real)
        real = next("mkdir");
    if (hit(C_MKDIR, path, 0))
        return -1;
    return real(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
    static int (*real)(int, const char *, mode_t);
    if (!real)
        real = next("mkdirat");
    if (hit(C_MKDIR, path, 0))
        return -1;
    return real(dirfd, path, mode);
}

int fchmod(int fd, mode_t mode)
{
    static int (*real)(int, mode_t);
    if (!real)
        real = next("fchmod");
    if (hit(C_FCHMOD, NULL, fd))
        return -1;
    return real(fd, mode);
}
