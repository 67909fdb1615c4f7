#!/usr/bin/env bash
# Retrains the Turkish n-gram model: a TF-IDF n-gram logistic regression over its own WordPiece vocabulary, trained
# on the two Turkish files and exported alone (no encoder: model.NgramModel), then quantised and checked like the
# others. About 5 minutes on the 2-core machine.
#   models/training/retrain-ngram.sh ../shared/data/sentiment [models/impact-sentiment-tur-ngram-v1] [--smoke]
# Why a model without an encoder for Turkish: models/README.md ("The Turkish n-gram model").
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
# The one choice (C) is made on the files' validation cut (validation-cut.mjs), by the mean of their macro-recall.
set -euo pipefail
data=${1:?usage: retrain-ngram.sh DATA_DIR [MODEL_DIR] [--smoke]}
out=${2:-models/impact-sentiment-tur-ngram-v1}
smoke=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sources=tur-tweets,tur-social-binary
# No lexicon: it gives the encoder's tokens a polarity, and there is no encoder.
prepare=(node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data" --sources "$sources"
  --lexicon-languages '')
train=(/usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data" --out "$out" --no-encoder)
if [ "$smoke" = "--smoke" ]; then
  "${prepare[@]}" --limit 400 --vocab-size 3000
  "${train[@]}" --smoke --c-grid 1,10
else
  "${prepare[@]}" --vocab-size 8000
  "${train[@]}" --c-grid 3,10,30
fi
/usr/bin/python3 "$here/quantize.py" "$out/onnx/model.onnx" "$out/onnx/model_quantized.onnx"
node "$here/check-model.mjs" --model "$out" --data "$data" --file audience-languages/tur-tweets-train.jsonl
