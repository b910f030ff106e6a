#!/usr/bin/env python3
"""Trees and ensembles: ember against scikit-learn 1.2 and XGBoost 1.7, one run.

Run from the repository root (Debian's python3-sklearn 1.2.1 and python3-xgboost
1.7.4; `apt-get install -y python3-sklearn python3-xgboost`):

    /usr/bin/python3 bench/peers/trees_bench.py                 # everything (about 10-15 min on 2 cores)
    /usr/bin/python3 bench/peers/trees_bench.py --only clf20k   # one data set
    /usr/bin/python3 bench/peers/trees_bench.py --skip-ember    # peers only
    /usr/bin/python3 bench/peers/trees_bench.py --only adult --models hgb_d6 xgb

It writes the data sets (the same train/test split for every library) as CSV
files to --out (default /tmp/trees_bench), fits the peers, then runs the ember
side with

    EMBER_TREES_BENCH=/tmp/trees_bench go test ./classical/ensemble -run TestPeerBench -count=1 -v -timeout 30m

which reads plan.json from that folder and writes ember.json, and finally
prints one markdown table: score (accuracy or R^2 on the test split) and fit
time per model, and the fit-time ratio ember / peer (lower is better).

Data: iris, wine, breast_cancer, digits, california_housing and adult from
../shared/data/tabular (adult: categorical columns ordinal-encoded, '?' as
NaN; models without native missing values get NaN replaced by -1, the
histogram boosters get the NaNs), and make_classification(n_samples=20000 and
100000, n_features=20, random_state=0). Split: train_test_split(test_size=0.25,
random_state=0, stratified for classification). Fits are timed once each
(wall clock); the machine is shared, so expect noise of +-20%.
"""
import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import sklearn
import xgboost
from sklearn.datasets import make_classification
from sklearn.ensemble import (AdaBoostClassifier, AdaBoostRegressor, BaggingClassifier,
                              ExtraTreesClassifier, ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, RandomForestClassifier,
                              RandomForestRegressor, VotingClassifier)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

CLS_MODELS = ["dt", "rf", "et", "gb", "ada", "hgb", "bag", "vote"]
REG_MODELS = ["dtr", "rfr", "etr", "gbr", "adar", "hgbr"]


def peer(model):
    """The scikit-learn / XGBoost model for a key (ember uses the same settings)."""
    j = 2
    return {
        "dt": lambda: DecisionTreeClassifier(random_state=0),
        "rf": lambda: RandomForestClassifier(n_estimators=100, n_jobs=j, random_state=0),
        "et": lambda: ExtraTreesClassifier(n_estimators=100, n_jobs=j, random_state=0),
        "gb": lambda: GradientBoostingClassifier(random_state=0),
        "ada": lambda: AdaBoostClassifier(random_state=0),
        "hgb": lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        "hgb_d6": lambda: HistGradientBoostingClassifier(max_iter=100, max_depth=6, max_leaf_nodes=None, min_samples_leaf=1,
                                                         l2_regularization=1.0, early_stopping=False, random_state=0),
        "xgb": lambda: xgboost.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method="hist",
                                             max_bin=256, n_jobs=j, random_state=0),
        "bag": lambda: BaggingClassifier(DecisionTreeClassifier(), n_estimators=10, n_jobs=j, random_state=0),
        "vote": lambda: VotingClassifier([("dt", DecisionTreeClassifier(max_depth=8, random_state=0)),
                                          ("et", ExtraTreesClassifier(n_estimators=50, n_jobs=j, random_state=0)),
                                          ("hgb", HistGradientBoostingClassifier(max_iter=50, early_stopping=False, random_state=0))],
                                         voting="soft"),
        "dtr": lambda: DecisionTreeRegressor(random_state=0),
        "rfr": lambda: RandomForestRegressor(n_estimators=100, n_jobs=j, random_state=0),
        "etr": lambda: ExtraTreesRegressor(n_estimators=100, n_jobs=j, random_state=0),
        "gbr": lambda: GradientBoostingRegressor(random_state=0),
        "adar": lambda: AdaBoostRegressor(DecisionTreeRegressor(max_depth=3), random_state=0),
        "hgbr": lambda: HistGradientBoostingRegressor(early_stopping=False, random_state=0),
        "xgbr": lambda: xgboost.XGBRegressor(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method="hist",
                                             max_bin=256, n_jobs=j, random_state=0),
    }[model]()


