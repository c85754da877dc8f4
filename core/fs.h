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
 * Errors: functions return 0 on success and -errno on failure (errno is
 * also left set). Nothing prints. Nothing here knows about sessions.
 */
#ifndef SESSLUA_FS_H
#define SESSLUA_FS_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole regular file. On success *data is a malloc'd buffer the
 * caller frees, NUL-terminated (the NUL not counted in *len). A folder is
 * -EISDIR; anything else that is not a regular file (a FIFO, a device) is
 * -EINVAL and is never waited on. */
int fs_read(const char *path, char **data, size_t *len);

/* Write data atomically to path.
 *   mode       permission bits for a new file; an existing file keeps its
 *              own mode.
 *   exclusive  1: fail with -EEXIST when path exists (create-only; the
 *              check and the creation are one atomic step).
 * Leaves no temp file behind on any failure. */
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
 * first. */
int fs_lock_acquire(fs_lock *lock, const char *path, int timeout_ms);

/* Unlink the lock file and drop the lock. Safe on a lock not held. */
void fs_lock_release(fs_lock *lock);

/* Move from -> to. Never replaces an existing `to` unless overwrite is set
 * (-EEXIST otherwise; atomic check). Across filesystems falls back to copy
 * into a temp in to's folder, fsync, link into place, then unlink from. */
int fs_move(const char *from, const char *to, int overwrite);

/* mkdir -p with the given mode for created folders. */
int fs_mkdir_p(const char *path, mode_t mode);

/* fsync a folder (after a rename or unlink in it). */
int fs_sync_dir(const char *dir);

#endif
