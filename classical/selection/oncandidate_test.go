package selection_test

import (
	"errors"
	"testing"

	"github.com/ember-ml/ember/classical/internal/testdata"
	"github.com/ember-ml/ember/classical/linear"
	"github.com/ember-ml/ember/classical/selection"
	"github.com/ember-ml/ember/track"
)

// OnCandidate reports every candidate, in order, with the scores the
// search's Results hold; this is how a search logs to a tracking run.
func TestOnCandidateLogsToATrackingRun(t *testing.T) {
	X, y, err := testdata.Load("wine_data.csv")
	if err != nil {
		t.Fatal(err)
	}
	st, err := track.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.StartRun("search", "ridge-alpha")
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	s := selection.NewGridSearchCV(linear.NewRidge(), selection.Grid{"alpha": {0.1, 1.0, 10.0}}, selection.CV(3),
		selection.OnCandidate(func(i int, params map[string]any, mean, std float64) error {
			seen = append(seen, i)
			return run.LogMetrics(map[string]float64{"mean_test_score": mean, "std_test_score": std}, i)
		}))
	if err := s.Fit(ctx, X, y); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[0] != 0 || seen[2] != 2 {
		t.Fatalf("candidates reported %v", seen)
	}
	pts, err := track.ReadMetric(run.Dir(), "mean_test_score")
	if err != nil {
		t.Fatal(err)
	}
	res := s.Results()
	for i, p := range pts {
		if p.Step != i || p.Value != res.MeanTestScore[i] {
			t.Errorf("logged point %d = %+v, want step %d value %v", i, p, i, res.MeanTestScore[i])
		}
	}
	stop := errors.New("stop here")
	s = selection.NewGridSearchCV(linear.NewRidge(), selection.Grid{"alpha": {0.1, 1.0}}, selection.CV(3),
		selection.OnCandidate(func(int, map[string]any, float64, float64) error { return stop }))
	if err := s.Fit(ctx, X, y); !errors.Is(err, stop) {
		t.Fatalf("callback error not returned: %v", err)
	}
}