def read_sklearn_csv(path, header=True):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        lines = f.read().strip().split("\n")
    if header:
        lines = lines[1:]
    a = np.array([[float(v) for v in l.split(",")] for l in lines])
    return a[:, :-1], a[:, -1]


def load_adult(d):
    """adult.data (32,561 rows): categorical columns ordinal-encoded, '?' as NaN."""
    import csv
    with open(os.path.join(d, "adult", "adult.data")) as f:
        rows = [l for l in csv.reader(f, skipinitialspace=True) if len(l) == 15]
    cat = [1, 3, 5, 6, 7, 8, 9, 13]
    X = np.zeros((len(rows), 14))
    for j in range(14):
        col = [r[j] for r in rows]
        if j in cat:
            levels = sorted(set(v for v in col if v != "?"))
            idx = {v: i for i, v in enumerate(levels)}
            X[:, j] = [idx[v] if v != "?" else np.nan for v in col]
        else:
            X[:, j] = [float(v) if v != "?" else np.nan for v in col]
    y = np.array([1.0 if r[14].rstrip(".") == ">50K" else 0.0 for r in rows])
    return X, y


def load_california(d):
    import csv
    with open(os.path.join(d, "california_housing.csv")) as f:
        r = list(csv.reader(f))
    head, rows = r[0], r[1:]
    ti = head.index("median_house_value")
    ci = head.index("ocean_proximity")
    levels = sorted(set(row[ci] for row in rows))
    X, y = [], []
    for row in rows:
        x = []
        for j, v in enumerate(row):
            if j == ti:
                continue
            if j == ci:
                x.append(levels.index(v))
            else:
                x.append(float(v) if v != "" else np.nan)
        X.append(x)
        y.append(float(row[ti]) / 100000.0)
    return np.array(X), np.array(y)


def write_csv(path, X, y):
    with open(path, "w") as f:
        for xi, yi in zip(X, y):
            f.write(",".join("nan" if np.isnan(v) else repr(float(v)) for v in xi) + "," + repr(float(yi)) + "\n")


def prepare(out, data, only):
    sets = {}
    def add(name, task, X, y, models, nan=False):
        if only and name not in only:
            return
        strat = y if task == "classification" else None
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=strat)
        for part, (a, b) in (("train", (Xtr, ytr)), ("test", (Xte, yte))):
            write_csv(os.path.join(out, f"{name}_{part}.csv"), a, b)
            if nan:
                a2 = np.where(np.isnan(a), -1.0, a)
                write_csv(os.path.join(out, f"{name}_filled_{part}.csv"), a2, b)
        sets[name] = {"task": task, "models": models, "nan": nan, "train": (Xtr, ytr), "test": (Xte, yte)}
    tab = data
    add("iris", "classification", *read_sklearn_csv(os.path.join(tab, "iris.csv")), CLS_MODELS)
    add("wine", "classification", *read_sklearn_csv(os.path.join(tab, "wine_data.csv")), CLS_MODELS)
    add("breast_cancer", "classification", *read_sklearn_csv(os.path.join(tab, "breast_cancer.csv")), CLS_MODELS)
    add("digits", "classification", *read_sklearn_csv(os.path.join(tab, "digits.csv.gz"), header=False), CLS_MODELS)
    add("adult", "classification", *load_adult(tab), CLS_MODELS + ["xgb", "hgb_d6"], nan=True)
    add("california", "regression", *load_california(tab), REG_MODELS + ["xgbr"], nan=True)
    X, y = make_classification(n_samples=20000, n_features=20, random_state=0)
    add("clf20k", "classification", X, y, ["dt", "rf", "et", "gb", "ada", "hgb", "hgb_d6", "xgb", "latency_rf"])
    X, y = make_classification(n_samples=100000, n_features=20, random_state=0)
    add("clf100k", "classification", X, y, ["hgb_d6", "xgb"])
    return sets


def cpu_seconds():
    """User+system CPU time of this process and its finished children
    (joblib workers), in seconds."""
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


NATIVE_NAN = {"hgb", "hgb_d6", "xgb", "hgbr", "xgbr"}


