package sqlite

import (
	"context"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline/query"
)

// vocabulary is a snapshot of the words of the headlines and deks
// (article_words_vocab), by first letter, for "Did you mean". Reading the
// vocabulary from FTS5 walks the lists of every word it returns: scanning
// the words of one letter took 10 ms at 100,000 articles, the whole of it
// a few hundred, so a search does it once and keeps the result.
type vocabulary struct {
	mu         sync.Mutex
	byFirst    map[rune][]vocabWord
	version    time.Time // the site's change clock when it was read
	read       time.Time // when it was read
	refreshing bool
}

type vocabWord struct {
	term  string
	runes int // its length in letters
	docs  int // how many articles hold it
}

// vocabularyRefresh is how old a snapshot may grow, once the site has
// changed, before it is read again (in the background: a correction from
// a minute-old vocabulary is still a correction, and DidYouMean checks
// that it finds something).
const vocabularyRefresh = time.Minute

// vocabularyWords returns the snapshot's words beginning with first, reading the
// vocabulary if there is no snapshot and refreshing it in the background
// if the site has changed since.
func (s *SearchService) vocabularyWords(ctx context.Context, first rune) ([]vocabWord, error) {
	version, err := s.articles.LastModified(ctx)
	if err != nil {
		return nil, err
	}
	v := &s.vocab
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case v.byFirst == nil:
		byFirst, err := s.readVocabulary(ctx)
		if err != nil {
			return nil, err
		}
		v.byFirst, v.version, v.read = byFirst, version, s.db.Now()
	case !version.Equal(v.version) && s.db.Now().Sub(v.read) >= s.vocabularyRefresh() && !v.refreshing:
		v.refreshing = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			byFirst, err := s.readVocabulary(ctx)
			v.mu.Lock()
			defer v.mu.Unlock()
			v.refreshing = false
			if err != nil {
				s.db.Logger.Warn("reading the search vocabulary failed; keeping the last", "error", err)
				v.read = s.db.Now() // retry after another vocabularyRefresh
				return
			}
			v.byFirst, v.version, v.read = byFirst, version, s.db.Now()
		}()
	}
	return v.byFirst[first], nil
}

// readVocabulary reads every word of the headlines and deks.
func (s *SearchService) readVocabulary(ctx context.Context) (map[rune][]vocabWord, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT term, doc FROM article_words_vocab`)
	if err != nil {
		return nil, fmt.Errorf("read the search vocabulary: %w", err)
	}
	defer rows.Close()
	byFirst := map[rune][]vocabWord{}
	for rows.Next() {
		var w vocabWord
		if err := rows.Scan(&w.term, &w.docs); err != nil {
			return nil, fmt.Errorf("read the search vocabulary: %w", err)
		}
		first, _ := utf8.DecodeRuneInString(w.term)
		w.runes = utf8.RuneCountInString(w.term)
		byFirst[first] = append(byFirst[first], w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the search vocabulary: %w", err)
	}
	return byFirst, nil
}

// nearest returns the word of the vocabulary nearest to word (folded),
// within maxDist edits, among those beginning with one of firsts: the
// fewest edits, then the most articles. It returns "" if none is near.
func (s *SearchService) nearest(ctx context.Context, word []rune, maxDist int, firsts []rune) (string, error) {
	var (
		best     string
		bestDist = maxDist + 1
		bestDocs int
	)
	for _, first := range firsts {
		words, err := s.vocabularyWords(ctx, first)
		if err != nil {
			return "", err
		}
		for _, w := range words {
			if w.runes < len(word)-maxDist || w.runes > len(word)+maxDist {
				continue
			}
			d := query.EditDistance(word, []rune(w.term), maxDist)
			if d < bestDist || (d == bestDist && d <= maxDist && w.docs > bestDocs) {
				best, bestDist, bestDocs = w.term, d, w.docs
			}
		}
	}
	if bestDist > maxDist {
		return "", nil
	}
	return best, nil
}

// vocabularyRefresh returns the service's vocabularyRefresh (tests lower it).
func (s *SearchService) vocabularyRefresh() time.Duration {
	if s.vocabRefresh > 0 {
		return s.vocabRefresh
	}
	return vocabularyRefresh
}
