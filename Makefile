# Orchard: the README's two commands are `make run` and `make test`.
# Every target is safe to re-run: `deps` installs only what is missing.

SHELL        := /bin/bash
HOST         ?= 127.0.0.1
PORT         ?= 8080
DATA_DIR     ?= ./.orchard
WORKERS      ?= 1
APT_PACKAGES := libsqlite3-dev libssl-dev zlib1g-dev libopenblas-dev pkg-config ca-certificates curl python3 python3-venv groff-base openssl \
                chromium chromium-driver postgresql-15 postgresql-client-15 slurm-wlm munge
# What the Swift toolchain itself needs on Debian 12 (installed only when swift is missing).
SWIFT_APT    := libcurl4-openssl-dev libxml2-dev binutils git gnupg2 libc6-dev libedit2 libgcc-12-dev libpython3-dev libstdc++-12-dev libz3-dev tzdata unzip
SWIFT_VERSION ?= 6.3.1
SWIFT_HOME   ?= /opt/swift
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PATH  := $(PATH):$(SWIFT_HOME)/usr/bin
# OpenBLAS 0.3.21 mis-detects this CPU family and picks slow kernels unless told (specs/perf.md).
# Executables fix this themselves (BLASRuntime.ensureFastKernel re-execs); the test runner cannot,
# so test recipes name the kernel when the CPU has AVX-512 (SkylakeX) or AVX2 (Haswell) and OpenBLAS
# would otherwise fall back to a generic one (nothing on CPUs OpenBLAS already recognises). Evaluated
# inside the recipe, after `deps` has installed OpenBLAS and python3 on a fresh machine.
FAST_BLAS = ct=$$(./scripts/openblas-coretype.sh); if [ -n "$$ct" ]; then export OPENBLAS_CORETYPE=$$ct; fi;
# Makes BLASRuntimeTests fail (instead of warn) if the test process still runs a generic kernel.
export ORCHARD_REQUIRE_FAST_BLAS := 1
# Makes the dashboard's browser test (EndToEndTests/DashboardBrowserTests: headless chromium via chromium-driver and
# Selenium) fail instead of skip when chromium, its driver or Selenium is missing.
export ORCHARD_REQUIRE_BROWSER := 1

.PHONY: deps build run test test-engine embed bench bench-train release python-deps

deps:
	@want="$(APT_PACKAGES)"; command -v swift >/dev/null || want="$$want $(SWIFT_APT)"; \
	missing=""; for p in $$want; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	else echo "apt packages present"; fi
	@command -v swift >/dev/null || { \
	  echo "installing Swift $(SWIFT_VERSION) into $(SWIFT_HOME)"; \
	  url=https://download.swift.org/swift-$(SWIFT_VERSION)-release/debian12/swift-$(SWIFT_VERSION)-RELEASE/swift-$(SWIFT_VERSION)-RELEASE-debian12.tar.gz; \
	  $(SUDO) mkdir -p $(SWIFT_HOME) && curl -fsSL $$url | $(SUDO) tar -xz -C $(SWIFT_HOME) --strip-components=1; }
	@swift --version 2>/dev/null | head -1

# Release builds compile the engine for this machine's CPU (scripts/host-target-cpu.sh: AVX2+FMA → haswell;
# measured +5 % on the small training config, docs/performance.md). Set ORCHARD_TARGET_CPU= to build generic code.
ORCHARD_TARGET_CPU ?= $(shell scripts/host-target-cpu.sh)

build: deps
	ORCHARD_TARGET_CPU=$(ORCHARD_TARGET_CPU) swift build -c release --product orchard

# Starts the service on $(HOST):$(PORT) with its embedded default store (SQLite + checkpoints under $(DATA_DIR)).
run: build
	mkdir -p $(DATA_DIR)
	.build/release/orchard serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) --workers $(WORKERS)

# The whole test suite (every module, including the end-to-end tests that start the real server). The store tests
# and the multi-process tests also run against a real PostgreSQL: a throw-away cluster on loopback
# (scripts/postgres-test-server.sh), stopped afterwards; ORCHARD_REQUIRE_POSTGRES=1 makes them fail, not skip,
# without it. The Slurm back end's tests run against a throw-away single-node Slurm cluster (slurmctld, slurmd and,
# if not running, munged: scripts/slurm-test-cluster.sh), also stopped afterwards whatever the tests' outcome;
# ORCHARD_REQUIRE_SLURM=1 makes them fail, not skip, without it. The Slurm daemons need root (CI runs as root): as
# another user no cluster starts, a warning says so, and the Slurm tests skip.
test: deps python-deps
	swift build --build-tests
	eval "$$(./scripts/postgres-test-server.sh start)"; export ORCHARD_REQUIRE_POSTGRES=1; \
	  if [ "$$(id -u)" = 0 ]; then eval "$$(./scripts/slurm-test-cluster.sh start)"; export ORCHARD_REQUIRE_SLURM=1; \
	  else echo "warning: not root: no Slurm test cluster (scripts/slurm-test-cluster.sh), the Slurm tests skip" >&2; fi; \
	  $(FAST_BLAS) swift test --skip-build --no-parallel; rc=$$?; \
	  if [ "$$(id -u)" = 0 ]; then ./scripts/slurm-test-cluster.sh stop; fi; ./scripts/postgres-test-server.sh stop; exit $$rc

