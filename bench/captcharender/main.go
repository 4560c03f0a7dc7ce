// Command captcharender renders captcha challenges for the OCR resistance
// bench (bench/captcha_ocr.sh) and scores what tesseract read from them.
//
//	captcharender render -n 1000 -dir DIR   write images, clean-ups and tesseract lists
//	captcharender ocr -jobs 2 -dir DIR      run tesseract on every list
//	captcharender score -dir DIR            compare what tesseract read with the answers
//
// Two sets are rendered side by side: "baseline", dchest/captcha's stock
// image (6 digits, 240x80), and "ours", [captcha.Render] at the length
// [captcha.New] picks. Each image is written as the clean-ups a cheap
// attacker would try before OCR: grayscale with an Otsu threshold, and one
// mask per colour for the three commonest colours that are not the
// background. A challenge counts as read if any clean-up, at any page
// segmentation mode, gives exactly its digits.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	dchest "github.com/dchest/captcha"

	"github.com/bylinenews/byline/captcha"
)

// variants are the clean-ups written for each image, in the order printed.
var variants = []string{"gray", "colour1", "colour2", "colour3"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "captcharender:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: captcharender render|ocr|score -dir DIR [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dir := fs.String("dir", "", "working directory (required)")
	n := fs.Int("n", 1000, "challenges per set")
	chunks := fs.Int("chunks", 4, "tesseract lists per set and clean-up")
	jobs := fs.Int("jobs", 2, "tesseract processes at once")
	psms := fs.String("psm", "7,8", "page segmentation modes")
	setList := fs.String("sets", "baseline,ours", "which images: baseline (dchest's default), ours (captcha.Render)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-dir is required")
	}
	sets := strings.Split(*setList, ",")
	for _, set := range sets {
		if set != "baseline" && set != "ours" {
			return fmt.Errorf("unknown set %q", set)
		}
	}
	switch args[0] {
	case "render":
		return renderAll(*dir, sets, *n, *chunks)
	case "ocr":
		return ocrAll(stdout, *dir, sets, strings.Split(*psms, ","), *jobs)
	case "score":
		return score(stdout, *dir, sets, strings.Split(*psms, ","))
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// renderAll writes, under dir/SET: orig/NNNN.png, VARIANT/NNNN.png,
// answers.tsv (name, digits) and lists/VARIANT-cK.list (image paths, one a
// line, for one tesseract run each). It renders on every core.
func renderAll(dir string, sets []string, n, chunks int) error {
	length := captcha.New(nil).Length
	for _, set := range sets {
		root, err := filepath.Abs(filepath.Join(dir, set))
		if err != nil {
			return err
		}
		for _, sub := range append([]string{"orig", "lists"}, variants...) {
			if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
				return err
			}
		}
		digits := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		next := make(chan int)
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := range next {
					digits[i], errs[i] = renderOne(root, set, fmt.Sprintf("%04d", i), length)
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}

		var answers bytes.Buffer
		lists := make(map[string][]string)
		for i, d := range digits {
			name := fmt.Sprintf("%04d", i)
			fmt.Fprintf(&answers, "%s\t%s\n", name, d)
			for _, v := range variants {
				key := fmt.Sprintf("%s-c%d", v, i%chunks)
				lists[key] = append(lists[key], filepath.Join(root, v, name+".png"))
			}
		}
		if err := os.WriteFile(filepath.Join(root, "answers.tsv"), answers.Bytes(), 0o644); err != nil {
			return err
		}
		for key, paths := range lists {
			body := strings.Join(paths, "\n") + "\n"
			if err := os.WriteFile(filepath.Join(root, "lists", key+".list"), []byte(body), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderOne draws one challenge of set with fresh random digits and writes
// it and its clean-ups under root. It returns the digits.
func renderOne(root, set, name string, length int) (string, error) {
	var img image.Image
	var digits string
	if set == "baseline" {
		d := dchest.RandomDigits(dchest.DefaultLen)
		img = dchest.NewImage(rand.Text(), d, dchest.StdWidth, dchest.StdHeight)
		digits = digitString(d)
	} else {
		digits = digitString(dchest.RandomDigits(length))
		img = captcha.Render(digits)
	}
	if err := writePNG(filepath.Join(root, "orig", name+".png"), img); err != nil {
		return "", err
	}
	for v, m := range cleanups(img) {
		if err := writePNG(filepath.Join(root, v, name+".png"), m); err != nil {
			return "", err
		}
	}
	return digits, nil
}

func digitString(d []byte) string {
	s := make([]byte, len(d))
	for i, v := range d {
		s[i] = '0' + v
	}
	return string(s)
}

func writePNG(path string, m image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, m); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

// pad is the white margin added around every clean-up; tesseract reads
// text that touches the edge poorly.
const pad = 12

// cleanups returns the attacker's versions of m, black text on white, by
// variant name.
func cleanups(m image.Image) map[string]image.Image {
	// Flatten onto white: dchest's background is transparent.
	b := m.Bounds()
	flat := image.NewRGBA(b)
	draw.Draw(flat, b, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, b, m, b.Min, draw.Over)

	out := map[string]image.Image{"gray": threshold(flat)}

	// Count colours; the commonest is the background.
	count := make(map[color.RGBA]int)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[flat.RGBAAt(x, y)]++
		}
	}
	cols := make([]color.RGBA, 0, len(count))
	for c := range count {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(i, j int) bool {
		if count[cols[i]] != count[cols[j]] {
			return count[cols[i]] > count[cols[j]]
		}
		return lessRGBA(cols[i], cols[j])
	})
	for k := 1; k <= 3; k++ {
		mask := blank(b)
		if k < len(cols) {
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if flat.RGBAAt(x, y) == cols[k] {
						mask.SetGray(x-b.Min.X+pad, y-b.Min.Y+pad, color.Gray{})
					}
				}
			}
		}
		out[fmt.Sprintf("colour%d", k)] = mask
	}
	return out
}

