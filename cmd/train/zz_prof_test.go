package main

import (
	"context"
	"io"
	"testing"
)

func TestZZProf(t *testing.T) {
	for i := 0; i < 5; i++ {
		if err := run(context.Background(), []string{"-csv", "/work/shared/data/tabular/california_housing.csv", "-target", "median_house_value", "-quiet", "-model", "elastic_net"}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
}
