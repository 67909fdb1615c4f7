#!/usr/bin/python3
"""Tiny random-weight stand-ins for the Hugging Face hub models users fetch, in those repositories' exact layouts.

    /usr/bin/python3 models/training/make-hub-shaped.py OUT_DIR

Writes OUT_DIR/<org>/<name>/ for each model in MODELS: the files the hub repository holds (config.json,
tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt or vocab.json + merges.txt,
quantize_config.json where the conversion has one, onnx/model.onnx, onnx/model_quantized.onnx and a few of the
other onnx/ variants), with the real configs' fields (architectures, model_type, id2label/label2id,
max_position_embeddings, pad_token_id, type_vocab_size, model_max_length) and the real tokenizer types:

  WordPiece (BERT normaliser and pre-tokenizer, [CLS] ... [SEP])   distilbert SST-2, bert-multilingual stars
  byte-level BPE (GPT-2 bytes, RobertaProcessing <s> ... </s>)     twitter-roberta (both label conventions)
  SentencePiece Unigram (Precompiled charsmap, Metaspace)           twitter-xlm-roberta

Vocabularies are tiny and written here (a few hundred words; the Unigram one is trained with the sentencepiece
package on sentences written here), not taken from the real models. Weights are random except a per-token
"cue" table added to the logits, so a few words move the model's own classes predictably (good -> POSITIVE /
positive / LABEL_2 / 5 stars, bad -> the opposite end, okay -> the middle): the label maps can then be checked
end to end. RoBERTa-family graphs compute position ids as the real ones do (padding_idx + cumulative mask), so a
sequence longer than max_position_embeddings - 2 fails inside the graph exactly as the real model would.
Not a sentiment model: a test instrument (test/classifier/hub-models.test.ts).
"""
import argparse
import base64
import importlib.util
import json
import os
import shutil
import sys
import tempfile

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from quantize import quantize  # noqa: E402  (same directory)

_spec = importlib.util.spec_from_file_location("distilbert_shaped", os.path.join(HERE, "make-distilbert-shaped.py"))
_shaped = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shaped)
Layer = _shaped.Layer  # one post-LN BERT layer, as exported checkpoints have it

HIDDEN, LAYERS, HEADS, FFN = 32, 2, 2, 64
HUGE_MAX_LENGTH = 1000000000000000019884624838656  # what transformers writes when a tokenizer states no maximum

WORDS = """the a an is are was were be been it this that these i you he she we they me my your our their to of in on
at for with and or but not no yes so very really too just all some any more most much many one two three
day night time today tomorrow week year people man woman friend family team game movie film show song music
book food place city work school home phone service price hour minute morning evening weather rain sun
go going went come came get got make made see saw watch watched think thought know knew want like liked
say said tell told give gave take took feel felt look looked play played love loved hate hated
good great best better nice happy excellent amazing wonderful awesome fun glad thanks thank beautiful
bad worst worse awful terrible horrible sad angry boring poor ugly sorry wrong broken late
okay fine average normal alright meeting noon update news report question answer
bueno malo gracias hola muy bien mal bon mauvais merci très bien gut schlecht danke sehr buono cattivo
grazie ótimo ruim obrigado iyi kötü teşekkürler""".split()
CUES = {  # word -> position on the scale from the negative end (0) to the positive end (1); 0.5 is the middle
    "good": 1.0, "great": 1.0, "love": 1.0, "happy": 1.0, "excellent": 1.0, "bueno": 1.0, "bon": 1.0, "gut": 1.0,
    "bad": 0.0, "awful": 0.0, "hate": 0.0, "sad": 0.0, "terrible": 0.0, "malo": 0.0, "mauvais": 0.0,
    "schlecht": 0.0, "okay": 0.5, "fine": 0.5, "average": 0.5,
}
CUE_STRENGTH = 4.0
# Sentences written for this script (no dataset text): the Unigram vocabulary is trained on them.
SENTENCES = """This movie is good and the music is great.
The service was bad and the food was awful.
It was okay, nothing special, an average day.
I love my friends and my family!
I hate waiting in the rain for the bus.
Meeting at noon tomorrow, see you there.
Muy bueno, gracias amigo. Hoy es un día malo.
C'est très bon, merci beaucoup. Le film était mauvais.
Das ist sehr gut, danke. Das Wetter ist schlecht.
È molto buono, grazie mille. Che giornata cattiva.
Foi ótimo, obrigado! O serviço foi ruim.
Çok iyi, teşekkürler. Bugün kötü bir gün.
مرحبا بالعالم هذا جيد جدا شكرا هذا سيء
یہ بہت اچھا ہے شکریہ یہ برا ہے
Ini sangat bagus, terima kasih. Hari ini buruk.
你好世界 今天很好 谢谢 こんにちは 元気です
Check https://example.com and follow @user #HappyDay 😀👍 100% €12.""".split("\n")

