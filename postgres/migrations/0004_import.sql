-- What imports need: an article's identity in the system it came from, and
-- the old addresses that answer with a 301 to its permalink.

-- import_key is, for WordPress, "wxr:" and the post's guid: re-importing the
-- same export updates the same articles even when permalinks changed.
ALTER TABLE articles ADD COLUMN import_key TEXT;

CREATE UNIQUE INDEX articles_import_key ON articles (import_key) WHERE import_key IS NOT NULL;

-- redirects maps an old path, as byline.RedirectPath makes it ("/2014/05/old-slug/",
-- "/?p=123"), to the article now living at another address. A path leads to
-- one article; an article may have many old paths.
CREATE TABLE redirects (
	path       TEXT   PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);

CREATE INDEX redirects_article ON redirects (article_id);
