-- Full-text search. The index is a generated column of articles, so every
-- write to an article rewrites it in the same transaction: the index cannot
-- drift from the content. Drafts are indexed too; searches keep only what
-- is live.

-- unaccent folds diacritics (café is cafe); pg_trgm finds the words nearest
-- a misspelt one. Both are trusted extensions that ship with PostgreSQL,
-- but a server may lack them or the user the right to add them: search
-- then works without folding, and "Did you mean" scans the vocabulary.
DO $$
BEGIN
	BEGIN
		CREATE EXTENSION IF NOT EXISTS unaccent;
	EXCEPTION WHEN OTHERS THEN
		RAISE NOTICE 'byline search: no unaccent (%), diacritics are not folded', SQLERRM;
	END;
	BEGIN
		CREATE EXTENSION IF NOT EXISTS pg_trgm;
	EXCEPTION WHEN OTHERS THEN
		RAISE NOTICE 'byline search: no pg_trgm (%), typo suggestions scan the vocabulary', SQLERRM;
	END;
END
$$;

-- Two configurations over the default parser. byline stems English words
-- with Snowball but, unlike the built-in english, keeps stop words: a
-- search for "The Who" must find something, and the search code decides
-- when stop words count. byline_words keeps words as written (folded to
-- lower case, and unaccented), for what stems would spoil: typeahead on the
-- beginnings of words ("electi" is a prefix of "election", not of "elect")
-- and "Did you mean" offering words a reader can read.
CREATE TEXT SEARCH DICTIONARY byline_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION byline (COPY = simple);
CREATE TEXT SEARCH CONFIGURATION byline_words (COPY = simple);

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent') THEN
		ALTER TEXT SEARCH CONFIGURATION byline
			ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, byline_stem;
		ALTER TEXT SEARCH CONFIGURATION byline_words
			ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;
	ELSE
		ALTER TEXT SEARCH CONFIGURATION byline
			ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH byline_stem;
	END IF;
END
$$;

-- The text is plain text, but the parser reads <...> as an HTML tag and
-- drops it; '<' becomes a space so that every word of "<b>tags</b>" counts,
-- as it does on SQLite. The weights rank the headline (A) above the dek (B)
-- above the body (C).
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('byline', replace(headline, '<', ' ')), 'A') ||
	setweight(to_tsvector('byline', replace(dek, '<', ' ')), 'B') ||
	setweight(to_tsvector('byline', replace(body_text, '<', ' ')), 'C')
) STORED;

CREATE INDEX articles_search ON articles USING gin (search);

-- Typeahead matches headlines, word by word as written.
CREATE INDEX articles_headline_words ON articles USING gin (to_tsvector('byline_words', replace(headline, '<', ' ')));

-- The vocabulary of headlines and deks, as written: one row per distinct
-- word, with the number of articles holding it, for "Did you mean".
CREATE TABLE search_words (
	word TEXT COLLATE "C" PRIMARY KEY,
	docs INTEGER NOT NULL CHECK (docs > 0)
);

-- search_words_of returns the distinct words of a headline and a dek.
CREATE FUNCTION search_words_of(headline TEXT, dek TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN tsvector_to_array(to_tsvector('byline_words', replace(headline || ' ' || dek, '<', ' ')));

-- articles_count_words keeps search_words in step with the articles, in
-- the same transaction. Writers take a lock first so that two of them,
-- sharing words, never wait on each other's rows in opposite orders.
CREATE FUNCTION articles_count_words() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	old_words TEXT[] := '{}';
	new_words TEXT[] := '{}';
	gone      TEXT[];
	came      TEXT[];
BEGIN
	IF TG_OP <> 'INSERT' THEN
		old_words := search_words_of(OLD.headline, OLD.dek);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		new_words := search_words_of(NEW.headline, NEW.dek);
	END IF;
	gone := ARRAY(SELECT unnest(old_words) EXCEPT SELECT unnest(new_words));
	came := ARRAY(SELECT unnest(new_words) EXCEPT SELECT unnest(old_words));
	IF cardinality(gone) = 0 AND cardinality(came) = 0 THEN
		RETURN NULL;
	END IF;
	PERFORM pg_advisory_xact_lock(27718101595481203); -- "bywords"
	DELETE FROM search_words WHERE word = ANY (gone) AND docs = 1;
	UPDATE search_words SET docs = docs - 1 WHERE word = ANY (gone);
	INSERT INTO search_words (word, docs) SELECT w, 1 FROM unnest(came) AS w
		ON CONFLICT (word) DO UPDATE SET docs = search_words.docs + 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER articles_count_words_insert AFTER INSERT ON articles
	FOR EACH ROW EXECUTE FUNCTION articles_count_words();
CREATE TRIGGER articles_count_words_delete AFTER DELETE ON articles
	FOR EACH ROW EXECUTE FUNCTION articles_count_words();
-- An update that leaves the headline and dek alone leaves the vocabulary alone.
CREATE TRIGGER articles_count_words_update AFTER UPDATE OF headline, dek ON articles
	FOR EACH ROW WHEN (OLD.headline IS DISTINCT FROM NEW.headline OR OLD.dek IS DISTINCT FROM NEW.dek)
	EXECUTE FUNCTION articles_count_words();

-- With pg_trgm, the words nearest a misspelt one are found by trigram
-- distance through this index.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
		CREATE INDEX search_words_trgm ON search_words USING gist (word gist_trgm_ops);
	END IF;
END
$$;

-- Count the words of the articles already there.
INSERT INTO search_words (word, docs)
	SELECT w, count(*) FROM articles, unnest(search_words_of(headline, dek)) AS w GROUP BY w;
