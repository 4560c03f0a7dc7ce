-- Newsletters: the mailing list (subscribers, what each gets, pending
-- confirmations), the sends of articles, and the list's outbox, one row per
-- email. Times are Unix milliseconds, UTC.

CREATE TABLE newsletters (
	id          INTEGER PRIMARY KEY,
	slug        TEXT    NOT NULL UNIQUE,
	name        TEXT    NOT NULL,
	description TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);

CREATE TABLE subscribers (
	id            INTEGER PRIMARY KEY,
	email         TEXT    NOT NULL UNIQUE, -- lower case
	name          TEXT    NOT NULL DEFAULT '',
	status        TEXT    NOT NULL
	              CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
	consent_at    INTEGER,
	confirmed_at  INTEGER,
	created_at    INTEGER NOT NULL,
	hard_failures INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX subscribers_status ON subscribers (status, email);

CREATE TABLE subscriptions (
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	newsletter_id INTEGER NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
	created_at    INTEGER NOT NULL,
	PRIMARY KEY (newsletter_id, subscriber_id)
) WITHOUT ROWID;

CREATE INDEX subscriptions_subscriber ON subscriptions (subscriber_id);

-- A confirmation link: only the SHA-256 of its token, the newsletters it
-- subscribes to (comma-separated IDs), and when it stops working. Deleted
-- when followed.
CREATE TABLE subscriber_confirmations (
	token_hash     BLOB    PRIMARY KEY,
	subscriber_id  INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	newsletter_ids TEXT    NOT NULL,
	expires_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX subscriber_confirmations_subscriber ON subscriber_confirmations (subscriber_id);

CREATE TABLE newsletter_sends (
	id            INTEGER PRIMARY KEY,
	newsletter_id INTEGER NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
	article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	test_to       TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);

-- The list's outbox: one email each. state: pending (due at
-- next_attempt_at, or leased until then), sending (handed to the SMTP
-- server, never claimed again), sent, failed (given up), cancelled.
CREATE TABLE newsletter_deliveries (
	id              INTEGER PRIMARY KEY,
	kind            TEXT    NOT NULL CHECK (kind IN ('confirm', 'issue', 'test')),
	send_id         INTEGER REFERENCES newsletter_sends (id) ON DELETE CASCADE,
	subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
	to_email        TEXT    NOT NULL DEFAULT '', -- a test's address only; subscribers' are joined
	token           TEXT    NOT NULL DEFAULT '', -- a confirmation's, until delivered
	state           TEXT    NOT NULL DEFAULT 'pending'
	                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	next_attempt_at INTEGER, -- NULL unless pending
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER,
	UNIQUE (send_id, subscriber_id)
);

CREATE INDEX newsletter_deliveries_due ON newsletter_deliveries (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX newsletter_deliveries_send ON newsletter_deliveries (send_id, state);
CREATE INDEX newsletter_deliveries_subscriber ON newsletter_deliveries (subscriber_id);

-- Keys the site keeps for itself, such as the one its email links are
-- signed with.
CREATE TABLE site_keys (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;
