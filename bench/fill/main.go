// Command fill fills a Byline data directory with generated articles, for
// the load script (bench/load.sh): realistic headlines, deks, Markdown
// bodies of several paragraphs with a pull quote and a subheading, one to
// three authors from a newsroom of 150 and two to four tags from 300,
// published an hour apart going back from a fixed date.
//
//	go run ./bench/fill -data /tmp/bench-data -n 100000
//
// Articles go in through sqlite.ArticleService.Import, in batches (one
// transaction each), as an import would. The output is the same for the
// same -n and -seed. The last line printed is "sample PATH": the permalink
// of the article in the middle of the run, for the load script to fetch.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fill:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		dataDir = fs.String("data", "./bench-data", "data directory; the database is DATA/byline.db, as `byline serve --data DATA` expects")
		n       = fs.Int("n", 10_000, "number of articles to generate")
		batch   = fs.Int("batch", 1_000, "articles per import transaction")
		seed    = fs.Uint64("seed", 1, "random seed: the same seed gives the same articles")
		endDate = fs.String("end", "2025-12-31", "publication date of the newest article (UTC, YYYY-MM-DD); the others go back an hour each")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *batch < 1 {
		return errors.New("-n and -batch must be at least 1")
	}
	end, err := time.Parse("2006-01-02", *endDate)
	if err != nil {
		return fmt.Errorf("-end: %w", err)
	}
	path := filepath.Join(*dataDir, "byline.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	articles := sqlite.NewArticleService(db)

	g := newGenerator(*seed)
	start := time.Now()
	var sample string
	for done := 0; done < *n; {
		size := min(*batch, *n-done)
		list := make([]*byline.Article, size)
		for i := range list {
			// Oldest first, so IDs grow with publication time as in a real
			// newsroom.
			list[i] = g.article(end.Add(-time.Duration(*n-1-done-i) * time.Hour))
		}
		if _, err := byline.ImportArticles(ctx, articles, list); err != nil {
			return fmt.Errorf("import articles %d to %d: %w", done+1, done+size, err)
		}
		for i, a := range list {
			if done+i == *n/2 {
				sample = a.URL()
			}
		}
		done += size
		elapsed := time.Since(start)
		fmt.Fprintf(stderr, "fill: %d/%d articles (%.0f/s)\n", done, *n, float64(done)/elapsed.Seconds())
	}
	// As `byline import` does after an import: the index in one piece.
	if _, err := db.TidySearch(ctx, 1); err != nil {
		return fmt.Errorf("tidy the search index: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "filled %s with %d articles in %s (%.1f MB)\n", path, *n, time.Since(start).Round(time.Second), float64(info.Size())/1e6)
	fmt.Fprintf(stdout, "sample %s\n", sample)
	return nil
}

// generator makes articles from word lists with a seeded random source.
type generator struct {
	r       *rand.Rand
	authors []string
	tags    []string
	seen    map[string]bool // headlines used, so slugs need no suffix
}

func newGenerator(seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x5eed)), seen: map[string]bool{}}
	for len(g.authors) < 150 {
		name := g.pick(firstNames) + " " + g.pick(lastNames)
		if !g.seen[name] {
			g.seen[name] = true
			g.authors = append(g.authors, name)
		}
	}
	g.tags = append(g.tags, topics...)
	for len(g.tags) < 300 {
		tag := g.pick(places) + " " + strings.ToLower(g.pick(topics))
		if !g.seen[tag] {
			g.seen[tag] = true
			g.tags = append(g.tags, tag)
		}
	}
	clear(g.seen)
	return g
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

// between returns a number from lo to hi inclusive.
func (g *generator) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *generator) article(published time.Time) *byline.Article {
	headline := g.headline()
	a := &byline.Article{
		Headline:    headline,
		Dek:         g.sentence(),
		Body:        g.body(),
		Status:      byline.Published,
		PublishedAt: published,
	}
	for _, i := range g.r.Perm(len(g.authors))[:g.between(1, 3)] {
		a.Authors = append(a.Authors, byline.Author{Name: g.authors[i]})
	}
	for _, i := range g.r.Perm(len(g.tags))[:g.between(2, 4)] {
		a.Tags = append(a.Tags, byline.Tag{Name: g.tags[i]})
	}
	return a
}

