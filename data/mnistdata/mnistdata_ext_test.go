package mnistdata_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ember-ml/ember/data"
	"github.com/ember-ml/ember/data/mnistdata"
	"github.com/ember-ml/ember/tensor"
)

// TestLoadAndImageFolder checks the embedded sets against published facts.
// Also, the PNG tree in data/testdata was made from the MNIST training set,
// each file named by its index: decoding a PNG gives exactly the embedded IDX
// image (the IDX pixels over 255).
func TestLoadAndImageFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 70,000 images")
	}
	train, test, err := mnistdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	checkLoaded(t, train, test)
	d, err := data.OpenImageFolder(context.Background(), "../testdata/imagefolder",
		data.ImageFolderConfig{Width: 28, Height: 28, ColorMode: "grayscale"})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range d.Files() {
		idx, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(f), ".png"))
		if err != nil {
			t.Fatal(err)
		}
		x, y, err := d.Get(i)
		if err != nil {
			t.Fatal(err)
		}
		want, wy, _ := train.Get(idx)
		if !tensor.AllClose(x, want.Reshape(1, 28, 28), 0, 1e-6) {
			t.Fatalf("%s differs from MNIST training image %d", f, idx)
		}
		if d.ClassNames()[int(y.Item())] != strconv.Itoa(int(wy.Item())) {
			t.Fatalf("%s is in class %s, MNIST says %v", f, d.ClassNames()[int(y.Item())], wy.Item())
		}
	}
}

// Training data for the default job with no files: MNIST is embedded.
func ExampleLoad() {
	train, test, err := mnistdata.Load()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), test.Len(), train.X().Shape(), train.ClassNames())
	// Output:
	// 60000 10000 [60000 1 28 28] [0 1 2 3 4 5 6 7 8 9]
}

// benchLoader measures loader throughput over the first n training images.
func benchLoader(b *testing.B, n int, tr data.Transform, workers int) {
	train, _, err := mnistdata.Load()
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	ds := data.Subset(train, idx)
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 128, Shuffle: true, Seed: 1, Transform: tr, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	images := 0
	for i := 0; i < b.N; i++ {
		for batch, err := range l.Epoch(context.Background(), i) {
			if err != nil {
				b.Fatal(err)
			}
			images += batch.X.Shape()[0]
		}
	}
	b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e6/float64(images), "cpu-µs/image")
	}
}

// BenchmarkLoaderMNIST: shuffled batches of 128 from the in-memory tensors.
func BenchmarkLoaderMNIST(b *testing.B) { benchLoader(b, 12800, nil, 0) }

// BenchmarkLoaderMNISTAugment: the same with rotation, shifts, zoom and
// shear on every image (the affine warp path).
func BenchmarkLoaderMNISTAugment(b *testing.B) {
	aug := &data.Augmentation{RotationRange: 10, WidthShiftRange: 0.1, HeightShiftRange: 0.1, ZoomRange: data.Zoom(0.1), ShearRange: 5}
	benchLoader(b, 12800, aug, 0)
}

// BenchmarkLoaderMNISTAugment1Worker: one worker, for the per-core cost.
func BenchmarkLoaderMNISTAugment1Worker(b *testing.B) {
	aug := &data.Augmentation{RotationRange: 10, WidthShiftRange: 0.1, HeightShiftRange: 0.1, ZoomRange: data.Zoom(0.1), ShearRange: 5}
	benchLoader(b, 12800, aug, 1)
}

func checkLoaded(t *testing.T, train, test *data.TensorDataset) {
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("sizes %d/%d, want 60000/10000", train.Len(), test.Len())
	}
	if s := train.X().Shape(); len(s) != 4 || s[1] != 1 || s[2] != 28 || s[3] != 28 {
		t.Fatalf("train shape %v", s)
	}
	// The first training labels of MNIST are 5 0 4 1 9 2; the first test
	// labels are 7 2 1 0 4.
	ly, _ := data.Labels(train.Y().Narrow(0, 0, 6))
	lt, _ := data.Labels(test.Y().Narrow(0, 0, 5))
	for i, w := range []int{5, 0, 4, 1, 9, 2} {
		if ly[i] != w {
			t.Fatalf("train labels %v", ly)
		}
	}
	for i, w := range []int{7, 2, 1, 0, 4} {
		if lt[i] != w {
			t.Fatalf("test labels %v", lt)
		}
	}
	var counts [10]int
	labels, _ := data.Labels(train.Y())
	for _, l := range labels {
		counts[l]++
	}
	// Published class counts of the MNIST training set.
	want := [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	if counts != want {
		t.Fatalf("class counts %v, want %v", counts, want)
	}
	if len(train.ClassNames()) != 10 {
		t.Fatalf("class names %v", train.ClassNames())
	}
}
