// Package all imports every classical estimator family for its side
// effect of registering the estimators' type names with classical.Load.
// Import it (blank) in programs that load saved models of any kind:
//
//	import _ "github.com/ember-ml/ember/classical/all"
package all

import (
	_ "github.com/ember-ml/ember/classical/anomaly"       // IsolationForest
	_ "github.com/ember-ml/ember/classical/bayes"         // naive Bayes
	_ "github.com/ember-ml/ember/classical/cluster"       // KMeans, DBSCAN, agglomerative
	_ "github.com/ember-ml/ember/classical/decomposition" // PCA, TruncatedSVD
	_ "github.com/ember-ml/ember/classical/ensemble"      // forests, boosting, voting, bagging
	_ "github.com/ember-ml/ember/classical/linear"        // linear models
	_ "github.com/ember-ml/ember/classical/neighbors"     // k-nearest neighbours
	_ "github.com/ember-ml/ember/classical/pipeline"      // Pipeline
	_ "github.com/ember-ml/ember/classical/preprocess"    // scalers, encoders, ColumnTransformer
	_ "github.com/ember-ml/ember/classical/selection"     // GridSearchCV, RandomizedSearchCV
	_ "github.com/ember-ml/ember/classical/svm"           // SVC, NuSVC, SVR, NuSVR, LinearSVC, OneClassSVM
	_ "github.com/ember-ml/ember/classical/tree"          // decision trees
)
