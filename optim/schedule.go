package optim

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate for an epoch (0-based) as a pure
// function of the epoch, so that training resumed at epoch k gets the same
// rate as an uninterrupted run. nn's LearningRateScheduler callback applies
// one to an optimizer at the start of each epoch.
type Schedule interface {
	At(epoch int) float64
}

// ScheduleFunc adapts a function to Schedule.
type ScheduleFunc func(epoch int) float64

// At implements Schedule.
func (f ScheduleFunc) At(epoch int) float64 { return f(epoch) }

// StepLR multiplies the initial rate by Gamma every StepSize epochs:
// lr = Initial * Gamma^floor(epoch/StepSize), as torch's StepLR.
type StepLR struct {
	Initial  float64
	StepSize int
	Gamma    float64
}

// At implements Schedule.
func (s StepLR) At(epoch int) float64 {
	if s.StepSize <= 0 {
		panic(fmt.Sprintf("optim: StepLR step size %d, want > 0", s.StepSize))
	}
	return s.Initial * math.Pow(s.Gamma, float64(max(epoch, 0)/s.StepSize))
}

// ExponentialLR decays the rate by Gamma every epoch:
// lr = Initial * Gamma^epoch.
type ExponentialLR struct {
	Initial float64
	Gamma   float64
}

// At implements Schedule.
func (s ExponentialLR) At(epoch int) float64 {
	return s.Initial * math.Pow(s.Gamma, float64(max(epoch, 0)))
}

// CosineAnnealing anneals the rate from Initial to Min along half a cosine
// over TMax epochs, then stays at Min:
// lr = Min + (Initial-Min)*(1+cos(pi*epoch/TMax))/2 (torch's
// CosineAnnealingLR without restarts, in closed form).
type CosineAnnealing struct {
	Initial float64
	Min     float64
	TMax    int
}

// At implements Schedule.
func (s CosineAnnealing) At(epoch int) float64 {
	if s.TMax <= 0 {
		panic(fmt.Sprintf("optim: CosineAnnealing TMax %d, want > 0", s.TMax))
	}
	e := min(max(epoch, 0), s.TMax)
	return s.Min + (s.Initial-s.Min)*(1+math.Cos(math.Pi*float64(e)/float64(s.TMax)))/2
}

// ReduceLROnPlateau multiplies an optimizer's learning rate by Factor when
// a monitored value has not improved by more than MinDelta (absolute) for
// more than Patience epochs in a row, then waits Cooldown epochs before
// counting again, and never goes below MinLR; the counting follows torch's
// ReduceLROnPlateau. Mode "min" (the default) treats lower as better,
// "max" higher. Feed it one value per epoch with Update.
type ReduceLROnPlateau struct {
	Factor   float64 // default 0.1 when zero
	Patience int
	MinDelta float64
	Cooldown int
	MinLR    float64
	Mode     string

	best     float64
	started  bool
	wait     int
	cooldown int
}

// Update records the epoch's monitored value and, when it is time, lowers
// opt's learning rate. It returns whether it did. NaN values count as no
// improvement.
func (r *ReduceLROnPlateau) Update(opt Optimizer, value float64) bool {
	factor := r.Factor
	if factor == 0 {
		factor = 0.1
	}
	if !(factor > 0 && factor < 1) {
		panic(fmt.Sprintf("optim: ReduceLROnPlateau factor %v, want in (0, 1)", factor))
	}
	better := func(v float64) bool {
		if !r.started {
			return !math.IsNaN(v)
		}
		if r.Mode == "max" {
			return v > r.best+r.MinDelta
		}
		return v < r.best-r.MinDelta
	}
	if better(value) {
		r.best = value
		r.started = true
		r.wait = 0
	} else {
		r.wait++
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.wait = 0
	}
	if r.wait <= r.Patience {
		return false
	}
	old := opt.LR()
	lr := math.Max(old*factor, r.MinLR)
	r.wait = 0
	r.cooldown = r.Cooldown
	if lr < old {
		opt.SetLR(lr)
		return true
	}
	return false
}
