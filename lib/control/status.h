/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status.h: what a running daemon publishes about its sessions, for `agentcg status`
 * (a JSON state file, docs/status.md) and for Prometheus (the same figures in its text
 * exposition format, for node_exporter's textfile collector). Both are made from the
 * controller's own state, never guessed, and written whole: a temporary file renamed into
 * place, so a reader never sees half of one.
 */
#ifndef AGENTCG_STATUS_H
#define AGENTCG_STATUS_H

#include "controller.h"
#include "policy.h"

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#define ACG_STATUS_VERSION 1
/* where the daemon writes its state by default: <dir>/<root's name>.json */
#define ACG_STATE_DIR "/run/agentcg"

struct acg_status {
	const char *root; /* the managed root's path */
	long pid;	  /* the daemon's (its guard's) pid */
	double t;	  /* monotonic seconds, now */
	uint64_t budget;  /* bytes */
	bool running;	  /* false: the last state, written as the daemon stopped */
	/* the controller's view (NULL when it has no sessions yet) */
	const struct acg_pol_state *st;
	const char *const *names;
	double need;	 /* headroom kept for HIGH now, bytes */
	double period_s; /* the control period now (stretched with many sessions) */
	struct acg_controller_stats stats;
	json_t *last;	/* per session name: its last decision (an object), or NULL */
	json_t *recent; /* the last decisions, oldest first (an array), or NULL */
};

/* The state document (docs/status.md); NULL on allocation failure. */
json_t *acg_status_json(const struct acg_status *s);

/* The same figures in Prometheus' text format, NUL-terminated, into *ret (malloc'd).
 * 0 or -ENOMEM. */
int acg_status_metrics(const struct acg_status *s, char **ret);

/* Write text to path whole (a temporary file beside it, renamed over it), with mode. The
 * directory must exist. 0 or -errno. */
int acg_status_write(const char *path, const char *text, mode_t mode);

#endif
