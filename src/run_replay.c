// SPDX-License-Identifier: GPL-2.0
/*
 * run_replay.c: what `replay` and `stress` share once their timeline is built: open the
 * session cgroup, spawn the worker, collect, show progress, write the result. The worker
 * holds the memory; this process stays outside the cgroup so it survives an OOM kill and
 * writes whatever the worker reported.
 */
#include "cmd.h"
#include "profile.h"

#include "cgroup.h"
#include "clock.h"
#include "mounts.h"
#include "replay.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool acg_opt_double(const char *cmd, const char *opt, const char *arg, double min, double max,
		    double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min || v > max) {
		acg_err("%s: %s '%s': expected a number from %.15g to %.15g", cmd, opt, arg, min,
			max);
		return false;
	}
	*ret = v;
	return true;
}

bool acg_opt_profile(const char *cmd, const char *arg, uint64_t *low, uint64_t *high)
{
	struct acg_diag d = {""};

	if (strcmp(arg, "none") == 0) {
		*low = *high = 0;
		return true;
	}
	if (acg_profile_load_growth(arg, low, high, &d) < 0) {
		acg_err("%s: --profile: %s", cmd, d.msg);
		return false;
	}
	return true;
}

struct progress {
	const char *cmd, *name;
	double start;
	bool shown;
};

static void show_progress(const struct acg_replay_result *r, void *arg)
{
	struct progress *p = arg;
	uint64_t res = r->replayed ? r->resident[r->replayed - 1] : 0;

	fprintf(stderr, "\r\033[K%s %s: sample %zu/%zu (%.0f%%), %.1f s, resident %.0f MiB", p->cmd,
		p->name, r->replayed, r->n_samples,
		r->n_samples ? 100.0 * (double)r->replayed / (double)r->n_samples : 0.0,
		acg_mono_s() - p->start, (double)res / 1048576.0);
	p->shown = true;
}

static int open_cgroup(const char *cmd, const char *path, struct acg_cg **ret)
{
	struct acg_mounts m;
	int r = acg_mounts_detect(&m);

	if (r < 0) {
		acg_err("%s: cannot read the cgroup mounts: %s", cmd, strerror(-r));
		return r;
	}
	r = acg_root_open(&m, path, false, ret);
	if (r == -EINVAL)
		acg_err("%s: --cgroup %s: not a cgroup path inside the memory controller's mount "
			"(%s)",
			cmd, path, m.mem_path[0] ? m.mem_path : "none");
	else if (r == -ENOTSUP)
		acg_err("%s: --cgroup %s: no memory controller there", cmd, path);
	else if (r < 0)
		acg_err("%s: --cgroup %s: %s", cmd, path, strerror(-r));
	return r;
}

static void summary_line(const char *cmd, const struct acg_replay_cfg *cfg, json_t *doc,
			 const char *output)
{
	const char *status = json_string_value(json_object_get(doc, "status"));
	json_t *lat = json_object_get(json_object_get(doc, "growth"), "latency_us");

	fprintf(stderr,
		"%s %s: %s, %zu/%zu samples, %.2f s (timeline %.2f s), growth p99 %.0f us%s%s\n",
		cmd, cfg->trace->name, status,
		(size_t)json_integer_value(json_object_get(doc, "samples_replayed")), cfg->trace->n,
		json_real_value(json_object_get(doc, "last_applied_s")),
		json_real_value(json_object_get(doc, "expected_s")),
		json_real_value(json_object_get(lat, "p99")), output ? "; result in " : "",
		output ? output : "");
}

int acg_run_replay_cmd(const char *cmd, const struct acg_replay_cfg *cfg, const char *cgroup_path,
		       const char *output)
{
	struct acg_replay_outcome out = {0};
	struct acg_replay_result res;
	struct progress prog = {cmd, cfg->trace->name, 0, false};
	struct acg_cg *cg = NULL;
	json_t *doc = NULL;
	pid_t pid;
	int fd = -1, r, code = ACG_EXIT_FAIL;

	if (!acg_output_ok(cmd, output))
		return ACG_EXIT_USAGE;
	if (cgroup_path && open_cgroup(cmd, cgroup_path, &cg) < 0)
		return ACG_EXIT_USAGE;
	r = acg_replay_result_init(&res, cfg->trace->n);
	if (r < 0) {
		acg_err("%s: %s", cmd, strerror(-r));
		goto out;
	}
	if (cg) {
		out.have_events = acg_cg_events(cg, &out.ev_before) == 0;
		/* the peak must be this replay's, not an earlier run's in the same cgroup */
		r = acg_cg_peak_reset(cg);
		out.cg_peak_since = r == 0 ? "replay start" : "cgroup creation";
		if (r < 0 && r != -EOPNOTSUPP)
			acg_err("%s: --cgroup %s: cannot reset its peak usage (%s): the result's "
				"peak.cgroup_peak_bytes may be an earlier run's",
				cmd, cgroup_path, strerror(-r));
	}
	prog.start = acg_mono_s();
	r = acg_replay_spawn(cfg, cg, &pid, &fd);
	if (r < 0) {
		acg_err("%s: cannot start the replay worker: %s", cmd, strerror(-r));
		goto out_res;
	}
	acg_forward_signals(pid);
	r = acg_replay_wait(pid, fd, &res, isatty(STDERR_FILENO) ? show_progress : NULL, &prog,
			    &out.wait_status);
	acg_forward_signals(0);
	if (prog.shown)
		fputc('\n', stderr);
	if (r < 0) {
		acg_err("%s: lost the replay worker: %s", cmd, strerror(-r));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out_res;
	}
	out.wall_s = acg_mono_s() - prog.start;
	if (cg) {
		out.have_events = out.have_events && acg_cg_events(cg, &out.ev_after) == 0;
		out.have_cg_peak = acg_cg_peak(cg, &out.cg_peak) == 0;
	}
	doc = acg_replay_to_json(cfg, &res, &out);
	if (!doc) {
		acg_err("%s: cannot build the result", cmd);
		goto out_res;
	}
	r = acg_write_json(doc, output);
	if (r < 0) {
		acg_err("%s: cannot write %s: %s", cmd, output ? output : "stdout", strerror(-r));
		goto out_res;
	}
	summary_line(cmd, cfg, doc, output);
	if (WIFEXITED(out.wait_status) && WEXITSTATUS(out.wait_status) == 3)
		acg_err("%s: the worker could not join %s: %s", cmd, cgroup_path,
			strerror(res.join_errno ? res.join_errno : EIO));
	code = res.ended && WIFEXITED(out.wait_status) && WEXITSTATUS(out.wait_status) == 0
		       ? ACG_EXIT_OK
		       : ACG_EXIT_FAIL;
out_res:
	json_decref(doc);
	if (fd >= 0)
		close(fd);
	acg_replay_result_free(&res);
out:
	acg_cg_free(cg);
	return code;
}
