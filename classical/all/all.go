// Package all imports every classical estimator family for its side
// effect of registering the estimators' type names with classical.Load.
// Import it (blank) in programs that load saved models of any kind:
//
//	import _ "github.com/ember-ml/ember/classical/all"
package all

import (
	_ "github.com/ember-ml/ember/classical/linear"     // linear models
	_ "github.com/ember-ml/ember/classical/pipeline"   // Pipeline
	_ "github.com/ember-ml/ember/classical/preprocess" // scalers, encoders, ColumnTransformer
)
