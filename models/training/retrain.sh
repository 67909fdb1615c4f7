#!/usr/bin/env bash
# Retrains the default model from scratch: vocabulary + encoding (Node, tokenizers.js), training + export
# (PyTorch), int8 quantisation (onnx), then the fp32/q8 check and dev evaluation (transformers.js).
#   models/training/retrain.sh ../shared/data/sentiment [models/impact-sentiment-v1] [--smoke]
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
set -euo pipefail
data=${1:?usage: retrain.sh DATA_DIR [MODEL_DIR] [--smoke]}
out=${2:-models/impact-sentiment-v1}
smoke=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
prep=$(mktemp -d)
trap 'rm -rf "$prep"' EXIT
if [ "$smoke" = "--smoke" ]; then
  node "$here/prepare-data.mjs" --out "$prep" --data "$data" --limit 400 --vocab-size 3000
  /usr/bin/python3 "$here/train.py" --prep "$prep" --out "$out" --data "$data" --smoke
else
  node "$here/prepare-data.mjs" --out "$prep" --data "$data"
  /usr/bin/python3 "$here/train.py" --prep "$prep" --out "$out" --data "$data" --max-minutes 50
fi
/usr/bin/python3 "$here/quantize.py" "$out/onnx/model.onnx" "$out/onnx/model_quantized.onnx"
node "$here/check-model.mjs" --model "$out" --data "$data"
