//go:build race

package main

// raceEnabled: the race detector slows SQLite (pure Go) about tenfold, so
// the newsletter volume tests send fewer emails under it (see .ci/run).
const raceEnabled = true
