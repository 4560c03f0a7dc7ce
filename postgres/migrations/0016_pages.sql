-- Static pages (About, Privacy, ...), one level of nesting, with a revision
-- per save and the old addresses that answer with a 301 to them.

CREATE TABLE pages (
	id         BIGSERIAL   PRIMARY KEY,
	slug       TEXT        NOT NULL,
	-- Deferred, so that a copy of the table (migrate-db) may insert a
	-- subpage before its parent.
	parent_id  BIGINT      REFERENCES pages (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
	title      TEXT        NOT NULL,
	body       TEXT        NOT NULL DEFAULT '',
	body_html  TEXT        NOT NULL DEFAULT '',
	body_text  TEXT        NOT NULL DEFAULT '',
	status     TEXT        NOT NULL CHECK (status IN ('draft', 'published')),
	position   INTEGER     NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	version    INTEGER     NOT NULL DEFAULT 1,
	-- import_key is, for WordPress, "wxr:" and the page's guid.
	import_key TEXT
);

-- A page's address is its parent's slug and its own: unique.
CREATE UNIQUE INDEX pages_path ON pages (coalesce(parent_id, 0), slug);
CREATE UNIQUE INDEX pages_import_key ON pages (import_key) WHERE import_key IS NOT NULL;

CREATE TABLE page_revisions (
	id         BIGSERIAL   PRIMARY KEY,
	page_id    BIGINT      NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
	version    INTEGER     NOT NULL,
	title      TEXT        NOT NULL,
	slug       TEXT        NOT NULL,
	body       TEXT        NOT NULL,
	status     TEXT        NOT NULL,
	user_id    BIGINT      REFERENCES users (id) ON DELETE SET NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX page_revisions_page ON page_revisions (page_id, id DESC);

CREATE TABLE page_redirects (
	path    TEXT   PRIMARY KEY,
	page_id BIGINT NOT NULL REFERENCES pages (id) ON DELETE CASCADE
);

CREATE INDEX page_redirects_page ON page_redirects (page_id);
