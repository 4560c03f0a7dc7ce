#!/usr/bin/env bash
# Screenshots of the demo site for a reviewer: the home page, an article, an
# author, a tag and Contact Us, at 1280x900 and 390x844, light and dark, in
# the folder given (default ./screenshots). Needs Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-screenshots}")"
BYLINE_SCREENSHOTS="$out" go test -count=1 -run '^TestScreenshots$' ./e2e/
ls "$out"
