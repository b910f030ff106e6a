package rl

import "math"

// Acrobot is Gymnasium's Acrobot-v1 (Sutton, 1996; the book's dynamics): two
// links hang from a fixed joint, and a torque of -1, 0 or +1 (actions 0, 1,
// 2) on the joint between them must swing the free end above the height of
// one link above the fixed joint. The state is theta1, theta2 (relative to
// link 1) and their angular velocities, starting uniform in [-0.1, 0.1]
// (rounded to float32, as Gymnasium does); the observation is cos theta1,
// sin theta1, cos theta2, sin theta2, dtheta1, dtheta2. One step integrates
// the equations of motion over 0.2 s with one classical Runge-Kutta step,
// wraps the angles into [-pi, pi] and clips the velocities to ±4pi and
// ±9pi. Reward is -1 per step and 0 on the step that reaches the goal,
// which terminates the episode; episodes are truncated after 500 steps.
type Acrobot struct {
	episode
	state [4]float64
}

// Acrobot constants (Gymnasium's AcrobotEnv).
const (
	acrobotDT     = 0.2
	acrobotL1     = 1.0 // length of link 1
	acrobotM1     = 1.0 // masses
	acrobotM2     = 1.0
	acrobotLC1    = 0.5 // centres of mass
	acrobotLC2    = 0.5
	acrobotI      = 1.0 // moments of inertia
	acrobotG      = 9.8
	acrobotMaxV1  = 4 * math.Pi
	acrobotMaxV2  = 9 * math.Pi
	acrobotLimitS = 500
)

// NewAcrobot returns Acrobot-v1 with its 500-step limit.
func NewAcrobot() *Acrobot {
	return &Acrobot{episode: episode{name: "Acrobot-v1", maxSteps: acrobotLimitS, nActions: 3}}
}

// SetMaxEpisodeSteps sets the time limit (0: none).
func (a *Acrobot) SetMaxEpisodeSteps(n int) { a.maxSteps = n }

// ObservationSpace returns Box([-1 -1 -1 -1 -4pi -9pi], [1 1 1 1 4pi 9pi]).
func (a *Acrobot) ObservationSpace() Space {
	h := []float64{1, 1, 1, 1, acrobotMaxV1, acrobotMaxV2}
	return NewBox([]float64{-1, -1, -1, -1, -acrobotMaxV1, -acrobotMaxV2}, h)
}

// ActionSpace returns Discrete(3).
func (a *Acrobot) ActionSpace() Discrete { return Discrete{N: 3} }

// Reset draws the state uniform in [-0.1, 0.1].
func (a *Acrobot) Reset(seed int64) ([]float64, Info) {
	a.reset(seed)
	for i := range a.state {
		a.state[i] = float64(float32(-0.1 + 0.2*a.rng.Float64()))
	}
	return a.obs(), nil
}

// SetState starts an episode from (theta1, theta2, dtheta1, dtheta2); for
// tests and demonstrations.
func (a *Acrobot) SetState(s []float64) error {
	if err := checkState("Acrobot", s, 4); err != nil {
		return err
	}
	a.reset(0)
	copy(a.state[:], s)
	return nil
}

func (a *Acrobot) obs() []float64 {
	s := a.state
	return []float64{math.Cos(s[0]), math.Sin(s[0]), math.Cos(s[1]), math.Sin(s[1]), s[2], s[3]}
}

// acrobotDeriv is the book's equations of motion under torque tau.
func acrobotDeriv(s [4]float64, tau float64) [4]float64 {
	const m1, m2, l1, lc1, lc2, i1, i2, g = acrobotM1, acrobotM2, acrobotL1, acrobotLC1, acrobotLC2, acrobotI, acrobotI, acrobotG
	theta1, theta2, dtheta1, dtheta2 := s[0], s[1], s[2], s[3]
	d1 := m1*lc1*lc1 + m2*(l1*l1+lc2*lc2+2*l1*lc2*math.Cos(theta2)) + i1 + i2
	d2 := m2*(lc2*lc2+l1*lc2*math.Cos(theta2)) + i2
	phi2 := m2 * lc2 * g * math.Cos(theta1+theta2-math.Pi/2.0)
	phi1 := -m2*l1*lc2*dtheta2*dtheta2*math.Sin(theta2) -
		2*m2*l1*lc2*dtheta2*dtheta1*math.Sin(theta2) +
		(m1*lc1+m2*l1)*g*math.Cos(theta1-math.Pi/2) + phi2
	ddtheta2 := (tau + d2/d1*phi1 - m2*l1*lc2*dtheta1*dtheta1*math.Sin(theta2) - phi2) /
		(m2*lc2*lc2 + i2 - d2*d2/d1)
	ddtheta1 := -(d2*ddtheta2 + phi1) / d1
	return [4]float64{dtheta1, dtheta2, ddtheta1, ddtheta2}
}

func wrapAngle(x, m, M float64) float64 {
	diff := M - m
	for x > M {
		x -= diff
	}
	for x < m {
		x += diff
	}
	return x
}

// Step applies the torque for 0.2 s.
func (a *Acrobot) Step(action int) ([]float64, float64, bool, bool, Info, error) {
	if err := a.check(action); err != nil {
		return nil, 0, false, false, nil, err
	}
	tau := float64(action - 1)
	y0 := a.state
	const dt, dt2 = acrobotDT, acrobotDT / 2
	add := func(y, k [4]float64, h float64) [4]float64 {
		for i := range y {
			y[i] += h * k[i]
		}
		return y
	}
	k1 := acrobotDeriv(y0, tau)
	k2 := acrobotDeriv(add(y0, k1, dt2), tau)
	k3 := acrobotDeriv(add(y0, k2, dt2), tau)
	k4 := acrobotDeriv(add(y0, k3, dt), tau)
	var ns [4]float64
	for i := range ns {
		ns[i] = y0[i] + dt/6.0*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
	}
	ns[0] = wrapAngle(ns[0], -math.Pi, math.Pi)
	ns[1] = wrapAngle(ns[1], -math.Pi, math.Pi)
	ns[2] = min(max(ns[2], -acrobotMaxV1), acrobotMaxV1)
	ns[3] = min(max(ns[3], -acrobotMaxV2), acrobotMaxV2)
	a.state = ns
	terminated := -math.Cos(ns[0])-math.Cos(ns[1]+ns[0]) > 1.0
	reward := -1.0
	if terminated {
		reward = 0
	}
	truncated := a.finish(terminated)
	return a.obs(), reward, terminated, truncated, nil, nil
}

// Success reports whether the free end reached the goal height.
func (a *Acrobot) Success(ret float64, terminated, truncated bool) bool { return terminated }
