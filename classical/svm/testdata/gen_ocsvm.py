#!/usr/bin/python3
"""Reference outputs of scikit-learn's OneClassSVM for the svm package's
tests, written to ocsvm_ref.json (inputs included). Two models use the
default stopping tolerance (1e-3; ember follows libsvm's iterations), one a
tight one (1e-7: any SMO path reaches the same optimum). A linear kernel on
this data is left out: its problem is degenerate (decision values within
1e-5 of 0, and libsvm needs 10^8 iterations at tol 1e-7).

Peer: scikit-learn 1.2.1 (Debian's python3-sklearn). Run from this folder:

    /usr/bin/python3 gen_ocsvm.py
"""
import json

import numpy as np
import sklearn
from sklearn.svm import OneClassSVM

rng = np.random.default_rng(3)
X = np.vstack([rng.normal(0, 1, size=(80, 2)), rng.normal(0, 0.5, size=(20, 2)) + [3, 3]])
Xt = np.vstack([rng.normal(0, 1.5, size=(15, 2)), rng.uniform(-6, 6, size=(5, 2))])

def L(a):
    return [float(v) for v in np.ravel(a)]

out = {"sklearn": sklearn.__version__, "X": L(X), "Xt": L(Xt)}
for name, kw in {
    "rbf_scale": dict(nu=0.1),
    "rbf_gamma": dict(nu=0.3, gamma=0.5, tol=1e-7),
    "poly": dict(kernel="poly", degree=2, gamma=0.3, coef0=1, nu=0.15),
}.items():
    m = OneClassSVM(**kw).fit(X)
    out[name] = {
        "params": kw,
        "support": [int(i) for i in m.support_],
        "dual_coef": L(m.dual_coef_),
        "offset": float(m.offset_),
        "decision": L(m.decision_function(Xt)),
        "score_samples": L(m.score_samples(Xt)),
        "pred": L(m.predict(Xt)),
        "n_iter": int(np.ravel(m.n_iter_)[0]),
    }
with open("ocsvm_ref.json", "w") as f:
    json.dump(out, f)
    f.write("\n")
