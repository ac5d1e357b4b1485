/* floor: the kernel work of one `run` of the bench bundle, with nothing else.
 *
 * Usage: floor ROOTFS CGROUP MEMORY_LIMIT PIDS_LIMIT CMD [ARG...]
 *
 * It does what an OCI runtime must do for the bundle that bench/run writes
 * (its config is the `runc spec` default plus a cgroup namespace, memory and
 * pids limits and an absolute cgroupsPath), without parsing, state files or
 * re-exec:
 *   - mkdir CGROUP in every cgroup v1 hierarchy, set the limits and the
 *     devices rules, and the child moves itself in (through "tasks" fds
 *     opened before clone); rmdir them all after it exits;
 *   - clone with new pid, mount, uts, ipc and net namespaces, then unshare
 *     the cgroup namespace once the child sits in its cgroups;
 *   - the bundle's mounts, device nodes and /dev symlinks, pivot_root,
 *     masked and read-only paths, a read-only root, loopback up;
 *   - rlimits, bounding set, capabilities, no_new_privs, exec.
 * The tables below must follow default_config() in bench/run.
 *
 * It is a measuring stick, not a runtime: on any error it says what failed
 * and exits 127, and it trusts its arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"

struct mount_entry {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
};

struct dev_entry {
	const char *path;
	unsigned int major, minor;
};

/* v1 hierarchies as mounted on the bench host (cpu and cpuacct apart). */
static const char *const hierarchies[] = {
	"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids", "systemd",
};

