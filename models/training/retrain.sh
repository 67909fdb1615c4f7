#!/usr/bin/env bash
# Retrains the default model from scratch: vocabulary + encoding (Node, tokenizers.js), training + export
# (PyTorch), int8 quantisation (onnx), then the fp32/q8 check and dev evaluation (transformers.js).
#   models/training/retrain.sh ../shared/data/sentiment [models/impact-sentiment-v2] [--smoke]
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
#
# The served encoder is the weight average of two encoders trained from the same seed, one core each, in
# parallel: one on the tweets, one on the tweets plus SST's positive/negative sentences. A last run reads both
# back, picks the average on the validation sets, fits the TF-IDF branch and exports the ensemble.
set -euo pipefail
data=${1:?usage: retrain.sh DATA_DIR [MODEL_DIR] [--smoke]}
out=${2:-models/impact-sentiment-v2}
smoke=${3:-}
source "$(dirname "$0")/retrain-common.sh"
if [ "$smoke" = "--smoke" ]; then
  node "$here/prepare-data.mjs" --out "$work/prep" --data "$data" --limit 400 --vocab-size 3000
  train=(/usr/bin/python3 "$here/train.py" --prep "$work/prep" --data "$data" --smoke)
else
  node "$here/prepare-data.mjs" --out "$work/prep" --data "$data"
  train=(/usr/bin/python3 "$here/train.py" --prep "$work/prep" --data "$data")
fi
"${train[@]}" --out "$work/tweets" --max-minutes 50 > "$work/tweets.log" 2>&1 &
tweets=$!
"${train[@]}" --out "$work/tweets-sst" --max-minutes 50 --encoder-extra sst_train:polar > "$work/tweets-sst.log" 2>&1 &
tweets_sst=$!
wait "$tweets" || { cat "$work/tweets.log"; exit 1; }
wait "$tweets_sst" || { cat "$work/tweets-sst.log"; exit 1; }
tail -n 3 "$work/tweets.log" "$work/tweets-sst.log"
"${train[@]}" --out "$out" --threads 2 \
  --reuse-encoder "$work/tweets/onnx/model.onnx" --average-with "$work/tweets-sst/onnx/model.onnx"
finish_model "$out" "$data" semeval2017-task4a-2013-2016/dev.jsonl
