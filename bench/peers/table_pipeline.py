#!/usr/bin/python3
"""`train -csv` end to end against the same scikit-learn pipeline, one run.

Peer: scikit-learn 1.2.1 (Debian's python3-sklearn). Run from the
repository root:

    go build -o /tmp/ember-train ./cmd/train
    /usr/bin/python3 bench/peers/table_pipeline.py [--csv data/testdata/titanic.csv]
        [--target survived] [--models random_forest gradient_boosting ...] [--train /tmp/ember-train]
    /usr/bin/python3 bench/peers/table_pipeline.py --csv ../shared/data/tabular/california_housing.csv \
        --target median_house_value

For each model it runs `train -csv CSV -target T -model M -json -quiet`
(median imputer and standard scaler on the numeric columns, most-frequent
imputer and one-hot encoder on the categorical ones, a stratified 80/20
split, 5-fold cross-validation on the 80%, a fit on it and a test on the
20%; for a regression the split is not stratified) and the same pipeline in
scikit-learn, with OneHotEncoder's default
sparse output (scikit-learn's trees, boosting, linear models, SVMs and
neighbours read sparse matrices; HistGradientBoosting and GaussianNB need
a dense one; SVC gets probability=True, as train -csv sets it). Both wall times include the
cross-validation, the final fit and the test predictions, not reading the
CSV. scikit-learn runs single-threaded (n_jobs=None, its default); ember
uses every core. Ratio: ember / scikit-learn wall time, lower is better.
"""
import argparse, json, os, subprocess, time

import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (AdaBoostClassifier, AdaBoostRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--csv", default=os.path.join(here, "..", "..", "data", "testdata", "titanic.csv"),
                help="default: the titanic table kept in the repository")
ap.add_argument("--target", default="survived")
ap.add_argument("--train", default="/tmp/ember-train", help="the built cmd/train binary")
ap.add_argument("--models", nargs="*", help="default: the tree models, and logistic_regression or ridge")
args = ap.parse_args()

regressors = {
    "ridge": Ridge, "linear_regression": LinearRegression, "lasso": Lasso, "elastic_net": ElasticNet,
    "random_forest": lambda: RandomForestRegressor(random_state=0),
    "extra_trees": lambda: ExtraTreesRegressor(random_state=0),
    "gradient_boosting": lambda: GradientBoostingRegressor(random_state=0),
    "decision_tree": lambda: DecisionTreeRegressor(random_state=0),
    "adaboost": lambda: AdaBoostRegressor(random_state=0),
    "hist_gradient_boosting": lambda: HistGradientBoostingRegressor(random_state=0),
    "knn": KNeighborsRegressor, "svr": SVR,
}
peers = {
    "random_forest": lambda: RandomForestClassifier(random_state=0),
    "extra_trees": lambda: ExtraTreesClassifier(random_state=0),
    "gradient_boosting": lambda: GradientBoostingClassifier(random_state=0),
    "decision_tree": lambda: DecisionTreeClassifier(random_state=0),
    "adaboost": lambda: AdaBoostClassifier(random_state=0),
    "hist_gradient_boosting": lambda: HistGradientBoostingClassifier(random_state=0),
    "logistic_regression": lambda: LogisticRegression(max_iter=1000),
    "svc": lambda: SVC(probability=True, random_state=0),
    "linear_svc": LinearSVC,
    "knn": KNeighborsClassifier,
    "gaussian_nb": GaussianNB,
    "sgd": lambda: SGDClassifier(random_state=0),
}
# Models that need a dense matrix in scikit-learn.
dense_only = {"hist_gradient_boosting", "gaussian_nb"}

df = pd.read_csv(args.csv, na_values=["?", "NA", ""])
y = df.pop(args.target)
# The task as train -csv decides it: categories or at most 20 distinct
# integers make a classification.
regression = y.dtype != object and (y.nunique() > 20 or (y.dropna() % 1 != 0).any())
if regression:
    peers = regressors
models = args.models or ["random_forest", "extra_trees", "gradient_boosting", "decision_tree", "adaboost",
                         "hist_gradient_boosting", "ridge" if regression else "logistic_regression"]
metric = "r2" if regression else "accuracy"
cat = [c for c in df.columns if df[c].dtype == object]
num = [c for c in df.columns if c not in cat]


def sklearn_run(model):
    dense = model in dense_only
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore", sparse_output=not dense)), cat)])
    pipe = make_pipeline(pre, peers[model]())
    t = time.perf_counter()
    Xtr, Xte, ytr, yte = train_test_split(df, y, test_size=0.2, random_state=0, stratify=None if regression else y)
    cv = cross_val_score(pipe, Xtr, ytr, cv=5).mean()
    pipe.fit(Xtr, ytr)
    acc = pipe.score(Xte, yte)
    return cv, acc, time.perf_counter() - t


print(f"scikit-learn {sklearn.__version__}; {args.csv}, target {args.target}; {len(df)} rows, "
      f"{len(num)} numeric and {len(cat)} categorical columns\n")
print(f"| model | ember cv | sklearn cv | ember test {metric} | sklearn test {metric} | ember s | sklearn s | ratio |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for m in models:
    out = subprocess.run([args.train, "-csv", args.csv, "-target", args.target, "-model", m, "-json", "-quiet"],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    e = json.loads(out)
    # ember's wall_seconds includes reading the CSV; subtract nothing, so the
    # ratio slightly favours scikit-learn.
    scv, sacc, st = sklearn_run(m)
    print(f"| {m} | {e['cv_mean']:.4f} | {scv:.4f} | {e[metric]:.4f} | {sacc:.4f} | "
          f"{e['wall_seconds']:.2f} | {st:.2f} | {e['wall_seconds'] / st:.2f} |", flush=True)
