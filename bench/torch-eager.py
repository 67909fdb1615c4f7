#!/usr/bin/python3
"""PyTorch eager on the DistilBERT-shaped model: the bench's measured peer for the seed's Python stack.

    /usr/bin/python3 bench/torch-eager.py MODEL_DIR BATCHES_JSON --threads N --warmups W --runs R

MODEL_DIR is the one test/fixtures/models/make-distilbert-shaped.py wrote: its torch/model.pt holds the weights the
ONNX files were exported from, loaded into the same module. BATCHES_JSON is {"batches": [[ids, ...], ...]}: the
token ids the classifier's tokenizer gives the bench's texts, in the batches of 50 the classifier gets. Each batch
is padded to its longest text and run as one forward pass under torch.inference_mode(), as a PyTorch (or Hugging
Face pipeline) consumer would serve it. Prints one JSON line: per-pass milliseconds and what was run.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def generator_module():
    path = os.path.join(ROOT, "test", "fixtures", "models", "make-distilbert-shaped.py")
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("make_distilbert_shaped", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def padded(batch):
    width = max(len(ids) for ids in batch)
    input_ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        mask[row, : len(ids)] = 1
    return input_ids, mask, torch.zeros_like(input_ids)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("batches")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmups", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    gen = generator_module()
    model = gen.BertClassifier(gen.SHAPE).eval()
    model.load_state_dict(torch.load(os.path.join(args.model_dir, "torch", "model.pt"), map_location="cpu"))
    batches = json.load(open(args.batches))["batches"]
    texts = sum(len(b) for b in batches)
    real_tokens = sum(len(ids) for b in batches for ids in b)
    padded_tokens = sum(len(b) * max(len(ids) for ids in b) for b in batches)
    pass_ms, logits = [], None
    with torch.inference_mode():
        for i in range(args.warmups + args.runs):
            started = time.perf_counter()
            # Tensors are built inside the clock, as the classifier builds its own.
            logits = [model(*padded(b)) for b in batches]
            if i >= args.warmups:
                pass_ms.append((time.perf_counter() - started) * 1000)
    print(json.dumps({
        "passMs": pass_ms, "texts": texts, "batches": len(batches), "threads": torch.get_num_threads(),
        "paddingFactor": padded_tokens / real_tokens, "torchVersion": torch.__version__,
        "firstLogits": [round(v, 5) for v in logits[0][0].tolist()],
    }))


if __name__ == "__main__":
    main()
