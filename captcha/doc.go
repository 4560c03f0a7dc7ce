// Package captcha issues, draws and checks the contact form's captcha
// challenges. The challenges live in a [byline.ChallengeStore], so any
// instance can check one another issued; this package makes random digit
// solutions, draws them as PNG images hardened against stock OCR, and reads
// them aloud as WAV files, the accessible alternative (both with
// github.com/dchest/captcha).
//
// The image takes dchest's drawing of each digit without its
// strike-through line, lays the digits out with room between them, scales,
// turns and lifts each one, gives each an ink of its own, crosses them with
// a line and dots in the same inks, and warps the whole. No threshold or
// colour mask then yields the digits alone; people separate them by colour
// and by stroke weight. bench/captcha_ocr.sh measures how often tesseract
// reads one exactly; bench/README.md has the figures. Drawing an image
// costs about 10 ms of CPU, so its handler belongs behind the rate limit.
//
// It does not store anything itself, serve HTTP, or rate-limit: the web
// package does that around a [Service].
package captcha