# What each repository holds: org/name, the architecture family, its labels (in class order) and tokenizer.
MODELS = [
    {"id": "Xenova/distilbert-base-uncased-finetuned-sst-2-english", "family": "distilbert",
     "labels": ["NEGATIVE", "POSITIVE"], "tokenizer": "wordpiece", "finetuning_task": "sst-2"},
    {"id": "Xenova/twitter-roberta-base-sentiment-latest", "family": "roberta",
     "labels": ["negative", "neutral", "positive"], "tokenizer": "bpe", "merges": "strings"},
    {"id": "onnx-community/twitter-roberta-base-sentiment-ONNX", "family": "roberta",
     "labels": ["LABEL_0", "LABEL_1", "LABEL_2"], "tokenizer": "bpe", "merges": "pairs"},
    {"id": "onnx-community/twitter-xlm-roberta-base-sentiment-ONNX", "family": "xlm-roberta",
     "labels": ["negative", "neutral", "positive"], "tokenizer": "unigram"},
    {"id": "Xenova/bert-base-multilingual-uncased-sentiment", "family": "bert",
     "labels": ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"], "tokenizer": "wordpiece-multilingual",
     "finetuning_task": "sentiment-analysis"},
]


# ---------------------------------------------------------------------------------------------- tokenizers
def added(token_id, content, lstrip=False, normalized=False):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": normalized, "special": True}


def wordpiece_tokenizer(multilingual):
    """BERT's layout: [PAD]=0, [unused..], [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103, then the vocabulary."""
    vocab = {"[PAD]": 0}
    for i in range(1, 100):
        vocab[f"[unused{i}]"] = i
    for token in ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]:
        vocab[token] = len(vocab)
    chars = sorted(set("".join(SENTENCES).lower() + "abcdefghijklmnopqrstuvwxyz0123456789"
                                                    "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~"))
    pieces = [c for c in chars if not c.isspace()] + [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    pieces += WORDS + ["##s", "##ed", "##ing", "##ly", "##er", "##est", "##n't", "http", "##s", "www", "com"]
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(vocab[t], t) for t in special],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }
    tokenizer_class = "BertTokenizer" if multilingual else "DistilBertTokenizer"
    config = {"clean_up_tokenization_spaces": True, "cls_token": "[CLS]", "do_lower_case": True,
              "mask_token": "[MASK]", "model_max_length": 512, "pad_token": "[PAD]", "sep_token": "[SEP]",
              "strip_accents": None, "tokenize_chinese_chars": True, "tokenizer_class": tokenizer_class,
              "unk_token": "[UNK]"}
    special_map = {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                   "unk_token": "[UNK]"}
    files = {"vocab.txt": "".join(f"{t}\n" for t in sorted(vocab, key=vocab.get))}
    return tokenizer, config, special_map, files, vocab, lambda word: [word.lower()]


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (the same one tokenizers.js and the Rust crate use)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def bpe_tokenizer(merge_format):
    """RoBERTa's layout: <s>=0 <pad>=1 </s>=2 <unk>=3, the 256 byte characters, merged words, <mask> last."""
    byte_char = bytes_to_unicode()
    encode = lambda text: "".join(byte_char[b] for b in text.encode("utf-8"))  # noqa: E731
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for b in range(256):
        vocab.setdefault(byte_char[b], len(vocab))
    # BPE training on the word list, with and without the leading space (Ġ): merge the most frequent adjacent
    # pair until every listed word is one token. Ranked merges then reproduce those segmentations, and anything
    # else falls apart into shorter pieces and bytes, as with the real merge table.
    words = {}
    for word in WORDS + ["http", "https", "://", "com", "ing", "ed", "ly", "!!", "..."]:
        for form in (encode(" " + word), encode(word), encode(" " + word.capitalize())):
            words[form] = list(form)
    merges = []
    while True:
        pairs = {}
        for symbols in words.values():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] = pairs.get(pair, 0) + 1
        if not pairs:
            break
        best = max(pairs, key=lambda pair: (pairs[pair], pair))
        merges.append(best)
        vocab.setdefault(best[0] + best[1], len(vocab))
        for form, symbols in words.items():
            i, merged = 0, []
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            words[form] = merged
    vocab["<mask>"] = len(vocab)
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(0, "<s>", normalized=True), added(1, "<pad>", normalized=True),
                         added(2, "</s>", normalized=True), added(3, "<unk>", normalized=True),
                         added(vocab["<mask>"], "<mask>", lstrip=True)],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
                           "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab,
                  # Older conversions write "a b" strings, newer ones [a, b] pairs: both load in tokenizers.js.
                  "merges": ([f"{a} {b}" for a, b in merges] if merge_format == "strings"
                             else [[a, b] for a, b in merges])},
    }
    decoder = {str(i): {"content": t, "lstrip": t == "<mask>", "normalized": t != "<mask>", "rstrip": False,
                        "single_word": False, "special": True}
               for t, i in vocab.items() if t.startswith("<") and t.endswith(">")}
    config = {"add_prefix_space": False, "added_tokens_decoder": decoder, "bos_token": "<s>",
              "clean_up_tokenization_spaces": True, "cls_token": "<s>", "eos_token": "</s>", "errors": "replace",
              "mask_token": "<mask>", "model_max_length": 512, "pad_token": "<pad>", "sep_token": "</s>",
              "tokenizer_class": "RobertaTokenizer", "trim_offsets": True, "unk_token": "<unk>"}
    special_map = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>",
                   "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False,
                                  "single_word": False},
                   "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}
    merges_txt = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)
    files = {"vocab.json": json.dumps(vocab, ensure_ascii=False), "merges.txt": merges_txt}
    return tokenizer, config, special_map, files, vocab, lambda word: [encode(" " + word), encode(word)]


