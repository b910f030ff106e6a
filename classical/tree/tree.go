package tree

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/classical"
	"github.com/ember-ml/ember/classical/internal/floats"
)

// Node is one node of a fitted tree. Leaves have Left == Right == -1 and
// Feature == -1. A sample goes left when its feature value is <=
// Threshold.
type Node struct {
	Left, Right      int32
	Feature          int32
	Threshold        float64
	Impurity         float64
	NSamples         int32
	WeightedNSamples float64
}

// Tree is a fitted binary decision tree, nodes in pre-order (a node's
// children have larger ids), like scikit-learn's tree_.
type Tree struct {
	Nodes []Node
	// Value holds NValues numbers per node: the weighted class counts for
	// classification trees, the mean (or median) target for regression.
	Value     []float64
	NValues   int
	NFeatures int
}

// Leaf returns the id of the leaf x falls into.
func (t *Tree) Leaf(x []float64) int {
	n := 0
	nodes := t.Nodes
	for {
		nd := &nodes[n]
		if nd.Left < 0 {
			return n
		}
		if x[nd.Feature] <= nd.Threshold {
			n = int(nd.Left)
		} else {
			n = int(nd.Right)
		}
	}
}

// NodeValue returns the values of node n (aliasing Value).
func (t *Tree) NodeValue(n int) []float64 { return t.Value[n*t.NValues : (n+1)*t.NValues] }

// Depth returns the depth of the tree (0 for a single leaf).
func (t *Tree) Depth() int {
	d := 0
	for _, x := range t.depths() {
		d = max(d, x)
	}
	return d
}

func (t *Tree) depths() []int {
	depth := make([]int, len(t.Nodes))
	for i, nd := range t.Nodes {
		if nd.Left >= 0 {
			depth[nd.Left] = depth[i] + 1
			depth[nd.Right] = depth[i] + 1
		}
	}
	return depth
}

// NLeaves returns the number of leaves.
func (t *Tree) NLeaves() int {
	c := 0
	for _, nd := range t.Nodes {
		if nd.Left < 0 {
			c++
		}
	}
	return c
}

// RawImportances returns, per feature, the total weighted impurity
// decrease of the splits on it (not normalised).
func (t *Tree) RawImportances() []float64 {
	imp := make([]float64, t.NFeatures)
	for _, nd := range t.Nodes {
		if nd.Left < 0 {
			continue
		}
		l, r := t.Nodes[nd.Left], t.Nodes[nd.Right]
		imp[nd.Feature] += nd.WeightedNSamples*nd.Impurity - l.WeightedNSamples*l.Impurity - r.WeightedNSamples*r.Impurity
	}
	return imp
}

// Importances returns the normalised feature importances (summing to one,
// or all zero for a single-leaf tree), as feature_importances_.
func (t *Tree) Importances() []float64 {
	imp := t.RawImportances()
	if len(t.Nodes) > 0 {
		w := t.Nodes[0].WeightedNSamples
		for i := range imp {
			imp[i] /= w
		}
	}
	Normalize(imp)
	return imp
}

// Normalize scales v to sum to one (leaves it when the sum is 0).
func Normalize(v []float64) {
	s := 0.0
	for _, x := range v {
		s += x
	}
	if s > 0 {
		for i := range v {
			v[i] /= s
		}
	}
}

// treeState is a Tree as saved in model files.
type treeState struct {
	NFeatures int              `json:"n_features"`
	NValues   int              `json:"n_values"`
	Left      classical.Floats `json:"left"`
	Right     classical.Floats `json:"right"`
	Feature   classical.Floats `json:"feature"`
	Threshold classical.Floats `json:"threshold"`
	Impurity  classical.Floats `json:"impurity"`
	NSamples  classical.Floats `json:"n_samples"`
	WSamples  classical.Floats `json:"weighted_n_samples"`
	Value     classical.Floats `json:"value"`
}

// MarshalJSON implements json.Marshaler.
func (t *Tree) MarshalJSON() ([]byte, error) {
	n := len(t.Nodes)
	st := treeState{NFeatures: t.NFeatures, NValues: t.NValues, Value: t.Value}
	st.Left, st.Right, st.Feature = make([]float64, n), make([]float64, n), make([]float64, n)
	st.Threshold, st.Impurity = make([]float64, n), make([]float64, n)
	st.NSamples, st.WSamples = make([]float64, n), make([]float64, n)
	for i, nd := range t.Nodes {
		st.Left[i], st.Right[i], st.Feature[i] = float64(nd.Left), float64(nd.Right), float64(nd.Feature)
		st.Threshold[i], st.Impurity[i] = nd.Threshold, nd.Impurity
		st.NSamples[i], st.WSamples[i] = float64(nd.NSamples), nd.WeightedNSamples
	}
	return jsonMarshal(st)
}

