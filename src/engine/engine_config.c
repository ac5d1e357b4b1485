/* SPDX-License-Identifier: Apache-2.0 */
/* The engine configuration file (/etc/berth/berth.json): docker's daemon.json keys. */
#include "engine/engine_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/regfile.h"

#define NAME_MAX_LEN 256

struct engine_config *engine_config_free(struct engine_config *c)
{
	if (!c)
		return NULL;
	free(c->path);
	free(c->userns_remap);
	free(c);
	return NULL;
}

const char *engine_config_path(bool *ret_missing_ok)
{
	const char *p = secure_getenv("BERTH_CONFIG");

	*ret_missing_ok = !p || !*p;
	return *ret_missing_ok ? ENGINE_CONFIG_DEFAULT : p;
}

/* A user or group as passwd(5) and subuid(5) write it: a name, or a number below 2^32-1. */
static bool valid_id(const char *s, size_t len)
{
	size_t digits = strspn(s, "0123456789");

	if (len == 0 || len > NAME_MAX_LEN || s[0] == '-')
		return false;
	if (digits >= len)
		return strtoull(s, NULL, 10) < UINT32_MAX && len <= 10;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    s[i]) &&
		    !(s[i] == '$' && i == len - 1))
			return false;
	return true;
}

static bool valid_remap(const char *v)
{
	const char *colon = strchr(v, ':');

	if (strcmp(v, "default") == 0 || strcmp(v, "auto") == 0)
		return true;
	if (!colon)
		return valid_id(v, strlen(v));
	return valid_id(v, (size_t) (colon - v)) && valid_id(colon + 1, strlen(colon + 1));
}

static int read_userns_remap(const struct jnode *n, struct engine_config *c, struct berr **err)
{
	_cleanup_free_ char *v = NULL;
	int r;

	if (!jnode_present(n))
		return 0;
	if (!jnode_is_string(n))
		return berr_set(err, EINVAL, "%s: must be a string", n->key);
	if ((r = jnode_string(n, &v, NULL)) < 0)
		return r == -ENOMEM ? r : berr_set(err, -r, "%s: must not contain a NUL", n->key);
	if (!*v)
		return 0;
	/* --userns's word, not a user's name here (a user "host" is named by its number) */
	if (strcmp(v, "host") == 0)
		return berr_set(err, EINVAL,
				"%s: invalid value 'host': leave the key out (or \"\") for the "
				"host's user namespace",
				n->key);
	if (!valid_remap(v))
		return berr_set(err, EINVAL,
				"%s: invalid value '%s': want default, auto, USER or USER:GROUP "
				"(names or numeric ids)",
				n->key, v);
	c->userns_remap = TAKE_PTR(v);
	return 0;
}

static int read_member(const struct jnode *child, void *data, struct berr **err)
{
	if (strcmp(child->key, "userns-remap") == 0)
		return read_userns_remap(child, data, err);
	return berr_set(err, EINVAL, "%s: unknown key (known: userns-remap)", child->key);
}

int engine_config_parse(const char *text, size_t len, const char *path, struct engine_config **ret,
			struct berr **err)
{
	_cleanup_engine_config_ struct engine_config *c = calloc(1, sizeof(*c));
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	if (!c || !(c->path = strdup(path)))
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = jdoc_parse(text, len, path, &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	if (!jnode_is_object(&root))
		return berr_set(err, EINVAL, "%s: expected a JSON object", path);
	if ((r = jnode_foreach_member(&root, read_member, c, err)) < 0)
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory")
				    : berr_wrap(err, "%s", path);
	*ret = TAKE_PTR(c);
	return 0;
}

static int read_config_file(const char *path, char **ret, size_t *ret_len, struct berr **err)
{
	_cleanup_close_ int fd = open_regular_at(AT_FDCWD, path, O_RDONLY);
	int r;

	if (fd == -EINVAL)
		return berr_set(err, EINVAL, "%s: not a regular file (symlinks are not followed)",
				path);
	if (fd < 0)
		return berr_sys(err, -fd, "%s: cannot open", path);
	r = read_fd_all(fd, ENGINE_CONFIG_MAX, ret, ret_len);
	if (r == -EFBIG)
		return berr_set(err, EFBIG, "%s: larger than %u bytes", path, ENGINE_CONFIG_MAX);
	if (r < 0)
		return berr_sys(err, -r, "%s: cannot read", path);
	return 0;
}

int engine_config_load(const char *path, bool missing_ok, struct engine_config **ret,
		       struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_config_file(path, &text, &len, err);
	if (r == -ENOENT && missing_ok) {
		berr_clear(err);
		return engine_config_parse("{}", 2, "", ret, err);
	}
	if (r < 0)
		return r;
	return engine_config_parse(text, len, path, ret, err);
}
