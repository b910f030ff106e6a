# ember: make train runs the main job, make test passes the tests.
GO          ?= go
BIN         := $(CURDIR)/.bin
STATICCHECK := $(BIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
# Packages with parallel kernels, also tested under the race detector.
RACE_PKGS   := ./internal/... ./tensor/... ./nn/... ./classical/selection/... ./classical/svm/... ./classical/linear/... ./classical/neighbors/... ./classical/tree/... ./classical/ensemble/... ./data/...

.PHONY: train test lint fmt-check vet staticcheck unit race static bench bench-gemm ptx-check serve-load tools

## train: train the seeds' CNN on the MNIST bundled with ember (>= 99% test accuracy)
train:
	$(GO) run ./cmd/train

## test: formatting, vet, staticcheck, unit tests, and race tests of the parallel kernels
test: lint unit race static

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

unit:
	$(GO) test -count=1 -timeout 30m ./...

race:
	$(GO) test -count=1 -race -short -timeout 30m $(RACE_PKGS)

## static: the exact binary the Docker image holds: CGO_ENABLED=0, no dynamic loader, and it starts
static:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/serve-static ./cmd/serve
	@if od -A n -c $(BIN)/serve-static | head -c 200000 | tr -d ' \n' | grep -q 'ld-linux'; then \
		echo "serve-static needs a dynamic loader"; exit 1; fi
	@$(BIN)/serve-static -h 2>&1 | grep -q -- '-model' || { echo "serve-static does not start"; exit 1; }
	@echo "static serve binary OK: $(BIN)/serve-static"

## ptx-check: regenerate the CUDA kernels' PTX, compare with the committed copy, assemble for sm_80 and sm_90
## (needs Debian's nvidia-cuda-toolkit; not part of make test)
ptx-check:
	sh cuda/check_ptx.sh

## serve-load: load test of cmd/serve against Flask + scikit-learn on loopback (needs python3-flask, python3-sklearn, python3-pandas)
serve-load:
	sh bench/peers/serve_load.sh

## bench: kernel benchmarks and the GEMM suite against OpenBLAS and gonum
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./tensor/... 
	$(GO) run ./cmd/bench -suite gemm

tools: $(STATICCHECK)
