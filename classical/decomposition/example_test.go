package decomposition_test

import (
	"context"
	"fmt"

	"github.com/ember-ml/ember/classical/decomposition"
	"github.com/ember-ml/ember/classical/internal/testdata"
)

// PCA of the iris measurements: two components keep almost all the
// variance; the components match scikit-learn's, signs included.
func ExamplePCA() {
	X, _, err := testdata.Load("iris.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	pca := decomposition.NewPCA(2)
	Z, err := pca.FitTransform(context.Background(), X)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("explained variance ratio: %.4f\n", pca.ExplainedVarianceRatio())
	fmt.Printf("first component: %.4f\n", pca.Components().Float64s()[:4])
	fmt.Println("projected shape:", Z.Shape())
	back, _ := pca.InverseTransform(Z)
	fmt.Printf("first flower, reconstructed: %.2f\n", back.Float64s()[:4])
	// Output:
	// explained variance ratio: [0.9246 0.0531]
	// first component: [0.3614 -0.0845 0.8567 0.3583]
	// projected shape: [150 2]
	// first flower, reconstructed: [5.08 3.52 1.40 0.21]
}

// TruncatedSVD does not centre the data (latent semantic analysis).
func ExampleTruncatedSVD() {
	X, _, err := testdata.Load("iris.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	svd := decomposition.NewTruncatedSVD(2)
	if err := svd.Fit(context.Background(), X, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("singular values: %.3f\n", svd.SingularValues())
	// Output:
	// singular values: [95.960 17.761]
}
