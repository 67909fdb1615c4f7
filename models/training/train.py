#!/usr/bin/python3
"""Trains the default sentiment model and exports it for transformers.js.

    /usr/bin/python3 models/training/train.py --prep DIR --out models/impact-sentiment-v2 [--smoke]

retrain.sh runs it three times: two encoders in parallel, then --reuse-encoder/--average-with to average them,
fit the TF-IDF branch, calibrate and export. DIR is what prepare-data.mjs wrote (tokenizer files, lexicon.json,
encoded/*.jsonl). Model selection uses a held-out slice of the SemEval *training* tweets (and SST dev for the
encoder average and the ensemble's calibration), never the SemEval dev or SST test files: those are only reported.
"""
import argparse
import hashlib
import json
import math
import os
import random
import shutil
import signal
import time

import numpy as np
import torch
import torch.nn.functional as F

from model import Encoder, Ensemble, average_encoders, encoder_from_onnx
from tfidf import train_tfidf

LABELS = ["negative", "neutral", "positive"]
LABEL_ID = {l: i for i, l in enumerate(LABELS)}


def load(prep, name, limit=None, languages=False):
    """An encoded file's (ids, label id) rows; with languages=True also their languages, as an array."""
    rows, langs = [], []
    with open(os.path.join(prep, "encoded", f"{name}.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            rows.append((r["ids"], LABEL_ID[r["label"]]))
            if languages:
                langs.append(r["language"])
            if limit and len(rows) >= limit:
                break
    return (rows, np.array(langs)) if languages else rows


def batches(rows, batch_size, shuffle, rng):
    """Length-bucketed batches: sort chunks by length so padding stays small, then shuffle the batches."""
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    chunk = batch_size * 50
    out = []
    for s in range(0, len(order), chunk):
        part = sorted(order[s:s + chunk], key=lambda i: len(rows[i][0]))
        out.extend(part[i:i + batch_size] for i in range(0, len(part), batch_size))
    if shuffle:
        rng.shuffle(out)
    for idx in out:
        t = max(len(rows[i][0]) for i in idx)
        ids = torch.zeros(len(idx), t, dtype=torch.long)
        mask = torch.zeros(len(idx), t, dtype=torch.long)
        for j, i in enumerate(idx):
            seq = rows[i][0]
            ids[j, :len(seq)] = torch.tensor(seq)
            mask[j, :len(seq)] = 1
        yield ids, mask, torch.tensor([rows[i][1] for i in idx])


def macro_recall(y, p, n=3):
    recalls = []
    for c in range(n):
        idx = y == c
        if idx.sum():
            recalls.append(float((p[idx] == c).mean()))
    return sum(recalls) / len(recalls)


def metrics(y, p):
    conf = np.zeros((3, 3), dtype=int)
    for a, b in zip(y, p):
        conf[a, b] += 1
    f1s = []
    for c in range(3):
        tp = conf[c, c]
        prec = tp / max(conf[:, c].sum(), 1)
        rec = tp / max(conf[c, :].sum(), 1)
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {
        "accuracy": float((y == p).mean()),
        "macroRecall": macro_recall(y, p),
        "macroF1": float(np.mean(f1s)),
        "perClassRecall": {LABELS[c]: float(conf[c, c] / max(conf[c].sum(), 1)) for c in range(3)},
        "confusion": conf.tolist(),
    }


@torch.no_grad()
def probabilities(fn, rows, batch_size=128):
    """Class probabilities in the rows' original order."""
    out = np.zeros((len(rows), 3), dtype=np.float64)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        sub = [rows[i] for i in idx]
        ids, mask, _ = next(batches(sub, len(sub), False, None))
        out[idx] = torch.softmax(fn(ids, mask), -1).double().numpy()
    return out


def class_weights(rows):
    counts = np.bincount([y for _, y in rows], minlength=3).astype(np.float64)
    return torch.tensor(len(rows) / (3 * counts), dtype=torch.float32)


def binary_accuracy(y, p):
    """Accuracy on labels without neutral, with neutral folded away (positive when P(pos) > P(neg))."""
    return float(((p[:, 2] > p[:, 0]) == (y == 2)).mean())


def train_encoder(train, aux, holdout, vocab_size, polarity, args, log, watch=(), score=None):
    torch.manual_seed(args.seed)
    # The batch order may have its own seed: encoders from one initialisation seeing the data in other orders
    # (for a weight average of them).
    rng = random.Random(getattr(args, "order_seed", None) or args.seed)
    model = Encoder(vocab_size, polarity, hidden=args.hidden, layers=args.layers, heads=args.heads,
                    ffn=args.ffn, max_len=args.max_len, dropout=args.dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    warmup = min(300, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / total))
    weights = class_weights(train)
    y_hold = np.array([y for _, y in holdout])
    best, best_state, step, t0 = -1.0, None, 0, time.time()
    # Optional early stop (deterministic, unlike the wall-clock budget): after `patience` evaluations in a row
    # without a better holdout score, the best checkpoint is final.
    patience, since_best = getattr(args, "patience", 0), 0
    evals_per_epoch = 3
    eval_every = max(1, steps_per_epoch // evals_per_epoch)
    history = []
    # Stop early, keeping the best checkpoint, on SIGUSR1 or when the wall-clock budget runs out.
    stop = {"now": False}
    signal.signal(signal.SIGUSR1, lambda *_: stop.update(now=True))
    deadline = t0 + args.max_minutes * 60 if args.max_minutes else float("inf")
    for epoch in range(args.epochs):
        aux_iter = iter(batches(aux, args.batch, True, rng)) if aux else None
        for ids, mask, y in batches(train, args.batch, True, rng):
            model.train()
            loss = F.cross_entropy(model(ids, mask, torch.zeros_like(ids)), y, weight=weights,
                                   label_smoothing=0.05)
            if aux_iter is not None and step % 2 == 0:  # an auxiliary binary batch every other step
                batch = next(aux_iter, None)
                if batch is None:
                    aux_iter = iter(batches(aux, args.batch, True, rng))
                    batch = next(aux_iter)
                a_ids, a_mask, a_y = batch
                logit = model.aux(model.pooled(a_ids, a_mask, torch.zeros_like(a_ids))).squeeze(-1)
                loss = loss + args.aux_weight * F.binary_cross_entropy_with_logits(logit, (a_y == 2).float())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            out_of_time = stop["now"] or time.time() > deadline
            last = bool(args.max_steps) and step >= args.max_steps  # a step budget ends with an evaluation
            if step % eval_every == 0 or step == total or out_of_time or last:
                model.eval()
                p = probabilities(lambda i, m: model(i, m, torch.zeros_like(i)), holdout)
                # The holdout's score: pooled macro-recall, or `score(probabilities)` when given (e.g. a mean over
                # sources).
                mr = score(p) if score else macro_recall(y_hold, p.argmax(1))
                # Watched sets (SST dev, binary) are logged for the record; only the tweet holdout picks the checkpoint.
                watched = None
                if watch:
                    watch_p = probabilities(lambda i, m: model(i, m, torch.zeros_like(i)), watch)
                    watched = binary_accuracy(np.array([y for _, y in watch]), watch_p)
                history.append({"step": step, "epoch": round(step / steps_per_epoch, 2), "holdoutMacroRecall": mr,
                                "sstDevBinaryAccuracy": watched})
                log(f"encoder step {step}/{total} ({time.time() - t0:.0f}s): holdout macro-recall {mr:.4f}"
                    + (f", SST dev binary accuracy {watched:.4f}" if watch else ""))
                if mr > best:
                    best, best_state, since_best = mr, {k: v.clone() for k, v in model.state_dict().items()}, 0
                else:
                    since_best += 1
            patient = bool(patience) and since_best >= patience
            if (args.max_steps and step >= args.max_steps) or out_of_time or patient:
                break
        if (args.max_steps and step >= args.max_steps) or out_of_time or patient:
            why = "signal/budget" if out_of_time else f"no gain in {patience} evaluations" if patient else "max steps"
            log(f"encoder stopped at step {step}: {why}")
            break
    model.load_state_dict(best_state)
    model.eval()
    return model, best, history


def check_fold(linear, rows, log):
    """The folded graph must give scikit-learn's own probabilities (else export would serve another model)."""
    lr, feats = linear.sklearn_check
    expected = lr.predict_proba(feats.transform(feats.counts(rows)))
    got = probabilities(lambda i, m: linear(i, m), rows)
    diff = float(np.abs(expected - got).max())
    log(f"tf-idf fold check: max |p_sklearn - p_graph| = {diff:.2e}")
    if diff > 1e-4:
        raise SystemExit(f"folded tf-idf model disagrees with scikit-learn (max diff {diff})")


def ensemble_scores(validation, w=0.5, offsets=(0.0, 0.0, 0.0)):
    """Each validation set's score for the ensemble log(w * p_encoder + (1 - w) * p_ngram) + offsets.
    validation maps a set's name to (p_encoder, p_ngram, labels, metric: "macroRecall" or "binary")."""
    out = {}
    for name, (p_enc, p_lin, y, metric) in validation.items():
        logp = np.log(w * p_enc + (1 - w) * p_lin + 1e-7) + np.array(offsets)
        out[name] = macro_recall(y, logp.argmax(1)) if metric == "macroRecall" else binary_accuracy(y, logp)
    return out


def calibrate(validation, log, margin=0.01):
    """Encoder weight and per-class log offsets for the ensemble, chosen on two validation sets (held-out tweets,
    macro-recall; SST dev, binary accuracy) by their mean, and kept only where they beat the plain average by
    more than `margin`: smaller gains are noise, and offsets fitted to one set's class balance did not carry
    over to other data (tweet-holdout-only offsets cost SST dev accuracy)."""
    def mean(w, offsets):
        return float(np.mean(list(ensemble_scores(validation, w, offsets).values())))

    base = mean(0.5, (0.0, 0.0, 0.0))
    best, w, offsets = base, 0.5, (0.0, 0.0, 0.0)
    for cand in np.linspace(0.0, 1.0, 11):
        for a in np.linspace(-0.6, 0.6, 13):  # negative offset
            for b in np.linspace(-0.6, 0.6, 13):  # neutral offset
                m = mean(cand, (a, b, 0.0))
                if m > best + 1e-9:
                    best, w, offsets = m, float(cand), (float(a), float(b), 0.0)
    if best < base + margin:
        best, w, offsets = base, 0.5, (0.0, 0.0, 0.0)
    chosen = ensemble_scores(validation, w, offsets)
    log(f"calibration: plain average {base:.4f}; encoder weight {w:.2f}, offsets {offsets}: mean {best:.4f} "
        + ", ".join(f"{k} {v:.4f}" for k, v in chosen.items()))
    return chosen, w, offsets


def choose_average(first, second, validation_for, shares, log):
    """Which weight average of two encoders to keep: the share of the second that maximises the plain-average
    ensemble's mean over the validation sets, scored as calibrate() scores them. Ties keep the smaller share.
    validation_for(encoder) gives the validation dict ensemble_scores() takes."""
    scored = []
    for share in shares:
        scores = ensemble_scores(validation_for(average_encoders(first, second, share)))
        scored.append({"share": share, **scores, "mean": float(np.mean(list(scores.values())))})
        log(f"encoder average, share of the second {share:.2f}: "
            + ", ".join(f"{k} {v:.4f}" for k, v in scored[-1].items() if k != "share"))
    best = max(scored, key=lambda r: (r["mean"], -r["share"]))
    return average_encoders(first, second, best["share"]), best["share"], scored


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_record(onnx_path):
    """Where a reused encoder came from: the file's SHA-256 and, when its folder has one, that run's training.json
    (hyper-parameters, history and where its own encoder came from)."""
    record = {"path": onnx_path, "sha256": sha256(onnx_path)}
    training = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(onnx_path))), "training.json")
    if os.path.exists(training):
        run = json.load(open(training))
        record["training"] = {k: run.get(k) for k in ("model", "hyperParameters", "wallTimeSeconds", "encoderFrom",
                                                      "encoderAverage", "encoderHistory", "holdout")}
    return record


