/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/config/spec_default.h"

#include <linux/magic.h>
#include <stdio.h>
#include <sys/statfs.h>

#include "config.h"

/*
 * runc's default, for a busybox-style rootfs: the three capabilities Docker keeps in
 * every set but inheritable (CVE-2022-29162), no new privileges, the kernel files
 * masked or read-only, a read-only root, and every namespace but user and time.
 * The rootless variant (runc spec --rootless) differs where an unprivileged user must:
 * see spec_default_rootless_text.
 */
#define CAPS                                                                                       \
	"[\n\t\t\t\t\"CAP_AUDIT_WRITE\",\n\t\t\t\t\"CAP_KILL\",\n\t\t\t\t\"CAP_NET_BIND_"          \
	"SERVICE\"\n\t\t\t]"

#define HEAD                                                                                       \
	"{\n"                                                                                      \
	"\t\"ociVersion\": \"" BERTH_OCI_VERSION "\",\n"                                           \
	"\t\"process\": {\n"                                                                       \
	"\t\t\"terminal\": true,\n"                                                                \
	"\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n"                           \
	"\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n"                                                  \
	"\t\t\"env\": [\n"                                                                         \
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"           \
	"\t\t\t\"TERM=xterm\"\n"                                                                   \
	"\t\t],\n"                                                                                 \
	"\t\t\"cwd\": \"/\",\n"                                                                    \
	"\t\t\"capabilities\": {\n"                                                                \
	"\t\t\t\"bounding\": " CAPS ",\n"                                                          \
	"\t\t\t\"effective\": " CAPS ",\n"                                                         \
	"\t\t\t\"permitted\": " CAPS ",\n"                                                         \
	"\t\t\t\"ambient\": " CAPS "\n"                                                            \
	"\t\t},\n"                                                                                 \
	"\t\t\"rlimits\": [\n"                                                                     \
	"\t\t\t{\n\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n\t\t\t\t\"hard\": 1024,\n"                 \
	"\t\t\t\t\"soft\": 1024\n\t\t\t}\n"                                                        \
	"\t\t],\n"                                                                                 \
	"\t\t\"noNewPrivileges\": true\n"                                                          \
	"\t},\n"                                                                                   \
	"\t\"root\": {\n\t\t\"path\": \"rootfs\",\n\t\t\"readonly\": true\n\t},\n"                 \
	"\t\"hostname\": \"berth\",\n"

#define MOUNTS_DEV_START                                                                           \
	"\t\"mounts\": [\n"                                                                        \
	"\t\t{\n\t\t\t\"destination\": \"/proc\",\n\t\t\t\"type\": \"proc\",\n"                    \
	"\t\t\t\"source\": \"proc\"\n\t\t},\n"                                                     \
	"\t\t{\n\t\t\t\"destination\": \"/dev\",\n\t\t\t\"type\": \"tmpfs\",\n"                    \
	"\t\t\t\"source\": \"tmpfs\",\n\t\t\t\"options\": [\n\t\t\t\t\"nosuid\",\n"                \
	"\t\t\t\t\"strictatime\",\n\t\t\t\t\"mode=755\",\n\t\t\t\t\"size=65536k\"\n"               \
	"\t\t\t]\n\t\t},\n"                                                                        \
	"\t\t{\n\t\t\t\"destination\": \"/dev/pts\",\n\t\t\t\"type\": \"devpts\",\n"               \
	"\t\t\t\"source\": \"devpts\",\n\t\t\t\"options\": [\n\t\t\t\t\"nosuid\",\n"               \
	"\t\t\t\t\"noexec\",\n\t\t\t\t\"newinstance\",\n\t\t\t\t\"ptmxmode=0666\",\n"              \
	"\t\t\t\t\"mode=0620\""

#define MOUNTS_SHM_MQUEUE                                                                          \
	"\n\t\t\t]\n\t\t},\n"                                                                      \
	"\t\t{\n\t\t\t\"destination\": \"/dev/shm\",\n\t\t\t\"type\": \"tmpfs\",\n"                \
	"\t\t\t\"source\": \"shm\",\n\t\t\t\"options\": [\n\t\t\t\t\"nosuid\",\n"                  \
	"\t\t\t\t\"noexec\",\n\t\t\t\t\"nodev\",\n\t\t\t\t\"mode=1777\",\n"                        \
	"\t\t\t\t\"size=65536k\"\n\t\t\t]\n\t\t},\n"                                               \
	"\t\t{\n\t\t\t\"destination\": \"/dev/mqueue\",\n\t\t\t\"type\": \"mqueue\",\n"            \
	"\t\t\t\"source\": \"mqueue\",\n\t\t\t\"options\": [\n\t\t\t\t\"nosuid\",\n"               \
	"\t\t\t\t\"noexec\",\n\t\t\t\t\"nodev\"\n\t\t\t]\n\t\t},\n"

#define SYS_OPTS "\t\t\t\t\"noexec\",\n\t\t\t\t\"nodev\",\n\t\t\t\t\"ro\"\n\t\t\t]\n\t\t},\n"

#define MOUNTS_SYSFS                                                                               \
	"\t\t{\n\t\t\t\"destination\": \"/sys\",\n\t\t\t\"type\": \"sysfs\",\n"                    \
	"\t\t\t\"source\": \"sysfs\",\n\t\t\t\"options\": [\n\t\t\t\t\"nosuid\",\n" SYS_OPTS

