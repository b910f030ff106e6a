// Package testutil holds the scaffolding the tests and benchmarks of the
// classical packages share, so that each piece exists once: loading the
// scikit-learn reference values recorded in JSON, comparing floats with a
// tolerance, the model-file fuzz harness, the estimatortest conformance
// table, the every-fourth-row train/test split, peer benchmark data and
// CPU time.
//
// It is for _test.go files only; nothing outside tests imports it.
package testutil