def run_peers(sets):
    res = []
    for name, s in sets.items():
        Xtr, ytr = s["train"]
        Xte, yte = s["test"]
        for m in s["models"]:
            a, b = Xtr, Xte
            if s["nan"] and m not in NATIVE_NAN:
                a, b = np.where(np.isnan(a), -1.0, a), np.where(np.isnan(b), -1.0, b)
            if m == "latency_rf":
                pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)).fit(a, ytr)
                row = b[:1]
                pipe.predict(row)
                t0 = time.perf_counter()
                reps = 200
                for _ in range(reps):
                    pipe.predict(row)
                us = (time.perf_counter() - t0) / reps * 1e6
                res.append({"dataset": name, "model": m, "lib": "sklearn", "latency_us": us})
                print(f"sklearn {name:14s} {m:8s} predict one row {us:9.1f} us", flush=True)
                continue
            est = peer(m)
            c0 = cpu_seconds()
            t0 = time.perf_counter()
            est.fit(a, ytr)
            fit = time.perf_counter() - t0
            cpu = cpu_seconds() - c0
            score = est.score(b, yte)
            lib = "xgboost" if m.startswith("xgb") else "sklearn"
            res.append({"dataset": name, "model": m, "lib": lib, "fit_s": fit, "cpu_s": cpu, "score": score})
            print(f"{lib:7s} {name:14s} {m:8s} fit {fit:8.3f}s cpu {cpu:8.3f}s score {score:.4f}", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/trees_bench")
    ap.add_argument("--data", default="../shared/data/tabular")
    ap.add_argument("--only", nargs="*", help="data sets to run (default: all)")
    ap.add_argument("--models", nargs="*", help="model keys to run (default: all of each data set)")
    ap.add_argument("--skip-ember", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(f"scikit-learn {sklearn.__version__}, xgboost {xgboost.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs", flush=True)
    sets = prepare(args.out, args.data, args.only)
    if args.models:
        for s in sets.values():
            s["models"] = [m for m in s["models"] if m in args.models]
    plan = [{"dataset": n, "task": s["task"], "model": m, "nan": s["nan"]} for n, s in sets.items() for m in s["models"]]
    with open(os.path.join(args.out, "plan.json"), "w") as f:
        json.dump(plan, f, indent=1)
    peers = run_peers(sets)
    with open(os.path.join(args.out, "peers.json"), "w") as f:
        json.dump(peers, f, indent=1)
    if args.skip_ember:
        return
    env = dict(os.environ, EMBER_TREES_BENCH=args.out)
    subprocess.run(["go", "test", "./classical/ensemble", "-run", "TestPeerBench", "-count=1", "-v", "-timeout", "60m"], env=env, check=True)
    with open(os.path.join(args.out, "ember.json")) as f:
        ember = json.load(f)
    table(peers, ember)


def table(peers, ember):
    em = {(r["dataset"], r["model"]): r for r in ember}
    print("\n| data | model | ember score | sklearn score | xgboost score | ember fit s (cpu s) | peer fit s (cpu s) | wall ratio | cpu ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for p in peers:
        e = em.get((p["dataset"], p["model"]))
        if p["model"] == "latency_rf":
            if e:
                print(f"| {p['dataset']} | predict 1 row, scaler+RF(100) | {e['latency_us']:.1f} us | {p['latency_us']:.1f} us | | | | {e['latency_us']/p['latency_us']:.3f} | |")
            continue
        if p["lib"] == "xgboost":
            # compare ember's hgb_d6 (same depth, trees, learning rate) with XGBoost
            e = em.get((p["dataset"], "hgb_d6"))
            if e:
                print(f"| {p['dataset']} | hgb_d6 vs xgb hist | {e['score']:.4f} | | {p['score']:.4f} | {e['fit_s']:.3f} ({e['cpu_s']:.2f}) | {p['fit_s']:.3f} ({p['cpu_s']:.2f}) | {e['fit_s']/p['fit_s']:.3f} | {e['cpu_s']/p['cpu_s']:.3f} |")
            continue
        if not e:
            continue
        print(f"| {p['dataset']} | {p['model']} | {e['score']:.4f} | {p['score']:.4f} | | {e['fit_s']:.3f} ({e['cpu_s']:.2f}) | {p['fit_s']:.3f} ({p['cpu_s']:.2f}) | {e['fit_s']/p['fit_s']:.3f} | {e['cpu_s']/p['cpu_s']:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
