"""Reference outputs for package data's resize and augmentation tests.

Run from the repository root with Debian's Python (python3-torch 1.13,
python3-scipy 1.10):

    /usr/bin/python3 data/testdata/gen_refs.py > data/testdata/refs.json

- resize: torch.nn.functional.interpolate on a random 5x7 image, mode
  "bilinear" (align_corners=False, no antialias) and "nearest-exact".
- warp: Keras's ImageDataGenerator.apply_transform for rotation, shift,
  shear and zoom, i.e. keras.preprocessing.image.apply_affine_transform,
  re-stated here (Keras is not installed) exactly as Keras 2.x writes it:
  the matrix rotation @ shift @ shear @ zoom, moved to the image centre
  (h/2 - 0.5, w/2 - 0.5), then scipy.ndimage.affine_transform with
  order=1 per channel. Fill modes "nearest" and "reflect" (scipy's
  "constant" and "wrap" differ from the grid-constant / grid-wrap that
  ember implements, so they are not compared).
"""
import json

import numpy as np
import scipy
import torch
from scipy import ndimage

rng = np.random.RandomState(0)
img = rng.rand(5, 7).astype(np.float32)

resize = []
for (h, w) in [(3, 4), (9, 11), (5, 7), (2, 13), (10, 3)]:
    t = torch.from_numpy(img)[None, None]
    bil = torch.nn.functional.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy()
    nea = torch.nn.functional.interpolate(t, size=(h, w), mode="nearest-exact")[0, 0].numpy()
    resize.append({"h": h, "w": w, "bilinear": bil.ravel().tolist(), "nearest": nea.ravel().tolist()})


def keras_affine(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, fill_mode="nearest", cval=0.0):
    """x is [C, H, W] (channel axis 0, row axis 1, col axis 2)."""
    transform_matrix = None
    if theta != 0:
        theta = np.deg2rad(theta)
        transform_matrix = np.array([[np.cos(theta), -np.sin(theta), 0],
                                     [np.sin(theta), np.cos(theta), 0],
                                     [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift_matrix = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        transform_matrix = shift_matrix if transform_matrix is None else np.dot(transform_matrix, shift_matrix)
    if shear != 0:
        shear = np.deg2rad(shear)
        shear_matrix = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
        transform_matrix = shear_matrix if transform_matrix is None else np.dot(transform_matrix, shear_matrix)
    if zx != 1 or zy != 1:
        zoom_matrix = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        transform_matrix = zoom_matrix if transform_matrix is None else np.dot(transform_matrix, zoom_matrix)
    if transform_matrix is None:
        return x
    h, w = x.shape[1], x.shape[2]
    o_x, o_y = float(h) / 2 - 0.5, float(w) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    transform_matrix = np.dot(np.dot(offset, transform_matrix), reset)
    m, off = transform_matrix[:2, :2], transform_matrix[:2, 2]
    return np.stack([ndimage.affine_transform(c, m, off, order=1, mode=fill_mode, cval=cval) for c in x])


x3 = rng.rand(2, 6, 7)
warp = []
for p in [dict(theta=30), dict(theta=-75.5), dict(tx=1.5, ty=-2.25), dict(shear=20), dict(zx=0.7, zy=1.3),
          dict(theta=12, tx=0.5, ty=1, shear=-8, zx=1.1, zy=0.9), dict(theta=90), dict(zx=2.5, zy=2.5, theta=45)]:
    for fill in ["nearest", "reflect"]:
        out = keras_affine(x3, fill_mode=fill, **p)
        warp.append({"params": p, "fill": fill, "out": out.ravel().tolist()})

print(json.dumps({"versions": {"torch": torch.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
                  "image": img.ravel().tolist(), "resize": resize,
                  "image3": x3.ravel().tolist(), "warp": warp}))
