package selection

import (
	"encoding/json"
	"fmt"

	"github.com/ember-ml/ember/classical"
)

func init() {
	classical.Register("selection.GridSearchCV", func() classical.Estimator { return NewGridSearchCV(nil, nil) })
	classical.Register("selection.RandomizedSearchCV", func() classical.Estimator { return NewRandomizedSearchCV(nil, nil) })
}

// A search is saved with its (unfitted) base estimator, its grid, the
// results table and the refitted best estimator. Its options (CV,
// Scoring, Jobs, ...) are code, not data, and are not saved: a loaded
// search predicts, reports its results and best parameters as the saved
// one did, but Score uses the estimator's default scoring, and a new Fit
// uses the default options (and, for a RandomizedSearchCV, no
// distributions: refit it from code instead).

type searchState struct {
	Base      *classical.Document `json:"estimator,omitempty"`
	Grid      Grid                `json:"grid,omitempty"`
	Best      *classical.Document `json:"best_estimator,omitempty"`
	BestIndex int                 `json:"best_index"`
	Results   *resultsState       `json:"cv_results,omitempty"`
}

// resultsState is SearchResults with the scores stored bit-exact (NaN
// included, for failed fits scored with ErrorScore(NaN)).
type resultsState struct {
	Params         []map[string]any   `json:"params"`
	SplitTest      []classical.Floats `json:"split_test_score"`
	MeanTestScore  classical.Floats   `json:"mean_test_score"`
	StdTestScore   classical.Floats   `json:"std_test_score"`
	RankTestScore  []int              `json:"rank_test_score"`
	SplitTrain     []classical.Floats `json:"split_train_score,omitempty"`
	MeanTrainScore classical.Floats   `json:"mean_train_score,omitempty"`
	MeanFitTime    classical.Floats   `json:"mean_fit_time"`
	MeanScoreTime  classical.Floats   `json:"mean_score_time"`
}

// TypeName implements classical.Persistable.
func (s *Search) TypeName() string { return "selection." + s.name() }

// MarshalState implements classical.Persistable.
func (s *Search) MarshalState() ([]byte, error) {
	st := searchState{Grid: s.grid, BestIndex: s.best}
	var err error
	if s.est != nil {
		if st.Base, err = classical.Encode(s.est.Clone()); err != nil {
			return nil, fmt.Errorf("the base estimator: %w", err)
		}
	}
	if s.bestEst != nil {
		if st.Best, err = classical.Encode(s.bestEst); err != nil {
			return nil, fmt.Errorf("the best estimator: %w", err)
		}
	}
	if r := s.results; r != nil {
		rs := &resultsState{Params: r.Params, MeanTestScore: r.MeanTestScore, StdTestScore: r.StdTestScore,
			RankTestScore: r.RankTestScore, MeanTrainScore: r.MeanTrainScore, MeanFitTime: r.MeanFitTime, MeanScoreTime: r.MeanScoreTime}
		for _, v := range r.SplitTest {
			rs.SplitTest = append(rs.SplitTest, v)
		}
		for _, v := range r.SplitTrain {
			rs.SplitTrain = append(rs.SplitTrain, v)
		}
		st.Results = rs
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("%s: the grid or the candidates' parameters cannot be saved as JSON: %w", s.name(), err)
	}
	return b, nil
}

// UnmarshalState implements classical.Persistable.
func (s *Search) UnmarshalState(b []byte) error {
	var st searchState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	var base, best classical.Estimator
	var err error
	if st.Base != nil {
		if base, err = classical.Decode(st.Base); err != nil {
			return fmt.Errorf("the base estimator: %w", err)
		}
	}
	if st.Best != nil {
		if best, err = classical.Decode(st.Best); err != nil {
			return fmt.Errorf("the best estimator: %w", err)
		}
	}
	var res *SearchResults
	if r := st.Results; r != nil {
		n := len(r.Params)
		if len(r.MeanTestScore) != n || len(r.StdTestScore) != n || len(r.RankTestScore) != n || len(r.SplitTest) != n ||
			len(r.MeanFitTime) != n || len(r.MeanScoreTime) != n {
			return fmt.Errorf("cv_results: columns of different lengths for %d candidates", n)
		}
		res = &SearchResults{Params: r.Params, MeanTestScore: r.MeanTestScore, StdTestScore: r.StdTestScore,
			RankTestScore: r.RankTestScore, MeanTrainScore: r.MeanTrainScore, MeanFitTime: r.MeanFitTime, MeanScoreTime: r.MeanScoreTime}
		for _, v := range r.SplitTest {
			res.SplitTest = append(res.SplitTest, v)
		}
		for _, v := range r.SplitTrain {
			res.SplitTrain = append(res.SplitTrain, v)
		}
	}
	n := 0
	if res != nil {
		n = len(res.Params)
	}
	if st.BestIndex < -1 || st.BestIndex >= n {
		return fmt.Errorf("best_index %d for %d candidates", st.BestIndex, n)
	}
	s.est, s.grid, s.results, s.best, s.bestEst = base, st.Grid, res, st.BestIndex, best
	return nil
}

var _ classical.Persistable = (*Search)(nil)
