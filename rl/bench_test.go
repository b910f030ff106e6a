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
