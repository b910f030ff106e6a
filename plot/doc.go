// Package plot draws the pictures of a machine-learning workflow, to PNG or
// SVG, without Python: training history, ROC and precision-recall curves,
// confusion matrices, elbow and silhouette curves, cluster scatter plots,
// feature importances, PCA explained variance, decision trees and grids of
// sample images with their predictions.
//
// Every function takes plain values (slices, maps, a DOT string, a
// *tensor.Tensor of images) so that it works with the results of any
// package, and returns a *Figure, or an error naming what is wrong with the
// input. A Figure is saved by file extension:
//
//	fig, err := plot.ROC(yTrue, scores)
//	if err != nil { ... }
//	err = fig.Save("roc.png") // or roc.svg
//
// Save writes atomically (a temporary file in the same directory, then a
// rename). Figure.Image rasterises a figure, for example for
// tensorboard.Writer.AddImage.
//
// Drawing uses gonum.org/v1/plot and its embedded Liberation Sans font, so no
// system fonts are needed.
package plot
