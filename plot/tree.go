package plot

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// UseGraphviz makes Tree render with Graphviz's dot program when it is on
// the PATH. Set it to false to always use the built-in layout.
var UseGraphviz = true

// Largest size of a tree picture; bigger trees are drawn smaller.
const (
	maxTreeWidth  = 40 * vg.Inch
	maxTreeHeight = 24 * vg.Inch
)

// Tree draws a graph given in the DOT language, such as a decision tree
// exported by a tree model (scikit-learn's export_graphviz format: boxes
// with multi-line labels, optional fill colours, "True"/"False" head
// labels). When UseGraphviz is set and Graphviz's dot is installed, dot
// renders it; otherwise, or if dot fails, ember lays it out itself: one row
// per depth, each node centred over its subtree.
func Tree(dotSource string) (*Figure, error) {
	g, err := ParseDOT(dotSource)
	if err != nil {
		return nil, err
	}
	if len(g.Nodes) == 0 {
		return nil, fmt.Errorf("plot: Tree: the graph has no nodes")
	}
	f := treeFigure(g)
	if UseGraphviz {
		if dot, err := exec.LookPath("dot"); err == nil {
			f.external = func(format string) ([]byte, error) { return runDot(dot, dotSource, format) }
		}
	}
	return f, nil
}

