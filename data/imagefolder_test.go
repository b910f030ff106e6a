package data

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testFolder = "testdata/imagefolder"

func openTestFolder(t *testing.T, cfg ImageFolderConfig) *ImageFolder {
	t.Helper()
	if cfg.Width == 0 {
		cfg.Width, cfg.Height = 28, 28
	}
	if cfg.ColorMode == "" {
		cfg.ColorMode = "grayscale"
	}
	d, err := OpenImageFolder(context.Background(), testFolder, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestImageFolderScan(t *testing.T) {
	d := openTestFolder(t, ImageFolderConfig{})
	if !slices.Equal(d.ClassNames(), []string{"0", "1", "7"}) {
		t.Fatalf("classes %v", d.ClassNames())
	}
	if d.Len() != 12 {
		t.Fatalf("%d images, want 12", d.Len())
	}
	if sk := d.Skipped(); len(sk) != 1 || filepath.Base(sk[0]) != "broken.png" {
		t.Fatalf("skipped %v, want broken.png", sk)
	}
	if d.Ignored() != 1 {
		t.Fatalf("ignored %d files, want 1 (notes.txt)", d.Ignored())
	}
	wantLabels := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	if !slices.Equal(d.ClassIndices(), wantLabels) {
		t.Fatalf("labels %v", d.ClassIndices())
	}
	if filepath.Base(d.Files()[0]) != "00001.png" || filepath.Base(d.Files()[11]) != "00042.png" {
		t.Fatalf("files not in sorted order: %v", d.Files())
	}
	x, y, err := d.Get(9)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); !slices.Equal(s, []int{1, 28, 28}) || y.Dim() != 0 || y.Item() != 2 {
		t.Fatalf("Get(9): shape %v label %v", s, y)
	}
	if !slices.Equal(d.Shape(), []int{1, 28, 28}) {
		t.Fatalf("Shape %v", d.Shape())
	}
	if _, _, err := d.Get(12); err == nil {
		t.Fatal("Get out of range accepted")
	}

	// FailOnCorrupt reports the corrupt file's path.
	_, err = OpenImageFolder(context.Background(), testFolder, ImageFolderConfig{Width: 28, Height: 28, FailOnCorrupt: true})
	if err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Fatalf("FailOnCorrupt: %v", err)
	}
	// Without verification the corrupt file is found when read.
	nv := openTestFolder(t, ImageFolderConfig{NoVerify: true})
	if nv.Len() != 13 {
		t.Fatalf("NoVerify: %d images, want 13", nv.Len())
	}
	_, _, err = nv.Get(8) // class 1 sorts broken.png last of its 5
	if err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Fatalf("NoVerify Get of the corrupt image: %v", err)
	}
}

func TestImageFolderLabelModes(t *testing.T) {
	cat := openTestFolder(t, ImageFolderConfig{LabelMode: "categorical", ColorMode: "rgb", Width: 14, Height: 10})
	x, y, err := cat.Get(5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.Shape(), []int{3, 10, 14}) || !slices.Equal(y.Float32s(), []float32{0, 1, 0}) {
		t.Fatalf("categorical: x %v y %v", x.Shape(), y)
	}
	// RGB from a grey PNG repeats the grey in every channel.
	if x.At(0, 5, 7) != x.At(1, 5, 7) || x.At(1, 5, 7) != x.At(2, 5, 7) {
		t.Fatal("grey image converted to unequal RGB channels")
	}
	if _, err := OpenImageFolder(context.Background(), testFolder, ImageFolderConfig{LabelMode: "binary"}); err == nil || !strings.Contains(err.Error(), "exactly 2 classes") {
		t.Fatalf("binary with 3 classes: %v", err)
	}
	bin := openTestFolder(t, ImageFolderConfig{LabelMode: "binary", Classes: []string{"7", "0"}})
	if bin.Len() != 8 || !slices.Equal(bin.ClassNames(), []string{"7", "0"}) {
		t.Fatalf("binary: %d images, classes %v", bin.Len(), bin.ClassNames())
	}
	_, y0, _ := bin.Get(0)
	_, y7, _ := bin.Get(7)
	if y0.Item() != 0 || y7.Item() != 1 || filepath.Base(filepath.Dir(bin.Files()[0])) != "7" {
		t.Fatalf("binary labels %v %v for %v", y0, y7, bin.Files())
	}
	none := openTestFolder(t, ImageFolderConfig{LabelMode: "none"})
	if _, y, err := none.Get(0); err != nil || y != nil {
		t.Fatalf("label mode none: y=%v err=%v", y, err)
	}
}

