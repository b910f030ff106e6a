# Writes customers.csv: a small synthetic churn table (numeric and
# categorical columns) for the pipeline and grid-search examples.
# Run from the repository root: /usr/bin/python3 classical/testdata/gen_customers.py
import csv, math, os, random

rng = random.Random(7)
deps = ["sales", "engineering", "support"]
locs = ["north", "south"]
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "customers.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["age", "salary", "experience", "department", "location", "churn"])
    for i in range(240):
        age = rng.randint(21, 64)
        exp = max(0, min(age - 21, int(rng.gauss((age - 21) * 0.6, 4))))
        dep = rng.choice(deps)
        loc = rng.choice(locs)
        salary = round(30000 + 1500 * exp + {"sales": 0, "engineering": 15000, "support": -5000}[dep] + rng.gauss(0, 6000), -2)
        z = -0.09 * (age - 40) - 0.00006 * (salary - 50000) + {"sales": 0.8, "engineering": -0.6, "support": 0.4}[dep] + (0.3 if loc == "south" else -0.3)
        churn = 1 if rng.random() < 1 / (1 + math.exp(-2 * z)) else 0
        w.writerow([age, int(salary), exp, dep, loc, churn])
