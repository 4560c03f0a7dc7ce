-- Contact Us: captcha challenges, readers' messages with their outbox state,
-- and rate-limit counters. All of it here, none in process memory, so any
-- instance can check a challenge, count a reader, or send a message.

-- A challenge is deleted when it is solved (or failed): one use.
CREATE TABLE challenges (
	id         TEXT        PRIMARY KEY,
	solution   TEXT        NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX challenges_expires ON challenges (expires_at);

CREATE TABLE messages (
	id              BIGSERIAL   PRIMARY KEY,
	name            TEXT        NOT NULL,
	email           TEXT        NOT NULL,
	subject         TEXT        NOT NULL DEFAULT '',
	body            TEXT        NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	status          TEXT        NOT NULL DEFAULT 'unread'
	                CHECK (status IN ('unread', 'read', 'archived', 'spam')),
	delivery        TEXT        NOT NULL DEFAULT 'pending'
	                CHECK (delivery IN ('pending', 'sent', 'failed')),
	attempts        INTEGER     NOT NULL DEFAULT 0,
	last_error      TEXT        NOT NULL DEFAULT '',
	-- NULL once sent or given up; otherwise when the outbox tries next
	-- (or when a worker's claim on it runs out).
	next_attempt_at TIMESTAMPTZ,
	sent_at         TIMESTAMPTZ
);

CREATE INDEX messages_created ON messages (created_at DESC, id DESC);
CREATE INDEX messages_due ON messages (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;

-- One fixed window per key: count events from window_start until expires_at.
CREATE TABLE rate_limits (
	key          TEXT        PRIMARY KEY,
	window_start TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL,
	count        INTEGER     NOT NULL
);

CREATE INDEX rate_limits_expires ON rate_limits (expires_at);
