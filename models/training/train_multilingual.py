#!/usr/bin/python3
"""Trains the multilingual model (Arabic, French, German, Hindi, Italian, Portuguese, Spanish tweets) and exports
it for transformers.js, in the same two-branch form as the English model (model.py): a small encoder and a TF-IDF
n-gram logistic regression over the same WordPiece ids, averaged inside one ONNX graph.

    /usr/bin/python3 models/training/train_multilingual.py --prep DIR --out models/impact-sentiment-multilingual-v1

DIR is what prepare-multilingual.mjs wrote. Every choice (C, the encoder checkpoint, the encoder's share) is made
on the XLM-T val tweets by their pooled macro-recall; XLM-T has no other split here (its test split is held out),
so the val figures reported are those of the selection set, and held-out figures will be somewhat lower.
"""
import argparse
import json
import os
import random
import shutil
import time

import numpy as np
import torch

from model import Ensemble
from tfidf import train_tfidf
from train import check_fold, macro_recall, metrics, probabilities, sha256, train_encoder

LABELS = ["negative", "neutral", "positive"]
LABEL_ID = {l: i for i, l in enumerate(LABELS)}


def load(prep, name, limit=None):
    rows, langs = [], []
    with open(os.path.join(prep, "encoded", f"{name}.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            rows.append((r["ids"], LABEL_ID[r["label"]]))
            langs.append(r["language"])
            if limit and len(rows) >= limit:
                break
    return rows, np.array(langs)


def per_language(y, pred, langs):
    return {l: round(macro_recall(y[langs == l], pred[langs == l]), 4) for l in sorted(set(langs))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prep", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=None, help="the data directory prepare-multilingual.mjs read (for SHA-256s)")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=20)
    ap.add_argument("--aux-weight", type=float, default=0.0)
    ap.add_argument("--buckets", type=int, default=1 << 18)
    ap.add_argument("--c-grid", default="0.3,1,3")
    ap.add_argument("--english-linear", type=int, default=0, help="SemEval English tweets added to the tf-idf fit")
    ap.add_argument("--english-encoder", type=int, default=15000, help="SemEval English tweets added to the encoder")
    ap.add_argument("--no-encoder", action="store_true", help="export the tf-idf branch alone (encoder weight 0)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.smoke:
        args.hidden, args.layers, args.heads, args.ffn = 32, 1, 2, 64
        args.epochs, args.max_steps, args.buckets, args.c_grid = 1, 20, 1 << 12, "1"
        args.english_encoder = min(args.english_encoder, 100)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    started = time.time()
    log_lines = []

    def log(msg):
        print(msg, flush=True)
        log_lines.append(msg)

    limit = 400 if args.smoke else None
    meta = json.load(open(os.path.join(args.prep, "meta.json")))
    polarity = json.load(open(os.path.join(args.prep, "lexicon.json")))
    vocab_size = len(polarity)
    vocab_map = json.load(open(os.path.join(args.prep, "tokenizer.json")))["model"]["vocab"]
    vocab = sorted(vocab_map, key=vocab_map.get)
    train, train_langs = load(args.prep, "ml_train", limit)
    val, val_langs = load(args.prep, "ml_val", limit)
    english, _ = load(args.prep, "en_train", limit)
    random.Random(args.seed).shuffle(english)
    y_val = np.array([y for _, y in val])
    languages = sorted(set(train_langs))
    log(f"train {len(train)} tweets in {languages}, val {len(val)}, vocab {vocab_size}")

    linear_rows = train + english[:args.english_linear]
    log(f"tf-idf rows: {len(train)} + {args.english_linear} English")
    linear, linear_val, best_c = train_tfidf(linear_rows, val, vocab, args.buckets,
                                             [float(c) for c in args.c_grid.split(",")], log)
    check_fold(linear, val, log)
    p_lin = probabilities(lambda i, m: linear(i, m), val)
    log(f"tf-idf val per language: {per_language(y_val, p_lin.argmax(1), val_langs)}")

    dims = dict(hidden=args.hidden, layers=args.layers, heads=args.heads, ffn=args.ffn, max_len=args.max_len)
    encoder_rows = train + english[:args.english_encoder]
    encoder, enc_val, history = train_encoder(encoder_rows, [], val, vocab_size, polarity, args, log)
    p_enc = probabilities(lambda i, m: encoder(i, m, torch.zeros_like(i)), val)
    log(f"encoder val macro-recall {enc_val:.4f}; per language {per_language(y_val, p_enc.argmax(1), val_langs)}")

    # The encoder's share in the probability average, on val (0 = the tf-idf branch alone).
    shares = [0.0] if args.no_encoder else [round(w, 2) for w in np.linspace(0, 1, 11)]
    scored = {w: macro_recall(y_val, (w * p_enc + (1 - w) * p_lin).argmax(1)) for w in shares}
    w = max(scored, key=lambda k: (scored[k], -abs(k - 0.5)))
    log("encoder share on val: " + ", ".join(f"{k:.1f} {v:.4f}" for k, v in scored.items()) + f" -> {w}")
    ensemble = Ensemble(encoder, linear, w, (0.0, 0.0, 0.0)).eval()
    p_val = probabilities(lambda i, m: ensemble(i, m, torch.zeros_like(i)), val)
    val_metrics = metrics(y_val, p_val.argmax(1))
    val_metrics["perLanguageMacroRecall"] = per_language(y_val, p_val.argmax(1), val_langs)
    log(f"ensemble val macro-recall {val_metrics['macroRecall']:.4f}; per language {val_metrics['perLanguageMacroRecall']}")

    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(args.prep, f), os.path.join(args.out, f))
    example = torch.tensor([[2, 10, 11, 3], [2, 12, 3, 0]])
    torch.onnx.export(
        ensemble, (example, (example > 0).long(), torch.zeros_like(example)),
        os.path.join(args.out, "onnx", "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids")}
        | {"logits": {0: "batch"}},
        opset_version=14, do_constant_folding=True)
    config = {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "vocab_size": vocab_size,
        "hidden_size": args.hidden,
        "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads,
        "intermediate_size": args.ffn,
        "max_position_embeddings": args.max_len,
        "type_vocab_size": 2,
        "pad_token_id": 0,
        "id2label": {str(i): l for i, l in enumerate(LABELS)},
        "label2id": LABEL_ID,
        "problem_type": "single_label_classification",
        # What the classifier routes to this model (ISO 639-3, the language detector's codes).
        "languages": languages,
        "impact_sentiment": {"ensemble": "encoder + tf-idf n-gram logistic regression", "ngram_buckets": args.buckets,
                             "encoder_weight": w, "class_offsets": [0.0, 0.0, 0.0]},
    }
    json.dump(config, open(os.path.join(args.out, "config.json"), "w"), indent=2)
    data_files = {rel: sha256(os.path.join(args.data, rel)) for rel in meta["files"].values()} if args.data else {}
    record = {
        "model": os.path.basename(os.path.normpath(args.out)),
        "smoke": args.smoke,
        "command": "models/training/retrain-multilingual.sh ../shared/data/sentiment",
        "data": {"files": data_files, "rows": meta["rows"], "selection": "xlm-t-multilingual/val.jsonl (pooled macro-recall)"},
        "tokenizer": {"type": "WordPiece", "vocabSize": vocab_size, "maxLength": meta["maxLength"], "unkRate": meta["unkRate"]},
        "hyperParameters": {k: v for k, v in vars(args).items() if k not in ("prep", "out", "data")},
        "torch": torch.__version__,
        "wallTimeSeconds": round(time.time() - started, 1),
        "val": {"ensemble": val_metrics, "encoderMacroRecall": enc_val, "tfidfMacroRecall": linear_val,
                "tfidfPerLanguage": per_language(y_val, p_lin.argmax(1), val_langs),
                "encoderPerLanguage": per_language(y_val, p_enc.argmax(1), val_langs), "encoderShares": scored},
        "tfidf": {"C": best_c, "buckets": args.buckets},
        "encoderHistory": history,
        "log": log_lines,
    }
    json.dump(record, open(os.path.join(args.out, "training.json"), "w"), indent=2)
    log(f"wrote {args.out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