// UnmarshalJSON implements json.Unmarshaler; it validates the structure
// (child ids after their parent, features in range) so that a corrupt file
// cannot make prediction loop or index out of range.
func (t *Tree) UnmarshalJSON(b []byte) error {
	var st treeState
	if err := classical.UnmarshalStrict(b, &st); err != nil {
		return err
	}
	n := len(st.Left)
	if n == 0 {
		return errors.New("tree: no nodes")
	}
	if st.NFeatures < 1 || st.NValues < 1 || st.NValues > 1<<20 {
		return fmt.Errorf("tree: bad sizes n_features=%d n_values=%d", st.NFeatures, st.NValues)
	}
	for name, a := range map[string][]float64{"right": st.Right, "feature": st.Feature, "threshold": st.Threshold, "impurity": st.Impurity, "n_samples": st.NSamples, "weighted_n_samples": st.WSamples} {
		if len(a) != n {
			return fmt.Errorf("tree: %s has %d entries, want %d", name, len(a), n)
		}
	}
	if len(st.Value) != n*st.NValues {
		return fmt.Errorf("tree: value has %d entries, want %d", len(st.Value), n*st.NValues)
	}
	nodes := make([]Node, n)
	for i := range nodes {
		l, r, f := st.Left[i], st.Right[i], st.Feature[i]
		if l == -1 && r == -1 {
			f = -1
		} else {
			if l != math.Trunc(l) || r != math.Trunc(r) || l <= float64(i) || r <= float64(i) || l >= float64(n) || r >= float64(n) {
				return fmt.Errorf("tree: node %d has bad children %v, %v", i, l, r)
			}
			if f != math.Trunc(f) || f < 0 || f >= float64(st.NFeatures) {
				return fmt.Errorf("tree: node %d splits on bad feature %v", i, f)
			}
			if math.IsNaN(st.Threshold[i]) {
				return fmt.Errorf("tree: node %d has a NaN threshold", i)
			}
		}
		nodes[i] = Node{Left: int32(l), Right: int32(r), Feature: int32(f), Threshold: st.Threshold[i], Impurity: st.Impurity[i], NSamples: int32(st.NSamples[i]), WeightedNSamples: st.WSamples[i]}
	}
	*t = Tree{Nodes: nodes, Value: st.Value, NValues: st.NValues, NFeatures: st.NFeatures}
	return nil
}

// ExportOptions tune ExportText and ExportDOT.
type ExportOptions struct {
	// FeatureNames name the features (default "feature_0", ... for text,
	// "X[0]", ... for DOT).
	FeatureNames []string
	// ClassNames name the classes of a classifier (default: the labels).
	ClassNames []string
	// Decimals is the number of decimals printed (default 2 for text, 3
	// for DOT).
	Decimals int
	// MaxDepth truncates the printout (0: whole tree).
	MaxDepth int
	// ShowWeights prints the class weights of each leaf (text only).
	ShowWeights bool
}

// check refuses to export an unfitted tree, or names that do not match
// its features or classes; what is the exporter's name for the messages.
func (o *ExportOptions) check(what string, t *Tree, classes []float64) error {
	if t == nil {
		return classical.NotFitted(what)
	}
	if o.FeatureNames != nil && len(o.FeatureNames) != t.NFeatures {
		return classical.Invalidf(what, "%d feature names for %d features", len(o.FeatureNames), t.NFeatures)
	}
	if o.ClassNames != nil && classes != nil && len(o.ClassNames) != len(classes) {
		return classical.Invalidf(what, "%d class names for %d classes", len(o.ClassNames), len(classes))
	}
	return nil
}

func fmtNum(v float64, dec int) string { return strconv.FormatFloat(v, 'f', dec, 64) }

