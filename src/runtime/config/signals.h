/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names as kill(1) and runc accept them: "TERM", "SIGTERM", "15". */
#ifndef BERTH_RUNTIME_SIGNALS_H
#define BERTH_RUNTIME_SIGNALS_H

/* The signal number for s, or -EINVAL. Real-time signals as "RTMIN+3" are accepted. */
int signal_from_string(const char *s);

/* "TERM" for 15, or NULL. */
const char *signal_name(int sig);

#endif
