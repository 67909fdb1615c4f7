"""The shipped model: a small BERT-style encoder and a hashed n-gram linear model over the same WordPiece ids,
averaged in probability space inside one graph (they make different errors; see ../shared/notes).

Inputs and outputs match Hugging Face's BertForSequenceClassification, so transformers.js serves it as
`model_type: "bert"`: input_ids, attention_mask, token_type_ids (int64, [batch, seq]) -> logits [batch, 3].
"""
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


class NGram(nn.Module):
    """Linear model over token unigrams plus hashed bigrams and trigrams (fastText/TF-IDF-like)."""

    def __init__(self, vocab_size, buckets=1 << 18):
        super().__init__()
        self.vocab_size = vocab_size
        self.buckets = buckets
        self.uni = nn.Embedding(vocab_size, 3)
        self.grams = nn.Embedding(buckets, 3)
        self.bias = nn.Parameter(torch.zeros(3))
        nn.init.zeros_(self.uni.weight)
        nn.init.zeros_(self.grams.weight)

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.to(torch.float32)
        v = self.vocab_size
        total = (self.uni(input_ids) * mask.unsqueeze(-1)).sum(1)
        bi = (input_ids[:, :-1] * v + input_ids[:, 1:]) % self.buckets
        bi_mask = mask[:, :-1] * mask[:, 1:]
        total = total + (self.grams(bi) * bi_mask.unsqueeze(-1)).sum(1)
        tri = (input_ids[:, :-2] * (v * v) + input_ids[:, 1:-1] * v + input_ids[:, 2:] + 7919) % self.buckets
        tri_mask = bi_mask[:, :-1] * mask[:, 2:]
        total = total + (self.grams(tri) * tri_mask.unsqueeze(-1)).sum(1)
        # Length normalisation like an L2-normalised binary bag of n-grams.
        return total / mask.sum(1, keepdim=True).clamp(min=1.0).sqrt() + self.bias


class Ensemble(nn.Module):
    """What is exported: log of the weighted average of the two branches' probabilities, plus per-class
    offsets calibrated on held-out training tweets (transformers.js applies softmax, recovering them)."""

    def __init__(self, encoder, ngram, encoder_weight, class_offsets):
        super().__init__()
        self.encoder = encoder
        self.ngram = ngram
        self.register_buffer("w", torch.tensor(float(encoder_weight)))
        self.register_buffer("offsets", torch.tensor(class_offsets, dtype=torch.float32))

    def forward(self, input_ids, attention_mask, token_type_ids):
        p = self.w * torch.softmax(self.encoder(input_ids, attention_mask, token_type_ids), -1)
        p = p + (1.0 - self.w) * torch.softmax(self.ngram(input_ids, attention_mask), -1)
        return torch.log(p + 1e-7) + self.offsets
