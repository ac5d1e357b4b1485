# A thin layer over Meson: `make run` and `make check` are the README's two commands.
BUILD      ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps build asan run check unit clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD)

# The embedded default: a busybox container showing it is isolated.
run: build
	@scripts/demo.sh

unit: build
	meson test -C $(BUILD) --suite unit

# Every lane: formatting, unit and integration tests, release and ASan+UBSan.
check: build asan
	@scripts/check.py

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