// headline returns a headline not used before.
func (g *generator) headline() string {
	for {
		h := fmt.Sprintf("%s %s %s in %s", g.pick(subjects), g.pick(verbs), g.pick(objects), g.pick(places))
		if g.r.IntN(4) == 0 {
			h += ", " + g.pick(headlineTails)
		}
		h = strings.ToUpper(h[:1]) + h[1:]
		if !g.seen[h] {
			g.seen[h] = true
			return h
		}
	}
}

func (g *generator) sentence() string {
	var s string
	switch g.r.IntN(5) {
	case 0:
		s = fmt.Sprintf("%s %s %s, %s", g.pick(subjects), g.pick(verbs), g.pick(objects), g.pick(clauses))
	case 1:
		s = fmt.Sprintf("%s, %s %s %s", g.pick(openers), g.pick(subjects), g.pick(verbs), g.pick(objects))
	case 2:
		s = fmt.Sprintf("%s %s %s in %s %s", g.pick(subjects), g.pick(verbs), g.pick(objects), g.pick(places), g.pick(times))
	case 3:
		s = fmt.Sprintf("“%s %s %s,” said %s %s", capitalize(g.pick(subjects)), g.pick(verbs), g.pick(objects), g.pick(roles), g.pick(lastNames))
		return s + "."
	default:
		s = fmt.Sprintf("%s %s %s, and %s %s %s", g.pick(subjects), g.pick(verbs), g.pick(objects), g.pick(subjects), g.pick(verbs), g.pick(objects))
	}
	return capitalize(s) + "."
}

func (g *generator) paragraph() string {
	n := g.between(3, 5)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.sentence()
	}
	return strings.Join(parts, " ")
}

