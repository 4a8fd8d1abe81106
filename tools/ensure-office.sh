#!/usr/bin/env bash
# Makes sure the document room's tools are there (Debian's packages): poppler-utils (pdfinfo,
# pdftoppm, pdftotext) to check and render PDFs, LibreOffice without GUI to convert office files.
set -euo pipefail
missing=()
command -v pdfinfo >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ -n "${SOFFICE_PATH:-}" ] && [ -x "$SOFFICE_PATH" ]; then :; elif ! command -v soffice >/dev/null 2>&1; then
  missing+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing for the document room: ${missing[*]} (sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "ensure-office: installing Debian's ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-liberation >&2
