"""Record scikit-learn's ROC and precision-recall reference values for plot's tests.

Run from the repository root (Debian's python3 with python3-sklearn):
    /usr/bin/python3 plot/testdata/gen_curves.py > plot/testdata/curves_sklearn.json
Recorded with scikit-learn 1.2.1, numpy 1.24.2.
"""
import json

import numpy as np
import sklearn
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

rng = np.random.default_rng(7)
cases = []
for n, ties in [(20, False), (200, True), (1000, True)]:
    y = (rng.random(n) < 0.4).astype(int)
    s = rng.normal(size=n) + 1.2 * y
    if ties:
        s = np.round(s, 1)  # many tied scores
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    precision, recall, _ = precision_recall_curve(y, s)
    cases.append({
        "y": y.tolist(),
        "scores": s.tolist(),
        "fpr": fpr.tolist(),
        "tpr": tpr.tolist(),
        "auc": roc_auc_score(y, s),
        # scikit-learn orders by increasing threshold and appends (P=1, R=0);
        # reverse and drop that point to get plot's order.
        "precision": precision[:-1][::-1].tolist(),
        "recall": recall[:-1][::-1].tolist(),
        "ap": average_precision_score(y, s),
    })
print(json.dumps({"sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}))
