-- Searches rank by BM25 (postgres/search_rank.go): the candidates of a
-- common word are its newest matches and the matches of the query's rarest
-- words, no longer its newest headline and dek matches, so the index that
-- found those (0012) only cost every write.
DROP INDEX IF EXISTS articles_search_heads;
