"""Reference outputs of scikit-learn's generators that do not depend on its
random numbers, for package data's synthetic tests.

Run from the repository root with Debian's Python (python3-sklearn 1.2.1):

    /usr/bin/python3 data/testdata/gen_sklearn_refs.py > data/testdata/sklearn_refs.json

- make_moons and make_circles without noise and without shuffling: the
  points themselves.
- make_classification with flip_y=0: the number of samples of each class
  for several n_samples / weights / cluster settings.
- make_blobs: the number of samples of each blob.
"""
import json

import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_circles, make_classification, make_moons

out = {"sklearn": sklearn.__version__, "moons": [], "circles": [], "classification": [], "blobs": []}
for n in [7, 10, 33]:
    X, y = make_moons(n_samples=n, shuffle=False)
    out["moons"].append({"n": n, "X": X.ravel().tolist(), "y": y.tolist()})
    X, y = make_circles(n_samples=n, shuffle=False, factor=0.3)
    out["circles"].append({"n": n, "factor": 0.3, "X": X.ravel().tolist(), "y": y.tolist()})
for n, k, c, w in [(100, 2, 2, None), (1000, 3, 1, [0.5, 0.3]), (997, 4, 2, [0.1, 0.2, 0.3, 0.4]),
                   (50, 3, 2, [0.6, 0.3]), (13, 5, 1, None)]:
    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, n_redundant=0, n_classes=k,
                               n_clusters_per_class=c, weights=w, flip_y=0, random_state=0)
    out["classification"].append({"n": n, "classes": k, "clusters": c, "weights": w,
                                  "counts": np.bincount(y, minlength=k).tolist()})
for n, centers in [(100, 3), (101, 4), (7, 5)]:
    X, y = make_blobs(n_samples=n, centers=centers, random_state=0)
    out["blobs"].append({"n": n, "centers": centers, "counts": np.bincount(y, minlength=centers).tolist()})
print(json.dumps(out))
