package rl

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// QTable is a tabular action-value function Q[s][a] over Discrete
// observation and action spaces. As a Policy it acts greedily (the lowest
// action among ties).
type QTable struct {
	States, Actions int
	// Q holds the values row by state: Q[s*Actions+a].
	Q []float64
}

// NewQTable returns a table of zeros.
func NewQTable(states, actions int) *QTable {
	return &QTable{States: states, Actions: actions, Q: make([]float64, states*actions)}
}

// Value returns Q(s, a).
func (q *QTable) Value(s, a int) float64 { return q.Q[s*q.Actions+a] }

// Greedy returns argmax_a Q(s, a), the lowest action among ties.
func (q *QTable) Greedy(s int) int {
	row := q.Q[s*q.Actions : (s+1)*q.Actions]
	best := 0
	for a, v := range row {
		if v > row[best] {
			best = a
		}
	}
	return best
}

// Act returns the greedy action for a one-element observation (a state
// index); an index outside the table gives action 0.
func (q *QTable) Act(obs []float64) int {
	if len(obs) != 1 || !(obs[0] >= 0 && obs[0] < float64(q.States)) {
		return 0
	}
	return q.Greedy(int(obs[0]))
}

// greedyRandTies is argmax with ties broken at random, for training.
func (q *QTable) greedyRandTies(s int, r *rand.Rand) int {
	row := q.Q[s*q.Actions : (s+1)*q.Actions]
	best, n := 0, 0
	for a, v := range row {
		switch {
		case n == 0 || v > row[best]:
			best, n = a, 1
		case v == row[best]:
			n++
			if r.IntN(n) == 0 {
				best = a
			}
		}
	}
	return best
}

// qtableFile is the JSON form of a saved table.
type qtableFile struct {
	Format  string    `json:"format"`
	States  int       `json:"states"`
	Actions int       `json:"actions"`
	Q       []float64 `json:"q"`
}

const qtableFormat = "ember.rl.qtable/1"

// Save writes the table as JSON to path, atomically (temporary file, then
// rename).
func (q *QTable) Save(path string) error {
	b, err := json.Marshal(qtableFile{Format: qtableFormat, States: q.States, Actions: q.Actions, Q: q.Q})
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// LoadQTable reads a table written by Save, checking its format and sizes.
func LoadQTable(path string) (*QTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseQTable(b)
}

func parseQTable(b []byte) (*QTable, error) {
	var f qtableFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("rl: Q-table: %w", err)
	}
	if f.Format != qtableFormat {
		return nil, fmt.Errorf("rl: Q-table: format %q, want %q", f.Format, qtableFormat)
	}
	if f.States <= 0 || f.Actions <= 0 || f.States > 1<<24 || f.Actions > 1<<16 || len(f.Q) != f.States*f.Actions {
		return nil, fmt.Errorf("rl: Q-table: %d states x %d actions with %d values", f.States, f.Actions, len(f.Q))
	}
	for i, v := range f.Q {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("rl: Q-table: value %d is %v", i, v)
		}
	}
	return &QTable{States: f.States, Actions: f.Actions, Q: f.Q}, nil
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// TabularConfig configures QLearning and SARSA. Zero fields take the
// defaults in brackets.
type TabularConfig struct {
	// Steps is the number of environment steps to train for [100000].
	Steps int
	// Alpha is the learning rate [0.1]; Gamma the discount [0.99].
	Alpha, Gamma float64
	// AlphaEnd, if set, makes the learning rate decay linearly from Alpha
	// to AlphaEnd over all Steps (which makes the final table settle).
	AlphaEnd float64
	// Epsilon-greedy exploration: epsilon decays linearly from
	// EpsilonStart [1] to EpsilonEnd [0.05] over the first
	// ExplorationFraction [0.5] of Steps.
	EpsilonStart, EpsilonEnd, ExplorationFraction float64
	// Seed fixes the exploration and the episodes.
	Seed int64
	// OnEpisode, if set, is called after every training episode.
	OnEpisode func(EpisodeStats)
}

