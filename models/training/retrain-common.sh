# Sourced by the retrain scripts: what each of them did in its own copy. Sets `here` (this folder) and `work` (a
# temporary folder, removed on exit), and defines the last step every model shares.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# finish_model MODEL_DIR DATA_DIR CHECK_FILE [--half-tables]
# int8 quantisation, then (--half-tables) the fp32 file's embedding tables as float16 with fp32 arithmetic, which
# keeps an encoder's fp32 file under the 30 MB limit for tracked files; then the fp32/q8 agreement check
# (transformers.js) on CHECK_FILE under DATA_DIR.
finish_model() {
  local out=$1 data=$2 check=$3 half=${4:-}
  /usr/bin/python3 "$here/quantize.py" "$out/onnx/model.onnx" "$out/onnx/model_quantized.onnx"
  if [ "$half" = "--half-tables" ]; then /usr/bin/python3 "$here/quantize.py" --half-tables "$out/onnx/model.onnx"; fi
  node "$here/check-model.mjs" --model "$out" --data "$data" --file "$check"
}
