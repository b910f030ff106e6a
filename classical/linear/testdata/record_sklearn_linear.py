# Records scikit-learn 1.2.1 reference fits for linear_test.go.
# Run from classical/linear/testdata: /usr/bin/python3 record_sklearn_linear.py > sklearn_linear.json
import numpy as np, json
from sklearn.linear_model import LogisticRegression, Lasso, ElasticNet, Ridge, LinearRegression
def load(name):
    lines=open('../../testdata/'+name).read().strip().split('\n')[1:]
    a=np.array([[float(v) for v in l.split(',')] for l in lines]); return a[:,:-1], a[:,-1]
X,y=load('iris.csv')
out={}
m=LogisticRegression(max_iter=1000,tol=1e-8).fit(X,y); out['logreg_iris']={'coef':m.coef_.ravel().tolist(),'intercept':m.intercept_.tolist()}
yb=(y==1).astype(float)
m=LogisticRegression(C=0.5,tol=1e-8).fit(X,yb); out['logreg_iris_binary_C0.5']={'coef':m.coef_.ravel().tolist(),'intercept':m.intercept_.tolist()}
m=LogisticRegression(penalty='l1',solver='liblinear',C=0.5,tol=1e-10,max_iter=10000,intercept_scaling=1e6).fit(X,yb); out['logreg_iris_binary_l1']={'coef':m.coef_.ravel().tolist(),'intercept':m.intercept_.tolist()}
m=LogisticRegression(class_weight='balanced',tol=1e-8,max_iter=1000).fit(X[:120],y[:120]); out['logreg_balanced']={'coef':m.coef_.ravel().tolist(),'intercept':m.intercept_.tolist()}
t=X[:,3]
Xr=X[:,:3]
for name,m in [('lasso',Lasso(alpha=0.1,tol=1e-10,max_iter=100000)),('enet',ElasticNet(alpha=0.05,l1_ratio=0.3,tol=1e-10,max_iter=100000)),('ridge',Ridge(alpha=2.0)),('ols',LinearRegression())]:
    m.fit(Xr,t); out[name]={'coef':m.coef_.tolist(),'intercept':float(m.intercept_)}
print(json.dumps(out))
