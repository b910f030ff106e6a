package rl

import "fmt"

// TimeLimit wraps an environment, like Gymnasium's TimeLimit and
// OrderEnforcing wrappers: episodes are truncated after MaxEpisodeSteps
// steps, and Step returns ErrNotReset before the first Reset and
// ErrEpisodeDone after an episode ended, whatever the wrapped environment
// does. It passes the wrapped environment's SuccessReporter through.
type TimeLimit struct {
	Env             Env
	MaxEpisodeSteps int

	started, done bool
	steps         int
}

// WithTimeLimit returns env truncated after maxSteps steps per episode; it
// returns an error unless maxSteps > 0.
func WithTimeLimit(env Env, maxSteps int) (*TimeLimit, error) {
	if maxSteps <= 0 {
		return nil, fmt.Errorf("rl.WithTimeLimit: max steps %d, want > 0", maxSteps)
	}
	return &TimeLimit{Env: env, MaxEpisodeSteps: maxSteps}, nil
}

// ObservationSpace returns the wrapped environment's.
func (t *TimeLimit) ObservationSpace() Space { return t.Env.ObservationSpace() }

// ActionSpace returns the wrapped environment's.
func (t *TimeLimit) ActionSpace() Discrete { return t.Env.ActionSpace() }

// Reset starts a new episode of the wrapped environment.
func (t *TimeLimit) Reset(seed int64) ([]float64, Info) {
	t.started, t.done, t.steps = true, false, 0
	return t.Env.Reset(seed)
}

// Step checks the episode and the action, steps the wrapped environment
// and truncates at the limit.
func (t *TimeLimit) Step(action int) ([]float64, float64, bool, bool, Info, error) {
	switch {
	case !t.started:
		return nil, 0, false, false, nil, fmt.Errorf("%w (TimeLimit)", ErrNotReset)
	case t.done:
		return nil, 0, false, false, nil, fmt.Errorf("%w (TimeLimit, after %d steps)", ErrEpisodeDone, t.steps)
	case !t.ActionSpace().ContainsInt(action):
		return nil, 0, false, false, nil, fmt.Errorf("%w: got action %d, want 0..%d (%v)", ErrInvalidAction, action, t.ActionSpace().N-1, t.ActionSpace())
	}
	obs, r, term, trunc, info, err := t.Env.Step(action)
	if err != nil {
		return obs, r, term, trunc, info, err
	}
	t.steps++
	if !term && t.steps >= t.MaxEpisodeSteps {
		trunc = true
	}
	t.done = term || trunc
	return obs, r, term, trunc, info, nil
}

// Success asks the wrapped environment, if it is a SuccessReporter; else
// it reports false.
func (t *TimeLimit) Success(ret float64, terminated, truncated bool) bool {
	if s, ok := t.Env.(SuccessReporter); ok {
		return s.Success(ret, terminated, truncated)
	}
	return false
}
