#!/usr/bin/python3
"""Reference weights of scikit-learn's SGDClassifier and SGDRegressor with
shuffle=False (so the sample order, and hence every step, is the same as
ember's), for the linear package's tests: sgd_ref.json (inputs included).

Peer: scikit-learn 1.2.1 (Debian's python3-sklearn). Run from this folder:

    /usr/bin/python3 gen_sgd.py
"""
import json

import numpy as np
import sklearn
from sklearn.linear_model import SGDClassifier, SGDRegressor

rng = np.random.default_rng(11)
n, p = 120, 4
X = rng.normal(size=(n, p))
score = X @ np.array([1.5, -2.0, 0.5, 0.0]) + 0.3 * rng.normal(size=n)
y2 = (score > 0).astype(float)
y3 = np.digitize(score, [-1.0, 1.0]).astype(float)
yr = X @ np.array([2.0, -1.0, 0.0, 3.0]) + 0.5 + 0.1 * rng.normal(size=n)

def L(a):
    return [float(v) for v in np.ravel(a)]

out = {"sklearn": sklearn.__version__, "X": L(X), "y2": L(y2), "y3": L(y3), "yr": L(yr), "features": p}
cases = {
    "hinge_l2": ("c", "y2", dict(loss="hinge")),
    "log_elasticnet": ("c", "y2", dict(loss="log_loss", penalty="elasticnet", alpha=1e-3, l1_ratio=0.5)),
    "modified_huber_l1_multi": ("c", "y3", dict(loss="modified_huber", penalty="l1", alpha=1e-3)),
    "perceptron_constant_multi": ("c", "y3", dict(loss="perceptron", learning_rate="constant", eta0=0.1)),
    "squared_hinge_constant": ("c", "y2", dict(loss="squared_hinge", learning_rate="constant", eta0=0.01)),
    "hinge_balanced_multi": ("c", "y3", dict(class_weight="balanced", alpha=1e-3)),
    "squared_error": ("r", "yr", dict()),
    "huber_adaptive": ("r", "yr", dict(loss="huber", learning_rate="adaptive", eta0=0.05, epsilon=0.5)),
    "epsilon_insensitive_l1": ("r", "yr", dict(loss="epsilon_insensitive", penalty="l1", alpha=1e-3)),
}
for name, (kind, target, kw) in cases.items():
    m = (SGDClassifier if kind == "c" else SGDRegressor)(shuffle=False, **kw).fit(X, out[target])
    out[name] = {"kind": kind, "target": target, "params": kw, "coef": L(m.coef_), "intercept": L(m.intercept_),
                 "n_iter": int(m.n_iter_), "pred": L(m.predict(X[:20]))}
    if kind == "c" and kw.get("loss") in ("log_loss", "modified_huber"):
        out[name]["proba"] = L(m.predict_proba(X[:20]))
with open("sgd_ref.json", "w") as f:
    json.dump(out, f)
    f.write("\n")
