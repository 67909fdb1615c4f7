"""The shipped model: a small BERT-style encoder (the weight average of two, see average_encoders) and a TF-IDF
n-gram logistic regression over the same WordPiece ids, averaged in probability space inside one graph (they make
different errors; see ../shared/notes).

Inputs and outputs match Hugging Face's BertForSequenceClassification, so transformers.js serves it as
`model_type: "bert"`: input_ids, attention_mask, token_type_ids (int64, [batch, seq]) -> logits [batch, 3].
"""
import copy
import math

import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    """Pre-LayerNorm transformer block (more stable than post-LN when training from scratch)."""

    def __init__(self, hidden, heads, ffn, dropout):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden)
        self.ff1 = nn.Linear(hidden, ffn)
        self.ff2 = nn.Linear(ffn, hidden)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, attn_bias):
        b, t, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(h, dim=-1)
        q = q.reshape(b, t, self.heads, d).transpose(1, 2)
        k = k.reshape(b, t, self.heads, d).transpose(1, 2)
        v = v.reshape(b, t, self.heads, d).transpose(1, 2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d)) + attn_bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, h)
        x = x + self.drop(self.out(y))
        return x + self.drop(self.ff2(F.gelu(self.ff1(self.ln2(x)))))


class Encoder(nn.Module):
    def __init__(self, vocab_size, polarity, hidden=256, layers=4, heads=4, ffn=1024, max_len=128, dropout=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, hidden, padding_idx=0)
        self.pos = nn.Embedding(max_len, hidden)
        self.typ = nn.Embedding(2, hidden)
        # Lexicon polarity per token id ([p, |p|]), projected into the embedding: the largest single gain
        # for a from-scratch encoder on this little data.
        pol = torch.tensor(polarity, dtype=torch.float32)
        self.register_buffer("polarity", torch.stack([pol, pol.abs()], dim=-1), persistent=True)
        self.pol = nn.Linear(2, hidden, bias=False)
        self.ln_in = nn.LayerNorm(hidden)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(hidden, heads, ffn, dropout) for _ in range(layers))
        self.ln_out = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, 3)
        self.aux = nn.Linear(hidden, 1)  # binary positive-vs-negative head for SST/UCI supervision
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def pooled(self, input_ids, attention_mask, token_type_ids):
        t = input_ids.shape[1]
        positions = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.tok(input_ids) + self.pos(positions) + self.typ(token_type_ids) + self.pol(self.polarity[input_ids])
        x = self.drop(self.ln_in(x))
        mask = attention_mask.to(x.dtype)
        attn_bias = ((1.0 - mask) * -10000.0)[:, None, None, :]
        for block in self.blocks:
            x = block(x, attn_bias)
        x = self.ln_out(x)
        # Masked mean pooling: steadier than [CLS] alone for a model trained from scratch.
        return (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.head(self.pooled(input_ids, attention_mask, token_type_ids))


class TfidfLinear(nn.Module):
    """Logistic regression over L2-normalised TF-IDF features of the token sequence, computable from input_ids:
    token unigrams, each token's own character 3-5-grams, and hashed token bigrams and trigrams.

    Per-token features (the unigram and its char-grams) never cross tokens, so export folds them into one row per
    vocabulary id: `token_weight[id]` (idf-weighted, summed) and `token_mass[id]` (the sum of their squared idf).
    Bigrams and trigrams share one hashed table. logits = sum(weights) / sqrt(sum(masses)) + bias.
    """

    def __init__(self, vocab_size, buckets=1 << 18):
        super().__init__()
        self.vocab_size = vocab_size
        self.buckets = buckets
        self.token_weight = nn.Parameter(torch.zeros(vocab_size, 3))
        self.register_buffer("token_mass", torch.zeros(vocab_size))
        self.gram_weight = nn.Parameter(torch.zeros(buckets, 3))
        self.register_buffer("gram_mass", torch.zeros(buckets))
        self.bias = nn.Parameter(torch.zeros(3))

    def gram_ids(self, input_ids):
        """Hashed bigram and trigram buckets: the same arithmetic as training (see tfidf.py)."""
        v = self.vocab_size
        bi = (input_ids[:, :-1] * v + input_ids[:, 1:]) % self.buckets
        tri = (input_ids[:, :-2] * (v * v) + input_ids[:, 1:-1] * v + input_ids[:, 2:] + 7919) % self.buckets
        return bi, tri

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.to(torch.float32)
        bi, tri = self.gram_ids(input_ids)
        bi_mask = mask[:, :-1] * mask[:, 1:]
        tri_mask = bi_mask[:, :-1] * mask[:, 2:]
        num = (self.token_weight[input_ids] * mask.unsqueeze(-1)).sum(1)
        num = num + (self.gram_weight[bi] * bi_mask.unsqueeze(-1)).sum(1)
        num = num + (self.gram_weight[tri] * tri_mask.unsqueeze(-1)).sum(1)
        mass = (self.token_mass[input_ids] * mask).sum(1) + (self.gram_mass[bi] * bi_mask).sum(1)
        mass = mass + (self.gram_mass[tri] * tri_mask).sum(1)
        return num / mass.clamp(min=1e-6).sqrt().unsqueeze(-1) + self.bias


class Ensemble(nn.Module):
    """What is exported: log of the weighted average of the two branches' probabilities, plus per-class
    offsets calibrated on held-out training tweets (transformers.js applies softmax, recovering them)."""

    def __init__(self, encoder, linear, encoder_weight, class_offsets):
        super().__init__()
        self.encoder = encoder
        self.linear = linear
        self.register_buffer("w", torch.tensor(float(encoder_weight)))
        self.register_buffer("offsets", torch.tensor(class_offsets, dtype=torch.float32))

    def forward(self, input_ids, attention_mask, token_type_ids):
        p = self.w * torch.softmax(self.encoder(input_ids, attention_mask, token_type_ids), -1)
        p = p + (1.0 - self.w) * torch.softmax(self.linear(input_ids, attention_mask), -1)
        return torch.log(p + 1e-7) + self.offsets


class NgramModel(nn.Module):
    """The TF-IDF branch alone, with BERT's inputs (token_type_ids unused) and Ensemble's output (log-probabilities):
    for languages where the encoder adds nothing the n-grams do not already know (models/README.md, the n-gram
    model). No encoder in the graph, so a few MB and no attention to run."""

    def __init__(self, linear):
        super().__init__()
        self.linear = linear

    def forward(self, input_ids, attention_mask, token_type_ids):
        return torch.log_softmax(self.linear(input_ids, attention_mask), -1)


def average_encoders(first, second, share):
    """The weight average (1 - share) * first + share * second. Meaningful only for encoders trained from the
    same initialisation (same seed): their weights then stay close enough that the average is a working model,
    in between the two (measured here: see models/README.md)."""
    averaged = copy.deepcopy(first)
    a, b = first.state_dict(), second.state_dict()
    averaged.load_state_dict({k: torch.lerp(a[k], b[k], share) if a[k].is_floating_point() else a[k] for k in a})
    return averaged.eval()


def encoder_from_onnx(path, polarity, **dims):
    """Rebuilds a trained Encoder from a model.onnx this project exported (to retrain only the linear branch).
    Named initializers map to parameters directly; Linear weights were folded into transposed MatMul
    constants, which appear in forward order: the polarity projection, then qkv/out/ff1/ff2 per block."""
    import onnx
    from onnx import numpy_helper

    encoder = Encoder(len(polarity), polarity, **dims)
    graph = onnx.load(path).graph
    # Tables stored as float16 by quantize.py --half-tables are named "<name>_f16": read back as float32.
    inits = {i.name.removesuffix("_f16"): torch.from_numpy(numpy_helper.to_array(i).astype("float32"))
             for i in graph.initializer}
    state = {k[len("encoder."):]: v for k, v in inits.items() if k.startswith("encoder.")}
    consts = {i.name for i in graph.initializer}
    folded = []
    for node in graph.node:  # MatMul constants in the order the forward pass uses them
        if node.op_type == "MatMul" and node.input[1] in consts and node.input[1] not in folded:
            folded.append(node.input[1])
    targets = ["pol.weight"] + [f"blocks.{b}.{n}.weight" for b in range(len(encoder.blocks))
                                for n in ("qkv", "out", "ff1", "ff2")]
    if len(folded) != len(targets):
        raise ValueError(f"{path}: {len(folded)} folded MatMul weights, expected {len(targets)}")
    for target, name in zip(targets, folded):
        state[target] = inits[name].t().contiguous()
    own = encoder.state_dict()
    state = {k: v for k, v in state.items() if k in own}
    missing = [k for k in own if k not in state and not k.startswith("aux.")]
    if missing:
        raise ValueError(f"{path}: no weights for {missing}")
    encoder.load_state_dict({**own, **state})
    return encoder.eval()