def export(ensemble, args, vocab_size, impact, extra=None):
    """Writes args.out for transformers.js: the prepared tokenizer files, onnx/model.onnx (BERT's inputs and
    `logits`) and config.json (BertForSequenceClassification's fields, then `extra`, then `impact_sentiment`)."""
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
        **(extra or {}),
        "impact_sentiment": impact,
    }
    json.dump(config, open(os.path.join(args.out, "config.json"), "w"), indent=2)


def add_run_args(ap, prepare):
    """The command-line options both training scripts start with."""
    ap.add_argument("--prep", required=True, help=f"directory written by {prepare}")
    ap.add_argument("--out", required=True, help="model directory to write (config, tokenizer, onnx/)")
    ap.add_argument("--data", default=None, help=f"the data directory {prepare} read (for SHA-256s)")
    ap.add_argument("--smoke", action="store_true", help="a few steps on a few hundred rows, tiny model")
    ap.add_argument("--seed", type=int, default=13)


def add_encoder_args(ap, epochs):
    """The encoder's size and training schedule (train_encoder reads them)."""
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=0, help="encoder wall-clock budget (0 = none)")


def start_run(args):
    """Smoke-mode sizes, torch threads and seeds; returns (start time, log, its lines, the row limit)."""
    if args.smoke:
        args.hidden, args.layers, args.heads, args.ffn = 32, 1, 2, 64
        args.epochs, args.max_steps, args.buckets, args.c_grid = 1, 20, 1 << 12, "1"
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    log_lines = []

    def log(msg):
        print(msg, flush=True)
        log_lines.append(msg)

    return time.time(), log, log_lines, 400 if args.smoke else None


