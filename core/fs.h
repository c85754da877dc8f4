/*
 * fs.h — file operations that never lose or tear data.
 *
 * Every change to a file another process may touch goes through
 * fs_lock_acquire + fs_write_atomic (+ fs_lock_release): the fs.update of
 * the Lua API. Locks are advisory flock()s on `<target>.lock`: the kernel
 * drops them when a process dies, so a lock left by a crash never blocks
 * anyone; the lock file is unlinked on release, and a waiter that wakes on
 * an unlinked lock file retries on the new one.
 *
 * Writes go to a hidden temp file in the target's folder
 * (`.<name>.tmp-<pid>-<rand>`), are fsync'ed, then renamed (or linked, for
 * exclusive creation) into place, and the folder is fsync'ed, so a crash at
 * any instant leaves the old file or the new one, never a mix.
 *
 * The commit point. The rename (or link) into place is the moment a write
 * is made: before it, any failure removes the temp file and leaves the old
 * file as it was (a negative return); after it, nothing is undone, written
 * back or retried. A failure after the commit point (the folder's fsync)
 * only means the change may not survive a power loss: the functions that
 * write return it as a positive errno value, "done, not durable", which a
 * caller reports as a warning and treats as success.
 *
 * Clean-up. Temp files and held lock files are registered while they
 * exist and removed when the process exits (exit(), a return from main)
 * or dies of SIGINT, SIGTERM, SIGHUP, SIGQUIT or SIGPIPE, as git's
 * tempfile.c does: the handler unlinks them (async-signal-safe), restores
 * the previous disposition and re-raises. A signal the process ignores
 * (nohup) stays ignored. What a SIGKILL leaves, the next writer in that
 * folder sweeps (fs_sweep).
 *
 * The root. A tree arrives through git from many people, so
 * any folder or file in it may be a symlink to somewhere else. Once
 * fs_set_root names the tree's root, every path under it (as spelt: the
 * root's own text, then '/') is resolved beneath it, by every function
 * here: with openat2(RESOLVE_BENEATH) where the kernel has it (Linux 5.6),
 * else by a walk one component at a time with O_NOFOLLOW from the root's
 * descriptor (core/fs_path.c). A `..` or a link that would lead out of the
 * root is refused with -EXDEV at any component, the last one included,
 * before anything is read or written; nothing outside is ever created,
 * replaced or read. A link that stays inside is followed: relative ones,
 * and absolute ones naming a place under the root's real path. Writes
 * never replace a link (-ELOOP: the rename would put a file where the
 * link was, not write where it leads), nor a FIFO or device (-EINVAL).
 * Paths not under the root (a user's config, the trust list) are opened
 * as given. The root itself may be a link; it is the user's choice.
 *
 * Errors: functions return 0 on success and -errno on failure (errno is
 * also left set). Nothing prints. Nothing here knows about sessions. Not
 * thread-safe (sesslua is single-threaded).
 */
#ifndef SESSLUA_FS_H
#define SESSLUA_FS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Resolve every path under root beneath it from now on (see above); NULL:
 * none (the default). The text is copied; trailing slashes are cut; the
 * root need not exist yet (fs_mkdir_p makes it as typed). 0 or -errno. */
int fs_set_root(const char *root);

/* The root set, or NULL. Owned by fs.c: valid until the next fs_set_root. */
const char *fs_get_root(void);

/* Why a path under the root leads out of it: the link met last on the
 * way (its path, `<root>/...`) and that link's target, as readlink says
 * it. link is empty when no link did it (a `..` in the path itself). */
typedef struct fs_escape {
    char link[PATH_MAX];
    char target[PATH_MAX];
} fs_escape;

/* Walk path as the functions here do and fill *esc: 1 when it leads out
 * of the root, 0 when it does not (or is not under the root), -errno when
 * the root cannot be opened. For messages only: the check that protects
 * is the one each function makes. */
int fs_explain_escape(const char *path, fs_escape *esc);

/* open(path, flags) as every function here opens: beneath the root when
 * path is under it, plainly otherwise; O_CLOEXEC added, EINTR retried.
 * For code that reads files itself (search): open with O_RDONLY |
 * O_NONBLOCK, then fstat and refuse what is not S_ISREG. Returns the
 * descriptor (the caller closes it) or -errno (-EXDEV: a link or `..`
 * leads out of the root). Safe to call from several threads at once as
 * long as no fs_set_root runs meanwhile. */
int fs_open(const char *path, int flags);

/* A descriptor of the root (O_PATH, O_CLOEXEC) for fs_open_in, so that
 * many files are opened beneath one root without opening it for each:
 * the caller closes it. -errno when it cannot be opened, -ENOENT when no
 * root is set. */
