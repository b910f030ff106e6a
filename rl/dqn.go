package rl

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ember-ml/ember/autograd"
	"github.com/ember-ml/ember/nn"
	"github.com/ember-ml/ember/optim"
	"github.com/ember-ml/ember/tensor"
)

// ReplayBuffer is a fixed-size ring of transitions (s, a, r, s', discount)
// sampled uniformly, as in DQN. The target of a transition is
// r + discount * max_a' Q(s', a'): discount is gamma for a one-step
// transition, gamma^n for an n-step one (r then being the discounted sum of
// n rewards), and 0 when the episode terminated at s'. A time-limit
// truncation is not a termination: its value is bootstrapped, like
// Stable-Baselines3's handle_timeout_termination.
type ReplayBuffer struct {
	dim, cap, n, pos int
	obs, next        []float32
	actions          []int32
	rewards, discs   []float32
}

// NewReplayBuffer returns an empty buffer for capacity transitions with
// observations of dim values. It panics if either is not positive.
func NewReplayBuffer(capacity, dim int) *ReplayBuffer {
	if capacity <= 0 || dim <= 0 {
		panic(fmt.Sprintf("rl.NewReplayBuffer: capacity %d, dim %d, want both > 0", capacity, dim))
	}
	return &ReplayBuffer{dim: dim, cap: capacity,
		obs: make([]float32, capacity*dim), next: make([]float32, capacity*dim),
		actions: make([]int32, capacity), rewards: make([]float32, capacity), discs: make([]float32, capacity)}
}

// Len returns the number of stored transitions.
func (b *ReplayBuffer) Len() int { return b.n }

// Add stores a transition, overwriting the oldest when full.
func (b *ReplayBuffer) Add(obs []float64, action int, reward float64, next []float64, discount float64) {
	o := b.obs[b.pos*b.dim : (b.pos+1)*b.dim]
	nx := b.next[b.pos*b.dim : (b.pos+1)*b.dim]
	for i := range o {
		o[i], nx[i] = float32(obs[i]), float32(next[i])
	}
	b.actions[b.pos] = int32(action)
	b.rewards[b.pos] = float32(reward)
	b.discs[b.pos] = float32(discount)
	b.pos = (b.pos + 1) % b.cap
	b.n = min(b.n+1, b.cap)
}

// batch is a sampled minibatch.
type batch struct {
	obs, next      []float32 // [n*dim]
	actions        []int
	rewards, discs []float32
}

// sample draws n transitions uniformly with replacement into bt.
func (b *ReplayBuffer) sample(n int, rng *rand.Rand, bt *batch) {
	if cap(bt.obs) < n*b.dim {
		bt.obs, bt.next = make([]float32, n*b.dim), make([]float32, n*b.dim)
		bt.actions, bt.rewards, bt.discs = make([]int, n), make([]float32, n), make([]float32, n)
	}
	bt.obs, bt.next = bt.obs[:n*b.dim], bt.next[:n*b.dim]
	for k := 0; k < n; k++ {
		i := rng.IntN(b.n)
		copy(bt.obs[k*b.dim:(k+1)*b.dim], b.obs[i*b.dim:(i+1)*b.dim])
		copy(bt.next[k*b.dim:(k+1)*b.dim], b.next[i*b.dim:(i+1)*b.dim])
		bt.actions[k] = int(b.actions[i])
		bt.rewards[k] = b.rewards[i]
		bt.discs[k] = b.discs[i]
	}
}

