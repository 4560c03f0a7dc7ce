// Package sitecopy copies a whole Byline site from its SQLite database to a
// PostgreSQL database of the same schema version, in one transaction, and
// verifies the copy by row counts and checksums.
//
// It copies table by table, converting each value by the type of the
// PostgreSQL column (Unix milliseconds to timestamptz, 0/1 to boolean, JSON
// text to jsonb), so the two backends' migrations stay the only description
// of the schema. Search indexes are rebuilt by PostgreSQL itself (generated
// columns and triggers); challenges, which live ten minutes, are not copied.
package sitecopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Tables are copied in this order, parents before children.
var Tables = []string{
	"authors", "tags", "articles", "article_authors", "article_tags", "redirects",
	"sections", "article_sections",
	"users", "sessions", "article_owners", "article_revisions", "autosaves", "settings", "uploads",
	"pages", "page_revisions", "page_redirects", "menu_items",
	"messages", "rate_limits", "site_state",
	"newsletters", "subscribers", "subscriptions", "subscriber_confirmations", "newsletter_sends",
	"newsletter_deliveries", "site_keys",
}

// skipped are SQLite tables that are not copied: the search index (rebuilt
// by PostgreSQL), bookkeeping, and short-lived captcha challenges.
var skipped = []string{"schema_migrations", "challenges", "sqlite_sequence"}

// Result is what a copy did, per table.
type Result struct {
	Tables []TableResult
}

// TableResult is one table's copy: rows and the checksum both sides agree on.
type TableResult struct {
	Name     string
	Rows     int
	Checksum string
}

// Copy copies the site in the SQLite file at sqlitePath to the PostgreSQL
// database pool, which must be migrated and hold no articles, users or
// messages yet. On any error nothing is written to PostgreSQL.
func Copy(ctx context.Context, sqlitePath string, pool *pgxpool.Pool) (*Result, error) {
	src, err := sql.Open("sqlite", "file:"+sqlitePath+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", sqlitePath, err)
	}
	defer src.Close()
	if err := src.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("open %s: %w", sqlitePath, err)
	}
	// One read transaction: a consistent snapshot even if the site is live.
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", sqlitePath, err)
	}
	defer stx.Rollback()
	if err := checkTables(ctx, stx); err != nil {
		return nil, err
	}

	result := &Result{}
	err = pgx.BeginFunc(ctx, pool, func(ptx pgx.Tx) error {
		if err := checkEmpty(ctx, ptx); err != nil {
			return err
		}
		for _, table := range Tables {
			tr, err := copyTable(ctx, stx, ptx, table)
			if err != nil {
				return fmt.Errorf("table %s: %w", table, err)
			}
			result.Tables = append(result.Tables, tr)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// checkTables refuses a SQLite database with tables this copier does not
// know: a new migration must be added to Tables or skipped, not lost.
func checkTables(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var unknown []string
	for rows.Next() {
		var name string
		var ddl sql.NullString
		if err := rows.Scan(&name, &ddl); err != nil {
			return err
		}
		if slices.Contains(Tables, name) || slices.Contains(skipped, name) || isFTS(name, ddl.String) {
			continue
		}
		unknown = append(unknown, name)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("the SQLite database has tables this version cannot copy: %s", strings.Join(unknown, ", "))
	}
	return nil
}

// isFTS reports whether a table is an FTS5 index or one of its shadow tables.
func isFTS(name, ddl string) bool {
	if strings.Contains(strings.ToLower(ddl), "using fts5") {
		return true
	}
	for _, suffix := range []string{"_data", "_idx", "_content", "_docsize", "_config"} {
		if strings.HasSuffix(name, suffix) && (strings.Contains(name, "fts") || strings.Contains(name, "words")) {
			return true
		}
	}
	return false
}

func checkEmpty(ctx context.Context, tx pgx.Tx) error {
	for _, table := range []string{"articles", "users", "messages"} {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			return fmt.Errorf("check %s: %w", table, err)
		}
		if n > 0 {
			return fmt.Errorf("the PostgreSQL database already has %d %s; copy into an empty database", n, table)
		}
	}
	return nil
}

// column is a column both databases have, with its PostgreSQL type.
type column struct {
	name, pgType string
}

func copyTable(ctx context.Context, stx *sql.Tx, ptx pgx.Tx, table string) (TableResult, error) {
	cols, err := columns(ctx, stx, ptx, table)
	if err != nil {
		return TableResult{}, err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(quoteAll(names), ", ")+` FROM `+table)
	if err != nil {
		return TableResult{}, err
	}
	defer rows.Close()
	var (
		converted [][]any
		srcSums   []string
	)
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return TableResult{}, err
		}
		row := make([]any, len(cols))
		for i, c := range cols {
			if row[i], err = convert(raw[i], c.pgType); err != nil {
				return TableResult{}, fmt.Errorf("column %s: %w", c.name, err)
			}
		}
		converted = append(converted, row)
		srcSums = append(srcSums, rowSum(row))
	}
	if err := rows.Err(); err != nil {
		return TableResult{}, err
	}
	if table == "site_state" || table == "settings" {
		// Single-row tables a migration may have seeded: replace.
		if _, err := ptx.Exec(ctx, `DELETE FROM `+table); err != nil {
			return TableResult{}, err
		}
	}
	if _, err := ptx.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromRows(converted)); err != nil {
		return TableResult{}, fmt.Errorf("copy rows: %w", err)
	}
	if slices.Contains(names, "id") {
		if _, err := ptx.Exec(ctx, `SELECT setval(s, greatest((SELECT max(id) FROM `+table+`), 1))
			FROM pg_get_serial_sequence($1, 'id') AS s WHERE s IS NOT NULL`, table); err != nil {
			return TableResult{}, fmt.Errorf("reset id sequence: %w", err)
		}
	}

	// Read back what PostgreSQL holds and compare.
	back, err := ptx.Query(ctx, `SELECT `+strings.Join(quoteAll(names), ", ")+` FROM `+table)
	if err != nil {
		return TableResult{}, err
	}
	var dstSums []string
	for back.Next() {
		vals, err := back.Values()
		if err != nil {
			back.Close()
			return TableResult{}, err
		}
		dstSums = append(dstSums, rowSum(vals))
	}
	back.Close()
	if err := back.Err(); err != nil {
		return TableResult{}, err
	}
	src, dst := checksum(srcSums), checksum(dstSums)
	if len(srcSums) != len(dstSums) || src != dst {
		return TableResult{}, fmt.Errorf("verification failed: SQLite has %d rows (checksum %s), PostgreSQL %d (checksum %s)",
			len(srcSums), src, len(dstSums), dst)
	}
	return TableResult{Name: table, Rows: len(srcSums), Checksum: src}, nil
}

