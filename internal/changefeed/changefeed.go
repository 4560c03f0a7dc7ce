// Package changefeed is the part of the stores' change feeds (WatchChanges)
// that does not depend on the database: the watchers told after each
// committed write.
package changefeed

import "sync"

// Hooks are the functions WatchChanges registered, called after each
// committed write transaction. The zero value is ready to use.
type Hooks struct {
	mu    sync.Mutex
	hooks map[*func(bool)]struct{}
}

// Add registers fn.
func (h *Hooks) Add(fn *func(bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hooks == nil {
		h.hooks = map[*func(bool)]struct{}{}
	}
	h.hooks[fn] = struct{}{}
}

// Remove unregisters fn.
func (h *Hooks) Remove(fn *func(bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.hooks, fn)
}

// Committed tells every watcher that a write transaction committed.
func (h *Hooks) Committed() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for fn := range h.hooks {
		(*fn)(true)
	}
}
