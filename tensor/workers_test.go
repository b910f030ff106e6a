package tensor_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ember-ml/ember/tensor"
)

const workersChildEnv = "EMBER_TENSOR_WORKERS_CHILD"

// TestWorkerCountIndependence runs the same parallel kernels in child
// processes with GOMAXPROCS 1, 2 and 3 (the worker pool's size) and checks
// that every result is bitwise identical.
func TestWorkerCountIndependence(t *testing.T) {
	if os.Getenv(workersChildEnv) != "" {
		fmt.Println("digest", workerDigest())
		return
	}
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	var digests []string
	for _, procs := range []string{"1", "2", "3"} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestWorkerCountIndependence$", "-test.v")
		cmd.Env = append(os.Environ(), workersChildEnv+"=1", "GOMAXPROCS="+procs)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child with GOMAXPROCS=%s: %v\n%s", procs, err, out)
		}
		i := strings.Index(string(out), "digest ")
		if i < 0 {
			t.Fatalf("child with GOMAXPROCS=%s printed no digest:\n%s", procs, out)
		}
		digests = append(digests, strings.Fields(string(out[i:]))[1])
	}
	if digests[0] != digests[1] || digests[0] != digests[2] {
		t.Errorf("results differ with the number of workers: %v", digests)
	}
}

// workerDigest hashes the bits of results of every kernel that splits work.
func workerDigest() string {
	h := sha256.New()
	add := func(x *tensor.Tensor) {
		for _, v := range x.Float64s() {
			_ = binary.Write(h, binary.LittleEndian, math.Float64bits(v))
		}
	}
	rng := tensor.NewRand(11)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x := tensor.RandN(dt, rng, 300, 1001)
		add(tensor.Sum(x))
		add(tensor.Sum(x, 0))
		add(tensor.Sum(x, 1))
		add(tensor.Max(x, 0))
		add(tensor.Var(x, 1, 1))
		add(tensor.Softmax(x, 1))
		add(tensor.Exp(x))
		a := tensor.RandN(dt, rng, 201, 301)
		b := tensor.RandN(dt, rng, 301, 157)
		add(tensor.MatMul(a, b))
		add(tensor.MatMul(tensor.RandN(dt, rng, 9, 30, 40), tensor.RandN(dt, rng, 40, 20)))
		img := tensor.RandN(dt, rng, 19, 3, 12, 12)
		w := tensor.RandN(dt, rng, 8, 3, 3, 3)
		p := tensor.ConvParams{PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
		y := tensor.Conv2D(img, w, p)
		dy := tensor.RandN(dt, rng, y.Shape()...)
		add(y)
		add(tensor.Conv2DBackwardData(dy, w, img.Shape(), p))
		add(tensor.Conv2DBackwardFilter(img, dy, w.Shape(), p))
		add(tensor.Bernoulli(tensor.CPU, dt, 0.5, 2, 3, 100000))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
