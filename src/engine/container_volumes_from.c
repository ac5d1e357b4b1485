/* SPDX-License-Identifier: Apache-2.0 */
/* --volumes-from CONTAINER[:ro|:rw]: another container's volumes and binds, at create. */
#include "engine/container_volumes_from.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container_opts.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* Split "ref[:mode]": *ret_ref malloc'd, *ret_mode -1 (the source's), 0 rw or 1 ro. */
static int split_spec(const char *spec, char **ret_ref, int *ret_mode, struct berr **err)
{
	const char *colon = strrchr(spec, ':');
	const char *mode = colon ? colon + 1 : NULL;

	*ret_mode = -1;
	if (mode && strcmp(mode, "ro") == 0)
		*ret_mode = 1;
	else if (mode && strcmp(mode, "rw") == 0)
		*ret_mode = 0;
	else if (mode)
		return berr_set(err, EINVAL, "invalid mode: %s", mode);
	if (colon == spec || !*spec)
		return berr_set(err, EINVAL, "invalid --volumes-from '%s': no container", spec);
	*ret_ref = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
	return *ret_ref ? 0 : -ENOMEM;
}

int container_volumes_from_check(char *const *specs, struct berr **err)
{
	STRV_FOREACH (s, specs) {
		_cleanup_free_ char *ref = NULL;
		int mode, r;

		if ((r = split_spec(*s, &ref, &mode, err)) < 0)
			return r;
	}
	return 0;
}

static bool has_target(const struct container_config *cfg, const char *target)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].target, target) == 0)
			return true;
	return false;
}

/* Append a copy of m (not anonymous: the volume stays its first container's). */
static int add_copy(struct container_config *cfg, const struct ctr_mount *m, int mode)
{
	struct ctr_mount *v = realloc(cfg->mounts, (cfg->n_mounts + 1) * sizeof(*v));
	struct ctr_mount c = {.kind = m->kind, .nocopy = true};

	if (!v)
		return -ENOMEM;
	cfg->mounts = v;
	c.readonly = mode < 0 ? m->readonly : mode == 1;
	if ((m->source && !(c.source = strdup(m->source))) || !(c.target = strdup(m->target)) ||
	    (m->propagation && !(c.propagation = strdup(m->propagation)))) {
		ctr_mount_done(&c);
		return -ENOMEM;
	}
	cfg->mounts[cfg->n_mounts++] = c;
	return 0;
}

static int copy_from(struct engine *e, struct container_config *cfg, const char *spec,
		     struct berr **err)
{
	_cleanup_container_ struct container *src = NULL;
	_cleanup_free_ char *ref = NULL;
	int mode, r;

	if ((r = split_spec(spec, &ref, &mode, err)) < 0 ||
	    (r = container_open(e, ref, false, &src, err)) < 0)
		return r;
	for (size_t i = 0; i < src->cfg->n_mounts; i++) {
		const struct ctr_mount *m = &src->cfg->mounts[i];

		/* docker: volumes and binds (not tmpfs); the new container's own -v wins */
		if (m->kind == MOUNT_TMPFS || has_target(cfg, m->target))
			continue;
		if (add_copy(cfg, m, mode) < 0)
			return berr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int container_volumes_from_apply(struct engine *e, struct container_config *cfg, struct berr **err)
{
	STRV_FOREACH (s, cfg->volumes_from) {
		int r = copy_from(e, cfg, *s, err);

		if (r < 0)
			return r;
	}
	return 0;
}
