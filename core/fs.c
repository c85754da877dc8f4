/*
 * fs.c — atomic writes, advisory locks and safe moves (see fs.h).
 *
 * Built with _POSIX_C_SOURCE=200809L + _DEFAULT_SOURCE only (no
 * _GNU_SOURCE), so Linux-only calls (renameat2) go through syscall().
 * Every function returns 0 or -errno and leaves errno set to the same
 * error (writes: a positive errno once the commit point has passed);
 * nothing prints.
 */
#include "fs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0) /* linux/fs.h; not pulled in on purpose */
#endif

/* Temp names that collide (same pid, same random) are retried this often. */
#define TEMP_ATTEMPTS 100
/* Lock backoff bounds, in milliseconds. */
#define BACKOFF_MIN_MS 1
#define BACKOFF_MAX_MS 50
/* A leftover of a live process is removed once it is this old (seconds):
 * pids are reused, and a writer never takes this long. */
#define LEFTOVER_MAX_AGE 3600

/* Record e in errno and return it negated: the one exit for failures. */
static int fail(int e)
{
    if (e <= 0) /* never report success by mistake (errno was not set) */
        e = EIO;
    errno = e;
    return -e;
}

/* ---- small helpers --------------------------------------------------- */

/* A cheap PRNG for temp names and backoff jitter; reseeded after fork()
 * (the pid changes) so children do not all sleep in lockstep. Not for
 * secrets: O_EXCL, not unpredictability, is what makes temp files safe. */
static uint64_t rand_next(void)
{
    static uint64_t state;
    static pid_t seeded_for;
    pid_t pid = getpid();
    if (state == 0 || seeded_for != pid) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec
                ^ ((uint64_t)pid << 16) ^ (uint64_t)(uintptr_t)&ts;
        if (state == 0)
            state = 0x9e3779b97f4a7c15u;
        seeded_for = pid;
    }
    state ^= state >> 12; /* xorshift64* */
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1du;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec req = { ms / 1000, (long)(ms % 1000) * 1000000L };
    struct timespec rem;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}

