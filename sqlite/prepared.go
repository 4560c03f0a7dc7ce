package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// preparedReads runs queries on the read pool through prepared statements
// kept by their text. Parsing and planning a search's statements cost an
// eighth of the search; their texts are built from a few fixed fragments
// (values are always parameters, ID lists go through json_each), so the
// set stays small. Past maxPrepared texts, queries run unprepared.
type preparedReads struct {
	pool *sql.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxPrepared = 256

func newPreparedReads(pool *sql.DB) *preparedReads {
	return &preparedReads{pool: pool, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement for q, preparing it on first use;
// nil when the cache is full.
func (p *preparedReads) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts[q]; ok {
		return st, nil
	}
	if len(p.stmts) >= maxPrepared {
		return nil, nil
	}
	st, err := p.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	p.stmts[q] = st
	return st, nil
}

// QueryContext runs q with args.
func (p *preparedReads) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return p.pool.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs q with args, for one row. A failure to prepare is
// reported by the row's Scan, as with sql.DB.
func (p *preparedReads) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, q)
	if err != nil || st == nil {
		// Preparing again inside QueryRowContext reports the error through Scan.
		return p.pool.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Close closes the prepared statements.
func (p *preparedReads) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for q, st := range p.stmts {
		errs = append(errs, st.Close())
		delete(p.stmts, q)
	}
	return errors.Join(errs...)
}
