// Package rl is ember's reinforcement learning: environments in the shape
// Gymnasium users know (Reset with a seed, Step returning the observation,
// reward, terminated, truncated and info), observation and action spaces,
// built-in environments written in Go with the published dynamics and
// constants (FrozenLake, CartPole, MountainCar, Acrobot), tabular
// Q-learning and SARSA, and DQN on ember's neural networks.
//
// An agent is anything that maps an observation to an action (Policy);
// Evaluate runs a policy greedily and Run trains and evaluates one of the
// built-in algorithms on a registered environment by name.
//
// Observations are []float64: a Box space's values in order, or the single
// index of a Discrete space. Actions are integers in a Discrete action
// space: every agent in the package acts in discrete action spaces.
package rl

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Info carries auxiliary diagnostic values from Reset and Step, like
// Gymnasium's info dict (FrozenLake reports the transition's probability as
// "prob"). It may be nil.
type Info map[string]float64

// Env is an environment an agent acts in.
//
// Reset starts a new episode; the seed fixes everything random in it, so
// that the same seed and the same actions give the same episode. Step
// applies one action and returns the next observation, the reward, whether
// the episode ended in a terminal state (terminated) or was cut off by a
// time limit (truncated), and info. Step returns an error, changing
// nothing, for an action outside the action space or when no episode is
// running (before the first Reset, or after the episode ended).
type Env interface {
	// ObservationSpace describes the observations.
	ObservationSpace() Space
	// ActionSpace describes the actions.
	ActionSpace() Discrete
	// Reset starts a new episode seeded with seed and returns its first
	// observation.
	Reset(seed int64) (obs []float64, info Info)
	// Step applies action.
	Step(action int) (obs []float64, reward float64, terminated, truncated bool, info Info, err error)
}

// SuccessReporter is implemented by environments that say when an episode
// counts as a success (FrozenLake: the goal was reached; CartPole: the pole
// stayed up until the time limit). Evaluate uses it for SuccessRate.
type SuccessReporter interface {
	Success(episodeReturn float64, terminated, truncated bool) bool
}

// Errors returned by Step; test for them with errors.Is.
var (
	// ErrInvalidAction: the action is outside the action space.
	ErrInvalidAction = errors.New("rl: action outside the action space")
	// ErrNotReset: Step was called before the first Reset.
	ErrNotReset = errors.New("rl: Step called before Reset")
	// ErrEpisodeDone: Step was called after the episode terminated or was
	// truncated, without a Reset in between.
	ErrEpisodeDone = errors.New("rl: Step called after the episode ended; call Reset first")
)

// episode is the bookkeeping every built-in environment shares: whether an
// episode is running, how many steps it has taken and its time limit.
type episode struct {
	name     string
	started  bool
	done     bool
	steps    int
	maxSteps int // 0: no limit
	nActions int
	rng      *rand.Rand
}

// newRNG returns the environment generator for a seed.
func newRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x5851f42d4c957f2d))
}

func (e *episode) reset(seed int64) {
	e.started, e.done, e.steps = true, false, 0
	e.rng = newRNG(seed)
}

// check validates a step before it changes anything.
func (e *episode) check(action int) error {
	if !e.started {
		return fmt.Errorf("%w (%s)", ErrNotReset, e.name)
	}
	if e.done {
		return fmt.Errorf("%w (%s, after %d steps)", ErrEpisodeDone, e.name, e.steps)
	}
	if action < 0 || action >= e.nActions {
		return fmt.Errorf("%w: %s got action %d, want 0..%d (Discrete(%d))", ErrInvalidAction, e.name, action, e.nActions-1, e.nActions)
	}
	return nil
}

// finish counts a step and reports truncation by the time limit.
func (e *episode) finish(terminated bool) (truncated bool) {
	e.steps++
	truncated = !terminated && e.maxSteps > 0 && e.steps >= e.maxSteps
	e.done = terminated || truncated
	return truncated
}

// Steps returns the number of steps taken in the current episode.
func (e *episode) Steps() int { return e.steps }
