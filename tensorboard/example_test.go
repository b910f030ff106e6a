package tensorboard_test

import (
	"fmt"
	"log"
	"os"

	"github.com/ember-ml/ember/tensorboard"
)

// Log a training curve and a weight histogram, then read the file back.
func Example() {
	dir, err := os.MkdirTemp("", "tb")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := tensorboard.NewWriter(dir) // then: tensorboard --logdir dir
	if err != nil {
		log.Fatal(err)
	}
	for epoch, loss := range []float64{0.9, 0.5, 0.25} {
		if err := w.AddScalar("loss", loss, int64(epoch)); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.AddHistogram("dense/kernel", []float64{-0.3, 0.1, 0.2}, 2); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	events, err := tensorboard.ReadFile(w.Path())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(events), "events; first:", events[0].FileVersion)
	for _, p := range tensorboard.Scalars(events)["loss"] {
		fmt.Printf("step %d loss %.2f\n", p.Step, p.Value)
	}
	// Output:
	// 5 events; first: brain.Event:2
	// step 0 loss 0.90
	// step 1 loss 0.50
	// step 2 loss 0.25
}
