# Cloudschool: `make run` (install what is missing, build, demo node pair), `make test`, `make bench`.
# On a fresh Debian 12 machine as root. See README.md.
BUILD   ?= build
JOBS    ?= $(shell nproc)
DEBS    := build-essential cmake pkg-config libcurl4-openssl-dev libssl-dev rapidjson-dev \
           liblmdb-dev lmdb-utils libgtest-dev libgmock-dev libboost-dev libcli11-dev libgumbo-dev \
           libcmark-gfm-dev libcmark-gfm-extensions-dev libtomlplusplus-dev openssl curl ca-certificates

.PHONY: all deps configure build run test bench clean format

all: build

# Installs only the Debian packages that are missing (apt-get update only when needed), and
# Node.js + npm for the Fedify interop peer when no `npm` is on the PATH.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# CMake's own make runs as a top-level make: MAKEFLAGS cleared (no jobserver or flags of ours) and
# MAKELEVEL unset, else every sub-make prints "gmake[N]: Entering directory" lines.
INNER := env -u MAKELEVEL MAKEFLAGS=
configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@$(INNER) cmake --build $(BUILD) -j$(JOBS)

# Only the server for the demo: the tests are built by `make test`.
run: configure
	@$(INNER) cmake --build $(BUILD) -j$(JOBS) --target cloudschool
	@scripts/demo.sh $(BUILD)/cloudschool

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 900

# Builds only the benchmark (and the cloudschool binary it runs); see docs/performance.md.
bench: configure
	@$(INNER) cmake --build $(BUILD) -j$(JOBS) --target cloudschool_bench
	@$(BUILD)/cloudschool_bench

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD)
