-- The newsroom: users and their sessions, who owns each article, the
-- revisions of every save, the site's settings, and uploaded images.
-- The same tables as SQLite's 0006, in PostgreSQL's own types.

CREATE TABLE users (
	id                  BIGSERIAL   PRIMARY KEY,
	email               TEXT        NOT NULL UNIQUE, -- lower case
	name                TEXT        NOT NULL,
	role                TEXT        NOT NULL CHECK (role IN ('author', 'editor', 'admin')),
	-- argon2id in the PHC string format, with its own salt and parameters:
	-- the same strings as on SQLite, so a copied site keeps its passwords.
	password_hash       TEXT        NOT NULL,
	disabled            BOOLEAN     NOT NULL DEFAULT false,
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL,
	password_changed_at TIMESTAMPTZ NOT NULL
);

-- A session is found by the SHA-256 of the browser's token; the token
-- itself is never stored.
CREATE TABLE sessions (
	token_hash   BYTEA       PRIMARY KEY,
	user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Who created an article, and when its author handed it to the editors.
-- Imported articles have no owner.
CREATE TABLE article_owners (
	article_id   BIGINT      PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	user_id      BIGINT      REFERENCES users (id) ON DELETE SET NULL,
	submitted_at TIMESTAMPTZ
);

CREATE INDEX article_owners_user ON article_owners (user_id);

-- One row per save: the article's text and credits as that save left them.
-- Authors and tags are JSON arrays of {"slug","name"}.
CREATE TABLE article_revisions (
	id                BIGSERIAL   PRIMARY KEY,
	article_id        BIGINT      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	version           INTEGER     NOT NULL,
	headline          TEXT        NOT NULL,
	dek               TEXT        NOT NULL,
	slug              TEXT        NOT NULL,
	body              TEXT        NOT NULL,
	feature_image_url TEXT        NOT NULL,
	authors           JSONB       NOT NULL,
	tags              JSONB       NOT NULL,
	status            TEXT        NOT NULL,
	published_at      TIMESTAMPTZ,
	user_id           BIGINT      REFERENCES users (id) ON DELETE SET NULL,
	created_at        TIMESTAMPTZ NOT NULL
);

CREATE INDEX article_revisions_article ON article_revisions (article_id, id DESC);
CREATE INDEX article_revisions_user ON article_revisions (user_id);

-- The site's settings, one row; the value is a JSON object with the same
-- keys as on SQLite.
CREATE TABLE settings (
	id         INTEGER     PRIMARY KEY CHECK (id = 1),
	value      JSONB       NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE uploads (
	id           BIGSERIAL   PRIMARY KEY,
	hash         TEXT        NOT NULL UNIQUE,
	ext          TEXT        NOT NULL,
	content_type TEXT        NOT NULL,
	width        INTEGER     NOT NULL,
	height       INTEGER     NOT NULL,
	widths       INTEGER[]   NOT NULL, -- ascending
	size         BIGINT      NOT NULL,
	name         TEXT        NOT NULL,
	user_id      BIGINT      REFERENCES users (id) ON DELETE SET NULL,
	created_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX uploads_user ON uploads (user_id);
