#!/usr/bin/env python3
"""Record PyTorch reference outputs and gradients for ember's nn tests.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 bench/peers/torch_nn_ref.py

It writes nn/testdata/torch_ref.json (layers and losses) and
optim/testdata/torch_optim.json (optimizer steps).

Every case gives its inputs and weights (in ember's layouts: Dense kernels
[in, out], Conv2D kernels [out, in, kh, kw], images [N, C, H, W]), the
forward output, and the gradients of sum(output * r) for the recorded r.
The Go tests (nn/torch_ref_test.go) rebuild each case and compare.
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float32)


def t(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


def grads_of(out, tensors):
    r = torch.randn(out.shape)
    (out * r).sum().backward()
    return r, [x.grad.clone() for x in tensors]


cases = []

# Dense: relu(x @ W + b).
x = torch.randn(4, 5, requires_grad=True)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
out = F.relu(x @ w + b)
r, (gx, gw, gb) = grads_of(out, [x, w, b])
cases.append({"name": "dense_relu", "x": t(x), "kernel": t(w), "bias": t(b), "out": t(out), "r": t(r),
              "grad_x": t(gx), "grad_kernel": t(gw), "grad_bias": t(gb)})

# Dense with tanh, no bias.
x = torch.randn(3, 4, requires_grad=True)
w = torch.randn(4, 2, requires_grad=True)
out = torch.tanh(x @ w)
r, (gx, gw) = grads_of(out, [x, w])
cases.append({"name": "dense_tanh_nobias", "x": t(x), "kernel": t(w), "out": t(out), "r": t(r),
              "grad_x": t(gx), "grad_kernel": t(gw)})

# Conv2D, stride 2, "same" padding (pad 1 on each side for 7x7, k=3, s=2).
x = torch.randn(2, 3, 7, 7, requires_grad=True)
w = torch.randn(4, 3, 3, 3, requires_grad=True)
b = torch.randn(4, requires_grad=True)
out = F.relu(F.conv2d(x, w, b, stride=2, padding=1))
r, (gx, gw, gb) = grads_of(out, [x, w, b])
cases.append({"name": "conv_stride2_same_relu", "x": t(x), "kernel": t(w), "bias": t(b), "out": t(out), "r": t(r),
              "grad_x": t(gx), "grad_kernel": t(gw), "grad_bias": t(gb)})

# Conv2D, dilation 2, valid.
x = torch.randn(2, 2, 8, 9, requires_grad=True)
w = torch.randn(3, 2, 3, 2, requires_grad=True)
b = torch.randn(3, requires_grad=True)
out = F.conv2d(x, w, b, dilation=2)
r, (gx, gw, gb) = grads_of(out, [x, w, b])
cases.append({"name": "conv_dilation2_valid", "x": t(x), "kernel": t(w), "bias": t(b), "out": t(out), "r": t(r),
              "grad_x": t(gx), "grad_kernel": t(gw), "grad_bias": t(gb)})

# Pooling.
x = torch.randn(2, 3, 6, 6, requires_grad=True)
out = F.max_pool2d(x, 2)
r, (gx,) = grads_of(out, [x])
cases.append({"name": "max_pool_2", "x": t(x), "out": t(out), "r": t(r), "grad_x": t(gx)})
x = torch.randn(2, 3, 6, 6, requires_grad=True)
out = F.avg_pool2d(x, 2)
r, (gx,) = grads_of(out, [x])
cases.append({"name": "avg_pool_2", "x": t(x), "out": t(out), "r": t(r), "grad_x": t(gx)})
x = torch.randn(2, 3, 5, 4, requires_grad=True)
out = x.mean(dim=(2, 3))
r, (gx,) = grads_of(out, [x])
cases.append({"name": "global_avg_pool", "x": t(x), "out": t(out), "r": t(r), "grad_x": t(gx)})

# BatchNorm, training mode (batch statistics), eps 1e-3.
x = torch.randn(4, 3, 3, 3, requires_grad=True)
g = (torch.rand(3) + 0.5).requires_grad_()
b = torch.randn(3, requires_grad=True)
out = F.batch_norm(x, None, None, g, b, training=True, eps=1e-3)
r, (gx, gg, gb) = grads_of(out, [x, g, b])
cases.append({"name": "batch_norm_train", "x": t(x), "gamma": t(g), "beta": t(b), "out": t(out), "r": t(r),
              "grad_x": t(gx), "grad_gamma": t(gg), "grad_beta": t(gb),
              "batch_mean": t(x.detach().mean(dim=(0, 2, 3))),
              "batch_var": t(x.detach().var(dim=(0, 2, 3), unbiased=False))})

# BatchNorm, inference mode (moving statistics).
x = torch.randn(5, 4, requires_grad=True)
g = (torch.rand(4) + 0.5).requires_grad_()
b = torch.randn(4, requires_grad=True)
rm = torch.randn(4)
rv = torch.rand(4) + 0.5
out = F.batch_norm(x, rm, rv, g, b, training=False, eps=1e-3)
r, (gx, gg, gb) = grads_of(out, [x, g, b])
cases.append({"name": "batch_norm_eval", "x": t(x), "gamma": t(g), "beta": t(b), "moving_mean": t(rm),
              "moving_variance": t(rv), "out": t(out), "r": t(r),
              "grad_x": t(gx), "grad_gamma": t(gg), "grad_beta": t(gb)})

# Losses: value and gradient with respect to the model output.
losses = []
logits = torch.randn(6, 4, requires_grad=True)
labels = torch.tensor([0, 3, 1, 2, 2, 0])
loss = F.cross_entropy(logits, labels)
loss.backward()
losses.append({"name": "sparse_categorical_crossentropy_logits", "input": t(logits), "y": t(labels.float()),
               "loss": float(loss), "grad": t(logits.grad)})

logits = torch.randn(6, 4, requires_grad=True)
target = torch.softmax(torch.randn(6, 4), 1)
loss = F.cross_entropy(logits, target)
loss.backward()
losses.append({"name": "categorical_crossentropy_logits", "input": t(logits), "y": t(target),
               "loss": float(loss), "grad": t(logits.grad)})

probs = torch.softmax(torch.randn(5, 3), 1).requires_grad_()
onehot = F.one_hot(torch.tensor([2, 0, 1, 1, 0]), 3).float()
loss = -(onehot * torch.log(probs)).sum(1).mean()
loss.backward()
losses.append({"name": "categorical_crossentropy_probs", "input": t(probs), "y": t(onehot),
               "loss": float(loss), "grad": t(probs.grad)})

logits = torch.randn(8, 1, requires_grad=True)
yb = (torch.rand(8, 1) > 0.5).float()
loss = F.binary_cross_entropy_with_logits(logits, yb)
loss.backward()
losses.append({"name": "binary_crossentropy_logits", "input": t(logits), "y": t(yb), "loss": float(loss),
               "grad": t(logits.grad)})

probs = torch.sigmoid(torch.randn(8, 2)).requires_grad_()
yb = (torch.rand(8, 2) > 0.5).float()
loss = F.binary_cross_entropy(probs, yb)
loss.backward()
losses.append({"name": "binary_crossentropy_probs", "input": t(probs), "y": t(yb), "loss": float(loss),
               "grad": t(probs.grad)})

for name, fn in [("mean_squared_error", F.mse_loss), ("mean_absolute_error", F.l1_loss),
                 ("huber", lambda p, y: F.huber_loss(p, y, delta=1.0))]:
    pred = (torch.randn(7, 3) * 2).requires_grad_()
    yr = torch.randn(7, 3)
    loss = fn(pred, yr)
    loss.backward()
    losses.append({"name": name, "input": t(pred), "y": t(yr), "loss": float(loss), "grad": t(pred.grad)})

# Optimizers: three steps from the same parameter with recorded gradients.
opts = []
p0 = torch.randn(6)
gs = [torch.randn(6) for _ in range(3)]
specs = [
    ("sgd_nesterov_wd", lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("adam", lambda p: torch.optim.Adam([p], lr=0.01, eps=1e-8), {"lr": 0.01, "eps": 1e-8}),
    ("adamw", lambda p: torch.optim.AdamW([p], lr=0.01, eps=1e-8, weight_decay=0.1),
     {"lr": 0.01, "eps": 1e-8, "weight_decay": 0.1}),
    ("rmsprop", lambda p: torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5),
     {"lr": 0.01, "rho": 0.9, "eps": 1e-7, "momentum": 0.5}),
    ("adagrad", lambda p: torch.optim.Adagrad([p], lr=0.1, initial_accumulator_value=0.1, eps=1e-7),
     {"lr": 0.1, "initial_accumulator": 0.1, "eps": 1e-7}),
]
for name, make, hp in specs:
    p = p0.clone().requires_grad_()
    opt = make(p)
    after = []
    for g in gs:
        p.grad = g.clone()
        opt.step()
        after.append(t(p))
    opts.append({"name": name, "hyper": hp, "param": t(p0), "grads": [t(g) for g in gs], "after": after})

with open("nn/testdata/torch_ref.json", "w") as f:
    json.dump({"torch_version": torch.__version__, "layers": cases, "losses": losses}, f)
with open("optim/testdata/torch_optim.json", "w") as f:
    json.dump({"torch_version": torch.__version__, "optimizers": opts}, f)
