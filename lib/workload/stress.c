// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c: synthetic timelines (see stress.h).
 */
#include "stress.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define RAMP_STEP_S 0.1

const struct acg_stress_names acg_stress_options = {
	"--mb", "--hold", "--ramp", "--burst-mb", "--burst-every", "--burst-for",
};

int acg_stress_check(const struct acg_stress_spec *s, const struct acg_stress_names *names,
		     struct acg_diag *diag)
{
	const struct acg_stress_names *k = names ? names : &acg_stress_options;
	char why[200];

	why[0] = '\0';
	if (s->bytes == 0)
		snprintf(why, sizeof(why), "%s: the target size must be above 0", k->mb);
	else if (!(s->hold_s >= 0) || !isfinite(s->hold_s))
		snprintf(why, sizeof(why), "%s must be a duration >= 0", k->hold);
	else if (!(s->ramp_s >= 0) || !isfinite(s->ramp_s))
		snprintf(why, sizeof(why), "%s must be a duration >= 0", k->ramp);
	else if (s->burst_bytes && s->burst_bytes <= s->bytes)
		snprintf(why, sizeof(why), "%s must be larger than %s: a burst is above the target",
			 k->burst_mb, k->mb);
	else if (s->burst_bytes &&
		 !(s->burst_every_s > 0 && s->burst_for_s > 0 && s->burst_for_s < s->burst_every_s))
		snprintf(why, sizeof(why), "bursts need %s > %s > 0 (here %.15g and %.15g)",
			 k->burst_every, k->burst_for, s->burst_every_s, s->burst_for_s);
	else if (s->ramp_s / RAMP_STEP_S > 1e6)
		snprintf(why, sizeof(why),
			 "%s %.15g: a ramp of more than 1e6 steps of 0.1 s is not a timeline we "
			 "can hold",
			 k->ramp, s->ramp_s);
	else if (s->burst_bytes && s->hold_s / s->burst_every_s > 1e6)
		snprintf(why, sizeof(why), "more than 1e6 bursts: make %s longer or %s shorter",
			 k->burst_every, k->hold);
	if (!why[0])
		return 0;
	if (diag)
		snprintf(diag->msg, sizeof(diag->msg), "stress: %s", why);
	return -EINVAL;
}

struct builder {
	struct acg_sample *s;
	size_t n, cap;
};

static int add(struct builder *b, double t, uint64_t bytes)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct acg_sample *ns = realloc(b->s, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		b->s = ns;
		b->cap = cap;
	}
	b->s[b->n].t = t;
	b->s[b->n].bytes = bytes;
	b->n++;
	return 0;
}

int acg_stress_trace(const struct acg_stress_spec *s, struct acg_trace **ret)
{
	struct builder b = {0};
	double end;
	int r = acg_stress_check(s, NULL, NULL);
	size_t steps;

	if (r < 0)
		return r;
	steps = (size_t)ceil(s->ramp_s / RAMP_STEP_S - 1e-9);
	for (size_t i = 0; i < steps && r == 0; i++)
		r = add(&b, (double)i * RAMP_STEP_S,
			(uint64_t)((double)s->bytes * (double)i / (double)steps));
	if (r == 0)
		r = add(&b, s->ramp_s, s->bytes);
	end = s->ramp_s + s->hold_s;
	for (double t = s->ramp_s + (s->burst_bytes ? s->burst_every_s : INFINITY);
	     r == 0 && t + s->burst_for_s <= end; t += s->burst_every_s) {
		r = add(&b, t, s->burst_bytes);
		if (r == 0)
			r = add(&b, t + s->burst_for_s, s->bytes);
	}
	if (r == 0 && end > b.s[b.n - 1].t)
		r = add(&b, end, s->bytes);
	if (r == 0) {
		char name[64];

		snprintf(name, sizeof(name), "stress-%.0fMiB", (double)s->bytes / 1048576.0);
		r = acg_trace_from_samples(name, b.s, b.n, ret);
	}
	free(b.s);
	return r;
}
