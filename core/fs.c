/*
 * fs.c — atomic writes, advisory locks and safe moves (see fs.h).
 *
 * Built with _POSIX_C_SOURCE=200809L + _DEFAULT_SOURCE only (no
 * _GNU_SOURCE), so Linux-only calls (renameat2) go through syscall().
 * Every function returns 0 or -errno and leaves errno set to the same
 * error; nothing prints.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
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

/* Create `<dir>/.<base>.tmp-<pid>-<rand>` exclusively. On success (0)
 * *fd is open for writing and *tmp is the malloc'd name; else -errno and
 * neither is set. */
static int temp_create(const char *path, const char *dir, mode_t mode,
                       char **tmp, int *fd)
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
        if (f >= 0) {
            *fd = f;
            *tmp = name;
            return 0;
        }
        e = errno;
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

/* rename() that refuses to replace `to`, in one atomic step when the
 * filesystem supports RENAME_NOREPLACE; else link()+unlink(), which is
 * just as atomic for the existence check (link fails on EEXIST). */
static int rename_noreplace(const char *from, const char *to)
{
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
    if (unlink(from) != 0)
        return -errno;
    return 0;
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

int fs_write_atomic(const char *path, const char *data, size_t len,
                    mode_t mode, int exclusive)
{
    char *dir = dir_of(path);
    char *tmp = NULL;
    struct stat st;
    int keep_mode = 0;
    int fd, rc = 0;
    if (!dir)
        return fail(ENOMEM);
    if (!exclusive && stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = fail(EISDIR);
            goto done;
        }
        keep_mode = 1;
        mode = st.st_mode & 07777;
    }
    rc = temp_create(path, dir, keep_mode ? 0600 : mode, &tmp, &fd);
    if (rc != 0)
        goto done;
    rc = temp_finish(fd, data, len, keep_mode, mode);
    if (rc == 0) {
        if (exclusive)
            rc = rename_noreplace(tmp, path);
        else if (rename(tmp, path) != 0)
            rc = -errno;
    }
    if (rc != 0) {
        unlink(tmp);
        goto done;
    }
    rc = fs_sync_dir(dir);
done:
    free(tmp);
    free(dir);
    return rc < 0 ? fail(-rc) : 0;
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
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int delay = BACKOFF_MIN_MS;
    int fd = -1, rc;
    lock->fd = -1;
    lock->lock_path = NULL;
    if (!lock_path)
        return fail(ENOMEM);
    memcpy(lock_path, path, n);
    memcpy(lock_path + n, ".lock", sizeof ".lock");
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
    return 0;
}

void fs_lock_release(fs_lock *lock)
{
    /* lock_path, not fd, tells "held": a zeroed struct has fd 0. */
    if (!lock || !lock->lock_path)
        return;
    int saved = errno; /* release runs on error paths: keep their errno */
    if (lock->fd >= 0) {
        /* Unlink while still holding the lock, so a waiter that gets this
         * inode next sees it is orphaned and retries on a fresh file. */
        unlink(lock->lock_path);
        close(lock->fd);
    }
    free(lock->lock_path);
    lock->lock_path = NULL;
    lock->fd = -1;
    errno = saved;
}

/* Copy regular file `from` to a temp in to's folder, fsync it, put it in
 * place (replacing only if overwrite), then remove `from`. */
static int move_by_copy(const char *from, const char *to, int overwrite)
{
    char *to_dir = dir_of(to), *from_dir = dir_of(from);
    char *tmp = NULL, *buf = NULL;
    int in = -1, out = -1, rc = 0;
    struct stat st;
    if (!to_dir || !from_dir || !(buf = malloc(65536))) {
        rc = -ENOMEM;
        goto done;
    }
    in = open_retry(from, O_RDONLY, 0);
    if (in < 0 || fstat(in, &st) != 0) {
        rc = -errno;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) { /* folders across filesystems: refuse */
        rc = -EXDEV;
        goto done;
    }
    rc = temp_create(to, to_dir, 0600, &tmp, &out);
    if (rc != 0)
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
    if (rc == 0) {
        rc = temp_finish(out, "", 0, 1, st.st_mode & 07777);
        out = -1; /* temp_finish closed it */
    }
    if (rc == 0) {
        if (overwrite)
            rc = rename(tmp, to) == 0 ? 0 : -errno;
        else
            rc = rename_noreplace(tmp, to);
    }
    if (rc != 0)
        goto done;
    free(tmp);
    tmp = NULL; /* in place: nothing to clean up any more */
    rc = fs_sync_dir(to_dir);
    /* The copy is durable before the original goes away: a crash here
     * leaves two copies, never none. */
    if (rc == 0 && unlink(from) != 0)
        rc = -errno;
    if (rc == 0)
        rc = fs_sync_dir(from_dir);
done:
    if (out >= 0)
        close(out);
    if (tmp)
        unlink(tmp);
    if (in >= 0)
        close(in);
    free(tmp);
    free(buf);
    free(to_dir);
    free(from_dir);
    return rc < 0 ? fail(-rc) : 0;
}

int fs_move(const char *from, const char *to, int overwrite)
{
    char *to_dir = NULL, *from_dir = NULL;
    int rc;
    if (overwrite)
        rc = rename(from, to) == 0 ? 0 : -errno;
    else
        rc = rename_noreplace(from, to);
    if (rc == -EXDEV)
        return move_by_copy(from, to, overwrite);
    if (rc != 0)
        return fail(-rc);
    to_dir = dir_of(to);
    from_dir = dir_of(from);
    if (!to_dir || !from_dir) {
        rc = -ENOMEM;
        goto done;
    }
    rc = fs_sync_dir(to_dir);
    if (rc == 0 && strcmp(to_dir, from_dir) != 0)
        rc = fs_sync_dir(from_dir);
done:
    free(to_dir);
    free(from_dir);
    return rc < 0 ? fail(-rc) : 0;
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
