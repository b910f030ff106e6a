package mnistdata

import (
	"testing"

	"github.com/ember-ml/ember/data"
)

func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 70,000 images")
	}
	train, test, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("sizes %d/%d, want 60000/10000", train.Len(), test.Len())
	}
	if s := train.X().Shape(); len(s) != 4 || s[1] != 1 || s[2] != 28 || s[3] != 28 {
		t.Fatalf("train shape %v", s)
	}
	// The first training labels of MNIST are 5 0 4 1 9 2; the first test
	// labels are 7 2 1 0 4.
	ly, _ := data.Labels(train.Y().Narrow(0, 0, 6))
	lt, _ := data.Labels(test.Y().Narrow(0, 0, 5))
	for i, w := range []int{5, 0, 4, 1, 9, 2} {
		if ly[i] != w {
			t.Fatalf("train labels %v", ly)
		}
	}
	for i, w := range []int{7, 2, 1, 0, 4} {
		if lt[i] != w {
			t.Fatalf("test labels %v", lt)
		}
	}
	var counts [10]int
	labels, _ := data.Labels(train.Y())
	for _, l := range labels {
		counts[l]++
	}
	// Published class counts of the MNIST training set.
	want := [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	if counts != want {
		t.Fatalf("class counts %v, want %v", counts, want)
	}
	if len(train.ClassNames()) != 10 {
		t.Fatalf("class names %v", train.ClassNames())
	}
}
