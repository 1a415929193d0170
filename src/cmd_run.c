// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_run.c: `agentcg run --priority high|low -- CMD...`: start any command (an agent) as
 * a session under the daemon's root, named <priority>-<name>, wait for it, and remove its
 * cgroup when it is done (ending whatever it left running). Exits with CMD's status.
 * With --podman the session is a podman container: `podman run` starts it with its cgroup
 * beneath the session's (docs/containers.md).
 */
#include "cmd.h"

#include "cgroup.h"
#include "fsutil.h"
#include "mounts.h"
#include "policy.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg run --priority high|low [--name NAME] [--root PATH] [--user USER]\n"
		"                   [--peak-mb N] -- CMD [ARG...]\n"
		"       agentcg run --priority high|low [--name NAME] [--root PATH] --podman\n"
		"                   -- [PODMAN-RUN-OPTION...] IMAGE [ARG...]\n"
		"\n"
		"Run CMD as a session of the given priority under the daemon's root (cgroup\n"
		"<root>/<priority>-<NAME>). 'agentcg daemon' manages it from then on: a HIGH\n"
		"session keeps allocating, a LOW one may be held while HIGH needs the memory.\n"
		"When CMD exits its cgroup is removed (anything it left running is ended).\n"
		"\n"
		"Options:\n"
		"  --priority P   high or low (required)\n"
		"  --name NAME    session name, [A-Za-z0-9_.-], at most 59 characters with high,\n"
		"                 60 with low (default: CMD's name and this process's pid)\n"
		"  --root PATH    the daemon's root (default agentcg); it must exist\n"
		"  --user USER    run CMD as USER (a name or a number), with its groups, HOME\n"
		"                 and SHELL. Default: under sudo, the user who ran sudo\n"
		"                 (SUDO_UID); as root without sudo, run refuses: an agent run\n"
		"                 as root could lift its own clamp or stop the daemon (say\n"
		"                 --user root to insist)\n"
		"  --peak-mb N    the most CMD is expected to hold, MiB: for a HIGH session the\n"
		"                 daemon keeps room up to it free before the burst comes (kept\n"
		"                 as the xattr user.agentcg.peak_mb of the session's cgroup)\n"
		"  --podman       the session is a container: everything after -- is given to\n"
		"                 'podman run' (its options, then IMAGE [ARG...]), with the\n"
		"                 container's cgroup beneath the session's (--cgroup-parent,\n"
		"                 cgroupfs manager, --cgroups=no-conmon, --rm; --runtime=runc\n"
		"                 on a hybrid host). Needs root, refused through sudo; podman\n"
		"                 and conmon run outside the session; --user does not apply\n"
		"                 (podman run's own --user sets the container's user)\n"
		"  -h, --help     this text\n"
		"\n"
		"Examples:\n"
		"  sudo agentcg run --priority high --name alice -- claude -p 'fix the tests'\n"
		"  sudo agentcg run --priority high --peak-mb 2048 -- pytest -n 4\n"
		"  sudo agentcg run --priority low -- make -j2 test\n"
		"  agentcg run --priority low --user ci --name nightly -- ./build.sh   (as root)\n"
		"  agentcg run --priority low --name swe1 --podman -- --network none img pytest\n"
		"\n"
		"Exit status: CMD's own (128+N if it died of signal N); 127 if it could not be\n"
		"run; 1 or 2 if the session could not be made. With --podman, podman's: the\n"
		"container's code, 137 if it was killed, 125-127 if podman itself failed.\n");
}

/*
 * `podman run` for a container whose cgroup is beneath cg's: the cgroupfs manager, so the
 * runtime makes <session>/libpod-<id> under the path given and not a systemd scope
 * elsewhere; conmon, the container's monitor, left with podman outside the session
 * (--cgroups=no-conmon; else podman puts it in <session>/conmon, where a kill of the
 * session kills it too and podman never learns how the container ended); --rm, so nothing
 * of it outlives the session; a label naming the session. On a hybrid host runc: crun
 * (1.8) refuses hybrid hosts whose cgroup2 has any controller. The user's options come
 * after ours, so theirs win. malloc'd.
 */
