#!/usr/bin/env python3
"""PyTorch peer of nn.BenchmarkMLPTrainStep: the seeds' MLP (Dense 128 relu,
Dropout 0.2, Dense 64 relu, Dropout 0.2, Dense 32 relu, Dense 1 sigmoid),
Adam 1e-3, binary cross-entropy (fused with the sigmoid), batch 32 of 20
features already in memory.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/torch_mlp.py --threads 1
    GOMAXPROCS=1 go test ./nn -run XXX -bench MLPTrainStep -benchtime 2000x
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 64), nn.ReLU(),
                          nn.Dropout(0.2), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(32, 20)
    y = (torch.arange(32) % 2).float().reshape(32, 1)

    def step():
        opt.zero_grad(set_to_none=True)
        F.binary_cross_entropy_with_logits(model(x), y).backward()
        opt.step()

    for _ in range(20):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"torch {torch.__version__} threads={args.threads}: {args.steps * 32 / wall:.0f} rows/s "
          f"({args.steps * 32 / cpu:.0f} rows/cpu-s)")


if __name__ == "__main__":
    main()
