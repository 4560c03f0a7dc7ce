package sqlite_test

import (
	"testing"

	"github.com/bylinenews/byline/storetest"
)

// The benchmarks both stores share, in storetest.

func BenchmarkSessionService_FindSession(b *testing.B) { storetest.BenchFindSession(b, openBackend) }

func BenchmarkDeskService_UpdateArticle(b *testing.B) { storetest.BenchUpdateArticle(b, openBackend) }
