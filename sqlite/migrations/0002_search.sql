-- Full-text search (FTS5). The indexes are external-content tables over
-- articles, kept by triggers, so every write to an article updates them in
-- the same transaction: the index cannot drift from the content. Drafts are
-- indexed too; searches join articles and keep only what is live.

-- articles_fts ranks results: words stemmed (porter) after case and
-- diacritics are folded (unicode61 remove_diacritics 2), bm25 weighting the
-- headline above the dek above the body.
CREATE VIRTUAL TABLE articles_fts USING fts5(
	headline, dek, body_text,
	content = 'articles', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');

-- article_words holds headlines and deks unstemmed, for what stems would
-- spoil: typeahead matches the beginnings of words as typed ("electi" is a
-- prefix of "election", not of its stem "elect"), and "Did you mean" offers
-- words a reader can read. The prefix indexes make 2- and 3-letter
-- prefixes cheap.
CREATE VIRTUAL TABLE article_words USING fts5(
	headline, dek,
	content = 'articles', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);

-- The vocabulary of article_words: one row per distinct word, with the
-- number of articles holding it.
CREATE VIRTUAL TABLE article_words_vocab USING fts5vocab(article_words, 'row');

CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts (rowid, headline, dek, body_text) VALUES (new.id, new.headline, new.dek, new.body_text);
	INSERT INTO article_words (rowid, headline, dek) VALUES (new.id, new.headline, new.dek);
END;

CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, headline, dek, body_text) VALUES ('delete', old.id, old.headline, old.dek, old.body_text);
	INSERT INTO article_words (article_words, rowid, headline, dek) VALUES ('delete', old.id, old.headline, old.dek);
END;

-- An update that leaves the text alone (a status change, a new version
-- number) leaves the index alone.
CREATE TRIGGER articles_search_update AFTER UPDATE OF headline, dek, body_text ON articles
WHEN old.headline IS NOT new.headline OR old.dek IS NOT new.dek OR old.body_text IS NOT new.body_text
BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, headline, dek, body_text) VALUES ('delete', old.id, old.headline, old.dek, old.body_text);
	INSERT INTO articles_fts (rowid, headline, dek, body_text) VALUES (new.id, new.headline, new.dek, new.body_text);
	INSERT INTO article_words (article_words, rowid, headline, dek) VALUES ('delete', old.id, old.headline, old.dek);
	INSERT INTO article_words (rowid, headline, dek) VALUES (new.id, new.headline, new.dek);
END;

-- Searches check each match for visibility. An article's row is long (three
-- copies of its body, in overflow pages, before live_at); this covering
-- index answers "is article N live?" without reading it.
CREATE INDEX articles_search_live ON articles (id, live_at);

-- Index the articles already there.
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
INSERT INTO article_words (article_words) VALUES ('rebuild');
