//go:build noasm || !amd64

package pool

func rowBulk[T Float](o []T, arg []uint8, r0, r1 []T) int { return 0 }
func backRowBulk[T Float](d0, d1, g, r0, r1 []T) int      { return 0 }
