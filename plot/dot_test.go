package plot

import (
	"bytes"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseDOTSklearnExport(t *testing.T) {
	src, err := os.ReadFile("testdata/iris_tree.dot")
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseDOT(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if !g.Directed || len(g.Nodes) != 9 || len(g.Edges) != 8 {
		t.Fatalf("directed %v, %d nodes, %d edges; want true, 9, 8", g.Directed, len(g.Nodes), len(g.Edges))
	}
	root := g.Nodes[0]
	want := []string{"petal width (cm) <= 0.8", "gini = 0.667", "samples = 150", "value = [50, 50, 50]", "class = setosa"}
	if !reflect.DeepEqual(root.Label(), want) {
		t.Fatalf("root label %q, want %q", root.Label(), want)
	}
	if g.Nodes[1].Attrs["fillcolor"] != "#e58139" {
		t.Fatalf("node 1 attrs %v", g.Nodes[1].Attrs)
	}
	e := g.Edges[0]
	if e.From != "0" || e.To != "1" || e.Attrs["headlabel"] != "True" || e.Attrs["labelangle"] != "45" {
		t.Fatalf("edge 0 = %+v", e)
	}
}

func TestParseDOTSyntax(t *testing.T) {
	src := `/* comment */ strict digraph "my tree" {
		// line comment
		graph [rankdir=TB]; rankdir = LR
		node [shape=box]
		a [label=<x<SUB>2</SUB> &le; 3.5<br/>gini = 0.5>, fillcolor="#e5813980"]
		b [label="left\lright\r", style=filled, color=lightblue]
		a -> b -> c [label="yes"]
		c:p1:n -> { d e }
		subgraph cluster_x { f; g }
		"quoted \"id\"" -> f
		h [label="a" + "b"]
	}`
	g, err := ParseDOT(src)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range g.Nodes {
		ids = append(ids, n.ID)
	}
	if want := []string{"a", "b", "c", "d", "e", "f", "g", `quoted "id"`, "h"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("nodes %q, want %q", ids, want)
	}
	var edges []string
	for _, e := range g.Edges {
		edges = append(edges, e.From+">"+e.To+":"+e.Attrs["label"])
	}
	if want := []string{"a>b:yes", "b>c:yes", "c>d:", "c>e:", `quoted "id">f:`}; !reflect.DeepEqual(edges, want) {
		t.Fatalf("edges %q, want %q", edges, want)
	}
	if got := g.Nodes[0].Label(); !reflect.DeepEqual(got, []string{"x2 ≤ 3.5", "gini = 0.5"}) {
		t.Fatalf("HTML label %q", got)
	}
	if got := g.Nodes[1].Label(); !reflect.DeepEqual(got, []string{"left", "right"}) {
		t.Fatalf("escaped label %q", got)
	}
	if got := g.Nodes[2].Label(); !reflect.DeepEqual(got, []string{"c"}) {
		t.Fatalf("default label %q", got)
	}
	if got := g.Nodes[8].Label(); !reflect.DeepEqual(got, []string{"ab"}) {
		t.Fatalf("concatenated label %q", got)
	}
	// #RRGGBBAA is blended on white: 0x80/0xff of e5 81 39.
	if c := dotFill(g.Nodes[0].Attrs); c != (color.RGBA{0xf2, 0xc0, 0x9c, 0xff}) {
		t.Fatalf("fill %v", c)
	}
	if c := dotFill(g.Nodes[1].Attrs); c != (color.RGBA{173, 216, 230, 255}) {
		t.Fatalf("named fill %v", c)
	}
	if c := dotFill(g.Nodes[2].Attrs); c != colorWhite {
		t.Fatalf("default fill %v", c)
	}
}

func TestParseDOTErrors(t *testing.T) {
	for _, src := range []string{
		"",
		"digraph {",
		"tree { a }",
		`digraph { a [label="open }`,
		"digraph { a -> }",
		"digraph { a [label] }",
		"digraph { a } extra",
		"digraph { /* open",
		"digraph { a [label=<b> }",
		"digraph { node a }",
		"digraph { @ }",
		strings.Repeat("digraph {", 1) + strings.Repeat("{", 200) + strings.Repeat("}", 201),
	} {
		if _, err := ParseDOT(src); err == nil {
			t.Errorf("ParseDOT(%.40q): no error", src)
		}
	}
	if _, err := Tree("digraph { }"); err == nil {
		t.Error("Tree of an empty graph: no error")
	}
}

func TestTreeLayoutNoOverlap(t *testing.T) {
	// A graph with a cycle, a shared child and two roots still lays out,
	// with no two boxes in a row overlapping.
	g, err := ParseDOT(`digraph { a -> b; a -> c; b -> d; c -> d; d -> a; x -> y; "wide label here" -> y; c -> "wide label here" }`)
	if err != nil {
		t.Fatal(err)
	}
	nodes, _, width, height := treeLayout(g)
	for i, a := range nodes {
		if a.depth < 0 || a.x-a.w/2 < 0 || a.x+a.w/2 > width || a.y+a.h/2 > height {
			t.Fatalf("node %d (%q) at depth %d, x %v, y %v lies outside %v x %v", i, a.lines, a.depth, a.x, a.y, width, height)
		}
		for _, b := range nodes[:i] {
			if a.depth == b.depth && a.x-a.w/2 < b.x+b.w/2 && b.x-b.w/2 < a.x+a.w/2 {
				t.Fatalf("nodes %q and %q overlap in row %d", a.lines, b.lines, a.depth)
			}
		}
	}
	if d := nodes[3].depth; d != 2 { // d is reached through b or c at depth 2
		t.Fatalf("depth of d = %d, want 2", d)
	}
	f := treeFigure(g)
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, "cyclic graph", buf.Bytes(), f)
}

func TestTreeGraphviz(t *testing.T) {
	if _, err := exec.LookPath("dot"); err != nil {
		t.Skip("Graphviz dot is not installed")
	}
	src, err := os.ReadFile("testdata/iris_tree.dot")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Tree(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.external == nil {
		t.Fatal("dot is installed but Tree does not use it")
	}
	var svg, pngBuf bytes.Buffer
	if err := f.Encode(&svg, "svg"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg.Bytes(), []byte("<svg")) || !bytes.Contains(svg.Bytes(), []byte("petal width")) {
		t.Fatalf("dot SVG lacks <svg or the labels")
	}
	if err := f.Encode(&pngBuf, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
		t.Fatalf("dot PNG is %v", b)
	}
	if *outDir != "" {
		if err := f.Save(filepath.Join(*outDir, "tree_graphviz.png")); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzParseDOT(f *testing.F) {
	src, err := os.ReadFile("testdata/iris_tree.dot")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(src))
	f.Add(`digraph { a -> b -> c; a [label=<x<br/>y>] }`)
	f.Add(`graph g { subgraph s { a -- b } c:p -> {d e} }`)
	f.Add(`digraph { "a" + "b" -> c [label="\"q\"\n"] }`)
	f.Fuzz(func(t *testing.T, src string) {
		g, err := ParseDOT(src)
		if err != nil {
			return
		}
		if len(g.Nodes) == 0 || len(g.Nodes) > 200 {
			return
		}
		for _, e := range g.Edges {
			found := 0
			for _, n := range g.Nodes {
				if n.ID == e.From || n.ID == e.To {
					found++
				}
			}
			if found == 0 {
				t.Fatalf("edge %v names no known node", e)
			}
		}
		fig := treeFigure(g)
		if !(fig.Width > 0 && fig.Height > 0) {
			t.Fatalf("figure size %v x %v", fig.Width, fig.Height)
		}
	})
}
