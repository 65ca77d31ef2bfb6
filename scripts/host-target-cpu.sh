#!/bin/sh
# Prints the `-target-cpu` for release builds of the engine on this machine: "haswell" (AVX2 + FMA code for
# the engine's own loops: GELU, LayerNorm, AdamW, softmax) when the CPU has AVX2 and FMA — Intel Haswell and
# later, AMD Zen — or nothing (generic x86-64) otherwise. Release builds are made where they run (`make run`,
# `make bench-train`); a binary built with it is not portable to older CPUs (Deploy/Dockerfile stays generic).
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
case "$flags" in
  *" avx2 "*) case "$flags" in *" fma "*) echo haswell ;; esac ;;
esac
