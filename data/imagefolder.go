package data

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/ember-ml/ember/tensor"
)

// ImageExtensions are the file extensions (lower case) that ImageFolder
// reads; other files are skipped.
var ImageExtensions = []string{".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}

// ImageFolderConfig configures OpenImageFolder. The zero value reads RGB
// images resized to 256x256 with sparse labels, all of them, skipping
// corrupt ones.
type ImageFolderConfig struct {
	// Width and Height are the target size (default 256x256, as Keras).
	Width, Height int
	// ColorMode is "rgb" (default), "grayscale" or "rgba".
	ColorMode string
	// Interpolation is "bilinear" (default) or "nearest".
	Interpolation string
	// LabelMode is how targets are given: "sparse" (default; a 0-d class
	// index, Keras's "int"/"sparse"), "categorical" (a one-hot vector),
	// "binary" (a 0-d 0 or 1; needs exactly two classes) or "none" (no
	// targets).
	LabelMode string
	// Classes, if set, lists the class folders to use, in the order of
	// their indices; otherwise every sub-folder of the root is a class,
	// sorted by name (folders whose name starts with "." are ignored).
	Classes []string
	// ValidationSplit is the fraction of each class held out for the
	// "validation" subset, chosen by a shuffle seeded with Seed.
	ValidationSplit float64
	// Subset is "training", "validation", or "" for all images (then
	// ValidationSplit must be 0).
	Subset string
	// Seed seeds the validation split.
	Seed uint64
	// FailOnCorrupt makes a corrupt or truncated image an error naming
	// its path; by default such images are skipped and counted (Skipped).
	FailOnCorrupt bool
	// NoVerify skips decoding every image when the folder is opened. Then
	// corrupt images are not found (nor skipped) until Get reads them, and
	// Get returns an error naming the path.
	NoVerify bool
	// Cache keeps the decoded, resized images in memory after their first
	// decoding (4*C*H*W bytes an image).
	Cache bool
	// Workers is the number of goroutines that verify images when the
	// folder is opened; 0 means GOMAXPROCS.
	Workers int
}

// ImageFolder is a dataset of images stored one folder per class, like
// Keras's flow_from_directory: root/cat/1.jpg, root/dog/7.png, ... Class
// names are the folder names, sorted; images are decoded, converted and
// resized when read. Sub-folders of a class folder are searched too.
// Symbolic links are followed only when their target lies inside the root.
type ImageFolder struct {
	root    string
	cfg     ImageFolderConfig
	opts    ImageOptions
	classes []string
	files   []string
	labels  []int
	skipped []string
	ignored int

	mu    sync.Mutex
	cache map[int]*tensor.Tensor
	// decoded holds the images decoded by the verify pass, by path, while
	// the folder is opened (only with Cache).
	decoded map[string]*tensor.Tensor
}

// OpenImageFolder scans root and returns the dataset of its images. It is
// an error for root not to be a folder, to hold no class folders, or for a
// class folder to hold no images.
func OpenImageFolder(ctx context.Context, root string, cfg ImageFolderConfig) (*ImageFolder, error) {
	ds, err := openFolder(ctx, root, cfg, []string{cfg.Subset})
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// OpenImageFolderSplit returns both subsets, "training" and "validation",
// of the folder (cfg.Subset is ignored; cfg.ValidationSplit must be in
// (0, 1)), scanning and verifying the images once.
func OpenImageFolderSplit(ctx context.Context, root string, cfg ImageFolderConfig) (train, val *ImageFolder, err error) {
	cfg.Subset = "training"
	ds, err := openFolder(ctx, root, cfg, []string{"training", "validation"})
	if err != nil {
		return nil, nil, err
	}
	return ds[0], ds[1], nil
}

// openFolder scans and verifies root once and returns one dataset per
// subset asked for.
func openFolder(ctx context.Context, root string, cfg ImageFolderConfig, subsets []string) ([]*ImageFolder, error) {
	if cfg.Width == 0 && cfg.Height == 0 {
		cfg.Width, cfg.Height = 256, 256
	}
	opts := ImageOptions{Width: cfg.Width, Height: cfg.Height, ColorMode: cfg.ColorMode, Interpolation: cfg.Interpolation}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("data: image size %dx%d is not positive", cfg.Width, cfg.Height)
	}
	switch cfg.LabelMode {
	case "", "sparse", "int", "categorical", "binary", "none":
	default:
		return nil, fmt.Errorf("data: label mode %q is not one of sparse, categorical, binary, none", cfg.LabelMode)
	}
	switch cfg.Subset {
	case "":
		if cfg.ValidationSplit != 0 {
			return nil, fmt.Errorf("data: a validation split of %v needs Subset \"training\" or \"validation\"", cfg.ValidationSplit)
		}
	case "training", "validation":
		if !(cfg.ValidationSplit > 0 && cfg.ValidationSplit < 1) {
			return nil, fmt.Errorf("data: subset %q needs a validation split in (0, 1), got %v", cfg.Subset, cfg.ValidationSplit)
		}
	default:
		return nil, fmt.Errorf("data: subset %q is not one of training, validation", cfg.Subset)
	}
	if cfg.Workers < 0 {
		return nil, fmt.Errorf("data: %d workers is negative", cfg.Workers)
	}

	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("data: image folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("data: image folder %s is not a directory", root)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("data: image folder: %w", err)
	}
	realRoot, err = filepath.Abs(realRoot)
	if err != nil {
		return nil, fmt.Errorf("data: image folder: %w", err)
	}

	classes := slices.Clone(cfg.Classes)
	if len(classes) == 0 {
		entries, err := os.ReadDir(root)
		if err != nil {
			return nil, fmt.Errorf("data: image folder: %w", err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if isDirInside(filepath.Join(root, e.Name()), realRoot) {
				classes = append(classes, e.Name())
			}
		}
		slices.Sort(classes)
		if len(classes) == 0 {
			return nil, fmt.Errorf("data: image folder %s has no class sub-folders (want one folder of images per class)", root)
		}
	} else {
		seen := map[string]bool{}
		for _, c := range classes {
			if seen[c] {
				return nil, fmt.Errorf("data: class %q listed twice", c)
			}
			seen[c] = true
			if c == "" || strings.ContainsAny(c, `/\`) || c == "." || c == ".." || !isDirInside(filepath.Join(root, c), realRoot) {
				return nil, fmt.Errorf("data: class folder %s not found", filepath.Join(root, c))
			}
		}
	}
	if cfg.LabelMode == "binary" && len(classes) != 2 {
		return nil, fmt.Errorf("data: label mode binary needs exactly 2 classes, found %d (%s)", len(classes), strings.Join(classes, ", "))
	}

	d := &ImageFolder{root: root, cfg: cfg, opts: opts, classes: classes}
	perClass := make([][]string, len(classes))
	for k, c := range classes {
		files, ignored, err := listImages(filepath.Join(root, c), realRoot)
		if err != nil {
			return nil, err
		}
		d.ignored += ignored
		if len(files) == 0 {
			return nil, fmt.Errorf("data: class folder %s has no images (%s)", filepath.Join(root, c), strings.Join(ImageExtensions, " "))
		}
		perClass[k] = files
	}

	if !cfg.NoVerify {
		if err := d.verify(ctx, perClass); err != nil {
			return nil, err
		}
	}

	var out []*ImageFolder
	for _, sub := range subsets {
		e := &ImageFolder{root: root, cfg: cfg, opts: opts, classes: classes, skipped: d.skipped, ignored: d.ignored}
		e.cfg.Subset = sub
		for k, files := range perClass {
			if sub != "" {
				files = splitFiles(files, cfg.ValidationSplit, cfg.Seed, k, sub == "validation")
			}
			for _, f := range files {
				e.files = append(e.files, f)
				e.labels = append(e.labels, k)
			}
		}
		if cfg.Cache {
			e.cache = map[int]*tensor.Tensor{}
			for i, f := range e.files {
				if x := d.decoded[f]; x != nil {
					e.cache[i] = x
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// splitFiles returns the validation part (round(frac*n) files chosen by a
// seeded shuffle of the class) or the training part, in name order.
func splitFiles(files []string, frac float64, seed uint64, class int, validation bool) []string {
	n := len(files)
	nv := int(math.Round(frac * float64(n)))
	perm := permutation(n, seed, uint64(class)+1)
	in := make([]bool, n)
	for _, p := range perm[:nv] {
		in[p] = true
	}
	var out []string
	for i, f := range files {
		if in[i] == validation {
			out = append(out, f)
		}
	}
	return out
}

// verify decodes every image on a pool of goroutines, dropping (and
// counting) corrupt ones, or failing on the first in name order when
// FailOnCorrupt. Decoded images are cached when Cache is set.
func (d *ImageFolder) verify(ctx context.Context, perClass [][]string) error {
	type item struct{ k, i int }
	var items []item
	for k, files := range perClass {
		for i := range files {
			items = append(items, item{k, i})
		}
	}
	bad := make([]error, len(items))
	imgs := make([]*tensor.Tensor, len(items))
	workers := d.cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				it := items[j]
				x, err := LoadImage(perClass[it.k][it.i], d.opts)
				bad[j] = err
				if d.cfg.Cache {
					imgs[j] = x
				}
			}
		}()
	}
	var ctxErr error
feed:
	for j := range items {
		select {
		case next <- j:
		case <-ctx.Done():
			ctxErr = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctxErr != nil {
		return ctxErr
	}
	if d.cfg.Cache {
		d.decoded = map[string]*tensor.Tensor{}
		for j, it := range items {
			if imgs[j] != nil {
				d.decoded[perClass[it.k][it.i]] = imgs[j]
			}
		}
	}
	keep := make([][]string, len(perClass))
	for j, it := range items {
		path := perClass[it.k][it.i]
		if bad[j] != nil {
			if d.cfg.FailOnCorrupt {
				return fmt.Errorf("data: corrupt image: %w", bad[j])
			}
			d.skipped = append(d.skipped, path)
			continue
		}
		keep[it.k] = append(keep[it.k], path)
	}
	for k := range perClass {
		if len(keep[k]) == 0 {
			return fmt.Errorf("data: class folder %s has no readable images (%d corrupt)",
				filepath.Join(d.root, d.classes[k]), len(perClass[k]))
		}
		perClass[k] = keep[k]
	}
	return nil
}

// isDirInside reports whether path is a directory whose real location (all
// symbolic links resolved) lies inside realRoot.
func isDirInside(path, realRoot string) bool {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return false
	}
	return inside(path, realRoot)
}

// inside reports whether path resolves to a location inside realRoot.
func inside(path, realRoot string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(realRoot, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// listImages walks dir (following symbolic links that stay inside
// realRoot, each real directory once) and returns its image files sorted
// by path, and the number of other files skipped.
func listImages(dir, realRoot string) (files []string, ignored int, err error) {
	visited := map[string]bool{}
	var walk func(dir string) error
	walk = func(dir string) error {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return fmt.Errorf("data: image folder: %w", err)
		}
		if visited[real] {
			return nil
		}
		visited[real] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("data: image folder: %w", err)
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			mode := e.Type()
			if mode&fs.ModeSymlink != 0 {
				if !inside(p, realRoot) {
					ignored++
					continue
				}
				st, err := os.Stat(p)
				if err != nil {
					ignored++
					continue
				}
				mode = st.Mode().Type()
			}
			switch {
			case mode.IsDir():
				if strings.HasPrefix(e.Name(), ".") {
					continue
				}
				if err := walk(p); err != nil {
					return err
				}
			case mode.IsRegular() && slices.Contains(ImageExtensions, strings.ToLower(filepath.Ext(e.Name()))):
				files = append(files, p)
			default:
				ignored++
			}
		}
		return nil
	}
	if err := walk(dir); err != nil {
		return nil, 0, err
	}
	slices.Sort(files)
	return files, ignored, nil
}

// Len returns the number of images.
func (d *ImageFolder) Len() int { return len(d.files) }

// ClassNames returns the class names; class k is ClassNames()[k].
func (d *ImageFolder) ClassNames() []string { return d.classes }

// Files returns the image paths, in the order of the examples.
func (d *ImageFolder) Files() []string { return d.files }

// ClassIndices returns the class index of each example (Keras's
// DirectoryIterator.classes).
func (d *ImageFolder) ClassIndices() []int { return d.labels }

// Skipped returns the paths of the corrupt images skipped when the folder
// was opened.
func (d *ImageFolder) Skipped() []string { return d.skipped }

// Ignored returns the number of files that are not images by their
// extension (or symbolic links leaving the root) that were skipped.
func (d *ImageFolder) Ignored() int { return d.ignored }

// Shape returns the shape of one image: [C, H, W].
func (d *ImageFolder) Shape() []int {
	c, _ := d.opts.channels()
	return []int{c, d.opts.Height, d.opts.Width}
}

// Get decodes image i and returns it as float32 [C, H, W] in [0, 1] with
// its target as the label mode says.
func (d *ImageFolder) Get(i int) (x, y *tensor.Tensor, err error) {
	if i < 0 || i >= len(d.files) {
		return nil, nil, fmt.Errorf("data: index %d out of range for an image folder of %d images", i, len(d.files))
	}
	if d.cache != nil {
		d.mu.Lock()
		x = d.cache[i]
		d.mu.Unlock()
	}
	if x == nil {
		x, err = LoadImage(d.files[i], d.opts)
		if err != nil {
			return nil, nil, err
		}
		if d.cache != nil {
			d.mu.Lock()
			d.cache[i] = x
			d.mu.Unlock()
		}
	}
	x = x.Clone()
	return x, d.target(d.labels[i]), nil
}

func (d *ImageFolder) target(k int) *tensor.Tensor {
	switch d.cfg.LabelMode {
	case "none":
		return nil
	case "categorical":
		t := tensor.New(tensor.Float32, len(d.classes))
		t.Set(1, k)
		return t
	}
	return tensor.Scalar(tensor.Float32, float64(k))
}
