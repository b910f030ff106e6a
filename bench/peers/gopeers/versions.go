package main

// The peer versions pinned in go.mod, printed with the table.
const (
	golearnVersion = "v0.0.0-20221228163002-74ae077eafb2"
	gomlxVersion   = "v0.26.0"
	gtensorVersion = "v0.9.24"
)
