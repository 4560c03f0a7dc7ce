package byline

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// Section is a department of the newsroom (Politics, Business, Sport), the
// way readers find their way around the site. Sections nest: ParentID is
// the section this one sits under, 0 at the top. An article has a primary
// section, its first, and may be in more.
type Section struct {
	ID          int64
	Slug        string
	Name        string
	Description string // shown on the section's front and in its feeds
	ParentID    int64
	// ParentSlug is the parent's slug, set by the store on reading; an
	// import names a parent by it, since the IDs of another site mean
	// nothing here.
	ParentSlug string
	Position   int // order among its siblings, lowest first
}

// URL returns the path of the section's front, e.g. /section/politics/.
func (s *Section) URL() string { return "/section/" + s.Slug + "/" }

// MaxSections bounds a site's sections, so that every page can afford to
// read the whole list.
const MaxSections = 1000

// Validate checks the fields an editor controls.
func (s *Section) Validate() error {
	switch {
	case strings.TrimSpace(s.Name) == "" || utf8.RuneCountInString(s.Name) > MaxNameRunes:
		return Errorf(Invalid, "A section's name must be 1 to %d characters.", MaxNameRunes)
	case !utf8.ValidString(s.Name + s.Description + s.Slug):
		return Errorf(Invalid, "The section's text is not valid UTF-8.")
	case strings.ContainsRune(s.Name+s.Description+s.Slug, 0):
		return Errorf(Invalid, "The section's text contains a NUL character.")
	case utf8.RuneCountInString(s.Description) > MaxDekRunes:
		return Errorf(Invalid, "The section's description is longer than %d characters.", MaxDekRunes)
	case s.Slug != "" && Slugify(s.Slug) != s.Slug:
		return Errorf(Invalid, "The slug %q may hold only lower-case letters, digits and single hyphens.", s.Slug)
	}
	return nil
}

// CheckSectionParent returns an Invalid error if the section with ID id
// cannot sit under parentID among all: the parent does not exist, or is
// the section itself or one of its descendants (a loop).
func CheckSectionParent(all []*Section, id, parentID int64) error {
	if parentID == 0 {
		return nil
	}
	parents := make(map[int64]int64, len(all))
	for _, s := range all {
		parents[s.ID] = s.ParentID
	}
	if _, ok := parents[parentID]; !ok {
		return Errorf(Invalid, "There is no section with ID %d to put this one under.", parentID)
	}
	for p, steps := parentID, 0; p != 0 && steps <= len(all); p, steps = parents[p], steps+1 {
		if p == id {
			return Errorf(Invalid, "A section cannot sit under itself or one of its own subsections.")
		}
	}
	return nil
}

// SectionTree orders sections for display: each top-level section by
// Position (then name), followed at once by its subsections in the same
// order, at every depth. Depth is 0 at the top.
func SectionTree(all []*Section) (ordered []*Section, depth map[int64]int) {
	children := map[int64][]*Section{}
	known := map[int64]bool{}
	for _, s := range all {
		known[s.ID] = true
	}
	for _, s := range all {
		parent := s.ParentID
		if !known[parent] {
			parent = 0
		}
		children[parent] = append(children[parent], s)
	}
	depth = map[int64]int{}
	var walk func(parent int64, d int)
	walk = func(parent int64, d int) {
		list := children[parent]
		sortSections(list)
		for _, s := range list {
			if _, seen := depth[s.ID]; seen {
				continue
			}
			depth[s.ID] = d
			ordered = append(ordered, s)
			walk(s.ID, d+1)
		}
	}
	walk(0, 0)
	return ordered, depth
}

func sortSections(list []*Section) {
	slices.SortStableFunc(list, func(a, b *Section) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), strings.Compare(a.Name, b.Name))
	})
}

// SectionService reads and writes sections. Implementations are safe for
// concurrent use. Every write moves the site's version (LastModified), as
// the section names are on every page.
type SectionService interface {
	// List returns every section, ordered by Position then name, with
	// ParentSlug set. Use [SectionTree] for the nested order.
	List(ctx context.Context) ([]*Section, error)

	// FindBySlug returns the section with the given slug, or NotFound.
	FindBySlug(ctx context.Context, slug string) (*Section, error)

	// Create validates and stores a new section, with a slug made from the
	// name when Slug is empty, and sets its ID and slug. It returns
	// Conflict if another section has the slug, Invalid for a bad parent.
	Create(ctx context.Context, s *Section) error

	// Update stores s over the section with ID s.ID (an empty Slug keeps
	// the current one), with the errors of Create and NotFound.
	Update(ctx context.Context, s *Section) error

	// Delete removes a section: its articles leave it and its subsections
	// move up to its parent. It returns NotFound if there is none.
	Delete(ctx context.Context, id int64) error

	// Import creates or updates (matched by slug) the sections, in one
	// transaction, then sets each one's parent from its ParentSlug (a
	// parent not among them or on the site leaves it at the top). The
	// order of sections is the order of siblings when Position is 0.
	Import(ctx context.Context, sections []*Section) error
}
