package rl

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Policy chooses an action for an observation. Trained agents (QTable,
// DQN's QNetwork) are policies that act greedily.
type Policy interface {
	Act(obs []float64) int
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(obs []float64) int

// Act calls f.
func (f PolicyFunc) Act(obs []float64) int { return f(obs) }

// EpisodeStats reports one finished training episode to a progress
// callback.
type EpisodeStats struct {
	// Episode counts finished episodes from 1; Step is the number of
	// environment steps taken so far in training.
	Episode, Step int
	// Return is the episode's undiscounted return, Length its steps.
	Return float64
	Length int
	// Epsilon is the exploration rate at the episode's end.
	Epsilon float64
	// Loss is the mean TD loss of the updates during the episode (DQN;
	// for tabular methods the mean squared TD error).
	Loss float64
}

// EvalResult is what Evaluate measured.
type EvalResult struct {
	// Returns and Lengths of each episode.
	Returns []float64
	Lengths []int
	// Mean and Std (population) of the returns.
	Mean, Std float64
	// SuccessRate is the fraction of episodes the environment counts as a
	// success (see SuccessReporter); NaN if it does not say.
	SuccessRate float64
}

// episodeSeeds returns a generator of per-episode seeds for a run seed and
// a stream (so that training and evaluation see different episodes).
func episodeSeeds(seed int64, stream uint64) func() int64 {
	r := rand.New(rand.NewPCG(uint64(seed), stream))
	return func() int64 { return int64(r.Uint64() >> 1) }
}

// Evaluate runs the policy for episodes episodes of env, seeded from seed,
// and returns the returns, their mean and standard deviation, and the
// success rate. It stops with ctx's error when ctx is cancelled and
// returns the error of a failing Step.
func Evaluate(ctx context.Context, env Env, p Policy, episodes int, seed int64) (EvalResult, error) {
	if episodes <= 0 {
		return EvalResult{}, fmt.Errorf("rl.Evaluate: episodes = %d, want > 0", episodes)
	}
	next := episodeSeeds(seed, 0xe7a1)
	res := EvalResult{Returns: make([]float64, 0, episodes), Lengths: make([]int, 0, episodes)}
	sr, hasSuccess := env.(SuccessReporter)
	succ := 0
	for ep := 0; ep < episodes; ep++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		obs, _ := env.Reset(next())
		ret, n := 0.0, 0
		for {
			o, r, term, trunc, _, err := env.Step(p.Act(obs))
			if err != nil {
				return res, err
			}
			ret += r
			n++
			obs = o
			if term || trunc {
				if hasSuccess && sr.Success(ret, term, trunc) {
					succ++
				}
				break
			}
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return res, err
				}
			}
		}
		res.Returns = append(res.Returns, ret)
		res.Lengths = append(res.Lengths, n)
	}
	res.Mean, res.Std = meanStd(res.Returns)
	res.SuccessRate = math.NaN()
	if hasSuccess {
		res.SuccessRate = float64(succ) / float64(episodes)
	}
	return res, nil
}

func meanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return 0, 0
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}

// linearSchedule decays from start to end over the first frac of total
// steps, then stays at end (Stable-Baselines3's exploration schedule).
func linearSchedule(start, end, frac float64, step, total int) float64 {
	span := frac * float64(total)
	if span <= 0 || float64(step) >= span {
		return end
	}
	return start + (end-start)*float64(step)/span
}