/* open() that survives signals (EINTR is possible on slow filesystems). */
static int open_retry(const char *path, int flags, mode_t mode)
{
    int fd;
    do {
        fd = open(path, flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/* Write all of buf: write() may be short (signals, quotas, pipes). */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0) /* should not happen for files; do not spin */
            return fail(EIO);
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* malloc'd copy of the folder part of path ("." when there is none). */
static char *dir_of(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') /* "a/b/" names b */
        n--;
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0)
        return strdup(".");
    while (n > 1 && path[n - 1] == '/') /* "a//b" -> "a" */
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* Pointer to the last component of path (trailing slashes not handled:
 * callers pass file paths). */
static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* malloc'd "<dir>/<name>", or NULL. */
static char *join_path(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

/* ---- clean-up on exit and on signals (git's tempfile.c) --------------- */

/* Live temp files and held lock files, so that exit() and a deadly signal
 * remove them. The signal handler reads the slots while the program may be
 * changing one: every field is volatile, a slot's path and owner are set
 * before its kind and its kind cleared before its path is freed, and the
 * handler only calls unlink() (async-signal-safe). Slots of a parent
 * process (after fork) are never acted on: `owner` says whose they are. */
enum { SLOT_FREE, SLOT_TEMP, SLOT_LOCK, SLOT_STALE_LOCK };
#define CLEANUP_SLOTS 32
static struct cleanup_slot {
    volatile sig_atomic_t kind;
    volatile pid_t owner;
    char *volatile path; /* owned */
} slots[CLEANUP_SLOTS];

static const int deadly_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
#define NSIGNALS (sizeof deadly_signals / sizeof deadly_signals[0])
static struct sigaction previous[NSIGNALS];
static int installed_for; /* pid that installed the handlers (0: none) */

static int remove_unheld(const char *path, int need_empty);

/* Remove what this process registered. In a signal handler only temp and
 * held lock files (unlink alone); at exit also stale locks, which need
 * the locking protocol (a lock file no longer held may be someone's now). */
static void cleanup_run(int in_signal)
{
    pid_t me = getpid();
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        int kind = slots[i].kind;
        if (kind == SLOT_FREE || slots[i].owner != me)
            continue;
        if (kind == SLOT_TEMP || kind == SLOT_LOCK)
            unlink(slots[i].path);
        else if (!in_signal)
            remove_unheld(slots[i].path, 0);
        if (!in_signal) {
            slots[i].kind = SLOT_FREE;
            free(slots[i].path);
            slots[i].path = NULL;
        }
    }
}

static void on_deadly_signal(int sig)
{
    int saved = errno;
    cleanup_run(1);
    /* Back to what was there (the default action, normally), then raise
     * again: it is delivered when this handler returns, so the process ends
     * as the signal says (its exit status shows it). */
    for (size_t i = 0; i < NSIGNALS; i++)
        if (deadly_signals[i] == sig)
            sigaction(sig, &previous[i], NULL);
    raise(sig);
    errno = saved;
}

static void on_exit_cleanup(void)
{
    cleanup_run(0);
}

/* Install the handlers once per process, on the first registration (as git
 * does): a signal the process ignores (nohup's SIGHUP) stays ignored. */
static void cleanup_install(void)
{
    static int atexit_done;
    pid_t me = getpid();
    if (installed_for == me)
        return;
    installed_for = me;
    if (!atexit_done)
        atexit_done = atexit(on_exit_cleanup) == 0;
    for (size_t i = 0; i < NSIGNALS; i++) {
        struct sigaction sa, now;
        if (sigaction(deadly_signals[i], NULL, &now) != 0)
            continue;
        /* ignored stays ignored; ours, inherited through fork, keeps the
         * disposition saved before it */
        if (!(now.sa_flags & SA_SIGINFO)
            && (now.sa_handler == SIG_IGN || now.sa_handler == on_deadly_signal))
            continue;
        previous[i] = now;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_deadly_signal;
        sigfillset(&sa.sa_mask); /* one clean-up at a time */
        sa.sa_flags = SA_RESTART;
        sigaction(deadly_signals[i], &sa, NULL);
    }
}

/* Register path; returns the slot, or -1 when none is free (the file is
 * then left to the next sweep) or memory is short. */
static int cleanup_add(int kind, const char *path)
{
    pid_t me = getpid();
    cleanup_install();
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        if (slots[i].kind != SLOT_FREE && slots[i].owner == me)
            continue;
        char *copy = strdup(path);
        if (!copy)
            return -1;
        slots[i].kind = SLOT_FREE; /* a parent's slot: this copy is ours */
        free(slots[i].path);
        slots[i].path = copy;
        slots[i].owner = me;
        slots[i].kind = kind;
        return i;
    }
    return -1;
}

static void cleanup_drop(int slot)
{
    if (slot < 0)
        return;
    slots[slot].kind = SLOT_FREE;
    free(slots[slot].path);
    slots[slot].path = NULL;
}

static int cleanup_find(int kind, const char *path)
{
    pid_t me = getpid();
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (slots[i].kind == kind && slots[i].owner == me && strcmp(slots[i].path, path) == 0)
            return i;
    return -1;
}

/* ---- leftovers of killed writers ------------------------------------- */

enum { LEFT_NONE, LEFT_TEMP, LEFT_PROBE, LEFT_LOCK };

/* What a name in a folder is: a temp file `.<name>.tmp-<pid>-<hex>`, a
 * probe lock `.sesslua-probe-<pid>-...lock`, another `*.lock`, or none;
 * *pid is set for the first two. */
static int leftover_kind(const char *name, long *pid)
{
    static const char probe[] = ".sesslua-probe-";
    size_t len = strlen(name), i = len;
    char *end;
    if (strncmp(name, probe, sizeof probe - 1) == 0 && len > 5
        && strcmp(name + len - 5, ".lock") == 0) {
        *pid = strtol(name + sizeof probe - 1, &end, 10);
        return *end == '-' && *pid > 0 ? LEFT_PROBE : LEFT_LOCK;
    }
    if (len > 5 && strcmp(name + len - 5, ".lock") == 0)
        return LEFT_LOCK;
    if (name[0] != '.')
        return LEFT_NONE;
    while (i > 0 && len - i < 16 && isxdigit((unsigned char)name[i - 1]))
        i--;
    if (i == len || i == 0 || name[--i] != '-')
        return LEFT_NONE;
    size_t digits_end = i;
    while (i > 0 && isdigit((unsigned char)name[i - 1]))
        i--;
    if (i == digits_end || digits_end - i > 10 || i < 7 || memcmp(name + i - 5, ".tmp-", 5) != 0)
        return LEFT_NONE;
    *pid = strtol(name + i, NULL, 10);
    return *pid > 0 ? LEFT_TEMP : LEFT_NONE;
}

/* Remove path if no process holds its flock: take the lock without
 * waiting, check the name still leads to the file locked (a holder
 * unlinks before it lets go, and a new file may stand there), unlink while
 * holding it. Regular files only, never through a symlink; with
 * need_empty, only an empty file. 1 removed, 0 not. */
static int remove_unheld(const char *path, int need_empty)
{
    struct stat held, now;
    int removed = 0;
    int fd = open_retry(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    if (fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && !(need_empty && held.st_size != 0)
        && flock(fd, LOCK_EX | LOCK_NB) == 0 && lstat(path, &now) == 0
        && now.st_ino == held.st_ino && now.st_dev == held.st_dev)
        removed = unlink(path) == 0;
    close(fd);
    return removed;
}

/* Whether the process that left a temp or probe file is gone: not alive
 * on this host, or the file is older than any writer runs (pid reuse). */
static int leftover_is_stale(const char *path, long pid, time_t now)
{
    struct stat st;
    if (pid == (long)getpid())
        return 0; /* ours: removed at exit */
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 1;
    return lstat(path, &st) == 0 && now - st.st_mtime > LEFTOVER_MAX_AGE;
}

int fs_sweep(const char *dir)
{
    int saved = errno, removed = 0;
    time_t now = time(NULL);
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return fail(errno);
    while ((e = readdir(d)) != NULL) {
        long pid = 0;
        int kind = leftover_kind(e->d_name, &pid);
        if (kind == LEFT_NONE || (e->d_type != DT_REG && e->d_type != DT_UNKNOWN))
            continue;
        char *path = join_path(dir, e->d_name);
        if (!path)
            break;
        if (kind == LEFT_LOCK || leftover_is_stale(path, pid, now))
            removed += remove_unheld(path, kind == LEFT_LOCK);
        free(path);
    }
    closedir(d);
    errno = saved;
    return removed;
}

/* fs_sweep(dir), the first time this process writes in dir. */
static void sweep_once(const char *dir)
{
    static char **seen;
    static size_t n, cap;
    static pid_t owner;
    if (owner != getpid()) { /* a forked child sweeps for itself */
        while (n > 0)
            free(seen[--n]);
        owner = getpid();
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(seen[i], dir) == 0)
            return;
    if (n == cap) {
        size_t ncap = cap ? cap * 2 : 8;
        char **grown = realloc(seen, ncap * sizeof *grown);
        if (!grown)
            return;
        seen = grown;
        cap = ncap;
    }
    if (!(seen[n] = strdup(dir)))
        return;
    n++;
    fs_sweep(dir);
}

/* ---- writing ---------------------------------------------------------- */

/* Create `<dir>/.<base>.tmp-<pid>-<rand>` exclusively and lock it (a
 * sweeper never removes a temp file whose lock is held). On success (0)
 * *fd is open for writing, *tmp is the malloc'd name and *slot its
 * clean-up registration; else -errno and none is set. */
static int temp_create(const char *path, const char *dir, mode_t mode,
                       char **tmp, int *fd, int *slot)
{
    const char *base = base_of(path);
    size_t cap = strlen(dir) + strlen(base) + 64;
    char *name = malloc(cap);
    int e = EEXIST;
    if (!name)
        return fail(ENOMEM);
    for (int i = 0; i < TEMP_ATTEMPTS && e == EEXIST; i++) {
        snprintf(name, cap, "%s/.%s.tmp-%ld-%08llx", dir, base, (long)getpid(),
                 (unsigned long long)(rand_next() & 0xffffffffu));
        int f = open_retry(name, O_WRONLY | O_CREAT | O_EXCL, mode);
        if (f < 0) {
            e = errno;
            continue;
        }
        /* Taken by a sweeper in the instant between open and flock (it
         * thought us gone): it removes this one; use another name. */
        if (flock(f, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
            close(f);
            continue;
        }
        *fd = f;
        *tmp = name;
        *slot = cleanup_add(SLOT_TEMP, name);
        return 0;
    }
    free(name);
    return fail(e);
}

/* Fill the temp file, flush it to disk and close it. Closes fd always. */
static int temp_finish(int fd, const char *data, size_t len, int keep_mode, mode_t mode)
{
    int rc = write_all(fd, data, len);
    /* The kernel applied the umask to a new file; an existing target's
     * exact mode is restored so a replace does not change permissions. */
    if (rc == 0 && keep_mode && fchmod(fd, mode) != 0)
        rc = -errno;
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0 && errno != EINTR) /* NFS reports here */
        rc = -errno;
    return rc;
}

/* Remove a temp file that was not put in place; registered until it is
 * really gone, so an unlink that fails is tried again at exit. */
static void temp_discard(const char *tmp, int slot)
{
    if (unlink(tmp) == 0 || errno == ENOENT)
        cleanup_drop(slot);
}

/* rename() that refuses to replace `to`, in one atomic step when the
 * filesystem supports RENAME_NOREPLACE; else link()+unlink(), which is
 * just as atomic for the existence check (link fails on EEXIST). Once
 * linked, `to` is in place: `from` that is a temp file and cannot be
 * unlinked is only reported in *from_left (the caller removes it later);
 * any other `from` must go, or the link is undone (a file never stays in
 * two places) and the unlink's error returned. */
static int rename_noreplace(const char *from, const char *to, int from_is_temp, int *from_left)
{
    *from_left = 0;
#ifdef SYS_renameat2
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -errno;
#endif
    if (link(from, to) != 0) {
        int e = errno;
        struct stat st;
        /* Directories cannot be linked: check, then rename (a small race
         * window, accepted only for folders on such filesystems). */
        if (e == EPERM && lstat(from, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (lstat(to, &st) == 0)
                return fail(EEXIST);
            if (rename(from, to) != 0)
                return -errno;
            return 0;
        }
        return fail(e);
    }
    if (unlink(from) != 0) {
        int e = errno;
        if (from_is_temp) {
            *from_left = 1;
            return 0;
        }
        unlink(to);
        return fail(e);
    }
    return 0;
}

/* The result of a write whose commit point has passed: 0, or the folder
 * fsync's errno as a positive value (errno set too). */
static int committed(int sync_rc)
{
    if (sync_rc >= 0)
        return 0;
    errno = -sync_rc;
    return -sync_rc;
}

/* ---- public API ------------------------------------------------------ */
int fs_read(const char *path, char **data, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0, n = 0;
    struct stat st;
    int rc = 0;
    /* O_NONBLOCK: opening a FIFO planted where a file belongs must not hang;
     * it is refused below as not a regular file. */
    int fd = open_retry(path, O_RDONLY | O_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = fail(EISDIR);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = fail(EINVAL);
        goto done;
    }
    /* st_size is a hint only: the file may grow while we read it, and
     * /proc-like files report 0. */
    cap = (S_ISREG(st.st_mode) && st.st_size > 0) ? (size_t)st.st_size + 1 : 4096;
    if (!(buf = malloc(cap))) {
        rc = fail(ENOMEM);
        goto done;
    }
    for (;;) {
        if (n + 1 >= cap) { /* keep room for the NUL */
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = fail(ENOMEM);
                goto done;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            goto done;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    close(fd);
    return rc < 0 ? fail(-rc) : 0;
}

/* The mode to keep when path exists and may be replaced: 1 and *mode set,
 * 0 when path does not exist, or -errno: a folder, or a file the caller
 * may not write (the rename would replace it anyway: the folder's
 * permission is all it needs). Root passes, as for any write. */
static int existing_target(const char *path, mode_t *mode)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode))
        return fail(EISDIR);
    if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0
        && (errno == EACCES || errno == EPERM || errno == EROFS))
        return fail(errno);
    *mode = st.st_mode & 07777;
    return 1;
}

int fs_write_atomic(const char *path, const char *data, size_t len,
                    mode_t mode, int exclusive)
{
    char *dir = dir_of(path);
    char *tmp = NULL;
    int keep_mode = 0, slot = -1, left = 0;
    int fd, rc = 0;
    if (!dir)
        return fail(ENOMEM);
    if (!exclusive && (rc = existing_target(path, &mode)) < 0)
        goto done;
    keep_mode = rc;
    sweep_once(dir);
    rc = temp_create(path, dir, keep_mode ? 0600 : mode, &tmp, &fd, &slot);
    if (rc != 0)
        goto done;
    rc = temp_finish(fd, data, len, keep_mode, mode);
    if (rc == 0) {
        if (exclusive)
            rc = rename_noreplace(tmp, path, 1, &left);
        else if (rename(tmp, path) != 0)
            rc = -errno;
    }
    if (rc != 0) {
        temp_discard(tmp, slot);
        goto done;
    }
    /* The commit point: the new file is in place. Nothing below undoes it. */
    if (left)
        temp_discard(tmp, slot); /* a second name of the new file */
    else
        cleanup_drop(slot);
    rc = committed(fs_sync_dir(dir));
done:
    free(tmp);
    free(dir);
    return rc < 0 ? fail(-rc) : rc;
}

/* One attempt: 0 held, LOCK_RACED lost a race with a release (retry at
 * once), -EWOULDBLOCK busy, other -errno fatal. (EAGAIN == EWOULDBLOCK on
 * Linux, hence a positive code for the race.) */
#define LOCK_RACED 1
static int lock_try(const char *lock_path, int *out_fd)
{
    struct stat held, now;
    int fd = open_retry(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        return (e == EWOULDBLOCK || e == EINTR) ? -EWOULDBLOCK : -e;
    }
    /* The previous holder unlinks the file before dropping the lock; if
     * we locked that orphaned inode, the path now names another file (or
     * none) and our lock excludes nobody. */
    if (fstat(fd, &held) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (stat(lock_path, &now) != 0 || now.st_ino != held.st_ino
        || now.st_dev != held.st_dev) {
        close(fd);
        return LOCK_RACED;
    }
    *out_fd = fd;
    return 0;
}

int fs_lock_acquire(fs_lock *lock, const char *path, int timeout_ms)
{
    size_t n = strlen(path);
    char *lock_path = malloc(n + sizeof ".lock");
    char *dir = dir_of(path);
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int delay = BACKOFF_MIN_MS;
    int fd = -1, rc;
    lock->fd = -1;
    lock->lock_path = NULL;
    if (!lock_path || !dir) {
        free(lock_path);
        free(dir);
        return fail(ENOMEM);
    }
    memcpy(lock_path, path, n);
    memcpy(lock_path + n, ".lock", sizeof ".lock");
    sweep_once(dir);
    free(dir);
    int races = 0;
    for (;;) {
        rc = lock_try(lock_path, &fd);
        /* A holder just released: the path is new, try again at once; but a
         * filesystem whose inode numbers never agree would race forever,
         * so after a few it counts as busy and the deadline applies. */
        if (rc == LOCK_RACED && ++races <= 16)
            continue;
        if (rc == LOCK_RACED)
            rc = -EWOULDBLOCK;
        if (rc != -EWOULDBLOCK)
            break;
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            rc = -ETIMEDOUT;
            break;
        }
        /* Jitter (half to full delay) spreads waiters that all woke on
         * the same release; doubling keeps a long wait cheap. */
        int ms = delay / 2 + (int)(rand_next() % (uint64_t)(delay - delay / 2 + 1));
        if (ms < BACKOFF_MIN_MS)
            ms = BACKOFF_MIN_MS;
        if (ms > left)
            ms = (int)left;
        sleep_ms(ms);
        delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2;
    }
    if (rc != 0) {
        free(lock_path);
        return fail(-rc);
    }
    lock->fd = fd;
    lock->lock_path = lock_path;
    cleanup_add(SLOT_LOCK, lock_path);
    return 0;
}

void fs_lock_release(fs_lock *lock)
{
    /* lock_path, not fd, tells "held": a zeroed struct has fd 0. */
    if (!lock || !lock->lock_path)
        return;
    int saved = errno; /* release runs on error paths: keep their errno */
    if (lock->fd >= 0) {
        int slot = cleanup_find(SLOT_LOCK, lock->lock_path);
        /* Unlink while still holding the lock, so a waiter that gets this
         * inode next sees it is orphaned and retries on a fresh file. A
         * file that stays is no longer ours to unlink blindly once the
         * lock is dropped: at exit it is removed only if nobody holds it. */
        if (unlink(lock->lock_path) == 0 || errno == ENOENT)
            cleanup_drop(slot);
        else if (slot >= 0)
            slots[slot].kind = SLOT_STALE_LOCK;
        close(lock->fd);
    }
    free(lock->lock_path);
    lock->lock_path = NULL;
    lock->fd = -1;
    errno = saved;
}

/* Copy regular file `from` into a temp in to_dir, flushed to disk:
 * 0 with *tmp, *slot set, or -errno. */
static int copy_to_temp(const char *from, const char *to, const char *to_dir,
                        char **tmp, int *slot)
{
    char *buf = malloc(65536);
    int in = -1, out = -1, rc = 0;
    struct stat st;
    if (!buf)
        return fail(ENOMEM);
    in = open_retry(from, O_RDONLY, 0);
    if (in < 0 || fstat(in, &st) != 0) {
        rc = -errno;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) { /* folders across filesystems: refuse */
        rc = -EXDEV;
        goto done;
    }
    if ((rc = temp_create(to, to_dir, 0600, tmp, &out, slot)) != 0)
        goto done;
    for (;;) {
        ssize_t got = read(in, buf, 65536);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            break;
        }
        if (got == 0 || (rc = write_all(out, buf, (size_t)got)) != 0)
            break;
    }
    if (rc == 0)
        rc = temp_finish(out, "", 0, 1, st.st_mode & 07777);
    else
        close(out);
    if (rc != 0) {
        temp_discard(*tmp, *slot);
        free(*tmp);
        *tmp = NULL;
    }
done:
    if (in >= 0)
        close(in);
    free(buf);
    return rc < 0 ? fail(-rc) : 0;
}