def read_prep(prep):
    """What a prepare script wrote besides the encoded files: meta, per-token polarity, the vocabulary in id order."""
    meta = json.load(open(os.path.join(prep, "meta.json")))
    polarity = json.load(open(os.path.join(prep, "lexicon.json")))
    vocab_map = json.load(open(os.path.join(prep, "tokenizer.json")))["model"]["vocab"]
    return meta, polarity, sorted(vocab_map, key=vocab_map.get)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_args(ap, "prepare-data.mjs")
    ap.add_argument("--holdout", type=int, default=2500)
    add_encoder_args(ap, epochs=2)
    ap.add_argument("--aux-weight", type=float, default=0.3)
    ap.add_argument("--aux-phrases", type=int, default=20000, help="GLUE SST-2 phrases used as auxiliary data")
    ap.add_argument("--buckets", type=int, default=1 << 18, help="hashed bigram/trigram table size")
    ap.add_argument("--c-grid", default="0.3,1", help="logistic regression C values tried on the holdout")
    ap.add_argument("--linear-extra", default="sst_train,uci_amazon,uci_imdb,uci_yelp",
                    help="encoded files (besides the tweets) the tf-idf regression is fitted on")
    ap.add_argument("--encoder-extra", default="",
                    help="encoded files (besides the tweets) the encoder's main head is also trained on, e.g. "
                         "sst_train:polar (NAME:polar drops their neutral rows: SST's 'neutral' is mixed or weak "
                         "opinion, a tweet's is no opinion). Default none; see "
                         "models/README.md for what sst_train:polar measured")
    ap.add_argument("--reuse-encoder", default=None,
                    help="model.onnx of an earlier run with the same data and vocabulary: skip encoder training")
    ap.add_argument("--average-with", default=None,
                    help="model.onnx of a second encoder trained from the same seed (e.g. with --encoder-extra "
                         "sst_train:polar): the served encoder becomes a weight average of the two, the share chosen "
                         "on the validation sets from --average-shares")
    ap.add_argument("--average-shares", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1",
                    help="shares of the second encoder tried (0 = the first alone, 1 = the second alone)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 was fastest on 2 cores)")
    args = ap.parse_args()
    if args.smoke:
        args.holdout = 100
    started, log, log_lines, limit = start_run(args)
    meta, polarity, vocab = read_prep(args.prep)
    vocab_size = len(polarity)
    tweets = load(args.prep, "semeval_train", limit)
    random.Random(args.seed).shuffle(tweets)
    holdout, train = tweets[:args.holdout], tweets[args.holdout:]
    aux = [r for name in ("sst_train", "uci_amazon", "uci_imdb", "uci_yelp") for r in load(args.prep, name, limit)
           if r[1] != 1]
    phrases = load(args.prep, "glue_phrases", limit)
    random.Random(args.seed + 1).shuffle(phrases)
    aux += phrases[:args.aux_phrases]
    # Optional review sentences (e.g. SST, positive/negative only) on the encoder's main head too: with tweets
    # alone the head never sees longer, non-tweet sentences.
    encoder_extra = [r for entry in args.encoder_extra.split(",") if entry
                     for r in load(args.prep, entry.split(":")[0], limit)
                     if not (entry.endswith(":polar") and r[1] == 1)]
    log(f"train {len(train)} tweets + {len(encoder_extra)} sentences ({args.encoder_extra}), holdout {len(holdout)}, "
        f"auxiliary binary {len(aux)}, vocab {vocab_size}")

    # Review sentences with 3-class (SST) and binary (UCI) labels as direct supervision for the linear branch:
    # it has no auxiliary head, and tweets alone leave it weak on longer, non-tweet posts.
    extra = [r for name in args.linear_extra.split(",") if name for r in load(args.prep, name, limit)]
    log(f"tf-idf training rows: {len(train)} tweets + {len(extra)} review sentences ({args.linear_extra})")
    linear, linear_hold, best_c = train_tfidf(train + extra, holdout, vocab, args.buckets,
                                              [float(c) for c in args.c_grid.split(",")], log)
    check_fold(linear, holdout, log)
    y_hold = np.array([y for _, y in holdout])
    sst_dev = [r for r in load(args.prep, "sst_dev", limit) if r[1] != 1]  # validation, binary (neutral dropped)
    dims = dict(hidden=args.hidden, layers=args.layers, heads=args.heads, ffn=args.ffn, max_len=args.max_len)
    # The validation sets, their n-gram probabilities computed once; an encoder's only when it is scored.
    sets = {"holdoutMacroRecall": (holdout, "macroRecall"), "sstDevBinaryAccuracy": (sst_dev, "binary")}
    linear_probs = {name: probabilities(lambda i, m: linear(i, m), rows) for name, (rows, _) in sets.items()}

    def validation_for(enc):
        return {name: (probabilities(lambda i, m: enc(i, m, torch.zeros_like(i)), rows), linear_probs[name],
                       np.array([y for _, y in rows]), metric) for name, (rows, metric) in sets.items()}

    if args.reuse_encoder:
        encoder, history = encoder_from_onnx(args.reuse_encoder, polarity, **dims), []
        log(f"encoder reused from {args.reuse_encoder}")
    else:
        encoder, _, history = train_encoder(train + encoder_extra, aux, holdout, vocab_size, polarity, args, log,
                                            watch=sst_dev)
    averaging = None
    if args.average_with:
        second = encoder_from_onnx(args.average_with, polarity, **dims)
        shares = [float(s) for s in args.average_shares.split(",")]
        encoder, share, scored = choose_average(encoder, second, validation_for, shares, log)
        averaging = {"second": source_record(args.average_with), "shareOfSecond": share, "scored": scored}

    validation = validation_for(encoder)
    enc_hold = macro_recall(y_hold, validation["holdoutMacroRecall"][0].argmax(1))
    log(f"encoder holdout macro-recall {enc_hold:.4f}")
    calibrated, w, offsets = calibrate(validation, log)
    ensemble = Ensemble(encoder, linear, w, offsets).eval()

    # Dev is reported, never used for a choice.
    dev = load(args.prep, "semeval_dev", limit)
    y_dev = np.array([y for _, y in dev])
    p_dev = probabilities(lambda i, m: ensemble(i, m, torch.zeros_like(i)), dev)
    dev_metrics = metrics(y_dev, p_dev.argmax(1))
    enc_dev = macro_recall(y_dev, probabilities(lambda i, m: encoder(i, m, torch.zeros_like(i)), dev).argmax(1))
    lin_dev = macro_recall(y_dev, probabilities(lambda i, m: linear(i, m), dev).argmax(1))
    log(f"dev macro-recall: ensemble {dev_metrics['macroRecall']:.4f}, encoder {enc_dev:.4f}, tf-idf {lin_dev:.4f}")

    export(ensemble, args, vocab_size, {"ensemble": "encoder + tf-idf n-gram logistic regression",
                                        "ngram_buckets": args.buckets, "encoder_weight": w,
                                        "class_offsets": list(offsets)})

    data_files = {}
    if args.data:
        for name, rel in meta["files"].items():
            data_files[rel] = sha256(os.path.join(args.data, rel))
    record = {
        "model": os.path.basename(os.path.normpath(args.out)),
        "smoke": args.smoke,
        "command": "models/training/retrain.sh ../shared/data/sentiment",
        "data": {"files": data_files, "rows": meta["rows"], "holdoutFromSemevalTrain": args.holdout,
                 "auxiliaryBinaryRows": len(aux), "notUsed": "twitter-us-airline (CC BY-NC-SA)"},
        "tokenizer": {"type": "WordPiece", "vocabSize": vocab_size, "maxLength": meta["maxLength"],
                      "unkRate": meta["unkRate"]},
        "hyperParameters": {k: v for k, v in vars(args).items() if k not in ("prep", "out", "data")},
        "torch": torch.__version__,
        "wallTimeSeconds": round(time.time() - started, 1),
        "holdout": {"ensembleMacroRecall": calibrated["holdoutMacroRecall"], "encoderMacroRecall": enc_hold,
                    "tfidfMacroRecall": linear_hold},
        "validation": {"calibratedEnsemble": calibrated,
                       "sets": "holdout = 2,500 SemEval train tweets; SST dev without neutral rows (binary)"},
        "tfidf": {"C": best_c, "buckets": args.buckets},
        "encoderFrom": source_record(args.reuse_encoder) if args.reuse_encoder else "trained in this run",
        "encoderAverage": averaging,
        "encoderHistory": history,
        "ensemble": {"encoderWeight": w, "classOffsets": list(offsets)},
        "dev": {"file": meta["files"]["semeval_dev"], "torch": dev_metrics, "encoderMacroRecall": enc_dev,
                "tfidfMacroRecall": lin_dev},
        "log": log_lines,
    }
    json.dump(record, open(os.path.join(args.out, "training.json"), "w"), indent=2)
    log(f"wrote {args.out} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