static const struct mount_entry bundle_mounts[] = {
	{"proc", "proc", "proc", 0, NULL},
	{"tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"},
	{"devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	 "newinstance,ptmxmode=0666,mode=0620,gid=5"},
	{"shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k"},
	{"mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL},
	{"sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL},
	{"tmpfs", "sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=755"},
};

static const struct dev_entry default_devices[] = {
	{"dev/null", 1, 3},   {"dev/zero", 1, 5},    {"dev/full", 1, 7},
	{"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0},
};

static const char *const dev_symlinks[][2] = {
	{"/proc/self/fd", "dev/fd"},	   {"/proc/self/fd/0", "dev/stdin"},
	{"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"},
	{"pts/ptmx", "dev/ptmx"},
};

static const char *const devices_allow[] = {
	"c *:* m",   "b *:* m",	  "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",   "c 1:8 rwm",
	"c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
};

static const char *const masked_paths[] = {
	"/proc/acpi",	       "/proc/asound",	   "/proc/kcore",	"/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/sys/firmware",       "/proc/scsi",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const int kept_caps[] = {CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "floor: %s '%s': %s\n", what, arg, strerror(errno));
	_exit(127);
}

static void write_file(const char *dir, const char *name, const char *value)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		die("cannot write", path);
	close(fd);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	char path[512], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", from_dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) < 0)
		die("cannot read", path);
	close(fd);
	buf[n] = '\0';
	write_file(to_dir, name, buf);
}

/* mkdir one cgroup dir; a new cpuset dir gets its parent's cpus and mems. */
static void cgroup_mkdir_one(const char *hierarchy, const char *dir)
{
	char parent[512];

	if (mkdir(dir, 0755) < 0) {
		if (errno != EEXIST)
			die("cannot mkdir", dir);
		return;
	}
	if (strcmp(hierarchy, "cpuset") != 0)
		return;
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	copy_file(parent, dir, "cpuset.cpus");
	copy_file(parent, dir, "cpuset.mems");
}

/* mkdir -p CGROUP under one hierarchy; its path is left in ret_dir. */
static void cgroup_mkdir(const char *hierarchy, const char *cgroup, char *ret_dir, size_t size)
{
	size_t i = (size_t) snprintf(ret_dir, size, "%s/%s/", CGROUP_ROOT, hierarchy);

	snprintf(ret_dir + i, size - i, "%s", cgroup);
	for (;; i++) {
		char c = ret_dir[i];

		if (c != '/' && c != '\0')
			continue;
		ret_dir[i] = '\0';
		cgroup_mkdir_one(hierarchy, ret_dir);
		ret_dir[i] = c;
		if (c == '\0')
			return;
	}
}

#define N_HIERARCHIES (sizeof(hierarchies) / sizeof(hierarchies[0]))

/*
 * Create the cgroups, set the limits and open their "tasks" files, into which
 * the child writes itself (`echo 0 > tasks`): a thread that moves itself skips
 * the global lock that a migration by pid takes (an RCU grace period).
 */
static void cgroup_prepare(const char *cgroup, const char *memory, const char *pids, int *tasks)
{
	char dir[512], path[600];
	size_t i, j;

	for (i = 0; i < N_HIERARCHIES; i++) {
		cgroup_mkdir(hierarchies[i], cgroup, dir, sizeof(dir));
		if (strcmp(hierarchies[i], "memory") == 0)
			write_file(dir, "memory.limit_in_bytes", memory);
		if (strcmp(hierarchies[i], "pids") == 0)
			write_file(dir, "pids.max", pids);
		if (strcmp(hierarchies[i], "devices") == 0) {
			write_file(dir, "devices.deny", "a");
			for (j = 0; j < sizeof(devices_allow) / sizeof(devices_allow[0]); j++)
				write_file(dir, "devices.allow", devices_allow[j]);
		}
		snprintf(path, sizeof(path), "%s/tasks", dir);
		tasks[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (tasks[i] < 0)
			die("cannot open", path);
	}
}

static void cgroup_join(const int *tasks)
{
	for (size_t i = 0; i < N_HIERARCHIES; i++)
		if (write(tasks[i], "0", 1) != 1 || close(tasks[i]) < 0)
			die("cannot join", hierarchies[i]);
}

static void cgroup_remove(const char *cgroup)
{
	char dir[512];
	size_t i;

	for (i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s/%s", CGROUP_ROOT, hierarchies[i], cgroup);
		if (rmdir(dir) < 0)
			die("cannot rmdir", dir);
	}
}

static void do_mount(const char *source, const char *target, const char *type, unsigned long flags,
		     const char *data)
{
	if (mount(source, target, type, flags, data) < 0)
		die("cannot mount", target);
}

/* The bundle's mounts and /dev, relative to the rootfs (the cwd). */
static void mount_bundle(void)
{
	char target[256];
	size_t i;

	for (i = 0; i < sizeof(bundle_mounts) / sizeof(bundle_mounts[0]); i++) {
		const struct mount_entry *m = &bundle_mounts[i];

		if (mkdir(m->target, 0755) < 0 && errno != EEXIST)
			die("cannot mkdir", m->target);
		do_mount(m->source, m->target, m->type, m->flags, m->data);
	}
	for (i = 0; i < sizeof(hierarchies) / sizeof(hierarchies[0]); i++) {
		bool named = strcmp(hierarchies[i], "systemd") == 0;

		snprintf(target, sizeof(target), "sys/fs/cgroup/%s", hierarchies[i]);
		if (mkdir(target, 0755) < 0)
			die("cannot mkdir", target);
		do_mount("cgroup", target, "cgroup", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY,
			 named ? "none,name=systemd" : hierarchies[i]);
	}
	do_mount(NULL, "sys/fs/cgroup", NULL,
		 MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=755");
	umask(0);
	for (i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		const struct dev_entry *d = &default_devices[i];

		if (mknod(d->path, S_IFCHR | 0666, makedev(d->major, d->minor)) < 0)
			die("cannot mknod", d->path);
	}
	for (i = 0; i < sizeof(dev_symlinks) / sizeof(dev_symlinks[0]); i++)
		if (symlink(dev_symlinks[i][0], dev_symlinks[i][1]) < 0)
			die("cannot symlink", dev_symlinks[i][1]);
	umask(022);
}

/* Hide the masked paths and make the read-only ones so, after pivot_root. */
static void mask_paths(void)
{
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++) {
		if (stat(masked_paths[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			do_mount("tmpfs", masked_paths[i], "tmpfs", MS_RDONLY, NULL);
		else
			do_mount("/dev/null", masked_paths[i], NULL, MS_BIND, NULL);
	}
	for (i = 0; i < sizeof(readonly_paths) / sizeof(readonly_paths[0]); i++) {
		if (access(readonly_paths[i], F_OK) < 0)
			continue;
		do_mount(readonly_paths[i], readonly_paths[i], NULL, MS_BIND | MS_REC, NULL);
		do_mount(NULL, readonly_paths[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC,
			 NULL);
	}
}

static void loopback_up(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("cannot read flags of", "lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("cannot bring up", "lo");
	close(fd);
}

/* The process part of the spec: rlimits, user, capabilities, no_new_privs. */
static void drop_privileges(void)
{
	struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0}};
	struct rlimit nofile = {1024, 1024};
	size_t i;
	int cap;

	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
		die("cannot set", "RLIMIT_NOFILE");
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("cannot set", "user");
	for (i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		data[kept_caps[i] / 32].effective |= 1u << (kept_caps[i] % 32);
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!(data[cap / 32].effective & (1u << (cap % 32))) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			die("cannot drop", "bounding set");
	data[0].permitted = data[0].inheritable = data[0].effective;
	data[1].permitted = data[1].inheritable = data[1].effective;
	if (syscall(SYS_capset, &head, data) < 0)
		die("cannot set", "capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("cannot set", "no_new_privs");
}

static void child_main(const int *tasks, const char *rootfs, char **argv)
{
	cgroup_join(tasks);
	if (unshare(CLONE_NEWCGROUP) < 0)
		die("cannot unshare", "cgroup");
	if (sethostname("floor", 5) < 0)
		die("cannot set", "hostname");
	do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	do_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(rootfs) < 0)
		die("cannot chdir", rootfs);
	mount_bundle();
	/* pivot_root(".", ".") stacks the old root on the new one; the detach
         * unmount drops it, so no path into the host stays reachable. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("cannot pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die("cannot detach", "old root");
	mask_paths();
	do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	loopback_up();
	drop_privileges();
	execv(argv[0], argv);
	die("cannot exec", argv[0]);
}

int main(int argc, char **argv)
{
	const int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
	int tasks[N_HIERARCHIES], status;
	pid_t pid;

	if (argc < 6) {
		fprintf(stderr,
			"usage: floor ROOTFS CGROUP MEMORY_LIMIT PIDS_LIMIT CMD [ARG...]\n");
		return 2;
	}
	cgroup_prepare(argv[2], argv[3], argv[4], tasks);
	pid = (pid_t) syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die("cannot clone", "child");
	if (pid == 0)
		child_main(tasks, argv[1], argv + 5);
	for (size_t i = 0; i < N_HIERARCHIES; i++)
		close(tasks[i]);
	if (waitpid(pid, &status, 0) < 0)
		die("cannot wait for", "child");
	cgroup_remove(argv[2]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