/* A move across filesystems: copy `from` to a temp in to's folder, fsync
 * it, put it in place (replacing only if overwrite), then remove `from`.
 * Without overwrite the unlink of `from` is the commit point: a failure
 * before it removes the copy again. With overwrite the old `to` is gone at
 * the rename, which is then the commit point. */
static int move_by_copy(const char *from, const char *to, const char *to_dir,
                        const char *from_dir, int overwrite)
{
    char *tmp = NULL;
    int slot = -1, left = 0, rc, sync_rc;
    if ((rc = copy_to_temp(from, to, to_dir, &tmp, &slot)) != 0)
        return rc;
    if (overwrite)
        rc = rename(tmp, to) == 0 ? 0 : -errno;
    else
        rc = rename_noreplace(tmp, to, 1, &left);
    if (rc != 0 || left)
        temp_discard(tmp, slot);
    else
        cleanup_drop(slot);
    free(tmp);
    if (rc != 0)
        return fail(-rc);
    sync_rc = fs_sync_dir(to_dir);
    if (!overwrite && sync_rc < 0) {
        unlink(to); /* ours, just created: back to "not moved" */
        return fail(-sync_rc);
    }
    /* The copy is durable before the original goes away: a crash here
     * leaves two copies, never none. */
    if (unlink(from) != 0) {
        rc = -errno;
        if (!overwrite)
            unlink(to);
        return fail(-rc);
    }
    if (sync_rc == 0)
        sync_rc = fs_sync_dir(from_dir);
    return committed(sync_rc);
}

