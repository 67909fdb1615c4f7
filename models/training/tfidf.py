"""TF-IDF logistic regression over token n-grams (the notes' strongest single model on this data), fitted with
scikit-learn on exactly the features model.TfidfLinear computes from input_ids, then folded into it.

Feature space: token unigrams [0, V) | each token's character 3-5-grams, hashed [V, V+C) | token bigrams and
trigrams, hashed into one table [V+C, V+C+B). A document's vector is count * idf / sqrt(sum(count * idf^2)):
each occurrence adds idf^2 to the mass, which is what the graph sums position by position.
"""
import zlib

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.linear_model import LogisticRegression

from model import TfidfLinear

CHAR_BUCKETS = 1 << 18


def token_chargrams(vocab):
    """Hashed character 3-5-grams of each vocabulary token ('<' marks a word start; '##' pieces have none)."""
    grams = []
    for tok in vocab:
        if tok.startswith("[") and tok.endswith("]"):
            grams.append(np.zeros(0, dtype=np.int64))
            continue
        s = tok[2:] if tok.startswith("##") else "<" + tok
        found = {zlib.crc32(s[i:i + n].encode()) % CHAR_BUCKETS for n in (3, 4, 5) for i in range(len(s) - n + 1)}
        grams.append(np.array(sorted(found), dtype=np.int64))
    return grams


class Featurizer:
    def __init__(self, vocab, buckets):
        self.v = len(vocab)
        self.buckets = buckets
        self.chargrams = token_chargrams(vocab)
        self.width = self.v + CHAR_BUCKETS + buckets
        self.idf = None

    def counts(self, rows):
        """Sparse document x feature counts."""
        indptr, cols = [0], []
        v, b = self.v, self.buckets
        for ids, _ in rows:
            a = np.asarray(ids, dtype=np.int64)
            parts = [a]
            parts += [self.chargrams[i] + v for i in a]
            if len(a) > 1:
                parts.append((a[:-1] * v + a[1:]) % b + v + CHAR_BUCKETS)
            if len(a) > 2:
                parts.append((a[:-2] * (v * v) + a[1:-1] * v + a[2:] + 7919) % b + v + CHAR_BUCKETS)
            c = np.concatenate(parts)
            cols.append(c)
            indptr.append(indptr[-1] + len(c))
        cols = np.concatenate(cols)
        m = sp.csr_matrix((np.ones(len(cols), dtype=np.float64), cols, np.array(indptr)), shape=(len(rows), self.width))
        m.sum_duplicates()
        return m

    def fit_idf(self, counts):
        n = counts.shape[0]
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        # Smooth idf as scikit-learn's TfidfVectorizer; features never seen in training weigh nothing.
        self.idf = np.where(df > 0, np.log((1 + n) / (1 + df)) + 1.0, 0.0)

    def transform(self, counts):
        x = counts.multiply(self.idf).tocsr()
        mass = np.asarray(counts.multiply(self.idf ** 2).sum(axis=1)).ravel()
        return sp.diags(1.0 / np.sqrt(np.maximum(mass, 1e-12))) @ x


def macro_recall(y, p):
    return float(np.mean([(p[y == c] == c).mean() for c in range(3) if (y == c).any()]))


def train_tfidf(train, holdout, vocab, buckets, c_grid, log, score=None, weights=None):
    """Fits one regression per C and keeps the best on the holdout. Classes are balanced, unless `weights` (one per
    training row) are given: then those weigh the rows instead."""
    feats = Featurizer(vocab, buckets)
    train_counts = feats.counts(train)
    feats.fit_idf(train_counts)
    x_train, x_hold = feats.transform(train_counts), feats.transform(feats.counts(holdout))
    y_train = np.array([y for _, y in train])
    y_hold = np.array([y for _, y in holdout])
    best = None
    for c in c_grid:
        lr = LogisticRegression(C=c, class_weight=None if weights is not None else "balanced", max_iter=1000,
                                solver="lbfgs")
        lr.fit(x_train, y_train, sample_weight=weights)
        # Pooled macro-recall, or `score(probabilities)` when given (e.g. a mean over sources).
        mr = score(lr.predict_proba(x_hold)) if score else macro_recall(y_hold, lr.predict(x_hold))
        log(f"tf-idf logistic regression C={c}: holdout macro-recall {mr:.4f}")
        if best is None or mr > best[0]:
            best = (mr, c, lr)
    mr, c, lr = best
    return fold(lr, feats, buckets), mr, c


def fold(lr, feats, buckets):
    """The fitted regression as a TfidfLinear: per-token rows absorb the token's unigram and char-grams."""
    v, w, idf = feats.v, lr.coef_.T, feats.idf  # w: features x 3
    weighted = w * idf[:, None]
    token_weight = weighted[:v].copy()
    token_mass = idf[:v] ** 2
    for t, grams in enumerate(feats.chargrams):
        cols = grams + v
        token_weight[t] += weighted[cols].sum(axis=0)
        token_mass[t] += (idf[cols] ** 2).sum()
    start = v + CHAR_BUCKETS
    model = TfidfLinear(v, buckets)
    with torch.no_grad():
        model.token_weight.copy_(torch.from_numpy(token_weight))
        model.token_mass.copy_(torch.from_numpy(token_mass))
        model.gram_weight.copy_(torch.from_numpy(weighted[start:start + buckets]))
        model.gram_mass.copy_(torch.from_numpy(idf[start:start + buckets] ** 2))
        model.bias.copy_(torch.from_numpy(lr.intercept_))
    model.eval()
    model.sklearn_check = (lr, feats)  # to prove the fold reproduces scikit-learn's probabilities
    return model
