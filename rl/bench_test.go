package rl

import (
	"context"
	"testing"
)

// BenchmarkCartPoleStep measures CartPole-v1 environment steps with no
// learning (alternating actions, resetting at episode ends). Compare with
// bench/peers/rl_cartpole.py, a Python loop over the same equations.
func BenchmarkCartPoleStep(b *testing.B) {
	env := NewCartPole()
	env.Reset(0)
	seed := int64(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _, term, trunc, _, err := env.Step(i & 1)
		if err != nil {
			b.Fatal(err)
		}
		if term || trunc {
			env.Reset(seed)
			seed++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkFrozenLakeQLearning measures tabular Q-learning steps on the
// slippery 4x4 lake.
func BenchmarkFrozenLakeQLearning(b *testing.B) {
	env, _ := NewFrozenLake(FrozenLakeMap4x4, true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := QLearning(context.Background(), env, TabularConfig{Steps: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkDQNCartPole trains DQN on CartPole-v1 with Run's defaults
// (50,000 steps, seed 0) and evaluates it over 100 episodes; it reports the
// mean evaluation return. This is the target run, kept out of the
// unit tests for its length:
//
//	go test ./rl -run '^$' -bench DQNCartPole -benchtime 1x
func BenchmarkDQNCartPole(b *testing.B) {
	for b.Loop() {
		res, err := Run(context.Background(), RunConfig{Env: "CartPole-v1", Algo: "dqn", Seed: 0})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.MeanReturn, "mean_return")
		b.ReportMetric(res.SuccessRate, "success_rate")
	}
}
