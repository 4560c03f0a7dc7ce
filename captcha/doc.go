// Package captcha issues, draws and checks the contact form's captcha
// challenges. The challenges live in a [byline.ChallengeStore], so any
// instance can check one another issued; this package only makes random
// solutions, draws them as PNG images hardened against stock OCR, and reads
// them aloud as WAV files (both with github.com/dchest/captcha).
//
// It does not store anything itself, serve HTTP, or rate-limit: the web
// package does that around a [Service].
package captcha
