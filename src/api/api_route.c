/* SPDX-License-Identifier: Apache-2.0 */
/* The routes of the API: method and path pattern to handler. */
#include <errno.h>
#include <string.h>

#include "api/api_internal.h"
#include "lib/strv.h"

struct route {
	const char *method;
	const char *pattern[4]; /* path segments; "*" matches one, e.g. a container's id */
	api_handler handler;
};

static const struct route routes[] = {
	{"GET", {"_ping"}, api_ping},
	{"HEAD", {"_ping"}, api_ping},
	{"GET", {"version"}, api_version},
	{"GET", {"info"}, api_info},
	{"GET", {"system", "df"}, api_system_df},
	{"GET", {"containers", "json"}, api_containers_list},
	{"POST", {"containers", "create"}, api_container_create},
	{"GET", {"containers", "*", "json"}, api_container_inspect},
	{"POST", {"containers", "*", "start"}, api_container_start},
	{"POST", {"containers", "*", "stop"}, api_container_stop},
	{"POST", {"containers", "*", "restart"}, api_container_restart},
	{"POST", {"containers", "*", "kill"}, api_container_kill},
	{"POST", {"containers", "*", "wait"}, api_container_wait},
	{"DELETE", {"containers", "*"}, api_container_delete},
	{"GET", {"containers", "*", "logs"}, api_container_logs},
	{"POST", {"containers", "*", "attach"}, api_container_attach},
	/* containers: the rest (api_container_extra.c, api_container_fs.c, api_stats.c) */
	{"POST", {"containers", "*", "rename"}, api_container_rename},
	{"POST", {"containers", "*", "update"}, api_container_update},
	{"POST", {"containers", "*", "pause"}, api_container_pause},
	{"POST", {"containers", "*", "unpause"}, api_container_unpause},
	{"POST", {"containers", "*", "resize"}, api_container_resize},
	{"GET", {"containers", "*", "top"}, api_container_top},
	{"GET", {"containers", "*", "changes"}, api_container_changes},
	{"POST", {"containers", "prune"}, api_containers_prune},
	{"GET", {"containers", "*", "export"}, api_container_export},
	{"HEAD", {"containers", "*", "archive"}, api_container_archive_stat},
	{"GET", {"containers", "*", "archive"}, api_container_archive_get},
	{"PUT", {"containers", "*", "archive"}, api_container_archive_put},
	{"GET", {"containers", "*", "stats"}, api_container_stats},
	{"GET", {"events"}, api_events},
	{"POST", {"containers", "*", "exec"}, api_exec_create},
	{"POST", {"exec", "*", "start"}, api_exec_start},
	{"GET", {"exec", "*", "json"}, api_exec_inspect},
	{"GET", {"images", "json"}, api_images_list},
	{"POST", {"images", "create"}, api_image_pull},
	/* images: the rest (api_image_extra.c, api_pull.c, api_build.c, api_auth.c; those of
	 * a named image are in image_ops below) */
	{"GET", {"images", "get"}, api_images_get},
	{"POST", {"images", "load"}, api_images_load},
	{"POST", {"images", "prune"}, api_images_prune},
	{"POST", {"build"}, api_build},
	{"POST", {"auth"}, api_auth},
	/* networks, volumes (api_networks.c, api_volumes.c) */
	{"GET", {"networks"}, api_networks_list},
	{"POST", {"networks", "create"}, api_network_create},
	{"POST", {"networks", "prune"}, api_networks_prune},
	{"GET", {"networks", "*"}, api_network_inspect},
	{"DELETE", {"networks", "*"}, api_network_delete},
	{"POST", {"networks", "*", "connect"}, api_network_connect},
	{"POST", {"networks", "*", "disconnect"}, api_network_connect},
	{"GET", {"volumes"}, api_volumes_list},
	{"POST", {"volumes", "create"}, api_volume_create},
	{"POST", {"volumes", "prune"}, api_volumes_prune},
	{"GET", {"volumes", "*"}, api_volume_inspect},
	{"DELETE", {"volumes", "*"}, api_volume_delete},
	/* compose, exec resize (api_exec.c) */
	{"POST", {"exec", "*", "resize"}, api_exec_resize},
};

static bool matches(const struct route *rt, char **parts)
{
	size_t n = strv_length(parts), i;

	for (i = 0; i < 4 && rt->pattern[i]; i++)
		if (i >= n ||
		    (strcmp(rt->pattern[i], "*") != 0 && strcmp(rt->pattern[i], parts[i]) != 0))
			return false;
	return i == n;
}

/* /images/{name}/OP: the name has slashes of its own (image_op_path()) */
static const struct image_op {
	const char *method, *op;
	api_handler handler;
} image_ops[] = {
	{"POST", "tag", api_image_tag},
	{"GET", "history", api_image_history},
	{"POST", "push", api_image_push},
	{"GET", "get", api_image_get},
};

/* /images/{name}/json: the name has slashes of its own (docker.io/library/busybox) */
static bool image_inspect_path(char **parts)
{
	size_t n = strv_length(parts);

	return n >= 3 && strcmp(parts[0], "images") == 0 && strcmp(parts[n - 1], "json") == 0;
}

/* /images/{name}/op (op NULL: /images/{name}), the name with slashes of its own */
static bool image_op_path(char **parts, const char *op)
{
	size_t n = strv_length(parts);

	if (n < 2 || strcmp(parts[0], "images") != 0)
		return false;
	return op ? n >= 3 && strcmp(parts[n - 1], op) == 0
		  : strcmp(parts[n - 1], "json") != 0 && strcmp(parts[n - 1], "tag") != 0;
}

int api_route(struct api_req *r)
{
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!matches(&routes[i], r->parts))
			continue;
		if (strcmp(routes[i].method, r->method) == 0)
			return routes[i].handler(r);
		path_known = true;
	}
	for (size_t i = 0; i < sizeof(image_ops) / sizeof(image_ops[0]); i++)
		if (image_op_path(r->parts, image_ops[i].op) &&
		    strcmp(r->method, image_ops[i].method) == 0)
			return image_ops[i].handler(r);
	if (image_op_path(r->parts, NULL) && strcmp(r->method, "DELETE") == 0)
		return api_image_delete(r);
	if (image_inspect_path(r->parts)) {
		if (strcmp(r->method, "GET") == 0)
			return api_image_inspect(r);
		path_known = true;
	}
	if (path_known)
		return api_reply_error(r, 405, "method %s not allowed on %s", r->method, r->path);
	/* dockerd's answer to an unknown path */
	return api_reply_error(r, 404, "page not found");
}
