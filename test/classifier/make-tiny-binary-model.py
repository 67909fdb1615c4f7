"""Writes test/fixtures/label-configs/tiny-binary-model/: a hand-built binary (NEGATIVE/POSITIVE) BERT-shaped
ONNX model and WordPiece tokenizer, small enough to commit, to run the binary label map end to end through
transformers.js. Logits are the masked sum of per-token weights: "good" pushes POSITIVE, "bad" NEGATIVE,
"okay" only slightly positive (inside the neutral margin). Not a sentiment model: a test instrument.

Run: /usr/bin/python3 test/classifier/make-tiny-binary-model.py   (needs python3-onnx)
"""
import json
import os

import onnx
from onnx import TensorProto, helper

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'label-configs', 'tiny-binary-model')
SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
# word -> (NEGATIVE logit, POSITIVE logit)
WEIGHTS = {
    'good': (0.0, 3.0), 'great': (0.0, 3.0), 'love': (0.0, 3.0),
    'bad': (3.0, 0.0), 'awful': (3.0, 0.0), 'hate': (3.0, 0.0),
    'okay': (0.0, 0.2),
    'the': (0.0, 0.0), 'is': (0.0, 0.0), 'this': (0.0, 0.0), 'movie': (0.0, 0.0), 'day': (0.0, 0.0),
    'a': (0.0, 0.0), 'it': (0.0, 0.0), 'was': (0.0, 0.0), '.': (0.0, 0.0), '!': (0.0, 0.0), ',': (0.0, 0.0),
}
MAX_TOKENS = 16

vocab = {token: i for i, token in enumerate(SPECIAL + list(WEIGHTS))}
rows = [(0.0, 0.0)] * len(SPECIAL) + list(WEIGHTS.values())


def build_graph():
    weights = helper.make_tensor('token_logits', TensorProto.FLOAT, [len(rows), 2], [v for row in rows for v in row])
    nodes = [
        helper.make_node('Gather', ['token_logits', 'input_ids'], ['per_token']),  # [B, T, 2]
        helper.make_node('Cast', ['attention_mask'], ['mask_f'], to=TensorProto.FLOAT),
        helper.make_node('Unsqueeze', ['mask_f', 'axis2'], ['mask_3d']),  # [B, T, 1]
        helper.make_node('Mul', ['per_token', 'mask_3d'], ['masked']),
        helper.make_node('ReduceSum', ['masked', 'axis1'], ['logits'], keepdims=0),  # [B, 2]
    ]
    initializers = [
        weights,
        helper.make_tensor('axis1', TensorProto.INT64, [1], [1]),
        helper.make_tensor('axis2', TensorProto.INT64, [1], [2]),
    ]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ['batch', 'sequence'])
              for name in ('input_ids', 'attention_mask', 'token_type_ids')]
    outputs = [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch', 2])]
    graph = helper.make_graph(nodes, 'tiny_binary', inputs, outputs, initializers)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid('', 14)], producer_name='impact-sentiment tests')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def special(token):
    return {'id': vocab[token], 'content': token, 'single_word': False, 'lstrip': False, 'rstrip': False,
            'normalized': False, 'special': True}


def tokenizer_json():
    cls_, sep = {'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}
    return {
        'version': '1.0', 'truncation': None, 'padding': None,
        'added_tokens': [special(t) for t in SPECIAL],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                       'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [cls_, {'Sequence': {'id': 'A', 'type_id': 0}}, sep],
            'pair': [cls_, {'Sequence': {'id': 'A', 'type_id': 0}}, sep, {'Sequence': {'id': 'B', 'type_id': 1}}, sep],
            'special_tokens': {t: {'id': t, 'ids': [vocab[t]], 'tokens': [t]} for t in ('[CLS]', '[SEP]')},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': vocab},
    }


def main():
    os.makedirs(os.path.join(OUT, 'onnx'), exist_ok=True)
    model = build_graph()
    # The same graph under both names: dtype selection is what the fixture exercises, not quantisation.
    for name in ('model.onnx', 'model_quantized.onnx'):
        onnx.save(model, os.path.join(OUT, 'onnx', name))
    files = {
        'config.json': {'model_type': 'bert', 'architectures': ['BertForSequenceClassification'],
                        'id2label': {'0': 'NEGATIVE', '1': 'POSITIVE'}, 'label2id': {'NEGATIVE': 0, 'POSITIVE': 1},
                        'vocab_size': len(vocab), 'max_position_embeddings': MAX_TOKENS},
        'tokenizer.json': tokenizer_json(),
        'tokenizer_config.json': {'tokenizer_class': 'BertTokenizer', 'model_max_length': MAX_TOKENS,
                                  'do_lower_case': True, 'cls_token': '[CLS]', 'sep_token': '[SEP]',
                                  'pad_token': '[PAD]', 'unk_token': '[UNK]', 'mask_token': '[MASK]'},
    }
    for name, content in files.items():
        with open(os.path.join(OUT, name), 'w') as f:
            json.dump(content, f, indent=1)
            f.write('\n')


if __name__ == '__main__':
    main()
