#!/usr/bin/python3
"""A DistilBERT-sized BERT classifier with random weights, for `npm run bench` only (never for scoring).

    /usr/bin/python3 models/training/make-distilbert-shaped.py OUT_DIR [--tokenizer TOKENIZER_DIR]

Writes what a real pretrained model of that size would cost to serve: 6 layers, hidden 768, 12 heads, FFN 3072,
vocabulary 30522, 128 positions, in Hugging Face's BertForSequenceClassification layout (post-LayerNorm, separate
Q/K/V projections, tanh pooler on [CLS]), so onnxruntime's BERT fusions apply as they would to an exported
checkpoint. Same inputs and output as the shipped model: input_ids, attention_mask, token_type_ids (int64,
[batch, seq]) -> logits [batch, 3].

OUT_DIR gets config.json, tokenizer.json (the shipped model's WordPiece tokenizer, its vocabulary padded to 30522
with never-matching [unusedN] tokens, so texts tokenise exactly as in production), tokenizer_config.json,
onnx/model.onnx (fp32), onnx/model_quantized.onnx (int8, models/training/quantize.py) and torch/model.pt (the same
weights as a PyTorch state dict, for the bench's PyTorch eager peer: test/bench/torch-eager.py). Written to a temporary
sibling directory first and renamed at the end: OUT_DIR is either complete or absent.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from quantize import quantize  # noqa: E402  (same directory)

SHAPE = {"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 6, "num_attention_heads": 12,
         "intermediate_size": 3072, "max_position_embeddings": 128, "type_vocab_size": 2}
LABELS = ["negative", "neutral", "positive"]


class Layer(nn.Module):
    """One BERT encoder layer as Hugging Face writes it (post-LN), so exported graphs look like theirs."""

    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, ffn)
        self.output = nn.Linear(ffn, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=1e-12)

    def split_heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask_bias):
        q, k, v = self.split_heads(self.query(x)), self.split_heads(self.key(x)), self.split_heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask_bias
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(x.shape[0], x.shape[1], -1)
        x = self.attn_norm(x + self.attn_out(ctx))
        return self.out_norm(x + self.output(nn.functional.gelu(self.intermediate(x))))


class BertClassifier(nn.Module):
    def __init__(self, s):
        super().__init__()
        hidden = s["hidden_size"]
        self.word = nn.Embedding(s["vocab_size"], hidden, padding_idx=0)
        self.position = nn.Embedding(s["max_position_embeddings"], hidden)
        self.token_type = nn.Embedding(s["type_vocab_size"], hidden)
        self.emb_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(Layer(hidden, s["num_attention_heads"], s["intermediate_size"])
                                    for _ in range(s["num_hidden_layers"]))
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, len(LABELS))
        for m in self.modules():  # BERT's initialisation; the values only need realistic magnitudes
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.emb_norm(self.word(input_ids) + self.position(positions) + self.token_type(token_type_ids))
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, mask_bias)
        return self.classifier(torch.tanh(self.pooler(x[:, 0])))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def padded_tokenizer(src_dir, vocab_size):
    tok = json.load(open(os.path.join(src_dir, "tokenizer.json")))
    vocab = tok["model"]["vocab"]
    if len(vocab) > vocab_size:
        sys.exit(f"{src_dir}/tokenizer.json has {len(vocab)} tokens, more than {vocab_size}")
    # Brackets are split off by the pre-tokenizer, so "[unusedN]" can never match a piece of real text.
    filler, n = len(vocab), 0
    while len(vocab) < vocab_size:
        name = f"[unused{n}]"
        n += 1
        if name not in vocab:
            vocab[name] = filler
            filler += 1
    config_path = os.path.join(src_dir, "tokenizer_config.json")
    tok_config = json.load(open(config_path)) if os.path.exists(config_path) else {
        "tokenizer_class": "BertTokenizer", "do_lower_case": False, "cls_token": "[CLS]", "sep_token": "[SEP]",
        "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"}
    tok_config["model_max_length"] = SHAPE["max_position_embeddings"]
    return tok, tok_config


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="model directory to write, e.g. models/.generated/distilbert-shaped")
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "..", "impact-sentiment-v2"),
                    help="directory with the tokenizer.json to pad (default: the shipped model's)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.tokenizer, "tokenizer.json")):
        sys.exit(f"no tokenizer.json in {args.tokenizer} (pass --tokenizer DIR)")
    started = time.time()
    torch.manual_seed(args.seed)
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    work = tempfile.mkdtemp(prefix=".distilbert-shaped-", dir=os.path.dirname(out))
    os.chmod(work, 0o755)  # mkdtemp makes it private; the result is an ordinary model directory
    try:
        os.makedirs(os.path.join(work, "onnx"))
        tok, tok_config = padded_tokenizer(args.tokenizer, SHAPE["vocab_size"])
        json.dump(tok, open(os.path.join(work, "tokenizer.json"), "w"), ensure_ascii=False)
        json.dump(tok_config, open(os.path.join(work, "tokenizer_config.json"), "w"), indent=2)
        json.dump({
            "architectures": ["BertForSequenceClassification"], "model_type": "bert", **SHAPE, "pad_token_id": 0,
            "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
            "impact_sentiment": {"note": "random weights, DistilBERT-sized, for benchmarking only",
                                 "tokenizer_from": os.path.abspath(args.tokenizer), "seed": args.seed,
                                 # lets the bench tell whether this was made from the tokenizer it benchmarks
                                 "tokenizer_sha256": sha256(os.path.join(args.tokenizer, "tokenizer.json"))},
        }, open(os.path.join(work, "config.json"), "w"), indent=2)

        model = BertClassifier(SHAPE).eval()
        example = torch.tensor([[2, 10, 11, 3], [2, 12, 3, 0]])
        fp32 = os.path.join(work, "onnx", "model.onnx")
        with torch.no_grad():
            torch.onnx.export(
                model, (example, (example > 0).long(), torch.zeros_like(example)), fp32,
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids")}
                | {"logits": {0: "batch"}},
                opset_version=14, do_constant_folding=True)
        stats = quantize(fp32, os.path.join(work, "onnx", "model_quantized.onnx"))
        os.makedirs(os.path.join(work, "torch"))
        torch.save(model.state_dict(), os.path.join(work, "torch", "model.pt"))
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"wrote {out} in {time.time() - started:.0f}s (quantised {stats})")


if __name__ == "__main__":
    main()
