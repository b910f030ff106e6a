#!/bin/sh
# Load test of cmd/serve against a Flask + scikit-learn server with the same
# model (a 100-tree random forest pipeline on 20 features), same load, same
# run, on loopback only. Bounded: N requests per server (default 200000) or
# 60 s, whichever comes first. During ember's run the model is hot-reloaded
# halfway through; the load generator counts errors (any non-200).
#
#   apt-get install -y python3-flask python3-sklearn python3-pandas wrk
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
if command -v wrk >/dev/null; then
	# wrk (C, one thread) takes less of the 2 cores than the Go load generator.
	cat >"$DIR/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"features":[0.12,-1.3,0.5,2.1,-0.7,0.33,1.1,-0.2,0.9,-1.8,0.05,0.6,-0.4,1.7,-2.2,0.8,0.01,-0.9,1.3,0.2]}'
LUA
	echo "== ember cmd/serve under wrk, 8 connections, 15 s"
	wrk -t1 -c8 -d15s --latency -s "$DIR/post.lua" http://127.0.0.1:18080/predict | grep -E '50%|90%|99%|Requests/sec|errors'
fi
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true

"$PY" bench/peers/flask_serve.py "$DIR/train.csv" y 18081 2>"$DIR/flask.log" &
PIDS="$PIDS $!"
wait_up http://127.0.0.1:18081/health
echo "== Flask + scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)')"
"$DIR/loadgen" -url http://127.0.0.1:18081/predict -features 20 -n "$((N / 20))" -c "$C" || true

# The seeds' CNN on 28x28 images: requests of flattened pixels, one image each
# (the server gathers them into batches) and 64 images each, against
# in-process Predict in batches of 256.
if [ ! -d models/mnist-cnn ]; then
	go run ./cmd/train -quiet -epochs 1 -limit 2000 -plots=false -save "$DIR/cnn" >/dev/null
	CNN="$DIR/cnn"
else
	CNN=models/mnist-cnn
fi
"$DIR/serve" -addr 127.0.0.1:18082 -model cnn="$CNN" 2>"$DIR/serve-cnn.log" &
SERVE=$!
PIDS="$PIDS $SERVE"
wait_up http://127.0.0.1:18082/ready
echo "== ember cmd/serve, CNN, 1 image per request (micro-batched)"
"$DIR/loadgen" -url http://127.0.0.1:18082/predict -features 784 -n 20000 -c 32 -warmup 500 || true
echo "== ember cmd/serve, CNN, 64 images per request"
"$DIR/loadgen" -url http://127.0.0.1:18082/predict -features 784 -rows 64 -n 600 -c 4 -warmup 20 || true
echo "== ember cmd/serve, CNN, 256 images per request, JSON and binary float32"
"$DIR/loadgen" -url http://127.0.0.1:18082/predict -features 784 -rows 256 -n 100 -c 2 -warmup 5 || true
"$DIR/loadgen" -url http://127.0.0.1:18082/predict -features 784 -rows 256 -n 150 -c 2 -warmup 5 -binary || true
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true
echo "== in-process Predict (images/s = 1024 x iterations / time)"
go test -run '^$' -bench 'CNNPredict$' -benchtime 20x ./nn | grep -E 'Benchmark|images'
