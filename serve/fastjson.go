package serve

import (
	"math"
	"strconv"
	"unsafe"
)

// fastRows decodes the common request bodies, {"features": [n, ...]} and
// {"instances": [[n, ...], ...]} holding only finite numbers, without
// building a JSON value per number, into n rows laid out one after the
// other in flat. It reports ok=false for anything else
// (other keys, nulls, strings, NaN, ragged rows, bad syntax), and DecodeRows
// then takes the careful path, which names the problem.
func fastRows(body []byte, features, maxRows int) (flat []float64, n int, single, ok bool) {
	p := &scanner{b: body}
	if !p.lit('{') {
		return nil, 0, false, false
	}
	key, ok := p.key()
	if !ok || !p.lit(':') {
		return nil, 0, false, false
	}
	width := 0
	switch key {
	case "features":
		single = true
		if flat, ok = p.numbers(flat); !ok {
			return nil, 0, false, false
		}
		width, n = len(flat), 1
	case "instances":
		if !p.lit('[') {
			return nil, 0, false, false
		}
		for {
			if n >= maxRows {
				return nil, 0, false, false
			}
			before := len(flat)
			if flat, ok = p.numbers(flat); !ok {
				return nil, 0, false, false
			}
			w := len(flat) - before
			if n == 0 {
				width = w
			} else if w != width {
				return nil, 0, false, false
			}
			n++
			if p.lit(',') {
				continue
			}
			if !p.lit(']') {
				return nil, 0, false, false
			}
			break
		}
	default:
		return nil, 0, false, false
	}
	if !p.lit('}') || !p.end() || width == 0 || (features > 0 && width != features) {
		return nil, 0, false, false
	}
	return flat, n, single, true
}

// scanner walks a JSON body for fastRows.
type scanner struct {
	b []byte
	i int
}

func (p *scanner) skip() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

// lit consumes c (after white space) if it is next.
func (p *scanner) lit(c byte) bool {
	p.skip()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *scanner) end() bool {
	p.skip()
	return p.i == len(p.b)
}

// key reads a plain string without escapes.
func (p *scanner) key() (string, bool) {
	if !p.lit('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.b) && p.b[p.i] != '"' {
		if p.b[p.i] == '\\' {
			return "", false
		}
		p.i++
	}
	if p.i >= len(p.b) {
		return "", false
	}
	k := string(p.b[start:p.i])
	p.i++
	return k, true
}

// numbers reads [n, n, ...] of finite JSON numbers, appending to dst.
func (p *scanner) numbers(dst []float64) ([]float64, bool) {
	if !p.lit('[') {
		return dst, false
	}
	if p.lit(']') {
		return dst, false // an empty row: the careful path says why
	}
	for {
		p.skip()
		start := p.i
		for p.i < len(p.b) {
			c := p.b[p.i]
			if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				p.i++
				continue
			}
			break
		}
		if p.i == start || !jsonNumber(p.b[start:p.i]) {
			return dst, false
		}
		v, err := strconv.ParseFloat(unsafe.String(&p.b[start], p.i-start), 64)
		if err != nil || math.IsInf(v, 0) {
			return dst, false
		}
		dst = append(dst, v)
		if p.lit(',') {
			continue
		}
		return dst, p.lit(']')
	}
}

// jsonNumber reports whether b follows JSON's number grammar (ParseFloat
// also takes forms JSON does not, such as "+1", ".5" or "1.").
func jsonNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i == len(b)
}
