package optim

import (
	"math"
	"testing"
)

func TestSchedules(t *testing.T) {
	cases := []struct {
		name string
		s    Schedule
		want []float64
	}{
		{"step", StepLR{Initial: 1, StepSize: 2, Gamma: 0.5}, []float64{1, 1, 0.5, 0.5, 0.25}},
		{"exp", ExponentialLR{Initial: 2, Gamma: 0.5}, []float64{2, 1, 0.5, 0.25}},
		{"cosine", CosineAnnealing{Initial: 1, Min: 0, TMax: 4}, []float64{1, (1 + math.Sqrt2/2) / 2, 0.5, (1 - math.Sqrt2/2) / 2, 0, 0}},
		{"func", ScheduleFunc(func(e int) float64 { return float64(e) }), []float64{0, 1, 2}},
	}
	for _, c := range cases {
		for e, w := range c.want {
			if got := c.s.At(e); math.Abs(got-w) > 1e-12 {
				t.Errorf("%s epoch %d: %v, want %v", c.name, e, got, w)
			}
		}
	}
}

func TestReduceLROnPlateau(t *testing.T) {
	o := NewSGD(1)
	r := &ReduceLROnPlateau{Factor: 0.5, Patience: 1, MinLR: 0.2}
	// Improvements, then two bad epochs (more than patience 1) -> halve.
	vals := []float64{3, 2, 2.5, 2.1, 1.9, 1.95, 2, 5, 5, 5, 5}
	wantLR := []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2}
	for i, v := range vals {
		r.Update(o, v)
		if math.Abs(o.LR()-wantLR[i]) > 1e-12 {
			t.Fatalf("after value %d (%v): lr %v, want %v", i, v, o.LR(), wantLR[i])
		}
	}

	// Cooldown 2: after a reduction, two epochs do not count.
	o = NewSGD(1)
	r = &ReduceLROnPlateau{Factor: 0.1, Patience: 0, Cooldown: 2, Mode: "max"}
	vals = []float64{1, 0, 0, 0, 0}
	wantLR = []float64{1, 0.1, 0.1, 0.1, 0.01}
	for i, v := range vals {
		r.Update(o, v)
		if math.Abs(o.LR()-wantLR[i]) > 1e-12 {
			t.Fatalf("cooldown: after value %d: lr %v, want %v", i, o.LR(), wantLR[i])
		}
	}
}
