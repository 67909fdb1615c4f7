#!/usr/bin/python3
"""Int8 dynamic quantisation with the `onnx` package alone (onnxruntime's Python quantiser is not installable here).

    /usr/bin/python3 models/training/quantize.py onnx/model.onnx onnx/model_quantized.onnx

- MatMul with a constant weight -> DynamicQuantizeLinear(activation, uint8) + MatMulInteger(int8 weight,
  symmetric per-column scales) + rescale: onnxruntime's U8S8 kernels, ~3x faster than fp32 here.
- Gather from a constant embedding table -> int8 rows with a per-row scale, dequantised after the lookup
  (narrow tables, like the n-gram's 3 columns, are stored as float16 instead: a scale per row would cost
  more than it saves).

    /usr/bin/python3 models/training/quantize.py --half-tables onnx/model.onnx
rewrites the fp32 file in place with its large embedding tables stored as float16 (cast back to float32 after
the lookup, so all arithmetic stays fp32): the multilingual model's 16k x 256 token table alone is 16 MB in fp32,
which puts the file over the repository's 30 MB limit for tracked files. Run it after quantising.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MIN_MATMUL_ELEMENTS = 4096
MIN_GATHER_ELEMENTS = 50000


def quantize(src, dst):
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    uses = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    new_inits, drop, nodes = [], set(), []
    stats = {"matmul": 0, "gather_int8": 0, "gather_fp16": 0}
    written = set()

    def const(name, array):
        # A table used by several nodes (the n-gram table serves bigrams and trigrams) is stored once.
        if name not in written:
            written.add(name)
            new_inits.append(numpy_helper.from_array(array, name))
        return name

    for node in graph.node:
        w_name = node.input[1] if node.op_type == "MatMul" else node.input[0] if node.op_type == "Gather" else None
        w = inits.get(w_name) if w_name else None
        shared_matmul = node.op_type == "MatMul" and uses.get(w_name, 0) != 1
        if w is None or w.data_type != TensorProto.FLOAT or shared_matmul:
            nodes.append(node)
            continue
        arr = numpy_helper.to_array(w)
        p = node.name or node.output[0]
        if node.op_type == "MatMul" and arr.ndim == 2 and arr.size >= MIN_MATMUL_ELEMENTS:
            scale = np.maximum(np.abs(arr).max(axis=0), 1e-8) / 127.0
            q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
            a = node.input[0]
            nodes += [
                helper.make_node("DynamicQuantizeLinear", [a], [f"{p}_aq", f"{p}_as", f"{p}_az"]),
                helper.make_node("MatMulInteger", [f"{p}_aq", const(f"{w_name}_q", q), f"{p}_az",
                                                   const(f"{w_name}_zp", np.array(0, dtype=np.int8))], [f"{p}_yi"]),
                helper.make_node("Cast", [f"{p}_yi"], [f"{p}_yf"], to=TensorProto.FLOAT),
                helper.make_node("Mul", [f"{p}_as", const(f"{w_name}_scale", scale.astype(np.float32))], [f"{p}_s"]),
                helper.make_node("Mul", [f"{p}_yf", f"{p}_s"], [node.output[0]]),
            ]
            drop.add(w_name)
            stats["matmul"] += 1
        elif node.op_type == "Gather" and arr.ndim == 2 and arr.size >= MIN_GATHER_ELEMENTS:
            idx = node.input[1]
            if arr.shape[1] >= 16:
                scale = np.maximum(np.abs(arr).max(axis=1, keepdims=True), 1e-8) / 127.0
                q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
                nodes += [
                    helper.make_node("Gather", [const(f"{w_name}_q", q), idx], [f"{p}_gq"], axis=0),
                    helper.make_node("Gather", [const(f"{w_name}_scale", scale.astype(np.float32)), idx],
                                     [f"{p}_gs"], axis=0),
                    helper.make_node("Cast", [f"{p}_gq"], [f"{p}_gf"], to=TensorProto.FLOAT),
                    helper.make_node("Mul", [f"{p}_gf", f"{p}_gs"], [node.output[0]]),
                ]
                stats["gather_int8"] += 1
            else:
                nodes += [
                    helper.make_node("Gather", [const(f"{w_name}_f16", arr.astype(np.float16)), idx], [f"{p}_gh"],
                                     axis=0),
                    helper.make_node("Cast", [f"{p}_gh"], [node.output[0]], to=TensorProto.FLOAT),
                ]
                stats["gather_fp16"] += 1
            drop.add(w_name)
        else:
            nodes.append(node)

    kept = [i for i in graph.initializer if i.name not in drop]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    del graph.node[:]
    graph.node.extend(nodes)
    # Shape annotations of rewritten tensors are stale; onnxruntime re-infers them.
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return stats


def half_tables(path):
    model = onnx.load(path)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    halved, nodes = {}, []
    for node in graph.node:
        w = inits.get(node.input[0]) if node.op_type == "Gather" else None
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2 or np.prod(w.dims) < MIN_GATHER_ELEMENTS:
            nodes.append(node)
            continue
        if w.name not in halved:
            halved[w.name] = numpy_helper.from_array(numpy_helper.to_array(w).astype(np.float16), f"{w.name}_f16")
        p = node.name or node.output[0]
        nodes += [
            helper.make_node("Gather", [f"{w.name}_f16", node.input[1]], [f"{p}_gh"], axis=0),
            helper.make_node("Cast", [f"{p}_gh"], [node.output[0]], to=TensorProto.FLOAT),
        ]
    kept = [i for i in graph.initializer if i.name not in halved]
    del graph.initializer[:]
    graph.initializer.extend(kept + list(halved.values()))
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return {"tables_fp16": sorted(halved)}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--half-tables":
        print(half_tables(sys.argv[2]))
    elif len(sys.argv) == 3:
        print(quantize(sys.argv[1], sys.argv[2]))
    else:
        sys.exit("usage: quantize.py FP32.onnx OUT_QUANTIZED.onnx | quantize.py --half-tables FP32.onnx")
