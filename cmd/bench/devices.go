package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ember-ml/ember/cuda"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// The device suites run the same work on every device asked for with
// -device (cpu, cuda or all) and put the devices side by side: "matmul"
// (square GEMM, -sizes and -dtype), "conv" (the forward and both backward
// passes of the seeds' CNN's second convolution, batch 64), "cnn" (a
// training step and inference of the seeds' CNN on MNIST-shaped batches)
// and "all" (the three).
func init() {
	suites["matmul"] = deviceSuite(benchMatMul)
	suites["conv"] = deviceSuite(benchConv)
	suites["cnn"] = deviceSuite(benchCNN)
	suites["all"] = deviceSuite(benchMatMul, benchConv, benchCNN)
}

// device is one device under test.
type device struct {
	name string // "cpu", "cuda:0"
	desc string // the GPU's name
	dev  tensor.Device
}

// measurement is one result of a device suite, one JSON line with -json.
type measurement struct {
	Suite        string  `json:"suite"`
	Device       string  `json:"device"`
	Impl         string  `json:"impl"`
	Dtype        string  `json:"dtype"`
	Shape        string  `json:"shape"`
	GFLOPS       float64 `json:"gflops,omitempty"`
	ImagesPerSec float64 `json:"images_per_sec,omitempty"`
	MS           float64 `json:"ms"`
}

// value is the measurement's headline number and its unit.
func (m measurement) value() (float64, string) {
	if m.ImagesPerSec > 0 {
		return m.ImagesPerSec, "images/s"
	}
	return m.GFLOPS, "GFLOP/s"
}

// bench measures one kind of work on dev and returns its measurements.
type bench func(cfg *config, d device) ([]measurement, error)

// openDevices resolves the -device names. A GPU that cannot be opened is
// reported on the log and left out under "all"; asked for alone, it is an
// error.
func openDevices(cfg *config) ([]device, error) {
	var out []device
	for _, name := range cfg.devices {
		switch name {
		case "cpu":
			out = append(out, device{name: "cpu", dev: tensor.CPU})
		case "cuda":
			gpu, err := cuda.Open(0)
			if err != nil {
				if len(cfg.devices) == 1 {
					return nil, fmt.Errorf("-device cuda: %w", err)
				}
				fmt.Fprintf(cfg.log, "bench: no GPU (%v): measuring the CPU only\n", err)
				continue
			}
			out = append(out, device{name: gpu.TensorDevice().String(), desc: gpu.Name, dev: gpu.TensorDevice()})
		}
	}
	return out, nil
}

