package plot_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ember-ml/ember/plot"
)

// Draw a training history and a ROC curve and save them as PNG and SVG.
func Example() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	history := plot.HistoryMap{
		"loss":         {0.9, 0.5, 0.35, 0.3},
		"val_loss":     {0.95, 0.6, 0.45, 0.44},
		"accuracy":     {0.6, 0.8, 0.88, 0.9},
		"val_accuracy": {0.55, 0.75, 0.83, 0.84},
	}
	fig, err := plot.History(history)
	if err != nil {
		log.Fatal(err)
	}
	if err := fig.Save(filepath.Join(dir, "history.png")); err != nil {
		log.Fatal(err)
	}

	yTrue := []int{0, 0, 1, 1, 0, 1}
	scores := []float64{0.1, 0.4, 0.35, 0.8, 0.2, 0.9}
	_, _, auc, err := plot.ROCCurve(yTrue, scores)
	if err != nil {
		log.Fatal(err)
	}
	roc, err := plot.ROC(yTrue, scores)
	if err != nil {
		log.Fatal(err)
	}
	if err := roc.Save(filepath.Join(dir, "roc.svg")); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("AUC %.3f\n", auc)
	for _, name := range []string{"history.png", "roc.svg"} {
		_, err := os.Stat(filepath.Join(dir, name))
		fmt.Println(name, err == nil)
	}
	// Output:
	// AUC 0.889
	// history.png true
	// roc.svg true
}

// Draw a decision tree exported in the DOT language. With Graphviz
// installed, dot renders it; otherwise ember's own layout does.
func ExampleTree() {
	fig, err := plot.Tree(`digraph Tree {
		node [shape=box, style="filled, rounded"] ;
		0 [label="x[0] <= 0.5\ngini = 0.5\nsamples = 4", fillcolor="#ffffff"] ;
		1 [label="gini = 0.0\nsamples = 2\nclass = a", fillcolor="#e58139"] ;
		2 [label="gini = 0.0\nsamples = 2\nclass = b", fillcolor="#399de5"] ;
		0 -> 1 [headlabel="True"] ;
		0 -> 2 [headlabel="False"] ;
	}`)
	if err != nil {
		log.Fatal(err)
	}
	img, err := fig.Image() // e.g. for tensorboard.Writer.AddImage
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Bounds().Dx() > 100, img.Bounds().Dy() > 100)
	// Output: true true
}
