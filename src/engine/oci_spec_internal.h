/* SPDX-License-Identifier: Apache-2.0 */
/* The parts of oci_spec_gen.c kept in their own files. */
#ifndef BERTH_ENGINE_OCI_SPEC_INTERNAL_H
#define BERTH_ENGINE_OCI_SPEC_INTERNAL_H

#include "engine/oci_spec_gen.h"
#include "lib/json.h"

/* "mounts": docker's defaults, the /etc files, --init, then the user's (oci_spec_mounts.c). */
int oci_mounts_json(const struct spec_inputs *in, struct jwriter *spec, struct berr **err);

/* linux.resources and linux.devices (oci_spec_resources.c). */
int oci_resources_json(const struct spec_inputs *in, struct jwriter *linux_, struct berr **err);

#endif
