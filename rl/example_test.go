package rl_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ember-ml/ember/rl"
)

// Q-learning on the non-slippery 4x4 FrozenLake, then a greedy evaluation.
func Example_qLearning() {
	env, err := rl.Make("FrozenLake-v1-nonslippery")
	if err != nil {
		panic(err)
	}
	q, err := rl.QLearning(context.Background(), env, rl.TabularConfig{Steps: 20000, Alpha: 0.1, Gamma: 0.99, Seed: 1})
	if err != nil {
		panic(err)
	}
	res, err := rl.Evaluate(context.Background(), env, q, 100, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("success rate %.2f, episode length %d\n", res.SuccessRate, res.Lengths[0])
	// Output: success rate 1.00, episode length 6
}

// Stepping an environment by hand, Gymnasium style.
func ExampleEnv() {
	env := rl.NewCartPole()
	obs, _ := env.Reset(42)
	total := 0.0
	for {
		action := 0
		if obs[2]+0.5*obs[3] > 0 { // push towards where the pole leans
			action = 1
		}
		var r float64
		var terminated, truncated bool
		var err error
		obs, r, terminated, truncated, _, err = env.Step(action)
		if err != nil {
			panic(err)
		}
		total += r
		if terminated || truncated {
			break
		}
	}
	fmt.Println("return", total)
	_, _, _, _, _, err := env.Step(0)
	fmt.Println(err)
	// Output:
	// return 500
	// rl: Step called after the episode ended; call Reset first (CartPole-v1, after 500 steps)
}

// DQN on CartPole, saved as an nn model directory and loaded back as a
// policy. (A full run is rl.Run with Algo "dqn": 100,000 steps.)
func Example_dqn() {
	env := rl.NewCartPole()
	net, err := rl.DQN(context.Background(), env, rl.DQNConfig{
		Steps: 2000, LearningStarts: 500, TrainFreq: 4, GradientSteps: 1,
		DoubleDQN: true, Seed: 1,
	})
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "dqn")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := net.Save(filepath.Join(dir, "cartpole-dqn")); err != nil {
		panic(err)
	}
	policy, err := rl.LoadPolicy(filepath.Join(dir, "cartpole-dqn"))
	if err != nil {
		panic(err)
	}
	same := true
	obs, _ := env.Reset(7)
	for i := 0; i < 50; i++ {
		a := policy.Act(obs)
		same = same && a == net.Act(obs)
		var done, trunc bool
		obs, _, done, trunc, _, _ = env.Step(a)
		if done || trunc {
			obs, _ = env.Reset(int64(i))
		}
	}
	fmt.Println("network sizes:", net.Sizes, "loaded policy acts the same:", same)
	// Output: network sizes: [4 64 64 2] loaded policy acts the same: true
}

// Run trains and evaluates by name, as cmd/train -rl does.
func ExampleRun() {
	res, err := rl.Run(context.Background(), rl.RunConfig{Env: "FrozenLake-v1-nonslippery", Algo: "q_learning", Steps: 20000, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %s: mean return %.2f over %d episodes, success rate %.2f\n", res.Env, res.Algo, res.MeanReturn, len(res.Returns), res.SuccessRate)
	_, err = rl.Run(context.Background(), rl.RunConfig{Env: "CartPole-v1", Algo: "q_learning"})
	fmt.Println(err)
	// Output:
	// FrozenLake-v1-nonslippery q_learning: mean return 1.00 over 100 episodes, success rate 1.00
	// rl: tabular methods need a Discrete observation space, the environment has Box([-4.8 -3.403e+38 -0.4189 -3.403e+38], [4.8 3.403e+38 0.4189 3.403e+38], (4,)) (use DQN)
}
