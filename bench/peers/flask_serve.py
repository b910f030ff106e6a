#!/usr/bin/env python3
"""The Flask peer of cmd/serve: a scikit-learn pipeline (StandardScaler +
RandomForestClassifier(100 trees)) behind POST /predict, in the seeds' shape:
{"features": [...]} -> {"prediction": ..., "probability": [...]}.

    python3 bench/peers/flask_serve.py TRAIN.csv TARGET PORT

Needs Debian's python3-flask and python3-sklearn. Used by serve_load.sh.
"""
import sys

import numpy as np
import pandas as pd
import sklearn
from flask import Flask, jsonify, request
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

path, target, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_csv(path)
X, y = df.drop(columns=[target]).to_numpy(), df[target].to_numpy()
model = Pipeline([("scale", StandardScaler()),
                  ("rf", RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=1))])
model.fit(X, y)
print(f"sklearn {sklearn.__version__}: fitted on {X.shape}", file=sys.stderr, flush=True)

app = Flask(__name__)


@app.post("/predict")
def predict():
    body = request.get_json(force=True)
    row = np.asarray(body["features"], dtype=float).reshape(1, -1)
    proba = model.predict_proba(row)[0]
    return jsonify(prediction=int(np.argmax(proba)), probability=proba.tolist())


@app.get("/health")
def health():
    return "ok"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=port, threaded=True)
