# Records scikit-learn 1.2.1 / scipy 1.10.1 reference results for cluster_test.go.
# Run from classical/cluster/testdata (Debian's python3-sklearn):
#   /usr/bin/python3 record_sklearn_cluster.py > sklearn_cluster.json
import json
import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_moons
from sklearn.cluster import KMeans, MiniBatchKMeans, AgglomerativeClustering, DBSCAN
from sklearn.metrics import silhouette_score, silhouette_samples
from scipy.cluster.hierarchy import linkage

assert sklearn.__version__.startswith("1.2"), sklearn.__version__
out = {"sklearn": sklearn.__version__}

def arr(a):
    return np.asarray(a, dtype=float).ravel().tolist()

# KMeans on 2-D blobs (direct-distance path) and 12-D blobs (GEMM path).
for name, (X, _) in {
    "blobs2": make_blobs(n_samples=300, centers=4, cluster_std=0.9, random_state=0),
    "blobs12": make_blobs(n_samples=240, n_features=12, centers=5, cluster_std=2.0, random_state=1),
    # Overlapping blobs: many iterations, where Hamerly's bounds matter.
    "overlap3": make_blobs(n_samples=500, n_features=3, centers=6, cluster_std=3.0, random_state=2),
}.items():
    k = {"blobs2": 4, "blobs12": 5, "overlap3": 6}[name]
    init = X[list(range(k))]
    m = KMeans(n_clusters=k, init=init, n_init=1, random_state=0).fit(X)
    pp = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
    elbow = [KMeans(n_clusters=j, n_init=10, random_state=0).fit(X).inertia_ for j in range(1, 8)]
    mb = MiniBatchKMeans(n_clusters=k, batch_size=64, n_init=3, random_state=0).fit(X)
    out[name] = {
        "mb_inertia": float(mb.inertia_),
        "X": arr(X), "n": X.shape[0], "d": X.shape[1], "k": k, "init": arr(init),
        "centers": arr(m.cluster_centers_), "labels": arr(m.labels_), "inertia": float(m.inertia_),
        "n_iter": int(m.n_iter_), "pp_inertia": float(pp.inertia_), "elbow": elbow,
        "silhouette": float(silhouette_score(X, m.labels_)),
        "silhouette_samples": arr(silhouette_samples(X, m.labels_)),
    }

# Agglomerative clustering and scipy linkage on 40 points in 3-D.
X, _ = make_blobs(n_samples=40, n_features=3, centers=3, cluster_std=1.5, random_state=3)
agg = {"X": arr(X), "n": 40, "d": 3}
for method in ["ward", "complete", "average", "single"]:
    m = AgglomerativeClustering(n_clusters=3, linkage=method, compute_distances=True).fit(X)
    agg[method] = {"labels": arr(m.labels_), "children": arr(m.children_), "distances": arr(m.distances_),
                   "Z": arr(linkage(X, method=method, metric="euclidean"))}
for method in ["complete", "average"]:
    for metric in ["manhattan", "cosine"]:
        m = AgglomerativeClustering(n_clusters=4, linkage=method, metric=metric).fit(X)
        agg[method + "_" + metric] = {"labels": arr(m.labels_), "children": arr(m.children_)}
m = AgglomerativeClustering(n_clusters=None, distance_threshold=4.0, linkage="ward").fit(X)
agg["ward_threshold4"] = {"labels": arr(m.labels_), "n_clusters": int(m.n_clusters_)}
out["agglomerative"] = agg

# DBSCAN on two moons with noise.
X, _ = make_moons(n_samples=300, noise=0.09, random_state=0)
m = DBSCAN(eps=0.12, min_samples=6).fit(X)
out["dbscan"] = {"X": arr(X), "n": 300, "d": 2, "eps": 0.12, "min_samples": 6,
                 "labels": arr(m.labels_), "core": arr(m.core_sample_indices_)}
X, _ = make_blobs(n_samples=200, n_features=10, centers=3, cluster_std=1.0, random_state=5)
m = DBSCAN(eps=3.0, min_samples=4).fit(X)
out["dbscan10"] = {"X": arr(X), "n": 200, "d": 10, "eps": 3.0, "min_samples": 4,
                   "labels": arr(m.labels_), "core": arr(m.core_sample_indices_)}

# Silhouette on iris with its true labels.
lines = open("../../testdata/iris.csv").read().strip().split("\n")[1:]
a = np.array([[float(v) for v in l.split(",")] for l in lines])
out["iris_silhouette"] = float(silhouette_score(a[:, :-1], a[:, -1]))
print(json.dumps(out))
