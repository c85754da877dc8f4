/*
 * fs_internal.h — what core/fs.c, core/fs_path.c and core/fs_clean.c share.
 * Not a public header: the rest of sesslua includes fs.h only.
 *
 * Every function returns a descriptor or 0 on success and -errno on
 * failure (errno set too), as fs.h's do.
 */
#ifndef SESSLUA_FS_INTERNAL_H
#define SESSLUA_FS_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* O_PATH (Linux 2.6.39) is declared under _GNU_SOURCE only, which fs.c is
 * built without; glibc always has the value as __O_PATH. A folder opened
 * with it needs only search permission on the way, as lstat() does. */
#ifndef O_PATH
#define O_PATH __O_PATH
#endif

/* Record e in errno and return it negated: the one exit for failures. */
static inline int fs_fail(int e)
{
    if (e <= 0) /* never report success by mistake (errno was not set) */
        e = EIO;
    errno = e;
    return -e;
}

/* Pointer to the last component of path (callers pass file paths, with no
 * trailing slash). */
static inline const char *fs_base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* malloc'd copy of the folder part of path ("." when there is none). */
char *fs_dir_of(const char *path);

/* ---- fs_path.c: paths beneath the root (fs_set_root) ------------------- */

/* open(path, flags, mode), resolved beneath the root when path is under it
 * (as fs.h says), plainly otherwise. O_CLOEXEC is added; EINTR retried.
 * O_NOFOLLOW in flags: the last component is never followed (-ELOOP).
 * Returns the descriptor or -errno (-EXDEV: a link or `..` leads out). */
int fsp_open(const char *path, int flags, mode_t mode);

/* The folder that holds path, open (O_PATH | O_DIRECTORY: for the *at()
 * calls, not for fsync or readdir) and resolved
 * as fsp_open does; *base points at path's last component. A path that
 * ends in "." or ".." is refused (-EINVAL): the name must be a name. */
int fsp_dir(const char *path, const char **base);

/* ---- fs_clean.c: leftovers of killed writers --------------------------- */

/* fs_sweep(dir), the first time this process writes in dir. */
void fsc_sweep_once(const char *dir);

/* Remove name in the folder dfd if no process holds its flock (regular
 * files only, never through a link; need_empty: only an empty one): by
 * name in a folder held open, so a folder renamed or swapped for a link
 * since never sends the removal elsewhere. 1 removed, 0 not. */
int fsc_remove_unheld_at(int dfd, const char *name, int need_empty);

#endif
