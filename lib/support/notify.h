/* SPDX-License-Identifier: GPL-2.0 */
/*
 * notify.h: the service manager's readiness and watchdog protocol (sd_notify(3)), spoken
 * directly: one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
 * abstract name written with a leading '@'). No libsystemd: the protocol is a few lines
 * of text, and a daemon started by hand (no $NOTIFY_SOCKET) sends nothing.
 */
#ifndef AGENTCG_NOTIFY_H
#define AGENTCG_NOTIFY_H

/*
 * Send state ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...", newline-separated) to
 * the service manager. Returns 1 when there is none ($NOTIFY_SOCKET unset or empty), 0
 * when sent, -errno on failure (-EINVAL: the socket's name is too long or not absolute).
 */
int acg_notify(const char *state);

/*
 * The service manager's watchdog interval in seconds ($WATCHDOG_USEC), or 0 when it has
 * none (unset, malformed, or $WATCHDOG_PID names another process than pid). A daemon that
 * pings is to ping at least twice per interval.
 */
double acg_watchdog_s(long pid);

#endif