func runDot(dot, src, format string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Graphviz scales a drawing down to fit size (inches).
	args := []string{"-T" + format, fmt.Sprintf("-Gsize=%g,%g", maxTreeWidth/vg.Inch, maxTreeHeight/vg.Inch)}
	if format == "png" {
		args = append(args, "-Gdpi="+strconv.Itoa(DPI))
	}
	cmd := exec.CommandContext(ctx, dot, args...)
	cmd.Stdin = strings.NewReader(src)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("plot: dot: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}

// treeNode is a node placed by the built-in layout (points, y down from
// the top, centre of the box).
type treeNode struct {
	lines    []string
	fill     color.Color
	w, h     vg.Length
	x, y     vg.Length
	depth    int
	children []int
	subtreeW vg.Length
}

const (
	treeFont  = 9.0
	treePadX  = vg.Length(7)
	treePadY  = vg.Length(5)
	treeGapX  = vg.Length(12)
	treeGapY  = vg.Length(34)
	treeFrame = vg.Length(18)
)

// treeLayout places the nodes of g: one row per depth of a breadth-first
// spanning forest, each node centred over its subtree. It returns the
// nodes (in g's order), the index of each ID, and the size of the drawing.
func treeLayout(g *DOTGraph) (nodes []treeNode, index map[string]int, width, height vg.Length) {
	sty := textStyle(treeFont, colorBlack)
	lineH := sty.FontExtents().Height * 1.15
	nodes = make([]treeNode, len(g.Nodes))
	index = map[string]int{}
	for i, n := range g.Nodes {
		index[n.ID] = i
		tn := treeNode{lines: n.Label(), fill: dotFill(n.Attrs), depth: -1}
		for _, l := range tn.lines {
			tn.w = max(tn.w, sty.Width(l))
		}
		tn.w += 2 * treePadX
		tn.h = vg.Length(len(tn.lines))*lineH + 2*treePadY
		nodes[i] = tn
	}
	// Spanning forest: each node hangs under the first parent that reaches
	// it breadth-first from the roots (nodes without incoming edges, in
	// order; then any node not yet reached, for cycles).
	hasParent := make([]bool, len(nodes))
	out := make([][]int, len(nodes))
	for _, e := range g.Edges {
		a, b := index[e.From], index[e.To]
		out[a] = append(out[a], b)
		if a != b {
			hasParent[b] = true
		}
	}
	var roots []int
	visit := func(r int) {
		nodes[r].depth = 0
		queue := []int{r}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, v := range out[u] {
				if nodes[v].depth < 0 {
					nodes[v].depth = nodes[u].depth + 1
					nodes[u].children = append(nodes[u].children, v)
					queue = append(queue, v)
				}
			}
		}
	}
	for i := range nodes {
		if !hasParent[i] && nodes[i].depth < 0 {
			roots = append(roots, i)
			visit(i)
		}
	}
	for i := range nodes {
		if nodes[i].depth < 0 {
			roots = append(roots, i)
			visit(i)
		}
	}
	// Row heights and y positions.
	maxDepth := 0
	for _, n := range nodes {
		maxDepth = max(maxDepth, n.depth)
	}
	rowH := make([]vg.Length, maxDepth+1)
	for _, n := range nodes {
		rowH[n.depth] = max(rowH[n.depth], n.h)
	}
	rowY := make([]vg.Length, maxDepth+1)
	y := treeFrame
	for d := range rowH {
		rowY[d] = y + rowH[d]/2
		y += rowH[d] + treeGapY
	}
	height = y - treeGapY + treeFrame
	// Subtree widths (post-order), then x positions (pre-order).
	var measure func(i int) vg.Length
	measure = func(i int) vg.Length {
		var sum vg.Length
		for k, c := range nodes[i].children {
			if k > 0 {
				sum += treeGapX
			}
			sum += measure(c)
		}
		nodes[i].subtreeW = max(nodes[i].w, sum)
		return nodes[i].subtreeW
	}
	var place func(i int, left vg.Length)
	place = func(i int, left vg.Length) {
		n := &nodes[i]
		n.x = left + n.subtreeW/2
		n.y = rowY[n.depth]
		var sum vg.Length
		for k, c := range n.children {
			if k > 0 {
				sum += treeGapX
			}
			sum += nodes[c].subtreeW
		}
		x := left + (n.subtreeW-sum)/2
		for _, c := range n.children {
			place(c, x)
			x += nodes[c].subtreeW + treeGapX
		}
	}
	x := treeFrame
	for k, r := range roots {
		if k > 0 {
			x += treeGapX * 2
		}
		measure(r)
		place(r, x)
		x += nodes[r].subtreeW
	}
	width = x + treeFrame
	return nodes, index, width, height
}

func treeFigure(g *DOTGraph) *Figure {
	sty := textStyle(treeFont, colorBlack)
	lineH := sty.FontExtents().Height * 1.15
	nodes, index, width, height := treeLayout(g)
	scale := 1.0
	if width > maxTreeWidth {
		scale = float64(maxTreeWidth / width)
	}
	if height*vg.Length(scale) > maxTreeHeight {
		scale = float64(maxTreeHeight / height)
	}
	edgeSty := textStyle(treeFont, colorBlack)
	return newFigure(width*vg.Length(scale), height*vg.Length(scale), func(dc draw.Canvas) {
		dc.Push()
		defer dc.Pop()
		// Layout coordinates: x right, y down from the top-left corner.
		dc.Translate(vg.Point{X: dc.Min.X, Y: dc.Max.Y})
		dc.Scale(scale, scale)
		pt := func(x, y vg.Length) vg.Point { return vg.Point{X: x, Y: -y} }
		dc.SetLineStyle(draw.LineStyle{Color: colorBlack, Width: vg.Points(0.8)})
		for _, e := range g.Edges {
			a, b := &nodes[index[e.From]], &nodes[index[e.To]]
			if a == b {
				continue
			}
			from := pt(a.x, a.y+a.h/2)
			to := pt(b.x, b.y-b.h/2)
			var path vg.Path
			path.Move(from)
			path.Line(to)
			dc.Stroke(path)
			if g.Directed {
				arrowHead(dc.Canvas, from, to)
			}
			label := e.Attrs["label"]
			if label == "" {
				label = e.Attrs["headlabel"]
			}
			if label == "" {
				label = e.Attrs["taillabel"]
			}
			if label != "" {
				// Beside the edge, a third of the way down, on its outer side.
				mx := from.X + (to.X-from.X)*0.3
				my := from.Y + (to.Y-from.Y)*0.3
				s := edgeSty
				s.YAlign = draw.YBottom // above the edge: the edge is lower on the label's side
				off := vg.Points(3)
				if to.X < from.X {
					s.XAlign = draw.XRight
					mx -= off
				} else {
					s.XAlign = draw.XLeft
					mx += off
				}
				drawLines(dc.Canvas, s, vg.Point{X: mx, Y: my}, labelLines(label), sty.FontExtents().Height*1.15)
			}
		}
		for _, n := range nodes {
			r := vg.Rectangle{Min: pt(n.x-n.w/2, n.y+n.h/2), Max: pt(n.x+n.w/2, n.y-n.h/2)}
			box := roundedRect(r, vg.Points(3))
			dc.SetColor(n.fill)
			dc.Fill(box)
			dc.SetLineStyle(draw.LineStyle{Color: colorBlack, Width: vg.Points(0.8)})
			dc.Stroke(box)
			s := sty
			if lum(n.fill) < 0.45 {
				s.Color = colorWhite
			}
			drawLines(dc.Canvas, s, pt(n.x, n.y), n.lines, lineH)
		}
	})
}

// drawLines draws lines of text centred vertically on at, one under the other.
func drawLines(c vg.Canvas, sty text.Style, at vg.Point, lines []string, lineH vg.Length) {
	top := at.Y + lineH*vg.Length(len(lines)-1)/2
	for i, l := range lines {
		dc := draw.Canvas{Canvas: c}
		dc.FillText(sty, vg.Point{X: at.X, Y: top - lineH*vg.Length(i)}, l)
	}
}

func arrowHead(c vg.Canvas, from, to vg.Point) {
	dx, dy := float64(to.X-from.X), float64(to.Y-from.Y)
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	ux, uy := dx/l, dy/l
	size := 6.0
	var p vg.Path
	p.Move(to)
	p.Line(vg.Point{X: to.X - vg.Length(size*ux-size*0.4*uy), Y: to.Y - vg.Length(size*uy+size*0.4*ux)})
	p.Line(vg.Point{X: to.X - vg.Length(size*ux+size*0.4*uy), Y: to.Y - vg.Length(size*uy-size*0.4*ux)})
	p.Close()
	c.SetColor(colorBlack)
	c.Fill(p)
}

func roundedRect(r vg.Rectangle, rad vg.Length) vg.Path {
	var p vg.Path
	x0, y0, x1, y1 := r.Min.X, r.Min.Y, r.Max.X, r.Max.Y
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	p.Move(vg.Point{X: x0 + rad, Y: y0})
	p.Line(vg.Point{X: x1 - rad, Y: y0})
	p.Arc(vg.Point{X: x1 - rad, Y: y0 + rad}, rad, -math.Pi/2, math.Pi/2)
	p.Line(vg.Point{X: x1, Y: y1 - rad})
	p.Arc(vg.Point{X: x1 - rad, Y: y1 - rad}, rad, 0, math.Pi/2)
	p.Line(vg.Point{X: x0 + rad, Y: y1})
	p.Arc(vg.Point{X: x0 + rad, Y: y1 - rad}, rad, math.Pi/2, math.Pi/2)
	p.Line(vg.Point{X: x0, Y: y0 + rad})
	p.Arc(vg.Point{X: x0 + rad, Y: y0 + rad}, rad, math.Pi, math.Pi/2)
	p.Close()
	return p
}

// dotFill returns a node's fill colour: its fillcolor (or color, when
// style is filled), #RRGGBB or #RRGGBBAA blended on white, or a few named
// colours; white otherwise.
func dotFill(attrs map[string]string) color.Color {
	c := attrs["fillcolor"]
	if c == "" && strings.Contains(attrs["style"], "filled") {
		c = attrs["color"]
	}
	if c == "" {
		return colorWhite
	}
	if col, ok := parseDOTColor(c); ok {
		return col
	}
	return colorWhite
}

func parseDOTColor(s string) (color.RGBA, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if strings.HasPrefix(s, "#") && (len(s) == 7 || len(s) == 9) {
		v, err := strconv.ParseUint(s[1:], 16, 64)
		if err != nil {
			return color.RGBA{}, false
		}
		a := uint64(255)
		if len(s) == 9 {
			a = v & 0xff
			v >>= 8
		}
		blend := func(c uint64) uint8 { return uint8((c*a + 255*(255-a) + 127) / 255) }
		return color.RGBA{blend(v >> 16 & 0xff), blend(v >> 8 & 0xff), blend(v & 0xff), 0xff}, true
	}
	named := map[string]color.RGBA{
		"white": {255, 255, 255, 255}, "black": {0, 0, 0, 255}, "red": {255, 0, 0, 255},
		"green": {0, 255, 0, 255}, "blue": {0, 0, 255, 255}, "yellow": {255, 255, 0, 255},
		"lightgrey": {211, 211, 211, 255}, "lightgray": {211, 211, 211, 255}, "grey": {192, 192, 192, 255},
		"gray": {192, 192, 192, 255}, "lightblue": {173, 216, 230, 255}, "orange": {255, 165, 0, 255},
	}
	c, ok := named[s]
	return c, ok
}

// lum is the relative luminance of c in [0, 1].
func lum(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}
