package data

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// sharedData is the project's shared data folder, beside the repository;
// benchmarks that read it skip when it is absent.
const sharedData = "../../shared/data"

var benchAugment = &Augmentation{RotationRange: 15, WidthShiftRange: 0.1, HeightShiftRange: 0.1,
	ZoomRange: Zoom(0.1), ShearRange: 5, HorizontalFlip: true}

// benchFolder measures decode (+ resize, + augment) throughput of a loader
// over an image folder: every image is decoded from its file each epoch.
func benchFolder(b *testing.B, root string, cfg ImageFolderConfig, tr Transform, batch int) {
	if _, err := os.Stat(root); err != nil {
		b.Skipf("no %s: %v", root, err)
	}
	cfg.NoVerify = true
	d, err := OpenImageFolder(context.Background(), root, cfg)
	if err != nil {
		b.Fatal(err)
	}
	l, err := NewLoader(d, LoaderConfig{BatchSize: batch, Shuffle: true, Seed: 1, Transform: tr})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	images := 0
	for i := 0; i < b.N; i++ {
		for bt, err := range l.Epoch(context.Background(), i) {
			if err != nil {
				b.Fatal(err)
			}
			images += bt.X.Shape()[0]
		}
	}
	b.ReportMetric(float64(images)/b.Elapsed().Seconds(), "images/s")
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e6/float64(images), "cpu-µs/image")
	}
}

// The MNIST PNG tree (1,000 training images of 28x28 grey).
func BenchmarkImageFolderPNG28(b *testing.B) {
	benchFolder(b, filepath.Join(sharedData, "image-folders/mnist-png/train"),
		ImageFolderConfig{Width: 28, Height: 28, ColorMode: "grayscale"}, nil, 64)
}

func BenchmarkImageFolderPNG28Augment(b *testing.B) {
	benchFolder(b, filepath.Join(sharedData, "image-folders/mnist-png/train"),
		ImageFolderConfig{Width: 28, Height: 28, ColorMode: "grayscale"}, benchAugment, 64)
}

// jpegTree copies the two 427x640 RGB JPEGs into a two-class tree, 16 of
// each.
func jpegTree(b *testing.B) string {
	root := b.TempDir()
	for _, name := range []string{"china", "flower"} {
		src, err := os.ReadFile(filepath.Join(sharedData, "images", name+".jpg"))
		if err != nil {
			b.Skipf("no shared images: %v", err)
		}
		os.MkdirAll(filepath.Join(root, name), 0o755)
		for i := range 16 {
			os.WriteFile(filepath.Join(root, name, name+string(rune('a'+i))+".jpg"), src, 0o644)
		}
	}
	return root
}

// JPEG decode and resize to 224x224 RGB.
func BenchmarkImageFolderJPEG224(b *testing.B) {
	benchFolder(b, jpegTree(b), ImageFolderConfig{Width: 224, Height: 224}, nil, 16)
}

// JPEG decode, resize to 224x224 RGB and augment.
func BenchmarkImageFolderJPEG224Augment(b *testing.B) {
	benchFolder(b, jpegTree(b), ImageFolderConfig{Width: 224, Height: 224}, benchAugment, 16)
}
