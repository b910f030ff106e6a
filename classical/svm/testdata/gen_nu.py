#!/usr/bin/python3
"""Reference outputs of scikit-learn's NuSVC and NuSVR for the svm
package's tests, written to nu_ref.json (inputs included). The RBF NuSVC
uses a tight tolerance (1e-7): at libsvm's default the last float32 bit of
a kernel value can send two SMO runs down different paths to solutions
0.1% apart, while at 1e-7 every path reaches the same optimum.

Peer: scikit-learn 1.2.1 (Debian's python3-sklearn). Run from this folder:

    /usr/bin/python3 gen_nu.py
"""
import json

import numpy as np
import sklearn
from sklearn.svm import NuSVC, NuSVR

rng = np.random.default_rng(5)
n = 90
X = rng.normal(size=(n, 3))
score = X @ np.array([1.0, -1.5, 0.5]) + 0.4 * rng.normal(size=n)
y3 = np.digitize(score, [-0.7, 0.7]).astype(float)
yr = np.sin(X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.normal(size=n)
Xt = rng.normal(size=(15, 3))

def L(a):
    return [float(v) for v in np.ravel(a)]

out = {"sklearn": sklearn.__version__, "X": L(X), "y3": L(y3), "yr": L(yr), "Xt": L(Xt)}
for name, kw in {"nusvc_rbf": dict(nu=0.3, tol=1e-7), "nusvc_poly": dict(kernel="poly", degree=2, nu=0.5, gamma=0.5, coef0=1)}.items():
    m = NuSVC(decision_function_shape="ovo", **kw).fit(X, y3)
    out[name] = {"params": kw, "support": [int(i) for i in m.support_], "dual_coef": L(m.dual_coef_),
                 "intercept": L(m.intercept_), "decision": L(m.decision_function(Xt)), "pred": L(m.predict(Xt)),
                 "n_iter": [int(i) for i in np.ravel(m.n_iter_)]}
for name, kw in {"nusvr_rbf": dict(nu=0.4, C=2.0), "nusvr_linear": dict(kernel="linear", nu=0.6)}.items():
    m = NuSVR(**kw).fit(X, yr)
    out[name] = {"params": kw, "support": [int(i) for i in m.support_], "dual_coef": L(m.dual_coef_),
                 "intercept": L(m.intercept_), "pred": L(m.predict(Xt)), "n_iter": [int(i) for i in np.ravel(m.n_iter_)]}
with open("nu_ref.json", "w") as f:
    json.dump(out, f)
    f.write("\n")
