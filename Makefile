# Test and benchmark entry points that give OpenBLAS its fast kernel from process start.
# Executables fix this themselves (BLASRuntime.ensureFastKernel re-execs); the test runner cannot,
# so `make test` sets OPENBLAS_CORETYPE when the CPU has AVX-512 (SkylakeX) or AVX2 (Haswell) and
# OpenBLAS would otherwise fall back to a generic kernel. Unset on CPUs OpenBLAS already recognises.
CORETYPE := $(shell ./scripts/openblas-coretype.sh)

test-engine:
	$(if $(CORETYPE),OPENBLAS_CORETYPE=$(CORETYPE)) ORCHARD_ENGINE_ONLY=1 swift test --scratch-path .build-engine

test:
	$(if $(CORETYPE),OPENBLAS_CORETYPE=$(CORETYPE)) swift test

bench-train:
	ORCHARD_ENGINE_ONLY=1 swift build -c release --scratch-path .build-engine-rel --product orchard-train-bench
	./.build-engine-rel/release/orchard-train-bench all --steps 20 --threads 2

.PHONY: test test-engine bench-train