func TestImageFolderSubsets(t *testing.T) {
	get := func(subset string, seed uint64) []string {
		d := openTestFolder(t, ImageFolderConfig{Subset: subset, ValidationSplit: 0.25, Seed: seed})
		return d.Files()
	}
	tr, va := get("training", 3), get("validation", 3)
	if len(tr) != 9 || len(va) != 3 {
		t.Fatalf("training %d, validation %d; want 9 and 3 (one per class)", len(tr), len(va))
	}
	all := append(slices.Clone(tr), va...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 12 {
		t.Fatal("training and validation overlap")
	}
	if !slices.Equal(va, get("validation", 3)) {
		t.Fatal("validation subset differs for the same seed")
	}
	differs := false
	for seed := uint64(4); seed < 12; seed++ {
		if !slices.Equal(va, get("validation", seed)) {
			differs = true
		}
	}
	if !differs {
		t.Fatal("validation subset ignores the seed")
	}
	for _, cfg := range []ImageFolderConfig{
		{Subset: "training"},
		{ValidationSplit: 0.2},
		{Subset: "test", ValidationSplit: 0.2},
		{Subset: "training", ValidationSplit: 1},
	} {
		if _, err := OpenImageFolder(context.Background(), testFolder, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImageFolderErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := OpenImageFolder(ctx, filepath.Join(dir, "nope"), ImageFolderConfig{}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing root: %v", err)
	}
	if _, err := OpenImageFolder(ctx, dir, ImageFolderConfig{}); err == nil || !strings.Contains(err.Error(), "no class sub-folders") {
		t.Errorf("empty root: %v", err)
	}
	f := filepath.Join(dir, "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := OpenImageFolder(ctx, f, ImageFolderConfig{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as root: %v", err)
	}
	copyFile(t, "testdata/imagefolder/0/00001.png", filepath.Join(dir, "a", "x.png"))
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "b", "readme.txt"), []byte("hi"), 0o644)
	if _, err := OpenImageFolder(ctx, dir, ImageFolderConfig{}); err == nil || !strings.Contains(err.Error(), "b has no images") {
		t.Errorf("empty class: %v", err)
	}
	copyFile(t, "testdata/imagefolder/1/broken.png", filepath.Join(dir, "b", "y.png"))
	if _, err := OpenImageFolder(ctx, dir, ImageFolderConfig{}); err == nil || !strings.Contains(err.Error(), "no readable images") {
		t.Errorf("class of corrupt images: %v", err)
	}
	if _, err := OpenImageFolder(ctx, dir, ImageFolderConfig{Classes: []string{"a", "zz"}}); err == nil || !strings.Contains(err.Error(), "zz not found") {
		t.Errorf("missing listed class: %v", err)
	}
	if _, err := OpenImageFolder(ctx, dir, ImageFolderConfig{Classes: []string{"a", "../a"}}); err == nil {
		t.Error("class outside the root accepted")
	}
	if _, err := OpenImageFolder(ctx, dir, ImageFolderConfig{LabelMode: "onehot"}); err == nil {
		t.Error("unknown label mode accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := OpenImageFolder(cctx, "testdata/imagefolder", ImageFolderConfig{}); err == nil {
		t.Error("cancelled context ignored")
	}
}

func TestImageFolderFormatsAndSymlinks(t *testing.T) {
	outside := t.TempDir()
	root := filepath.Join(t.TempDir(), "root")
	enc := encodeAll(t)
	for format, b := range enc {
		os.MkdirAll(filepath.Join(root, "mixed"), 0o755)
		os.WriteFile(filepath.Join(root, "mixed", "img."+strings.ToUpper(format)), b, 0o644)
	}
	copyFile(t, "testdata/images/gopher-doc.1bpp.lossless.webp", filepath.Join(root, "mixed", "deep", "g.webp"))
	copyFile(t, "testdata/imagefolder/0/00001.png", filepath.Join(root, "zeros", "a.png"))
	copyFile(t, "testdata/imagefolder/0/00021.png", filepath.Join(outside, "out.png"))
	copyFile(t, "testdata/imagefolder/7/00015.png", filepath.Join(outside, "cls", "o.png"))
	links := map[string]string{
		filepath.Join(root, "zeros", "outside.png"):  filepath.Join(outside, "out.png"),            // leaves the root: skipped
		filepath.Join(root, "zeros", "inside.png"):   filepath.Join(root, "mixed", "img.PNG"),      // inside: followed
		filepath.Join(root, "zeros", "loop"):         filepath.Join(root, "zeros"),                 // a cycle: each folder once
		filepath.Join(root, "outcls"):                filepath.Join(outside, "cls"),                // a class folder outside: not a class
		filepath.Join(root, "zeros", "dangling.png"): filepath.Join(outside, "does-not-exist.png"), // broken: skipped
	}
	for link, target := range links {
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	d, err := OpenImageFolder(context.Background(), root, ImageFolderConfig{Width: 8, Height: 8})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.ClassNames(), []string{"mixed", "zeros"}) {
		t.Fatalf("classes %v (a link leaving the root must not become a class)", d.ClassNames())
	}
	var zeros []string
	for i, f := range d.Files() {
		if d.ClassIndices()[i] == 1 {
			zeros = append(zeros, filepath.Base(f))
		}
	}
	if !slices.Equal(zeros, []string{"a.png", "inside.png"}) {
		t.Fatalf("class zeros has %v, want a.png and inside.png", zeros)
	}
	if n := d.Len() - len(zeros); n != len(enc)+1 {
		t.Fatalf("class mixed has %d images, want %d (every format and the nested WebP)", n, len(enc)+1)
	}
	if len(d.Skipped()) != 0 {
		t.Fatalf("skipped %v", d.Skipped())
	}
	for i := range d.Len() {
		if _, _, err := d.Get(i); err != nil {
			t.Fatal(err)
		}
	}
}

func TestImageFolderLoaderAndCache(t *testing.T) {
	d := openTestFolder(t, ImageFolderConfig{Cache: true})
	l, err := NewLoader(d, LoaderConfig{BatchSize: 5, Shuffle: true, Seed: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for epoch := range 2 {
		seen := 0
		for b, err := range l.Epoch(context.Background(), epoch) {
			if err != nil {
				t.Fatal(err)
			}
			if s := b.X.Shape(); s[1] != 1 || s[2] != 28 || s[3] != 28 || b.Y.Dim() != 1 {
				t.Fatalf("batch shapes %v %v", s, b.Y.Shape())
			}
			labels, _ := Labels(b.Y)
			for j, i := range b.Index {
				if labels[j] != d.ClassIndices()[i] {
					t.Fatal("batch labels do not match the examples")
				}
			}
			seen += len(b.Index)
		}
		if seen != 12 {
			t.Fatalf("epoch %d saw %d images", epoch, seen)
		}
	}
	// A cached image handed out is a copy: changing it does not change
	// the cache.
	x, _, _ := d.Get(0)
	x.Fill(7)
	if x2, _, _ := d.Get(0); x2.At(0, 0, 0) == 7 {
		t.Fatal("Get returned the cached tensor itself")
	}
}

func TestImageFolderCacheFromVerify(t *testing.T) {
	d := openTestFolder(t, ImageFolderConfig{Cache: true, Subset: "validation", ValidationSplit: 0.5, Seed: 2})
	if len(d.cache) != d.Len() || d.Len() != 6 {
		t.Fatalf("%d cached of %d images, want all 6 of the subset cached by the verify pass", len(d.cache), d.Len())
	}
	fresh := openTestFolder(t, ImageFolderConfig{Subset: "validation", ValidationSplit: 0.5, Seed: 2})
	for i := range d.Len() {
		a, _, _ := d.Get(i)
		b, _, _ := fresh.Get(i)
		if !slices.Equal(a.Float32s(), b.Float32s()) {
			t.Fatalf("cached image %d differs from a fresh decode", i)
		}
	}
}

func TestOpenImageFolderSplit(t *testing.T) {
	cfg := ImageFolderConfig{Width: 28, Height: 28, ColorMode: "grayscale", ValidationSplit: 0.25, Seed: 5, Cache: true}
	tr, va, err := OpenImageFolderSplit(context.Background(), testFolder, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Subset = "training"
	tr2 := openTestFolder(t, cfg)
	cfg.Subset = "validation"
	va2 := openTestFolder(t, cfg)
	if !slices.Equal(tr.Files(), tr2.Files()) || !slices.Equal(va.Files(), va2.Files()) {
		t.Fatal("OpenImageFolderSplit differs from two OpenImageFolder calls")
	}
	if len(tr.Skipped()) != 1 || len(tr.cache) != 9 || len(va.cache) != 3 {
		t.Fatalf("skipped %v, cached %d/%d", tr.Skipped(), len(tr.cache), len(va.cache))
	}
	if _, _, err := OpenImageFolderSplit(context.Background(), testFolder, ImageFolderConfig{}); err == nil {
		t.Fatal("split without a validation fraction accepted")
	}
}