func (c *TabularConfig) defaults() error {
	if c.Steps == 0 {
		c.Steps = 100000
	}
	if c.Alpha == 0 {
		c.Alpha = 0.1
	}
	if c.Gamma == 0 {
		c.Gamma = 0.99
	}
	if c.EpsilonStart == 0 {
		c.EpsilonStart = 1
	}
	if c.EpsilonEnd == 0 {
		c.EpsilonEnd = 0.05
	}
	if c.ExplorationFraction == 0 {
		c.ExplorationFraction = 0.5
	}
	switch {
	case c.Steps < 0:
		return fmt.Errorf("rl: Steps = %d, want > 0", c.Steps)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("rl: Alpha = %v, want in (0, 1]", c.Alpha)
	case !(c.AlphaEnd >= 0 && c.AlphaEnd <= 1):
		return fmt.Errorf("rl: AlphaEnd = %v, want in [0, 1]", c.AlphaEnd)
	case !(c.Gamma >= 0 && c.Gamma <= 1):
		return fmt.Errorf("rl: Gamma = %v, want in [0, 1]", c.Gamma)
	case !(c.EpsilonStart >= 0 && c.EpsilonStart <= 1 && c.EpsilonEnd >= 0 && c.EpsilonEnd <= 1):
		return fmt.Errorf("rl: epsilon %v -> %v, want values in [0, 1]", c.EpsilonStart, c.EpsilonEnd)
	case !(c.ExplorationFraction > 0 && c.ExplorationFraction <= 1):
		return fmt.Errorf("rl: ExplorationFraction = %v, want in (0, 1]", c.ExplorationFraction)
	}
	return nil
}

// QLearning trains a Q-table on env by Watkins' Q-learning:
//
//	Q(s,a) += alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))
//
// with no bootstrap from terminal states (a truncated episode still
// bootstraps), acting epsilon-greedily. env needs Discrete observation and
// action spaces. It stops with ctx's error when ctx is cancelled,
// returning the table as trained so far.
func QLearning(ctx context.Context, env Env, cfg TabularConfig) (*QTable, error) {
	return trainTabular(ctx, env, cfg, false)
}

// SARSA trains a Q-table on env by on-policy SARSA:
//
//	Q(s,a) += alpha * (r + gamma * Q(s',a') - Q(s,a))
//
// where a' is the epsilon-greedy action actually taken next. Otherwise as
// QLearning.
func SARSA(ctx context.Context, env Env, cfg TabularConfig) (*QTable, error) {
	return trainTabular(ctx, env, cfg, true)
}

func trainTabular(ctx context.Context, env Env, cfg TabularConfig, sarsa bool) (*QTable, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	space, ok := env.ObservationSpace().(Discrete)
	if !ok {
		return nil, fmt.Errorf("rl: tabular methods need a Discrete observation space, the environment has %v (use DQN)", env.ObservationSpace())
	}
	nA := env.ActionSpace().N
	q := NewQTable(space.N, nA)
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x7ab))
	next := episodeSeeds(cfg.Seed, 0x7a1)
	eps, alpha := cfg.EpsilonStart, cfg.Alpha
	choose := func(s int) int {
		if rng.Float64() < eps {
			return rng.IntN(nA)
		}
		return q.greedyRandTies(s, rng)
	}
	state := func(obs []float64) (int, error) {
		if !space.Contains(obs) {
			return 0, fmt.Errorf("rl: observation %v outside %v", obs, space)
		}
		return int(obs[0]), nil
	}
	step, episode := 0, 0
	for step < cfg.Steps {
		if err := ctx.Err(); err != nil {
			return q, err
		}
		obs, _ := env.Reset(next())
		s, err := state(obs)
		if err != nil {
			return q, err
		}
		a := choose(s)
		ret, n, sq := 0.0, 0, 0.0
		for step < cfg.Steps {
			eps = linearSchedule(cfg.EpsilonStart, cfg.EpsilonEnd, cfg.ExplorationFraction, step, cfg.Steps)
			if cfg.AlphaEnd > 0 {
				alpha = linearSchedule(cfg.Alpha, cfg.AlphaEnd, 1, step, cfg.Steps)
			}
			o, r, term, trunc, _, err := env.Step(a)
			if err != nil {
				return q, err
			}
			step++
			n++
			ret += r
			s2, err := state(o)
			if err != nil {
				return q, err
			}
			a2 := choose(s2)
			target := r
			if !term {
				if sarsa {
					target += cfg.Gamma * q.Value(s2, a2)
				} else {
					target += cfg.Gamma * q.Value(s2, q.Greedy(s2))
				}
			}
			i := s*nA + a
			td := target - q.Q[i]
			q.Q[i] += alpha * td
			sq += td * td
			s, a = s2, a2
			if term || trunc {
				break
			}
		}
		episode++
		if cfg.OnEpisode != nil {
			cfg.OnEpisode(EpisodeStats{Episode: episode, Step: step, Return: ret, Length: n, Epsilon: eps, Loss: sq / float64(max(n, 1))})
		}
	}
	return q, nil
}
