// SPDX-License-Identifier: GPL-2.0
/*
 * fsutil.c: confined, single-write file access for cgroupfs and procfs (see fsutil.h).
 */
#include "fsutil.h"

#include "parse.h"

#include <errno.h>
#include <linux/openat2.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const reserved_prefixes[] = {
	"cgroup.", "memory.",		"freezer.",	 "cpu.",  "io.",
	"pids.",   "notify_on_release", "release_agent", "tasks",
};

bool acg_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > ACG_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	for (size_t i = 0; i < sizeof(reserved_prefixes) / sizeof(reserved_prefixes[0]); i++)
		if (strncmp(name, reserved_prefixes[i], strlen(reserved_prefixes[i])) == 0)
			return false;
	return true;
}

/* Read fd to its end, at most max bytes (more: -EFBIG), into a NUL-terminated buffer. */
static int read_fd_text(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len > max) {
			free(buf);
			return -EFBIG;
		}
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;

			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int acg_openat(int dirfd, const char *name, int flags)
{
	static bool no_openat2;
	int fd;

	/* one component: a '/' or ".." is refused before the kernel sees it, so the fallback
	 * below confines as much as openat2 does (O_NOFOLLOW checks only the last one) */
	if (dirfd != AT_FDCWD && (strchr(name, '/') || strcmp(name, "..") == 0))
		return -EXDEV;
	if (dirfd != AT_FDCWD && !no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
		};

		fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
		/* before Linux 5.6: the per-component O_NOFOLLOW below is the confinement */
		no_openat2 = true;
	}
	fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

static int open_at(int dirfd, const char *name, int flags)
{
	return acg_openat(dirfd, name, flags);
}

int acg_read_text(const char *path, char **ret)
{
	return acg_read_text_at(AT_FDCWD, path, ret);
}

int acg_read_text_at(int dirfd, const char *name, char **ret)
{
	int fd = open_at(dirfd, name, O_RDONLY);
	int r;

	if (fd < 0)
		return fd;
	r = read_fd_text(fd, SIZE_MAX - 1, ret, NULL);
	close(fd);
	return r;
}

int acg_read_user_file(const char *path, size_t max, char **ret, size_t *ret_len, mode_t *ret_type)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else {
		if (ret_type)
			*ret_type = st.st_mode & S_IFMT;
		if (!S_ISREG(st.st_mode))
			r = -EINVAL;
		else if ((uint64_t)st.st_size > max)
			r = -EFBIG;
		else
			r = read_fd_text(fd, max, ret, ret_len);
	}
	close(fd);
	return r;
}

const char *acg_file_type_name(mode_t type)
{
	switch (type) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	default:
		return "not a file";
	}
}

FILE *acg_fopen_user(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), e;
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		e = errno;
	else
		e = 0;
	if (e) {
		close(fd);
		errno = e;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

int acg_read_buf_at(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = open_at(dirfd, name, O_RDONLY);
	size_t len = 0;

	if (fd < 0)
		return fd;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (int)len;
}

int acg_read_u64_at(int dirfd, const char *name, uint64_t *ret)
{
	char buf[64];
	int r = acg_read_buf_at(dirfd, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	return acg_parse_u64(buf, ret);
}

int acg_write_at(int dirfd, const char *name, const char *s)
{
	int fd = open_at(dirfd, name, O_WRONLY);
	size_t len = strlen(s);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return fd;
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

int acg_open_dir_beneath(int dirfd, const char *relpath, int *ret_fd)
{
	char comp[ACG_NAME_MAX + 1];
	const char *p = relpath;
	int fd = open_at(dirfd, ".", O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return fd;
	while (*p) {
		size_t n = strcspn(p, "/");
		int next;

		if (n == 0 || n > ACG_NAME_MAX) {
			close(fd);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!acg_name_valid(comp)) {
			close(fd);
			return -EINVAL;
		}
		next = open_at(fd, comp, O_RDONLY | O_DIRECTORY);
		close(fd);
		if (next < 0)
			return next;
		fd = next;
		p += n;
		if (*p == '/')
			p++;
	}
	*ret_fd = fd;
	return 0;
}

/* Make path unless it is there as a directory (follow: a symlink to one will do; else
 * a symlink there is -ELOOP). */
static int mkdir_dir(const char *path, mode_t mode, bool follow)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int acg_mkdir_p(const char *path, mode_t mode, char *failed, size_t size)
{
	char buf[4096];
	size_t len = strlen(path);
	int r = 0;

	if (len == 0)
		return -ENOENT;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	/* every prefix ending before a '/' (not the root, not an empty one), then path */
	for (size_t i = 1; i <= len && r == 0; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue;
		buf[i] = '\0';
		r = mkdir_dir(buf, mode, true);
		if (r < 0 && failed && size)
			snprintf(failed, size, "%s", buf);
		if (i < len)
			buf[i] = '/';
	}
	return r;
}

int acg_create_tmp_at(int dirfd, const char *name, mode_t mode, char *tmp, size_t size)
{
	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	for (unsigned int n = 0; n < 100; n++) {
		int fd;

		if (snprintf(tmp, size, ".%s.%d.%u", name, (int)getpid(), n) >= (int)size)
			return -ENAMETOOLONG;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int acg_replace_at(int dirfd, const char *tmp, const char *name)
{
	int r = 0;

	if (strchr(name, '/'))
		r = -EINVAL;
	else if (renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int acg_mkdir_here(const char *path, mode_t mode)
{
	return mkdir_dir(path, mode, false);
}

int acg_newfile_open(struct acg_newfile *nf, const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd, r;

	*nf = (struct acg_newfile){.dirfd = -1};
	if (slash) {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (!dir[0])
			snprintf(dir, sizeof(dir), "/");
	} else {
		snprintf(dir, sizeof(dir), ".");
	}
	if (snprintf(nf->name, sizeof(nf->name), "%s", slash ? slash + 1 : path) >=
	    (int)sizeof(nf->name))
		return -ENAMETOOLONG;
	nf->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (nf->dirfd < 0)
		return -errno;
	fd = acg_create_tmp_at(nf->dirfd, nf->name, mode, nf->tmp, sizeof(nf->tmp));
	if (fd >= 0 && !(nf->f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlinkat(nf->dirfd, nf->tmp, 0);
		fd = r;
	}
	if (fd < 0) {
		close(nf->dirfd);
		nf->dirfd = -1;
		return fd;
	}
	return 0;
}

int acg_newfile_close(struct acg_newfile *nf, bool keep)
{
	int r = 0;

	if (!nf->f)
		return -EBADF;
	/* the flush first: its errno (ENOSPC) is the one to say; an earlier failed write
	 * left only the stream's error flag */
	errno = 0;
	if (fflush(nf->f) != 0 || ferror(nf->f))
		r = errno ? -errno : -EIO;
	if (fclose(nf->f) != 0 && r == 0)
		r = -errno;
	nf->f = NULL;
	if (keep && r == 0)
		r = acg_replace_at(nf->dirfd, nf->tmp, nf->name);
	else
		unlinkat(nf->dirfd, nf->tmp, 0);
	close(nf->dirfd);
	nf->dirfd = -1;
	return r;
}
