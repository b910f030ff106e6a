package serve

import (
	"slices"
	"testing"
)

func TestFastRowsDefersWhatItDoesNotKnow(t *testing.T) {
	for _, body := range []string{
		`{"features": [1, null]}`, `{"features": [1, "2"]}`, `{"features": [NaN]}`, `{"features": [1e999]}`,
		`{"features": [+1]}`, `{"features": [.5]}`, `{"features": [1.]}`, `{"features": [01]}`,
		`{"features": []}`, `{"instances": [[1, 2], [3]]}`, `{"instances": []}`, `{"Features": [1]}`,
		`{"features": [1], "instances": [[1]]}`, `{"features": [1]} x`, `{"feat\u0075res": [1]}`, `[1, 2]`,
	} {
		if _, _, _, ok := fastRows([]byte(body), 0, 100); ok {
			t.Errorf("fast path accepted %s", body)
		}
	}
	flat, n, single, ok := fastRows([]byte(" {\n\"instances\" : [ [1, -2.5e-3] ,[0, 4E2] ] } "), 2, 100)
	if !ok || single || n != 2 || !slices.Equal(flat, []float64{1, -0.0025, 0, 400}) {
		t.Fatalf("flat %v n %d single %v ok %v", flat, n, single, ok)
	}
	if _, _, _, ok := fastRows([]byte(`{"instances": [[1], [2], [3]]}`), 1, 2); ok {
		t.Error("fast path ignored the row limit")
	}
}

// FuzzFastRowsAgreesWithCareful: whenever the fast path accepts a body, the
// careful path accepts it too, with the same rows.
func FuzzFastRowsAgreesWithCareful(f *testing.F) {
	for _, s := range []string{`{"features": [1, 2, 3]}`, `{"instances": [[1, 2], [3, 4]]}`, `{"features": [-0.0, 1e-5]}`,
		`{"instances": [[1e308, -1e308]]}`, `{"features": [1, null]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		flat, n, single, ok := fastRows(body, 0, 50)
		if !ok {
			return
		}
		want, wantN, wantSingle, err := decodeRowsCareful(body, 0, 50, nil)
		if err != nil {
			t.Fatalf("fast path accepted %q, careful path says %v", body, err)
		}
		if single != wantSingle || n != wantN || !slices.Equal(flat, want) {
			t.Fatalf("%q: fast %v (%d rows, single %v), careful %v (%d rows, single %v)", body, flat, n, single, want, wantN, wantSingle)
		}
	})
}
