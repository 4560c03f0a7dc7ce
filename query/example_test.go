package query_test

import (
	"fmt"

	"github.com/bylinenews/byline/query"
)

func ExampleParse() {
	q := query.Parse(`russia "united states" -trump tag:"Middle East" after:2015 OR (syri`)
	fmt.Printf("words %q, prefix %v\n", q.Words, q.Prefix)
	fmt.Printf("phrases %q, excluded %q\n", q.Phrases, q.Exclude)
	fmt.Println("tag", *q.Tag, "since", q.Since.Format("2006-01-02"))
	fmt.Println(q)
	// Output:
	// words ["russia" "OR" "syri"], prefix true
	// phrases ["united states"], excluded ["trump"]
	// tag middle-east since 2016-01-01
	// russia OR syri "united states" -trump tag:middle-east after:2015-12-31
}
