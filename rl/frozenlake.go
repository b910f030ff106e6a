package rl

import (
	"fmt"
	"strings"
)

// FrozenLake actions, as in Gymnasium.
const (
	Left  = 0
	Down  = 1
	Right = 2
	Up    = 3
)

// FrozenLakeMap4x4 and FrozenLakeMap8x8 are Gymnasium's built-in maps:
// S start, F frozen, H hole, G goal.
var (
	FrozenLakeMap4x4 = []string{"SFFF", "FHFH", "FFFH", "HFFG"}
	FrozenLakeMap8x8 = []string{
		"SFFFFFFF",
		"FFFFFFFF",
		"FFFHFFFF",
		"FFFFFHFF",
		"FFFHFFFF",
		"FHHFFFHF",
		"FHFFHFHF",
		"FFFHFFFG",
	}
)

// Transition is one possible outcome of an action: with probability Prob
// the agent moves to State, receives Reward, and the episode terminates if
// Terminated.
type Transition struct {
	Prob       float64
	State      int
	Reward     float64
	Terminated bool
}

// FrozenLake is Gymnasium's FrozenLake-v1: cross a frozen lake from the
// start S to the goal G without falling into a hole H. The observation is
// the cell index row*ncol+col; actions are Left, Down, Right, Up. Reaching
// the goal gives reward 1 and ends the episode, falling into a hole ends it
// with reward 0. On a slippery lake the agent moves in the intended
// direction with probability 1/3 and in each perpendicular direction with
// probability 1/3. Episodes are truncated after 100 steps on 4x4 maps and
// 200 on 8x8 maps (Gymnasium's registered limits), else 100.
type FrozenLake struct {
	episode
	desc     []string
	nrow     int
	ncol     int
	slippery bool
	starts   []int
	p        [][][]Transition // [state][action]
	s        int
}

// NewFrozenLake returns a lake with the given map (rows of S, F, H, G; at
// least one S, uniform over them at reset). It returns an error for a map
// that is empty, ragged, has other letters or no start.
func NewFrozenLake(desc []string, slippery bool) (*FrozenLake, error) {
	if len(desc) == 0 || len(desc[0]) == 0 {
		return nil, fmt.Errorf("rl.NewFrozenLake: empty map")
	}
	nrow, ncol := len(desc), len(desc[0])
	var starts []int
	for r, row := range desc {
		if len(row) != ncol {
			return nil, fmt.Errorf("rl.NewFrozenLake: row %d has %d cells, row 0 has %d", r, len(row), ncol)
		}
		for c, ch := range []byte(row) {
			if !strings.ContainsRune("SFHG", rune(ch)) {
				return nil, fmt.Errorf("rl.NewFrozenLake: row %d col %d: letter %q, want one of S F H G", r, c, ch)
			}
			if ch == 'S' {
				starts = append(starts, r*ncol+c)
			}
		}
	}
	if len(starts) == 0 {
		return nil, fmt.Errorf("rl.NewFrozenLake: map has no start S")
	}
	name := "FrozenLake-v1"
	maxSteps := 100
	if nrow == 8 && ncol == 8 {
		name, maxSteps = "FrozenLake8x8-v1", 200
	}
	f := &FrozenLake{
		episode:  episode{name: name, maxSteps: maxSteps, nActions: 4},
		desc:     append([]string(nil), desc...),
		nrow:     nrow,
		ncol:     ncol,
		slippery: slippery,
		starts:   starts,
	}
	f.build()
	return f, nil
}

func (f *FrozenLake) build() {
	nS := f.nrow * f.ncol
	f.p = make([][][]Transition, nS)
	move := func(row, col, a int) (int, float64, bool) {
		switch a {
		case Left:
			col = max(col-1, 0)
		case Down:
			row = min(row+1, f.nrow-1)
		case Right:
			col = min(col+1, f.ncol-1)
		case Up:
			row = max(row-1, 0)
		}
		letter := f.desc[row][col]
		reward := 0.0
		if letter == 'G' {
			reward = 1
		}
		return row*f.ncol + col, reward, letter == 'G' || letter == 'H'
	}
	for row := 0; row < f.nrow; row++ {
		for col := 0; col < f.ncol; col++ {
			s := row*f.ncol + col
			f.p[s] = make([][]Transition, 4)
			for a := 0; a < 4; a++ {
				letter := f.desc[row][col]
				switch {
				case letter == 'G' || letter == 'H':
					f.p[s][a] = []Transition{{1, s, 0, true}}
				case f.slippery:
					for _, b := range []int{(a + 3) % 4, a, (a + 1) % 4} {
						ns, r, t := move(row, col, b)
						f.p[s][a] = append(f.p[s][a], Transition{1.0 / 3.0, ns, r, t})
					}
				default:
					ns, r, t := move(row, col, a)
					f.p[s][a] = []Transition{{1, ns, r, t}}
				}
			}
		}
	}
}

// SetMaxEpisodeSteps sets the time limit (0: none).
func (f *FrozenLake) SetMaxEpisodeSteps(n int) { f.maxSteps = n }

// Slippery reports whether the lake is slippery.
func (f *FrozenLake) Slippery() bool { return f.slippery }

// Rows and Cols return the map's size.
func (f *FrozenLake) Rows() int { return f.nrow }

// Cols returns the number of columns.
func (f *FrozenLake) Cols() int { return f.ncol }

// Transitions returns the possible outcomes of action a in state s (the
// model, Gymnasium's env.P[s][a]); for dynamic programming and tests.
func (f *FrozenLake) Transitions(s, a int) []Transition { return f.p[s][a] }

// ObservationSpace returns Discrete(rows*cols).
func (f *FrozenLake) ObservationSpace() Space { return Discrete{N: f.nrow * f.ncol} }

// ActionSpace returns Discrete(4).
func (f *FrozenLake) ActionSpace() Discrete { return Discrete{N: 4} }

// Reset puts the agent on a start cell; info["prob"] is 1.
func (f *FrozenLake) Reset(seed int64) ([]float64, Info) {
	f.reset(seed)
	f.s = f.starts[0]
	if len(f.starts) > 1 {
		f.s = f.starts[f.rng.IntN(len(f.starts))]
	}
	return []float64{float64(f.s)}, Info{"prob": 1}
}

// Step moves the agent; info["prob"] is the probability of the outcome.
func (f *FrozenLake) Step(action int) ([]float64, float64, bool, bool, Info, error) {
	if err := f.check(action); err != nil {
		return nil, 0, false, false, nil, err
	}
	ts := f.p[f.s][action]
	t := ts[0]
	if len(ts) > 1 {
		u := f.rng.Float64()
		acc := 0.0
		t = ts[len(ts)-1]
		for _, c := range ts {
			acc += c.Prob
			if u < acc {
				t = c
				break
			}
		}
	}
	f.s = t.State
	truncated := f.finish(t.Terminated)
	return []float64{float64(t.State)}, t.Reward, t.Terminated, truncated, Info{"prob": t.Prob}, nil
}

// Success reports whether the episode reached the goal.
func (f *FrozenLake) Success(ret float64, terminated, truncated bool) bool {
	return terminated && ret > 0
}

// String draws the lake with the agent's cell in brackets.
func (f *FrozenLake) String() string {
	var b strings.Builder
	for r, row := range f.desc {
		for c := range row {
			if f.started && r*f.ncol+c == f.s {
				fmt.Fprintf(&b, "[%c]", row[c])
			} else {
				fmt.Fprintf(&b, " %c ", row[c])
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
