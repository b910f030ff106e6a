package rl

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// optimalSuccess is the largest probability of reaching the goal from the
// start within horizon steps, by backward induction over the model.
func optimalSuccess(f *FrozenLake, horizon int) float64 {
	n := f.Rows() * f.Cols()
	v := make([]float64, n) // success probability with k steps left
	for k := 0; k < horizon; k++ {
		nv := make([]float64, n)
		for s := 0; s < n; s++ {
			for a := 0; a < 4; a++ {
				p := 0.0
				for _, t := range f.Transitions(s, a) {
					if t.Terminated {
						p += t.Prob * t.Reward
					} else {
						p += t.Prob * v[t.State]
					}
				}
				nv[s] = max(nv[s], p)
			}
		}
		v = nv
	}
	return v[0]
}

func TestQLearningFrozenLakeNonSlippery(t *testing.T) {
	for _, algo := range []string{"q_learning", "sarsa"} {
		for seed := int64(0); seed < 3; seed++ {
			env, _ := NewFrozenLake(FrozenLakeMap4x4, false)
			cfg := TabularConfig{Steps: 20000, Seed: seed, AlphaEnd: 0.001}
			q, err := QLearning(context.Background(), env, cfg)
			if algo == "sarsa" {
				q, err = SARSA(context.Background(), env, cfg)
			}
			if err != nil {
				t.Fatal(err)
			}
			r, err := Evaluate(context.Background(), env, q, 100, 1)
			if err != nil {
				t.Fatal(err)
			}
			// The lake is deterministic: the optimum reaches the goal in 6 steps every time.
			if r.SuccessRate != 1 || r.Mean != 1 || r.Lengths[0] != 6 {
				t.Errorf("%s seed %d: success %v mean %v length %d, want 1 1 6", algo, seed, r.SuccessRate, r.Mean, r.Lengths[0])
			}
		}
	}
}

