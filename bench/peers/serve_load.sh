#!/bin/sh
# Load test of cmd/serve against a Flask + scikit-learn server with the same
# model (a 100-tree random forest pipeline on 20 features), same load, same
# run, on loopback only. Bounded: N requests per server (default 200000) or
# 60 s, whichever comes first. During ember's run the model is hot-reloaded
# halfway through; the load generator counts errors (any non-200).
#
#   apt-get install -y python3-flask python3-sklearn python3-pandas
#   sh bench/peers/serve_load.sh [N] [CONCURRENCY]
set -eu
PY=${PYTHON:-/usr/bin/python3} # Debian's python3, which sees the python3-* packages
N=${1:-200000}
C=${2:-16}
DIR=$(mktemp -d)
PIDS=""
trap 'kill $PIDS 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$PY" bench/peers/make_table.py "$DIR/train.csv" 20000 20
go run ./cmd/train -csv "$DIR/train.csv" -target y -model random_forest -cv 0 -quiet -save "$DIR/rf" >/dev/null
go build -o "$DIR/serve" ./cmd/serve
go build -o "$DIR/loadgen" ./bench/loadgen
wait_up() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.3; done; echo "server at $1 did not start"; exit 1; }

"$DIR/serve" -addr 127.0.0.1:18080 -model rf="$DIR/rf" 2>"$DIR/serve.log" &
SERVE=$!
PIDS="$SERVE"
wait_up http://127.0.0.1:18080/ready
echo "== ember cmd/serve (hot reload halfway)"
"$DIR/loadgen" -url http://127.0.0.1:18080/predict -features 20 -n "$N" -c "$C" -reload http://127.0.0.1:18080/models/rf/reload || true
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true

"$PY" bench/peers/flask_serve.py "$DIR/train.csv" y 18081 2>"$DIR/flask.log" &
PIDS="$PIDS $!"
wait_up http://127.0.0.1:18081/health
echo "== Flask + scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)')"
"$DIR/loadgen" -url http://127.0.0.1:18081/predict -features 20 -n "$((N / 20))" -c "$C" || true
