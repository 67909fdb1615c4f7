"""Fits the language detector's romanised-Hindustani scorer (src/classifier/word-scorer.ts has the features and the
file layout) and writes models/language/hindustani.bin; with --indonesian-out, its Indonesian-over-Malay scorer too.

    npx tsx models/training/hindustani-rows.ts ../shared/data/sentiment /tmp/hindustani-rows.jsonl
    /usr/bin/python3 models/training/train_hindustani.py --rows /tmp/hindustani-rows.jsonl \\
        --out models/language/hindustani.bin

Two logistic regressions (scikit-learn, liblinear) on the `train` rows' binary features:
- hindustani: Roman Urdu and romanised Hindi against English and the audience's other Latin-script languages;
- urdu: Roman Urdu against romanised Hindi, classes balanced (Hindi has about an eighth of the rows).
With --indonesian-out, a third on the same features, written to a table of its own (models/language/
indonesian-malay.bin): indonesian, Indonesian against Malay, each language weighing the same and each of its files
alike (the Indonesian restaurant reviews, say, must not make reviewing a sign of Indonesian).
It prints, per group and split, the share each vector calls Hindustani (or Urdu) at a few thresholds; the detector's
threshold is chosen on the `check` rows (English the fit never saw) with the whole detector (npm run bench:language).
"""
import argparse
import json
import struct

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

FNV_OFFSET, FNV_PRIME = 0x811C9DC5, 0x01000193
HINDUSTANI = {"urd-Latn", "hin"}
INDONESIAN_MALAY = ("ind", "msa")


def fnv_step(h, unit):
    return ((h ^ unit) * FNV_PRIME) & 0xFFFFFFFF


def units(s):
    b = s.encode("utf-16-le")
    return [b[i] | (b[i + 1] << 8) for i in range(0, len(b), 2)]


def buckets(words, bits, ngrams):
    """The text's distinct buckets, as src/classifier/word-scorer.ts scoreWords() counts them."""
    mask, found = (1 << bits) - 1, set()
    for w in words:
        h = fnv_step(FNV_OFFSET, 1)
        for u in units(w):
            h = fnv_step(h, u)
        found.add(h & mask)
        p = units(" " + w + " ")
        for i in range(len(p)):
            h = FNV_OFFSET
            for n in range(1, min(max(ngrams), len(p) - i) + 1):
                h = fnv_step(h, p[i + n - 1])
                if n in ngrams:
                    found.add(h & mask)
    return found


def matrix(rows, bits, ngrams):
    indices, indptr = [], [0]
    for r in rows:
        indices.extend(sorted(buckets(r["words"].split(), bits, ngrams)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), 1 << bits))


def fit(x, y, c, balanced=False, sample_weight=None):
    model = LogisticRegression(C=c, solver="liblinear", max_iter=2000, class_weight="balanced" if balanced else None)
    model.fit(x, y, sample_weight=sample_weight)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def write_table(path, source, bits, ngrams, vectors):
    """The HND1 layout src/classifier/word-scorer.ts reads: vectors is [(name, weights, bias)]."""
    header = {"source": source, "bits": bits, "ngrams": ngrams, "vectors": [name for name, _, _ in vectors],
              "bias": [bias for _, _, bias in vectors]}
    head = json.dumps(header).encode()
    head += b" " * (-(8 + len(head)) % 4)
    with open(path, "wb") as f:
        f.write(b"HND1" + struct.pack("<I", len(head)) + head)
        for _, weights, _ in vectors:
            f.write(weights.astype("<f4").tobytes())


