package sqlite_test

import (
	"encoding/json"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

// relevanceSet is testdata/relevance.json: queries over the sample with the
// articles judged relevant to each, graded 2 (about it) or 1 (in part).
type relevanceSet struct {
	Queries []struct {
		Query    string         `json:"query"`
		Relevant map[string]int `json:"relevant"` // sample ID → grade
	} `json:"queries"`
}

// TestSearchRelevance scores our ranking and two "count of matching words"
// baselines on the judged queries with nDCG@10 and MAP (over the first 100
// results), prints the figures, and fails if ours does not beat both.
//
//	go test ./sqlite -run TestSearchRelevance -v
func TestSearchRelevance(t *testing.T) {
	search, _, ids, sample := loadSample(t)
	raw, err := os.ReadFile("testdata/relevance.json")
	if err != nil {
		t.Fatal(err)
	}
	var set relevanceSet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("testdata/relevance.json: %v", err)
	}
	if len(set.Queries) < 30 {
		t.Fatalf("relevance set has %d queries, want at least 30", len(set.Queries))
	}

	// The baselines see each article's text as stored.
	docs := make([]baselineDoc, len(sample))
	for i, s := range sample {
		a := s.Article
		docs[i] = baselineDoc{id: a.ID, text: strings.ToLower(a.Headline + "\n" + a.Dek + "\n" + a.BodyText)}
		docs[i].words = wordSet(docs[i].text)
	}

	type system struct {
		name       string
		rank       func(q string) []int64
		ndcg, mapx float64
	}
	systems := []*system{
		{name: "ours (FTS5 bm25, all words first)", rank: func(text string) []int64 {
			q := query.Parse(text + " ")
			q.Limit = byline.MaxSearchLimit
			res, err := search.Search(t.Context(), q)
			if err != nil {
				t.Fatalf("Search(%q): %v", text, err)
			}
			var out []int64
			for _, h := range res.Hits {
				out = append(out, h.Article.ID)
			}
			return out
		}},
		{name: "baseline: count of words matched as substrings (LIKE)", rank: func(q string) []int64 {
			return rankBaseline(docs, q, func(d baselineDoc, w string) bool { return strings.Contains(d.text, w) })
		}},
		{name: "baseline: count of words matched as whole words", rank: func(q string) []int64 {
			return rankBaseline(docs, q, func(d baselineDoc, w string) bool { return d.words[w] })
		}},
	}
	for _, q := range set.Queries {
		grades := make(map[int64]int)
		for sid, g := range q.Relevant {
			id, ok := ids[sid]
			if !ok {
				t.Fatalf("query %q: no sample article with id %s", q.Query, sid)
			}
			grades[id] = g
		}
		for _, s := range systems {
			ranked := s.rank(q.Query)
			s.ndcg += ndcgAt(ranked, grades, 10)
			s.mapx += averagePrecision(ranked, grades)
		}
	}
	n := float64(len(set.Queries))
	for _, s := range systems {
		s.ndcg /= n
		s.mapx /= n
		t.Logf("%-55s nDCG@10 %.3f  MAP %.3f", s.name, s.ndcg, s.mapx)
	}
	ours := systems[0]
	for _, b := range systems[1:] {
		if ours.ndcg <= b.ndcg || ours.mapx <= b.mapx {
			t.Errorf("ours (nDCG@10 %.3f, MAP %.3f) does not beat %s (nDCG@10 %.3f, MAP %.3f)",
				ours.ndcg, ours.mapx, b.name, b.ndcg, b.mapx)
		}
	}
}

type baselineDoc struct {
	id    int64
	text  string
	words map[string]bool
}

// rankBaseline ranks the articles holding any of the query's words by how
// many they hold, ties newest first (by ID: the sample's dates are all
// alike), as a WordPress-style search does.
func rankBaseline(docs []baselineDoc, q string, has func(baselineDoc, string) bool) []int64 {
	words := strings.Fields(strings.ToLower(q))
	type scored struct {
		id    int64
		count int
	}
	var hits []scored
	for _, d := range docs {
		c := 0
		for _, w := range words {
			if has(d, w) {
				c++
			}
		}
		if c > 0 {
			hits = append(hits, scored{d.id, c})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].count != hits[j].count {
			return hits[i].count > hits[j].count
		}
		return hits[i].id > hits[j].id
	})
	out := make([]int64, 0, min(len(hits), byline.MaxSearchLimit))
	for _, h := range hits[:min(len(hits), byline.MaxSearchLimit)] {
		out = append(out, h.id)
	}
	return out
}

func wordSet(text string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		m[w] = true
	}
	return m
}

// ndcgAt is the normalized discounted cumulative gain of the first k of
// ranked, with gain 2^grade - 1.
func ndcgAt(ranked []int64, grades map[int64]int, k int) float64 {
	dcg := 0.0
	for i, id := range ranked[:min(k, len(ranked))] {
		dcg += (math.Exp2(float64(grades[id])) - 1) / math.Log2(float64(i+2))
	}
	var ideal []int
	for _, g := range grades {
		ideal = append(ideal, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
	idcg := 0.0
	for i, g := range ideal[:min(k, len(ideal))] {
		idcg += (math.Exp2(float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// averagePrecision is the mean, over every relevant article, of the
// precision at its rank (0 for one not retrieved).
func averagePrecision(ranked []int64, grades map[int64]int) float64 {
	relevant := 0
	for _, g := range grades {
		if g > 0 {
			relevant++
		}
	}
	if relevant == 0 {
		return 0
	}
	found, sum := 0, 0.0
	for i, id := range ranked {
		if grades[id] > 0 {
			found++
			sum += float64(found) / float64(i+1)
		}
	}
	return sum / float64(relevant)
}