// DQNConfig configures DQN. Zero fields take the defaults in brackets:
// RL Baselines3 Zoo's tuned hyper-parameters for CartPole-v1 (batch 64,
// buffer 100k, 1000 learning starts, 128 gradient steps every 256 steps,
// target copy every 10 steps, epsilon to 0.04 over 16% of training, norm
// clip 10) with three changes that made it reach the maximum return on
// every seed tried here: 3-step returns, 64x64 hidden units, learning rate
// 1e-3 (Run also turns on Double DQN).
type DQNConfig struct {
	// Steps is the number of environment steps to train for [100000].
	Steps int
	// Hidden are the widths of the hidden layers [64 64].
	Hidden []int
	// LearningRate of Adam [1e-3]; with LearningRateEnd > 0 it decays
	// linearly to LearningRateEnd over Steps.
	LearningRate, LearningRateEnd float64
	// BatchSize of each gradient step [64].
	BatchSize int
	// BufferSize is the replay buffer's capacity [100000].
	BufferSize int
	// LearningStarts is the number of steps before learning begins [1000].
	LearningStarts int
	// Gamma is the discount [0.99].
	Gamma float64
	// Every TrainFreq [256] environment steps, take GradientSteps [128]
	// gradient steps.
	TrainFreq, GradientSteps int
	// TargetUpdateInterval: every this many environment steps [10] the
	// target network moves to the online one, by Tau [1: a hard copy;
	// below 1 a soft, Polyak update].
	TargetUpdateInterval int
	Tau                  float64
	// Epsilon-greedy exploration decays linearly from EpsilonStart [1] to
	// EpsilonEnd [0.04] over the first ExplorationFraction [0.16] of Steps.
	EpsilonStart, EpsilonEnd, ExplorationFraction float64
	// MaxGradNorm clips the global gradient norm [10].
	MaxGradNorm float64
	// HuberDelta is the Huber loss's threshold [1]: the loss is quadratic
	// within it and linear beyond.
	HuberDelta float64
	// NSteps is the number of rewards in each stored transition's return
	// [3; 1 is one-step DQN]; the tail is bootstrapped with gamma^NSteps.
	NSteps int
	// DoubleDQN picks the next action with the online network and values
	// it with the target network (van Hasselt et al., 2016).
	DoubleDQN bool
	// Seed fixes the initial weights, exploration, sampling and episodes.
	Seed int64
	// OnEpisode, if set, is called after every training episode.
	OnEpisode func(EpisodeStats)
	// Callbacks receive training as Model.Fit's callbacks do, with each
	// episode an epoch: OnTrainBegin, OnEpochBegin and OnEpochEnd per
	// episode (logs "return", "length", "epsilon", "loss" when there were
	// updates, "step"), OnTrainEnd. nn.CSVLogger and nn.CallbackFuncs work
	// as in Fit; an error from a callback stops training and is returned.
	// (Model.StopTraining is not observed: cancel ctx to stop early.)
	Callbacks []nn.Callback
}

func (c *DQNConfig) defaults() error {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	deff := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Steps, 100000)
	def(&c.BatchSize, 64)
	def(&c.BufferSize, 100000)
	def(&c.LearningStarts, 1000)
	def(&c.TrainFreq, 256)
	def(&c.GradientSteps, 128)
	def(&c.TargetUpdateInterval, 10)
	def(&c.NSteps, 3)
	deff(&c.LearningRate, 1e-3)
	deff(&c.Gamma, 0.99)
	deff(&c.Tau, 1)
	deff(&c.EpsilonStart, 1)
	deff(&c.EpsilonEnd, 0.04)
	deff(&c.ExplorationFraction, 0.16)
	deff(&c.MaxGradNorm, 10)
	deff(&c.HuberDelta, 1)
	if c.Hidden == nil {
		c.Hidden = []int{64, 64}
	}
	switch {
	case c.Steps < 0 || c.BatchSize < 0 || c.BufferSize < 0 || c.LearningStarts < 0 || c.TrainFreq < 0 || c.GradientSteps < 0 || c.TargetUpdateInterval < 0 || c.NSteps < 0 || c.NSteps > 1000:
		return fmt.Errorf("rl: DQN config has a negative count: %+v", *c)
	case !(c.LearningRate > 0) || c.LearningRateEnd < 0:
		return fmt.Errorf("rl: DQN LearningRate = %v, want > 0", c.LearningRate)
	case !(c.Gamma >= 0 && c.Gamma <= 1):
		return fmt.Errorf("rl: DQN Gamma = %v, want in [0, 1]", c.Gamma)
	case !(c.Tau > 0 && c.Tau <= 1):
		return fmt.Errorf("rl: DQN Tau = %v, want in (0, 1]", c.Tau)
	case !(c.EpsilonStart >= 0 && c.EpsilonStart <= 1 && c.EpsilonEnd >= 0 && c.EpsilonEnd <= 1):
		return fmt.Errorf("rl: DQN epsilon %v -> %v, want values in [0, 1]", c.EpsilonStart, c.EpsilonEnd)
	case !(c.ExplorationFraction > 0 && c.ExplorationFraction <= 1):
		return fmt.Errorf("rl: DQN ExplorationFraction = %v, want in (0, 1]", c.ExplorationFraction)
	case !(c.MaxGradNorm > 0) || !(c.HuberDelta > 0):
		return fmt.Errorf("rl: DQN MaxGradNorm %v and HuberDelta %v, want > 0", c.MaxGradNorm, c.HuberDelta)
	}
	return nil
}

