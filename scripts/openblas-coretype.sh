#!/bin/sh
# Prints the OPENBLAS_CORETYPE the engine would force (SkylakeX / Haswell), or nothing when OpenBLAS
# already picks a fast kernel for this CPU. Same rule as BLASRuntime.recommendedCoreType.
core=$(python3 -c 'import ctypes,ctypes.util; l=ctypes.CDLL(ctypes.util.find_library("openblas") or "libopenblas.so.0"); l.openblas_get_corename.restype=ctypes.c_char_p; print(l.openblas_get_corename().decode())' 2>/dev/null)
case "$(echo "$core" | tr 'A-Z' 'a-z')" in
  prescott|core2|penryn|dunnington|nehalem|atom|katmai|coppermine|northwood|banias|unknown|generic|opteron|opteron_sse3|barcelona) ;;
  *) exit 0 ;;
esac
flags=$(grep -m1 '^flags' /proc/cpuinfo)
case "$flags" in
  *avx512f*avx512bw*avx512vl*|*avx512bw*avx512f*avx512vl*) echo SkylakeX ;;
  *avx2*) echo Haswell ;;
esac