def unigram_tokenizer(work):
    """XLM-R's layout, as transformers converts sentencepiece.bpe.model: <s> <pad> </s> <unk>, the pieces, <mask>."""
    import sentencepiece as spm
    corpus = os.path.join(work, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(SENTENCES + [" ".join(WORDS)] * 3) + "\n")
    prefix = os.path.join(work, "spm")
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, model_type="unigram", vocab_size=600,
                                   character_coverage=1.0, normalization_rule_name="nmt_nfkc",
                                   hard_vocab_limit=False, num_threads=1, minloglevel=2)
    from sentencepiece import sentencepiece_model_pb2 as pb2
    proto = pb2.ModelProto()
    with open(prefix + ".model", "rb") as f:
        proto.ParseFromString(f.read())
    os.remove(corpus)
    pieces = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    pieces += [[p.piece, p.score] for p in proto.pieces[3:]]
    # The cue words become whole pieces, scored as likely as the likeliest piece, so Viterbi keeps them whole.
    best = max(score for _, score in pieces[4:])
    pieces += [["▁" + w, best] for w in CUES if "▁" + w not in {p for p, _ in pieces}]
    pieces.append(["<mask>", 0.0])
    vocab = {piece: i for i, (piece, _) in enumerate(pieces)}
    charsmap = base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode("ascii")
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"),
                         added(len(pieces) - 1, "<mask>", lstrip=True)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            {"type": "Strip", "strip_left": False, "strip_right": True},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "▁"}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("<s>", "</s>")},
        },
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": pieces, "byte_fallback": False},
    }
    decoder = {str(vocab[t]): {"content": t, "lstrip": t == "<mask>", "normalized": False, "rstrip": False,
                               "single_word": False, "special": True}
               for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")}
    # cardiffnlp's tokenizer states no maximum length: transformers writes its "very large" sentinel.
    config = {"added_tokens_decoder": decoder, "bos_token": "<s>", "clean_up_tokenization_spaces": True,
              "cls_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>", "model_max_length": HUGE_MAX_LENGTH,
              "pad_token": "<pad>", "sep_token": "</s>", "tokenizer_class": "XLMRobertaTokenizer", "unk_token": "<unk>"}
    special_map = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>",
                   "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False,
                                  "single_word": False},
                   "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}
    files = {"sentencepiece.bpe.model": open(prefix + ".model", "rb").read()}
    for ext in (".model", ".vocab"):
        os.remove(prefix + ext)
    return tokenizer, config, special_map, files, vocab, lambda word: ["▁" + word, "▁" + word.capitalize()]