// DQN trains a deep Q-network on env (Mnih et al., 2015): epsilon-greedy
// acting, a replay buffer, a target network with periodic hard or soft
// updates, the Huber loss on the TD error, Adam with the gradient norm
// clipped, and Double DQN as an option. env needs a Box observation space.
// It stops with ctx's error when ctx is cancelled (checked every step),
// returning the network trained so far.
func DQN(ctx context.Context, env Env, cfg DQNConfig) (*QNetwork, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	box, ok := env.ObservationSpace().(Box)
	if !ok {
		return nil, fmt.Errorf("rl: DQN needs a Box observation space, the environment has %v", env.ObservationSpace())
	}
	dim, nA := box.Dim(), env.ActionSpace().N
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0xd9a))
	sizes := append(append([]int{dim}, cfg.Hidden...), nA)
	online, err := NewQNetwork(sizes, rng)
	if err != nil {
		return nil, err
	}
	target := online.Clone()
	opt := newDQNAdam(cfg.LearningRate, cfg.MaxGradNorm)
	buf := NewReplayBuffer(min(cfg.BufferSize, cfg.Steps), dim)
	tr := &dqnTrainer{cfg: cfg, online: online, target: target, opt: opt, buf: buf, rng: rng, nA: nA, dim: dim}

	next := episodeSeeds(cfg.Seed, 0xd91)
	eps := cfg.EpsilonStart
	step, episode := 0, 0
	for _, cb := range cfg.Callbacks {
		if err := cb.OnTrainBegin(online.Model); err != nil {
			return online, err
		}
	}
	var logs nn.Logs
	for step < cfg.Steps {
		for _, cb := range cfg.Callbacks {
			if err := cb.OnEpochBegin(online.Model, episode); err != nil {
				return online, err
			}
		}
		obs, _ := env.Reset(next())
		if len(obs) != dim {
			return online, fmt.Errorf("rl: observation of %d values, want %d", len(obs), dim)
		}
		ret, n := 0.0, 0
		lossSum, lossN := 0.0, 0
		window := make([]pending, 0, cfg.NSteps)
		for step < cfg.Steps {
			if err := ctx.Err(); err != nil {
				return online, err
			}
			eps = linearSchedule(cfg.EpsilonStart, cfg.EpsilonEnd, cfg.ExplorationFraction, step, cfg.Steps)
			var a int
			if rng.Float64() < eps {
				a = rng.IntN(nA)
			} else {
				a = online.Act(obs)
			}
			o, r, term, trunc, _, err := env.Step(a)
			if err != nil {
				return online, err
			}
			if len(o) != dim {
				return online, fmt.Errorf("rl: observation of %d values, want %d", len(o), dim)
			}
			window = append(window, pending{obs, a, r})
			switch {
			case term || trunc:
				for len(window) > 0 {
					tr.push(window, o, term)
					window = window[1:]
				}
			case len(window) == cfg.NSteps:
				tr.push(window, o, false)
				window = window[1:]
			}
			obs = o
			step++
			n++
			ret += r
			if step > cfg.LearningStarts && step%cfg.TrainFreq == 0 {
				if cfg.LearningRateEnd > 0 {
					opt.SetLR(linearSchedule(cfg.LearningRate, cfg.LearningRateEnd, 1, step, cfg.Steps))
				}
				for g := 0; g < cfg.GradientSteps; g++ {
					lossSum += tr.update()
					lossN++
				}
			}
			if step%cfg.TargetUpdateInterval == 0 {
				target.CopyFrom(online, cfg.Tau)
			}
			if term || trunc {
				break
			}
		}
		episode++
		if cfg.OnEpisode != nil {
			loss := math.NaN()
			if lossN > 0 {
				loss = lossSum / float64(lossN)
			}
			cfg.OnEpisode(EpisodeStats{Episode: episode, Step: step, Return: ret, Length: n, Epsilon: eps, Loss: loss})
		}
		if len(cfg.Callbacks) > 0 {
			logs = nn.Logs{"return": ret, "length": float64(n), "epsilon": eps, "step": float64(step)}
			if lossN > 0 {
				logs["loss"] = lossSum / float64(lossN)
			}
			for _, cb := range cfg.Callbacks {
				if err := cb.OnEpochEnd(online.Model, episode-1, logs); err != nil {
					return online, err
				}
			}
		}
	}
	for _, cb := range cfg.Callbacks {
		if err := cb.OnTrainEnd(online.Model, logs); err != nil {
			return online, err
		}
	}
	return online, nil
}

