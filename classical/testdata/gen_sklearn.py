# Records scikit-learn reference outputs for the tests of classical/metrics,
# selection, svm, neighbors and bayes into sklearn_ref.json (inputs included,
# so the Go tests need no Python).
#
# Peer: scikit-learn 1.2.1 as packaged by Debian (python3-sklearn),
# numpy 1.24. Run from the repository root:
#     /usr/bin/python3 classical/testdata/gen_sklearn.py
# It writes classical/testdata/sklearn_ref.json.
import json, os, sys
import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression

here = os.path.dirname(os.path.abspath(__file__))

def load(name):
    lines = open(os.path.join(here, name)).read().strip().split('\n')[1:]
    a = np.array([[float(v) for v in l.split(',')] for l in lines])
    return a[:, :-1], a[:, -1]

def L(a):
    return np.asarray(a, dtype=float).tolist()

out = {'sklearn_version': sklearn.__version__}
rng = np.random.RandomState(0)

# ---- metrics -------------------------------------------------------------
n = 60
yb = rng.randint(0, 2, n).astype(float)
sb = np.round(yb * 0.6 + rng.rand(n), 2)          # ties on purpose
pb = (sb > 0.8).astype(float)
ym = rng.randint(0, 3, n).astype(float)
pm = np.where(rng.rand(n) < 0.7, ym, rng.randint(0, 3, n)).astype(float)
raw = rng.rand(n, 3) + np.eye(3)[ym.astype(int)] * 0.8
prm = raw / raw.sum(1, keepdims=True)
rt = rng.randn(n) * 3 + 1
rp = rt + rng.randn(n)
m = {'y_bin': L(yb), 'score_bin': L(sb), 'pred_bin': L(pb),
     'y_mc': L(ym), 'pred_mc': L(pm), 'proba_mc': L(prm.ravel()),
     'reg_true': L(rt), 'reg_pred': L(rp)}
m['accuracy_bin'] = M.accuracy_score(yb, pb)
m['balanced_accuracy_mc'] = M.balanced_accuracy_score(ym, pm)
for avg in ['binary']:
    m['precision_bin'] = M.precision_score(yb, pb)
    m['recall_bin'] = M.recall_score(yb, pb)
    m['f1_bin'] = M.f1_score(yb, pb)
    m['f2_bin'] = M.fbeta_score(yb, pb, beta=2)
    m['f1_bin_pos0'] = M.f1_score(yb, pb, pos_label=0)
for avg in ['micro', 'macro', 'weighted']:
    m['precision_' + avg] = M.precision_score(ym, pm, average=avg)
    m['recall_' + avg] = M.recall_score(ym, pm, average=avg)
    m['f1_' + avg] = M.f1_score(ym, pm, average=avg)
m['confusion_mc'] = M.confusion_matrix(ym, pm).ravel().tolist()
m['report_mc'] = M.classification_report(ym.astype(int), pm.astype(int))
m['report_bin_names'] = M.classification_report(yb.astype(int), pb.astype(int), target_names=['no', 'yes'], digits=3)
fpr, tpr, thr = M.roc_curve(yb, sb)
m['roc_fpr'], m['roc_tpr'], m['roc_thr'] = L(fpr), L(tpr), L(thr)
m['roc_auc_bin'] = M.roc_auc_score(yb, sb)
m['roc_auc_ovr'] = M.roc_auc_score(ym, prm, multi_class='ovr')
m['roc_auc_ovr_weighted'] = M.roc_auc_score(ym, prm, multi_class='ovr', average='weighted')
m['roc_auc_ovo'] = M.roc_auc_score(ym, prm, multi_class='ovo')
p, r, t = M.precision_recall_curve(yb, sb)
m['pr_precision'], m['pr_recall'], m['pr_thr'] = L(p), L(r), L(t)
m['average_precision'] = M.average_precision_score(yb, sb)
m['log_loss_mc'] = M.log_loss(ym, prm)
m['log_loss_bin'] = M.log_loss(yb, np.clip(sb / 1.61, 0, 1))
m['mse'] = M.mean_squared_error(rt, rp)
m['rmse'] = M.mean_squared_error(rt, rp, squared=False)
m['mae'] = M.mean_absolute_error(rt, rp)
m['medae'] = M.median_absolute_error(rt, rp)
m['max_error'] = M.max_error(rt, rp)
m['r2'] = M.r2_score(rt, rp)
m['explained_variance'] = M.explained_variance_score(rt, rp)
out['metrics'] = m

# ---- splits --------------------------------------------------------------
ys = np.array([2, 0, 1, 1, 2, 0, 0, 1, 2, 2, 2, 1, 0, 1, 2, 2, 0, 1, 1, 2, 0, 2, 1], float)
out['splits'] = {'y': L(ys),
                 'kfold5': [t.tolist() for _, t in KFold(5).split(ys)],
                 'skfold3': [t.tolist() for _, t in StratifiedKFold(3).split(ys, ys)]}