#define MOUNTS_SYS_RBIND                                                                           \
	"\t\t{\n\t\t\t\"destination\": \"/sys\",\n\t\t\t\"type\": \"none\",\n"                     \
	"\t\t\t\"source\": \"/sys\",\n\t\t\t\"options\": [\n\t\t\t\t\"rbind\",\n"                  \
	"\t\t\t\t\"nosuid\",\n" SYS_OPTS

#define MOUNTS_CGROUP_END                                                                          \
	"\t\t{\n\t\t\t\"destination\": \"/sys/fs/cgroup\",\n\t\t\t\"type\": \"cgroup\",\n"         \
	"\t\t\t\"source\": \"cgroup\",\n\t\t\t\"options\": [\n\t\t\t\t\"nosuid\",\n"               \
	"\t\t\t\t\"noexec\",\n\t\t\t\t\"nodev\",\n\t\t\t\t\"relatime\",\n\t\t\t\t\"ro\"\n"         \
	"\t\t\t]\n\t\t}\n"                                                                         \
	"\t],\n"

#define NS(t) "\t\t\t{\n\t\t\t\t\"type\": \"" t "\"\n\t\t\t}"

#define PATHS_END                                                                                  \
	"\t\t\"maskedPaths\": [\n"                                                                 \
	"\t\t\t\"/proc/acpi\",\n\t\t\t\"/proc/asound\",\n\t\t\t\"/proc/kcore\",\n"                 \
	"\t\t\t\"/proc/keys\",\n\t\t\t\"/proc/latency_stats\",\n\t\t\t\"/proc/timer_list\",\n"     \
	"\t\t\t\"/proc/timer_stats\",\n\t\t\t\"/proc/sched_debug\",\n\t\t\t\"/sys/firmware\",\n"   \
	"\t\t\t\"/proc/scsi\"\n"                                                                   \
	"\t\t],\n"                                                                                 \
	"\t\t\"readonlyPaths\": [\n"                                                               \
	"\t\t\t\"/proc/bus\",\n\t\t\t\"/proc/fs\",\n\t\t\t\"/proc/irq\",\n\t\t\t\"/proc/sys\",\n"  \
	"\t\t\t\"/proc/sysrq-trigger\"\n"                                                          \
	"\t\t]\n"                                                                                  \
	"\t}\n"                                                                                    \
	"}\n"

#define DEFAULT_SPEC(last_ns)                                                                      \
	HEAD MOUNTS_DEV_START                                                                      \
		",\n\t\t\t\t\"gid=5\"" MOUNTS_SHM_MQUEUE MOUNTS_SYSFS MOUNTS_CGROUP_END            \
		"\t\"linux\": {\n"                                                                 \
		"\t\t\"resources\": {\n\t\t\t\"devices\": [\n\t\t\t\t{\n\t\t\t\t\t\"allow\": "     \
		"false,\n"                                                                         \
		"\t\t\t\t\t\"access\": \"rwm\"\n\t\t\t\t}\n\t\t\t]\n\t\t},\n"                      \
		"\t\t\"namespaces\": [\n" NS("pid") ",\n" NS("network") ",\n" NS("ipc") ",\n" NS(  \
			"uts") ",\n" last_ns "\n\t\t],\n" PATHS_END

/* With a cgroup namespace (pure cgroup v2 hosts), and without (v1 and hybrid), as runc. */
static const char default_spec_cgroupns[] = DEFAULT_SPEC(NS("mount") ",\n" NS("cgroup"));
static const char default_spec[] = DEFAULT_SPEC(NS("mount"));

/*
 * As `runc spec --rootless`: a user namespace mapping only the caller's own ids (which an
 * unprivileged user may write without newuidmap), no network namespace (sysfs cannot be
 * mounted without owning one: /sys is bound from the host instead), no resources (no
 * cgroup to apply them to), and devpts without gid=5 (not mapped). Two %u pairs: uid, gid.
 */
#define ROOTLESS_SPEC(last_ns)                                                                     \
	HEAD MOUNTS_DEV_START MOUNTS_SHM_MQUEUE MOUNTS_SYS_RBIND MOUNTS_CGROUP_END                 \
		"\t\"linux\": {\n"                                                                 \
		"\t\t\"uidMappings\": [\n\t\t\t{\n\t\t\t\t\"containerID\": 0,\n"                   \
		"\t\t\t\t\"hostID\": %u,\n\t\t\t\t\"size\": 1\n\t\t\t}\n\t\t],\n"                  \
		"\t\t\"gidMappings\": [\n\t\t\t{\n\t\t\t\t\"containerID\": 0,\n"                   \
		"\t\t\t\t\"hostID\": %u,\n\t\t\t\t\"size\": 1\n\t\t\t}\n\t\t],\n"                  \
		"\t\t\"namespaces\": [\n" NS("pid") ",\n" NS("ipc") ",\n" NS("uts") ",\n" NS(      \
			"mount") last_ns ",\n" NS("user") "\n\t\t],\n" PATHS_END

static const char rootless_spec_cgroupns[] = ROOTLESS_SPEC(",\n" NS("cgroup"));
static const char rootless_spec[] = ROOTLESS_SPEC("");

bool spec_default_host_is_cgroup2(void)
{
	struct statfs sfs;

	return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

const char *spec_default_text(bool cgroupns)
{
	return cgroupns ? default_spec_cgroupns : default_spec;
}

char *spec_default_rootless_text(uid_t uid, gid_t gid, bool cgroupns)
{
	char *out = NULL;

	if (asprintf(&out, cgroupns ? rootless_spec_cgroupns : rootless_spec, (unsigned) uid,
		     (unsigned) gid) < 0)
		return NULL;
	return out;
}
