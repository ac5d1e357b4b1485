/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json that `berth-runtime spec` writes: as strict as runc's. */
#ifndef BERTH_RUNTIME_SPEC_DEFAULT_H
#define BERTH_RUNTIME_SPEC_DEFAULT_H

/* The default config (tab-indented JSON text, static). */
const char *spec_default_text(void);

#endif
