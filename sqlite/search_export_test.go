package sqlite

// SetSearchLimits lowers how many matches a search counts one by one
// (exactCount) and how many candidates it ranks (rankCandidates), so a
// test can reach the ranking of large searches with a few articles.
func SetSearchLimits(s *SearchService, exact, candidates int) {
	s.exactCount, s.rankCandidates = exact, candidates
}
