#!/usr/bin/python3
"""Classical ML part 1: ember vs scikit-learn, side by side in one run.

Peer: scikit-learn 1.2.1 (Debian's python3-sklearn). Run from the
repository root:

    /usr/bin/python3 bench/peers/sklearn_part1.py [--repeat 3] [--data DIR]

It writes make_classification(20000 x 20) / make_regression(20000 x 20)
tables to DIR (default /tmp/ember_part1), times scikit-learn's fits
(best of --repeat), computes scikit-learn's 5-fold accuracies on iris,
wine, breast_cancer and digits (../shared/data/tabular), then runs the Go
benchmarks BenchmarkPart1Fit and BenchmarkPart1CV in classical/selection on
the same data and prints one table of times, ratios (ember / scikit-learn,
lower is better) and accuracies.
"""
import argparse, os, re, resource, subprocess, sys, time
import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, Ridge, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.pipeline import make_pipeline, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import GridSearchCV, cross_val_score

ap = argparse.ArgumentParser()
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--data", default="/tmp/ember_part1")
ap.add_argument("--tabular", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "tabular"))
ap.add_argument("--no-go", action="store_true", help="only time scikit-learn")
args = ap.parse_args()
os.makedirs(args.data, exist_ok=True)
tab = os.path.abspath(args.tabular)

Xc, yc = make_classification(n_samples=20000, n_features=20, n_informative=10, random_state=0)
Xr, yr = make_regression(n_samples=20000, n_features=20, noise=10.0, random_state=0)
def save(name, X, y):
    np.savetxt(os.path.join(args.data, name), np.column_stack([X, y]), delimiter=",", fmt="%.17g")
save("classification.csv", Xc, yc)
save("regression.csv", Xr, yr)
save("classification5000.csv", Xc[:5000], yc[:5000])

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

sk_cpu = {}
def best(f, name=None):
    """Best wall time of --repeat runs; also records mean CPU time (all threads of this process)."""
    ts = []
    c0 = cpu()
    for _ in range(args.repeat):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    if name:
        sk_cpu[name] = (cpu() - c0) / args.repeat
    return min(ts)

def load(path, header=True):
    a = np.loadtxt(path, delimiter=",", skiprows=1 if header else 0)
    return a[:, :-1], a[:, -1]
Xb, yb = load(os.path.join(tab, "breast_cancer.csv"))

env = dict(os.environ, EMBER_PART1_DATA=args.data, EMBER_PART1_TABULAR=tab)

def go_bench(pattern):
    """Runs Go benchmarks matching pattern; returns the output lines."""
    cmd = ["go", "test", "-run", "^$", "-bench", pattern, "-benchtime", f"{args.repeat}x", "./classical/selection/"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print(" ".join(cmd)); print(out.stdout, out.stderr); sys.exit(1)
    return out.stdout.splitlines()

grid = {"svc__C": [0.1, 1.0, 10.0], "svc__gamma": ["scale", 0.01, 0.1], "svc__kernel": ["rbf", "linear", "sigmoid"]}
cases = {
    "LinearRegression": lambda: LinearRegression().fit(Xr, yr),
    "Ridge": lambda: Ridge().fit(Xr, yr),
    "LogisticRegression": lambda: LogisticRegression().fit(Xc, yc),
    "KNeighborsFitPredict2000": lambda: KNeighborsClassifier().fit(Xc, yc).predict(Xc[:2000]),
    "SVC5000": lambda: SVC().fit(Xc[:5000], yc[:5000]),
    "GridSearchCV27": lambda: GridSearchCV(Pipeline([("scaler", StandardScaler()), ("svc", SVC())]), grid, cv=5, n_jobs=-1).fit(Xb, yb),
}
# Each case runs scikit-learn and then ember right after it, so that both
# see about the same load on a shared machine; both report the best of
# --repeat runs (wall) and the mean CPU time.
sk, go_t, go_cpu, loads = {}, {}, {}, {}
nan = float("nan")
for name, f in cases.items():
    sk[name] = best(f, None if name == "GridSearchCV27" else name)
    if not args.no_go:
        for line in go_bench(f"BenchmarkPart1Fit/{name}$"):
            m = re.match(r"BenchmarkPart1Fit/(\S+?)(-\d+)?\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) best-ms\s+([\d.]+) cpu-ms/op", line)
            if m: go_t[m.group(1)] = float(m.group(3)) / 1e3; go_cpu[m.group(1)] = float(m.group(4)) / 1e3
    loads[name] = os.getloadavg()[0]

acc = {}
for name, file, header in [("iris", "iris.csv", True), ("wine", "wine_data.csv", True), ("breast_cancer", "breast_cancer.csv", True), ("digits", "digits.csv.gz", False)]:
    X, y = load(os.path.join(tab, file), header)
    for model, est in [("logreg", make_pipeline(StandardScaler(), LogisticRegression())), ("svc", make_pipeline(StandardScaler(), SVC()))]:
        acc[name + "/" + model] = cross_val_score(est, X, y, cv=5).mean()

print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs")
if args.no_go:
    for k, v in sk.items(): print(f"{k:28s} sklearn {v*1e3:10.1f} ms")
    for k, v in acc.items(): print(f"{k:28s} sklearn acc {v:.4f}")
    sys.exit(0)

go_acc = {}
for line in go_bench("BenchmarkPart1CV"):
    m = re.match(r"BenchmarkPart1CV/(\S+?)(-\d+)?\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) acc", line)
    if m: go_acc[m.group(1)] = float(m.group(3))
print("CPU time is all threads of the process (scikit-learn's GridSearchCV runs in worker processes: not counted);")
print("wall times suffer on a busy machine: 'load' is the 1-minute load average after the case.")
print(f"\n{'fit time':28s} {'ember ms':>10s} {'sklearn ms':>10s} {'ratio':>6s} {'ember cpu':>10s} {'sk cpu':>10s} {'ratio':>6s} {'load':>5s}")
for k, v in sk.items():
    g, gc, sc = go_t.get(k, nan), go_cpu.get(k, nan), sk_cpu.get(k, nan)
    print(f"{k:28s} {g*1e3:10.1f} {v*1e3:10.1f} {g/v:6.2f} {gc*1e3:10.1f} {sc*1e3:10.1f} {gc/sc:6.2f} {loads[k]:5.1f}")
print(f"\n{'5-fold accuracy':28s} {'ember':>8s} {'sklearn':>8s} {'diff pt':>8s}")
for k, v in acc.items():
    g = go_acc.get(k, float('nan'))
    print(f"{k:28s} {g:8.4f} {v:8.4f} {100*(g-v):8.2f}")
