# Records scikit-learn 1.2.1 reference results for decomposition_test.go.
# Run from classical/decomposition/testdata (Debian's python3-sklearn):
#   /usr/bin/python3 record_sklearn_decomposition.py > sklearn_decomposition.json
import json
import numpy as np
import sklearn
from sklearn.decomposition import PCA, TruncatedSVD

assert sklearn.__version__.startswith("1.2"), sklearn.__version__

def arr(a):
    return np.asarray(a, dtype=float).ravel().tolist()

lines = open("../../testdata/iris.csv").read().strip().split("\n")[1:]
iris = np.array([[float(v) for v in l.split(",")] for l in lines])[:, :-1]

# A 520 x 12 matrix with a decaying spectrum (randomized solver territory:
# more than 500 rows, few components).
rng = np.random.RandomState(0)
U, _ = np.linalg.qr(rng.randn(520, 12))
V, _ = np.linalg.qr(rng.randn(12, 12))
S = 10.0 * 0.7 ** np.arange(12)
lowrank = (U * S) @ V.T + 3.0 + 0.01 * rng.randn(520, 12)

out = {"sklearn": sklearn.__version__, "iris": arr(iris), "lowrank": arr(lowrank)}
def pca(name, X, **kw):
    m = PCA(**kw).fit(X)
    Z = m.transform(X)
    out[name] = {"components": arr(m.components_), "explained_variance": arr(m.explained_variance_),
                 "explained_variance_ratio": arr(m.explained_variance_ratio_),
                 "singular_values": arr(m.singular_values_), "noise_variance": float(m.noise_variance_),
                 "mean": arr(m.mean_), "transform": arr(Z[:20]), "inverse": arr(m.inverse_transform(Z)[:20]),
                 "n_components": int(m.n_components_)}
pca("pca_iris_2", iris, n_components=2)
pca("pca_iris_all", iris)
pca("pca_iris_whiten", iris, n_components=3, whiten=True)
pca("pca_iris_095", iris, n_components=0.95)
pca("pca_lowrank_3_full", lowrank, n_components=3, svd_solver="full")
pca("pca_lowrank_3_auto", lowrank, n_components=3, random_state=0)
for name, X, k in [("tsvd_iris_2", iris, 2), ("tsvd_lowrank_3", lowrank, 3)]:
    m = TruncatedSVD(n_components=k, algorithm="arpack", tol=0, random_state=0).fit(X)
    out[name] = {"components": arr(m.components_), "explained_variance": arr(m.explained_variance_),
                 "explained_variance_ratio": arr(m.explained_variance_ratio_),
                 "singular_values": arr(m.singular_values_), "transform": arr(m.transform(X)[:20])}
print(json.dumps(out))
