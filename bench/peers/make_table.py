#!/usr/bin/env python3
"""Writes a make_classification table as CSV (features f0..f{k-1}, target y).

    python3 bench/peers/make_table.py OUT.csv [ROWS] [FEATURES]
"""
import sys

import numpy as np
from sklearn.datasets import make_classification

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
features = int(sys.argv[3]) if len(sys.argv) > 3 else 20
X, y = make_classification(n_samples=rows, n_features=features, n_informative=10, random_state=0)
header = ",".join([f"f{i}" for i in range(features)] + ["y"])
np.savetxt(out, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt="%.6g")