int fs_root_fd(void);

/* fs_open, beneath rootfd (fs_root_fd's, for the root set now) instead
 * of the root opened anew; with rootfd < 0, or a path not under the root,
 * exactly fs_open. Safe on several threads as fs_open is. */
int fs_open_in(int rootfd, const char *path, int flags);

/* Tests only: 0 makes every resolution use the walk (as on a kernel
 * without openat2), 1 restores openat2 where the kernel has it. */
void fs_use_openat2(int on);

/* Read a whole regular file (a link followed only while it stays inside
 * the root). On success *data is a malloc'd buffer the
 * caller frees, NUL-terminated (the NUL not counted in *len). A folder is
 * -EISDIR; anything else that is not a regular file (a FIFO, a device) is
 * -EINVAL and is never waited on. */
int fs_read(const char *path, char **data, size_t *len);

/* fs_read, opening beneath rootfd (fs_root_fd's) as fs_open_in does: for
 * many files read one after another on one root. */
int fs_read_in(int rootfd, const char *path, char **data, size_t *len);

/* Write data atomically to path.
 *   mode       permission bits for a new file; an existing file keeps its
 *              own mode.
 *   exclusive  1: fail with -EEXIST when path exists (create-only; the
 *              check and the creation are one atomic step).
 * Returns 0 (done), a positive errno value (done: the new file is in
 * place, but fsyncing its folder failed with that error, so it may not
 * survive a power loss), or -errno (not done: the old file is as it was).
 * An existing file the caller may not write (a 0444 file for a user who
 * is not root, checked with the effective ids) is -EACCES and is never
 * replaced, although the rename the folder allows would replace it.
 * Leaves no temp file behind on any return. Sweeps the folder first
 * (fs_sweep, once per folder per process). */
int fs_write_atomic(const char *path, const char *data, size_t len,
                    mode_t mode, int exclusive);

/* An exclusive advisory lock on `<path>.lock`. */
typedef struct fs_lock {
    int fd;           /* -1 when not held */
    char *lock_path;  /* owned */
} fs_lock;

/* Take the lock, waiting with jittered backoff up to timeout_ms
 * (0: try once). Returns 0, -ETIMEDOUT when still held by another process
 * after the wait, or another -errno. *lock must be zeroed or released
 * first. Sweeps the lock's folder first (once per folder per process). */
int fs_lock_acquire(fs_lock *lock, const char *path, int timeout_ms);

/* Unlink the lock file and drop the lock. Safe on a lock not held. When
 * the unlink fails the lock file is left unheld and is removed at exit
 * (or by the next sweep), still by the locking protocol. */
void fs_lock_release(fs_lock *lock);

/* Move from -> to. Never replaces an existing `to` unless overwrite is set
 * (-EEXIST otherwise; atomic check). Across filesystems falls back to copy
 * into a temp in to's folder, fsync, link into place, then unlink from.
 * Returns as fs_write_atomic: 0, a positive errno (moved, but a folder's
 * fsync failed), or -errno (not moved: `from` is where it was and `to` as
 * it was). The commit point is the rename; across filesystems it is the
 * unlink of `from` (until then the copy is removed again on failure), so a
 * file is never left in both places, except when overwrite replaced an
 * existing `to` and `from` then cannot be unlinked (-errno, both kept). */
int fs_move(const char *from, const char *to, int overwrite);

/* mkdir -p with the given mode for created folders. Below the root each
 * folder is made in its parent opened beneath the root: a link to a
 * folder outside is -EXDEV. A file where a folder belongs is -EEXIST
 * (path itself) or -ENOTDIR (a folder on its way). */
int fs_mkdir_p(const char *path, mode_t mode);

/* fsync a folder (after a rename or unlink in it). */
int fs_sync_dir(const char *dir);

/* Remove what killed writers left in folder dir: temp files
 * `.<name>.tmp-<pid>-<rand>` and probe locks `.sesslua-probe-<pid>-*.lock`
 * whose process is gone on this host (kill(pid, 0) says ESRCH) or that are
 * older than an hour, and empty `*.lock` files no process holds. A file is
 * removed only after taking its flock without waiting (a live writer holds
 * its temp file's lock, a holder its lock file's) and checking the name
 * still leads to the file locked, so nothing in use is ever removed;
 * symlinks and folders are never touched. One readdir of dir. Returns the
 * number of files removed, or -errno when dir cannot be read. Writers call
 * it once per folder per process by themselves; this call always runs. */
int fs_sweep(const char *dir);

#endif
