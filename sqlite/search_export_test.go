package sqlite

import "time"

// SetSearchLimits lowers how many matches a search counts one by one
// (exactCount) and how many candidates it ranks (rankCandidates), so a
// test can reach the ranking of large searches with a few articles.
func SetSearchLimits(s *SearchService, exact, candidates int) {
	s.exactCount, s.rankCandidates = exact, candidates
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
