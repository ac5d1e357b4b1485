# shellcheck shell=bash
# Shared by tests/vm/build and tests/vm/run (sourced, bash).
#
# VMLANE_CACHE  where the kernel .deb, its extraction and the initramfs images live.
#               Default /var/cache/berth-vmlane when writable (shared by every clone on the
#               machine, so CI's fresh clone reuses the kernel), else tests/vm/cache/.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

vm_cache_dir() {
	if [ -n "${VMLANE_CACHE:-}" ]; then
		printf '%s\n' "$VMLANE_CACHE"
	elif mkdir -p /var/cache/berth-vmlane 2>/dev/null && [ -w /var/cache/berth-vmlane ]; then
		printf '%s\n' /var/cache/berth-vmlane
	else
		printf '%s\n' "$VM_DIR/cache"
	fi
}

vm_log() {
	printf 'vmlane: %s\n' "$*" >&2
}

# Seconds since the epoch with centiseconds, for timings.
vm_now() {
	date +%s.%N | cut -c1-13
}

vm_elapsed() {
	awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'
}
