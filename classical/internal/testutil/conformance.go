package testutil

import (
	"testing"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/estimatortest"
)

// Case is one estimator configuration for the estimatortest conformance
// suite.
type Case struct {
	Name   string                     // subtest name
	New    func() classical.Estimator // returns a fresh, unfitted estimator
	Config estimatortest.Config       // the suite's settings for it
}

// Conformance runs estimatortest.Check on every case, each as a subtest
// named Case.Name, in order.
func Conformance(t *testing.T, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { estimatortest.Check(t, c.New, c.Config) })
	}
}
