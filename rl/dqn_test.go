package rl

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/tensor"
)

// TestQNetworkForward: QValues (the acting path) equals Forward (the
// training path) and a hand computation for a tiny network.
func TestQNetworkForward(t *testing.T) {
	n, err := NewQNetwork([]int{2, 2, 1}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Params[0].Value.Float32s(), []float32{1, -1, 2, 0.5}) // [in=2, out=2]
	copy(n.Params[1].Value.Float32s(), []float32{0.1, -3})
	copy(n.Params[2].Value.Float32s(), []float32{2, 4})
	copy(n.Params[3].Value.Float32s(), []float32{-1})
	// x = (1, 2): h = relu(1*1+2*2+0.1, 1*-1+2*0.5-3) = (5.1, 0); q = 2*5.1 - 1 = 9.2
	q := n.QValues([]float64{1, 2})
	if math.Abs(float64(q[0])-9.2) > 1e-5 {
		t.Fatalf("QValues = %v, want 9.2", q)
	}
	f := n.Forward(autograd.Constant(tensor.FromFloat32([]float32{1, 2}, 1, 2))).Value.Float32s()
	if math.Abs(float64(f[0])-9.2) > 1e-5 {
		t.Fatalf("Forward = %v", f)
	}
	big, _ := NewQNetwork([]int{4, 16, 16, 3}, rand.New(rand.NewPCG(2, 2)))
	x := []float64{0.3, -1, 2, 0.01}
	a := big.QValues(x)
	b := big.Forward(autograd.Constant(tensor.FromFloat32([]float32{0.3, -1, 2, 0.01}, 1, 4))).Value.Float32s()
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5 {
			t.Fatalf("QValues %v != Forward %v", a, b)
		}
	}
}

// TestDQNUpdateGradient: one update's hand-seeded Huber gradient matches
// central differences of the Huber loss in float64 arithmetic on the same
// batch.
func TestDQNUpdateGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	online, _ := NewQNetwork([]int{3, 5, 4, 2}, rng)
	target := online.Clone()
	buf := NewReplayBuffer(8, 3)
	for i := 0; i < 8; i++ {
		o := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		nx := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		disc := 0.9
		if i == 5 {
			disc = 0
		}
		buf.Add(o, i%2, float64(3*i), nx, disc)
	}
	cfg := DQNConfig{BatchSize: 8, Gamma: 0.9, HuberDelta: 1}
	tr := &dqnTrainer{cfg: cfg, online: online, target: target, buf: buf, rng: rand.New(rand.NewPCG(4, 4)), nA: 2, dim: 3}
	// Recompute the loss in float64 for a given perturbation.
	lossAt := func(bt *batch) float64 {
		l := 0.0
		for i := 0; i < 8; i++ {
			qn := target.QValues(f64(bt.next[i*3 : i*3+3]))
			y := float64(bt.rewards[i]) + float64(bt.discs[i])*float64(max(qn[0], qn[1]))
			q := online.QValues(f64(bt.obs[i*3 : i*3+3]))
			d := float64(q[bt.actions[i]]) - y
			if math.Abs(d) <= 1 {
				l += 0.5 * d * d
			} else {
				l += math.Abs(d) - 0.5
			}
		}
		return l / 8
	}
	// Run update with an optimizer that records the gradient instead of stepping.
	rec := &recordOpt{}
	tr.step = rec.step
	loss := tr.update()
	if got := lossAt(&tr.bt); math.Abs(got-loss) > 1e-4*(1+got) {
		t.Fatalf("update loss %v, recomputed %v", loss, got)
	}
	for pi, p := range online.Params {
		w := p.Value.Float32s()
		for j := range w {
			old := w[j]
			const h = 2e-3
			w[j] = old + h
			lp := lossAt(&tr.bt)
			w[j] = old - h
			lm := lossAt(&tr.bt)
			w[j] = old
			num := (lp - lm) / (2 * h)
			if got := float64(rec.grads[pi][j]); math.Abs(got-num) > 5e-3*(1+math.Abs(num)) {
				t.Errorf("param %d[%d]: gradient %v, numerical %v", pi, j, got, num)
			}
		}
	}
}

type recordOpt struct{ grads [][]float32 }

func (r *recordOpt) step(params []*autograd.Variable) {
	r.grads = nil
	for _, p := range params {
		r.grads = append(r.grads, append([]float32(nil), p.Gradient().Float32s()...))
	}
}

func f64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func TestReplayBuffer(t *testing.T) {
	b := NewReplayBuffer(3, 1)
	for i := 0; i < 5; i++ {
		disc := 0.5
		if i == 4 {
			disc = 0
		}
		b.Add([]float64{float64(i)}, i, float64(10*i), []float64{float64(i + 1)}, disc)
	}
	if b.Len() != 3 {
		t.Fatalf("Len %d", b.Len())
	}
	var bt batch
	seen := map[float32]bool{}
	for k := 0; k < 20; k++ {
		b.sample(4, rand.New(rand.NewPCG(uint64(k), 0)), &bt)
		for i := 0; i < 4; i++ {
			o := bt.obs[i]
			seen[o] = true
			if bt.next[i] != o+1 || bt.rewards[i] != 10*o || bt.actions[i] != int(o) || (bt.discs[i] == 0) != (o == 4) {
				t.Fatalf("inconsistent transition %v %v %v %v %v", o, bt.next[i], bt.rewards[i], bt.actions[i], bt.discs[i])
			}
		}
	}
	if len(seen) != 3 || seen[0] || seen[1] {
		t.Fatalf("sampled %v, want only the last 3 transitions", seen)
	}
}