# ---- svm -----------------------------------------------------------------
X, y = load('iris.csv')
Xs = StandardScaler().fit_transform(X)
svm = {'X_iris_scaled': L(Xs.ravel())}
for kernel in ['linear', 'rbf', 'poly', 'sigmoid']:
    kw = dict(kernel=kernel, C=1.0, tol=1e-6)
    if kernel == 'sigmoid':
        kw.update(gamma=0.1, coef0=0.0)
    s = SVC(decision_function_shape='ovo', **kw).fit(Xs, y)
    svm['svc_' + kernel] = {'dec': L(s.decision_function(Xs).ravel()), 'pred': L(s.predict(Xs)),
                            'n_support': s.n_support_.tolist(), 'intercept': L(s.intercept_)}
    if kernel == 'rbf':
        s2 = SVC(tol=1e-6).fit(Xs, y)
        svm['svc_rbf']['dec_ovr'] = L(s2.decision_function(Xs).ravel())
yb = (y == 1).astype(float)
s = SVC(kernel='rbf', C=10, gamma='auto', tol=1e-6).fit(Xs, yb)
svm['svc_rbf_binary'] = {'dec': L(s.decision_function(Xs)), 'pred': L(s.predict(Xs)), 'n_support': s.n_support_.tolist()}
s = SVC(kernel='rbf', C=1, tol=1e-6, class_weight='balanced').fit(Xs, yb)
svm['svc_rbf_balanced'] = {'dec': L(s.decision_function(Xs))}
ls = LinearSVC(C=0.5, tol=1e-8, max_iter=100000).fit(Xs, y)
svm['linear_svc'] = {'coef': L(ls.coef_.ravel()), 'intercept': L(ls.intercept_), 'pred': L(ls.predict(Xs))}
ls = LinearSVC(C=0.5, tol=1e-8, max_iter=100000).fit(Xs, yb)
svm['linear_svc_binary'] = {'coef': L(ls.coef_.ravel()), 'intercept': L(ls.intercept_)}
Xr, tr = Xs[:, :3], X[:, 3]
for kernel in ['rbf', 'linear']:
    r = SVR(kernel=kernel, C=2.0, epsilon=0.1, tol=1e-6).fit(Xr, tr)
    svm['svr_' + kernel] = {'pred': L(r.predict(Xr)), 'intercept': L(r.intercept_), 'n_support': int(len(r.support_))}
out['svm'] = svm

# ---- neighbors -----------------------------------------------------------
Xw, yw = load('wine_data.csv')
Xws = StandardScaler().fit_transform(Xw)
tr_idx = np.arange(len(yw)) % 4 != 0
te_idx = ~tr_idx
nb = {'X_wine_scaled': L(Xws.ravel())}
for w in ['uniform', 'distance']:
    k = KNeighborsClassifier(n_neighbors=7, weights=w).fit(Xws[tr_idx], yw[tr_idx])
    nb['knn_' + w] = {'pred': L(k.predict(Xws[te_idx])), 'proba': L(k.predict_proba(Xws[te_idx]).ravel())}
    kr = KNeighborsRegressor(n_neighbors=5, weights=w).fit(Xws[tr_idx], Xws[tr_idx, 0])
    nb['knr_' + w] = {'pred': L(kr.predict(Xws[te_idx]))}
k = KNeighborsClassifier(n_neighbors=3, p=1).fit(Xws[tr_idx], yw[tr_idx])
nb['knn_manhattan'] = {'pred': L(k.predict(Xws[te_idx])), 'proba': L(k.predict_proba(Xws[te_idx]).ravel())}
d, i = KNeighborsClassifier(n_neighbors=4).fit(Xws[tr_idx], yw[tr_idx]).kneighbors(Xws[te_idx])
nb['kneighbors_dist'], nb['kneighbors_idx'] = L(d.ravel()), i.ravel().tolist()
out['neighbors'] = nb

# ---- naive bayes ---------------------------------------------------------
g = GaussianNB().fit(X, y)
by = {'gnb_theta': L(g.theta_.ravel()), 'gnb_var': L(g.var_.ravel()),
      'gnb_proba': L(g.predict_proba(X).ravel()), 'gnb_pred': L(g.predict(X))}
cnt = rng.poisson(lam=np.repeat(np.array([[1, 3, 0.5, 2], [3, 1, 2, 0.5], [2, 2, 2, 2]]), 20, axis=0)).astype(float)
cy = np.repeat([0., 1., 2.], 20)
mnb = MultinomialNB(alpha=0.5).fit(cnt, cy)
by.update({'mnb_X': L(cnt.ravel()), 'mnb_y': L(cy), 'mnb_flp': L(mnb.feature_log_prob_.ravel()),
           'mnb_prior': L(mnb.class_log_prior_), 'mnb_proba': L(mnb.predict_proba(cnt).ravel())})
out['bayes'] = by

# ---- cross-validated accuracy -------------------------------------------
cv = {}
for name in ['iris.csv', 'wine_data.csv', 'breast_cancer.csv']:
    Xd, yd = load(name)
    cv[name] = {
        'logreg': L(cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), Xd, yd, cv=5)),
        'svc': L(cross_val_score(make_pipeline(StandardScaler(), SVC()), Xd, yd, cv=5)),
    }
out['cv'] = cv

with open(os.path.join(here, 'sklearn_ref.json'), 'w') as f:
    json.dump(out, f, indent=0)
print('wrote', os.path.join(here, 'sklearn_ref.json'), 'with scikit-learn', sklearn.__version__)
