# Records scikit-learn 1.2.1 reference results for classical/tree and
# classical/ensemble tests (Debian's python3-sklearn; numpy 1.24).
# Run from classical/tree/testdata:
#   /usr/bin/python3 gen_sklearn_trees.py > sklearn_trees.json
#
# 1. "structure": fitted trees on a tiny data set (tree_ arrays), which
#    ember's trees must reproduce exactly (thresholds up to float32 rounding:
#    scikit-learn's trees work on float32 X).
# 2. "scores": test accuracy / R^2 of each model on fixed splits of iris,
#    wine and breast_cancer (test rows: index % 4 == 0), which ember's must
#    approach.
import json

import numpy as np
import sklearn
from sklearn.ensemble import (AdaBoostClassifier, AdaBoostRegressor, BaggingClassifier, ExtraTreesClassifier,
                              ExtraTreesRegressor, GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor, VotingClassifier)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_graphviz, export_text

assert sklearn.__version__.startswith("1.2"), sklearn.__version__


def load(name):
    lines = open("../../testdata/" + name).read().strip().split("\n")[1:]
    a = np.array([[float(v) for v in l.split(",")] for l in lines])
    return a[:, :-1], a[:, -1]


def tree_arrays(t):
    t = t.tree_
    return {
        "left": t.children_left.tolist(), "right": t.children_right.tolist(),
        "feature": [int(f) if l >= 0 else -1 for f, l in zip(t.feature, t.children_left)],
        "threshold": [float(x) if l >= 0 else 0.0 for x, l in zip(t.threshold, t.children_left)],
        "impurity": t.impurity.tolist(), "n_samples": t.n_node_samples.tolist(),
        "value": t.value.reshape(t.node_count, -1).tolist(),
    }


out = {"sklearn": sklearn.__version__, "structure": {}, "scores": {}}

# A tiny data set with distinct, well spread values (few ties between
# candidate splits), 24 samples, 2 features, 3 classes and a real target.
rng = np.random.RandomState(3)
X = np.round(rng.rand(24, 2) * 10, 2)
yc = (X[:, 0] + 0.5 * X[:, 1] + rng.randn(24) > 7).astype(int) + (X[:, 1] > 6).astype(int)
yr = np.round(X[:, 0] * 0.7 - X[:, 1] ** 2 * 0.1 + rng.randn(24), 3)
out["tiny"] = {"X": X.tolist(), "y_class": yc.tolist(), "y_reg": yr.tolist()}
for name, est, y in [
    ("gini", DecisionTreeClassifier(random_state=0), yc),
    ("entropy", DecisionTreeClassifier(criterion="entropy", random_state=0), yc),
    ("gini_depth2_leaf3", DecisionTreeClassifier(max_depth=2, min_samples_leaf=3, random_state=0), yc),
    ("gini_balanced", DecisionTreeClassifier(class_weight="balanced", max_depth=3, random_state=0), yc),
    ("squared_error_depth3", DecisionTreeRegressor(max_depth=3, random_state=0), yr),
    ("absolute_error_depth3", DecisionTreeRegressor(criterion="absolute_error", max_depth=3, random_state=0), yr),
    ("squared_error_split5", DecisionTreeRegressor(min_samples_split=5, random_state=0), yr),
]:
    est.fit(X, y)
    out["structure"][name] = tree_arrays(est)
    out["structure"][name]["importances"] = est.feature_importances_.tolist()

# 2. export_text and export_graphviz of two tiny trees.
e = DecisionTreeClassifier(max_depth=2, min_samples_leaf=3, random_state=0).fit(X, yc)
r = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, yr)
out["export"] = {
    "cls_text": export_text(e, feature_names=["a", "b"]),
    "cls_text_weights": export_text(e, show_weights=True),
    "cls_dot": export_graphviz(e, out_file=None, feature_names=["a", "b"], class_names=["x", "y", "z"]),
    "reg_text": export_text(r),
    "reg_dot": export_graphviz(r, out_file=None),
}

cls = {
    "dt": lambda: DecisionTreeClassifier(random_state=0),
    "rf": lambda: RandomForestClassifier(random_state=0),
    "et": lambda: ExtraTreesClassifier(random_state=0),
    "gb": lambda: GradientBoostingClassifier(random_state=0),
    "ada": lambda: AdaBoostClassifier(random_state=0),
    "ada_samme": lambda: AdaBoostClassifier(algorithm="SAMME", random_state=0),
    "hgb": lambda: HistGradientBoostingClassifier(random_state=0),
    "bag": lambda: BaggingClassifier(DecisionTreeClassifier(), random_state=0),
    "vote": lambda: VotingClassifier([("dt", DecisionTreeClassifier(max_depth=3, random_state=0)),
                                      ("rf", RandomForestClassifier(n_estimators=20, random_state=0)),
                                      ("gb", GradientBoostingClassifier(n_estimators=20, random_state=0))], voting="soft"),
}
reg = {
    "dtr": lambda: DecisionTreeRegressor(random_state=0),
    "rfr": lambda: RandomForestRegressor(random_state=0),
    "etr": lambda: ExtraTreesRegressor(random_state=0),
    "gbr": lambda: GradientBoostingRegressor(random_state=0),
    "gbr_huber": lambda: GradientBoostingRegressor(loss="huber", random_state=0),
    "gbr_abs": lambda: GradientBoostingRegressor(loss="absolute_error", random_state=0),
    "adar": lambda: AdaBoostRegressor(DecisionTreeRegressor(max_depth=3), random_state=0),
    "hgbr": lambda: HistGradientBoostingRegressor(random_state=0),
}
for data in ["iris.csv", "wine_data.csv", "breast_cancer.csv"]:
    X, y = load(data)
    te = np.arange(len(y)) % 4 == 0
    for k, f in cls.items():
        out["scores"][f"{data}/{k}"] = f().fit(X[~te], y[~te]).score(X[te], y[te])
    # Regression: the first feature from the others.
    Xr, t = X[:, 1:], X[:, 0]
    for k, f in reg.items():
        out["scores"][f"{data}/{k}"] = f().fit(Xr[~te], t[~te]).score(Xr[te], t[te])
print(json.dumps(out))
