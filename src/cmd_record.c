// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_record.c: `agentcg record -- CMD...`: run any command (an agent) in a cgroup of its
 * own and write its memory timeline in the shared traces' resources.json shape, so it can
 * be replayed and benched like them.
 */
#include "cmd.h"

#include "cgroup.h"
#include "host.h"
#include "mounts.h"
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void record_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg record [--interval MS] [--output FILE] [--root PATH] [--user USER]\n"
		"                      -- CMD [ARG...]\n"
		"\n"
		"Run CMD in a cgroup of its own (a session under the managed root) and sample the\n"
		"cgroup's memory usage every interval, and once more the moment CMD exits (so the\n"
		"recording lasts as long as CMD did). The timeline is written in the resources.json\n"
		"shape of the shared traces (epoch, mem_usage text, plus exact bytes), so 'agentcg\n"
		"replay' and the bench take it like any real trace. CPU is not recorded. Processes\n"
		"CMD leaves behind are ended when it exits (their cgroup goes).\n"
		"\n"
		"Options:\n"
		"  --interval MS   sampling period (default 1000, as the shared traces; min 10)\n"
		"  --output FILE   where the trace goes (default record-<CMD>-<time>.json here)\n"
		"  --root PATH     managed root (default: agentcg under the memory controller)\n"
		"  --user USER     run CMD as USER (name or number; default: under sudo, the\n"
		"                  user who ran sudo, else the caller)\n"
		"  -h, --help      this text\n"
		"\n"
		"Examples:\n"
		"  sudo agentcg record --output pytest.json -- python3 -m pytest -q\n"
		"  sudo agentcg record --interval 100 -- make -j2\n"
		"\n"
		"Exit status: CMD's own (128+N if it died of signal N); 1 or 2 if recording could\n"
		"not start (2: an --output that cannot be written, found before CMD runs); 127 if\n"
		"CMD could not be run.\n");
}

static double epoch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* a before b */
static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * Wait until the absolute CLOCK_MONOTONIC time next, or until pid exits, whichever comes
 * first: 1 when it exited (reaped, *ret_status set), 0 at next, or -errno. The exit wakes
 * us through a pidfd; without one (kernels before 5.3) we look every 10 ms.
 */
static int wait_tick(pid_t pid, int pidfd, const struct timespec *next, int *ret_status)
{
	for (;;) {
		struct timespec now, left;
		pid_t w = waitpid(pid, ret_status, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0 && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!ts_before(&now, next))
			return 0;
		left.tv_sec = next->tv_sec - now.tv_sec;
		left.tv_nsec = next->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (pidfd >= 0) {
			struct pollfd p = {pidfd, POLLIN, 0};

			ppoll(&p, 1, &left, NULL); /* EINTR (a forwarded signal): look again */
		} else {
			if (left.tv_sec > 0 || left.tv_nsec > 10000000L)
				left = (struct timespec){0, 10000000L};
			nanosleep(&left, NULL);
		}
	}
}

/*
 * A sample now and every interval after, and one more the moment CMD exits, so the
 * recording lasts as long as CMD did (not up to the next interval).
 */
static int sample_until_exit(struct acg_cg *cg, pid_t pid, unsigned int interval_ms,
			     struct acg_recording *rec, int *ret_status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), r = 0;
	struct timespec next;
	uint64_t usage;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		if (acg_cg_usage(cg, &usage) == 0 &&
		    acg_recording_add(rec, epoch_now(), usage) < 0) {
			r = -ENOMEM;
			break;
		}
		if (r == 1) {
			r = 0;
			break;
		}
		next.tv_nsec += (long)(interval_ms % 1000) * 1000000L;
		next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		r = wait_tick(pid, pidfd, &next, ret_status);
		if (r < 0)
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

static int finish(struct acg_recording *rec, char **cmd, unsigned int interval_ms, int status,
		  const char *output)
{
	json_t *doc = acg_recording_json(rec, acg_host_mem_total(), cmd, interval_ms, status);
	int r;

	if (!doc) {
		acg_err("record: cannot build the trace");
		return -ENOMEM;
	}
	r = acg_write_json(doc, output);
	json_decref(doc);
	if (r < 0)
		acg_err("record: cannot write %s: %s", output, strerror(-r));
	else
		fprintf(stderr, "record: %zu samples of '%s' in %s\n", rec->n, cmd[0], output);
	return r;
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{"interval", required_argument, NULL, 'i'},
		{"output", required_argument, NULL, 'o'},
		{"root", required_argument, NULL, 'r'},
		{"user", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *output = NULL, *root_path = NULL, *user = NULL;
	struct acg_ident id;
	struct acg_diag why;
	struct acg_recording rec = {0};
	struct acg_cg *root = NULL, *cg = NULL;
	struct acg_mounts m;
	double interval = 1000;
	char name[64], defout[512];
	int c, r, status = 0, exec_err = 0, code = ACG_EXIT_FAIL;
	pid_t pid;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!acg_opt_double("record", "--interval", optarg, 10, 3600000, &interval))
				return ACG_EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'r':
			root_path = optarg;
			break;
		case 'h':
			record_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("record", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		acg_err("record: which command? ('agentcg record -- CMD ARGS...')");
		return ACG_EXIT_USAGE;
	}
	if (!output) {
		const char *base = strrchr(argv[optind], '/');

		snprintf(defout, sizeof(defout), "record-%.64s-%ld.json",
			 base ? base + 1 : argv[optind], (long)time(NULL));
		output = defout;
	}
	if (!acg_output_ok("record", output))
		return ACG_EXIT_USAGE;
	if (acg_ident_resolve(user, &id, &why) < 0) {
		acg_err("record: %s", why.msg);
		return ACG_EXIT_USAGE;
	}
	r = acg_mounts_detect(&m);
	if (r == 0)
		r = acg_root_open(&m, root_path, true, &root);
	if (r < 0) {
		acg_err("record: cannot open the managed root %s: %s%s",
			root_path ? root_path : ACG_DEFAULT_ROOT,
			r == -ENOTSUP ? "no memory controller there" : strerror(-r),
			acg_root_hint(r));
		return r == -EINVAL ? ACG_EXIT_USAGE : ACG_EXIT_FAIL;
	}
	snprintf(name, sizeof(name), "record-%d", (int)getpid());
	r = acg_cg_child_new(root, name, &cg);
	if (r < 0) {
		acg_err("record: cannot create %s/%s: %s%s", acg_cg_path(root), name, strerror(-r),
			acg_root_hint(r));
		goto out;
	}
	pid = acg_spawn_in_cgroup(cg, argv + optind, &id, &exec_err);
	if (pid < 0) {
		acg_err("record: cannot start '%s' in %s: %s", argv[optind], acg_cg_path(cg),
			strerror((int)-pid));
		goto out;
	}
	r = sample_until_exit(cg, pid, (unsigned int)interval, &rec, &status);
	acg_forward_signals(0);
	if (exec_err) {
		acg_err("record: cannot run '%s': %s", argv[optind], strerror(exec_err));
		code = 127;
		goto out;
	}
	if (r < 0)
		acg_err("record: sampling stopped: %s", strerror(-r));
	if (finish(&rec, argv + optind, (unsigned int)interval, status, output) == 0 && r == 0)
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (cg)
		acg_cg_remove(cg);
	acg_cg_free(cg);
	if (root && acg_cg_created(root))
		acg_cg_remove_if_empty(root);
	acg_cg_free(root);
	acg_recording_free(&rec);
	return code;
}
