module github.com/ember-ml/ember

go 1.26

require (
	github.com/ebitengine/purego v0.8.4 // indirect
	golang.org/x/sys v0.38.0 // indirect
	gonum.org/v1/gonum v0.16.0 // indirect
)
