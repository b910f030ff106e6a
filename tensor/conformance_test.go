package tensor_test

import (
	"testing"

	"github.com/ember-ml/ember/tensor"
	"github.com/ember-ml/ember/tensor/tensortest"
)

// TestConformance runs the backend conformance suite on the CPU backend.
func TestConformance(t *testing.T) { tensortest.Run(t, tensor.CPU) }
