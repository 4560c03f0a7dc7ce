//go:build race

package web_test

// raceEnabled: the race detector slows SQLite (pure Go) about tenfold, so
// volume tests run without it (see .ci/run).
const raceEnabled = true
