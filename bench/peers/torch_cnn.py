#!/usr/bin/env python3
"""PyTorch peer of ember's CNN benchmark (nn.BenchmarkCNNTrainStep and
nn.BenchmarkCNNPredict): the seeds' MNIST CNN (Conv2D 32 3x3 relu, MaxPool 2,
Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu, Dropout 0.5,
Dense 10 softmax), Adam 1e-3, cross-entropy, batch 64, on MNIST-shaped data
already in memory.

Run with Debian's python3-torch (1.13) beside the Go benchmark, in one
session so the machine's speed is the same:

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/torch_cnn.py --threads 2
    go test ./nn -run XXX -bench CNN -benchtime 100x

It prints training and inference images/s of wall time, images per
CPU-second (steadier when the machine is shared) and the process's peak RSS.
"""
import argparse
import resource
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
        return self.d2(x)  # logits; softmax is fused into the loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = CNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.arange(args.batch) % 10

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    model.train()
    for _ in range(5):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    train = args.steps * args.batch / (time.perf_counter() - t0)
    train_cpu = args.steps * args.batch / (time.process_time() - c0)

    model.eval()
    xi = torch.rand(1024, 1, 28, 28)
    with torch.no_grad():
        for i in range(0, 1024, 256):
            model(xi[i:i + 256])
        reps = max(1, args.steps // 20)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(reps):
            for i in range(0, 1024, 256):
                F.softmax(model(xi[i:i + 256]), 1)
        infer = reps * 1024 / (time.perf_counter() - t0)
        infer_cpu = reps * 1024 / (time.process_time() - c0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__} threads={args.threads}: train {train:.0f} images/s "
          f"({train_cpu:.0f} images/cpu-s), inference {infer:.0f} images/s ({infer_cpu:.0f} images/cpu-s), "
          f"peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
