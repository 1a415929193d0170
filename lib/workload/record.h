/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h: a memory timeline being recorded, and its rendering in the resources.json
 * shape of the AgentCgroup traces (so recordings replay like the shared traces), with
 * each sample's exact bytes added.
 */
#ifndef AGENTCG_RECORD_H
#define AGENTCG_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct acg_recording {
	double *epoch;
	uint64_t *bytes;
	size_t n, cap;
};

int acg_recording_add(struct acg_recording *r, double epoch, uint64_t bytes);
void acg_recording_free(struct acg_recording *r);

/* podman's human size: 4 significant digits and a decimal unit ("185.3MB", "1.862GB"). */
void acg_human_size(uint64_t bytes, char *buf, size_t size);

struct json_t;

/*
 * {"samples": [{"epoch", "timestamp", "mem_usage", "mem_percent", "bytes"}...],
 *  "summary": {"sample_count", "duration_seconds", "memory_mb": {min, max, avg}}} plus
 * "recorded_by": {...} describing the command (argv), interval and exit. mem_total is the
 * limit shown in mem_usage (the host's memory, as podman shows for an unlimited container).
 */
struct json_t *acg_recording_json(const struct acg_recording *r, uint64_t mem_total,
				  char *const *argv, unsigned int interval_ms, int wait_status);

#endif
