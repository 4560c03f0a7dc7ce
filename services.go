package byline

// Services is every service of one database, all on the same connection
// pool. Each backend returns them from one constructor (sqlite.NewServices,
// postgres.NewServices), so the commands and the behaviour suite hold the
// same set and a new service is added in one place per backend.
type Services struct {
	Articles   ArticleService
	Authors    AuthorService
	Sections   SectionService
	Pages      PageService
	Menus      MenuService
	Search     SearchService
	Challenges ChallengeStore
	Messages   MessageService
	Outbox     Outbox
	Limiter    RateLimiter

	// Newsletters: the mailing list, its sends and their outbox.
	Newsletters      NewsletterService
	Subscribers      SubscriberService
	NewsletterOutbox NewsletterOutbox

	// The newsroom's services.
	Users     UserService
	Sessions  SessionService
	Desk      DeskService
	Autosaves AutosaveService
	Settings  SettingsService
	Uploads   UploadService
}
