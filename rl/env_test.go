package rl

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// TestCartPoleHandStep checks one step from rest, computed by hand:
// temp = 10/1.1, thetaacc = -(100/11) / (0.5*(4/3 - 0.1/1.1)) = -600/41,
// xacc = 100/11 + 0.05*(600/41)/1.1 = 400/41; Euler with tau 0.02 moves
// only the velocities: x_dot = 8/41, theta_dot = -12/41.
func TestCartPoleHandStep(t *testing.T) {
	c := NewCartPole()
	if err := c.SetState([]float64{0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	obs, r, term, trunc, _, err := c.Step(1)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 8.0 / 41, 0, -12.0 / 41}
	for i := range want {
		if !near(obs[i], want[i], 1e-14) {
			t.Errorf("obs[%d] = %v, want %v", i, obs[i], want[i])
		}
	}
	if r != 1 || term || trunc {
		t.Errorf("reward %v terminated %v truncated %v, want 1 false false", r, term, trunc)
	}
	// Second step: positions move by tau times the old velocities.
	obs, _, _, _, _, _ = c.Step(1)
	if !near(obs[0], 0.02*8/41, 1e-14) || !near(obs[2], -0.02*12/41, 1e-14) {
		t.Errorf("second step positions %v %v", obs[0], obs[2])
	}
}

// TestMountainCarHandStep: velocity = 0.001 - 0.0025*cos(-1.5).
func TestMountainCarHandStep(t *testing.T) {
	m := NewMountainCar()
	if err := m.SetState([]float64{-0.5, 0}); err != nil {
		t.Fatal(err)
	}
	obs, r, term, _, _, err := m.Step(2)
	if err != nil {
		t.Fatal(err)
	}
	v := 0.001 - 0.0025*0.0707372016677029 // cos(1.5)
	if !near(obs[1], v, 1e-12) || !near(obs[0], -0.5+v, 1e-12) || r != -1 || term {
		t.Errorf("got %v reward %v terminated %v, want [%v %v] -1 false", obs, r, term, -0.5+v, v)
	}
}

// TestAcrobotHandStep: at rest hanging down with no torque, every
// derivative is zero and the state stays put, with observation
// [1 0 1 0 0 0] and reward -1.
func TestAcrobotHandStep(t *testing.T) {
	a := NewAcrobot()
	if err := a.SetState([]float64{0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	obs, r, term, _, _, err := a.Step(1)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, 1, 0, 0, 0}
	for i := range want {
		if math.Abs(obs[i]-want[i]) > 1e-15 {
			t.Errorf("obs = %v, want %v", obs, want)
			break
		}
	}
	if r != -1 || term {
		t.Errorf("reward %v terminated %v", r, term)
	}
}

type trajectory struct {
	Start      []float64   `json:"start"`
	Actions    []int       `json:"actions"`
	States     [][]float64 `json:"states"`
	Rewards    []float64   `json:"rewards"`
	Terminated []bool      `json:"terminated"`
}

// TestClassicTrajectories replays trajectories recorded from Gymnasium's
// step equations by testdata/gen_classic.py and compares every state.
func TestClassicTrajectories(t *testing.T) {
	raw, err := os.ReadFile("testdata/classic.json")
	if err != nil {
		t.Fatal(err)
	}
	var data map[string][]trajectory
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	type stateful interface {
		Env
		SetState([]float64) error
	}
	makers := map[string]func() stateful{
		"cartpole":    func() stateful { return NewCartPole() },
		"mountaincar": func() stateful { return NewMountainCar() },
		"acrobot":     func() stateful { return NewAcrobot() },
	}
	for name, trajs := range data {
		for ti, tr := range trajs {
			env := makers[name]()
			if err := env.SetState(tr.Start); err != nil {
				t.Fatal(err)
			}
			for i, a := range tr.Actions {
				obs, r, term, trunc, _, err := env.Step(a)
				if err != nil {
					t.Fatalf("%s/%d step %d: %v", name, ti, i, err)
				}
				want := tr.States[i]
				if name == "acrobot" {
					s := want
					want = []float64{math.Cos(s[0]), math.Sin(s[0]), math.Cos(s[1]), math.Sin(s[1]), s[2], s[3]}
				}
				for j := range want {
					if !near(obs[j], want[j], 1e-9) {
						t.Fatalf("%s/%d step %d: obs %v, want %v", name, ti, i, obs, want)
					}
				}
				if r != tr.Rewards[i] || term != tr.Terminated[i] {
					t.Fatalf("%s/%d step %d: reward %v terminated %v, want %v %v", name, ti, i, r, term, tr.Rewards[i], tr.Terminated[i])
				}
				// The recorded trajectories are at most 500 steps, the
				// longest limit: only a 500-step one is truncated.
				if wantTrunc := !term && i+1 == 500 && name != "mountaincar"; trunc != wantTrunc {
					t.Fatalf("%s/%d step %d: truncated %v", name, ti, i, trunc)
				}
				if name == "mountaincar" && i+1 == 200 && !term && !trunc {
					t.Fatalf("mountaincar not truncated at 200")
				}
			}
		}
	}
}

func TestResetDeterministicAndInBounds(t *testing.T) {
	for _, name := range Envs() {
		env, err := Make(name)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := env.Reset(42)
		b, _ := env.Reset(42)
		c, _ := env.Reset(43)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("%s: same seed, different observation %v %v", name, a, b)
			}
		}
		if !env.ObservationSpace().Contains(a) {
			t.Errorf("%s: first observation %v outside %v", name, a, env.ObservationSpace())
		}
		_ = c
	}
	c := NewCartPole()
	for seed := int64(0); seed < 50; seed++ {
		obs, _ := c.Reset(seed)
		for _, v := range obs {
			if v < -0.05 || v > 0.05 {
				t.Fatalf("seed %d: reset state %v outside [-0.05, 0.05]", seed, obs)
			}
		}
	}
	m := NewMountainCar()
	for seed := int64(0); seed < 50; seed++ {
		obs, _ := m.Reset(seed)
		if obs[0] < -0.6 || obs[0] > -0.4 || obs[1] != 0 {
			t.Fatalf("seed %d: mountain car reset %v", seed, obs)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, name := range Envs() {
		env, _ := Make(name)
		if _, _, _, _, _, err := env.Step(0); !errors.Is(err, ErrNotReset) {
			t.Errorf("%s: step before reset: %v, want ErrNotReset", name, err)
		}
		env.Reset(1)
		n := env.ActionSpace().N
		for _, a := range []int{-1, n, 1 << 40} {
			if _, _, _, _, _, err := env.Step(a); !errors.Is(err, ErrInvalidAction) {
				t.Errorf("%s: action %d: %v, want ErrInvalidAction", name, a, err)
			}
		}
		// Run to the end of the episode, then step once more.
		done := false
		for i := 0; i < 10000 && !done; i++ {
			_, _, term, trunc, _, err := env.Step(i % n)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			done = term || trunc
		}
		if !done {
			t.Fatalf("%s: episode never ended", name)
		}
		if _, _, _, _, _, err := env.Step(0); !errors.Is(err, ErrEpisodeDone) {
			t.Errorf("%s: step after done: %v, want ErrEpisodeDone", name, err)
		}
		env.Reset(2)
		if _, _, _, _, _, err := env.Step(0); err != nil {
			t.Errorf("%s: step after reset: %v", name, err)
		}
	}
	if err := NewCartPole().SetState([]float64{0, math.NaN(), 0, 0}); err == nil {
		t.Error("SetState accepted NaN")
	}
	if err := NewCartPole().SetState([]float64{0, 0}); err == nil {
		t.Error("SetState accepted 2 values")
	}
	if _, err := Make("Pong-v5"); err == nil {
		t.Error("Make accepted an unknown name")
	}
}

func TestTimeLimit(t *testing.T) {
	c := NewCartPole()
	c.SetMaxEpisodeSteps(3)
	c.SetState([]float64{0, 0, 0, 0})
	for i := 0; i < 3; i++ {
		_, _, term, trunc, _, err := c.Step(i % 2)
		if err != nil || term || trunc != (i == 2) {
			t.Fatalf("step %d: terminated %v truncated %v err %v", i, term, trunc, err)
		}
	}
	if _, _, _, _, _, err := c.Step(0); !errors.Is(err, ErrEpisodeDone) {
		t.Fatalf("after truncation: %v", err)
	}
}

func TestFrozenLakeDeterministic(t *testing.T) {
	f, err := NewFrozenLake(FrozenLakeMap4x4, false)
	if err != nil {
		t.Fatal(err)
	}
	obs, _ := f.Reset(0)
	if obs[0] != 0 {
		t.Fatalf("start %v", obs)
	}
	// An optimal path: down, down, right, right, down, right.
	path := []int{Down, Down, Right, Right, Down, Right}
	states := []float64{4, 8, 9, 10, 14, 15}
	for i, a := range path {
		obs, r, term, trunc, info, err := f.Step(a)
		if err != nil {
			t.Fatal(err)
		}
		last := i == len(path)-1
		if obs[0] != states[i] || term != last || trunc || (r == 1) != last || info["prob"] != 1 {
			t.Fatalf("step %d: obs %v reward %v terminated %v", i, obs, r, term)
		}
	}
	// Walls: left and up from the start stay put; right from 0 into 1.
	f.Reset(0)
	if obs, _, _, _, _, _ := f.Step(Left); obs[0] != 0 {
		t.Errorf("left from 0 -> %v", obs)
	}
	if obs, _, _, _, _, _ := f.Step(Up); obs[0] != 0 {
		t.Errorf("up from 0 -> %v", obs)
	}
	// Hole at 5: down from 1 falls in with reward 0.
	f.Reset(0)
	f.Step(Right)
	if obs, r, term, _, _, _ := f.Step(Down); obs[0] != 5 || r != 0 || !term {
		t.Errorf("into the hole: %v %v %v", obs, r, term)
	}
	if !f.Success(1, true, false) || f.Success(0, true, false) {
		t.Error("Success")
	}
}

func TestFrozenLakeSlippery(t *testing.T) {
	f, _ := NewFrozenLake(FrozenLakeMap4x4, true)
	// Gymnasium's order for action a: (a-1)%4, a, (a+1)%4. Left from 0:
	// up (stays at 0), left (stays at 0), down (to 4).
	ts := f.Transitions(0, Left)
	want := []int{0, 0, 4}
	for i, tr := range ts {
		if tr.State != want[i] || math.Abs(tr.Prob-1.0/3) > 1e-15 {
			t.Fatalf("transitions %+v", ts)
		}
	}
	// Right from 14: down (14), right (15, the goal: reward 1), up (10).
	ts = f.Transitions(14, Right)
	if ts[0].State != 14 || ts[1].State != 15 || ts[1].Reward != 1 || !ts[1].Terminated || ts[2].State != 10 {
		t.Fatalf("transitions from 14: %+v", ts)
	}
	// Empirical frequencies of Right from 0: 0 (up), 1 (right), 4 (down).
	counts := map[float64]int{}
	const n = 30000
	for i := 0; i < n; i++ {
		f.Reset(int64(i))
		obs, _, _, _, info, _ := f.Step(Right)
		counts[obs[0]]++
		if math.Abs(info["prob"]-1.0/3) > 1e-15 {
			t.Fatal("prob info")
		}
	}
	for _, s := range []float64{0, 1, 4} {
		if p := float64(counts[s]) / n; math.Abs(p-1.0/3) > 0.015 {
			t.Errorf("P(%v) = %.3f, want 1/3", s, p)
		}
	}
	f8, _ := NewFrozenLake(FrozenLakeMap8x8, true)
	if f8.ObservationSpace().(Discrete).N != 64 || f8.maxSteps != 200 {
		t.Error("8x8 sizes")
	}
	for _, bad := range [][]string{nil, {"SF", "F"}, {"SX"}, {"FF", "FG"}} {
		if _, err := NewFrozenLake(bad, true); err == nil {
			t.Errorf("map %q accepted", bad)
		}
	}
}

func TestSpaces(t *testing.T) {
	d := Discrete{N: 3}
	for x, want := range map[float64]bool{0: true, 2: true, 3: false, -1: false, 1.5: false, 1e300: false} {
		if d.Contains([]float64{x}) != want {
			t.Errorf("Discrete(3).Contains(%v) != %v", x, want)
		}
	}
	if d.Contains([]float64{0, 1}) || d.String() != "Discrete(3)" {
		t.Error("Discrete")
	}
	b := NewBox([]float64{-1, math.Inf(-1)}, []float64{1, math.Inf(1)})
	if !b.Contains([]float64{0.5, 1e30}) || b.Contains([]float64{2, 0}) || b.Contains([]float64{0, math.NaN()}) || b.Contains([]float64{0}) {
		t.Error("Box.Contains")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		if x := b.Sample(r); !b.Contains(x) {
			t.Fatalf("sample %v outside", x)
		}
		if x := d.Sample(r); !d.Contains(x) {
			t.Fatalf("sample %v outside", x)
		}
	}
}

func TestWithTimeLimit(t *testing.T) {
	// constant-reward env that never ends by itself
	env, err := WithTimeLimit(&constEnv{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, _, err := env.Step(0); !errors.Is(err, ErrNotReset) {
		t.Fatalf("before reset: %v", err)
	}
	env.Reset(0)
	if _, _, _, _, _, err := env.Step(2); !errors.Is(err, ErrInvalidAction) {
		t.Fatalf("action 2: %v", err)
	}
	for i := 0; i < 5; i++ {
		_, r, term, trunc, _, err := env.Step(1)
		if err != nil || r != 1 || term || trunc != (i == 4) {
			t.Fatalf("step %d: %v %v %v %v", i, r, term, trunc, err)
		}
	}
	if _, _, _, _, _, err := env.Step(0); !errors.Is(err, ErrEpisodeDone) {
		t.Fatalf("after truncation: %v", err)
	}
	env.Reset(1)
	if _, _, _, _, _, err := env.Step(0); err != nil {
		t.Fatal(err)
	}
	if _, err := WithTimeLimit(&constEnv{}, 0); err == nil {
		t.Error("limit 0 accepted")
	}
	// A shorter limit on CartPole, success passed through.
	cp, _ := WithTimeLimit(NewCartPole(), 10)
	res, err := Evaluate(context.Background(), cp, PolicyFunc(func(o []float64) int {
		if o[2]+0.5*o[3] > 0 {
			return 1
		}
		return 0
	}), 3, 1)
	if err != nil || res.Mean != 10 || res.SuccessRate != 1 {
		t.Fatalf("CartPole limited to 10: %+v %v", res, err)
	}
}
