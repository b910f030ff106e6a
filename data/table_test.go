package data

import (
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readString(t *testing.T, s string, opts CSVOptions) *Table {
	t.Helper()
	tb, err := ReadCSVFrom(strings.NewReader(s), opts)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestReadCSVTitanic(t *testing.T) {
	tb, err := ReadCSV("testdata/titanic.csv")
	if err != nil {
		t.Fatal(err)
	}
	if tb.NumRows() != 1309 || tb.NumCols() != 14 {
		t.Fatalf("%d rows x %d columns, want 1309 x 14", tb.NumRows(), tb.NumCols())
	}
	// Kinds and missing counts, checked with Python's csv module.
	want := map[string]struct {
		kind    ColumnKind
		missing int
	}{
		"pclass": {Numeric, 0}, "survived": {Numeric, 0}, "name": {Categorical, 0}, "sex": {Categorical, 0},
		"age": {Numeric, 263}, "sibsp": {Numeric, 0}, "parch": {Numeric, 0}, "ticket": {Categorical, 0},
		"fare": {Numeric, 1}, "cabin": {Categorical, 1014}, "embarked": {Categorical, 2}, "boat": {Categorical, 823},
		"body": {Numeric, 1188}, "home.dest": {Categorical, 564},
	}
	for name, w := range want {
		c, err := tb.Column(name)
		if err != nil {
			t.Fatal(err)
		}
		if c.Kind() != w.kind || c.NumMissing() != w.missing {
			t.Errorf("%s: %v with %d missing, want %v with %d", name, c.Kind(), c.NumMissing(), w.kind, w.missing)
		}
	}
	age, _ := tb.Column("age")
	sum, n := 0.0, 0
	for i := range tb.NumRows() {
		if !age.IsMissing(i) {
			sum += age.Float(i)
			n++
		}
	}
	if math.Abs(sum/float64(n)-29.8811345124283) > 1e-9 {
		t.Fatalf("mean age %v", sum/float64(n))
	}
	sex, _ := tb.Column("sex")
	if !slices.Equal(sex.Categories(), []string{"female", "male"}) || sex.Str(0) != "female" || sex.Float(1) != 1 {
		t.Fatalf("sex categories %v, row 0 %q, row 1 %v", sex.Categories(), sex.Str(0), sex.Float(1))
	}
	name, _ := tb.Column("name")
	if name.Str(0) != "Allen, Miss. Elisabeth Walton" {
		t.Fatalf("quoted field %q", name.Str(0))
	}
	if tb.Line(0) != 2 || tb.Line(1308) != 1310 {
		t.Fatalf("lines %d %d", tb.Line(0), tb.Line(1308))
	}

	// The seeds' workflow: derived column, select features, XY.
	if err := tb.Derive("age_x_fare", func(r Row) float64 { return r.Float("age") * r.Float("fare") }); err != nil {
		t.Fatal(err)
	}
	feat, err := tb.Select("pclass", "sex", "age", "fare", "embarked", "age_x_fare", "survived")
	if err != nil {
		t.Fatal(err)
	}
	X, y, names, err := feat.XY("survived")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(X.Shape(), []int{1309, 6}) || !slices.Equal(names, []string{"pclass", "sex", "age", "fare", "embarked", "age_x_fare"}) {
		t.Fatalf("X %v names %v", X.Shape(), names)
	}
	if X.At(0, 0) != 1 || X.At(0, 1) != 0 || X.At(0, 2) != 29 || X.At(0, 5) != 29*211.3375 || y.At(0) != 1 {
		t.Fatalf("row 0: %v %v %v %v %v y %v", X.At(0, 0), X.At(0, 1), X.At(0, 2), X.At(0, 5), y.At(0), y.At(0))
	}
	nan := 0
	for _, v := range X.Float64s() {
		if math.IsNaN(v) {
			nan++
		}
	}
	// 263 ages, 1 fare, 2 embarked, and the derived column is missing
	// wherever age or fare is (263 + 1, the fare row has an age).
	if nan != 263+1+2+264 {
		t.Fatalf("%d NaNs in X", nan)
	}
	// A categorical target becomes class indices in sorted order.
	Xs, ys, _, err := feat.XY("sex")
	if err != nil {
		t.Fatal(err)
	}
	classes, _ := feat.ClassNames("sex")
	if Xs.Shape()[1] != 6 || ys.At(0) != 0 || ys.At(1) != 1 || !slices.Equal(classes, []string{"female", "male"}) {
		t.Fatalf("categorical target: %v %v %v", ys.At(0), ys.At(1), classes)
	}
	// A missing target is an error naming the row and line.
	if _, _, _, err := tb.XY("age"); err == nil || !strings.Contains(err.Error(), "line") {
		t.Fatalf("missing target: %v", err)
	}
	if _, _, _, err := tb.XY("nope"); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Fatalf("unknown target: %v", err)
	}
	dm, err := tb.DropMissing("age", "embarked")
	if err != nil || dm.NumRows() != 1309-263-2 {
		t.Fatalf("DropMissing: %v rows, %v", dm.NumRows(), err)
	}
	if _, _, _, err := dm.XY("age"); err != nil {
		t.Fatal(err)
	}
	h := tb.Head(3)
	if !strings.Contains(h, "pclass") || !strings.Contains(h, "Allen, Miss. Elisabeth") || !strings.Contains(h, "[1309 rows x 15 columns]") || strings.Count(h, "\n") != 6 {
		t.Fatalf("Head:\n%s", h)
	}
}

func TestReadCSVInference(t *testing.T) {
	tb := readString(t, "a, b ,c,d,e\n1, x ,NA,1e3,07\n2.5,y,?,,08\n-3,x,NaN,inf,09\n", CSVOptions{Categorical: []string{"e"}})
	if !slices.Equal(tb.Names(), []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("names %v", tb.Names())
	}
	kinds := []ColumnKind{Numeric, Categorical, Numeric, Numeric, Categorical}
	for j, c := range tb.Columns() {
		if c.Kind() != kinds[j] {
			t.Errorf("column %s is %v", c.Name(), c.Kind())
		}
	}
	a, _ := tb.Column("a")
	b, _ := tb.Column("b")
	c, _ := tb.Column("c")
	d, _ := tb.Column("d")
	e, _ := tb.Column("e")
	if !slices.Equal(a.Floats(), []float64{1, 2.5, -3}) {
		t.Fatalf("a %v", a.Floats())
	}
	if !slices.Equal(b.Categories(), []string{"x", "y"}) || !slices.Equal(b.Codes(), []int{0, 1, 0}) {
		t.Fatalf("b %v %v (spaces must be trimmed)", b.Categories(), b.Codes())
	}
	if c.NumMissing() != 3 || d.NumMissing() != 1 || d.Float(0) != 1000 || !math.IsInf(d.Float(2), 1) {
		t.Fatalf("c missing %d, d %v", c.NumMissing(), d.Floats())
	}
	if !slices.Equal(e.Categories(), []string{"07", "08", "09"}) {
		t.Fatalf("forced categorical e: %v", e.Categories())
	}
	// Custom missing markers, separator, comments, no header, skipped lines.
	tb = readString(t, "junk line\n# comment\n1;-\n2;5\n", CSVOptions{Comma: ';', Comment: '#', NoHeader: true, SkipLines: 1, Missing: []string{"-"}})
	if !slices.Equal(tb.Names(), []string{"column_0", "column_1"}) || tb.NumRows() != 2 {
		t.Fatalf("no header: %v, %d rows", tb.Names(), tb.NumRows())
	}
	c1, _ := tb.Column("column_1")
	if !c1.IsMissing(0) || c1.Float(1) != 5 || tb.Line(1) != 4 {
		t.Fatalf("custom missing: %v, line %d", c1.Floats(), tb.Line(1))
	}
	// Header detection: a first line of numbers is data.
	tb = readString(t, "1,2\n3,4\n", CSVOptions{DetectHeader: true})
	if tb.NumRows() != 2 || tb.Names()[0] != "column_0" {
		t.Fatalf("detect, numbers: %v %d rows", tb.Names(), tb.NumRows())
	}
	tb = readString(t, "x,y\n3,4\n", CSVOptions{DetectHeader: true, NoHeader: true})
	if tb.NumRows() != 1 || tb.Names()[1] != "y" {
		t.Fatalf("detect, header: %v %d rows", tb.Names(), tb.NumRows())
	}
	tb = readString(t, "3,4\n", CSVOptions{NoHeader: true, Names: []string{"p", "q"}})
	if !slices.Equal(tb.Names(), []string{"p", "q"}) {
		t.Fatalf("names %v", tb.Names())
	}
	for _, names := range [][]string{{"p"}, {"p", "p"}, {"p", ""}} {
		if _, err := ReadCSVFrom(strings.NewReader("3,4\n"), CSVOptions{NoHeader: true, Names: names}); err == nil {
			t.Errorf("names %q accepted", names)
		}
	}
	// An empty header name is named; a header-only file has no rows.
	tb = readString(t, "x,\n", CSVOptions{})
	if !slices.Equal(tb.Names(), []string{"x", "unnamed_1"}) || tb.NumRows() != 0 {
		t.Fatalf("header only: %v %d", tb.Names(), tb.NumRows())
	}
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		in, want string
		opts     CSVOptions
	}{
		{"", "empty", CSVOptions{}},
		{"a,b\n1,2\n3\n", "line 3 has 1 fields, but the header has 2", CSVOptions{}},
		{"a,b\n1,2\n3,4,5\n", "line 3 has 3 fields", CSVOptions{}},
		{"a,b\n1,\"x\"y\n", "line 2, column", CSVOptions{}},
		{"a,a\n1,2\n", `"a" appears twice`, CSVOptions{}},
		{"a\n1\n", `no column "z"`, CSVOptions{Categorical: []string{"z"}}},
		{"a\n", "fewer than 3 lines", CSVOptions{SkipLines: 3}},
		{"h\na,b\n1,2\n3\n", "line 4 has 1 fields", CSVOptions{SkipLines: 1}},
	}
	for _, c := range cases {
		_, err := ReadCSVFrom(strings.NewReader(c.in), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.in, err, c.want)
		}
	}
	if _, err := ReadCSV("testdata/nope.csv"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestReadCSVGzip(t *testing.T) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte("x,y\n1,a\n2,b\n"))
	w.Close()
	p := filepath.Join(t.TempDir(), "t.csv.gz")
	os.WriteFile(p, b.Bytes(), 0o644)
	tb, err := ReadCSV(p)
	if err != nil || tb.NumRows() != 2 {
		t.Fatalf("gzip CSV: %v", err)
	}
}