def file_weights(rows):
    """Each group weighs the same, and each file alike within its group (a row without a file is its group's)."""
    per_file, files_of = {}, {}
    for r in rows:
        key = (r["group"], r.get("file", r["group"]))
        per_file[key] = per_file.get(key, 0) + 1
        files_of.setdefault(r["group"], set()).add(key)
    w = np.array([1.0 / (per_file[(r["group"], r.get("file", r["group"]))] * len(files_of[r["group"]])) for r in rows])
    return w * len(w) / w.sum()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", required=True, help="hindustani-rows.ts output (JSONL: group, split, words)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--bits", type=int, default=16)
    ap.add_argument("--ngrams", default="3,4")
    ap.add_argument("--c", type=float, default=1.0, help="the hindustani vector's inverse regularisation")
    ap.add_argument("--urdu-c", type=float, default=0.3, help="the urdu vector's")
    ap.add_argument("--indonesian-out", help="also fit the Indonesian-over-Malay vector and write its table here")
    ap.add_argument("--indonesian-c", type=float, default=0.3, help="the indonesian vector's")
    ap.add_argument("--check-scores", help="also write the first 200 rows' words and scores here (parity tests)")
    args = ap.parse_args()
    ngrams = sorted(int(n) for n in args.ngrams.split(","))
    rows = [json.loads(line) for line in open(args.rows, encoding="utf-8") if line.strip()]
    train = [r for r in rows if r["split"] == "train"]
    if not any(r["group"] in HINDUSTANI for r in train) or all(r["group"] in HINDUSTANI for r in train):
        ap.error(f"{args.rows}: the train rows need both romanised Hindustani (urd-Latn, hin) and other groups")
    pair = [i for i, r in enumerate(train) if r["group"] in INDONESIAN_MALAY]
    if args.indonesian_out and {train[i]["group"] for i in pair} != set(INDONESIAN_MALAY):
        ap.error(f"{args.rows}: --indonesian-out needs train rows of both ind and msa")
    x = matrix(train, args.bits, ngrams)
    is_hindustani = np.array([r["group"] in HINDUSTANI for r in train])
    w_h, b_h = fit(x, is_hindustani, args.c, balanced=False)
    urdu_rows = np.flatnonzero(is_hindustani)
    w_u, b_u = fit(x[urdu_rows], [train[i]["group"] == "urd-Latn" for i in urdu_rows], args.urdu_c, balanced=True)

    source = "models/training/train_hindustani.py on models/training/hindustani-rows.ts's rows "
    write_table(args.out, source + f"({len(train)} training texts; C {args.c}, urdu C {args.urdu_c})", args.bits,
                ngrams, [("hindustani", w_h, b_h), ("urdu", w_u, b_u)])
    print(f"wrote {args.out}: {len(train)} training texts, 2 x {1 << args.bits} weights")
    w_i = b_i = None
    if args.indonesian_out:
        w_i, b_i = fit(x[pair], [train[i]["group"] == "ind" for i in pair], args.indonesian_c,
                       sample_weight=file_weights([train[i] for i in pair]))
        write_table(args.indonesian_out, source + f"({len(pair)} Indonesian and Malay training texts, each language "
                    f"weighing the same and each file alike; C {args.indonesian_c})", args.bits, ngrams,
                    [("indonesian", w_i, b_i)])
        print(f"wrote {args.indonesian_out}: {len(pair)} training texts, {1 << args.bits} weights")

    # Scores as the detector computes them: the stored float32 weights, summed.
    def scores(rs):
        m = matrix(rs, args.bits, ngrams)
        return m @ w_h.astype(np.float64) + b_h, m @ w_u.astype(np.float64) + b_u

    if w_i is not None:
        # The vector alone (the detector adds its word-rate evidence: npm run bench:language has the result).
        print("file/split              n     Indonesian at 0 (the vector alone)")
        by_file = {}
        for r in rows:
            if r["group"] in INDONESIAN_MALAY and r["split"] == "val":
                by_file.setdefault(r.get("file", r["group"]), []).append(r)
        for name, rs in sorted(by_file.items()):
            share = np.mean(matrix(rs, args.bits, ngrams) @ w_i.astype(np.float64) + b_i >= 0)
            print(f"{name + '/val':20} {len(rs):6}   {100 * share:5.1f}")

    groups = {}
    for r in rows:
        groups.setdefault((r["group"], r["split"]), []).append(r)
    print("group/split          n     Hindustani at 2 / 3 / 4 / 5    Urdu at 0 (of those Hindustani at 4)")
    for (group, split), rs in sorted(groups.items()):
        if split == "train" and group not in HINDUSTANI:
            continue
        h, u = scores(rs)
        at = " / ".join(f"{100 * np.mean(h >= t):5.1f}" for t in (2, 3, 4, 5))
        sure = h >= 4
        urdu = f"{100 * np.mean(u[sure] >= 0):5.1f}" if sure.any() else "    -"
        print(f"{group + '/' + split:18} {len(rs):6}   {at}         {urdu}")
    if args.check_scores:
        sample = rows[:200]
        h, u = scores(sample)
        checked = [{"words": r["words"], "hindustani": hh, "urdu": uu} for r, hh, uu in zip(sample, h, u)]
        if w_i is not None:
            for row, score in zip(checked, matrix(sample, args.bits, ngrams) @ w_i.astype(np.float64) + b_i):
                row["indonesian"] = score
        with open(args.check_scores, "w", encoding="utf-8") as f:
            json.dump(checked, f)


if __name__ == "__main__":
    main()
