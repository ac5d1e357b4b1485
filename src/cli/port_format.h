/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Published ports as docker prints them: ps's PORTS ("0.0.0.0:8080->80/tcp, 81/tcp"),
 * inspect's NetworkSettings.Ports, HostConfig.PortBindings, Config.ExposedPorts, and
 * `berth port`.
 */
#ifndef BERTH_CLI_PORT_FORMAT_H
#define BERTH_CLI_PORT_FORMAT_H

#include "cli/berth_cmds.h"
#include "lib/json.h"
#include "net/portspec.h"

/* ps's PORTS of a container publishing v[n] and exposing exposed (malloc'd; NULL: OOM). */
char *ports_ps_text(struct port_map *v, size_t n, char *const *exposed);

/* {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "81/tcp": null} */
struct jwriter *ports_settings_json(const struct port_map *v, size_t n, char *const *exposed);

/* NetworkSettings.Ports of c (its published ports while it runs). */
struct jwriter *ports_inspect_json(struct engine *e, const struct container *c);

/* ps's PORTS of c (malloc'd; NULL: OOM). */
char *ports_ps_column(struct engine *e, const struct container *c);

/* HostConfig.PortBindings from the -p values as given. */
struct jwriter *ports_bindings_json(char *const *publish);

/* Config.ExposedPorts: {"80/tcp": {}} */
struct jwriter *ports_exposed_json(char *const *exposed);

/* berth port CONTAINER [PRIVATE_PORT[/PROTO]] */
int berth_cmd_port(struct berth_ctx *ctx, int argc, char **argv);

#endif
