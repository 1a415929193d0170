// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_status.c: `agentcg status`: what the daemon on a root is doing, from the state it
 * publishes every second (lib/control/status.h, docs/status.md); never guessed from cgroup files.
 */
#include "cmd.h"
#include "clock.h"
#include "fsutil.h"
#include "status.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB 1048576.0

static void status_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg status [--root PATH] [--state FILE] [--json]\n"
		"\n"
		"What the daemon managing a root is doing: every session with its priority,\n"
		"usage, clamp and state (free, held, held and waiting at its clamp, frozen), the\n"
		"budget, the headroom and what is kept for HIGH, the actions so far and the last\n"
		"decisions with their reasons. Read from the state the daemon rewrites every\n"
		"second (docs/status.md), not guessed.\n"
		"\n"
		"Options:\n"
		"  --root PATH   the managed root whose daemon to ask (default agentcg): its state\n"
		"                is " ACG_STATE_DIR "/<root's name>.json\n"
		"  --state FILE  read this state file instead (the daemon's --state)\n"
		"  --json        the state document as the daemon wrote it, with \"alive\" added\n"
		"  -h, --help    this text\n"
		"\n"
		"Examples:\n"
		"  agentcg status\n"
		"  agentcg status --json | jq '.sessions[] | select(.state != \"free\")'\n"
		"\n"
		"Exit status: 0 a running daemon's state, 1 no daemon (no state, or the daemon\n"
		"that wrote it is gone or stopped: its last state is shown), 2 bad usage.\n");
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : dflt;
}

/* One decision, shortly: "hold 2.3 s ago: <reason>" */
static void print_decision(json_t *d, double now)
{
	double t = num(d, "t");

	if (!isnan(t) && !isnan(now))
		printf("%s %.1f s ago: %s", str(d, "action", "?"), now - t, str(d, "reason", ""));
	else
		printf("%s: %s", str(d, "action", "?"), str(d, "reason", ""));
}

static void print_text(json_t *doc, bool pid_alive)
{
	bool running = json_is_true(json_object_get(doc, "running"));
	json_t *sessions = json_object_get(doc, "sessions"), *s, *totals, *recent, *d;
	double now = num(doc, "t");
	size_t i;

	printf("daemon pid %.0f on %s: %s; state of %s\n", num(doc, "pid"), str(doc, "root", "?"),
	       !running	    ? "STOPPED (its last state)"
	       : !pid_alive ? "GONE without stopping (killed?): its last state"
			    : "running",
	       str(doc, "time", "?"));
	printf("budget %.0f MiB, in use %.1f MiB, headroom %.1f MiB, kept for HIGH %.1f MiB\n",
	       num(doc, "budget_bytes") / MiB, num(doc, "usage_bytes") / MiB,
	       num(doc, "headroom_bytes") / MiB, num(doc, "kept_for_high_bytes") / MiB);
	totals = json_object_get(doc, "totals");
	printf("so far: %.0f holds, %.0f raises, %.0f releases, %.0f freezes, %.0f kills, %.0f "
	       "errors\n",
	       num(totals, "holds"), num(totals, "raises"), num(totals, "releases"),
	       num(totals, "freezes"), num(totals, "kills"), num(totals, "errors"));
	printf("\n%-24s %-8s %10s %10s  %-13s %s\n", "session", "priority", "usage MiB",
	       "clamp MiB", "state", "last decision");
	json_array_foreach(sessions, i, s) {
		json_t *clamp = json_object_get(s, "clamp_bytes");
		char c[32] = "-";

		if (json_is_number(clamp))
			snprintf(c, sizeof(c), "%.1f", json_number_value(clamp) / MiB);
		printf("%-24s %-8s %10.1f %10s  %-13s ", str(s, "name", "?"),
		       str(s, "priority", "?"), num(s, "usage_bytes") / MiB, c,
		       str(s, "state", "?"));
		if (json_is_object(d = json_object_get(s, "last_decision")))
			print_decision(d, now);
		else
			printf("-");
		putchar('\n');
	}
	if (!json_array_size(sessions))
		printf("(no sessions under the root)\n");
	recent = json_object_get(doc, "recent_decisions");
	if (json_array_size(recent)) {
		printf("\nlast decisions:\n");
		json_array_foreach(recent, i, d) {
			printf("  %s: ", str(d, "session", "?"));
			print_decision(d, now);
			putchar('\n');
		}
	}
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"state", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *root = ACG_DEFAULT_ROOT, *state = NULL, *base;
	char path[PATH_MAX], *text = NULL;
	bool json = false, alive, pid_alive;
	json_error_t e;
	json_t *doc;
	double pid;
	size_t len;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			status_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("status", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		acg_err("status: unexpected argument '%s'", argv[optind]);
		return ACG_EXIT_USAGE;
	}
	if (!state) {
		base = strrchr(root, '/');
		base = base ? base + 1 : root;
		if (!acg_name_valid(base)) {
			acg_err("status: --root %s: '%s' is not a cgroup name", root, base);
			return ACG_EXIT_USAGE;
		}
		snprintf(path, sizeof(path), "%s/%s.json", ACG_STATE_DIR, base);
		state = path;
	}
	r = acg_read_user_file(state, 16 << 20, &text, &len, NULL);
	if (r < 0) {
		acg_err("status: %s: %s%s", state, strerror(-r),
			r == -ENOENT ? " (no daemon has run on this root since boot, or it was "
				       "started with --no-state or another --state)"
				     : "");
		return ACG_EXIT_FAIL;
	}
	doc = json_loadb(text, len, 0, &e);
	free(text);
	if (!doc || !json_is_object(doc) || num(doc, "version") != ACG_STATUS_VERSION ||
	    !json_is_array(json_object_get(doc, "sessions"))) {
		acg_err("status: %s: not a daemon state of version %d%s%s", state,
			ACG_STATUS_VERSION, doc ? "" : ": ", doc ? "" : e.text);
		json_decref(doc);
		return ACG_EXIT_FAIL;
	}
	pid = num(doc, "pid");
	pid_alive = pid > 0 && pid < INT_MAX && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	alive = pid_alive && json_is_true(json_object_get(doc, "running"));
	if (json) {
		json_object_set_new(doc, "alive", json_boolean(alive));
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_text(doc, pid_alive);
	}
	json_decref(doc);
	return alive ? ACG_EXIT_OK : ACG_EXIT_FAIL;
}
