#!/bin/sh
# Checks the committed PTX: regenerates it from kernels/ember.cu into a temp
# directory, fails if it differs from kernels/ember.ptx, then assembles it for
# Ampere (sm_80) and Hopper (sm_90) with ptxas. Needs nvcc and ptxas (Debian:
# nvidia-cuda-toolkit from contrib/non-free). Run from anywhere:
#   sh cuda/check_ptx.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/kernels/gen.sh" "$tmp"
if ! cmp -s "$tmp/ember.ptx" "$here/kernels/ember.ptx"; then
	echo "check_ptx: cuda/kernels/ember.ptx is stale; run: go generate ./cuda" >&2
	diff "$here/kernels/ember.ptx" "$tmp/ember.ptx" | head -20 >&2 || true
	exit 1
fi
PTXAS=${PTXAS:-ptxas}
for arch in sm_80 sm_90; do
	"$PTXAS" -arch=$arch -O3 -o "$tmp/ember_$arch.cubin" "$here/kernels/ember.ptx"
	echo "check_ptx: ember.ptx assembles for $arch ($(wc -c <"$tmp/ember_$arch.cubin") bytes)"
done
echo "check_ptx: ok"