func TestDQNShortRunAndSaveLoad(t *testing.T) {
	env := NewCartPole()
	cfg := DQNConfig{Steps: 3000, Hidden: []int{32, 32}, LearningStarts: 500, TrainFreq: 4, GradientSteps: 1, BatchSize: 32, Seed: 1, DoubleDQN: true, Tau: 0.05, TargetUpdateInterval: 1}
	var episodes int
	var last EpisodeStats
	cfg.OnEpisode = func(s EpisodeStats) { episodes++; last = s }
	var begins, ends, trainEnds int
	var lastLogs nn.Logs
	cfg.Callbacks = []nn.Callback{nn.CallbackFuncs{
		EpochBegin: func(m *nn.Model, e int) error { begins++; return nil },
		EpochEnd:   func(m *nn.Model, e int, l nn.Logs) error { ends++; lastLogs = l; return nil },
		TrainEnd:   func(m *nn.Model, l nn.Logs) error { trainEnds++; return nil },
	}}
	net, err := DQN(context.Background(), env, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if begins != episodes || ends != episodes || trainEnds != 1 || lastLogs["step"] != 3000 || lastLogs["return"] != last.Return {
		t.Errorf("callbacks: %d begins, %d ends, %d train ends for %d episodes; last logs %v", begins, ends, trainEnds, episodes, lastLogs)
	}
	cfg.Callbacks = nil
	if last.Step != 3000 || episodes != last.Episode || math.IsNaN(last.Loss) || last.Epsilon != 0.04 {
		t.Errorf("last episode %+v after %d episodes", last, episodes)
	}
	net2, _ := DQN(context.Background(), env, cfg)
	for i, p := range net.Params {
		a, b := p.Value.Float32s(), net2.Params[i].Value.Float32s()
		for j := range a {
			if a[j] != b[j] {
				t.Fatal("same seed, different networks")
			}
		}
	}
	path := filepath.Join(t.TempDir(), "cartpole-dqn")
	if err := net.Save(path); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		obs := NewCartPole().ObservationSpace().(Box).Sample(rand.New(rand.NewPCG(uint64(i), 9)))
		obs[1], obs[3] = obs[1]*1e-30, obs[3]*1e-30
		if p.Act(obs) != net.Act(obs) {
			t.Fatal("loaded network acts differently")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DQN(ctx, env, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	fl, _ := NewFrozenLake(FrozenLakeMap4x4, false)
	if _, err := DQN(context.Background(), fl, cfg); err == nil {
		t.Error("DQN on a Discrete observation space accepted")
	}
	if _, err := DQN(context.Background(), env, DQNConfig{Tau: 2}); err == nil {
		t.Error("Tau 2 accepted")
	}
}

// TestDQNUpdateFitsTerminalRewards: with every transition terminal the
// target is the reward, so repeated updates are supervised regression of
// Q(s, a) on r(s, a); the loss must fall close to zero.
func TestDQNUpdateFitsTerminalRewards(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	online, _ := NewQNetwork([]int{2, 32, 2}, rng)
	buf := NewReplayBuffer(512, 2)
	for i := 0; i < 512; i++ {
		o := []float64{rng.Float64()*2 - 1, rng.Float64()*2 - 1}
		a := i % 2
		r := o[0] + 0.5*o[1]
		if a == 1 {
			r = -o[0]
		}
		buf.Add(o, a, r, o, 0)
	}
	cfg := DQNConfig{BatchSize: 64, Gamma: 0.99, HuberDelta: 1}
	opt := newDQNAdam(3e-3, 10)
	tr := &dqnTrainer{cfg: cfg, online: online, target: online.Clone(), opt: opt, buf: buf, rng: rng, nA: 2, dim: 2}
	first, last := 0.0, 0.0
	for i := 0; i < 1500; i++ {
		l := tr.update()
		if i < 20 {
			first += l / 20
		}
		if i >= 1480 {
			last += l / 20
		}
	}
	t.Logf("loss %.4g -> %.4g", first, last)
	if !(last < 2e-3 && last < first/20) {
		t.Fatalf("loss %.4g -> %.4g: regression did not fit", first, last)
	}
}

// constEnv gives reward 1 every step forever (truncated every 20 steps,
// which DQN must bootstrap through), so Q* = 1/(1-gamma) for both actions.
type constEnv struct{ n int }

func (e *constEnv) ObservationSpace() Space { return NewBox([]float64{-1}, []float64{1}) }
func (e *constEnv) ActionSpace() Discrete   { return Discrete{N: 2} }
func (e *constEnv) Reset(int64) ([]float64, Info) {
	e.n = 0
	return []float64{0.5}, nil
}
func (e *constEnv) Step(a int) ([]float64, float64, bool, bool, Info, error) {
	e.n++
	return []float64{0.5}, 1, false, e.n >= 20, nil, nil
}

// TestDQNLearnsDiscountedValue: hard and soft (Double DQN) target updates
// both converge to Q* = 1/(1-0.9) = 10.
func TestDQNLearnsDiscountedValue(t *testing.T) {
	for _, cfg := range []DQNConfig{
		{Steps: 8000, Gamma: 0.9, Hidden: []int{8}, LearningRate: 3e-3, LearningStarts: 200, TrainFreq: 4, GradientSteps: 1, TargetUpdateInterval: 1, Tau: 0.02, DoubleDQN: true},
		{Steps: 8000, Gamma: 0.9, Hidden: []int{8}, LearningRate: 3e-3, LearningStarts: 200, TrainFreq: 64, GradientSteps: 32},
		{Steps: 8000, Gamma: 0.9, Hidden: []int{8}, LearningRate: 3e-3, LearningStarts: 200, TrainFreq: 4, GradientSteps: 1, NSteps: 3, TargetUpdateInterval: 100},
	} {
		net, err := DQN(context.Background(), &constEnv{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		q := net.QValues([]float64{0.5})
		for _, v := range q {
			if math.Abs(float64(v)-10) > 0.2 {
				t.Errorf("tau %v: Q = %v, want 10", cfg.Tau, q)
			}
		}
	}
}

// TestLoadQNetworkGeneric: any nn model from a vector to action values
// loads as a policy; one that is not a Dense/ReLU stack acts through the
// model's forward pass.
func TestLoadQNetworkGeneric(t *testing.T) {
	m := nn.NewSequential(nn.Dense(4, nn.WithActivation("tanh")), nn.Dense(3))
	if err := m.Build([]int{2}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	q, err := LoadQNetwork(dir)
	if err != nil {
		t.Fatal(err)
	}
	if q.mlp || len(q.Sizes) != 3 || q.Sizes[2] != 3 {
		t.Fatalf("loaded %v mlp=%v", q.Sizes, q.mlp)
	}
	obs := []float64{0.3, -0.7}
	got := q.QValues(obs)
	ref := q.Forward(autograd.Constant(tensor.FromFloat32([]float32{0.3, -0.7}, 1, 2))).Value.Float32s()
	for i := range ref {
		if got[i] != ref[i] {
			t.Fatalf("QValues %v, forward %v", got, ref)
		}
	}
	if a := q.Act(obs); a < 0 || a > 2 {
		t.Fatal(a)
	}
	if _, err := LoadPolicy(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing path accepted")
	}
	if _, err := LoadPolicy(t.TempDir()); err == nil {
		t.Error("empty directory accepted")
	}
}

// TestNStepPush: rewards 1, 2, 3 with gamma 0.5 give the return
// 1 + 0.5*2 + 0.25*3 = 2.75 and bootstrap discount 0.125 (0 if terminal).
func TestNStepPush(t *testing.T) {
	tr := &dqnTrainer{cfg: DQNConfig{Gamma: 0.5}, buf: NewReplayBuffer(4, 1)}
	w := []pending{{[]float64{7}, 1, 1}, {[]float64{8}, 0, 2}, {[]float64{9}, 1, 3}}
	tr.push(w, []float64{10}, false)
	tr.push(w[1:], []float64{10}, true)
	b := tr.buf
	if b.obs[0] != 7 || b.actions[0] != 1 || b.rewards[0] != 2.75 || b.discs[0] != 0.125 || b.next[0] != 10 {
		t.Errorf("first: obs %v action %v return %v discount %v", b.obs[0], b.actions[0], b.rewards[0], b.discs[0])
	}
	if b.obs[1] != 8 || b.rewards[1] != 3.5 || b.discs[1] != 0 {
		t.Errorf("second: obs %v return %v discount %v", b.obs[1], b.rewards[1], b.discs[1])
	}
}

func TestRunDQN(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cp")
	var log strings.Builder
	res, err := Run(context.Background(), RunConfig{Env: "CartPole-v1", Steps: 2000, Seed: 3, SavePath: dir, Progress: &log, EvalEpisodes: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Algo != "dqn" || res.TrainSteps != 2000 || len(res.Returns) != 5 || res.MeanReturn < 1 || math.IsNaN(res.SuccessRate) {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(log.String(), "step 2000/2000") {
		t.Errorf("progress:\n%s", log.String())
	}
	p, err := LoadPolicy(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*QNetwork); !ok {
		t.Errorf("loaded %T", p)
	}
	if _, err := Run(context.Background(), RunConfig{Env: "FrozenLake-v1", Algo: "dqn", Steps: 10}); err == nil {
		t.Error("dqn on FrozenLake accepted")
	}
}
