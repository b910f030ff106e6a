package adapt_test

import (
	"context"
	"math"
	"testing"

	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/serve"
	"github.com/ember-ml/ember/serve/adapt"
	"github.com/ember-ml/ember/tensor"
)

func TestLoadNetwork(t *testing.T) {
	m := nn.NewSequential(nn.Dense(3, nn.WithActivation("softmax")))
	if err := m.Build([]int{4}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := adapt.WriteMeta(dir, adapt.Meta{Name: "net", Classes: []string{"a", "b", "c"}}); err != nil {
		t.Fatal(err)
	}
	p, err := adapt.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	info := p.Info()
	if info.Kind != serve.Classifier || info.NumFeatures != 4 || !info.Batched || len(info.Classes) != 3 {
		t.Fatalf("info %+v", info)
	}
	x := tensor.FromFloat64([]float64{1, 2, 3, 4, -1, 0, 1, 0.5}, 2, 4)
	out, err := p.Predict(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Predict(context.Background(), x.AsType(tensor.Float32), 0)
	if err != nil {
		t.Fatal(err)
	}
	w := want.Float64s()
	for i, row := range out.Probabilities {
		best := 0
		for j, v := range row {
			if math.Abs(v-w[i*3+j]) > 1e-6 {
				t.Fatalf("row %d: probabilities %v, want %v", i, row, w[i*3:i*3+3])
			}
			if v > row[best] {
				best = j
			}
		}
		if out.Predictions[i] != float64(best) {
			t.Fatalf("row %d: prediction %v, want %d", i, out.Predictions[i], best)
		}
	}
	if err := adapt.WriteMeta(dir, adapt.Meta{Classes: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := adapt.Load(dir); err == nil {
		t.Fatal("class-count mismatch accepted")
	}
}
