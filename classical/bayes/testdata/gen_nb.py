#!/usr/bin/python3
"""Reference outputs of scikit-learn's ComplementNB and BernoulliNB for the
bayes package's tests, written to nb_ref.json (inputs included).

Peer: scikit-learn 1.2.1 (Debian's python3-sklearn). Run from this folder:

    /usr/bin/python3 gen_nb.py
"""
import json

import numpy as np
import sklearn
from sklearn.naive_bayes import BernoulliNB, ComplementNB

rng = np.random.default_rng(7)
# Imbalanced count data: three classes of 30, 10 and 5 samples, 6 features.
lam = np.array([[3, 1, 0.5, 2, 0.2, 1], [1, 3, 2, 0.5, 1, 0.3], [0.5, 0.5, 3, 3, 2, 0.1]])
sizes = [30, 10, 5]
X = np.vstack([rng.poisson(lam=lam[k], size=(n, 6)) for k, n in enumerate(sizes)]).astype(float)
y = np.repeat([0.0, 1.0, 2.0], sizes)
Xt = rng.poisson(lam=1.5, size=(12, 6)).astype(float)

def L(a):
    return [float(v) for v in np.ravel(a)]

out = {"sklearn": sklearn.__version__, "X": L(X), "y": L(y), "Xt": L(Xt), "features": 6}
for norm in (False, True):
    c = ComplementNB(alpha=0.7, norm=norm).fit(X, y)
    out[f"cnb_norm_{norm}".lower()] = {
        "feature_log_prob": L(c.feature_log_prob_),
        "proba": L(c.predict_proba(Xt)),
        "pred": L(c.predict(Xt)),
    }
for name, binarize in (("bnb_half", 0.5), ("bnb_one", 1.0)):
    b = BernoulliNB(alpha=0.5, binarize=binarize).fit(X, y)
    out[name] = {
        "binarize": binarize,
        "feature_log_prob": L(b.feature_log_prob_),
        "class_log_prior": L(b.class_log_prior_),
        "proba": L(b.predict_proba(Xt)),
        "pred": L(b.predict(Xt)),
    }
# binarize=None: X already 0/1.
Xb, Xtb = (X > 1).astype(float), (Xt > 1).astype(float)
b = BernoulliNB(binarize=None, fit_prior=False).fit(Xb, y)
out["bnb_none"] = {"X": L(Xb), "Xt": L(Xtb), "feature_log_prob": L(b.feature_log_prob_),
                   "class_log_prior": L(b.class_log_prior_), "proba": L(b.predict_proba(Xtb)), "pred": L(b.predict(Xtb))}
with open("nb_ref.json", "w") as f:
    json.dump(out, f)
    f.write("\n")
