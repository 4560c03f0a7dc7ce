-- Bulk writes and the search vocabulary. Counted row by row (0002), a
-- common word's row in search_words is updated once per article written,
-- and in one long transaction (an import, byline migrate-db's COPY) each
-- update is a new row version that the next must step over: 20,000
-- articles took over twenty minutes. Now the triggers count once per
-- statement, from its transition tables, so a COPY of a whole site counts
-- once; and an import, which writes an article per statement, defers the
-- counting to its end: while byline.defer_word_counts is on (set for its
-- transaction only), the changes are noted in a temporary table, and
-- apply_search_word_changes() adds them up once.

-- A net change can bring a count to zero before the row is deleted.
ALTER TABLE search_words DROP CONSTRAINT search_words_docs_check;

DROP TRIGGER articles_count_words_insert ON articles;
DROP TRIGGER articles_count_words_delete ON articles;
DROP TRIGGER articles_count_words_update ON articles;
DROP FUNCTION articles_count_words();

-- count_search_words adds deltas[i] to the count of words[i], deleting the
-- words no article holds any more, or notes the changes if deferred.
-- Writers take a lock first so that two of them, sharing words, never wait
-- on each other's rows in opposite orders.
CREATE FUNCTION count_search_words(words TEXT[], deltas INTEGER[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('byline.defer_word_counts', true) = 'on' THEN
		INSERT INTO pg_temp.search_word_changes (word, delta) SELECT * FROM unnest(words, deltas);
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(27718101595481203); -- "bywords"
	INSERT INTO search_words AS s (word, docs) SELECT * FROM unnest(words, deltas)
		ON CONFLICT (word) DO UPDATE SET docs = s.docs + excluded.docs;
	DELETE FROM search_words WHERE word = ANY (words) AND docs <= 0;
END
$$;

-- articles_count_words counts the words of the headlines and deks a
-- statement wrote or removed: +1 for each article now holding a word, -1
-- for each that held it before.
CREATE FUNCTION articles_count_words() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	words  TEXT[];
	deltas INTEGER[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(w ORDER BY w), array_agg(n ORDER BY w) INTO words, deltas
		FROM (SELECT w, count(*)::integer AS n FROM new_rows, unnest(search_words_of(headline, dek)) AS w GROUP BY w) d;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(w ORDER BY w), array_agg(n ORDER BY w) INTO words, deltas
		FROM (SELECT w, -count(*)::integer AS n FROM old_rows, unnest(search_words_of(headline, dek)) AS w GROUP BY w) d;
	ELSE
		SELECT array_agg(w ORDER BY w), array_agg(n ORDER BY w) INTO words, deltas
		FROM (SELECT w, sum(n)::integer AS n FROM (
				SELECT w, 1 AS n FROM new_rows, unnest(search_words_of(headline, dek)) AS w
				UNION ALL
				SELECT w, -1 FROM old_rows, unnest(search_words_of(headline, dek)) AS w
			) c GROUP BY w HAVING sum(n) <> 0) d;
	END IF;
	IF words IS NOT NULL THEN
		PERFORM count_search_words(words, deltas);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER articles_count_words_insert AFTER INSERT ON articles
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_count_words();
CREATE TRIGGER articles_count_words_delete AFTER DELETE ON articles
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_count_words();
-- (A trigger with transition tables cannot name columns: an update of the
-- status alone is counted too, and finds no change.)
CREATE TRIGGER articles_count_words_update AFTER UPDATE ON articles
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_count_words();

-- apply_search_word_changes adds up the changes an import noted and stops
-- deferring for the rest of the transaction.
CREATE FUNCTION apply_search_word_changes() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	words  TEXT[];
	deltas INTEGER[];
BEGIN
	PERFORM set_config('byline.defer_word_counts', 'off', true);
	SELECT array_agg(word ORDER BY word), array_agg(n ORDER BY word) INTO words, deltas
	FROM (SELECT word, sum(delta)::integer AS n FROM pg_temp.search_word_changes GROUP BY word HAVING sum(delta) <> 0) d;
	TRUNCATE pg_temp.search_word_changes;
	IF words IS NOT NULL THEN
		PERFORM count_search_words(words, deltas);
	END IF;
END
$$;

-- Searches of common words rank only their likely best (see
-- postgres/search_rank.go): the newest matches, and the newest whose
-- headline or dek match, which this index finds without reading the
-- articles' whole tsvectors.
CREATE INDEX articles_search_heads ON articles USING gin (to_tsvector('byline', replace(headline || ' ' || dek, '<', ' ')));
