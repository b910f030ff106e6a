#!/bin/sh
# Compiles the kernels to PTX for a low compute capability so that any newer
# driver JIT-compiles them for the GPU at hand (Hopper included).
# Usage: sh gen.sh [outdir]   (default: this directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
NVCC=${NVCC:-nvcc}
"$NVCC" -ptx -arch=compute_52 -O3 -std=c++14 -o "$out/ember.ptx" "$here/ember.cu"
