/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: linux.resources (cgroup limits). */
#include "runtime/oci_config.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/json.h"

int oci_parse_resources(const struct jnode *n, struct spec_resources *r, struct berr **err)
{
	if (!jnode_present(n))
		return 0;
	if (!jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object");
	/* The typed fields are read by the cgroup work; until then, only recognised. */
	r->set = jnode_object_len(n) > 0;
	return 0;
}

void spec_resources_done(struct spec_resources *r)
{
	free(r->devices);
	free(r->block_io.weight_device.v);
	free(r->block_io.throttle_read_bps.v);
	free(r->block_io.throttle_write_bps.v);
	free(r->block_io.throttle_read_iops.v);
	free(r->block_io.throttle_write_iops.v);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	kv_free_array(r->unified, r->n_unified);
}
