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
#include "fs_internal.h"

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
            return fs_fail(EIO);
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- clean-up on exit and on signals (git's tempfile.c) --------------- */

/* Live temp files and held lock files, so that exit() and a deadly signal
 * remove them. The signal handler reads the slots while the program may be
 * changing one: every field is volatile, a slot's path, folder and owner
 * are set before its kind and its kind cleared before they are released,
 * and the handler only calls unlinkat() (async-signal-safe). Each slot
 * holds the file's folder open and removes the file by name in it: a
 * folder renamed, or swapped for a symlink, since the file was made never
 * sends the removal anywhere else. A slot owns its folder descriptor
 * exactly while its path is set. Slots of a parent process (after fork)
 * are never acted on: `owner` says whose they are. */
enum { SLOT_FREE, SLOT_TEMP, SLOT_LOCK, SLOT_STALE_LOCK };
#define CLEANUP_SLOTS 32
static struct cleanup_slot {
    volatile sig_atomic_t kind;
    volatile pid_t owner;
    volatile int dfd;          /* the file's folder (owned while path is set) */
    char *volatile path;       /* owned */
    const char *volatile name; /* into path: the file's name in dfd */
} slots[CLEANUP_SLOTS];

static const int deadly_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
#define NSIGNALS (sizeof deadly_signals / sizeof deadly_signals[0])
static struct sigaction previous[NSIGNALS];
static int installed_for; /* pid that installed the handlers (0: none) */

static void cleanup_drop(int slot);

/* Remove what this process registered. In a signal handler only temp and
 * held lock files (unlinkat alone); at exit also stale locks, which need
 * the locking protocol (a lock file no longer held may be someone's now). */
static void cleanup_run(int in_signal)
{
    pid_t me = getpid();
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        int kind = slots[i].kind;
        if (kind == SLOT_FREE || slots[i].owner != me)
            continue;
        if (kind == SLOT_TEMP || kind == SLOT_LOCK)
            unlinkat(slots[i].dfd, slots[i].name, 0);
        else if (!in_signal)
            fsc_remove_unheld_at(slots[i].dfd, slots[i].name, 0);
        if (!in_signal)
            cleanup_drop(i);
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

/* Release what a slot owns (a parent's live slot too, in a child: its
 * descriptor is this process's copy). */
static void slot_release(struct cleanup_slot *sl)
{
    if (!sl->path)
        return;
    close(sl->dfd);
    sl->dfd = -1;
    sl->name = NULL;
    free(sl->path);
    sl->path = NULL;
}

/* Register path, whose name in the folder dfd (held open) starts at
 * path + name_at; the slot keeps its own copy of dfd. Returns the slot,
 * or -1 when none is free or a descriptor or memory is short (the file
 * is then left to the next sweep). */
static int cleanup_add(int kind, int dfd, const char *path, size_t name_at)
{
    pid_t me = getpid();
    cleanup_install();
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        if (slots[i].kind != SLOT_FREE && slots[i].owner == me)
            continue;
        char *copy = strdup(path);
        if (!copy)
            return -1;
        int own = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
        if (own < 0) {
            free(copy);
            return -1;
        }
        slots[i].kind = SLOT_FREE; /* a parent's slot: this copy is ours */
        slot_release(&slots[i]);
        slots[i].dfd = own;
        slots[i].name = copy + name_at;
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
    slot_release(&slots[slot]);
}

static int cleanup_find(int kind, const char *path)
{
    pid_t me = getpid();
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (slots[i].kind == kind && slots[i].owner == me && strcmp(slots[i].path, path) == 0)
            return i;
    return -1;
}

/* ---- writing ---------------------------------------------------------- */

/* A file's folder, held open (resolved beneath the root: fs_path.c), so
 * that every step of a write names the file in that one folder: a link
 * swapped in between two steps cannot send one of them elsewhere. */
typedef struct place {
    int dfd;          /* -1 when not open */
    char *dir;        /* owned: for sweeping and the temp's clean-up name */
    const char *base; /* into the path given */
} place;

static int place_open(place *p, const char *path)
{
    p->dir = NULL;
    if ((p->dfd = fsp_dir(path, &p->base)) < 0)
        return p->dfd;
    if (!(p->dir = fs_dir_of(path))) {
        close(p->dfd);
        p->dfd = -1;
        return fs_fail(ENOMEM);
    }
    return 0;
}

static void place_close(place *p)
{
    int saved = errno;
    if (p->dfd >= 0)
        close(p->dfd);
    free(p->dir);
    p->dfd = -1;
    p->dir = NULL;
    errno = saved;
}

/* fsync the folder held open (an O_PATH descriptor: opened for reading
 * to sync); some filesystems cannot (EINVAL): fine. */
static int sync_fd(int dfd)
{
    int rc = 0, fd;
    do {
        fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -errno;
    close(fd);
    return rc < 0 ? fs_fail(-rc) : 0;
}

/* Create `.<base>.tmp-<pid>-<rand>` in the folder exclusively and lock it
 * (a sweeper never removes a temp file whose lock is held). On success (0)
 * *fd is open for writing, *tmp is the malloc'd path `<dir>/<temp>` (its
 * name in the folder starts at *tmp + strlen(dir) + 1) and *slot its
 * clean-up registration; else -errno and none is set. */
static int temp_create(const place *at, const char *base, mode_t mode,
                       char **tmp, int *fd, int *slot)
{
    size_t dl = strlen(at->dir), cap = dl + strlen(base) + 64;
    char *name = malloc(cap);
    int e = EEXIST;
    if (!name)
        return fs_fail(ENOMEM);
    for (int i = 0; i < TEMP_ATTEMPTS && e == EEXIST; i++) {
        snprintf(name, cap, "%s/.%s.tmp-%ld-%08llx", at->dir, base, (long)getpid(),
                 (unsigned long long)(rand_next() & 0xffffffffu));
        int f;
        do {
            f = openat(at->dfd, name + dl + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       mode);
        } while (f < 0 && errno == EINTR);
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
        *slot = cleanup_add(SLOT_TEMP, at->dfd, name, dl + 1);
        return 0;
    }
    free(name);
    return fs_fail(e);
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

/* The temp file's name in its folder. */
static const char *temp_name(const place *at, const char *tmp)
{
    return tmp + strlen(at->dir) + 1;
}

/* Remove a temp file that was not put in place; registered until it is
 * really gone, so an unlink that fails is tried again at exit. */
static void temp_discard(const place *at, const char *tmp, int slot)
{
    if (unlinkat(at->dfd, temp_name(at, tmp), 0) == 0 || errno == ENOENT)
        cleanup_drop(slot);
}

/* rename() that refuses to replace `to`, in one atomic step when the
 * filesystem supports RENAME_NOREPLACE; else link()+unlink(), which is
 * just as atomic for the existence check (link fails on EEXIST). Once
 * linked, `to` is in place: `from` that is a temp file and cannot be
 * unlinked is only reported in *from_left (the caller removes it later);
 * any other `from` must go, or the link is undone (a file never stays in
 * two places) and the unlink's error returned. Names are in the folders
 * ffd and tfd. */
static int rename_noreplace(int ffd, const char *from, int tfd, const char *to,
                            int from_is_temp, int *from_left)
{
    *from_left = 0;
#ifdef SYS_renameat2
    if (syscall(SYS_renameat2, ffd, from, tfd, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -errno;
#endif
    if (linkat(ffd, from, tfd, to, 0) != 0) {
        int e = errno;
        struct stat st;
        /* Directories cannot be linked: check, then rename (a small race
         * window, accepted only for folders on such filesystems). */
        if (e == EPERM && fstatat(ffd, from, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
            if (fstatat(tfd, to, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return fs_fail(EEXIST);
            if (renameat(ffd, from, tfd, to) != 0)
                return -errno;
            return 0;
        }
        return fs_fail(e);
    }
    if (unlinkat(ffd, from, 0) != 0) {
        int e = errno;
        if (from_is_temp) {
            *from_left = 1;
            return 0;
        }
        unlinkat(tfd, to, 0);
        return fs_fail(e);
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
    return fs_read_in(-1, path, data, len);
}

int fs_read_in(int rootfd, const char *path, char **data, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0, n = 0;
    struct stat st;
    int rc = 0;
    /* O_NONBLOCK: opening a FIFO planted where a file belongs must not hang;
     * it is refused below as not a regular file. */
    int fd = fs_open_in(rootfd, path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = fs_fail(EISDIR);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = fs_fail(EINVAL);
        goto done;
    }
    /* st_size is a hint only: the file may grow while we read it, and
     * /proc-like files report 0. */
    /* Room for the NUL and one byte more, so the read that meets the end
     * of a file of the size stat gave has somewhere to go: with only the
     * NUL's byte spare, every whole-file read doubled its buffer to learn
     * it was done (a 200 MB log cost 400 MB). */
    cap = st.st_size > 0 ? (size_t)st.st_size + 2 : 4096;
    if (!(buf = malloc(cap))) {
        rc = fs_fail(ENOMEM);
        goto done;
    }
    for (;;) {
        if (n + 1 >= cap) { /* keep room for the NUL */
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = fs_fail(ENOMEM);
                goto done;
            }
            buf = nb;
            cap *= 2;
        }
        size_t want = cap - n - 1;
        ssize_t got = read(fd, buf + n, want);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            goto done;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        /* A short read that ends where fstat said the file ends is its
         * end: no read more to see it (a system call a file). A file that
         * grew fills the read and is read on; a size of 0 may be a file
         * system that does not know it. */
        if ((size_t)got < want && st.st_size > 0 && n == (size_t)st.st_size)
            break;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    close(fd);
    return rc < 0 ? fs_fail(-rc) : 0;
}

/* The mode to keep when the file exists and may be replaced: 1 and *mode
 * set, 0 when it does not exist, or -errno: a folder (-EISDIR), a link
 * (-ELOOP: the rename would replace the link, not write where it leads),
 * a FIFO or device (-EINVAL), or a file the caller may not write (the
 * rename would replace it anyway: the folder's permission is all it
 * needs). Root passes, as for any write. */
static int existing_target(const place *at, mode_t *mode)
{
    struct stat st;
    if (fstatat(at->dfd, at->base, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    if (S_ISDIR(st.st_mode))
        return fs_fail(EISDIR);
    if (S_ISLNK(st.st_mode))
        return fs_fail(ELOOP);
    if (!S_ISREG(st.st_mode))
        return fs_fail(EINVAL);
    if (faccessat(at->dfd, at->base, W_OK, AT_EACCESS) != 0
        && (errno == EACCES || errno == EPERM || errno == EROFS))
        return fs_fail(errno);
    *mode = st.st_mode & 07777;
    return 1;
}

int fs_write_atomic(const char *path, const char *data, size_t len,
                    mode_t mode, int exclusive)
{
    place at;
    char *tmp = NULL;
    int keep_mode = 0, slot = -1, left = 0;
    int fd, rc;
    if ((rc = place_open(&at, path)) < 0)
        return rc;
    if (!exclusive && (rc = existing_target(&at, &mode)) < 0)
        goto done;
    keep_mode = rc;
    fsc_sweep_once(at.dir);
    rc = temp_create(&at, at.base, keep_mode ? 0600 : mode, &tmp, &fd, &slot);
    if (rc != 0)
        goto done;
    rc = temp_finish(fd, data, len, keep_mode, mode);
    if (rc == 0) {
        if (exclusive)
            rc = rename_noreplace(at.dfd, temp_name(&at, tmp), at.dfd, at.base, 1, &left);
        else if (renameat(at.dfd, temp_name(&at, tmp), at.dfd, at.base) != 0)
            rc = -errno;
    }
    if (rc != 0) {
        temp_discard(&at, tmp, slot);
        goto done;
    }
    /* The commit point: the new file is in place. Nothing below undoes it. */
    if (left)
        temp_discard(&at, tmp, slot); /* a second name of the new file */
    else
        cleanup_drop(slot);
    rc = committed(sync_fd(at.dfd));
done:
    free(tmp);
    place_close(&at);
    return rc < 0 ? fs_fail(-rc) : rc;
}

/* One attempt: 0 held, LOCK_RACED lost a race with a release (retry at
 * once), -EWOULDBLOCK busy, other -errno fatal. (EAGAIN == EWOULDBLOCK on
 * Linux, hence a positive code for the race.) */
#define LOCK_RACED 1
static int lock_try(const place *at, const char *name, int *out_fd)
{
    struct stat held, now;
    int fd;
    do {
        fd = openat(at->dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        return (e == EWOULDBLOCK || e == EINTR) ? -EWOULDBLOCK : -e;
    }
    /* The previous holder unlinks the file before dropping the lock; if
     * we locked that orphaned inode, the name now leads to another file
     * (or none) and our lock excludes nobody. */
    if (fstat(fd, &held) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (fstatat(at->dfd, name, &now, AT_SYMLINK_NOFOLLOW) != 0 || now.st_ino != held.st_ino
        || now.st_dev != held.st_dev) {
        close(fd);
        return LOCK_RACED;
    }
    *out_fd = fd;
    return 0;
}

/* Wait for the lock `name` in the folder: 0 and *fd, or -errno
 * (-ETIMEDOUT when still held after timeout_ms). */
static int lock_wait(const place *at, const char *name, int timeout_ms, int *fd)
{
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int delay = BACKOFF_MIN_MS, races = 0, rc;
    for (;;) {
        rc = lock_try(at, name, fd);
        /* A holder just released: the path is new, try again at once; but a
         * filesystem whose inode numbers never agree would race forever,
         * so after a few it counts as busy and the deadline applies. */
        if (rc == LOCK_RACED && ++races <= 16)
            continue;
        if (rc == LOCK_RACED)
            rc = -EWOULDBLOCK;
        if (rc != -EWOULDBLOCK)
            return rc;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
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
}

int fs_lock_acquire(fs_lock *lock, const char *path, int timeout_ms)
{
    size_t n = strlen(path);
    char *lock_path = malloc(n + sizeof ".lock");
    place at;
    int fd = -1, rc;
    lock->fd = -1;
    lock->lock_path = NULL;
    if (!lock_path)
        return fs_fail(ENOMEM);
    memcpy(lock_path, path, n);
    memcpy(lock_path + n, ".lock", sizeof ".lock");
    if ((rc = place_open(&at, lock_path)) < 0) {
        free(lock_path);
        return rc;
    }
    fsc_sweep_once(at.dir);
    rc = lock_wait(&at, at.base, timeout_ms, &fd);
    if (rc == 0) /* at.base points into lock_path */
        cleanup_add(SLOT_LOCK, at.dfd, lock_path, (size_t)(at.base - lock_path));
    place_close(&at);
    if (rc != 0) {
        free(lock_path);
        return fs_fail(-rc);
    }
    lock->fd = fd;
    lock->lock_path = lock_path;
    return 0;
}

/* unlink(path), by name in its folder resolved beneath the root. */
static int unlink_beneath(const char *path)
{
    const char *base;
    int dfd = fsp_dir(path, &base), rc = 0;
    if (dfd < 0)
        return dfd;
    if (unlinkat(dfd, base, 0) != 0)
        rc = -errno;
    close(dfd);
    return rc < 0 ? fs_fail(-rc) : 0;
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
         * lock is dropped: at exit it is removed only if nobody holds it.
         * By name in the folder it was locked in, held open by its slot. */
        int gone = slot >= 0 ? unlinkat(slots[slot].dfd, slots[slot].name, 0) == 0
                             : unlink_beneath(lock->lock_path) == 0;
        if (gone || errno == ENOENT)
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

/* Copy the regular file `from` into a temp in to's folder, flushed to
 * disk: 0 with *tmp, *slot set, or -errno. */
static int copy_to_temp(const place *from, const place *to, char **tmp, int *slot)
{
    char *buf = malloc(65536);
    int in = -1, out = -1, rc = 0;
    struct stat st;
    if (!buf)
        return fs_fail(ENOMEM);
    in = openat(from->dfd, from->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) != 0) {
        rc = -errno;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) { /* folders across filesystems: refuse */
        rc = -EXDEV;
        goto done;
    }
    if ((rc = temp_create(to, to->base, 0600, tmp, &out, slot)) != 0)
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
        temp_discard(to, *tmp, *slot);
        free(*tmp);
        *tmp = NULL;
    }
done:
    if (in >= 0)
        close(in);
    free(buf);
    return rc < 0 ? fs_fail(-rc) : 0;
}

/* A move across filesystems: copy `from` to a temp in to's folder, fsync
 * it, put it in place (replacing only if overwrite), then remove `from`.
 * Without overwrite the unlink of `from` is the commit point: a failure
 * before it removes the copy again. With overwrite the old `to` is gone at
 * the rename, which is then the commit point. */
static int move_by_copy(const place *from, const place *to, int overwrite)
{
    char *tmp = NULL;
    int slot = -1, left = 0, rc, sync_rc;
    if ((rc = copy_to_temp(from, to, &tmp, &slot)) != 0)
        return rc;
    if (overwrite)
        rc = renameat(to->dfd, temp_name(to, tmp), to->dfd, to->base) == 0 ? 0 : -errno;
    else
        rc = rename_noreplace(to->dfd, temp_name(to, tmp), to->dfd, to->base, 1, &left);
    if (rc != 0 || left)
        temp_discard(to, tmp, slot);
    else
        cleanup_drop(slot);
    free(tmp);
    if (rc != 0)
        return fs_fail(-rc);
    sync_rc = sync_fd(to->dfd);
    if (!overwrite && sync_rc < 0) {
        unlinkat(to->dfd, to->base, 0); /* ours, just created: back to "not moved" */
        return fs_fail(-sync_rc);
    }
    /* The copy is durable before the original goes away: a crash here
     * leaves two copies, never none. */
    if (unlinkat(from->dfd, from->base, 0) != 0) {
        rc = -errno;
        if (!overwrite)
            unlinkat(to->dfd, to->base, 0);
        return fs_fail(-rc);
    }
    if (sync_rc == 0)
        sync_rc = sync_fd(from->dfd);
    return committed(sync_rc);
}

int fs_move(const char *from, const char *to, int overwrite)
{
    place f = { -1, NULL, NULL }, t = { -1, NULL, NULL };
    int rc, left;
    if ((rc = place_open(&f, from)) < 0 || (rc = place_open(&t, to)) < 0)
        goto done;
    fsc_sweep_once(t.dir);
    if (overwrite)
        rc = renameat(f.dfd, f.base, t.dfd, t.base) == 0 ? 0 : -errno;
    else
        rc = rename_noreplace(f.dfd, f.base, t.dfd, t.base, 0, &left);
    if (rc == -EXDEV) {
        rc = move_by_copy(&f, &t, overwrite);
        goto done;
    }
    if (rc != 0)
        goto done;
    /* The commit point: moved. A failed folder sync is only reported. */
    rc = sync_fd(t.dfd);
    if (rc == 0 && strcmp(t.dir, f.dir) != 0)
        rc = sync_fd(f.dfd);
    rc = committed(rc);
done:
    place_close(&f);
    place_close(&t);
    return rc < 0 ? fs_fail(-rc) : rc;
}

/* mkdir -p of a path that is not under the root: as the user typed it. */
static int mkdir_plain(const char *path, mode_t mode)
{
    size_t n = strlen(path);
    char *buf;
    struct stat st;
    int rc = 0;
    if (n == 0)
        return fs_fail(ENOENT);
    if (!(buf = malloc(n + 1)))
        return fs_fail(ENOMEM);
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
    return rc < 0 ? fs_fail(-rc) : 0;
}

int fs_mkdir_p(const char *path, mode_t mode)
{
    const char *root = fs_get_root(), *base;
    size_t rl = root ? strlen(root) : 0;
    int rc;
    /* The root itself is the user's to name (--root): made as typed. Each
     * folder below it is made in its parent, opened beneath the root, so
     * a link in the tree never has a folder made elsewhere. */
    if (!root || strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0')
        || (rl == 1 && root[0] == '/'))
        return mkdir_plain(path, mode);
    if ((rc = mkdir_plain(root, mode)) < 0)
        return rc;
    char *buf = strdup(path);
    if (!buf)
        return fs_fail(ENOMEM);
    size_t n = strlen(buf);
    while (n > rl + 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    for (size_t i = rl + 1; i <= n && rc == 0; i++) {
        if ((buf[i] != '/' && buf[i] != '\0') || buf[i - 1] == '/')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        int dfd = fsp_dir(buf, &base), made = -1, fd = -1;
        if (dfd >= 0) {
            made = mkdirat(dfd, base, mode) == 0 ? 0 : errno;
            close(dfd);
        } else if (dfd != -EINVAL) { /* EINVAL: a "." or ".." component */
            rc = dfd;
        }
        if (rc == 0 && (fd = fsp_open(buf, O_PATH | O_DIRECTORY, 0)) >= 0)
            close(fd);
        else if (rc == 0)
            rc = (fd == -ENOENT && made > 0) ? -made : (fd == -ENOTDIR && i == n) ? -EEXIST : fd;
        buf[i] = c;
    }
    free(buf);
    return rc < 0 ? fs_fail(-rc) : 0;
}

int fs_sync_dir(const char *dir)
{
    int rc = 0;
    int fd = fsp_open(dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = -errno;
    close(fd);
    return rc < 0 ? fs_fail(-rc) : 0;
}
