-- Searches leave out the articles readers cannot see: drafts (live_at NULL)
-- and articles scheduled for later (live_at in the future). With this index
-- SQLite gathers those few from two index ranges, live_at IS NULL and
-- live_at > now, instead of reading an entry for every article.
CREATE INDEX articles_search_live_at ON articles (live_at);
