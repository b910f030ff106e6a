package tensorboard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// ReadEvents reads every event of an event stream, verifying the framing's
// checksums and decoding each payload.
func ReadEvents(r io.Reader) ([]*Event, error) {
	rr := NewRecordReader(r)
	var events []*Event
	for {
		data, err := rr.Next()
		if errors.Is(err, io.EOF) {
			return events, nil
		}
		if err != nil {
			return events, err
		}
		e, err := UnmarshalEvent(data)
		if err != nil {
			return events, fmt.Errorf("event %d: %w", len(events), err)
		}
		events = append(events, e)
	}
}

// ReadFile reads the events of the event file at path.
func ReadFile(path string) ([]*Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	defer f.Close()
	return ReadEvents(f)
}

// Scalars collects the simple values of events by tag, in file order, as
// (step, value) pairs.
func Scalars(events []*Event) map[string][]ScalarPoint {
	out := map[string][]ScalarPoint{}
	for _, e := range events {
		if e.Summary == nil {
			continue
		}
		for _, v := range e.Summary.Values {
			if v.HasSimpleValue {
				out[v.Tag] = append(out[v.Tag], ScalarPoint{Step: e.Step, WallTime: e.WallTime, Value: v.SimpleValue})
			}
		}
	}
	return out
}

// ScalarPoint is one recorded scalar.
type ScalarPoint struct {
	Step     int64
	WallTime float64
	Value    float32
}

func sortStrings(s []string) { sort.Strings(s) }
