#!/usr/bin/env bash
# Rebuilds the audience languages' routed models from ../shared, each into its folder under models/, in the order
# they depend on each other (each step is its own script, with its own smoke test in test/slow/retrain-smoke.test.ts):
#   1. impact-sentiment-multilingual-v2 (retrain-multilingual.sh, about 71 minutes): Arabic and Hindi, and the
#      encoder step 3 reuses
#   2. impact-sentiment-tur-ngram-v1 and impact-sentiment-urd-ngram-v1 (retrain-ngram.sh, about 5 and 1 to 4 minutes)
#   3. impact-sentiment-ind-msa-v2 (retrain-refit.sh, about 5 minutes): v2's encoder from step 1
#   4. the language detector's fitted scorers (retrain-hindustani.sh, about 1 minute): romanised Hindustani,
#      models/language/hindustani.bin, which routes Roman Urdu to step 2's Urdu model, and Indonesian over Malay,
#      models/language/indonesian-malay.bin
# About 85 minutes on the 2-core machine. impact-sentiment-multilingual-v1 (German, French, Italian, Portuguese,
# Spanish) is commit a4ce2ea's model, rebuilt with that commit's scripts (models/README.md); this leaves it as it is.
#   models/training/retrain-audience.sh ../shared/data/sentiment
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
set -euo pipefail
data=$(cd "${1:?usage: retrain-audience.sh DATA_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.." # the folders below are the repository's
step() { echo "== $* ($(date -u +%H:%M:%S))"; "$@"; }
step "$here/retrain-multilingual.sh" "$data" models/impact-sentiment-multilingual-v2
step "$here/retrain-ngram.sh" "$data" tur
step "$here/retrain-ngram.sh" "$data" urd
step "$here/retrain-refit.sh" "$data"
step "$here/retrain-hindustani.sh" "$data"
echo "== done ($(date -u +%H:%M:%S))"
