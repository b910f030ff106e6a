package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ember-ml/ember/rl"
)

// trainRL trains an agent with rl.Run and prints the evaluation.
func trainRL(ctx context.Context, o *options, progress io.Writer) (any, error) {
	if _, err := rl.Make(o.env); err != nil {
		return nil, usagef("-rl %q: unknown environment (known: %s)", o.env, strings.Join(rl.Envs(), ", "))
	}
	if o.algo != "" && !slices.Contains(rl.Algos(), o.algo) {
		return nil, usagef("-algo %q: unknown algorithm (known: %s)", o.algo, strings.Join(rl.Algos(), ", "))
	}
	res, err := rl.Run(ctx, rl.RunConfig{
		Env: o.env, Algo: o.algo, Steps: o.steps, Seed: o.seed,
		SavePath: o.save, Progress: progress,
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "%s with %s: %d training steps, greedy policy over %d episodes: mean return %.2f ± %.2f",
		res.Env, res.Algo, res.TrainSteps, len(res.Returns), res.MeanReturn, res.StdReturn)
	if res.SuccessRate > 0 || strings.HasPrefix(res.Env, "FrozenLake") {
		fmt.Fprintf(progress, ", success rate %.2f", res.SuccessRate)
	}
	fmt.Fprintf(progress, " (%.1f s)\n", res.WallSeconds)
	if o.save != "" {
		fmt.Fprintf(progress, "policy saved to %s\n", o.save)
	}
	return res, nil
}
