# A thin layer over Meson: `make run` and `make check` are the README's two commands.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
VALGRIND_BUILD ?= build-valgrind

.PHONY: all deps check-deps build asan fuzz valgrind run check unit clean mutants install \
	uninstall

all: build

# What building and running berth needs; check-deps adds what only the tests need (the
# peers, the client tests' engines, qemu for the VM lane, clang, valgrind).
deps:
	@scripts/install-deps.sh build

check-deps:
	@scripts/install-deps.sh check

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug

# berth-runtime linked dynamically for the valgrind lane: memcheck cannot intercept malloc
# in the static PIE the release build makes, and flags static glibc's start-up.
$(VALGRIND_BUILD)/build.ninja:
	meson setup $(VALGRIND_BUILD) -Dwerror=true -Dstatic_runtime=false

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD)

# libFuzzer targets (fuzz/README.md); check runs each for FUZZ_SECONDS.
fuzz: check-deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) build.ninja  # regenerate first: meson compile looks targets up before
	meson compile -C $(FUZZ_BUILD) fuzz_config fuzz_process fuzz_resources fuzz_state \
		fuzz_mountinfo fuzz_seccomp fuzz_manifest fuzz_image_config fuzz_registry_auth fuzz_layer \
		fuzz_seccomp_profile fuzz_engine_flags fuzz_engine_store fuzz_dockerfile

valgrind: check-deps $(VALGRIND_BUILD)/build.ninja
	meson compile -C $(VALGRIND_BUILD) berth-runtime

# The embedded default: a busybox container showing it is isolated.
run: build
	@scripts/demo.sh

unit: build
	meson test -C $(BUILD) --suite unit

# Every lane: formatting, unit and integration tests, release and ASan+UBSan.
check: check-deps build asan fuzz valgrind
	@scripts/check.py

# Each defence of SECURITY.md removed in turn: its tests must fail (tests/security/mutants/
# README.md). Builds the committed HEAD in build-mutants/; MUTANTS="a b" runs some only.
mutants: check-deps
	tests/security/mutants/run $(MUTANTS)

# `make && sudo make install`: the binaries of $(BUILD) (berth finds berth-runtime,
# berth-monitor and berth-init beside itself), completions and man pages generated from the
# binaries' own command tables (`berth completion`, scripts/gen-man.py), the systemd units
# (berth-boot.service; berth.socket + berth.service: the Docker Engine API, socket-activated).
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
BINARIES   := berth berth-runtime berth-monitor berth-init
BASHCOMPDIR := $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  := $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR := $(DATADIR)/fish/vendor_completions.d

install:
	@for b in $(BINARIES); do test -x $(BUILD)/$$b || \
		{ echo "make install: no $(BUILD)/$$b: run 'make' first" >&2; exit 1; }; done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) \
		$(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(addprefix $(BUILD)/,$(BINARIES)) $(DESTDIR)$(BINDIR)/
	$(BUILD)/berth completion bash >$(DESTDIR)$(BASHCOMPDIR)/berth
	$(BUILD)/berth completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_berth
	$(BUILD)/berth completion fish >$(DESTDIR)$(FISHCOMPDIR)/berth.fish
	/usr/bin/python3 scripts/gen-man.py $(BUILD)/berth $(DESTDIR)$(MANDIR)/man1
	/usr/bin/python3 scripts/gen-man.py $(BUILD)/berth-runtime $(DESTDIR)$(MANDIR)/man8
	sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/berth-boot.service.in \
		>$(DESTDIR)$(SYSTEMDDIR)/berth-boot.service
	sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/berth.service.in \
		>$(DESTDIR)$(SYSTEMDDIR)/berth.service
	install -m 0644 dist/systemd/berth.socket $(DESTDIR)$(SYSTEMDDIR)/berth.socket
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/berth $(DESTDIR)$(ZSHCOMPDIR)/_berth \
		$(DESTDIR)$(FISHCOMPDIR)/berth.fish $(DESTDIR)$(SYSTEMDDIR)/berth-boot.service \
		$(DESTDIR)$(SYSTEMDDIR)/berth.service

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(BINARIES)) $(DESTDIR)$(BASHCOMPDIR)/berth \
		$(DESTDIR)$(ZSHCOMPDIR)/_berth $(DESTDIR)$(FISHCOMPDIR)/berth.fish \
		$(DESTDIR)$(MANDIR)/man1/berth.1 $(DESTDIR)$(MANDIR)/man1/berth-*.1 \
		$(DESTDIR)$(MANDIR)/man8/berth-runtime.8 $(DESTDIR)$(SYSTEMDDIR)/berth-boot.service \
		$(DESTDIR)$(SYSTEMDDIR)/berth.service $(DESTDIR)$(SYSTEMDDIR)/berth.socket

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(VALGRIND_BUILD)
