// Package mail emails the messages readers send through the Contact Us form
// to the editors, over SMTP (github.com/wneessen/go-mail).
//
// [Sender] turns one [byline.Message] into one email and hands it to the
// configured SMTP server. [Worker] is the outbox: it claims the messages that
// are due from a [byline.Outbox], sends each with the Sender, and records the
// outcome, retrying failures with exponential backoff. All delivery state is
// in the database, so a restart loses nothing.
//
// This package does not store messages, decide what a reader may send, or
// receive mail.
package mail
