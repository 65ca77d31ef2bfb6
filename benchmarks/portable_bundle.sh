#!/usr/bin/env bash
# Packs release orchard-train-bench builds with the shared libraries a machine without Swift lacks (the Swift
# runtime and Foundation from the toolchain, Debian's OpenBLAS 0.3.21 with its gfortran and quadmath), so that
# they can be benchmarked on another x86-64 Linux machine, e.g. one of the project's AVX-512 machine kind that has
# PyTorch but no toolchain. glibc, libstdc++ and libgcc_s are left to the host.
#   benchmarks/portable_bundle.sh OUT.tar.xz NAME=BINARY [NAME=BINARY ...]
# e.g. an AVX2 and an AVX-512 build of the same commit (both compile here; the second only runs on AVX-512):
#   make bench-train && cp .build-engine-rel/release/orchard-train-bench /tmp/bench-avx2
#   ORCHARD_TARGET_CPU=skylake-avx512 ORCHARD_ENGINE_ONLY=1 swift build -c release --scratch-path .build-engine-skx \
#     --product orchard-train-bench
#   benchmarks/portable_bundle.sh /tmp/bench.tar.xz avx2=/tmp/bench-avx2 avx512=.build-engine-skx/release/orchard-train-bench
# On the other machine (each NAME becomes a wrapper that sets LD_LIBRARY_PATH):
#   mkdir -p /tmp/ob && tar -xJf bench.tar.xz -C /tmp/ob
#   /tmp/ob/avx512 small --steps 30 --threads 2 --compare-gemm
#   TORCH_PYTHON=python3 ORCHARD_TRAIN_BENCH="/tmp/ob/avx2 /tmp/ob/avx512" benchmarks/side_by_side.sh small 6 30 2
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
out=$1; shift
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib" "$stage/bin"
for spec in "$@"; do
  name=${spec%%=*} binary=${spec#*=}
  [ "$name" != "$spec" ] && [ -x "$binary" ] || { echo "expected NAME=EXECUTABLE, got '$spec'" >&2; exit 2; }
  cp "$binary" "$stage/bin/$name"
  printf '#!/bin/sh\nd=$(dirname "$(readlink -f "$0")")\nLD_LIBRARY_PATH="$d/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$d/bin/%s" "$@"\n' \
    "$name" > "$stage/$name"
  chmod +x "$stage/$name"
  # Every library the binary resolves, except those of the C runtime every Linux host has.
  ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
    case "$(basename "$lib")" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*|libstdc++.so.*|libgcc_s.so.*) ;;
      *) cp -L "$lib" "$stage/lib/" ;;
    esac
  done
done
tar -C "$stage" -cJf "$out" .
echo "$out: $(du -h "$out" | cut -f1), $(ls "$stage/lib" | wc -l) libraries, runs: $(cd "$stage" && ls -p | grep -v / | tr '\n' ' ')"
