package data_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/tensor"
)

// An in-memory dataset fed through the loader: shuffled per epoch from a
// seed, batched, built ahead of the consumer by worker goroutines.
func ExampleLoader() {
	X, y, err := data.MakeClassification(data.ClassificationConfig{NSamples: 1000, NFeatures: 8, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	ds, err := data.NewTensorDataset(X.AsType(tensor.Float32), y.AsType(tensor.Float32))
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := data.Split(ds, 0.2, 42)
	if err != nil {
		log.Fatal(err)
	}
	loader, err := data.NewLoader(train, data.LoaderConfig{BatchSize: 128, Shuffle: true, Seed: 7})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("train", train.Len(), "val", val.Len(), "batches", loader.NumBatches())
	for epoch := range 2 {
		seen := 0
		for b, err := range loader.Epoch(context.Background(), epoch) {
			if err != nil {
				log.Fatal(err)
			}
			labels, _ := data.Labels(b.Y) // class indices for a sparse cross-entropy
			seen += len(labels)
			if seen == len(labels) && epoch == 0 {
				fmt.Println("first batch", b.X.Shape(), b.Y.Shape())
			}
		}
		fmt.Println("epoch", epoch, "examples", seen)
	}
	// Output:
	// train 800 val 200 batches 7
	// first batch [128 8] [128]
	// epoch 0 examples 800
	// epoch 1 examples 800
}

// A class-per-folder image tree, like Keras's flow_from_directory, with a
// seeded validation subset and augmentation applied in the loader.
func ExampleOpenImageFolder() {
	ctx := context.Background()
	cfg := data.ImageFolderConfig{
		Width: 28, Height: 28, ColorMode: "grayscale", LabelMode: "categorical",
		ValidationSplit: 0.25, Subset: "training", Seed: 1,
	}
	train, err := data.OpenImageFolder(ctx, "testdata/imagefolder", cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("classes", train.ClassNames())
	fmt.Println("images", train.Len(), "skipped corrupt", len(train.Skipped()), "non-images", train.Ignored())

	aug := &data.Augmentation{RotationRange: 10, WidthShiftRange: 0.1, HeightShiftRange: 0.1, ZoomRange: data.Zoom(0.1)}
	loader, err := data.NewLoader(train, data.LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 1, Transform: aug})
	if err != nil {
		log.Fatal(err)
	}
	for b, err := range loader.Epoch(ctx, 0) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("batch", b.X.Shape(), b.Y.Shape())
		break
	}
	// Output:
	// classes [0 1 7]
	// images 9 skipped corrupt 1 non-images 1
	// batch [4 1 28 28] [4 3]
}

// A CSV file with missing values and categorical columns becomes a typed
// table; a derived column is added and the table split into features and
// target for the classical models.
func ExampleReadCSV() {
	t, err := data.ReadCSV("testdata/titanic.csv")
	if err != nil {
		log.Fatal(err)
	}
	age, _ := t.Column("age")
	fmt.Println(t.NumRows(), "rows; age is", age.Kind(), "with", age.NumMissing(), "missing")
	err = t.Derive("age_x_fare", func(r data.Row) float64 { return r.Float("age") * r.Float("fare") })
	if err != nil {
		log.Fatal(err)
	}
	t, err = t.Select("pclass", "sex", "age", "fare", "age_x_fare", "survived")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("numeric:", t.NumericNames("survived"), "categorical:", t.CategoricalNames())
	X, y, names, err := t.XY("survived")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(X.Shape(), y.Shape(), names)
	fmt.Print(t.Head(2))
	// Output:
	// 1309 rows; age is numeric with 263 missing
	// numeric: [pclass age fare age_x_fare] categorical: [sex]
	// [1309 5] [1309] [pclass sex age fare age_x_fare]
	// pclass  sex        age      fare  age_x_fare  survived
	//    num  cat        num       num         num       num
	//      1  female      29  211.3375   6128.7875         1
	//      1  male    0.9167    151.55  138.925885         1
	// [1309 rows x 6 columns]
}

// Augmentation with fixed parameters, for a hand check: a horizontal flip
// and a rotation by 90 degrees of a 2x2 image.
func ExampleAugmentation_ApplyParams() {
	x := tensor.FromSlice(tensor.Float32, []float64{1, 2, 3, 4}, 1, 2, 2)
	var aug data.Augmentation
	flip, _ := aug.ApplyParams(x, data.AugmentParams{Zx: 1, Zy: 1, Brightness: 1, FlipHorizontal: true})
	rot, _ := aug.ApplyParams(x, data.AugmentParams{Zx: 1, Zy: 1, Brightness: 1, Theta: 90})
	fmt.Println(flip.Float32s(), rot.Float32s())
	// Output:
	// [2 1 4 3] [3 1 4 2]
}

// scikit-learn's toy generators, seeded.
func ExampleMakeMoons() {
	X, y, err := data.MakeMoons(data.MoonsConfig{NSamples: 200, Noise: 0.1, Seed: 3})
	if err != nil {
		log.Fatal(err)
	}
	Xb, yb, centers, err := data.MakeBlobs(data.BlobsConfig{NSamples: 300, Centers: 4, NFeatures: 5, Seed: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(X.Shape(), y.Shape(), Xb.Shape(), yb.Shape(), centers.Shape())
	// Output:
	// [200 2] [200] [300 5] [300] [4 5]
}
