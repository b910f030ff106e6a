package rl

import (
	"fmt"
	"os"
)

// LoadPolicy reads a policy saved by Run: a Q-table file written by
// QTable.Save.
func LoadPolicy(path string) (Policy, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("rl.LoadPolicy: %s is a directory, not a saved Q-table", path)
	}
	return LoadQTable(path)
}
