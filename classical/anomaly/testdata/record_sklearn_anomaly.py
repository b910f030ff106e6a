# Records scikit-learn 1.2.1 IsolationForest results for iforest_test.go.
# Run from classical/anomaly/testdata (Debian's python3-sklearn):
#   /usr/bin/python3 record_sklearn_anomaly.py > sklearn_anomaly.json
# The trees are random, so the tests compare scores statistically (mean
# absolute difference, rank correlation, agreement of the flagged samples),
# not bit for bit.
import json
import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest

assert sklearn.__version__.startswith("1.2"), sklearn.__version__

def arr(a):
    return np.asarray(a, dtype=float).ravel().tolist()

rng = np.random.RandomState(42)
inliers = np.r_[0.5 * rng.randn(150, 2) + 2, 0.5 * rng.randn(150, 2) - 2]
outliers = rng.uniform(low=-6, high=6, size=(30, 2))
X = np.r_[inliers, outliers]
out = {"sklearn": sklearn.__version__, "X": arr(X), "n": X.shape[0], "d": 2}
m = IsolationForest(n_estimators=1000, random_state=0).fit(X)
out["auto"] = {"score_samples": arr(m.score_samples(X)), "offset": float(m.offset_), "predict": arr(m.predict(X))}
m = IsolationForest(n_estimators=1000, contamination=0.1, random_state=0).fit(X)
out["c01"] = {"score_samples": arr(m.score_samples(X)), "offset": float(m.offset_), "predict": arr(m.predict(X))}

lines = open("../../testdata/breast_cancer.csv").read().strip().split("\n")[1:]
bc = np.array([[float(v) for v in l.split(",")] for l in lines])[:, :-1]
m = IsolationForest(n_estimators=1000, max_features=0.5, random_state=0).fit(bc)
out["breast_cancer_mf05"] = {"score_samples": arr(m.score_samples(bc)), "offset": float(m.offset_)}
print(json.dumps(out))
