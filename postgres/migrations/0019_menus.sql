-- Menus: the header's and the footer's, ordered, the header's with one
-- level of submenus. An item leads to a section, a page or a tag, kept by
-- ID so that a renamed slug follows, or to a URL; an item whose target is
-- deleted stays, pointing nowhere, and readers do not see it.

CREATE TABLE menu_items (
	id         BIGSERIAL PRIMARY KEY,
	location   TEXT      NOT NULL CHECK (location IN ('header', 'footer')),
	-- Deferred, so that a copy of the table (migrate-db) may insert a
	-- submenu item before its parent.
	parent_id  BIGINT    REFERENCES menu_items (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	position   INTEGER   NOT NULL,
	kind       TEXT      NOT NULL CHECK (kind IN ('section', 'page', 'tag', 'link')),
	section_id BIGINT    REFERENCES sections (id) ON DELETE SET NULL,
	page_id    BIGINT    REFERENCES pages (id) ON DELETE SET NULL,
	tag_id     BIGINT    REFERENCES tags (id) ON DELETE SET NULL,
	url        TEXT      NOT NULL DEFAULT '',
	label      TEXT      NOT NULL DEFAULT ''
);

CREATE INDEX menu_items_location ON menu_items (location, position);
CREATE INDEX menu_items_parent ON menu_items (parent_id);
CREATE INDEX menu_items_section ON menu_items (section_id);
CREATE INDEX menu_items_page ON menu_items (page_id);
CREATE INDEX menu_items_tag ON menu_items (tag_id);
