#!/usr/bin/env python3
"""PyTorch-on-CUDA peer of ember's CUDA CNN benchmark and GEMM suite, for a
machine with an NVIDIA GPU (none was available when this was written, so it
has not been run).

The model and step are those of bench/peers/torch_cnn.py (the seeds' MNIST
CNN: Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten,
Dense 128 relu, Dropout 0.5, Dense 10; Adam 1e-3; cross-entropy; batch 64),
with the model and the batch on the GPU. GEMM is square float32 matmul
through cuBLAS (TF32 off, so it is a true float32 GEMM like ember's).

    python3 bench/peers/torch_cuda_cnn.py --steps 200 --json

It prints one JSON object a line with --json (suite, device, impl, shape,
images_per_sec or gflops, ms), else a short table. Exits with status 2 and a
message when torch sees no CUDA device.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3)
        self.c2 = nn.Conv2d(32, 64, 3)
        self.d1 = nn.Linear(64 * 5 * 5, 128)
        self.drop = nn.Dropout(0.5)
        self.d2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.d1(x)))
        return self.d2(x)


def timed(fn, reps, dev):
    torch.cuda.synchronize(dev)
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize(dev)
    return (time.perf_counter() - t0) / reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--gemm", default="256,512,1024,2048,4096", help="square GEMM sizes")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("torch_cuda_cnn: torch sees no CUDA device", file=sys.stderr)
        sys.exit(2)
    dev = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    name = f"torch {torch.__version__} ({torch.cuda.get_device_name(dev)})"
    rows = []

    for n in [int(s) for s in args.gemm.split(",") if s]:
        a = torch.rand(n, n, device=dev)
        b = torch.rand(n, n, device=dev)
        c = torch.empty(n, n, device=dev)
        reps = max(3, int(2e11 / (2 * n ** 3)))
        timed(lambda: torch.matmul(a, b, out=c), 3, dev)
        s = timed(lambda: torch.matmul(a, b, out=c), reps, dev)
        rows.append({"suite": "gemm", "device": "cuda", "impl": name, "shape": [n, n, n],
                     "gflops": 2 * n ** 3 / s / 1e9, "ms": s * 1e3})

    model = CNN().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28, device=dev)
    y = torch.arange(args.batch, device=dev) % 10

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    model.train()
    timed(step, 10, dev)
    s = timed(step, args.steps, dev)
    rows.append({"suite": "cnn_train", "device": "cuda", "impl": name, "shape": [args.batch, 1, 28, 28],
                 "images_per_sec": args.batch / s, "ms": s * 1e3})

    model.eval()
    xi = torch.rand(256, 1, 28, 28, device=dev)
    with torch.no_grad():
        infer = lambda: F.softmax(model(xi), 1)
        timed(infer, 10, dev)
        s = timed(infer, args.steps, dev)
    rows.append({"suite": "cnn_infer", "device": "cuda", "impl": name, "shape": [256, 1, 28, 28],
                 "images_per_sec": 256 / s, "ms": s * 1e3})

    for r in rows:
        if args.json:
            print(json.dumps(r))
        else:
            rate = f"{r['gflops']:.0f} GFLOP/s" if "gflops" in r else f"{r['images_per_sec']:.0f} images/s"
            print(f"{r['suite']:10s} {str(r['shape']):22s} {rate:>18s} {r['ms']:9.3f} ms  {r['impl']}")


if __name__ == "__main__":
    main()
