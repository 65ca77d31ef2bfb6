#!/bin/sh
# Prints the `-target-cpu` for release builds of the engine on this machine: "haswell" (AVX2 + FMA code for
# the engine's own loops: GELU, LayerNorm, AdamW, softmax) when the CPU has every feature LLVM's haswell model
# assumes — Intel Haswell and later, AMD Zen — or nothing (generic x86-64) otherwise, e.g. in a VM that masks
# some of them. Release builds are made where they run (`make run`, `make bench-train`); a binary built with it
# is not portable to older CPUs (Deploy/Dockerfile stays generic).
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
for f in avx avx2 fma bmi1 bmi2 f16c movbe popcnt; do
  case "$flags" in *" $f "*) ;; *) exit 0 ;; esac
done
case "$flags" in *" abm "*|*" lzcnt "*) echo haswell ;; esac
