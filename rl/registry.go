package rl

import (
	"fmt"
	"sort"
	"strings"
)

// registry maps the names Make accepts to constructors.
var registry = map[string]func() Env{
	"FrozenLake-v1": func() Env { f, _ := NewFrozenLake(FrozenLakeMap4x4, true); return f },
	"FrozenLake-v1-nonslippery": func() Env {
		f, _ := NewFrozenLake(FrozenLakeMap4x4, false)
		return f
	},
	"FrozenLake8x8-v1": func() Env { f, _ := NewFrozenLake(FrozenLakeMap8x8, true); return f },
	"FrozenLake8x8-v1-nonslippery": func() Env {
		f, _ := NewFrozenLake(FrozenLakeMap8x8, false)
		return f
	},
	"CartPole-v1":    func() Env { return NewCartPole() },
	"MountainCar-v0": func() Env { return NewMountainCar() },
	"Acrobot-v1":     func() Env { return NewAcrobot() },
}

// Envs returns the names Make accepts, sorted: Gymnasium's ids, and
// FrozenLake with "-nonslippery" for is_slippery=False.
func Envs() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Make returns a new environment by name (see Envs); the name is matched
// without regard to case.
func Make(name string) (Env, error) {
	for n, mk := range registry {
		if strings.EqualFold(n, name) {
			return mk(), nil
		}
	}
	return nil, fmt.Errorf("rl: unknown environment %q (have %s)", name, strings.Join(Envs(), ", "))
}