# ---------------------------------------------------------------------------------------------- models
class TinyClassifier(nn.Module):
    """A small encoder with the real family's inputs and position scheme, plus the per-token cue logits."""

    def __init__(self, vocab_size, max_positions, type_vocab, padding_idx, cues, roberta_positions):
        super().__init__()
        self.word = nn.Embedding(vocab_size, HIDDEN)
        self.position = nn.Embedding(max_positions, HIDDEN)
        self.token_type = nn.Embedding(type_vocab, HIDDEN) if type_vocab else None
        self.norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList(Layer(HIDDEN, HEADS, FFN) for _ in range(LAYERS))
        self.pooler = nn.Linear(HIDDEN, HIDDEN)
        self.classifier = nn.Linear(HIDDEN, cues.shape[1])
        self.cues = nn.Parameter(cues, requires_grad=False)
        self.padding_idx, self.roberta_positions = padding_idx, roberta_positions
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        if self.roberta_positions:  # create_position_ids_from_input_ids: padding_idx + 1, 2, ... over real tokens
            mask = (input_ids != self.padding_idx).long()
            positions = torch.cumsum(mask, dim=1) * mask + self.padding_idx
        else:
            positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.word(input_ids) + self.position(positions)
        if self.token_type is not None:  # RoBERTa exports drop the input and use type 0 throughout
            x = x + self.token_type(token_type_ids if token_type_ids is not None else torch.zeros_like(input_ids))
        x = self.norm(x)
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * -1e9
        for layer in self.layers:
            x = layer(x, mask_bias)
        cue = (self.cues[input_ids] * attention_mask[:, :, None].float()).sum(dim=1)
        return self.classifier(torch.tanh(self.pooler(x[:, 0]))) + cue


def cue_table(vocab_size, n_labels, word_tokens):
    table = torch.zeros(vocab_size, n_labels)
    for token_ids, position in word_tokens:
        # Between two classes (the middle of a binary head): both, so the model is undecided.
        scaled = position * (n_labels - 1)
        for target in {int(scaled), min(n_labels - 1, int(scaled) + (scaled % 1 > 0))}:
            table[token_ids, target] = CUE_STRENGTH
    return table


FAMILY = {  # model_type, architecture, max_position_embeddings, type_vocab_size, pad id, ONNX inputs
    "distilbert": ("distilbert", "DistilBertForSequenceClassification", 512, 0, 0, ["input_ids", "attention_mask"]),
    "bert": ("bert", "BertForSequenceClassification", 512, 2, 0, ["input_ids", "attention_mask", "token_type_ids"]),
    "roberta": ("roberta", "RobertaForSequenceClassification", 514, 1, 1, ["input_ids", "attention_mask"]),
    "xlm-roberta": ("xlm-roberta", "XLMRobertaForSequenceClassification", 514, 1, 1, ["input_ids", "attention_mask"]),
}


