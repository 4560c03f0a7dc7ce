#!/bin/sh
# captcha_ocr.sh measures how often a stock OCR engine (tesseract, no
# training) reads a captcha image exactly, for dchest/captcha's default
# image (the baseline) and for ours (captcha.Render), in the same run.
#
#   bench/captcha_ocr.sh            # 1,000 challenges per set
#   N=200 bench/captcha_ocr.sh      # quicker, wider intervals
#   KEEP=1 bench/captcha_ocr.sh     # keep the images and outputs, and say where
#
# The attacker tries four cheap clean-ups of each image (grayscale with an
# Otsu threshold; a mask of each of the three commonest non-background
# colours) at page segmentation modes 7 (one line) and 8 (one word), with a
# digits-only whitelist. A challenge counts as read if any of those eight
# tries gives exactly its digits. Rates come with a 95% Wilson interval.
set -eu

N=${N:-1000}
JOBS=${JOBS:-2}

if ! command -v tesseract >/dev/null 2>&1; then
	echo "captcha_ocr: tesseract is not installed, so nothing was measured." >&2
	echo "captcha_ocr: install it with: apt-get install -y tesseract-ocr" >&2
	exit 2
fi

cd "$(dirname "$0")/.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/captcha_ocr.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then
	echo "captcha_ocr: keeping images and outputs in $dir"
else
	trap 'rm -rf "$dir"' EXIT
fi

start=$(date +%s)
go build -o "$dir/captcharender" ./bench/captcharender
"$dir/captcharender" render -n "$N" -dir "$dir"

# One tesseract run per list (a quarter of one clean-up of one set) and page
# segmentation mode, JOBS at a time; a list spares tesseract loading its
# model for each image.
"$dir/captcharender" ocr -jobs "$JOBS" -dir "$dir"

echo "tesseract $(tesseract --version 2>/dev/null | head -n 1 | cut -d" " -f2), $N challenges per set, $(($(date +%s) - start)) s"
echo "baseline: dchest/captcha default (6 digits, 240x80); ours: captcha.Render"
"$dir/captcharender" score -dir "$dir"
