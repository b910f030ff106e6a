// Package mnistdata embeds the MNIST database of handwritten digits (60,000
// training and 10,000 test images, 28x28 grey, with labels) so that programs
// can train on it with no download and no data directory. The files are
// gzip-compressed IDX files; their licence (CC BY-SA 3.0) and source are in
// README.md beside them.
//
// Importing this package adds about 11 MB to a binary; it is kept apart
// from package data for that reason.
package mnistdata

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/ember-ml/ember/data"
)

var (
	//go:embed train-images-idx3-ubyte.gz
	trainImages []byte
	//go:embed train-labels-idx1-ubyte.gz
	trainLabels []byte
	//go:embed t10k-images-idx3-ubyte.gz
	testImages []byte
	//go:embed t10k-labels-idx1-ubyte.gz
	testLabels []byte
)

// Load decodes the embedded MNIST: images as float32 [N, 1, 28, 28] scaled
// to [0, 1], labels as float32 class indices 0-9 (class names "0".."9").
// Each call decodes afresh (about half a second), so the datasets returned
// may be modified freely.
func Load() (train, test *data.TensorDataset, err error) {
	train, err = data.NewMNIST(bytes.NewReader(trainImages), bytes.NewReader(trainLabels))
	if err != nil {
		return nil, nil, fmt.Errorf("mnistdata: training set: %w", err)
	}
	test, err = data.NewMNIST(bytes.NewReader(testImages), bytes.NewReader(testLabels))
	if err != nil {
		return nil, nil, fmt.Errorf("mnistdata: test set: %w", err)
	}
	return train, test, nil
}