func lessRGBA(a, b color.RGBA) bool {
	return uint32(a.R)<<16|uint32(a.G)<<8|uint32(a.B) < uint32(b.R)<<16|uint32(b.G)<<8|uint32(b.B)
}

// blank returns a white grayscale image the size of b plus the margin.
func blank(b image.Rectangle) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, b.Dx()+2*pad, b.Dy()+2*pad))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	return g
}

// threshold converts m to grayscale and binarizes it at Otsu's threshold.
func threshold(m *image.RGBA) *image.Gray {
	b := m.Bounds()
	lum := make([]uint8, 0, b.Dx()*b.Dy())
	var hist [256]int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			l := color.GrayModel.Convert(m.RGBAAt(x, y)).(color.Gray).Y
			lum = append(lum, l)
			hist[l]++
		}
	}
	t := otsu(hist, len(lum))
	g := blank(b)
	for i, l := range lum {
		if l <= t {
			g.SetGray(i%b.Dx()+pad, i/b.Dx()+pad, color.Gray{})
		}
	}
	return g
}

// otsu returns the threshold that maximises the between-class variance.
func otsu(hist [256]int, total int) uint8 {
	var sum float64
	for i, c := range hist {
		sum += float64(i * c)
	}
	var sumB, best float64
	var wB int
	var t uint8
	for i, c := range hist {
		wB += c
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i * c)
		mB := sumB / float64(wB)
		mF := (sum - sumB) / float64(wF)
		between := float64(wB) * float64(wF) * (mB - mF) * (mB - mF)
		if between > best {
			best, t = between, uint8(i)
		}
	}
	return t
}

// score reads dir/SET/answers.tsv and every tesseract output
// dir/SET/lists/VARIANT-cK-psmP.txt and prints the exact-read rates.
func score(w io.Writer, dir string, sets, psms []string) error {
	for _, set := range sets {
		root := filepath.Join(dir, set)
		answers, order, err := readAnswers(filepath.Join(root, "answers.tsv"))
		if err != nil {
			return err
		}
		anyRead := make(map[string]bool)
		best := make(map[string]int) // fewest edits from a read to the answer
		for _, v := range variants {
			for _, psm := range psms {
				read, err := readVariant(root, v, psm, answers, best)
				if err != nil {
					return err
				}
				for name := range read {
					anyRead[name] = true
				}
				fmt.Fprintf(w, "  %-8s  %-8s psm %s  %s\n", set, v, psm, rate(len(read), len(order)))
			}
		}
		near := 0
		for _, name := range order {
			if d, ok := best[name]; ok && d <= 1 {
				near++
			}
		}
		fmt.Fprintf(w, "%-8s within one edit of the answer: %s\n", set, rate(near, len(order)))
		fmt.Fprintf(w, "%-8s read exactly by any clean-up at any psm: %s\n", set, rate(len(anyRead), len(order)))
	}
	return nil
}

// readVariant returns the names of the images tesseract read exactly in
// one clean-up at one page segmentation mode, and lowers best[name] to the
// edit distance of each read from its answer.
func readVariant(root, variant, psm string, answers map[string]string, best map[string]int) (map[string]bool, error) {
	lists, err := filepath.Glob(filepath.Join(root, "lists", variant+"-c*.list"))
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return nil, fmt.Errorf("no lists for %s in %s", variant, root)
	}
	read := make(map[string]bool)
	for _, list := range lists {
		path := strings.TrimSuffix(list, ".list") + "-psm" + psm + ".tsv"
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("tesseract's results missing: %w", err)
		}
		for line := range strings.Lines(string(text)) {
			name, got, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
			if got == answers[name] {
				read[name] = true
			}
			if d, ok := best[name]; !ok || edits(got, answers[name]) < d {
				best[name] = edits(got, answers[name])
			}
		}
	}
	return read, nil
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func readAnswers(path string) (map[string]string, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	answers := make(map[string]string)
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, digits, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, nil, fmt.Errorf("%s: bad line %q", path, sc.Text())
		}
		answers[name] = digits
		order = append(order, name)
	}
	return answers, order, sc.Err()
}

