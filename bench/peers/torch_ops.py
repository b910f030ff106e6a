#!/usr/bin/env python3
"""PyTorch peer for ember's tensor kernel benchmarks (tensor/bench_test.go).

Times the same operations on the same float32 shapes as
`go test ./tensor/ -run '^$' -bench 'Conv2D|MaxPool2D|Elementwise|Reduce|Softmax|MatMul|AdamStep'`
and prints one line per benchmark in the Go benchmark's units.

Run (Debian's PyTorch 1.13.1, CPU):
    /usr/bin/python3 bench/peers/torch_ops.py --threads 1
    /usr/bin/python3 bench/peers/torch_ops.py --threads 2

Debian's PyTorch runs its matrix products in OpenBLAS, whose thread count
torch.set_num_threads does not set; this script sets OPENBLAS_NUM_THREADS
to --threads before torch loads (unless it is already set), so that
MatMul uses the same number of threads as everything else.
"""
import argparse
import os
import sys
import time

for i, a in enumerate(sys.argv):
    if a == "--threads" and i + 1 < len(sys.argv):
        os.environ.setdefault("OPENBLAS_NUM_THREADS", sys.argv[i + 1])
    elif a.startswith("--threads="):
        os.environ.setdefault("OPENBLAS_NUM_THREADS", a.split("=", 1)[1])

import torch  # noqa: E402 (after the thread count is set)
import torch.nn.functional as F  # noqa: E402


def best(fn, reps):
    fn()  # warm up
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    reps = args.reps
    print(f"# torch {torch.__version__} threads={torch.get_num_threads()}")

    def report(name, secs, gflop=None, nbytes=None, nelem=None):
        parts = [f"{name:32s} {secs*1e3:10.3f} ms/op"]
        if gflop is not None:
            parts.append(f"{gflop/secs:8.2f} GFLOP/s")
        if nbytes is not None:
            parts.append(f"{nbytes/secs/1e6:9.1f} MB/s")
        if nelem is not None:
            parts.append(f"{nelem/secs/1e6:9.1f} Melem/s")
        print("  ".join(parts), flush=True)

    with torch.no_grad():
        # Convolutions of a LeNet-style CNN on a batch of 64 MNIST images.
        for name, n, c, h, w, f, k in [("conv1", 64, 1, 28, 28, 32, 3), ("conv2", 64, 32, 13, 13, 64, 3)]:
            x = torch.randn(n, c, h, w)
            wt = torch.randn(f, c, k, k)
            y = F.conv2d(x, wt)
            dy = torch.randn_like(y)
            oh, ow = h - k + 1, w - k + 1
            gf = 2 * n * f * oh * ow * c * k * k / 1e9
            report(f"Conv2D/{name}/fwd", best(lambda: F.conv2d(x, wt), reps), gflop=gf)
            report(f"Conv2D/{name}/bwd_data",
                   best(lambda: torch.nn.grad.conv2d_input(x.shape, wt, dy), reps), gflop=gf)
            report(f"Conv2D/{name}/bwd_filter",
                   best(lambda: torch.nn.grad.conv2d_weight(x, wt.shape, dy), reps), gflop=gf)

        x = torch.randn(64, 32, 26, 26)
        report("MaxPool2D/fwd", best(lambda: F.max_pool2d(x, 2), reps), nbytes=4 * x.numel())
        xg = x.clone().requires_grad_(True)
        with torch.enable_grad():
            y, idx = F.max_pool2d(xg, 2, return_indices=True)
        dy = torch.randn_like(y)
        report("MaxPool2D/bwd", best(lambda: torch.ops.aten.max_pool2d_with_indices_backward(dy, x, [2, 2], [2, 2], [0, 0], [1, 1], False, idx), reps),
               nbytes=4 * x.numel())

        n = 1 << 22
        x, y = torch.randn(n), torch.randn(n)
        row = torch.randn(1024)
        xm = x.view(n // 1024, 1024)
        dst = torch.empty(n)
        for name, fn in [
            ("add", lambda: torch.add(x, y, out=dst)),
            ("mul", lambda: torch.mul(x, y, out=dst)),
            ("add_bcast_row", lambda: torch.add(xm, row, out=dst.view(n // 1024, 1024))),
            ("relu", lambda: torch.relu(x)),
            ("exp", lambda: torch.exp(x, out=dst)),
            ("tanh", lambda: torch.tanh(x, out=dst)),
            ("sigmoid", lambda: torch.sigmoid(x, out=dst)),
            ("mul_scalar", lambda: torch.mul(x, 0.5, out=dst)),
            ("copy_transposed", lambda: dst.view(1024, n // 1024).copy_(xm.t())),
        ]:
            report(f"Elementwise/{name}", best(fn, reps), nbytes=4 * n, nelem=n)

        for name, fn in [
            ("sum_all", lambda: x.sum()),
            ("sum_rows", lambda: xm.sum(1)),
            ("sum_cols", lambda: xm.sum(0)),
            ("max_rows", lambda: xm.amax(1)),
            ("argmax_rows", lambda: xm.argmax(1)),
            ("mean_all", lambda: x.mean()),
        ]:
            report(f"Reduce/{name}", best(fn, reps), nbytes=4 * n)

        for r, c in [(64, 10), (256, 1000), (4096, 1024)]:
            s = torch.randn(r, c)
            report(f"Softmax/{r}x{c}", best(lambda: torch.softmax(s, 1), reps), nbytes=4 * s.numel())

        for m in [64, 256, 1024]:
            a, b = torch.randn(m, m), torch.randn(m, m)
            report(f"MatMul/{m}", best(lambda: a @ b, reps), gflop=2 * m ** 3 / 1e9)

        p = torch.randn(1 << 20, requires_grad=True)
        p.grad = torch.randn(1 << 20)
        opt = torch.optim.Adam([p], lr=1e-3, foreach=False)
        report("AdamStep", best(opt.step, reps), nbytes=4 << 20)


if __name__ == "__main__":
    main()
