// SPDX-License-Identifier: GPL-2.0
/* controller_log.c: the decision log, one JSON line per action (controller_int.h). */
#include "controller_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void ctl_log_action(struct acg_controller *c, const struct acg_action *a, int r, double apply_s)
{
	json_t *j;
	char *line;

	if (!c->log)
		return;
	j = json_pack("{s:f, s:s, s:s, s:I, s:I, s:I, s:f, s:s, s:o}", "t", c->st.now, "session",
		      c->names[a->session], "action", acg_act_name(a->kind), "value_bytes",
		      (json_int_t)a->value, "usage_bytes", (json_int_t)c->s[a->session].usage,
		      "parent_usage_bytes", (json_int_t)c->st.usage, "apply_us", apply_s * 1e6,
		      "reason", a->reason, "error",
		      r < 0 ? json_string(strerror(-r)) : json_null());
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line)
		c->log(c->log_arg, line);
	free(line);
	json_decref(j);
}

/* One JSON line for something the controller did to the whole tree. */
void ctl_log_tree(struct acg_controller *c, const char *action, const char *reason)
{
	json_t *j;
	char *line;

	if (!c->log)
		return;
	j = json_pack("{s:f, s:n, s:s, s:I, s:s}", "t", c->st.now, "session", "action", action,
		      "parent_usage_bytes", (json_int_t)c->st.usage, "reason", reason);
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line)
		c->log(c->log_arg, line);
	free(line);
	json_decref(j);
}

void ctl_log_victim(struct acg_controller *c, size_t i, unsigned long long n)
{
	json_t *j;
	char *line;

	c->stats.victims += n;
	if (!c->log)
		return;
	j = json_pack("{s:f, s:s, s:s, s:I, s:I, s:s}", "t", c->st.now, "session", c->names[i],
		      "action", "oom-victim", "count", (json_int_t)n, "usage_bytes",
		      (json_int_t)c->s[i].usage, "reason",
		      "the kernel's OOM killer chose a task of this session (BPF oom/mark_victim)");
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line)
		c->log(c->log_arg, line);
	free(line);
	json_decref(j);
}