func TestQLearningFrozenLakeSlippery(t *testing.T) {
	env, _ := NewFrozenLake(FrozenLakeMap4x4, true)
	opt := optimalSuccess(env, 100)
	// The best possible success rate within Gymnasium's 100-step limit.
	if opt < 0.73 || opt > 0.76 {
		t.Fatalf("optimal success within 100 steps = %.4f, want about 0.74", opt)
	}
	for seed := int64(0); seed < 2; seed++ {
		q, err := QLearning(context.Background(), env, TabularConfig{Steps: 200000, AlphaEnd: 0.001, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := Evaluate(context.Background(), env, q, 2000, 7)
		t.Logf("seed %d: success %.3f over 2000 episodes (optimum %.3f)", seed, r.SuccessRate, opt)
		if r.SuccessRate < 0.70 {
			t.Errorf("seed %d: success %.3f < 0.70", seed, r.SuccessRate)
		}
	}
}

// alwaysEnd is a one-state environment where every action ends the
// episode with reward 1.
type alwaysEnd struct{ started bool }

func (e *alwaysEnd) ObservationSpace() Space { return Discrete{N: 1} }
func (e *alwaysEnd) ActionSpace() Discrete   { return Discrete{N: 2} }
func (e *alwaysEnd) Reset(int64) ([]float64, Info) {
	e.started = true
	return []float64{0}, nil
}
func (e *alwaysEnd) Step(a int) ([]float64, float64, bool, bool, Info, error) {
	return []float64{0}, 1, true, false, nil, nil
}

// TestQLearningUpdate: with no bootstrap, an action tried n times has
// Q = 1 - (1-alpha)^n, and the counts add up to the steps.
func TestQLearningUpdate(t *testing.T) {
	const steps, alpha = 37, 0.25
	var episodes int
	q, err := QLearning(context.Background(), &alwaysEnd{}, TabularConfig{Steps: steps, Alpha: alpha, Seed: 3,
		OnEpisode: func(s EpisodeStats) { episodes++ }})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for a := 0; a < 2; a++ {
		v := q.Value(0, a)
		n := math.Log(1-v) / math.Log(1-alpha)
		if math.Abs(n-math.Round(n)) > 1e-9 {
			t.Fatalf("Q(0,%d) = %v is not 1-(1-alpha)^n", a, v)
		}
		total += int(math.Round(n))
	}
	if total != steps || episodes != steps {
		t.Fatalf("counts add to %d, episodes %d, want %d", total, episodes, steps)
	}
}

func TestTabularDeterministicAndErrors(t *testing.T) {
	env, _ := NewFrozenLake(FrozenLakeMap4x4, true)
	a, _ := QLearning(context.Background(), env, TabularConfig{Steps: 5000, Seed: 9})
	b, _ := QLearning(context.Background(), env, TabularConfig{Steps: 5000, Seed: 9})
	for i := range a.Q {
		if a.Q[i] != b.Q[i] {
			t.Fatal("same seed, different tables")
		}
	}
	if _, err := QLearning(context.Background(), NewCartPole(), TabularConfig{}); err == nil || !strings.Contains(err.Error(), "Discrete") {
		t.Errorf("CartPole: %v", err)
	}
	for _, bad := range []TabularConfig{{Alpha: 2}, {Gamma: -1}, {Steps: -5}, {EpsilonEnd: 3}} {
		if _, err := QLearning(context.Background(), env, bad); err == nil {
			t.Errorf("config %+v accepted", bad)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SARSA(ctx, env, TabularConfig{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestQTableSaveLoad(t *testing.T) {
	env, _ := NewFrozenLake(FrozenLakeMap4x4, false)
	q, _ := QLearning(context.Background(), env, TabularConfig{Steps: 3000, Seed: 1})
	path := filepath.Join(t.TempDir(), "q.json")
	if err := q.Save(path); err != nil {
		t.Fatal(err)
	}
	r, err := LoadQTable(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range q.Q {
		if q.Q[i] != r.Q[i] {
			t.Fatal("loaded table differs")
		}
	}
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Act([]float64{0}) != q.Act([]float64{0}) {
		t.Error("LoadPolicy")
	}
	for _, bad := range []string{`{}`, `{"format":"ember.rl.qtable/1","states":2,"actions":2,"q":[1]}`, `nope`} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := LoadQTable(path); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseQTable(f *testing.F) {
	f.Add([]byte(`{"format":"ember.rl.qtable/1","states":1,"actions":2,"q":[0.5,1]}`))
	f.Add([]byte(`{"format":"ember.rl.qtable/1","states":-1,"actions":2,"q":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := parseQTable(b)
		if err == nil {
			for s := 0; s < q.States; s++ {
				if a := q.Act([]float64{float64(s)}); a < 0 || a >= q.Actions {
					t.Fatalf("action %d", a)
				}
			}
		}
	})
}

func TestRunTabular(t *testing.T) {
	var log strings.Builder
	path := filepath.Join(t.TempDir(), "fl.json")
	res, err := Run(context.Background(), RunConfig{Env: "frozenlake-v1-nonslippery", Steps: 20000, Seed: 1, Progress: &log, SavePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if res.Env != "FrozenLake-v1-nonslippery" || res.Algo != "q_learning" || res.SuccessRate != 1 || res.MeanReturn != 1 || res.StdReturn != 0 || len(res.Returns) != 100 || res.TrainSteps != 20000 {
		t.Errorf("result %+v", res)
	}
	if n := strings.Count(log.String(), "\n"); n < 5 || n > 12 || !strings.Contains(log.String(), "step 20000/20000") {
		t.Errorf("progress:\n%s", log.String())
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
	if _, err := Run(context.Background(), RunConfig{Env: "CartPole-v1", Algo: "q_learning"}); err == nil {
		t.Error("q_learning on CartPole accepted")
	}
	if _, err := Run(context.Background(), RunConfig{Env: "FrozenLake-v1", Algo: "ppo"}); err == nil {
		t.Error("unknown algo accepted")
	}
	if _, err := Run(context.Background(), RunConfig{Env: "Nope"}); err == nil {
		t.Error("unknown env accepted")
	}
}
