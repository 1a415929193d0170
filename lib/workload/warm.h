/* SPDX-License-Identifier: GPL-2.0 */
/*
 * warm.h: warming the host's memory before a measurement.
 *
 * Some virtual machines back guest memory lazily, and take back what the guest leaves
 * free (virtio-balloon free page reporting: Firecracker here reports free 8 MiB blocks
 * about 2 s after they are freed). A page the guest touches after that costs an exit to
 * the host: first-touch growth here runs at ~1000 MiB/s against ~2900 MiB/s for memory
 * freed a moment ago. A bench whose sessions need more memory than the previous run freed
 * recently would then time the hypervisor, not the kernel or the policy, and would time
 * it more in a crowded run than in a solo one. Touching, then freeing, the run's memory
 * just before its start puts warm pages at the head of the kernel's free lists. That
 * lasts until the hypervisor takes them back again (about 2 s for pages that stay free),
 * so it helps most in the first seconds of a run; pages a session frees and takes again
 * within that time stay warm.
 */
#ifndef AGENTCG_WARM_H
#define AGENTCG_WARM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Touch bytes of fresh anonymous memory in a child process (the caller's address space
 * stays as it was; the child asks to be the OOM killer's first choice), then let it go.
 * *mib_s (may be NULL) gets bytes over the child's whole life (fork to exit). 0, -EINVAL
 * for 0 bytes, -ENOMEM if the child could not map or was killed, or -errno.
 */
int acg_warm_touch(uint64_t bytes, double *mib_s);

/*
 * Whether a hypervisor takes back what the guest leaves free: a virtio balloon device with
 * free page reporting (VIRTIO_BALLOON_F_REPORTING) bound to its driver. Reads sysfs only.
 */
bool acg_warm_host_reports_free(void);

/*
 * KiB the guest has reported free to its hypervisor so far (the page_reporting module's
 * reported_kib, where the kernel exposes it), or -1 where it does not.
 */
long long acg_warm_reported_kib(void);

#endif
