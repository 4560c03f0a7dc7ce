-- Articles, their authors and tags, and the site's change clock.

CREATE TABLE articles (
	id                BIGSERIAL PRIMARY KEY,
	slug              TEXT        NOT NULL UNIQUE,
	headline          TEXT        NOT NULL,
	dek               TEXT        NOT NULL DEFAULT '',
	body              TEXT        NOT NULL DEFAULT '',
	body_html         TEXT        NOT NULL DEFAULT '',
	body_text         TEXT        NOT NULL DEFAULT '',
	status            TEXT        NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
	published_at      TIMESTAMPTZ,
	-- live_at is published_at for a published or scheduled article and NULL
	-- for a draft, so "visible now" is one indexed range: live_at <= now.
	live_at           TIMESTAMPTZ,
	created_at        TIMESTAMPTZ NOT NULL,
	updated_at        TIMESTAMPTZ NOT NULL,
	source_url        TEXT        UNIQUE,
	feature_image_url TEXT        NOT NULL DEFAULT '',
	version           INTEGER     NOT NULL DEFAULT 1
);

CREATE INDEX articles_live ON articles (live_at DESC, id DESC) WHERE live_at IS NOT NULL;

CREATE TABLE authors (
	id   BIGSERIAL PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL
);

CREATE TABLE article_authors (
	article_id BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	author_id  BIGINT  NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, author_id)
);

CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

CREATE TABLE tags (
	id   BIGSERIAL PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL
);

CREATE TABLE article_tags (
	article_id BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	tag_id     BIGINT  NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, tag_id)
);

CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

-- One row: when readers' content last changed, so every instance and every
-- cache can tell whether what it holds is current.
CREATE TABLE site_state (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	changed_at TIMESTAMPTZ NOT NULL
);

INSERT INTO site_state (id, changed_at) VALUES (1, 'epoch');
