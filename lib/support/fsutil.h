/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fsutil.h: file access for cgroupfs and procfs that never leaves a directory it was
 * handed. Everything under a managed root goes through a directory fd and one validated
 * name at a time, opened with O_NOFOLLOW: no "..", no symlink is ever followed.
 * Functions return >= 0 or -errno and print nothing.
 */
#ifndef AGENTCG_FSUTIL_H
#define AGENTCG_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Longest session or cgroup name we accept. */
#define ACG_NAME_MAX 64

/*
 * A valid name is one path component of 1..ACG_NAME_MAX characters from [A-Za-z0-9_.-],
 * not starting with '.' (so never "." or ".."), and not a cgroupfs control-file prefix
 * ("cgroup.", "memory.", ...), which could shadow a kernel file.
 */
bool acg_name_valid(const char *name);

/*
 * Open name, one component (no '/', not ".."), inside dirfd, never leaving it: openat2()
 * with RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS and RESOLVE_NO_MAGICLINKS (the kernel checks it
 * too), falling back to openat() with O_NOFOLLOW where openat2 is missing (kernels before
 * 5.6, valgrind). dirfd AT_FDCWD (a system file by absolute path) uses openat() O_NOFOLLOW.
 * O_CLOEXEC is always added. Returns the fd or -errno (-EXDEV or -ELOOP for an escape).
 */
int acg_openat(int dirfd, const char *name, int flags);

/* Read a whole (small) file by absolute path into a NUL-terminated malloc'd buffer. */
int acg_read_text(const char *path, char **ret);

/* Same, for name inside dirfd, not following a symlink. */
int acg_read_text_at(int dirfd, const char *name, char **ret);

/*
 * Read a file the user named (a trace) whole, NUL-terminated and malloc'd, its length in
 * *ret_len (may be NULL). Unlike the confined calls above, path is resolved as any path
 * the user gives, symlinks included. It is opened O_NONBLOCK (a FIFO cannot block) and
 * must be a regular file: else -EINVAL, with its type (S_IFIFO, S_IFCHR, S_IFDIR, ...) in
 * *ret_type (may be NULL); more than max bytes is -EFBIG. Other failures: -errno.
 */
int acg_read_user_file(const char *path, size_t max, char **ret, size_t *ret_len, mode_t *ret_type);

/*
 * Open a file the user named for reading as a stream, as acg_read_user_file() reads one:
 * symlinks followed, never blocking on a FIFO, a regular file only (else NULL with errno
 * EINVAL). NULL with errno on any other failure.
 */
FILE *acg_fopen_user(const char *path);

/* What a file of type (st_mode & S_IFMT) that is not a regular one is: "a FIFO", ... */
const char *acg_file_type_name(mode_t type);

/* Read the file into buf (NUL-terminated, truncated to size - 1). Returns the length. */
int acg_read_buf_at(int dirfd, const char *name, char *buf, size_t size);

/* Read one number ("max" = ACG_UNLIMITED) from a file inside dirfd. */
int acg_read_u64_at(int dirfd, const char *name, uint64_t *ret);

/* Write s to an existing file inside dirfd with a single write(2), as cgroupfs wants. */
int acg_write_at(int dirfd, const char *name, const char *s);

/*
 * Open the directory at relpath below dirfd, one component at a time, each checked with
 * acg_name_valid() and opened O_NOFOLLOW|O_DIRECTORY. relpath "" opens dirfd itself.
 */
int acg_open_dir_beneath(int dirfd, const char *relpath, int *ret_fd);

/*
 * Create the directory path and any missing parent, like `mkdir -p` (each with mode, less
 * the umask); an existing directory is fine. For the user's own output paths, not for
 * cgroupfs: symlinks in path are followed. Returns 0 or -errno (-ENOTDIR when a component
 * exists and is not a directory); failed (may be NULL) then holds the path up to the
 * component that could not be made.
 */
int acg_mkdir_p(const char *path, mode_t mode, char *failed, size_t size);

/*
 * For the user's output files, which must never be written through whatever a results
 * directory holds at their names: a new temporary file for name inside dirfd,
 * ".<name>.<pid>.<n>" made with O_CREAT|O_EXCL|O_NOFOLLOW (mode, less the umask), its name
 * in tmp; acg_replace_at() then puts it in place. name is one component. Returns the fd
 * (O_WRONLY, close-on-exec) or -errno.
 */
int acg_create_tmp_at(int dirfd, const char *name, mode_t mode, char *tmp, size_t size);

/*
 * Rename tmp over name inside dirfd: whatever name was (a symlink, a FIFO, a hard link to
 * another file) is replaced, its target untouched. On failure tmp is removed. 0 or -errno.
 */
int acg_replace_at(int dirfd, const char *tmp, const char *name);

/*
 * Make the directory path (its parent must exist) unless it is one already; one that is
 * there as a symlink is refused (-ELOOP), as is anything else (-ENOTDIR): a results
 * directory's subdirectories are never reached through what the directory holds.
 */
int acg_mkdir_here(const char *path, mode_t mode);

/*
 * A results file written as a new file and renamed into place when closed, never through
 * what path names now (a symlink planted there is replaced, its target untouched):
 * acg_newfile_open() makes it (acg_create_tmp_at() in path's directory) and gives a stream
 * in nf->f; acg_newfile_close() flushes and closes it and renames it into place, or with
 * keep false (or after a write error) removes it. 0 or -errno.
 */
struct acg_newfile {
	FILE *f;
	int dirfd;
	char name[256], tmp[300];
};
int acg_newfile_open(struct acg_newfile *nf, const char *path, mode_t mode);
int acg_newfile_close(struct acg_newfile *nf, bool keep);

#endif