# Python's safetensors + numpy in ./.venv: the checkpoint interop tests load Swift-written files with them.
python-deps:
	./scripts/python-test-deps.sh

# Engine and methods only (no server dependencies): seconds instead of minutes while working on numerics.
test-engine:
	$(FAST_BLAS) ORCHARD_ENGINE_ONLY=1 swift test --scratch-path .build-engine

bench-train:
	ORCHARD_TARGET_CPU=$(ORCHARD_TARGET_CPU) ORCHARD_ENGINE_ONLY=1 swift build -c release --scratch-path .build-engine-rel --product orchard-train-bench
	./.build-engine-rel/release/orchard-train-bench all --steps 20 --threads 2

# Regenerates the Swift files that embed Migrations/*.sql, Migrations/postgres/*.sql, docs/openapi.yaml and the
# dashboard (ui/) into the binary (SwiftPM resources must live inside a target; tests check these files byte for byte).
# The dashboard's files go into raw string literals, so none may contain the literal's closing delimiter or a raw
# interpolation (checked first).
embed:
	@{ echo '// Generated by `make embed` from Migrations/*.sql. Do not edit: EmbeddedResourcesTests compares it byte for byte.'; \
	  echo 'enum EmbeddedMigrations {'; \
	  echo '    static let all: [(name: String, sql: String)] = ['; \
	  for f in Migrations/*.sql; do n=$$(basename $$f .sql); printf '        ("%s", #"""\n' "$$n"; cat $$f; printf '\n"""#),\n'; done; \
	  echo '    ]'; echo '}'; } > Sources/OrchardStore/Generated/EmbeddedMigrations.swift
	@mkdir -p Sources/OrchardPostgresStore/Generated; \
	{ echo '// Generated by `make embed` from Migrations/postgres/*.sql. Do not edit: PostgresMigrationTests compares it byte for byte.'; \
	  echo 'enum EmbeddedPostgresMigrations {'; \
	  echo '    static let all: [(name: String, sql: String)] = ['; \
	  for f in Migrations/postgres/*.sql; do n=$$(basename $$f .sql); printf '        ("%s", #"""\n' "$$n"; cat $$f; printf '\n"""#),\n'; done; \
	  echo '    ]'; echo '}'; } > Sources/OrchardPostgresStore/Generated/EmbeddedPostgresMigrations.swift
	@{ echo '// Generated by `make embed` from docs/openapi.yaml. Do not edit: EmbeddedResourcesTests compares it byte for byte.'; \
	  echo 'enum EmbeddedOpenAPI {'; \
	  printf '    static let yaml = #"""\n'; cat docs/openapi.yaml; printf '\n"""#\n'; \
	  echo '}'; } > Sources/OrchardServer/Generated/EmbeddedOpenAPI.swift
	@for f in ui/*; do if grep -qF -e '"""#' -e '\#' $$f; then echo "$$f holds a raw-string delimiter (\"\"\"# or \\#)" >&2; exit 1; fi; done
	@{ echo '// Generated by `make embed` from ui/ (the dashboard). Do not edit: DashboardAssetTests compares it byte for byte.'; \
	  echo 'enum EmbeddedUI {'; \
	  echo '    static let files: [String: String] = ['; \
	  for f in ui/*; do printf '        "%s": #"""\n' "$$(basename $$f)"; cat $$f; printf '\n"""#,\n'; done; \
	  echo '    ]'; echo '}'; } > Sources/OrchardServer/Generated/EmbeddedUI.swift
	@echo "embedded Migrations/*.sql, Migrations/postgres/*.sql, docs/openapi.yaml and ui/"

# Release build of the test server (orchard + the test-only CPU-bound job type) in its own
# scratch path, then the API and queue benchmarks of docs/performance.md.
release: deps
	swift build -c release --scratch-path .build-release --product orchard-testserver

bench: release
	./benchmarks/service/run.sh
