#!/usr/bin/env bash
# Rebuilds the language detector's romanised-Hindustani scorer, models/language/hindustani.bin (about 2 minutes):
# the rows the detector would see (hindustani-rows.ts, words only, to a temporary file), then the two logistic
# regressions (train_hindustani.py). liblinear is deterministic: the same data gives the same file, byte for byte.
#   models/training/retrain-hindustani.sh ../shared/data/sentiment [OUT.bin]
# Needs: apt-get install -y python3-sklearn (use /usr/bin/python3). Why and how well: models/README.md
# ("The language detector's romanised-Hindustani scorer").
set -euo pipefail
data=${1:?usage: retrain-hindustani.sh DATA_DIR [OUT.bin]}
out=${2:-models/language/hindustani.bin}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npx tsx "$here/hindustani-rows.ts" "$data" "$work/rows.jsonl"
/usr/bin/python3 "$here/train_hindustani.py" --rows "$work/rows.jsonl" --out "$out"
