-- The editor's autosaves: the form as a user last typed it over an
-- article, one row per article and user (article_id NULL: a new article
-- not yet saved once). Not revisions: each autosave replaces the last, and
-- saving the article removes it. Fields is a JSON object of the form's
-- fields by name. Times are Unix milliseconds, UTC.
CREATE TABLE autosaves (
	id           INTEGER PRIMARY KEY,
	article_id   INTEGER REFERENCES articles (id) ON DELETE CASCADE,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	base_version INTEGER NOT NULL,
	fields       TEXT    NOT NULL,
	saved_at     INTEGER NOT NULL
);

CREATE UNIQUE INDEX autosaves_article_user ON autosaves (article_id, user_id) WHERE article_id IS NOT NULL;
CREATE UNIQUE INDEX autosaves_new_article ON autosaves (user_id) WHERE article_id IS NULL;