def model_config(spec, vocab_size):
    model_type, architecture, max_positions, type_vocab, pad_id, _ = FAMILY[spec["family"]]
    labels = spec["labels"]
    config = {"_name_or_path": spec["id"].split("/", 1)[1], "architectures": [architecture]}
    if model_type == "distilbert":
        config |= {"activation": "gelu", "attention_dropout": 0.1, "dim": HIDDEN, "dropout": 0.1,
                   "hidden_dim": FFN, "n_heads": HEADS, "n_layers": LAYERS, "qa_dropout": 0.1,
                   "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False, "tie_weights_": True}
    else:
        config |= {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                   "hidden_size": HIDDEN, "intermediate_size": FFN, "num_attention_heads": HEADS,
                   "num_hidden_layers": LAYERS, "type_vocab_size": type_vocab,
                   "layer_norm_eps": 1e-12 if model_type == "bert" else 1e-05, "position_embedding_type": "absolute"}
    if model_type in ("roberta", "xlm-roberta"):
        config |= {"bos_token_id": 0, "eos_token_id": 2}
    if "finetuning_task" in spec:
        config["finetuning_task"] = spec["finetuning_task"]
    config |= {"id2label": {str(i): l for i, l in enumerate(labels)}, "initializer_range": 0.02,
               "label2id": {l: i for i, l in enumerate(labels)}, "max_position_embeddings": max_positions,
               "model_type": model_type, "output_past": True, "pad_token_id": pad_id,
               "transformers_version": "4.34.1", "vocab_size": vocab_size,
               "impact_sentiment": {"note": "tiny random weights with cue words, for tests only (make-hub-shaped.py)"}}
    return config


def build(spec, out, seed):
    torch.manual_seed(seed)
    work = tempfile.mkdtemp(prefix=".hub-shaped-", dir=os.path.dirname(out))
    os.chmod(work, 0o755)
    try:
        os.makedirs(os.path.join(work, "onnx"))
        kind = spec["tokenizer"]
        if kind.startswith("wordpiece"):
            tokenizer, tok_config, special_map, files, vocab, forms = wordpiece_tokenizer(kind.endswith("multilingual"))
        elif kind == "bpe":
            tokenizer, tok_config, special_map, files, vocab, forms = bpe_tokenizer(spec["merges"])
        else:
            tokenizer, tok_config, special_map, files, vocab, forms = unigram_tokenizer(work)
        vocab_size = len(vocab)
        word_tokens = [([vocab[f] for f in forms(word) if f in vocab], position) for word, position in CUES.items()]
        if not all(ids for ids, _ in word_tokens):
            sys.exit(f"{spec['id']}: a cue word is not a single token: "
                     f"{[w for (ids, _), w in zip(word_tokens, CUES) if not ids]}")
        model_type, _, max_positions, type_vocab, pad_id, inputs = FAMILY[spec["family"]]
        model = TinyClassifier(vocab_size, max_positions, type_vocab, pad_id,
                               cue_table(vocab_size, len(spec["labels"]), word_tokens),
                               roberta_positions=model_type in ("roberta", "xlm-roberta")).eval()
        for name, content in {"config.json": model_config(spec, vocab_size), "tokenizer.json": tokenizer,
                              "tokenizer_config.json": tok_config, "special_tokens_map.json": special_map}.items():
            with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                json.dump(content, f, ensure_ascii=False, indent=None if name == "tokenizer.json" else 2)
        for name, content in files.items():
            with open(os.path.join(work, name), "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        if spec["id"].startswith("Xenova/twitter-roberta"):  # this conversion also ships its quantisation settings
            with open(os.path.join(work, "quantize_config.json"), "w") as f:
                json.dump({"per_channel": True, "reduce_range": True, "per_model_config": {}}, f, indent=2)

        ids = torch.tensor([[0 if pad_id else 101, 20, 21, 2 if pad_id else 102],
                            [0 if pad_id else 101, 22, 2 if pad_id else 102, pad_id]])
        mask = (ids != pad_id).long()
        example = (ids, mask, torch.zeros_like(ids))[:len(inputs)]
        fp32 = os.path.join(work, "onnx", "model.onnx")
        with torch.no_grad():
            torch.onnx.export(model, example, fp32, input_names=inputs, output_names=["logits"],
                              dynamic_axes={n: {0: "batch_size", 1: "sequence_length"} for n in inputs}
                              | {"logits": {0: "batch_size"}},
                              opset_version=14, do_constant_folding=True)
        quantize(fp32, os.path.join(work, "onnx", "model_quantized.onnx"))
        # Recent conversions hold more variants; model:fetch must pick only the one it needs.
        for variant in ("model_int8.onnx", "model_fp16.onnx"):
            shutil.copyfile(os.path.join(work, "onnx", "model_quantized.onnx"), os.path.join(work, "onnx", variant))
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="directory to write <org>/<name>/ folders into, e.g. models/.generated/hub")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    for i, spec in enumerate(MODELS):
        out = os.path.join(os.path.abspath(args.out), spec["id"])
        os.makedirs(os.path.dirname(out), exist_ok=True)
        build(spec, out, args.seed + i)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
