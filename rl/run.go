package rl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// RunConfig says what Run trains.
type RunConfig struct {
	// Env is a name from Envs.
	Env string
	// Algo is "q_learning", "sarsa" or "dqn"; empty picks q_learning for
	// environments with Discrete observations and dqn otherwise.
	Algo string
	// Steps is the number of training environment steps; 0 picks a default
	// for the environment and algorithm (see DefaultSteps).
	Steps int
	// Seed fixes training and evaluation.
	Seed int64
	// SavePath, if set, is where the trained policy is saved: a JSON
	// Q-table file for the tabular methods, an nn model directory for DQN.
	// LoadPolicy reads either.
	SavePath string
	// Progress, if set, receives a line at every tenth of training.
	Progress io.Writer
	// EvalEpisodes is the number of greedy evaluation episodes [100].
	EvalEpisodes int
}

// Result is what Run measured. The JSON names are the ones cmd/train prints.
type Result struct {
	Env         string  `json:"env"`
	Algo        string  `json:"algo"`
	MeanReturn  float64 `json:"mean_return"`
	StdReturn   float64 `json:"std_return"`
	SuccessRate float64 `json:"success_rate"`
	TrainSteps  int     `json:"train_steps"`
	// WallSeconds is the time of training and evaluation together.
	WallSeconds float64 `json:"wall_seconds"`
	// Returns are the evaluation episodes' returns.
	Returns []float64 `json:"returns"`
}

// Algos returns the algorithm names Run accepts.
func Algos() []string { return []string{"q_learning", "sarsa", "dqn"} }

// DefaultSteps returns the number of training steps Run uses when
// RunConfig.Steps is 0.
func DefaultSteps(env, algo string) int {
	switch {
	case algo == "dqn":
		return 50000
	case strings.HasPrefix(strings.ToLower(env), "frozenlake8x8"):
		return 1000000
	default:
		return 200000
	}
}

// progress accumulates episode statistics and prints a line at every
// tenth of the training steps.
type progress struct {
	w       io.Writer
	total   int
	next    int
	returns []float64
	loss    float64
	nLoss   int
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, next: max(total/10, 1)}
}

func (p *progress) episode(s EpisodeStats) {
	if p.w == nil {
		return
	}
	p.returns = append(p.returns, s.Return)
	if s.Loss == s.Loss { // not NaN
		p.loss += s.Loss
		p.nLoss++
	}
	if s.Step < p.next && s.Step < p.total {
		return
	}
	last := p.returns[max(len(p.returns)-100, 0):]
	m, _ := meanStd(last)
	loss := 0.0
	if p.nLoss > 0 {
		loss = p.loss / float64(p.nLoss)
	}
	fmt.Fprintf(p.w, "step %d/%d  episodes %d  mean return (last %d) %.3f  epsilon %.3f  loss %.4g\n",
		s.Step, p.total, s.Episode, len(last), m, s.Epsilon, loss)
	p.loss, p.nLoss = 0, 0
	for p.next <= s.Step {
		p.next += max(p.total/10, 1)
	}
}

// Run trains an agent with cfg.Algo on the environment cfg.Env for
// cfg.Steps steps, saves it if cfg.SavePath is set, and evaluates the
// greedy policy over 100 episodes. It returns an error for an unknown
// environment or algorithm, an algorithm that cannot act in the
// environment (tabular methods need Discrete observations), or when ctx is
// cancelled.
func Run(ctx context.Context, cfg RunConfig) (Result, error) {
	env, err := Make(cfg.Env)
	if err != nil {
		return Result{}, err
	}
	name := cfg.Env
	for _, n := range Envs() {
		if strings.EqualFold(n, cfg.Env) {
			name = n
		}
	}
	algo := strings.ToLower(cfg.Algo)
	if algo == "" {
		algo = "dqn"
		if _, ok := env.ObservationSpace().(Discrete); ok {
			algo = "q_learning"
		}
	}
	if cfg.Steps < 0 {
		return Result{}, fmt.Errorf("rl.Run: Steps = %d, want >= 0", cfg.Steps)
	}
	steps := cfg.Steps
	if steps == 0 {
		steps = DefaultSteps(name, algo)
	}
	episodes := cfg.EvalEpisodes
	if episodes == 0 {
		episodes = 100
	}
	prog := newProgress(cfg.Progress, steps)
	start := time.Now()
	var policy Policy
	switch algo {
	case "q_learning", "sarsa":
		tc := TabularConfig{Steps: steps, Alpha: 0.1, AlphaEnd: 0.001, Gamma: 0.99, Seed: cfg.Seed, OnEpisode: prog.episode}
		var q *QTable
		if algo == "sarsa" {
			q, err = SARSA(ctx, env, tc)
		} else {
			q, err = QLearning(ctx, env, tc)
		}
		if err != nil {
			return Result{}, err
		}
		if cfg.SavePath != "" {
			if err := q.Save(cfg.SavePath); err != nil {
				return Result{}, err
			}
		}
		policy = q
	case "dqn":
		net, err := DQN(ctx, env, DQNConfig{Steps: steps, Seed: cfg.Seed, DoubleDQN: true, OnEpisode: prog.episode})
		if err != nil {
			return Result{}, err
		}
		if cfg.SavePath != "" {
			if err := net.Save(cfg.SavePath); err != nil {
				return Result{}, err
			}
		}
		policy = net
	default:
		return Result{}, fmt.Errorf("rl.Run: unknown algorithm %q (have %s)", cfg.Algo, strings.Join(Algos(), ", "))
	}
	ev, err := Evaluate(ctx, env, policy, episodes, cfg.Seed)
	if err != nil {
		return Result{}, err
	}
	return Result{
		Env: name, Algo: algo,
		MeanReturn: ev.Mean, StdReturn: ev.Std, SuccessRate: ev.SuccessRate,
		TrainSteps: steps, WallSeconds: time.Since(start).Seconds(), Returns: ev.Returns,
	}, nil
}
