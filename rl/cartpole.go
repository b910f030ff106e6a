package rl

import (
	"fmt"
	"math"
)

// CartPole is Gymnasium's CartPole-v1 (Barto, Sutton and Anderson's
// cart-pole): push a cart left (action 0) or right (action 1) with a force
// of 10 N to keep the pole on it upright. The observation is cart
// position, cart velocity, pole angle and pole angular velocity; the state
// starts uniform in [-0.05, 0.05]; the dynamics are integrated with
// explicit Euler steps of 0.02 s, exactly as Gymnasium does. Every step
// gives reward 1; the episode terminates when the pole leans more than 12
// degrees or the cart leaves [-2.4, 2.4], and is truncated after 500 steps.
type CartPole struct {
	episode
	// Physical constants (Gymnasium's values by default).
	Gravity, MassCart, MassPole, Length, ForceMag, Tau float64
	// Termination thresholds: pole angle in radians, cart position.
	ThetaThreshold, XThreshold float64
	state                      [4]float64
}

// NewCartPole returns CartPole-v1 with Gymnasium's constants and its
// 500-step limit.
func NewCartPole() *CartPole {
	return &CartPole{
		episode:        episode{name: "CartPole-v1", maxSteps: 500, nActions: 2},
		Gravity:        9.8,
		MassCart:       1.0,
		MassPole:       0.1,
		Length:         0.5, // half the pole's length
		ForceMag:       10.0,
		Tau:            0.02,
		ThetaThreshold: 12 * 2 * math.Pi / 360,
		XThreshold:     2.4,
	}
}

// SetMaxEpisodeSteps sets the time limit (0: none; CartPole-v0 used 200).
func (c *CartPole) SetMaxEpisodeSteps(n int) { c.maxSteps = n }

// ObservationSpace returns Gymnasium's box: ±4.8, ±MaxFloat32, ±0.419 rad,
// ±MaxFloat32.
func (c *CartPole) ObservationSpace() Space {
	h := []float64{c.XThreshold * 2, math.MaxFloat32, c.ThetaThreshold * 2, math.MaxFloat32}
	return NewBox([]float64{-h[0], -h[1], -h[2], -h[3]}, h)
}

// ActionSpace returns Discrete(2).
func (c *CartPole) ActionSpace() Discrete { return Discrete{N: 2} }

// Reset draws the state uniform in [-0.05, 0.05].
func (c *CartPole) Reset(seed int64) ([]float64, Info) {
	c.reset(seed)
	for i := range c.state {
		c.state[i] = -0.05 + 0.1*c.rng.Float64()
	}
	return c.obs(), nil
}

// SetState starts an episode from the given state (x, x_dot, theta,
// theta_dot), as Reset does with a drawn one; for tests and
// demonstrations. It returns an error unless s has 4 finite values.
func (c *CartPole) SetState(s []float64) error {
	if err := checkState("CartPole", s, 4); err != nil {
		return err
	}
	c.reset(0)
	copy(c.state[:], s)
	return nil
}

func (c *CartPole) obs() []float64 { return []float64{c.state[0], c.state[1], c.state[2], c.state[3]} }

// Step applies the force and advances the physics by Tau.
func (c *CartPole) Step(action int) ([]float64, float64, bool, bool, Info, error) {
	if err := c.check(action); err != nil {
		return nil, 0, false, false, nil, err
	}
	x, xDot, theta, thetaDot := c.state[0], c.state[1], c.state[2], c.state[3]
	force := -c.ForceMag
	if action == 1 {
		force = c.ForceMag
	}
	cosT, sinT := math.Cos(theta), math.Sin(theta)
	totalMass := c.MassPole + c.MassCart
	poleMassLength := c.MassPole * c.Length
	temp := (force + poleMassLength*thetaDot*thetaDot*sinT) / totalMass
	thetaAcc := (c.Gravity*sinT - cosT*temp) / (c.Length * (4.0/3.0 - c.MassPole*cosT*cosT/totalMass))
	xAcc := temp - poleMassLength*thetaAcc*cosT/totalMass
	// Explicit Euler, in Gymnasium's order: positions use the old velocities.
	x += c.Tau * xDot
	xDot += c.Tau * xAcc
	theta += c.Tau * thetaDot
	thetaDot += c.Tau * thetaAcc
	c.state = [4]float64{x, xDot, theta, thetaDot}
	terminated := x < -c.XThreshold || x > c.XThreshold || theta < -c.ThetaThreshold || theta > c.ThetaThreshold
	truncated := c.finish(terminated)
	return c.obs(), 1, terminated, truncated, nil, nil
}

// Success reports whether the pole stayed up until the time limit.
func (c *CartPole) Success(ret float64, terminated, truncated bool) bool {
	return truncated && !terminated
}

func checkState(env string, s []float64, n int) error {
	if len(s) != n {
		return fmt.Errorf("rl: %s state has %d values, want %d", env, len(s), n)
	}
	for i, v := range s {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("rl: %s state value %d is %v", env, i, v)
		}
	}
	return nil
}
