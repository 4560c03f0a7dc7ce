-- Authors' profiles: a job title, a plain-text bio, a photo uploaded to the
-- site, a website and their profiles elsewhere (a JSON array of
-- {"label","url"}, in the order shown).

ALTER TABLE authors ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN bio       TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN photo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN website   TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN links     TEXT NOT NULL DEFAULT '[]';
