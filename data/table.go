package data

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/ember-ml/ember/tensor"
)

// ColumnKind is the type of a table column.
type ColumnKind int

const (
	// Numeric columns hold float64 values; NaN marks a missing value.
	Numeric ColumnKind = iota
	// Categorical columns hold one of a sorted list of categories (a
	// string) per row, or a missing value.
	Categorical
)

// String returns "numeric" or "categorical".
func (k ColumnKind) String() string {
	if k == Categorical {
		return "categorical"
	}
	return "numeric"
}

// Column is one typed column of a Table.
type Column struct {
	name  string
	kind  ColumnKind
	num   []float64 // Numeric: the values, NaN when missing
	codes []int     // Categorical: index into cats, -1 when missing
	cats  []string  // Categorical: the categories, sorted
}

// NewNumericColumn returns a numeric column; NaN values are missing. The
// column keeps values (no copy).
func NewNumericColumn(name string, values []float64) *Column {
	return &Column{name: name, kind: Numeric, num: values}
}

// NewCategoricalColumn returns a categorical column of the given values;
// empty strings are missing. Categories are the distinct values, sorted.
func NewCategoricalColumn(name string, values []string) *Column {
	set := map[string]bool{}
	for _, v := range values {
		if v != "" {
			set[v] = true
		}
	}
	cats := make([]string, 0, len(set))
	for v := range set {
		cats = append(cats, v)
	}
	slices.Sort(cats)
	index := make(map[string]int, len(cats))
	for i, c := range cats {
		index[c] = i
	}
	codes := make([]int, len(values))
	for i, v := range values {
		if v == "" {
			codes[i] = -1
		} else {
			codes[i] = index[v]
		}
	}
	return &Column{name: name, kind: Categorical, codes: codes, cats: cats}
}

// Name returns the column's name.
func (c *Column) Name() string { return c.name }

// Kind returns Numeric or Categorical.
func (c *Column) Kind() ColumnKind { return c.kind }

// Len returns the number of rows.
func (c *Column) Len() int {
	if c.kind == Categorical {
		return len(c.codes)
	}
	return len(c.num)
}

// IsMissing reports whether row i is missing.
func (c *Column) IsMissing(i int) bool {
	if c.kind == Categorical {
		return c.codes[i] < 0
	}
	return math.IsNaN(c.num[i])
}

// NumMissing returns the number of missing values.
func (c *Column) NumMissing() int {
	n := 0
	for i := range c.Len() {
		if c.IsMissing(i) {
			n++
		}
	}
	return n
}

// Float returns row i as a number: the value of a numeric column, the
// category index of a categorical one, NaN when missing.
func (c *Column) Float(i int) float64 {
	if c.kind == Categorical {
		if c.codes[i] < 0 {
			return math.NaN()
		}
		return float64(c.codes[i])
	}
	return c.num[i]
}

// Floats returns the column as numbers (see Float), a new slice.
func (c *Column) Floats() []float64 {
	out := make([]float64, c.Len())
	for i := range out {
		out[i] = c.Float(i)
	}
	return out
}

// Str returns row i as text: the category, or the number formatted as
// briefly as it can be; "" when missing.
func (c *Column) Str(i int) string {
	if c.IsMissing(i) {
		return ""
	}
	if c.kind == Categorical {
		return c.cats[c.codes[i]]
	}
	return strconv.FormatFloat(c.num[i], 'g', -1, 64)
}

// Categories returns the sorted categories of a categorical column (nil
// for a numeric one). Category k is coded as k.
func (c *Column) Categories() []string { return c.cats }

// Codes returns the category index of each row of a categorical column,
// -1 when missing (nil for a numeric column). The slice must not be
// modified.
func (c *Column) Codes() []int { return c.codes }

// Table is a set of named, typed columns of equal length, like a small
// data frame: what ReadCSV returns and what the classical models read
// their features from.
type Table struct {
	cols  []*Column
	index map[string]int
	rows  int
	lines []int // source line of each row (nil when unknown)
}

