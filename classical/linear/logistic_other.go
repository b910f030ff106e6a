//go:build noasm || !amd64

package linear

func logisticBulk(lse, sg, z []float64) int { return 0 }
