/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources.devices: the config's rules followed by runc's default list (so that
 * /dev/null, /dev/pts and friends work whatever the config denies, as containerd and
 * Docker expect), written to devices.allow/deny on v1 or compiled to eBPF on v2.
 */
#include "runtime/cgroup/cgroup_devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "runtime/cgroup/cgroup_devices_bpf.h"
#include "runtime/cgroup/cgroup_internal.h"

/* runc 1.1's AllowedDevices, appended after the config's rules. */
static const struct spec_device_rule default_rules[] = {
	{true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},	  {true, 'c', 1, 3, "rwm"},
	{true, 'c', 1, 5, "rwm"},    {true, 'c', 1, 7, "rwm"},	  {true, 'c', 1, 8, "rwm"},
	{true, 'c', 1, 9, "rwm"},    {true, 'c', 5, 0, "rwm"},	  {true, 'c', 5, 2, "rwm"},
	{true, 'c', 10, 200, "rwm"}, {true, 'c', 136, -1, "rwm"},
};

/* "a" with a device number or part of the access is not "everything": c and b rules. */
static bool is_reset(const struct spec_device_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0 && strcmp(r->access, "rwm") == 0;
}

int cgroup_devices_rules(const struct spec_device_rule *v, size_t n, struct spec_device_rule **ret,
			 size_t *ret_n)
{
	struct spec_device_rule *out = calloc(2 * n + ELEMENTSOF(default_rules) + 1, sizeof(*out));
	size_t k = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (v[i].type != 'a' || is_reset(&v[i])) {
			out[k++] = v[i];
			continue;
		}
		out[k] = v[i];
		out[k++].type = 'c';
		out[k] = v[i];
		out[k++].type = 'b';
	}
	for (size_t i = 0; i < ELEMENTSOF(default_rules); i++)
		out[k++] = default_rules[i];
	*ret = out;
	*ret_n = k;
	return 0;
}

char *cgroup_devices_rule_line(const struct spec_device_rule *r)
{
	char major[24] = "*", minor[24] = "*", *out = NULL;

	if (is_reset(r))
		return strdup("a");
	if (r->major >= 0)
		snprintf(major, sizeof(major), "%lld", (long long) r->major);
	if (r->minor >= 0)
		snprintf(minor, sizeof(minor), "%lld", (long long) r->minor);
	if (asprintf(&out, "%c %s:%s %s", r->type, major, minor, r->access) < 0)
		return NULL;
	return out;
}

/*
 * Start from "deny everything", then each rule in order: an allow adds access, a deny
 * takes it away, an "a" rule resets the default. The kernel merges the exceptions.
 */
int cgroup_devices_set_v1(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err)
{
	_cleanup_free_ struct spec_device_rule *rules = NULL;
	size_t n = 0;
	int ret;

	(void) m;
	if (cgroup_devices_rules(r->devices, r->n_devices, &rules, &n) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	ret = cgroup_set(t, "devices.deny", "a", "devices", err);
	for (size_t i = 0; i < n && ret >= 0; i++) {
		_cleanup_free_ char *line = cgroup_devices_rule_line(&rules[i]);

		if (!line)
			return berr_set(err, ENOMEM, "out of memory");
		ret = cgroup_set(t, rules[i].allow ? "devices.allow" : "devices.deny", line,
				 "devices", err);
	}
	return ret;
}

int cgroup_devices_set_v2(struct cgroup_manager *m, const struct cgroup_target *t,
			  const struct spec_resources *r, struct berr **err)
{
	_cleanup_free_ struct spec_device_rule *rules = NULL;
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t n = 0, n_insns = 0;

	(void) m;
	if (cgroup_devices_rules(r->devices, r->n_devices, &rules, &n) < 0 ||
	    cgroup_bpf_devices_program(rules, n, &prog, &n_insns) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	return cgroup_bpf_devices_attach(t->fd, prog, n_insns, err);
}
