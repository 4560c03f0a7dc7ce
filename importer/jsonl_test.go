package importer

import (
	"strings"
	"testing"
)

// A line may name its headline "title", as a CSV header may, so that
// collections written for other tools import as they are; naming both is
// refused rather than one silently winning.
func TestJSONL_TitleAlias(t *testing.T) {
	tests := []struct {
		name, line   string
		wantHeadline string
		wantErr      string
	}{
		{"headline", `{"headline": "Council votes", "body": "Text."}`, "Council votes", ""},
		{"title", `{"title": "Council votes", "body": "Text."}`, "Council votes", ""},
		{"both", `{"headline": "A", "title": "B", "body": "Text."}`, "", "both a headline and a title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items []*Item
			err := JSONL{}.ReadItems("in.jsonl", strings.NewReader(tt.line), func(it *Item) error {
				items = append(items, it)
				return nil
			})
			if err != nil || len(items) != 1 {
				t.Fatalf("ReadItems(%s) = %d items, %v; want one item", tt.line, len(items), err)
			}
			it := items[0]
			switch {
			case tt.wantErr != "":
				if it.Err == nil || !strings.Contains(it.Err.Error(), tt.wantErr) {
					t.Errorf("ReadItems(%s): error %v, want one saying %q", tt.line, it.Err, tt.wantErr)
				}
			case tt.wantHeadline != "":
				if it.Err != nil || it.Record.Article.Headline != tt.wantHeadline {
					t.Errorf("ReadItems(%s): record %+v, error %v; want headline %q", tt.line, it.Record, it.Err, tt.wantHeadline)
				}
			}
			if !(JSONL{}).Detect("feed.txt", []byte(tt.line)) {
				t.Errorf("Detect(feed.txt, %s) = false, want true", tt.line)
			}
		})
	}
}