// body is 6 to 10 paragraphs with a pull quote, often a subheading, and
// sometimes a list and a link.
func (g *generator) body() string {
	var b strings.Builder
	n := g.between(6, 10)
	quoteAt := g.between(2, n-2)
	headAt := g.between(3, n-1)
	for i := range n {
		if i == quoteAt {
			fmt.Fprintf(&b, "> “%s %s %s. %s”\n\n", capitalize(g.pick(subjects)), g.pick(verbs), g.pick(objects), g.sentence())
		}
		if i == headAt && g.r.IntN(3) > 0 {
			fmt.Fprintf(&b, "## %s\n\n", capitalize(g.pick(subheads)))
			if g.r.IntN(3) == 0 {
				for range g.between(3, 5) {
					fmt.Fprintf(&b, "- %s %s\n", capitalize(g.pick(subjects)), g.pick(objects))
				}
				b.WriteString("\n")
			}
		}
		p := g.paragraph()
		if g.r.IntN(8) == 0 {
			p += fmt.Sprintf(" Read [the full report](/tag/%s/) for the figures.", byline.Slugify(g.pick(topics)))
		}
		b.WriteString(p)
		b.WriteString("\n\n")
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var (
	subjects = []string{"the city council", "the mayor", "local residents", "the health authority", "the school board",
		"farmers in the valley", "the transport minister", "small businesses", "the university", "the police",
		"hospital staff", "the port authority", "shop owners", "the opposition", "environmental groups",
		"the regional government", "commuters", "teachers", "the central bank", "tenants", "the fire service",
		"scientists", "the courts", "the football club", "young voters", "the museum", "pensioners",
		"the water company", "union leaders", "the planning committee", "parents", "the energy regulator",
		"lawmakers", "fishermen", "the library", "volunteers", "the housing association", "doctors",
		"the airport", "investors", "the chamber of commerce", "community leaders", "the trade delegation",
		"researchers", "the rail operator", "the art festival", "nurses", "the election commission",
		"startups", "the coast guard", "the wildlife trust", "bus drivers", "the tax office", "retailers",
		"the orchestra", "students", "the ministry", "the zoo", "landlords", "the press council"}
	verbs = []string{"approves", "rejects", "debates", "delays", "unveils", "questions", "backs", "opposes",
		"funds", "cuts", "expands", "reviews", "defends", "announces", "scraps", "welcomes", "criticises",
		"proposes", "completes", "investigates", "pledges to fix", "warns about", "celebrates", "challenges",
		"postpones", "renews", "doubles", "halves", "restores", "reopens", "closes", "plans", "studies",
		"votes on", "signs", "tests", "launches", "protests against", "calls for", "prepares"}
	objects = []string{"the new budget", "plans for a bridge", "a housing scheme", "the bus network",
		"a tax on second homes", "the flood defences", "school meals", "a climate plan", "the night-time economy",
		"parking charges", "the harbour redevelopment", "a cycling lane", "the recycling scheme", "rent controls",
		"a new hospital wing", "broadband for villages", "the summer festival", "water prices", "a trade deal",
		"the stadium expansion", "park opening hours", "a four-day week", "the pension reform", "wind farms",
		"an inquiry into delays", "the library's future", "speed limits", "a solar programme", "the ferry service",
		"fees for students", "the airport's third runway", "a ban on disposable cups", "the heritage trail",
		"emergency funding", "the town's oldest market", "a mental health service", "the tram extension",
		"a youth centre", "the census results", "a refugee programme", "a new curriculum", "the wage agreement",
		"a drought plan", "the museum's collection", "electric buses", "the coastal path", "a housing survey",
		"the late-night licence", "the police budget", "the sugar tax", "a reading campaign", "the ring road",
		"the fishing quota", "a tourism levy", "the care home inspections", "a hiring freeze", "the ballot",
		"the river clean-up", "the new ward boundaries", "an open-data portal"}
	places = []string{"Riverton", "the old town", "the north district", "Harbourside", "the valley", "Eastfield",
		"the capital", "the coastal towns", "Millbrook", "the university quarter", "Westmoor", "the suburbs",
		"Kingsbridge", "the border region", "Ashford Green", "the islands", "Stonegate", "the market town",
		"Lakeside", "the industrial estate", "Brookhaven", "the city centre", "Northgate", "the hill villages",
		"Fairview", "the docklands", "Elmwood", "the southern counties", "Redcliffe", "the new estates",
		"Oakham", "the river delta", "Highbury", "the mining towns", "Seabrook", "the east bank", "Willowdale",
		"the airport zone", "Marlow Vale", "the canal district", "Greystone", "the upland farms", "Bellmead",
		"the tech park", "Foxley", "the harbour", "Cedar Falls", "the west end", "Pinecrest", "the cathedral close"}
	headlineTails = []string{"despite protests", "after a long debate", "amid rising costs", "for the first time",
		"as deadline looms", "in a surprise vote", "after years of delay", "as critics warn", "with cross-party support",
		"ahead of the election", "under pressure", "at last"}
	clauses = []string{"a move critics called rushed", "ending months of uncertainty", "though questions remain",
		"according to figures released on Tuesday", "in a decision that surprised many", "after a public consultation",
		"despite warnings from experts", "with a final vote expected next month", "as costs continue to rise",
		"in response to complaints", "following a review of last year's spending", "to the relief of many families"}
	openers = []string{"On Monday", "Late on Friday", "Earlier this year", "After a heated meeting", "In a statement",
		"For the second time this month", "Speaking to reporters", "According to a new report", "Last week",
		"Behind closed doors", "In the latest twist", "By a narrow margin"}
	times = []string{"this week", "on Thursday", "next spring", "by the end of the year", "for the coming winter",
		"over the summer", "within a decade", "before the holidays", "this morning", "at a packed hearing"}
	roles = []string{"councillor", "spokesperson", "professor", "chief executive", "head teacher", "resident",
		"minister", "economist", "union official", "campaigner", "inspector", "shop owner"}
	subheads = []string{"what happens next", "the numbers behind it", "how we got here", "who pays",
		"what residents say", "the opposition's case", "a long road", "what it means for you", "the wider picture",
		"lessons from elsewhere"}
	topics = []string{"Politics", "Economy", "Health", "Education", "Environment", "Transport", "Housing",
		"Culture", "Sport", "Crime", "Science", "Technology", "Business", "Local", "World", "Energy", "Farming",
		"Weather", "Opinion", "History"}
	firstNames = []string{"Maria", "Sam", "Li", "Anna", "Tom", "Priya", "Jo", "Ines", "Luay", "Abbas", "Kofi",
		"Elena", "Marek", "Aisha", "Pedro", "Hannah", "Yuki", "Omar", "Sofia", "Daniel", "Grace", "Ravi",
		"Chloe", "Mateo", "Nadia", "Felix", "Zara", "Ben", "Lucia", "Ivan"}
	lastNames = []string{"Lopez", "Okafor", "Wei", "Müller", "Hale", "Natarajan", "Brennan", "Duarte",
		"Al-Khatteeb", "Kadhim", "Mensah", "Petrova", "Nowak", "Rahman", "Silva", "Schmidt", "Tanaka", "Haddad",
		"Rossi", "Cohen", "Osei", "Sharma", "Dubois", "Garcia", "Kowalski", "Jensen", "Ali", "Murphy", "Costa",
		"Ivanova"}
)
