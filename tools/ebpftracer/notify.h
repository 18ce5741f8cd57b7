/* SPDX-License-Identifier: Apache-2.0 */
/* systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram to the
 * socket named by $NOTIFY_SOCKET. Nothing happens when it is not set. */
#ifndef EBPFTRACER_NOTIFY_H
#define EBPFTRACER_NOTIFY_H

/* Sends STATE ("READY=1", "RELOADING=1", ...); returns 0, or -errno. */
int notify_systemd(const char *state);

#endif
