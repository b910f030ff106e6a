package rl

import (
	"encoding/json"
	"fmt"
	"os"
)

// LoadPolicy reads a policy saved by Run: a Q-table (QTable.Save) or a
// Q-network (QNetwork.Save), told apart by the file's format field.
func LoadPolicy(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("rl.LoadPolicy: %s: %w", path, err)
	}
	switch head.Format {
	case qtableFormat:
		return parseQTable(b)
	case qnetworkFormat:
		return parseQNetwork(b)
	}
	return nil, fmt.Errorf("rl.LoadPolicy: %s: format %q, want %q or %q", path, head.Format, qtableFormat, qnetworkFormat)
}
