package sqlite

import "time"

// SetSearchLimits lowers how many matches a search counts one by one
// (exactCount), how many of the newest it ranks when there are more
// (rankWindow) and how many matches its rare words may hold (rareBudget; -1
// for none), so a test can reach the ranking of large searches with a few
// articles.
func SetSearchLimits(s *SearchService, exact, window, rare int) {
	s.exactCount, s.rankWindow, s.rareBudget = exact, window, rare
}

// SetVocabularyRefresh sets how old DidYouMean's vocabulary may grow, once
// the site has changed, before it is read again.
func SetVocabularyRefresh(s *SearchService, d time.Duration) { s.vocabRefresh = d }

// SetSearchSample lowers how many matches a filtered search with common
// words samples (sampleMatches) and how many of them must pass its filters
// (minSample) for it to estimate its total.
func SetSearchSample(s *SearchService, matches, least int) {
	s.sampleMatches, s.minSample = matches, least
}
