/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container names: names/<name> is a symlink to the container's id, and creating it is
 * the reservation. Generated names are docker's "adjective_surname" from lists of about
 * docker's size (140 x 259: 36 260 names), reserved by that same exclusive symlinkat(2):
 * a clash with a concurrent create only means another draw, never a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine/container_network.h"
#include "engine/container_store.h"
#include "engine/events.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"

static const char *const adjectives[] = {
	"able",	    "agile",	"alert",     "amazing",	 "amused",    "ancient",  "ardent",
	"artful",   "astute",	"awake",     "balanced", "blissful",  "bold",	  "bright",
	"brisk",    "bubbly",	"busy",	     "candid",	 "careful",   "caring",	  "charming",
	"cheerful", "civil",	"clear",     "clever",	 "cosmic",    "cozy",	  "crisp",
	"curious",  "daring",	"dazzling",  "decent",	 "deft",      "devoted",  "diligent",
	"dreamy",   "dynamic",	"earnest",   "easy",	 "elated",    "elegant",  "eloquent",
	"epic",	    "exact",	"fair",	     "faithful", "fancy",     "fearless", "festive",
	"fierce",   "fond",	"frank",     "friendly", "frosty",    "gallant",  "generous",
	"gentle",   "gifted",	"glad",	     "golden",	 "graceful",  "grand",	  "grateful",
	"gutsy",    "hardy",	"hearty",    "helpful",	 "heroic",    "honest",	  "hopeful",
	"humble",   "jolly",	"jovial",    "joyful",	 "just",      "keen",	  "kind",
	"lively",   "loyal",	"lucid",     "lucky",	 "magical",   "mellow",	  "merry",
	"mighty",   "modest",	"natural",   "neat",	 "nifty",     "noble",	  "patient",
	"peaceful", "placid",	"playful",   "plucky",	 "polite",    "precise",  "proud",
	"quick",    "quiet",	"radiant",   "rapid",	 "ready",     "relaxed",  "resolute",
	"robust",   "rosy",	"serene",    "sharp",	 "shiny",     "silent",	  "sincere",
	"smart",    "snappy",	"sober",     "solid",	 "sparkling", "spirited", "steady",
	"stoic",    "sturdy",	"sunny",     "superb",	 "swift",     "tender",	  "thoughtful",
	"tidy",	    "tranquil", "trusting",  "upbeat",	 "valiant",   "vibrant",  "vigilant",
	"vivid",    "warm",	"whimsical", "wise",	 "witty",     "youthful", "zealous",
};