// rate formats k of n with its Wilson score interval at 95%.
func rate(k, n int) string {
	if n == 0 {
		return "no challenges"
	}
	lo, hi := wilson(k, n, 1.959964)
	return fmt.Sprintf("%4d/%d = %5.2f%%  (95%% CI %.2f%% to %.2f%%)", k, n, 100*float64(k)/float64(n), 100*lo, 100*hi)
}

// wilson returns the Wilson score interval for k successes in n trials.
func wilson(k, n int, z float64) (lo, hi float64) {
	p := float64(k) / float64(n)
	nn := float64(n)
	den := 1 + z*z/nn
	centre := (p + z*z/(2*nn)) / den
	half := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn)) / den
	return math.Max(0, centre-half), math.Min(1, centre+half)
}

// ocrAll runs tesseract on every list under dir/SET/lists at each page
// segmentation mode, jobs at a time, and writes what it read from each
// image, digits only, to LIST-psmP.tsv as "name<TAB>digits" lines.
func ocrAll(w io.Writer, dir string, sets, psms []string, jobs int) error {
	type job struct{ list, psm string }
	var todo []job
	for _, set := range sets {
		lists, err := filepath.Glob(filepath.Join(dir, set, "lists", "*.list"))
		if err != nil {
			return err
		}
		for _, l := range lists {
			for _, p := range psms {
				todo = append(todo, job{l, p})
			}
		}
	}
	var (
		mu      sync.Mutex
		crashes int
		first   error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, max(jobs, 1))
	)
	for _, j := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := ocrList(j.list, j.psm)
			mu.Lock()
			defer mu.Unlock()
			crashes += n
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if crashes > 0 {
		fmt.Fprintf(w, "tesseract crashed on %d images (a clean-up and mode each); counted as not read\n", crashes)
	}
	return first
}

// ocrList runs tesseract over the images in list and writes the results
// file. Tesseract 5.3 dies of a floating-point exception on some images;
// such an image counts as not read, and the run resumes after it. It
// returns the number of such crashes.
func ocrList(list, psm string) (int, error) {
	body, err := os.ReadFile(list)
	if err != nil {
		return 0, err
	}
	paths := strings.Fields(string(body))
	base := strings.TrimSuffix(list, ".list") + "-psm" + psm
	var results strings.Builder
	crashes := 0
	for part := 0; len(paths) > 0; part++ {
		partList := fmt.Sprintf("%s.part%d", base, part)
		if err := os.WriteFile(partList, []byte(strings.Join(paths, "\n")+"\n"), 0o644); err != nil {
			return crashes, err
		}
		var stderr bytes.Buffer
		cmd := exec.Command("tesseract", partList, partList, "--psm", psm,
			"-c", "tessedit_char_whitelist=0123456789")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		cmd.Stderr = &stderr
		runErr := cmd.Run()
		text, err := os.ReadFile(partList + ".txt")
		if err != nil && runErr == nil {
			return crashes, err
		}
		// Tesseract puts a form feed between pages, not after the last.
		pages := strings.Split(string(text), "\f")
		done := len(paths)
		if runErr != nil {
			var exit *exec.ExitError
			if !errors.As(runErr, &exit) {
				return crashes, fmt.Errorf("run tesseract: %w", runErr)
			}
			// It names each page on stderr as it starts it: the last named
			// is the one it died on, and the pages before it are complete.
			done = lastPage(stderr.String())
			if done < 0 || done >= len(paths) {
				return crashes, fmt.Errorf("tesseract on %s: %v: %s", partList, runErr, stderr.String())
			}
			crashes++
			pages = pages[:min(len(pages), done)]
			pages = append(pages, "") // the image it died on
			done++
		}
		if len(pages) < done {
			return crashes, fmt.Errorf("tesseract on %s: %d pages for %d images", partList, len(pages), done)
		}
		for i, p := range paths[:done] {
			name := strings.TrimSuffix(filepath.Base(p), ".png")
			fmt.Fprintf(&results, "%s\t%s\n", name, onlyDigits(pages[i]))
		}
		paths = paths[done:]
	}
	return crashes, os.WriteFile(base+".tsv", []byte(results.String()), 0o644)
}

// lastPage returns N from the last "Page N : path" line tesseract wrote to
// stderr, or -1.
func lastPage(stderr string) int {
	last := -1
	for line := range strings.Lines(stderr) {
		rest, ok := strings.CutPrefix(line, "Page ")
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, " ")
		if n, err := strconv.Atoi(num); ok && err == nil {
			last = n
		}
	}
	return last
}

// edits returns the Levenshtein distance between a and b.
func edits(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