// newDQNAdam returns Adam with PyTorch's epsilon (as Stable-Baselines3
// uses) and global gradient-norm clipping.
func newDQNAdam(lr, maxNorm float64) *optim.Adam {
	opt := optim.NewAdam(lr)
	opt.Epsilon = 1e-8
	opt.ClipNorm = maxNorm
	return opt
}

// pending is a step waiting for the rest of its n-step return.
type pending struct {
	obs    []float64
	action int
	reward float64
}

// push stores the transition from w[0] to next with the discounted
// rewards of w; terminal: the episode ended at next.
func (t *dqnTrainer) push(w []pending, next []float64, terminal bool) {
	ret, disc := 0.0, 1.0
	for _, p := range w {
		ret += disc * p.reward
		disc *= t.cfg.Gamma
	}
	if terminal {
		disc = 0
	}
	t.buf.Add(w[0].obs, w[0].action, ret, next, disc)
}

type dqnTrainer struct {
	cfg            DQNConfig
	online, target *QNetwork
	opt            *optim.Adam
	buf            *ReplayBuffer
	rng            *rand.Rand
	nA, dim        int
	bt             batch
	tape           *autograd.Tape
	step           func([]*autograd.Variable) // the optimizer's step (tests replace it)
}

// update takes one gradient step on a sampled minibatch and returns its
// mean Huber loss.
func (t *dqnTrainer) update() float64 {
	cfg := t.cfg
	B := cfg.BatchSize
	t.buf.sample(B, t.rng, &t.bt)
	bt := &t.bt
	// Targets y = r + gamma * (1 - done) * Q_target(s', a*), without gradient.
	nextT := tensor.FromFloat32(bt.next, B, t.dim)
	qNextT := t.target.Forward(autograd.Constant(nextT)).Value
	qt := qNextT.Float32s()
	var qo []float32
	var qNextO *tensor.Tensor
	if cfg.DoubleDQN {
		qNextO = t.online.Forward(autograd.Constant(nextT)).Value
		qo = qNextO.Float32s()
	}
	y := make([]float64, B)
	for i := 0; i < B; i++ {
		row := qt[i*t.nA : (i+1)*t.nA]
		var v float32
		if cfg.DoubleDQN {
			v = row[argmax32(qo[i*t.nA:(i+1)*t.nA])]
		} else {
			v = row[argmax32(row)]
		}
		y[i] = float64(bt.rewards[i]) + float64(bt.discs[i])*float64(v)
	}
	tensor.Release(qNextT)
	if qNextO != nil {
		tensor.Release(qNextO)
	}
	// Online Q(s, a) on a tape; the Huber loss's gradient is seeded by hand:
	// dL/dQ(s_i, a_i) = clip(Q - y, -delta, delta) / B.
	if t.tape == nil {
		t.tape = autograd.NewTape()
	}
	tp := t.tape
	q := t.online.Forward(tp.Constant(tensor.FromFloat32(bt.obs, B, t.dim)))
	qv := q.Value.Float32s()
	grad := tensor.New(tensor.Float32, B, t.nA)
	g := grad.Float32s()
	loss := 0.0
	d := cfg.HuberDelta
	for i := 0; i < B; i++ {
		k := i*t.nA + bt.actions[i]
		diff := float64(qv[k]) - y[i]
		if math.Abs(diff) <= d {
			loss += 0.5 * diff * diff
		} else {
			loss += d * (math.Abs(diff) - 0.5*d)
		}
		g[k] = float32(min(max(diff, -d), d) / float64(B))
	}
	for _, p := range t.online.Params {
		p.ZeroGrad()
	}
	tp.BackwardWith(q, grad)
	if t.step != nil {
		t.step(t.online.Params)
	} else {
		t.opt.Step(t.online.Params)
	}
	tp.Reset()
	return loss / float64(B)
}
