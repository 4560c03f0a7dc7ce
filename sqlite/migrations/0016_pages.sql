-- Static pages (About, Privacy, ...), one level of nesting, with a revision
-- per save and the old addresses that answer with a 301 to them.
-- Times are Unix milliseconds, UTC.

CREATE TABLE pages (
	id         INTEGER PRIMARY KEY,
	slug       TEXT    NOT NULL,
	parent_id  INTEGER REFERENCES pages (id) ON DELETE SET NULL,
	title      TEXT    NOT NULL,
	body       TEXT    NOT NULL DEFAULT '',
	body_html  TEXT    NOT NULL DEFAULT '',
	body_text  TEXT    NOT NULL DEFAULT '',
	status     TEXT    NOT NULL CHECK (status IN ('draft', 'published')),
	position   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1,
	-- import_key is, for WordPress, "wxr:" and the page's guid.
	import_key TEXT
);

-- A page's address is its parent's slug and its own: unique.
CREATE UNIQUE INDEX pages_path ON pages (coalesce(parent_id, 0), slug);
CREATE UNIQUE INDEX pages_import_key ON pages (import_key) WHERE import_key IS NOT NULL;

CREATE TABLE page_revisions (
	id         INTEGER PRIMARY KEY,
	page_id    INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	title      TEXT    NOT NULL,
	slug       TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL
);

CREATE INDEX page_revisions_page ON page_revisions (page_id, id DESC);

CREATE TABLE page_redirects (
	path    TEXT    PRIMARY KEY,
	page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX page_redirects_page ON page_redirects (page_id);
