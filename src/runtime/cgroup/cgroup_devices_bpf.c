/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cgroup/cgroup_devices_bpf.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"

/* Registers: r1 the context, then what the prologue loads from it. */
#define R_CTX 1
#define R_SCRATCH 1
#define R_TYPE 2
#define R_ACCESS 3
#define R_MAJOR 4
#define R_MINOR 5

#define MAX_ATTACHED 64
#define LOG_SIZE 65536

static const uint32_t access_bits[] = {BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ,
				       BPF_DEVCG_ACC_WRITE};

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
	bool oom;
};

/* Jumps waiting for the position of their label. */
struct fixups {
	size_t *at;
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *v = realloc(p->v, cap * sizeof(*v));

		if (!v) {
			p->oom = true;
			return;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* A jump whose target is set later by fix_here(). */
static void emit_jump(struct prog *p, struct fixups *f, uint8_t op, uint8_t reg, int32_t imm)
{
	size_t *at = p->oom ? NULL : realloc(f->at, (f->n + 1) * sizeof(*at));

	if (!at) {
		p->oom = true;
		return;
	}
	f->at = at;
	f->at[f->n++] = p->n;
	emit(p, BPF_JMP | op | BPF_K, reg, 0, 0, imm);
}

/* Point the pending jumps of f at the next instruction, and forget them. */
static void fix_here(struct prog *p, struct fixups *f)
{
	for (size_t i = 0; i < f->n && !p->oom; i++)
		p->v[f->at[i]].off = (int16_t) (p->n - f->at[i] - 1);
	free(f->at);
	f->at = NULL;
	f->n = 0;
}

static void emit_return(struct prog *p, int32_t verdict)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, verdict);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static bool rule_has_access(const struct spec_device_rule *r, uint32_t bit)
{
	return (bit == BPF_DEVCG_ACC_MKNOD && strchr(r->access, 'm')) ||
	       (bit == BPF_DEVCG_ACC_READ && strchr(r->access, 'r')) ||
	       (bit == BPF_DEVCG_ACC_WRITE && strchr(r->access, 'w'));
}

/* Does r match every device? Then no earlier rule is reachable for this access. */
static bool rule_matches_all(const struct spec_device_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0;
}

/* The rules naming one access, last first: the first whose device matches decides. */
static void emit_access(struct prog *p, const struct spec_device_rule *rules, size_t n,
			uint32_t bit)
{
	struct fixups section_end = {0};
	bool total = false;

	/* Not asked for: this access does not stand in the way. */
	emit(p, BPF_JMP | BPF_JSET | BPF_K, R_ACCESS, 0, 1, (int32_t) bit);
	emit_jump(p, &section_end, BPF_JA, 0, 0);
	for (size_t i = n; i-- > 0 && !total;) {
		const struct spec_device_rule *r = &rules[i];
		struct fixups next = {0};

		if (!rule_has_access(r, bit))
			continue;
		if (r->type != 'a')
			emit_jump(p, &next, BPF_JNE, R_TYPE,
				  r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
		if (r->major >= 0)
			emit_jump(p, &next, BPF_JNE, R_MAJOR, (int32_t) r->major);
		if (r->minor >= 0)
			emit_jump(p, &next, BPF_JNE, R_MINOR, (int32_t) r->minor);
		if (r->allow)
			emit_jump(p, &section_end, BPF_JA, 0, 0); /* granted: next access */
		else
			emit_return(p, 0);
		fix_here(p, &next);
		total = rule_matches_all(r);
	}
	if (!total)
		emit_return(p, 0);
	fix_here(p, &section_end);
}

int cgroup_bpf_devices_program(const struct spec_device_rule *rules, size_t n,
			       struct bpf_insn **ret, size_t *ret_n)
{
	struct prog p = {0};

	emit(&p, BPF_LDX | BPF_W | BPF_MEM, R_TYPE, R_CTX, 0, 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	emit(&p, BPF_LDX | BPF_W | BPF_MEM, R_ACCESS, R_CTX, 0, 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	emit(&p, BPF_LDX | BPF_W | BPF_MEM, R_MAJOR, R_CTX, 4, 0);
	emit(&p, BPF_LDX | BPF_W | BPF_MEM, R_MINOR, R_CTX, 8, 0);
	for (size_t b = 0; b < ELEMENTSOF(access_bits); b++)
		emit_access(&p, rules, n, access_bits[b]);
	emit_return(&p, 1);
	if (p.oom) {
		free(p.v);
		return -ENOMEM;
	}
	*ret = p.v;
	*ret_n = p.n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int) syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Load the program; the verifier's log goes into the message when it refuses. */
static int load(const struct bpf_insn *prog, size_t n, struct berr **err)
{
	_cleanup_free_ char *log = NULL;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t) (uintptr_t) prog;
	attr.insn_cnt = (uint32_t) n;
	attr.license = (uint64_t) (uintptr_t) "Apache-2.0";
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != EACCES)
		return berr_sys(err, errno, "devices: loading the eBPF device filter");
	log = calloc(1, LOG_SIZE);
	if (log) {
		attr.log_level = 1;
		attr.log_buf = (uint64_t) (uintptr_t) log;
		attr.log_size = LOG_SIZE;
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0)
			return fd;
	}
	return berr_sys(err, errno, "devices: the kernel refused the eBPF device filter (%.200s)",
			log ? log : "");
}

/* The ids of the device programs attached to the cgroup now, and how. */
static int query(int cgroup_fd, uint32_t *ids, uint32_t *ret_n, uint32_t *ret_flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t) cgroup_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
	attr.query.prog_cnt = MAX_ATTACHED;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return -errno;
	*ret_n = attr.query.prog_cnt;
	*ret_flags = attr.query.attach_flags;
	return 0;
}

static int detach(int cgroup_fd, uint32_t id)
{
	_cleanup_close_ int fd = -1;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t) cgroup_fd;
	attr.attach_bpf_fd = (uint32_t) fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int cgroup_bpf_devices_attach(int cgroup_fd, const struct bpf_insn *prog, size_t n,
			      struct berr **err)
{
	_cleanup_close_ int fd = -1;
	uint32_t old[MAX_ATTACHED], n_old = 0, flags = 0;
	union bpf_attr attr;
	int r;

	r = query(cgroup_fd, old, &n_old, &flags);
	if (r < 0)
		return berr_sys(err, -r, "devices: listing the device filters of the cgroup");
	fd = load(prog, n, err);
	if (fd < 0)
		return fd;
	/*
	 * Attached beside the old programs (all must allow), which go afterwards. A single
	 * program attached without BPF_F_ALLOW_MULTI is replaced in place instead.
	 */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t) cgroup_fd;
	attr.attach_bpf_fd = (uint32_t) fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = (n_old && !(flags & BPF_F_ALLOW_MULTI)) ? 0 : BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return berr_sys(err, errno, "devices: attaching the eBPF device filter");
	if (!(attr.attach_flags & BPF_F_ALLOW_MULTI))
		return 0;
	for (uint32_t i = 0; i < n_old && i < MAX_ATTACHED; i++)
		if ((r = detach(cgroup_fd, old[i])) < 0)
			return berr_sys(err, -r, "devices: detaching the previous device filter");
	return 0;
}
