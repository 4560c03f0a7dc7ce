-- Authors' profiles: a job title, a plain-text bio, a photo uploaded to the
-- site, a website and their profiles elsewhere (an array of
-- {"label","url"}, in the order shown).

ALTER TABLE authors
	ADD COLUMN job_title TEXT  NOT NULL DEFAULT '',
	ADD COLUMN bio       TEXT  NOT NULL DEFAULT '',
	ADD COLUMN photo_url TEXT  NOT NULL DEFAULT '',
	ADD COLUMN website   TEXT  NOT NULL DEFAULT '',
	ADD COLUMN links     JSONB NOT NULL DEFAULT '[]';
