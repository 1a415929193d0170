// SPDX-License-Identifier: GPL-2.0
/*
 * output.c: writing results. A JSON document for a regular file goes to a temporary file
 * beside the target and is renamed into place, so a reader never sees half a result. A
 * target that exists and is not a regular file (/dev/null, a FIFO, a terminal) is written
 * in place: renaming over it would replace the device. "-" is stdout.
 */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dump(json_t *doc, FILE *f)
{
	errno = 0;
	if (json_dumpf(doc, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF || fflush(f) != 0)
		return errno ? -errno : -EIO;
	return 0;
}

int acg_write_json(json_t *doc, const char *path)
{
	struct stat st;
	char tmp[4096];
	FILE *f;
	int r = 0;

	if (!path || strcmp(path, "-") == 0)
		return dump(doc, stdout);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f = fopen(path, "we");
		if (!f)
			return -errno;
		r = dump(doc, f);
		if (fclose(f) != 0 && !r)
			r = -errno;
		return r;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	r = dump(doc, f);
	if (!r && fsync(fileno(f)) != 0)
		r = -errno;
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

int acg_output_check(const char *path)
{
	struct stat st;
	char tmp[4096];
	int fd, r = 0;

	if (!path || strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return -EISDIR;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a FIFO's open would wait for its reader: it is written in place, unprobed */
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return 0;
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (write(fd, "", 0) < 0)
			r = -errno;
		close(fd);
		return r;
	}
	/* the temporary file acg_write_json() will write, made and removed now */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	{
		ssize_t w = write(fd, "{", 1);

		if (w != 1)
			r = w < 0 ? -errno : -EIO;
	}
	close(fd);
	unlink(tmp);
	return r;
}

bool acg_output_ok(const char *cmd, const char *path)
{
	int r = acg_output_check(path);

	if (r < 0)
		acg_err("%s: --output %s: cannot write a result there: %s", cmd, path,
			strerror(-r));
	return r == 0;
}
