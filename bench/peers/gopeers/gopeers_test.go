package main

import (
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
)

func TestReadTableSkipsHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte("3,2,a,b\n1,2,0\n3,4,1\n5,6,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	x, y, p, err := readTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if p != 2 || len(y) != 3 || len(x) != 6 || x[5] != 6 || y[0] != 0 || y[2] != 1 {
		t.Fatalf("got p=%d x=%v y=%v", p, x, y)
	}
	if err := os.WriteFile(path, []byte("1,2,0\n1,x,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := readTable(path); err == nil {
		t.Fatal("a non-numeric row after the first line must be an error")
	}
}

func TestSplitKeepsEveryRowOnce(t *testing.T) {
	x, y := synthetic(100, 4, 3, 1)
	tb := split("s", x, y, 4, 0.3, 1)
	if tb.nTest != 30 || tb.nTrain != 70 || len(tb.xTrain) != 280 || len(tb.xTest) != 120 || tb.k != 3 {
		t.Fatalf("split sizes: %+v", tb.nTest)
	}
	seen := map[float64]int{}
	for _, v := range append(append([]float64{}, tb.xTrain...), tb.xTest...) {
		seen[v]++
	}
	for _, v := range x {
		if seen[v] == 0 {
			t.Fatalf("value %v lost by split", v)
		}
	}
}

// The gorgonia MLP really trains: its loss falls over a few epochs on a
// fixed set of batches.
func TestGorgoniaMLPLearns(t *testing.T) {
	net, err := gorgoniaMLP()
	if err != nil {
		t.Fatal(err)
	}
	var cost G.Value
	G.Read(net.cost, &cost)
	f, err := gorgoniaTrainer(net, makeNNData(), 784)
	if err != nil {
		t.Fatal(err)
	}
	first := cost.Data().(float32)
	for i := 0; i < 4; i++ {
		f()
	}
	if last := cost.Data().(float32); !(last < 0.9*first) {
		t.Fatalf("loss %v -> %v: not learning", first, last)
	}
}