static char **podman_argv(const struct acg_mounts *m, const struct acg_cg *cg, const char *cgname,
			  char **user_args, int n_user)
{
	static char parent[ACG_PATH_MAX + 32], label[ACG_NAME_MAX + 32];
	size_t ml = strlen(m->mem_path);
	const char *path = acg_cg_path(cg);
	char **v = calloc((size_t)n_user + 9, sizeof(*v));
	int n = 0;

	if (!v || strncmp(path, m->mem_path, ml) != 0) {
		free(v);
		return NULL;
	}
	/* the path below the hierarchy's root, as cgroupfs managers take it */
	snprintf(parent, sizeof(parent), "--cgroup-parent=%s", path + ml);
	snprintf(label, sizeof(label), "--label=agentcg.session=%s", cgname);
	v[n++] = "podman";
	v[n++] = "run";
	v[n++] = "--cgroup-manager=cgroupfs";
	v[n++] = parent;
	v[n++] = label;
	v[n++] = "--cgroups=no-conmon";
	v[n++] = "--rm";
	if (m->mode == ACG_CGMODE_HYBRID)
		v[n++] = "--runtime=runc";
	for (int i = 0; i < n_user; i++)
		v[n++] = user_args[i];
	v[n] = NULL;
	return v;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"priority", required_argument, NULL, 'p'}, {"name", required_argument, NULL, 'n'},
		{"root", required_argument, NULL, 'r'},	    {"user", required_argument, NULL, 'u'},
		{"peak-mb", required_argument, NULL, 'k'},  {"podman", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},	    {0},
	};
	double peak_mb = -1;
	const char *prio = NULL, *name = NULL, *root_path = NULL, *user = NULL;
	struct acg_ident id;
	struct acg_diag why;
	struct acg_cg *root = NULL, *cg = NULL;
	char cgname[ACG_NAME_MAX + 1];
	struct acg_mounts m;
	enum acg_prio p;
	int c, r, status = 0, exec_err = 0, code = ACG_EXIT_FAIL;
	bool podman = false;
	char **pargv = NULL;
	pid_t pid;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (prio) {
				/* a sudoers rule pins one; a second must not override it */
				acg_err("run: --priority given twice");
				return ACG_EXIT_USAGE;
			}
			prio = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'r':
			root_path = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'k':
			if (!acg_opt_double("run", "--peak-mb", optarg, 0, 1 << 24, &peak_mb))
				return ACG_EXIT_USAGE;
			break;
		case 'P':
			podman = true;
			break;
		case 'h':
			run_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("run", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		acg_err(podman ? "run: which image? ('agentcg run --priority low --podman -- "
				 "[PODMAN-RUN-OPTION...] IMAGE [ARG...]')"
			       : "run: which command? ('agentcg run --priority low -- CMD ARGS...')");
		return ACG_EXIT_USAGE;
	}
	if (podman && user) {
		acg_err("run: --user does not apply with --podman: podman runs as root and the "
			"container's user is podman run's own --user (after --)");
		return ACG_EXIT_USAGE;
	}
	if (podman && getenv("SUDO_UID") && strcmp(getenv("SUDO_UID"), "0") != 0) {
		/* podman run's options are the caller's: --privileged, --volume /:/host */
		acg_err("run: --podman is refused through sudo: podman run's own options "
			"(--privileged, --volume /:/host, ...) would give uid %s root",
			getenv("SUDO_UID"));
		return ACG_EXIT_USAGE;
	}
	if (podman && geteuid() != 0) {
		acg_err("run: --podman needs root (a rootful podman with the cgroupfs manager makes "
			"the container's cgroup beneath the session's)");
		return ACG_EXIT_USAGE;
	}
	if (!prio || acg_prio_parse(prio, &p) < 0) {
		acg_err("run: --priority must be high or low");
		return ACG_EXIT_USAGE;
	}
	if (name && strlen(name) > ACG_NAME_MAX - strlen(prio) - 1) {
		/* cut, it would be another session's name (or collide with one) */
		acg_err("run: --name is %zu characters; at most %zu with --priority %s (the "
			"session's cgroup %s-NAME is at most %d)",
			strlen(name), ACG_NAME_MAX - strlen(prio) - 1, prio, prio, ACG_NAME_MAX);
		return ACG_EXIT_USAGE;
	}
	if (name)
		snprintf(cgname, sizeof(cgname), "%s-%s", prio, name);
	else if (podman)
		snprintf(cgname, sizeof(cgname), "%s-podman-%d", prio, (int)getpid());
	else {
		const char *b = strrchr(argv[optind], '/');

		snprintf(cgname, sizeof(cgname), "%s-%.32s-%d", prio, b ? b + 1 : argv[optind],
			 (int)getpid());
	}
	if (!acg_name_valid(cgname) || acg_prio_from_cgroup(cgname, &p) < 0) {
		acg_err("run: session name '%s' is not valid ([A-Za-z0-9_.-], at most %d)", cgname,
			ACG_NAME_MAX);
		return ACG_EXIT_USAGE;
	}
	if (podman) {
		id = (struct acg_ident){0}; /* podman as the caller, root */
	} else if (acg_ident_resolve(user, &id, &why) < 0) {
		acg_err("run: %s", why.msg);
		return ACG_EXIT_USAGE;
	}
	/* through sudo, a user may start sessions as themselves only */
	if (user && geteuid() == 0 && getenv("SUDO_UID") && strcmp(getenv("SUDO_UID"), "0") != 0 &&
	    (unsigned long)id.uid != strtoul(getenv("SUDO_UID"), NULL, 10)) {
		acg_err("run: --user %s: through sudo, sessions run as the user who ran sudo "
			"(uid %s)",
			user, getenv("SUDO_UID"));
		return ACG_EXIT_USAGE;
	}
	if (!podman && id.uid == 0 && !user) {
		acg_err("run: refusing to run '%s' as root: an agent run as root could lift its own "
			"clamp or stop the daemon; give --user USER (or run through sudo), or --user "
			"root to insist",
			argv[optind]);
		return ACG_EXIT_USAGE;
	}
	r = acg_mounts_detect(&m);
	if (r == 0)
		r = acg_root_open(&m, root_path, false, &root);
	if (r < 0) {
		acg_err("run: no daemon root %s: %s (start 'agentcg daemon' first)",
			root_path ? root_path : ACG_DEFAULT_ROOT, strerror(-r));
		return r == -EINVAL ? ACG_EXIT_USAGE : ACG_EXIT_FAIL;
	}
	r = acg_cg_child_new(root, cgname, &cg);
	if (r < 0) {
		acg_err("run: cannot create %s/%s: %s%s", acg_cg_path(root), cgname,
			r == -EEXIST   ? "a session of that name is running"
			: r == -ENOMEM ? "the budget is full (on cgroup v1 a new cgroup's own "
					 "memory is charged to it); try again when sessions shrink"
				       : strerror(-r),
			acg_root_hint(r));
		goto out;
	}
	/* the declaration goes with the cgroup, where the daemon reads it */
	if (peak_mb >= 0 && (r = acg_cg_peak_set(cg, peak_mb)) < 0) {
		acg_err("run: --peak-mb: cannot declare it on %s (extended attribute %s): %s%s",
			acg_cg_path(cg), ACG_XATTR_PEAK, strerror(-r),
			r == -EOPNOTSUPP ? " (this kernel keeps no user xattrs on cgroupfs; v2 "
					   "has them since 5.7): run without --peak-mb"
					 : "");
		goto out;
	}
	if (podman) {
		pargv = podman_argv(&m, cg, cgname, argv + optind, argc - optind);
		if (!pargv) {
			acg_err("run: cannot make podman's command line for %s", acg_cg_path(cg));
			goto out;
		}
	}
	/* podman (and its conmon) stay where run is: only the container joins the session, in
	 * a cgroup of its own below it, so the session itself holds no process */
	pid = podman ? acg_spawn_in_cgroup(NULL, pargv, NULL, &exec_err)
		     : acg_spawn_in_cgroup(cg, argv + optind, &id, &exec_err);
	if (pid < 0) {
		acg_err("run: cannot start '%s' in %s: %s", podman ? "podman" : argv[optind],
			acg_cg_path(cg), strerror(-pid));
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	acg_forward_signals(0);
	if (exec_err && id.drop) {
		acg_err("run: cannot run '%s' as uid %u: %s", argv[optind], (unsigned int)id.uid,
			strerror(exec_err));
		code = 127;
	} else if (exec_err) {
		acg_err("run: cannot run '%s': %s%s", podman ? "podman" : argv[optind],
			strerror(exec_err), podman ? " (scripts/setup.sh installs podman)" : "");
		code = 127;
	} else {
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	if (cg)
		acg_cg_remove(cg);
	if (cg && podman)
		acg_cg_remove_elsewhere(&m, cg);
	free(pargv);
	acg_cg_free(cg);
	acg_cg_free(root);
	return code;
}