// deviceSuite runs benches on every device and prints JSON lines or one
// table with the devices side by side and the speed-up over the first.
func deviceSuite(benches ...bench) suite {
	return func(cfg *config) error {
		devs, err := openDevices(cfg)
		if err != nil {
			return err
		}
		var rows [][]measurement // one row per work item, one column per device
		for _, b := range benches {
			var cols [][]measurement
			for _, d := range devs {
				ms, err := b(cfg, d)
				if err != nil {
					return fmt.Errorf("%s on %s: %w", suiteName(ms), d.name, err)
				}
				for _, m := range ms {
					cfg.emitJSON(m)
				}
				cols = append(cols, ms)
			}
			for i := range cols[0] {
				row := make([]measurement, len(cols))
				for j := range cols {
					row[j] = cols[j][i]
				}
				rows = append(rows, row)
			}
		}
		if cfg.json {
			return nil
		}
		tw := tabwriter.NewWriter(cfg.out, 0, 0, 2, ' ', tabwriter.AlignRight)
		hdr := []string{"suite", "shape", "dtype", "unit"}
		for _, d := range devs {
			hdr = append(hdr, d.name)
		}
		for _, d := range devs[1:] {
			hdr = append(hdr, d.name+"/"+devs[0].name)
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
		for _, row := range rows {
			_, unit := row[0].value()
			cells := []string{row[0].Suite, row[0].Shape, row[0].Dtype, unit}
			for _, m := range row {
				v, _ := m.value()
				cells = append(cells, fmt.Sprintf("%.1f", v))
			}
			base, _ := row[0].value()
			for _, m := range row[1:] {
				v, _ := m.value()
				cells = append(cells, fmt.Sprintf("%.2fx", v/base))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		for _, d := range devs {
			if d.desc != "" {
				fmt.Fprintf(tw, "%s: %s\n", d.name, d.desc)
			}
		}
		return tw.Flush()
	}
}

func suiteName(ms []measurement) string {
	if len(ms) > 0 {
		return ms[0].Suite
	}
	return "suite"
}

// emitJSON writes m as one JSON line when -json is set.
func (c *config) emitJSON(m measurement) {
	if !c.json {
		return
	}
	round := func(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
	m.GFLOPS, m.ImagesPerSec = round(m.GFLOPS), round(m.ImagesPerSec)
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	fmt.Fprintln(c.out, string(b))
}

// sync waits for t's device to finish the work that produced t, by
// copying one element to the host.
func sync(t *tensor.Tensor) {
	if t.Device().IsCPU() {
		return
	}
	for d := range t.Dim() {
		t = t.Narrow(d, 0, 1)
	}
	_ = t.Item()
}

// timed measures f on d (best of the repetitions that fit the budget) and
// returns the time per run.
func timed(cfg *config, f func() *tensor.Tensor) time.Duration {
	return timeBest(cfg.budget, 50, func() { sync(f()) })
}

func benchMatMul(cfg *config, d device) ([]measurement, error) {
	var out []measurement
	rng := tensor.NewRand(1)
	for _, dt := range cfg.dtypes {
		dtype := tensor.Float32
		if dt == "float64" {
			dtype = tensor.Float64
		}
		for _, n := range cfg.sizes {
			a := tensor.RandN(dtype, rng, n, n).To(d.dev)
			b := tensor.RandN(dtype, rng, n, n).To(d.dev)
			c := tensor.Empty(dtype, n, n).To(d.dev)
			t := timed(cfg, func() *tensor.Tensor { return tensor.MatMulTo(c, a, b) })
			out = append(out, measurement{Suite: "matmul", Device: d.name, Impl: "ember", Dtype: dt,
				Shape: fmt.Sprintf("%dx%dx%d", n, n, n), GFLOPS: 2 * float64(n*n*n) / t.Seconds() / 1e9, MS: ms(t)})
		}
	}
	return out, nil
}

func benchConv(cfg *config, d device) ([]measurement, error) {
	const n, c, h, f, k = 64, 32, 13, 64, 3
	p := tensor.ConvParams{KH: k, KW: k}
	rng := tensor.NewRand(2)
	x := tensor.RandN(tensor.Float32, rng, n, c, h, h).To(d.dev)
	w := tensor.RandN(tensor.Float32, rng, f, c, k, k).To(d.dev)
	y := tensor.Conv2D(x, w, p)
	oh := y.Shape()[2]
	flops := 2 * float64(n*f*c*k*k*oh*oh)
	shape := fmt.Sprintf("x%v w%v", x.Shape(), w.Shape())
	var out []measurement
	for _, pass := range []struct {
		name string
		run  func() *tensor.Tensor
	}{
		{"forward", func() *tensor.Tensor { return tensor.Conv2D(x, w, p) }},
		{"backward-data", func() *tensor.Tensor { return tensor.Conv2DBackwardData(y, w, x.Shape(), p) }},
		{"backward-filter", func() *tensor.Tensor { return tensor.Conv2DBackwardFilter(x, y, w.Shape(), p) }},
	} {
		t := timed(cfg, pass.run)
		out = append(out, measurement{Suite: "conv-" + pass.name, Device: d.name, Impl: "ember", Dtype: "float32",
			Shape: shape, GFLOPS: flops / t.Seconds() / 1e9, MS: ms(t)})
	}
	return out, nil
}

// seedsCNN is the seeds' MNIST network (as cmd/train's default).
func seedsCNN() *nn.Model {
	return nn.NewSequential(
		nn.Conv2D(32, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Conv2D(64, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Flatten(),
		nn.Dense(128, nn.WithActivation("relu")),
		nn.Dropout(0.5),
		nn.Dense(10, nn.WithActivation("softmax")),
	)
}

func benchCNN(cfg *config, d device) ([]measurement, error) {
	const batch, infer = 64, 1024
	m := seedsCNN().To(d.dev)
	if err := m.Compile(optim.NewAdam(1e-3), nn.SparseCategoricalCrossentropy(), nil); err != nil {
		return nil, err
	}
	rng := tensor.NewRand(3)
	x := tensor.RandU(tensor.Float32, rng, 0, 1, batch, 1, 28, 28)
	lab := make([]float64, batch)
	for i := range lab {
		lab[i] = float64(i % 10)
	}
	y := tensor.FromSlice(tensor.Float32, lab, batch)
	var err error
	step := uint64(0)
	train := timeBest(cfg.budget, 50, func() {
		step++
		if _, e := m.TrainOnBatch(x, y, step); e != nil {
			err = e
		}
	})
	if err != nil {
		return nil, err
	}
	xi := tensor.RandU(tensor.Float32, rng, 0, 1, infer, 1, 28, 28)
	pred := timeBest(cfg.budget, 20, func() {
		if _, e := m.Predict(context.Background(), xi, 256); e != nil {
			err = e
		}
	})
	if err != nil {
		return nil, err
	}
	return []measurement{
		{Suite: "cnn-train-step", Device: d.name, Impl: "ember", Dtype: "float32", Shape: fmt.Sprintf("batch %d of 1x28x28", batch),
			ImagesPerSec: batch / train.Seconds(), MS: ms(train)},
		{Suite: "cnn-inference", Device: d.name, Impl: "ember", Dtype: "float32", Shape: fmt.Sprintf("%d images, batch 256", infer),
			ImagesPerSec: infer / pred.Seconds(), MS: ms(pred)},
	}, nil
}

func ms(t time.Duration) float64 { return float64(t.Microseconds()) / 1e3 }
