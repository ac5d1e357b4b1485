/* SPDX-License-Identifier: Apache-2.0 */
/* --userns=auto: a free range of the subordinate ids, under <root>/userns.lock. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/container_store.h"
#include "engine/subids.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define MAX_USED 4096

static void add_used(struct idmap_range *used, size_t *n, char *const *v)
{
	struct idmap_range m;

	STRV_FOREACH (s, v)
		if (*n < MAX_USED && userns_parse_range("map", *s, &m, NULL) >= 0)
			used[(*n)++] = m;
}

/* The host ranges every other container's config.json maps (uids in u, gids in g). */
static int collect_used(struct engine *e, const char *self, struct idmap_range *u, size_t *nu,
			struct idmap_range *g, size_t *ng)
{
	_cleanup_strv_ char **ids = NULL;
	int r = container_list_ids(e, &ids);

	if (r < 0)
		return r;
	STRV_FOREACH (id, ids) {
		_cleanup_container_config_ struct container_config *cfg = NULL;
		_cleanup_free_ char *text = NULL;
		char path[CONTAINER_ID_LEN + 16];
		size_t len;

		if (strcmp(*id, self) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/config.json", *id);
		if (read_file_at(e->containers_fd, path, 4 << 20, &text, &len) < 0 ||
		    container_config_from_json(text, len, &cfg, NULL) < 0)
			continue;
		add_used(u, nu, cfg->uid_map);
		add_used(g, ng, cfg->gid_map);
	}
	return 0;
}

/* The lowest host id of free with size ids that overlap none of used. */
static int first_fit(const struct subid_ranges *free_, const struct idmap_range *used,
		     size_t n_used, uint32_t size, uint32_t *ret)
{
	for (size_t i = 0; i < free_->n; i++) {
		uint64_t start = free_->v[i].start, end = start + free_->v[i].count;
		bool moved = true;

		while (moved && start + size <= end) {
			moved = false;
			for (size_t j = 0; j < n_used; j++) {
				uint64_t us = used[j].host, ue = us + used[j].size;

				if (start < ue && us < start + size) {
					start = ue;
					moved = true;
				}
			}
		}
		if (start + size <= end) {
			*ret = (uint32_t) start;
			return 0;
		}
	}
	return -ENOSPC;
}

static int lock_file(struct engine *e)
{
	int fd = openat(e->rootfd, "userns.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int r = -errno;

			close(fd);
			return r;
		}
	return fd;
}

static int set_map(char ***v, uint32_t host, uint32_t size)
{
	char *s;

	if (asprintf(&s, "0:%" PRIu32 ":%" PRIu32, host, size) < 0)
		return -ENOMEM;
	strv_free(*v);
	*v = NULL;
	return strv_consume(v, s);
}

static int pick(struct engine *e, struct container_config *cfg, uint32_t size, struct berr **err)
{
	struct subid_ranges uids, gids;
	_cleanup_free_ struct idmap_range *u = calloc(MAX_USED, sizeof(*u));
	_cleanup_free_ struct idmap_range *g = calloc(MAX_USED, sizeof(*g));
	size_t nu = 0, ng = 0;
	uint32_t hu, hg;
	int r;

	if (!u || !g)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = subids_engine_user(&uids, &gids, err)) < 0)
		return berr_wrap(err, "--userns=auto");
	if ((r = collect_used(e, cfg->id, u, &nu, g, &ng)) < 0)
		return berr_sys(err, -r, "cannot list the containers");
	if (first_fit(&uids, u, nu, size, &hu) < 0 || first_fit(&gids, g, ng, size, &hg) < 0)
		return berr_set(err, ENOSPC,
				"--userns=auto: no free range of %" PRIu32
				" ids left in the subordinate ids (other containers hold them)",
				size);
	if (set_map(&cfg->uid_map, hu, size) < 0 || set_map(&cfg->gid_map, hg, size) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

int userns_allocate(struct engine *e, struct container_config *cfg, int *ret_lockfd,
		    struct berr **err)
{
	_cleanup_close_ int lock = -1;
	uint32_t size = USERNS_AUTO_DEFAULT;
	int r;

	*ret_lockfd = -1;
	if (!cfg->userns || strncmp(cfg->userns, "auto", 4) != 0)
		return 0;
	if (strncmp(cfg->userns, "auto:size=", 10) == 0)
		size = (uint32_t) strtoul(cfg->userns + 10, NULL, 10);
	if ((lock = lock_file(e)) < 0)
		return berr_sys(err, -lock, "cannot lock %s/userns.lock", e->root);
	if ((r = pick(e, cfg, size, err)) < 0)
		return r;
	/* the mode was the engine configuration's, not the user's: inspect shows "" */
	if (cfg->userns_remap) {
		free(cfg->userns);
		cfg->userns = NULL;
	}
	*ret_lockfd = TAKE_FD(lock);
	return 0;
}
