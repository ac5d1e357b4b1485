/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: linux.resources.blockIO and linux.resources.devices. */
#include "runtime/config/oci_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"

#define MAX_DEVICE_RULES 2048
#define MAX_BLKIO_DEVICES 1024
#define MAX_DEV_NUMBER 0xfffffLL /* 20 bits, as the kernel's MINORBITS */
#define WEIGHT_MIN 10
#define WEIGHT_MAX 1000

/* A device number that may be absent (wildcard, -1) or -1 itself. */
static int get_dev_number(const struct jnode *e, const char *key, int64_t *ret, struct berr **err)
{
	struct jnode m;

	*ret = -1;
	jnode_member(e, key, &m);
	if (!jnode_present(&m))
		return 0;
	return jnode_int_range(&m, -1, MAX_DEV_NUMBER, ret, err);
}

static int parse_rule_type(const struct jnode *e, struct spec_device_rule *d, struct berr **err)
{
	_cleanup_free_ char *type = NULL;
	struct jnode m;
	int r;

	d->type = 'a';
	jnode_member(e, "type", &m);
	if (!jnode_present(&m))
		return 0;
	if ((r = jnode_string(&m, &type, err)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return jnode_err(&m, err, EINVAL, "must be 'a', 'c' or 'b', not '%s'", type);
	d->type = type[0];
	return 0;
}

static int parse_rule_access(const struct jnode *e, struct spec_device_rule *d, struct berr **err)
{
	_cleanup_free_ char *access = NULL;
	struct jnode m;
	size_t n;
	int r;

	/* No access (or "") means all of it, as the v1 devices files take it. */
	strcpy(d->access, "rwm");
	jnode_member(e, "access", &m);
	if (!jnode_present(&m))
		return 0;
	if ((r = jnode_string(&m, &access, err)) < 0)
		return r;
	if (!*access)
		return 0;
	if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
		return jnode_err(&m, err, EINVAL, "must be made of 'r', 'w' and 'm', not '%s'",
				 access);
	/* Normalised to the order "rwm" with each letter once. */
	n = 0;
	for (const char *c = "rwm"; *c; c++)
		if (strchr(access, *c))
			d->access[n++] = *c;
	d->access[n] = '\0';
	return 0;
}

static int parse_rule(const struct jnode *e, struct spec_device_rule *d, struct berr **err)
{
	struct jnode m;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "allow", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	if ((r = jnode_bool(&m, &d->allow, err)) < 0 || (r = parse_rule_type(e, d, err)) < 0 ||
	    (r = get_dev_number(e, "major", &d->major, err)) < 0 ||
	    (r = get_dev_number(e, "minor", &d->minor, err)) < 0)
		return r;
	return parse_rule_access(e, d, err);
}

int oci_parse_resources_devices(const struct jnode *res, struct spec_resources *r,
				struct berr **err)
{
	struct jnode list;
	size_t len;
	int ret;

	jnode_member(res, "devices", &list);
	if (!jnode_present(&list))
		return 0;
	if ((ret = jnode_expect_array(&list, err)) < 0)
		return ret;
	len = jnode_array_len(&list);
	if (len > MAX_DEVICE_RULES)
		return jnode_err(&list, err, E2BIG, "more than %d rules", MAX_DEVICE_RULES);
	r->devices = calloc(len + 1, sizeof(*r->devices));
	if (!r->devices)
		return berr_set(err, ENOMEM, "out of memory");
	r->devices_set = true;
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(&list, i, &e);
		if ((ret = parse_rule(&e, &r->devices[i], err)) < 0)
			return ret;
		r->n_devices++;
	}
	return 0;
}

/*
 * A blkio weight: [10, 1000] as the v1 blkio files take it, or 0, which means not set
 * (as in runc: Docker sends 0 when it sets none; spec_resources_unset_zeros drops it).
 */
static int get_weight(const struct jnode *obj, const char *key, struct opt_uint16 *ret,
		      struct berr **err)
{
	struct jnode m;
	int64_t v;
	int r;

	jnode_member(obj, key, &m);
	if (!jnode_present(&m))
		return 0;
	r = jnode_int_range(&m, 0, WEIGHT_MAX, &v, err);
	if (r >= 0 && v != 0 && v < WEIGHT_MIN)
		r = jnode_err(&m, err, ERANGE, "must be 0 (not set) or between %d and %d",
			      WEIGHT_MIN, WEIGHT_MAX);
	if (r < 0)
		return r;
	ret->v = (uint16_t) v;
	ret->set = true;
	return 0;
}

static int get_required_dev(const struct jnode *e, const char *key, int64_t *ret, struct berr **err)
{
	struct jnode m;

	jnode_member(e, key, &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	return jnode_int_range(&m, 0, MAX_DEV_NUMBER, ret, err);
}

/* One entry of weightDevice (weighted) or of a throttle list. */
static int parse_blkio_device(const struct jnode *e, bool weighted, struct spec_blkio_device *d,
			      struct berr **err)
{
	struct jnode m;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	if ((r = get_required_dev(e, "major", &d->major, err)) < 0 ||
	    (r = get_required_dev(e, "minor", &d->minor, err)) < 0)
		return r;
	if (weighted) {
		if ((r = get_weight(e, "weight", &d->weight, err)) < 0 ||
		    (r = get_weight(e, "leafWeight", &d->leaf_weight, err)) < 0)
			return r;
		if (!d->weight.set && !d->leaf_weight.set)
			return jnode_err(e, err, EINVAL, "needs weight or leafWeight");
		return 0;
	}
	jnode_member(e, "rate", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	return jnode_uint64(&m, &d->rate, err);
}

static int parse_blkio_list(const struct jnode *bio, const char *key, bool weighted,
			    struct spec_blkio_devices *ret, struct berr **err)
{
	struct jnode list;
	size_t len;
	int r;

	jnode_member(bio, key, &list);
	if (!jnode_present(&list))
		return 0;
	if ((r = jnode_expect_array(&list, err)) < 0)
		return r;
	len = jnode_array_len(&list);
	if (len > MAX_BLKIO_DEVICES)
		return jnode_err(&list, err, E2BIG, "more than %d entries", MAX_BLKIO_DEVICES);
	ret->v = calloc(len + 1, sizeof(*ret->v));
	if (!ret->v)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(&list, i, &e);
		ret->n++;
		if ((r = parse_blkio_device(&e, weighted, &ret->v[i], err)) < 0)
			return r;
	}
	return 0;
}

int oci_parse_resources_blkio(const struct jnode *res, struct spec_resources *r, struct berr **err)
{
	struct jnode b;
	int ret;

	jnode_member(res, "blockIO", &b);
	if ((ret = jnode_expect_object(&b, err)) < 0 || !jnode_present(&b))
		return ret;
	if ((ret = get_weight(&b, "weight", &r->block_io.weight, err)) < 0 ||
	    (ret = get_weight(&b, "leafWeight", &r->block_io.leaf_weight, err)) < 0 ||
	    (ret = parse_blkio_list(&b, "weightDevice", true, &r->block_io.weight_device, err)) <
		    0 ||
	    (ret = parse_blkio_list(&b, "throttleReadBpsDevice", false,
				    &r->block_io.throttle_read_bps, err)) < 0 ||
	    (ret = parse_blkio_list(&b, "throttleWriteBpsDevice", false,
				    &r->block_io.throttle_write_bps, err)) < 0 ||
	    (ret = parse_blkio_list(&b, "throttleReadIOPSDevice", false,
				    &r->block_io.throttle_read_iops, err)) < 0)
		return ret;
	return parse_blkio_list(&b, "throttleWriteIOPSDevice", false,
				&r->block_io.throttle_write_iops, err);
}
