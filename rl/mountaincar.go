package rl

import "math"

// MountainCar is Gymnasium's MountainCar-v0 (Moore, 1990): drive an
// underpowered car out of a valley to the flag at position 0.5 by rocking
// back and forth. Actions: 0 accelerate left, 1 coast, 2 accelerate right.
// The observation is position and velocity; the position starts uniform in
// [-0.6, -0.4] with zero velocity. Each step:
//
//	velocity += (action-1)*0.001 - 0.0025*cos(3*position), clipped to ±0.07
//	position += velocity, clipped to [-1.2, 0.6]; at -1.2 a leftward velocity becomes 0
//
// Every step gives reward -1; the episode terminates when position >= 0.5
// (and velocity >= 0) and is truncated after 200 steps.
type MountainCar struct {
	episode
	// Constants (Gymnasium's values by default).
	MinPosition, MaxPosition, MaxSpeed, GoalPosition, GoalVelocity, Force, Gravity float64
	state                                                                          [2]float64
}

// NewMountainCar returns MountainCar-v0 with Gymnasium's constants and its
// 200-step limit.
func NewMountainCar() *MountainCar {
	return &MountainCar{
		episode:      episode{name: "MountainCar-v0", maxSteps: 200, nActions: 3},
		MinPosition:  -1.2,
		MaxPosition:  0.6,
		MaxSpeed:     0.07,
		GoalPosition: 0.5,
		Force:        0.001,
		Gravity:      0.0025,
	}
}

// SetMaxEpisodeSteps sets the time limit (0: none).
func (m *MountainCar) SetMaxEpisodeSteps(n int) { m.maxSteps = n }

// ObservationSpace returns Box([-1.2, -0.07], [0.6, 0.07]).
func (m *MountainCar) ObservationSpace() Space {
	return NewBox([]float64{m.MinPosition, -m.MaxSpeed}, []float64{m.MaxPosition, m.MaxSpeed})
}

// ActionSpace returns Discrete(3).
func (m *MountainCar) ActionSpace() Discrete { return Discrete{N: 3} }

// Reset draws the position uniform in [-0.6, -0.4], velocity 0.
func (m *MountainCar) Reset(seed int64) ([]float64, Info) {
	m.reset(seed)
	m.state = [2]float64{-0.6 + 0.2*m.rng.Float64(), 0}
	return []float64{m.state[0], m.state[1]}, nil
}

// SetState starts an episode from (position, velocity); for tests and
// demonstrations.
func (m *MountainCar) SetState(s []float64) error {
	if err := checkState("MountainCar", s, 2); err != nil {
		return err
	}
	m.reset(0)
	copy(m.state[:], s)
	return nil
}

// Step applies the action for one time step.
func (m *MountainCar) Step(action int) ([]float64, float64, bool, bool, Info, error) {
	if err := m.check(action); err != nil {
		return nil, 0, false, false, nil, err
	}
	pos, vel := m.state[0], m.state[1]
	vel += float64(action-1)*m.Force + math.Cos(3*pos)*(-m.Gravity)
	vel = min(max(vel, -m.MaxSpeed), m.MaxSpeed)
	pos += vel
	pos = min(max(pos, m.MinPosition), m.MaxPosition)
	if pos == m.MinPosition && vel < 0 {
		vel = 0
	}
	terminated := pos >= m.GoalPosition && vel >= m.GoalVelocity
	m.state = [2]float64{pos, vel}
	truncated := m.finish(terminated)
	return []float64{pos, vel}, -1, terminated, truncated, nil, nil
}

// Success reports whether the car reached the flag.
func (m *MountainCar) Success(ret float64, terminated, truncated bool) bool { return terminated }
