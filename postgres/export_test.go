package postgres

// SetSearchLimits lowers how many matches a search counts one by one
// (exactCount), how many of the newest it ranks when there are more
// (rankWindow) and how many matches its rare words may hold (rareBudget; -1
// for none), so a test can reach the ranking of large searches with a few
// articles.
func SetSearchLimits(s *SearchService, exact, window, rare int) {
	s.exactCount, s.rankWindow, s.rareBudget = exact, window, rare
}
