package postgres

// SetRankCandidates lowers how many candidates a search ranks per group,
// so a test can reach the bounded ranking with a few articles.
func SetRankCandidates(s *SearchService, n int) { s.rankCandidates = n }