static const char *const surnames[] = {
	"abel",	      "agassi",	       "agnesi",      "alhazen",     "almeida",	     "ampere",
	"anning",     "archimedes",    "aristarchus", "arrhenius",   "avogadro",     "babbage",
	"backus",     "banach",	       "bardeen",     "barton",	     "bassi",	     "bayes",
	"bell",	      "bernoulli",     "bessel",      "bethe",	     "bloch",	     "bohr",
	"boltzmann",  "boole",	       "born",	      "bose",	     "boyle",	     "bragg",
	"brahe",      "brattain",      "broglie",     "bunsen",	     "cajal",	     "cantor",
	"cardano",    "carnot",	       "carson",      "cauchy",	     "cavendish",    "celsius",
	"chadwick",   "chandrasekhar", "chapman",     "chebyshev",   "clausius",     "cohen",
	"compton",    "conway",	       "copernicus",  "cori",	     "coulomb",	     "crick",
	"curie",      "curran",	       "cuvier",      "dalton",	     "darwin",	     "davy",
	"dedekind",   "democritus",    "descartes",   "dijkstra",    "dirac",	     "doppler",
	"dyson",      "easley",	       "edison",      "ehrlich",     "einstein",     "elion",
	"engelbart",  "eratosthenes",  "erdos",	      "euclid",	     "euler",	     "faber",
	"faraday",    "fermat",	       "fermi",	      "feynman",     "fibonacci",    "fleming",
	"foucault",   "fourier",       "franklin",    "fresnel",     "frisch",	     "galileo",
	"galois",     "galvani",       "gamow",	      "gauss",	     "germain",	     "gibbs",
	"goeppert",   "goodall",       "gould",	      "grace",	     "grothendieck", "haber",
	"hahn",	      "haldane",       "halley",      "hamilton",    "hamming",	     "hardy",
	"harvey",     "hawking",       "heaviside",   "heisenberg",  "helmholtz",    "herschel",
	"hertz",      "higgs",	       "hilbert",     "hodgkin",     "hooke",	     "hoover",
	"hopper",     "hubble",	       "humboldt",    "huygens",     "hypatia",	     "jackson",
	"jansky",     "jenner",	       "joliot",      "joule",	     "kahan",	     "kapitsa",
	"kelvin",     "kepler",	       "khorana",     "kirchhoff",   "knuth",	     "koch",
	"kolmogorov", "kovalevskaya",  "kuhn",	      "kuiper",	     "lagrange",     "lamarck",
	"lamport",    "landau",	       "langmuir",    "laplace",     "laue",	     "lavoisier",
	"leakey",     "leavitt",       "lebesgue",    "leeuwenhoek", "leibniz",	     "lemaitre",
	"lindqvist",  "liskov",	       "lister",      "lorentz",     "lovelace",     "lyell",
	"mach",	      "markov",	       "maxwell",     "mayer",	     "mcclintock",   "meitner",
	"mendel",     "mendeleev",     "mercator",    "merian",	     "michelson",    "milankovic",
	"millikan",   "minsky",	       "mirzakhani",  "mohorovicic", "morse",	     "moseley",
	"napier",     "nash",	       "nernst",      "newton",	     "nightingale",  "nirenberg",
	"nobel",      "noether",       "ohm",	      "oppenheimer", "ostrom",	     "pascal",
	"pasteur",    "pauli",	       "pauling",     "pavlov",	     "payne",	     "peano",
	"perlman",    "perrin",	       "planck",      "poincare",    "poisson",	     "ptolemy",
	"pythagoras", "rabi",	       "raman",	      "ramanujan",   "rayleigh",     "rees",
	"ride",	      "riemann",       "ritchie",     "roentgen",    "rubin",	     "russell",
	"rutherford", "sagan",	       "salam",	      "salk",	     "sanger",	     "schrodinger",
	"segre",      "shannon",       "shockley",    "slater",	     "snell",	     "sommerfeld",
	"stallman",   "stern",	       "stokes",      "sutherland",  "swanson",	     "tamm",
	"tesla",      "thompson",      "thomson",     "torvalds",    "turing",	     "tyndall",
	"ulam",	      "vaughan",       "venn",	      "volta",	     "wallace",	     "watson",
	"watt",	      "wegener",       "weierstrass", "wiener",	     "wiles",	     "wilkins",
	"wozniak",    "wright",	       "wu",	      "yalow",	     "yonath",	     "zuse",
	"zwicky",
};

static int name_is_stale(struct engine *e, const char *name, const char *owner, bool *ret_stale);

/*
 * Names are reserved under names.lock: telling a stale name (its container is gone)
 * from a live one and taking it over must be one step, or two creates could both
 * take it. The container's directory exists before its name is reserved, so a name
 * whose directory is missing is stale.
 */