int fs_move(const char *from, const char *to, int overwrite)
{
    char *to_dir = dir_of(to), *from_dir = dir_of(from);
    int rc, left;
    if (!to_dir || !from_dir) {
        rc = -ENOMEM;
        goto done;
    }
    sweep_once(to_dir);
    if (overwrite)
        rc = rename(from, to) == 0 ? 0 : -errno;
    else
        rc = rename_noreplace(from, to, 0, &left);
    if (rc == -EXDEV) {
        rc = move_by_copy(from, to, to_dir, from_dir, overwrite);
        goto done;
    }
    if (rc != 0)
        goto done;
    /* The commit point: moved. A failed folder sync is only reported. */
    rc = fs_sync_dir(to_dir);
    if (rc == 0 && strcmp(to_dir, from_dir) != 0)
        rc = fs_sync_dir(from_dir);
    rc = committed(rc);
done:
    free(to_dir);
    free(from_dir);
    return rc < 0 ? fail(-rc) : rc;
}
int fs_mkdir_p(const char *path, mode_t mode)
{
    size_t n = strlen(path);
    char *buf;
    struct stat st;
    int rc = 0;
    if (n == 0)
        return fail(ENOENT);
    if (!(buf = malloc(n + 1)))
        return fail(ENOMEM);
    memcpy(buf, path, n + 1);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    /* Create each prefix in turn; a prefix that already exists as a folder
     * is fine whatever mkdir said (EEXIST, or EACCES/EROFS above it). */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        if (buf[i - 1] == '/') /* "a//b": skip the empty component */
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, mode) != 0) {
            int e = errno;
            if (stat(buf, &st) != 0)
                rc = -e;
            else if (!S_ISDIR(st.st_mode))
                rc = c ? -ENOTDIR : -EEXIST;
        }
        buf[i] = c;
        if (rc != 0)
            break;
    }
    free(buf);
    return rc < 0 ? fail(-rc) : 0;
}

int fs_sync_dir(const char *dir)
{
    int rc = 0;
    int fd = open_retry(dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return -errno;
    /* Some filesystems cannot fsync a folder (EINVAL): nothing to do. */
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -errno;
    close(fd);
    return rc < 0 ? fail(-rc) : 0;
}
