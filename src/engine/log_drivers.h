/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --log-driver and --log-opt, as docker 20.10's:
 *   json-file  the <id>-json.log files (logs.h): max-size, max-file, compress=false, tag
 *   local      the same files with docker's local defaults (max-size 20m, max-file 5);
 *              berth keeps its rotated files uncompressed
 *   journald   each line to the host's journal (its native socket) with docker's fields
 *              (CONTAINER_ID, CONTAINER_ID_FULL, CONTAINER_NAME, CONTAINER_TAG,
 *              IMAGE_NAME, SYSLOG_IDENTIFIER, PRIORITY 6/3); tag
 *   syslog     each line as an RFC 3164 (or 5424) message to syslog-address (default
 *              unixgram:///dev/log; unix://, unixgram://, udp://HOST:PORT),
 *              syslog-facility, syslog-format, tag
 *   none       nothing
 * journald and syslog keep docker 20.10's "dual logging" cache, a json log beside them
 * (cache-max-size 20m, cache-max-file 5; cache-disabled=true turns it off), so that
 * `berth logs` reads them. Every driver takes mode=blocking|non-blocking and
 * max-buffer-size. A driver the host lacks (no journal socket, no /dev/log) fails the
 * start with docker's "failed to initialize logging driver: ...".
 */
#ifndef BERTH_ENGINE_LOG_DRIVERS_H
#define BERTH_ENGINE_LOG_DRIVERS_H

#include <stdbool.h>

#include "engine/container.h"
#include "lib/err.h"

/* Check driver (NULL: json-file) and its options, and set them in c. */
int log_config_from_flags(const char *driver, char *const *opts, struct container_config *c,
			  struct berr **err);

/* The value of --log-opt key in c, or NULL. */
const char *log_opt(const struct container_config *c, const char *key);

/* Does the monitor keep a json log for c (json-file, local, or a driver's cache)? */
bool log_keeps_file(const struct container_config *c);

/* journald or syslog: lines also go to a socket (log_forward.h). */
bool log_forwards(const struct container_config *c);

/* The tag (docker's default: the short id; "{{.ID}}", "{{.FullID}}", "{{.Name}}" expand). */
char *log_tag(const struct container_config *c);

#endif
