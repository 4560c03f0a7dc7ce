package byline

import (
	"cmp"
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MenuLocation is where a menu is shown: the header's navigation or the
// footer's.
type MenuLocation string

// The menus of a site.
const (
	HeaderMenu MenuLocation = "header" // under the masthead; one level of submenus
	FooterMenu MenuLocation = "footer" // in the footer; flat
)

// MenuLocations are the site's menus, header first.
var MenuLocations = []MenuLocation{HeaderMenu, FooterMenu}

// MenuItemKind is what a menu item leads to.
type MenuItemKind string

// The kinds of menu item.
const (
	MenuSection MenuItemKind = "section" // a section's front
	MenuPage    MenuItemKind = "page"    // a static page
	MenuTag     MenuItemKind = "tag"     // a tag's articles
	MenuLink    MenuItemKind = "link"    // any address, on the site or off it
)

// Bounds on a menu, so that it fits on a phone and every page can afford
// to read it.
const (
	MaxMenuItems      = 60   // per menu, submenu items included
	MaxMenuLabelRunes = 80   // an item's label
	MaxMenuURLBytes   = 2000 // a custom link's address
)

// MenuItem is one entry of a menu, in order among its siblings.
type MenuItem struct {
	Kind MenuItemKind
	// Target names what the item leads to: a section's or a tag's slug, a
	// page's path ("/about/team/"), or a link's address (http(s) or a path
	// on the site). The store keeps sections, pages and tags by identity,
	// so a renamed slug follows; on reading, Target is the current one, or
	// "" if the section, page or tag was deleted.
	Target string
	// Label is what readers see; "" shows the target's own name.
	Label string
	// Children is the item's submenu, in order: in the header only, one
	// level deep.
	Children []*MenuItem

	// Set by the store on reading.
	Name    string // the target's current name: section name, page title, tag name, or the link
	URL     string // where the item leads now
	Visible bool   // the target exists and readers can see it (a page is published)
}

// Text is what readers see of the item: its label, else its target's name.
func (it *MenuItem) Text() string { return cmp.Or(it.Label, it.Name, it.Target) }

// Resolve sets the item's URL and Visible from its Kind and current Target:
// found says the store found the section, page or tag, published that
// readers may see it.
func (it *MenuItem) Resolve(found, published bool) {
	it.Visible = found && published && it.Target != ""
	switch it.Kind {
	case MenuSection:
		it.URL = "/section/" + it.Target + "/"
	case MenuTag:
		it.URL = "/tag/" + it.Target + "/"
	case MenuPage:
		it.URL = it.Target
	case MenuLink:
		it.URL, it.Name, it.Visible = it.Target, cmp.Or(it.Name, it.Target), true
	}
	if !it.Visible && it.Kind != MenuLink && it.Target == "" {
		it.URL = ""
	}
}

// ParseMenuLocation returns the location named s, or an Invalid error.
func ParseMenuLocation(s string) (MenuLocation, error) {
	for _, l := range MenuLocations {
		if string(l) == s {
			return l, nil
		}
	}
	return "", Errorf(Invalid, "There is no %q menu: a site has a header menu and a footer menu.", s)
}

// ValidateMenu checks a menu before it is stored: a known location, at
// most [MaxMenuItems] items, known kinds with a target each, labels of at
// most [MaxMenuLabelRunes] characters, links that are http(s) or a path on
// the site, and submenus only in the header, one level deep. It returns an
// Invalid error naming the first problem, for an editor to read.
func ValidateMenu(loc MenuLocation, items []*MenuItem) error {
	if _, err := ParseMenuLocation(string(loc)); err != nil {
		return err
	}
	n := 0
	for i, it := range items {
		n += 1 + len(it.Children)
		if n > MaxMenuItems {
			return Errorf(Invalid, "A menu can have at most %d items, submenus included.", MaxMenuItems)
		}
		if err := validateMenuItem(it, i+1); err != nil {
			return err
		}
		if len(it.Children) > 0 && loc != HeaderMenu {
			return Errorf(Invalid, "Item %d has a submenu, but only the header menu has submenus.", i+1)
		}
		for _, c := range it.Children {
			if len(c.Children) > 0 {
				return Errorf(Invalid, "A submenu item under item %d has its own submenu; the header menu nests one level only.", i+1)
			}
			if err := validateMenuItem(c, i+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateMenuItem(it *MenuItem, n int) error {
	text := it.Label + it.Target
	switch {
	case !utf8.ValidString(text):
		return Errorf(Invalid, "Item %d's text is not valid UTF-8.", n)
	case strings.ContainsFunc(text, unicode.IsControl):
		return Errorf(Invalid, "Item %d's text contains a control character.", n)
	case utf8.RuneCountInString(it.Label) > MaxMenuLabelRunes:
		return Errorf(Invalid, "Item %d's label is longer than %d characters.", n, MaxMenuLabelRunes)
	}
	switch it.Kind {
	case MenuSection, MenuTag:
		if it.Target == "" || Slugify(it.Target) != it.Target {
			return Errorf(Invalid, "Item %d needs a %s: pick one from the list.", n, it.Kind)
		}
	case MenuPage:
		if _, _, ok := SplitPagePath(it.Target); !ok {
			return Errorf(Invalid, "Item %d needs a page: pick one from the list.", n)
		}
	case MenuLink:
		if strings.TrimSpace(it.Label) == "" {
			return Errorf(Invalid, "Item %d is a link and needs a label, the words readers click.", n)
		}
		return CheckMenuURL(it.Target, n)
	default:
		return Errorf(Invalid, "Item %d is a %q; a menu item is a section, a page, a tag or a link.", n, it.Kind)
	}
	return nil
}

// CheckMenuURL returns an Invalid error unless u is an address a menu may
// link to: an absolute http or https URL with a host, or a path on the site
// ("/contact"). Anything else, javascript: and data: above all, is refused.
func CheckMenuURL(u string, n int) error {
	switch {
	case u == "":
		return Errorf(Invalid, "Item %d is a link and needs an address.", n)
	case len(u) > MaxMenuURLBytes:
		return Errorf(Invalid, "Item %d's address is longer than %d bytes.", n, MaxMenuURLBytes)
	case strings.ContainsAny(u, " \\<>\"'`"):
		return Errorf(Invalid, "Item %d's address %q has a space, a quote or a backslash; write it as a URL.", n, u)
	}
	p, err := url.Parse(u)
	if err != nil {
		return Errorf(Invalid, "Item %d's address %q is not a URL.", n, u)
	}
	switch {
	case p.Scheme == "" && p.Host == "" && strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//"):
		return nil // a path on the site
	case (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && p.User == nil:
		return nil
	}
	return Errorf(Invalid, "Item %d's address %q must start with https://, http:// or / (a page of this site).", n, u)
}

// VisibleMenu returns the items readers see: those whose target is there
// and visible, with their submenus likewise; a submenu under an item left
// out is left out with it. The items are shared, not copied.
func VisibleMenu(items []*MenuItem) []*MenuItem {
	var out []*MenuItem
	for _, it := range items {
		if !it.Visible {
			continue
		}
		var children []*MenuItem
		for _, c := range it.Children {
			if c.Visible {
				children = append(children, c)
			}
		}
		if len(children) != len(it.Children) {
			cp := *it
			cp.Children = children
			it = &cp
		}
		out = append(out, it)
	}
	return out
}

// CountMenuItems returns the number of items in the menu, submenus
// included.
func CountMenuItems(items []*MenuItem) int {
	n := 0
	for _, it := range items {
		n += 1 + len(it.Children)
	}
	return n
}

// MenuService reads and writes the site's menus. Implementations are safe
// for concurrent use; every write moves the site's version (LastModified),
// as the menus are on every page.
type MenuService interface {
	// Get returns the menu at loc in order, every item's Name, URL and
	// Visible set, hidden ones too (a draft page, a deleted section); nil
	// if the menu has no items. Use [VisibleMenu] for what readers see.
	Get(ctx context.Context, loc MenuLocation) ([]*MenuItem, error)

	// Replace validates items ([ValidateMenu]) and stores them, in one
	// transaction, as the whole menu at loc; nil empties it. A section,
	// page or tag that is not on the site is Invalid.
	Replace(ctx context.Context, loc MenuLocation, items []*MenuItem) error

	// Import is Replace for a menu from elsewhere: items whose section,
	// page or tag is not on the site are left out (a submenu with its
	// item), and so are items that ValidateMenu refuses. It returns the
	// number of items stored.
	Import(ctx context.Context, loc MenuLocation, items []*MenuItem) (int, error)
}

// SanitizeMenu returns the items of a menu from elsewhere that
// [ValidateMenu] accepts at loc, in order, within [MaxMenuItems]: an
// import keeps what it can. found reports whether a section, page or tag
// item's target is on the site.
func SanitizeMenu(loc MenuLocation, items []*MenuItem, found func(*MenuItem) bool) []*MenuItem {
	var out []*MenuItem
	n := 0
	ok := func(it *MenuItem) bool {
		if validateMenuItem(&MenuItem{Kind: it.Kind, Target: it.Target, Label: it.Label}, 1) != nil {
			return false
		}
		return it.Kind == MenuLink || found(it)
	}
	for _, it := range items {
		if n >= MaxMenuItems || !ok(it) {
			continue
		}
		cp := *it
		cp.Children = nil
		n++
		if loc == HeaderMenu {
			for _, c := range it.Children {
				if n < MaxMenuItems && ok(c) {
					cc := *c
					cc.Children = nil
					cp.Children = append(cp.Children, &cc)
					n++
				}
			}
		}
		out = append(out, &cp)
	}
	return out
}