func TestTableOps(t *testing.T) {
	tb, err := NewTable(NewNumericColumn("a", []float64{1, 2, math.NaN()}), NewCategoricalColumn("b", []string{"z", "", "y"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.AddColumn(NewNumericColumn("c", []float64{1})); err == nil {
		t.Fatal("short column accepted")
	}
	if err := tb.AddColumn(NewNumericColumn("a", []float64{1, 2, 3})); err == nil {
		t.Fatal("duplicate column accepted")
	}
	if err := tb.Derive("d", func(r Row) float64 { return r.Float("a")*10 + r.Float("b") }); err != nil {
		t.Fatal(err)
	}
	d, _ := tb.Column("d")
	// b's categories are [y z]: z is 1, y is 0, and missing gives NaN.
	if d.Float(0) != 11 || !d.IsMissing(1) || !d.IsMissing(2) {
		t.Fatalf("derived %v", d.Floats())
	}
	if err := tb.Derive("e", func(r Row) float64 { return r.Float("nope") }); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("derive from unknown column: %v", err)
	}
	if err := tb.Derive("f", func(r Row) float64 {
		if r.Str("b") == "z" {
			return 1
		}
		return 0
	}); err != nil {
		t.Fatal(err)
	}
	m, err := tb.Float64("b", "a")
	if err != nil {
		t.Fatal(err)
	}
	if m.At(0, 0) != 1 || !math.IsNaN(m.At(1, 0)) || m.At(1, 1) != 2 {
		t.Fatalf("Float64 %v", m)
	}
	s, _ := tb.Select("f", "a")
	if !slices.Equal(s.Names(), []string{"f", "a"}) || s.NumRows() != 3 {
		t.Fatalf("Select %v", s.Names())
	}
	dr, _ := tb.Drop("a", "d")
	if !slices.Equal(dr.Names(), []string{"b", "f"}) {
		t.Fatalf("Drop %v", dr.Names())
	}
	if _, err := tb.Drop("zz"); err == nil {
		t.Fatal("Drop of unknown column accepted")
	}
	if !slices.Equal(tb.NumericNames("d"), []string{"a", "f"}) || !slices.Equal(tb.CategoricalNames(), []string{"b"}) {
		t.Fatalf("kind names %v %v", tb.NumericNames("d"), tb.CategoricalNames())
	}
	r, err := tb.Rows([]int{2, 0})
	if err != nil || r.NumRows() != 2 {
		t.Fatal(err)
	}
	rb, _ := r.Column("b")
	if rb.Str(0) != "y" || rb.Str(1) != "z" {
		t.Fatalf("Rows: %q %q", rb.Str(0), rb.Str(1))
	}
	if _, err := tb.ClassNames("a"); err == nil {
		t.Fatal("class names of a numeric column")
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("a,b\n1,2\n")
	f.Add("x,y,z\n1,NA,c\n2,?,\n\"q\"\"uote\",3,4\n")
	f.Add("a\n\"unterminated\n")
	f.Add("a,b\n1\n")
	f.Add("\ufeffa;b\n1;2\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, opts := range []CSVOptions{{}, {NoHeader: true, Comma: ';'}, {DetectHeader: true, Missing: []string{"-"}}} {
			tb, err := ReadCSVFrom(strings.NewReader(s), opts)
			if err != nil {
				continue
			}
			for _, c := range tb.Columns() {
				if c.Len() != tb.NumRows() {
					t.Fatalf("column %q has %d rows, table %d", c.Name(), c.Len(), tb.NumRows())
				}
			}
			m, err := tb.Float64()
			if err != nil {
				t.Fatal(err)
			}
			if m.Size() != tb.NumRows()*tb.NumCols() {
				t.Fatal("Float64 size")
			}
			tb.Head(3)
			if tb.NumCols() > 1 {
				tb.XY(tb.Names()[0])
			}
		}
	})
}

func TestReadCSVIris(t *testing.T) {
	// scikit-learn's iris.csv: a first line of counts and class names,
	// then 4 measurements and a class index.
	tb, err := ReadCSV("testdata/iris.csv", CSVOptions{SkipLines: 1, NoHeader: true, Categorical: []string{"column_4"}})
	if err != nil {
		t.Fatal(err)
	}
	if tb.NumRows() != 150 || len(tb.NumericNames()) != 4 {
		t.Fatalf("%d rows, numeric columns %v", tb.NumRows(), tb.NumericNames())
	}
	X, y, _, err := tb.XY("column_4")
	if err != nil {
		t.Fatal(err)
	}
	if c := classCounts(t, y); c[0] != 50 || c[1] != 50 || c[2] != 50 {
		t.Fatalf("class counts %v", c)
	}
	// The first row is 5.1, 3.5, 1.4, 0.2 of class 0; the mean sepal
	// length is 5.8433...
	if X.At(0, 0) != 5.1 || X.At(0, 3) != 0.2 || y.At(0) != 0 {
		t.Fatalf("row 0 %v", X.Index(0))
	}
	sum := 0.0
	for i := range 150 {
		sum += X.At(i, 0)
	}
	if math.Abs(sum/150-5.843333333333333) > 1e-12 {
		t.Fatalf("mean sepal length %v", sum/150)
	}
}
