#!/usr/bin/env bash
# Render roster.xlsx as a person sees it printed: LibreOffice headless → PDF (every sheet, with its print
# setup) → one PNG per page. Not needed by CI; needs LibreOffice Calc, poppler-utils and a CJK font:
#   apt-get update && apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk
# Usage: scripts/render_workbook.sh roster.xlsx [OUT_DIR] [DPI]
# Prints the PDF's page count and the PNG files; check that each day sheet is one page and the chart shows.
set -euo pipefail
xlsx="${1:?usage: $0 roster.xlsx [OUT_DIR] [DPI]}"
out="${2:-$(dirname "$xlsx")/render}"
dpi="${3:-80}"
command -v soffice >/dev/null || { echo "soffice not found: apt-get install -y libreoffice-calc" >&2; exit 2; }
command -v pdftoppm >/dev/null || { echo "pdftoppm not found: apt-get install -y poppler-utils" >&2; exit 2; }
mkdir -p "$out"
name="$(basename "${xlsx%.*}")"
# a private profile so a running LibreOffice or a first-start wizard does not interfere
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --calc --convert-to pdf --outdir "$out" "$xlsx" >/dev/null
pdf="$out/$name.pdf"
[ -s "$pdf" ] || { echo "no PDF written for $xlsx" >&2; exit 1; }
rm -f "$out/$name"-*.png
pdftoppm -png -r "$dpi" "$pdf" "$out/$name"
if command -v pdfinfo >/dev/null; then pdfinfo "$pdf" | grep -E '^(Pages|Page size)'; fi
ls -1 "$out/$name"-*.png
