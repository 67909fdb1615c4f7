#!/usr/bin/env bash
# Rebuilds the language detector's fitted Latin-script scorers (about 2 minutes): models/language/hindustani.bin
# (romanised Hindustani, and Urdu over Hindi) and models/language/indonesian-malay.bin (Indonesian over Malay). The
# rows the detector would see (hindustani-rows.ts, words only, to a temporary file), then the logistic regressions
# (train_hindustani.py). liblinear is deterministic: the same data gives the same files, byte for byte.
#   models/training/retrain-hindustani.sh ../shared/data/sentiment [HINDUSTANI.bin [INDONESIAN_MALAY.bin]]
# (the second table goes beside the first unless named).
# Needs: apt-get install -y python3-sklearn (use /usr/bin/python3). Why and how well: models/README.md
# ("The language detector's romanised-Hindustani scorer", "The language detector's Indonesian-over-Malay scorer").
set -euo pipefail
data=${1:?usage: retrain-hindustani.sh DATA_DIR [HINDUSTANI.bin [INDONESIAN_MALAY.bin]]}
out=${2:-models/language/hindustani.bin}
indonesian_out=${3:-$(dirname "$out")/indonesian-malay.bin}
source "$(dirname "$0")/retrain-common.sh"
npx tsx "$here/hindustani-rows.ts" "$data" "$work/rows.jsonl"
/usr/bin/python3 "$here/train_hindustani.py" --rows "$work/rows.jsonl" --out "$out" --indonesian-out "$indonesian_out"
