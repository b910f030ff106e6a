package plot

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode"
)

// DOTGraph is the part of a Graphviz DOT graph that Tree draws: nodes in
// order of first appearance, with their attributes, and edges.
type DOTGraph struct {
	Directed bool
	Nodes    []DOTNode
	Edges    []DOTEdge
}

// DOTNode is a node and its attributes (label, fillcolor, style, ...).
type DOTNode struct {
	ID    string
	Attrs map[string]string
}

// DOTEdge is an edge From -> To and its attributes.
type DOTEdge struct {
	From, To string
	Attrs    map[string]string
}

// Label returns the node's label as plain lines: Graphviz escapes (\n, \l,
// \r) and HTML-like labels (<br/>, tags, entities) are turned into text;
// without a label attribute the label is the node's ID.
func (n DOTNode) Label() []string {
	l, ok := n.Attrs["label"]
	if !ok {
		return []string{n.ID}
	}
	return labelLines(l)
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	htmlTag   = regexp.MustCompile(`<[^<>]*>`)
)

// labelLines converts a DOT label to lines of text. HTML-like labels are
// stored with a leading "<" by the parser.
func labelLines(l string) []string {
	if strings.HasPrefix(l, "<") {
		l = l[1:]
		l = htmlBreak.ReplaceAllString(l, "\n")
		l = htmlTag.ReplaceAllString(l, "")
		l = html.UnescapeString(l)
	} else {
		r := strings.NewReplacer(`\n`, "\n", `\l`, "\n", `\r`, "\n", `\\`, `\`)
		l = r.Replace(l)
	}
	l = strings.TrimRight(l, "\n")
	return strings.Split(l, "\n")
}

// dotLexer splits DOT source into tokens.
type dotLexer struct {
	src []rune
	pos int
}

type dotToken struct {
	kind byte // 'i' identifier or string, 'h' HTML string, or the punctuation itself: { } [ ] = ; , : '>' for -> and '-' for --
	text string
}

func (lx *dotLexer) next() (dotToken, error) {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case unicode.IsSpace(c):
			lx.pos++
		case c == '/' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '/', c == '#':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case c == '/' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '*':
			end := strings.Index(string(lx.src[lx.pos+2:]), "*/")
			if end < 0 {
				return dotToken{}, fmt.Errorf("unterminated comment")
			}
			lx.pos += 2 + len([]rune(string(lx.src[lx.pos+2:])[:end])) + 2
		default:
			return lx.token()
		}
	}
	return dotToken{kind: 0}, nil
}

func (lx *dotLexer) token() (dotToken, error) {
	c := lx.src[lx.pos]
	switch {
	case strings.ContainsRune("{}[]=;,:", c):
		lx.pos++
		return dotToken{kind: byte(c), text: string(c)}, nil
	case c == '-' && lx.pos+1 < len(lx.src) && (lx.src[lx.pos+1] == '>' || lx.src[lx.pos+1] == '-'):
		lx.pos += 2
		if lx.src[lx.pos-1] == '>' {
			return dotToken{kind: '>', text: "->"}, nil
		}
		return dotToken{kind: '-', text: "--"}, nil
	case c == '"':
		var b strings.Builder
		for lx.pos++; lx.pos < len(lx.src); lx.pos++ {
			r := lx.src[lx.pos]
			if r == '\\' && lx.pos+1 < len(lx.src) {
				if lx.src[lx.pos+1] == '"' {
					b.WriteRune('"')
					lx.pos++
					continue
				}
				if lx.src[lx.pos+1] == '\n' { // line continuation
					lx.pos++
					continue
				}
			}
			if r == '"' {
				lx.pos++
				s := b.String()
				// "a" + "b" concatenation
				save := lx.pos
				if t, err := lx.next(); err == nil && t.kind == 'i' && t.text == "+" {
					if t2, err := lx.next(); err == nil && t2.kind == 'i' {
						return dotToken{kind: 'i', text: s + t2.text}, nil
					}
				}
				lx.pos = save
				return dotToken{kind: 'i', text: s}, nil
			}
			b.WriteRune(r)
		}
		return dotToken{}, fmt.Errorf("unterminated string")
	case c == '<':
		depth := 0
		start := lx.pos
		for ; lx.pos < len(lx.src); lx.pos++ {
			switch lx.src[lx.pos] {
			case '<':
				depth++
			case '>':
				depth--
				if depth == 0 {
					lx.pos++
					return dotToken{kind: 'h', text: string(lx.src[start+1 : lx.pos-1])}, nil
				}
			}
		}
		return dotToken{}, fmt.Errorf("unterminated HTML string")
	case c == '+':
		lx.pos++
		return dotToken{kind: 'i', text: "+"}, nil
	case c == '_' || c == '.' || c == '-' || unicode.IsLetter(c) || unicode.IsDigit(c) || c >= 0x80:
		start := lx.pos
		for lx.pos < len(lx.src) {
			r := lx.src[lx.pos]
			if r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= 0x80 || (r == '-' && lx.pos == start) {
				lx.pos++
				continue
			}
			break
		}
		return dotToken{kind: 'i', text: string(lx.src[start:lx.pos])}, nil
	}
	return dotToken{}, fmt.Errorf("unexpected character %q", c)
}

// dotParser is a recursive-descent parser for the DOT language, flattening
// subgraphs into the one graph.
type dotParser struct {
	lx    dotLexer
	tok   dotToken
	g     *DOTGraph
	index map[string]int
	depth int
}

func (p *dotParser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *dotParser) expect(kind byte) error {
	if p.tok.kind != kind {
		return fmt.Errorf("expected %q, found %q", string(kind), p.tok.text)
	}
	return p.advance()
}

// ParseDOT parses a graph in the DOT language (the subset trees are
// exported in: node, edge and attribute statements, edge chains,
// subgraphs, quoted and HTML-like strings, comments).
func ParseDOT(src string) (*DOTGraph, error) {
	p := &dotParser{lx: dotLexer{src: []rune(src)}, g: &DOTGraph{}, index: map[string]int{}}
	if err := p.advance(); err != nil {
		return nil, fmt.Errorf("plot: DOT: %w", err)
	}
	if err := p.graph(); err != nil {
		return nil, fmt.Errorf("plot: DOT: %w", err)
	}
	return p.g, nil
}

func (p *dotParser) graph() error {
	if p.tok.kind == 'i' && strings.EqualFold(p.tok.text, "strict") {
		if err := p.advance(); err != nil {
			return err
		}
	}
	if p.tok.kind != 'i' || (!strings.EqualFold(p.tok.text, "digraph") && !strings.EqualFold(p.tok.text, "graph")) {
		return fmt.Errorf("expected graph or digraph, found %q", p.tok.text)
	}
	p.g.Directed = strings.EqualFold(p.tok.text, "digraph")
	if err := p.advance(); err != nil {
		return err
	}
	if p.tok.kind == 'i' || p.tok.kind == 'h' {
		if err := p.advance(); err != nil {
			return err
		}
	}
	if err := p.block(); err != nil {
		return err
	}
	if p.tok.kind != 0 {
		return fmt.Errorf("unexpected %q after the graph", p.tok.text)
	}
	return nil
}

// block parses "{ stmt_list }".
func (p *dotParser) block() error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 100 {
		return fmt.Errorf("subgraphs nested too deeply")
	}
	if err := p.expect('{'); err != nil {
		return err
	}
	for p.tok.kind != '}' {
		if p.tok.kind == 0 {
			return fmt.Errorf("missing '}'")
		}
		if p.tok.kind == ';' || p.tok.kind == ',' {
			if err := p.advance(); err != nil {
				return err
			}
			continue
		}
		if err := p.stmt(); err != nil {
			return err
		}
	}
	return p.advance()
}

func (p *dotParser) attrList() (map[string]string, error) {
	attrs := map[string]string{}
	for p.tok.kind == '[' {
		if err := p.advance(); err != nil {
			return nil, err
		}
		for p.tok.kind != ']' {
			if p.tok.kind == ';' || p.tok.kind == ',' {
				if err := p.advance(); err != nil {
					return nil, err
				}
				continue
			}
			if p.tok.kind != 'i' {
				return nil, fmt.Errorf("expected attribute name, found %q", p.tok.text)
			}
			key := p.tok.text
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expect('='); err != nil {
				return nil, err
			}
			switch p.tok.kind {
			case 'i':
				attrs[key] = p.tok.text
			case 'h':
				attrs[key] = "<" + p.tok.text
			default:
				return nil, fmt.Errorf("expected value of %s, found %q", key, p.tok.text)
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return attrs, nil
}

// endpoint parses a node ID with an optional port, or a subgraph (whose
// nodes are returned).
func (p *dotParser) endpoint() ([]string, error) {
	if p.tok.kind == '{' || (p.tok.kind == 'i' && strings.EqualFold(p.tok.text, "subgraph")) {
		before := len(p.g.Nodes)
		if err := p.subgraph(); err != nil {
			return nil, err
		}
		var ids []string
		for _, n := range p.g.Nodes[before:] {
			ids = append(ids, n.ID)
		}
		return ids, nil
	}
	if p.tok.kind != 'i' && p.tok.kind != 'h' {
		return nil, fmt.Errorf("expected a node, found %q", p.tok.text)
	}
	id := p.tok.text
	if err := p.advance(); err != nil {
		return nil, err
	}
	for p.tok.kind == ':' { // port and compass point
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return []string{id}, nil
}

func (p *dotParser) subgraph() error {
	if p.tok.kind == 'i' {
		if err := p.advance(); err != nil { // "subgraph"
			return err
		}
		if p.tok.kind == 'i' {
			if err := p.advance(); err != nil { // its name
				return err
			}
		}
	}
	return p.block()
}

func (p *dotParser) node(id string) *DOTNode {
	i, ok := p.index[id]
	if !ok {
		i = len(p.g.Nodes)
		p.index[id] = i
		p.g.Nodes = append(p.g.Nodes, DOTNode{ID: id, Attrs: map[string]string{}})
	}
	return &p.g.Nodes[i]
}

func (p *dotParser) stmt() error {
	if p.tok.kind == 'i' {
		switch strings.ToLower(p.tok.text) {
		case "graph", "node", "edge":
			if err := p.advance(); err != nil {
				return err
			}
			if p.tok.kind == '[' {
				_, err := p.attrList() // defaults are not needed for drawing
				return err
			}
			return fmt.Errorf("expected '[' after %s", p.tok.text)
		}
	}
	first, err := p.endpoint()
	if err != nil {
		return err
	}
	if p.tok.kind == '=' { // graph attribute ID = ID
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind != 'i' && p.tok.kind != 'h' {
			return fmt.Errorf("expected a value after '=', found %q", p.tok.text)
		}
		return p.advance()
	}
	chain := [][]string{first}
	for p.tok.kind == '>' || p.tok.kind == '-' {
		if err := p.advance(); err != nil {
			return err
		}
		next, err := p.endpoint()
		if err != nil {
			return err
		}
		chain = append(chain, next)
	}
	attrs, err := p.attrList()
	if err != nil {
		return err
	}
	if len(chain) == 1 {
		for _, id := range first {
			n := p.node(id)
			for k, v := range attrs {
				n.Attrs[k] = v
			}
		}
		return nil
	}
	for i := 0; i+1 < len(chain); i++ {
		for _, a := range chain[i] {
			p.node(a)
			for _, b := range chain[i+1] {
				p.node(b)
				ea := make(map[string]string, len(attrs))
				for k, v := range attrs {
					ea[k] = v
				}
				p.g.Edges = append(p.g.Edges, DOTEdge{From: a, To: b, Attrs: ea})
			}
		}
	}
	return nil
}
