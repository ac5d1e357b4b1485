/* SPDX-License-Identifier: Apache-2.0 */
/* RUN: the command in a container of the image so far, its changes the next layer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/builder.h"
#include "build/instruction.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* The ARGs a RUN sees in its environment: those no ENV overrides. */
static char **run_env(struct builder *b)
{
	char **v = calloc(1, sizeof(char *));

	STRV_FOREACH (a, b->args) {
		_cleanup_free_ char *name = strndup(*a, strcspn(*a, "="));

		if (!v || !name)
			return strv_free(v);
		if (!strv_env_get(b->rc.env, name) && strv_push_dup(&v, *a) < 0)
			return strv_free(v);
	}
	return v;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* docker's history line of a RUN: "|N K=V ... " (its build-args, sorted) before the command */
static char *run_created_by(char **env, const char *joined)
{
	_cleanup_free_ char *args = NULL;
	char *s = NULL;
	size_t n = strv_length(env);

	if (n == 0)
		return strdup(joined);
	qsort(env, n, sizeof(char *), cmp_str);
	args = strv_join(env, " ");
	if (!args || asprintf(&s, "|%zu %s %s", n, args, joined) < 0)
		return NULL;
	return s;
}

static int commit_container(struct builder *b, const char *id, const char *created_by,
			    struct berr **err)
{
	_cleanup_close_ int upperfd = -1;
	_cleanup_strv_ char **uid_map = NULL, **gid_map = NULL;
	char upper[PATH_MAX];
	int r = image_snapshot_upper(b->s, id, upper, sizeof(upper));

	if (r < 0)
		return berr_sys(err, -r, "the container's snapshot");
	upperfd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upperfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", upper);
	/* a RUN in a user namespace wrote host ids: its layer gets the container's */
	if ((r = b->rn->idmap(b->rn->ud, id, &uid_map, &gid_map, err)) < 0)
		return r;
	return builder_commit(b, upperfd, uid_map ? &(struct layer_idmap){uid_map, gid_map} : NULL,
			      created_by, err);
}

int build_run(struct builder *b, const struct df_instr *in, struct berr **err)
{
	_cleanup_strv_ char **argv = NULL, **env = run_env(b);
	_cleanup_free_ char *id = NULL, *joined = NULL, *created_by = NULL;
	int r, code = 0;

	if (!b->cur)
		return berr_set(err, EINVAL,
				"RUN needs an image to run in (FROM scratch has none)");
	if (!env || instruction_command(in, &b->rc, &argv) < 0 || !(joined = strv_join(argv, " ")))
		return -ENOMEM;
	/* as docker's: the build-args a RUN sees are part of its key */
	r = builder_cache_lookup(b, in, env, NULL, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = b->rn->create(b->rn->ud, b->cur->id, argv, env, &id, err);
	if (r < 0)
		return r;
	builder_say(b, " ---> Running in %.12s", id);
	r = b->rn->start(b->rn->ud, id, &code, err);
	if (r >= 0 && code != 0)
		r = berr_set(err, ECANCELED, "The command '%s' returned a non-zero code: %d",
			     joined, code);
	if (r >= 0 && !(created_by = run_created_by(env, joined)))
		r = -ENOMEM;
	if (r >= 0)
		r = commit_container(b, id, created_by, err);
	if (r >= 0)
		builder_say(b, "Removing intermediate container %.12s", id);
	b->rn->remove(b->rn->ud, id);
	return r;
}
