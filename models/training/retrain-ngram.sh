#!/usr/bin/env bash
# Retrains an n-gram model: a TF-IDF n-gram logistic regression exported alone (no encoder: model.NgramModel), then
# quantised and checked like the others. LANGUAGE picks the recipe:
#   tur  the two Turkish files, its own 8,000-piece WordPiece vocabulary (about 5 minutes)
#   urd  the two Urdu files (script and Roman), multilingual-v2's vocabulary, built from every source as v2's is
#        (1 to 4 minutes)
#   models/training/retrain-ngram.sh ../shared/data/sentiment tur   # models/impact-sentiment-tur-ngram-v1
#   models/training/retrain-ngram.sh ../shared/data/sentiment urd   # models/impact-sentiment-urd-ngram-v1
#   models/training/retrain-ngram.sh DATA_DIR LANGUAGE /tmp/m --smoke
# Why models without an encoder for these languages: models/README.md ("The Turkish n-gram model", "The Urdu
# n-gram model").
# Needs: apt-get install -y python3-torch python3-onnx python3-sklearn libopenblas0-pthread (use /usr/bin/python3).
# The one choice, C: for Turkish, on the files' validation cut (validation-cut.mjs) by the mean of their macro-recall;
# for Urdu, fixed (below).
set -euo pipefail
usage='usage: retrain-ngram.sh DATA_DIR tur|urd [MODEL_DIR] [--smoke]'
data=${1:?$usage}
language=${2:?$usage}
out=${3:-models/impact-sentiment-$language-ngram-v1}
smoke=${4:-}
# No lexicon for Turkish: it gives the encoder's tokens a polarity, and there is no encoder. Urdu keeps v2's
# defaults, so that its vocabulary is v2's token for token (the lexicon's Arabic words are appended to it).
case "$language" in
  tur)
    sources=(--sources tur-tweets,tur-social-binary --lexicon-languages '')
    vocabulary=(--vocab-size 8000) c_grid=3,10,30 check=audience-languages/tur-tweets-train.jsonl ;;
  urd)
    sources=(--sources urd-roman,urd-tweets-binary --vocabulary-sources all)
    # C = 1, not chosen on the cut: its 91 Urdu-script rows (a row is 1.1 points) chose 30 there, while Roman Urdu's
    # 2,156 rows and the Urdu-script rows' 5-fold cross-validation both prefer 1 (models/README.md).
    vocabulary=(--vocab-size 20000) c_grid=1 check=audience-languages/urd-roman-train.jsonl ;;
  *) echo "retrain-ngram.sh: no recipe for language '$language' (tur or urd)" >&2; echo "$usage" >&2; exit 2 ;;
esac
source "$(dirname "$0")/retrain-common.sh"
prepare=(node "$here/prepare-multilingual.mjs" --out "$work/prep" --data "$data" "${sources[@]}")
# What training.json records as the command that rebuilds the model.
command="models/training/retrain-ngram.sh ../shared/data/sentiment $language${3:+ $3}"
train=(/usr/bin/python3 "$here/train_multilingual.py" --prep "$work/prep" --data "$data" --out "$out" --no-encoder
  --command "$command")
if [ "$smoke" = "--smoke" ]; then
  "${prepare[@]}" --limit 400 --vocab-size 3000
  "${train[@]}" --smoke --c-grid 1,10
else
  "${prepare[@]}" "${vocabulary[@]}"
  "${train[@]}" --c-grid "$c_grid"
fi
finish_model "$out" "$data" "$check"
