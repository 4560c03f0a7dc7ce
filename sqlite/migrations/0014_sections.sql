-- Sections: the newsroom's departments, nestable, and the articles in each.
-- An article's primary section is its section at position 0.

CREATE TABLE sections (
	id          INTEGER PRIMARY KEY,
	slug        TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	parent_id   INTEGER REFERENCES sections (id) ON DELETE SET NULL,
	position    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX sections_parent ON sections (parent_id);

CREATE TABLE article_sections (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	section_id INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, section_id)
) WITHOUT ROWID;

CREATE INDEX article_sections_section ON article_sections (section_id, article_id);