// NewTable returns a table of the given columns, which must have distinct
// names and the same length.
func NewTable(cols ...*Column) (*Table, error) {
	t := &Table{index: map[string]int{}}
	for _, c := range cols {
		if err := t.AddColumn(c); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// NumRows returns the number of rows.
func (t *Table) NumRows() int { return t.rows }

// NumCols returns the number of columns.
func (t *Table) NumCols() int { return len(t.cols) }

// Names returns the column names in order.
func (t *Table) Names() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}

// NumericNames returns the names of the numeric columns, in order, less
// any in except.
func (t *Table) NumericNames(except ...string) []string { return t.namesOf(Numeric, except) }

// CategoricalNames returns the names of the categorical columns, in order,
// less any in except.
func (t *Table) CategoricalNames(except ...string) []string { return t.namesOf(Categorical, except) }

func (t *Table) namesOf(k ColumnKind, except []string) []string {
	var out []string
	for _, c := range t.cols {
		if c.kind == k && !slices.Contains(except, c.name) {
			out = append(out, c.name)
		}
	}
	return out
}

// Column returns the column of that name.
func (t *Table) Column(name string) (*Column, error) {
	i, ok := t.index[name]
	if !ok {
		return nil, fmt.Errorf("data: no column %q (columns: %s)", name, strings.Join(t.Names(), ", "))
	}
	return t.cols[i], nil
}

// Columns returns the columns in order.
func (t *Table) Columns() []*Column { return slices.Clone(t.cols) }

// Line returns the line of the source file that row i came from (0 when
// unknown).
func (t *Table) Line(i int) int {
	if t.lines == nil || i < 0 || i >= len(t.lines) {
		return 0
	}
	return t.lines[i]
}

func (t *Table) rowRef(i int) string {
	if l := t.Line(i); l > 0 {
		return fmt.Sprintf("row %d (line %d)", i, l)
	}
	return fmt.Sprintf("row %d", i)
}

// Select returns a table of the named columns, in that order (sharing
// their data).
func (t *Table) Select(names ...string) (*Table, error) {
	out := &Table{index: map[string]int{}, lines: t.lines}
	for _, n := range names {
		c, err := t.Column(n)
		if err != nil {
			return nil, err
		}
		if err := out.AddColumn(c); err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		out.rows = t.rows
	}
	return out, nil
}

// Drop returns a table without the named columns (sharing the data of the
// others).
func (t *Table) Drop(names ...string) (*Table, error) {
	for _, n := range names {
		if _, err := t.Column(n); err != nil {
			return nil, err
		}
	}
	var keep []string
	for _, c := range t.cols {
		if !slices.Contains(names, c.name) {
			keep = append(keep, c.name)
		}
	}
	out, err := t.Select(keep...)
	if err != nil {
		return nil, err
	}
	out.rows = t.rows
	return out, nil
}

// AddColumn appends a column. It is an error for its name to be taken or
// empty, or its length to differ from the table's.
func (t *Table) AddColumn(c *Column) error {
	if c == nil {
		return fmt.Errorf("data: AddColumn of a nil column")
	}
	if c.name == "" {
		return fmt.Errorf("data: a column needs a name")
	}
	if _, ok := t.index[c.name]; ok {
		return fmt.Errorf("data: the table already has a column %q", c.name)
	}
	if len(t.cols) > 0 && c.Len() != t.rows {
		return fmt.Errorf("data: column %q has %d rows, the table %d", c.name, c.Len(), t.rows)
	}
	if len(t.cols) == 0 {
		t.rows = c.Len()
		if t.lines != nil && len(t.lines) != t.rows {
			t.lines = nil
		}
	}
	t.index[c.name] = len(t.cols)
	t.cols = append(t.cols, c)
	return nil
}

// Row is the view of one table row that Derive passes to its function.
type Row struct {
	t   *Table
	i   int
	err *error
}

// Index returns the row's number.
func (r Row) Index() int { return r.i }

// Float returns the value of the named column in this row (a category
// index for a categorical column; NaN when missing). An unknown name
// makes Derive fail, and Float returns NaN.
func (r Row) Float(name string) float64 {
	c, err := r.t.Column(name)
	if err != nil {
		if *r.err == nil {
			*r.err = err
		}
		return math.NaN()
	}
	return c.Float(r.i)
}

// Str returns the value of the named column in this row as text ("" when
// missing or when the name is unknown, which makes Derive fail).
func (r Row) Str(name string) string {
	c, err := r.t.Column(name)
	if err != nil {
		if *r.err == nil {
			*r.err = err
		}
		return ""
	}
	return c.Str(r.i)
}

// Derive adds a numeric column computed from each row, such as
// age*experience:
//
//	t.Derive("age_x_exp", func(r data.Row) float64 { return r.Float("age") * r.Float("experience") })
//
// A NaN result is a missing value (so a missing input gives a missing
// output). Reading a column that does not exist is an error.
func (t *Table) Derive(name string, f func(r Row) float64) error {
	if _, ok := t.index[name]; ok {
		return fmt.Errorf("data: the table already has a column %q", name)
	}
	vals := make([]float64, t.rows)
	var err error
	for i := range vals {
		vals[i] = f(Row{t: t, i: i, err: &err})
		if err != nil {
			return fmt.Errorf("data: Derive %q: %w", name, err)
		}
	}
	return t.AddColumn(NewNumericColumn(name, vals))
}

// Float64 returns the named columns (all columns when none are named) as a
// float64 matrix [rows, columns]: numeric values, category indices for
// categorical columns, and NaN for missing values.
func (t *Table) Float64(names ...string) (*tensor.Tensor, error) {
	if len(names) == 0 {
		names = t.Names()
	}
	cols := make([]*Column, len(names))
	for j, n := range names {
		c, err := t.Column(n)
		if err != nil {
			return nil, err
		}
		cols[j] = c
	}
	m := len(cols)
	out := make([]float64, t.rows*m)
	for j, c := range cols {
		for i := range t.rows {
			out[i*m+j] = c.Float(i)
		}
	}
	return tensor.FromFloat64(out, t.rows, m), nil
}

// XY splits the table into features and a target for the classical
// models: X is float64 [rows, columns-1] of every other column (see
// Float64: categorical features become category indices, missing values
// NaN), featureNames their names in order, and y float64 [rows]: the
// values of a numeric target, or the class indices of a categorical one
// (class k is Column(target).Categories()[k], and ClassNames returns
// them). A missing target value is an error naming its row.
func (t *Table) XY(target string) (X, y *tensor.Tensor, featureNames []string, err error) {
	tc, err := t.Column(target)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range t.rows {
		if tc.IsMissing(i) {
			return nil, nil, nil, fmt.Errorf("data: target %q is missing in %s (%d rows lack it); drop those rows first",
				target, t.rowRef(i), tc.NumMissing())
		}
	}
	rest, err := t.Drop(target)
	if err != nil {
		return nil, nil, nil, err
	}
	X, err = rest.Float64()
	if err != nil {
		return nil, nil, nil, err
	}
	return X, tensor.FromFloat64(tc.Floats(), t.rows), rest.Names(), nil
}

// ClassNames returns the categories of a categorical column (the class
// names of XY's y), or an error for a numeric or unknown column.
func (t *Table) ClassNames(target string) ([]string, error) {
	c, err := t.Column(target)
	if err != nil {
		return nil, err
	}
	if c.kind != Categorical {
		return nil, fmt.Errorf("data: column %q is numeric, not categorical", target)
	}
	return c.cats, nil
}

// DropMissing returns the table without the rows where any of the named
// columns (all columns when none are named) is missing.
func (t *Table) DropMissing(names ...string) (*Table, error) {
	if len(names) == 0 {
		names = t.Names()
	}
	var check []*Column
	for _, n := range names {
		c, err := t.Column(n)
		if err != nil {
			return nil, err
		}
		check = append(check, c)
	}
	var keep []int
	for i := range t.rows {
		ok := true
		for _, c := range check {
			if c.IsMissing(i) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		}
	}
	return t.Rows(keep)
}

// Rows returns a table of the given rows, in that order (a copy).
func (t *Table) Rows(idx []int) (*Table, error) {
	for _, i := range idx {
		if i < 0 || i >= t.rows {
			return nil, fmt.Errorf("data: row %d out of range for a table of %d rows", i, t.rows)
		}
	}
	out := &Table{index: map[string]int{}}
	for _, c := range t.cols {
		nc := &Column{name: c.name, kind: c.kind, cats: c.cats}
		if c.kind == Categorical {
			nc.codes = make([]int, len(idx))
			for k, i := range idx {
				nc.codes[k] = c.codes[i]
			}
		} else {
			nc.num = make([]float64, len(idx))
			for k, i := range idx {
				nc.num[k] = c.num[i]
			}
		}
		if err := out.AddColumn(nc); err != nil {
			return nil, err
		}
	}
	out.rows = len(idx)
	if t.lines != nil {
		out.lines = make([]int, len(idx))
		for k, i := range idx {
			out.lines[k] = t.lines[i]
		}
	}
	return out, nil
}

// Head returns the first n rows as an aligned text table (like pandas'
// head), with the column kinds under the names and "NA" for missing
// values.
func (t *Table) Head(n int) string {
	n = max(0, min(n, t.rows))
	cells := make([][]string, n+2)
	cells[0] = t.Names()
	kinds := make([]string, len(t.cols))
	for j, c := range t.cols {
		if c.kind == Categorical {
			kinds[j] = "cat"
		} else {
			kinds[j] = "num"
		}
	}
	cells[1] = kinds
	for i := range n {
		row := make([]string, len(t.cols))
		for j, c := range t.cols {
			if c.IsMissing(i) {
				row[j] = "NA"
			} else {
				row[j] = c.Str(i)
			}
			if r := []rune(row[j]); len(r) > 24 {
				row[j] = string(r[:23]) + "…"
			}
		}
		cells[i+2] = row
	}
	width := make([]int, len(t.cols))
	for _, row := range cells {
		for j, s := range row {
			width[j] = max(width[j], len([]rune(s)))
		}
	}
	var b strings.Builder
	for _, row := range cells {
		for j, s := range row {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := width[j] - len([]rune(s))
			if j < len(t.cols) && t.cols[j].kind == Numeric {
				b.WriteString(strings.Repeat(" ", pad) + s)
			} else if j == len(row)-1 {
				b.WriteString(s)
			} else {
				b.WriteString(s + strings.Repeat(" ", pad))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "[%d rows x %d columns]\n", t.rows, len(t.cols))
	return b.String()
}

// DefaultMissing are the field values ReadCSV treats as missing by
// default.
var DefaultMissing = []string{"", "NA", "N/A", "NaN", "nan", "?", "null", "NULL"}

// CSVOptions configures ReadCSVFrom. The zero value reads comma-separated
// text with a header line and the DefaultMissing markers.
type CSVOptions struct {
	// Comma is the field separator (',' when zero).
	Comma rune
	// Comment, if not zero, starts lines to ignore.
	Comment rune
	// Missing lists the field values that are missing (after trimming
	// spaces); nil means DefaultMissing.
	Missing []string
	// NoHeader says the first line is data; columns are then named by
	// Names, or column_0, column_1, ...
	NoHeader bool
	// DetectHeader decides from the first line: it is data when every
	// field of it is a number (as in a file of numbers only), else a
	// header. It overrides NoHeader.
	DetectHeader bool
	// Names names the columns of a file without a header line (with
	// NoHeader, or when DetectHeader finds none); their number must match
	// the fields.
	Names []string
	// SkipLines skips this many lines before the header (or the data).
	SkipLines int
	// Categorical lists columns to keep categorical even when every value
	// is a number (codes such as zip codes or class labels).
	Categorical []string
}

// ReadCSV reads a CSV file (gzip-compressed if it starts with the gzip
// magic bytes) into a Table: see ReadCSVFrom. Errors name the file.
func ReadCSV(path string, opts ...CSVOptions) (*Table, error) {
	var o CSVOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		return nil, fmt.Errorf("data: ReadCSV takes at most one CSVOptions")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	t, err := ReadCSVFrom(r, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ReadCSVFrom reads CSV text into a Table. Every field is trimmed of
// spaces; values listed in opts.Missing are missing. A column whose
// present values all parse as numbers is numeric, any other is
// categorical (with its distinct values, sorted, as categories). The
// header is required unless opts.NoHeader; an empty header name becomes
// unnamed_N, and a repeated one is an error. A row with a different
// number of fields than the header, or a quoting error, is an error
// naming the line (and column).
func ReadCSVFrom(r io.Reader, opts CSVOptions) (*Table, error) {
	if opts.SkipLines > 0 {
		br := bufio.NewReader(r)
		for k := range opts.SkipLines {
			if _, err := br.ReadString('\n'); err != nil {
				if errors.Is(err, io.EOF) {
					return nil, fmt.Errorf("data: CSV has fewer than %d lines to skip (%d)", opts.SkipLines, k+1)
				}
				return nil, fmt.Errorf("data: CSV: %w", err)
			}
		}
		r = br
	}
	cr := csv.NewReader(r)
	if opts.Comma != 0 {
		cr.Comma = opts.Comma
	}
	cr.Comment = opts.Comment
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	missing := opts.Missing
	if missing == nil {
		missing = DefaultMissing
	}
	isMissing := make(map[string]bool, len(missing))
	for _, m := range missing {
		isMissing[strings.TrimSpace(m)] = true
	}
	lineOf := func(line int) int { return line + opts.SkipLines }

	var names []string
	var fields [][]string
	var lines []int
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("data: CSV line %d, column %d: %v", lineOf(pe.Line), pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("data: CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			noHeader := opts.NoHeader
			if opts.DetectHeader {
				noHeader = allNumbers(rec)
			}
			if noHeader {
				if opts.Names != nil {
					if len(opts.Names) != len(rec) {
						return nil, fmt.Errorf("data: CSV line %d has %d fields, but %d column names were given", lineOf(line), len(rec), len(opts.Names))
					}
					seen := map[string]bool{}
					for _, n := range opts.Names {
						if n == "" || seen[n] {
							return nil, fmt.Errorf("data: column names must be distinct and not empty: %q", opts.Names)
						}
						seen[n] = true
					}
					names = slices.Clone(opts.Names)
				} else {
					for j := range rec {
						names = append(names, "column_"+strconv.Itoa(j))
					}
				}
			} else {
				seen := map[string]bool{}
				for j, h := range rec {
					h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
					if h == "" {
						h = "unnamed_" + strconv.Itoa(j)
					}
					if seen[h] {
						return nil, fmt.Errorf("data: CSV line %d: column name %q appears twice in the header", lineOf(line), h)
					}
					seen[h] = true
					names = append(names, h)
				}
				fields = make([][]string, len(names))
				continue
			}
			fields = make([][]string, len(names))
		}
		if len(rec) != len(names) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue // a blank line of spaces
			}
			return nil, fmt.Errorf("data: CSV line %d has %d fields, but the header has %d (%s)",
				lineOf(line), len(rec), len(names), strings.Join(names, ", "))
		}
		for j, v := range rec {
			v = strings.TrimSpace(v)
			if isMissing[v] {
				v = ""
			}
			fields[j] = append(fields[j], v)
		}
		lines = append(lines, lineOf(line))
	}
	if names == nil {
		return nil, fmt.Errorf("data: CSV is empty (a header line is required)")
	}
	for _, c := range opts.Categorical {
		if !slices.Contains(names, c) {
			return nil, fmt.Errorf("data: CSV has no column %q to make categorical", c)
		}
	}
	t := &Table{index: map[string]int{}}
	for j, name := range names {
		col := inferColumn(name, fields[j], slices.Contains(opts.Categorical, name))
		if err := t.AddColumn(col); err != nil {
			return nil, err
		}
	}
	t.rows = len(lines)
	t.lines = lines
	return t, nil
}

// allNumbers reports whether every field of rec is a number.
func allNumbers(rec []string) bool {
	for _, f := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return false
		}
	}
	return true
}

// inferColumn builds a numeric column if every present value parses as a
// number (and the column is not forced categorical), else a categorical
// one. Empty strings are missing.
func inferColumn(name string, vals []string, categorical bool) *Column {
	if !categorical {
		num := make([]float64, len(vals))
		ok := true
		for i, v := range vals {
			if v == "" {
				num[i] = math.NaN()
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				ok = false
				break
			}
			num[i] = f
		}
		if ok {
			return NewNumericColumn(name, num)
		}
	}
	return NewCategoricalColumn(name, vals)
}
