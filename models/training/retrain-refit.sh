#!/usr/bin/env bash
# Retrains impact-sentiment-ind-msa-v2: multilingual-v2's encoder, reused as it is, and a TF-IDF n-gram branch refitted
# on the five Indonesian and Malay files, each (file, class) pair weighing the same, averaged in one graph like v2's
# (model.Ensemble); then quantised, its tables halved and checked like v2. About 5 minutes on the 2-core machine.
#   models/training/retrain-refit.sh ../shared/data/sentiment [models/impact-sentiment-ind-msa-v2] [--smoke]
# Why: models/README.md ("The Indonesian and Malay model"). The vocabulary is v2's (built from every source, as v2's
# is), so v2's encoder reads the same token ids; --smoke builds a small vocabulary and encoder of its own instead.
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
# Its choices (C, the encoder's share) are made on the five Indonesian and Malay files' validation cut
# (validation-cut.mjs), by the mean of their macro-recall.
set -euo pipefail
data=${1:?usage: retrain-refit.sh DATA_DIR [MODEL_DIR] [--smoke]}
out=${2:-models/impact-sentiment-ind-msa-v2}
smoke=${3:-}
# v2's encoder, from the repository's root as MODEL_DIR is (training.json records the path as given, with v2's record).
encoder=models/impact-sentiment-multilingual-v2/onnx/model.onnx
source "$(dirname "$0")/retrain-common.sh"
prepare=(node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data" --vocabulary-sources all
  --sources ind-tweets,ind-smsa,ind-indolem-binary,msa-tweets,msa-news-binary)
train=(/usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data" --out "$out"
  --tfidf-weights source-classes --command "models/training/retrain-refit.sh ../shared/data/sentiment")
if [ "$smoke" = "--smoke" ]; then
  # v2's encoder needs v2's vocabulary: the smoke run trains a tiny encoder on its few rows instead.
  "${prepare[@]}" --limit 400 --vocab-size 3000
  "${train[@]}" --smoke --c-grid 1,10
else
  "${prepare[@]}"
  "${train[@]}" --c-grid 1,3,10 --encoder-onnx "$encoder"
fi
finish_model "$out" "$data" audience-languages/ind-tweets-train.jsonl --half-tables
