package rl

import (
	"os"
)

// LoadPolicy reads a policy saved by Run: a Q-network directory
// (QNetwork.Save) or a Q-table file (QTable.Save).
func LoadPolicy(path string) (Policy, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return LoadQNetwork(path)
	}
	return LoadQTable(path)
}