// exportText writes the rules of t like scikit-learn's export_text.
func exportText(t *Tree, classes []float64, o ExportOptions) (string, error) {
	if err := o.check("ExportText", t, classes); err != nil {
		return "", err
	}
	dec := o.Decimals
	if dec <= 0 {
		dec = 2
	}
	name := func(f int32) string {
		if o.FeatureNames != nil {
			return o.FeatureNames[f]
		}
		return "feature_" + strconv.Itoa(int(f))
	}
	var b strings.Builder
	var rec func(n int, depth int)
	rec = func(n int, depth int) {
		indent := strings.Repeat("|   ", depth) + "|--- "
		nd := t.Nodes[n]
		if o.MaxDepth > 0 && depth > o.MaxDepth {
			b.WriteString(indent + "truncated branch\n")
			return
		}
		if nd.Left < 0 {
			v := t.NodeValue(n)
			if classes == nil {
				b.WriteString(indent + "value: [" + fmtNum(v[0], dec) + "]\n")
				return
			}
			k := floats.Argmax(v)
			lab := strconv.FormatFloat(classes[k], 'g', -1, 64)
			if o.ClassNames != nil {
				lab = o.ClassNames[k]
			}
			if o.ShowWeights {
				ws := make([]string, len(v))
				for i, x := range v {
					ws[i] = fmtNum(x, dec)
				}
				b.WriteString(indent + "weights: [" + strings.Join(ws, ", ") + "] class: " + lab + "\n")
			} else {
				b.WriteString(indent + "class: " + lab + "\n")
			}
			return
		}
		b.WriteString(indent + name(nd.Feature) + " <= " + fmtNum(nd.Threshold, dec) + "\n")
		rec(int(nd.Left), depth+1)
		b.WriteString(indent + name(nd.Feature) + " >  " + fmtNum(nd.Threshold, dec) + "\n")
		rec(int(nd.Right), depth+1)
	}
	rec(0, 0)
	return b.String(), nil
}

// pyNum formats v rounded to dec decimals as Python's str(round(v, dec))
// does (what export_graphviz prints).
func pyNum(v float64, dec int) string {
	p := math.Pow(10, float64(dec))
	r := math.RoundToEven(v*p) / p
	if r == 0 {
		r = 0 // no "-0"
	}
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// exportDOT writes t in Graphviz DOT as scikit-learn 1.2's export_graphviz
// does (default options).
func exportDOT(t *Tree, classes []float64, criterion string, o ExportOptions) (string, error) {
	if err := o.check("ExportDOT", t, classes); err != nil {
		return "", err
	}
	dec := o.Decimals
	if dec <= 0 {
		dec = 3
	}
	name := func(f int32) string {
		if o.FeatureNames != nil {
			return o.FeatureNames[f]
		}
		return "x[" + strconv.Itoa(int(f)) + "]"
	}
	q := func(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }
	var b strings.Builder
	b.WriteString("digraph Tree {\nnode [shape=box, fontname=\"helvetica\"] ;\nedge [fontname=\"helvetica\"] ;\n")
	depth := t.depths()
	var rec func(i, parent int)
	rec = func(i, parent int) {
		nd := t.Nodes[i]
		if o.MaxDepth > 0 && depth[i] > o.MaxDepth {
			fmt.Fprintf(&b, "%d [label=\"(...)\"] ;\n", i)
			fmt.Fprintf(&b, "%d -> %d ;\n", parent, i)
			return
		}
		var lines []string
		if nd.Left >= 0 {
			lines = append(lines, q(name(nd.Feature))+" <= "+pyNum(nd.Threshold, dec))
		}
		lines = append(lines, criterion+" = "+pyNum(nd.Impurity, dec), "samples = "+strconv.Itoa(int(nd.NSamples)))
		v := t.NodeValue(i)
		if classes == nil {
			lines = append(lines, "value = "+pyNum(v[0], dec))
		} else {
			integral := true
			for _, x := range v {
				integral = integral && x == math.Trunc(x)
			}
			vs := make([]string, len(v))
			for k, x := range v {
				if integral {
					vs[k] = strconv.FormatFloat(x, 'f', 0, 64)
				} else {
					vs[k] = pyNum(x, dec)
				}
			}
			lines = append(lines, "value = ["+strings.Join(vs, ", ")+"]")
			k := floats.Argmax(v)
			lab := strconv.FormatFloat(classes[k], 'g', -1, 64)
			if o.ClassNames != nil {
				lab = o.ClassNames[k]
			}
			lines = append(lines, "class = "+q(lab))
		}
		fmt.Fprintf(&b, "%d [label=\"%s\"] ;\n", i, strings.Join(lines, "\\n"))
		if parent >= 0 {
			switch {
			case parent == 0 && i == int(t.Nodes[0].Left):
				fmt.Fprintf(&b, "%d -> %d [labeldistance=2.5, labelangle=45, headlabel=\"True\"] ;\n", parent, i)
			case parent == 0:
				fmt.Fprintf(&b, "%d -> %d [labeldistance=2.5, labelangle=-45, headlabel=\"False\"] ;\n", parent, i)
			default:
				fmt.Fprintf(&b, "%d -> %d ;\n", parent, i)
			}
		}
		if nd.Left >= 0 {
			rec(int(nd.Left), i)
			rec(int(nd.Right), i)
		}
	}
	rec(0, -1)
	b.WriteString("}")
	return b.String(), nil
}
