package byline

// NameFilter selects authors or tags for the editor's pickers: those whose
// name starts with Query, or one of whose words does (ignoring case and
// accents), those credited most first. An empty Query selects them all.
type NameFilter struct {
	Query string
	Limit int // at most MaxNameSuggestions; 0 means that many
}

// MaxNameSuggestions is the most names a picker is offered at once.
const MaxNameSuggestions = 20

// NameLimit returns f.Limit within (0, MaxNameSuggestions].
func (f NameFilter) NameLimit() int {
	if f.Limit <= 0 || f.Limit > MaxNameSuggestions {
		return MaxNameSuggestions
	}
	return f.Limit
}
