#!/usr/bin/env bash
# Retrains the multilingual model: vocabulary + encoding (Node, tokenizers.js), training + export (PyTorch, one
# thread), int8 quantisation (onnx), then the fp32/q8 check (transformers.js).
#   models/training/retrain-multilingual.sh ../shared/data/sentiment [models/impact-sentiment-multilingual-v1] [--smoke]
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
set -euo pipefail
data=${1:?usage: retrain-multilingual.sh DATA_DIR [MODEL_DIR] [--smoke]}
out=${2:-models/impact-sentiment-multilingual-v1}
smoke=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$smoke" = "--smoke" ]; then
  node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data" --limit 400 --vocab-size 3000
  /usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data" --out "$out" --smoke
else
  node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data"
  /usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data" --out "$out"
fi
/usr/bin/python3 "$here/quantize.py" "$out/onnx/model.onnx" "$out/onnx/model_quantized.onnx"
# The fp32 file's embedding tables as float16 (fp32 arithmetic): keeps it under the 30 MB limit for tracked files.
/usr/bin/python3 "$here/quantize.py" --half-tables "$out/onnx/model.onnx"
node "$here/check-model.mjs" --model "$out" --data "$data" --file xlm-t-multilingual/val.jsonl
