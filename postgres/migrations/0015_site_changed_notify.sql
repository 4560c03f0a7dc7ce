-- Each instance keeps the site's version (LastModified) in memory for its
-- page cache and learns that another instance changed what readers see from
-- this notification, which PostgreSQL delivers when the transaction that
-- moved site_state commits (and never for one rolled back).
CREATE FUNCTION byline_site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('byline_site_changed', '');
	RETURN NULL;
END
$$;

CREATE TRIGGER site_state_changed AFTER UPDATE ON site_state
	FOR EACH STATEMENT EXECUTE FUNCTION byline_site_changed();
