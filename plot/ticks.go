package plot

import (
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
)

// integerTicks labels only whole numbers, at a step that keeps about six
// labels, so that epochs and k values never show as 2.5.
type integerTicks struct{}

// Ticks implements plot.Ticker.
func (integerTicks) Ticks(lo, hi float64) []gplot.Tick {
	first, last := math.Ceil(lo), math.Floor(hi)
	if last < first {
		return gplot.DefaultTicks{}.Ticks(lo, hi)
	}
	span := last - first
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000} {
		step = s
		if span/s <= 8 {
			break
		}
	}
	if span/step > 8 { // very long histories
		step = math.Pow(10, math.Ceil(math.Log10(span/8)))
	}
	var ticks []gplot.Tick
	start := math.Ceil(first/step) * step
	if start > first && step >= 5 && first == 1 {
		// Epochs count from 1: show 1 as well as the round numbers.
		ticks = append(ticks, gplot.Tick{Value: 1, Label: "1"})
	}
	for v := start; v <= last; v += step {
		ticks = append(ticks, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks
}

// fixedTicks labels exactly the given values.
type fixedTicks []float64

// Ticks implements plot.Ticker.
func (f fixedTicks) Ticks(lo, hi float64) []gplot.Tick {
	ticks := make([]gplot.Tick, 0, len(f))
	for _, v := range f {
		if v >= lo-1e-9 && v <= hi+1e-9 {
			ticks = append(ticks, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
		}
	}
	return ticks
}
