-- The newsroom: users and their sessions, who owns each article, the
-- revisions of every save, the site's settings, and uploaded images.
-- Times are Unix milliseconds, UTC.

CREATE TABLE users (
	id                  INTEGER PRIMARY KEY,
	email               TEXT    NOT NULL UNIQUE, -- lower case
	name                TEXT    NOT NULL,
	role                TEXT    NOT NULL CHECK (role IN ('author', 'editor', 'admin')),
	-- argon2id in the PHC string format, with its own salt and parameters.
	password_hash       TEXT    NOT NULL,
	disabled            INTEGER NOT NULL DEFAULT 0,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	password_changed_at INTEGER NOT NULL
);

-- A session is found by the SHA-256 of the browser's token; the token
-- itself is never stored.
CREATE TABLE sessions (
	token_hash   BLOB    PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Who created an article, and when its author handed it to the editors.
-- Imported articles have no owner.
CREATE TABLE article_owners (
	article_id   INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
	submitted_at INTEGER
);

CREATE INDEX article_owners_user ON article_owners (user_id);

-- One row per save: the article's text and credits as that save left them.
-- Authors and tags are JSON arrays of {"slug","name"}.
CREATE TABLE article_revisions (
	id                INTEGER PRIMARY KEY,
	article_id        INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	version           INTEGER NOT NULL,
	headline          TEXT    NOT NULL,
	dek               TEXT    NOT NULL,
	slug              TEXT    NOT NULL,
	body              TEXT    NOT NULL,
	feature_image_url TEXT    NOT NULL,
	authors           TEXT    NOT NULL,
	tags              TEXT    NOT NULL,
	status            TEXT    NOT NULL,
	published_at      INTEGER,
	user_id           INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at        INTEGER NOT NULL
);

CREATE INDEX article_revisions_article ON article_revisions (article_id, id DESC);

-- The site's settings, one row; the value is a JSON object.
CREATE TABLE settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	value      TEXT    NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE uploads (
	id           INTEGER PRIMARY KEY,
	hash         TEXT    NOT NULL UNIQUE,
	ext          TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	widths       TEXT    NOT NULL, -- comma-separated, ascending
	size         INTEGER NOT NULL,
	name         TEXT    NOT NULL,
	user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL
);