// columns returns the columns of table that both databases have, in
// SQLite's order. A SQLite column PostgreSQL lacks is an error; PostgreSQL's
// own generated columns are left to it.
func columns(ctx context.Context, stx *sql.Tx, ptx pgx.Tx, table string) ([]column, error) {
	pgTypes := map[string]string{}
	rows, err := ptx.Query(ctx, `SELECT column_name, data_type, is_generated FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, typ, generated string
		if err := rows.Scan(&name, &typ, &generated); err != nil {
			rows.Close()
			return nil, err
		}
		if generated != "ALWAYS" {
			pgTypes[name] = typ
		}
	}
	rows.Close()
	if len(pgTypes) == 0 {
		return nil, fmt.Errorf("PostgreSQL has no table %s", table)
	}
	srows, err := stx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	var cols []column
	for srows.Next() {
		var name string
		if err := srows.Scan(&name); err != nil {
			return nil, err
		}
		typ, ok := pgTypes[name]
		if !ok {
			return nil, fmt.Errorf("PostgreSQL's %s has no column %s", table, name)
		}
		cols = append(cols, column{name: name, pgType: typ})
	}
	return cols, srows.Err()
}

// convert turns a SQLite value into the Go value for a PostgreSQL column.
func convert(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch pgType {
	case "timestamp with time zone", "timestamp without time zone":
		ms, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("want Unix milliseconds, got %T", v)
		}
		return time.UnixMilli(ms).UTC(), nil
	case "boolean":
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("want 0 or 1, got %T", v)
		}
		return n != 0, nil
	case "bytea":
		switch b := v.(type) {
		case []byte:
			return b, nil
		case string:
			return []byte(b), nil
		}
	case "json", "jsonb":
		var text []byte
		switch s := v.(type) {
		case string:
			text = []byte(s)
		case []byte:
			text = s
		default:
			return nil, fmt.Errorf("want JSON text, got %T", v)
		}
		var decoded any
		if err := json.Unmarshal(text, &decoded); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return canonicalJSON(decoded), nil
	case "text", "character varying":
		switch s := v.(type) {
		case []byte:
			return string(s), nil
		}
	}
	return v, nil
}

// rowSum hashes a row's values in a form both sides share: times as Unix
// milliseconds, booleans as 0/1, JSON re-read as text, bytes as hex.
func rowSum(vals []any) string {
	h := sha256.New()
	for _, v := range vals {
		fmt.Fprintf(h, "%s\x00", canonical(v))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "\x01NULL"
	case time.Time:
		return strconv.FormatInt(x.UnixMilli(), 10)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return hex.EncodeToString(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case map[string]any, []any:
		// jsonb comes back decoded; the source was JSON text. Both are
		// compared as re-encoded JSON in canonicalJSON.
		return canonicalJSON(x)
	}
	return fmt.Sprint(v)
}

// checksum combines row hashes independently of row order, which the two
// databases' collations would not agree on.
func checksum(sums []string) string {
	sorted := slices.Clone(sums)
	slices.Sort(sorted)
	h := sha256.New()
	for _, s := range sorted {
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = `"` + n + `"`
	}
	return out
}

// canonicalJSON encodes decoded JSON with sorted keys, as encoding/json does.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
