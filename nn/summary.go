package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// Summary returns a table of the layers, their output shapes and
// parameter counts, like Keras's model.summary(). Shapes show the batch
// axis as None; an unbuilt model shows "?" for them.
func (m *Model) Summary() string {
	var b strings.Builder
	line := strings.Repeat("_", 65)
	double := strings.Repeat("=", 65)
	fmt.Fprintf(&b, "Model: %q\n%s\n", "sequential", line)
	row := func(a, b2, c string) {
		fmt.Fprintf(&b, "%s\n", strings.TrimRight(fmt.Sprintf(" %-27s %-25s %s", a, b2, c), " "))
	}
	row("Layer (type)", "Output Shape", "Param #")
	fmt.Fprintf(&b, "%s\n", double)
	for i, l := range m.layers {
		shape := "?"
		params := 0
		if l.Built() {
			shape = shapeString(l.OutputShape())
			for _, w := range l.Weights() {
				params += w.Value.Size()
			}
		}
		row(fmt.Sprintf("%s (%s)", l.Name(), l.Type()), shape, commas(params))
		if i < len(m.layers)-1 {
			b.WriteByte('\n')
		}
	}
	tr, non := m.CountParams()
	fmt.Fprintf(&b, "%s\nTotal params: %s\nTrainable params: %s\nNon-trainable params: %s\n%s\n", double, commas(tr+non), commas(tr), commas(non), line)
	return b.String()
}

func shapeString(s []int) string {
	parts := []string{"None"}
	for _, d := range s {
		parts = append(parts, strconv.Itoa(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func commas(n int) string {
	s := strconv.Itoa(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
