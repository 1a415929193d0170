// SPDX-License-Identifier: GPL-2.0
/* notify.c: sd_notify's protocol, without libsystemd (notify.h). */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int acg_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len;
	socklen_t salen;
	ssize_t w;
	int fd, r = 0;

	if (!name || !*name)
		return 1;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0'; /* the abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	if (w < 0)
		r = -errno;
	else if ((size_t)w != strlen(state))
		r = -EIO;
	close(fd);
	return r;
}

double acg_watchdog_s(long pid)
{
	const char *usec = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
	char *end;
	unsigned long long u;

	if (!usec || !*usec)
		return 0;
	if (wpid && *wpid) {
		long p;

		errno = 0;
		p = strtol(wpid, &end, 10);
		if (errno || *end || p != pid)
			return 0;
	}
	errno = 0;
	u = strtoull(usec, &end, 10);
	if (errno || *end || u == 0 || usec[0] == '-')
		return 0;
	return (double)u / 1e6;
}