static int lock_names(struct engine *e)
{
	_cleanup_close_ int fd =
		openat(e->rootfd, "names.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return TAKE_FD(fd);
}

int container_name_reserve(struct engine *e, const char *name, const char *id, struct berr **err)
{
	_cleanup_free_ char *owner = NULL;
	_cleanup_close_ int lock = -1;
	bool stale = false;

	if (!container_name_valid(name))
		return berr_set(err, EINVAL,
				"Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				"allowed",
				name);
	lock = lock_names(e);
	if (lock < 0)
		return berr_sys(err, -lock, "cannot lock the container names");
	for (int attempt = 0; attempt < 3; attempt++) {
		if (symlinkat(id, e->names_fd, name) == 0)
			return 0;
		if (errno != EEXIST)
			return berr_sys(err, errno, "cannot reserve the name '%s'", name);
		free(owner);
		owner = container_name_target(e, name);
		if (owner && strcmp(owner, id) == 0)
			return 0; /* left by a killed rename of this container */
		if (owner && name_is_stale(e, name, owner, &stale) >= 0 && stale) {
			(void) unlinkat(e->names_fd, name, 0);
			continue;
		}
		if (owner)
			return berr_set(err, EEXIST,
					"Conflict. The container name \"/%s\" is already in use "
					"by container \"%s\". You have to remove (or rename) that "
					"container to be able to reuse that name.",
					name, owner);
		/* a stale name: its container is gone */
		(void) unlinkat(e->names_fd, name, 0);
	}
	return berr_set(err, EEXIST, "cannot reserve the name '%s'", name);
}

void container_name_release(struct engine *e, const char *name, const char *id)
{
	char buf[CONTAINER_ID_LEN + 2];
	ssize_t n;

	if (!name || !container_name_valid(name))
		return;
	n = readlinkat(e->names_fd, name, buf, sizeof(buf) - 1);
	if (n != CONTAINER_ID_LEN)
		return;
	buf[n] = '\0';
	if (strcmp(buf, id) == 0)
		(void) unlinkat(e->names_fd, name, 0);
}

#define GENERATE_ATTEMPTS 1000

/*
 * After a few clashes a number is added, as docker does; the symlink is the only test
 * of freedom (no stat first: that and the reservation would be two steps).
 */
static int draw_name(int attempt, char *buf, size_t size)
{
	uint32_t rnd[3];

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -errno;
	snprintf(buf, size, attempt < 8 ? "%s_%s" : "%s_%s%u",
		 adjectives[rnd[0] % ELEMENTSOF(adjectives)],
		 surnames[rnd[1] % ELEMENTSOF(surnames)], rnd[2] % 1000);
	return 0;
}

int container_name_reserve_generated(struct engine *e, const char *id, char **ret,
				     struct berr **err)
{
	char name[CONTAINER_NAME_MAX + 1];
	int r;

	for (int attempt = 0; attempt < GENERATE_ATTEMPTS; attempt++) {
		if ((r = draw_name(attempt, name, sizeof(name))) < 0)
			return berr_sys(err, -r, "cannot draw a container name");
		if (symlinkat(id, e->names_fd, name) == 0) {
			if (!(*ret = strdup(name))) {
				(void) unlinkat(e->names_fd, name, 0);
				return berr_set(err, ENOMEM, "out of memory");
			}
			return 0;
		}
		if (errno != EEXIST)
			return berr_sys(err, errno, "cannot reserve the name '%s'", name);
	}
	return berr_set(err, EEXIST, "cannot find a free container name");
}

/*
 * A rename killed between its steps leaves a second name pointing at the container:
 * config.json is the truth, and a name the container's config does not carry is stale.
 * The container's lock tells a rename in progress (it holds it from its first step to
 * its last) from one that was killed. Called under names.lock, so no rename of owner
 * can start meanwhile; *ret_stale is false whenever we cannot be sure.
 */
static int name_is_stale(struct engine *e, const char *name, const char *owner, bool *ret_stale)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int lock = -1;
	char path[CONTAINER_ID_LEN + 8];

	*ret_stale = false;
	snprintf(path, sizeof(path), "%s/lock", owner);
	lock = openat(e->containers_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (lock < 0 || flock(lock, LOCK_SH | LOCK_NB) < 0)
		return 0;
	if (container_load(e, owner, false, &c, NULL) < 0)
		return 0;
	*ret_stale = strcmp(c->cfg->name, name) != 0;
	return 0;
}

void container_name_release_all(struct engine *e, const char *id)
{
	_cleanup_closedir_ DIR *d = NULL;
	char buf[CONTAINER_ID_LEN + 2];
	struct dirent *de;
	int fd = openat(e->names_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		ssize_t n = readlinkat(e->names_fd, de->d_name, buf, sizeof(buf) - 1);

		if (n != CONTAINER_ID_LEN)
			continue;
		buf[n] = '\0';
		if (strcmp(buf, id) == 0)
			(void) unlinkat(e->names_fd, de->d_name, 0);
	}
}

/*
 * Intent before action: the new name is reserved first (a kill here leaves a second
 * name the config does not carry: stale, taken over by the next reservation, ignored by
 * lookups, released by rm), then config.json says it (durably), then the old name goes
 * (a kill before leaves the old name stale in the same way).
 */
int container_rename(struct engine *e, struct container *c, const char *new_name, struct berr **err)
{
	_cleanup_free_ char *old = NULL, *dup = NULL;
	const char *name = new_name[0] == '/' ? new_name + 1 : new_name;
	int r;

	if (!*name)
		return berr_set(err, EINVAL, "Neither old nor new names may be empty");
	if (strcmp(c->cfg->name, name) == 0)
		return berr_set(err, EINVAL,
				"Renaming a container with the same name as its current name");
	if (!(dup = strdup(name)))
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = container_name_reserve(e, name, c->cfg->id, err)) < 0)
		return berr_wrap(err, "Error when allocating new name");
	crashpoint("rename-reserved");
	old = c->cfg->name;
	c->cfg->name = TAKE_PTR(dup);
	if ((r = container_dir_write_config(c->dirfd, c->cfg, err)) < 0) {
		dup = c->cfg->name;
		c->cfg->name = TAKE_PTR(old);
		container_name_release(e, name, c->cfg->id);
		return r;
	}
	crashpoint("rename-config");
	container_name_release(e, old, c->cfg->id);
	(void) events_container(e->root, c->cfg, "rename", "oldName", old);
	/* a running container on a network answers to its new name there (docker's) */
	if ((r = container_network_rename(e, c, err)) < 0)
		return berr_wrap(err, "renamed to '%s', but its name on the network is the old one",
				 name);
	return 0;
}
