package sqlite

import "github.com/bylinenews/byline"

// NewServices returns every service of db.
func NewServices(db *DB) byline.Services {
	messages := NewMessageService(db)
	newsletters := NewNewsletterService(db)
	return byline.Services{
		Articles:   NewArticleService(db),
		Authors:    NewAuthorService(db),
		Sections:   NewSectionService(db),
		Pages:      NewPageService(db),
		Menus:      NewMenuService(db),
		Search:     NewSearchService(db),
		Challenges: NewChallengeStore(db),
		Messages:   messages,
		Outbox:     messages,
		Limiter:    NewRateLimiter(db),

		Newsletters:      newsletters,
		Subscribers:      NewSubscriberService(db),
		NewsletterOutbox: newsletters,

		Users:     NewUserService(db),
		Sessions:  NewSessionService(db),
		Desk:      NewDeskService(db),
		Autosaves: NewAutosaveService(db),
		Settings:  NewSettingsService(db),
		Uploads:   NewUploadService(db),
	}
}
