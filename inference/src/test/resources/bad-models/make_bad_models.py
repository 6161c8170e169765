"""Makes the two deliberately wrong ONNX graphs ModelErrorsTest loads.

Run with Debian's python3-onnx:  /usr/bin/python3 make_bad_models.py   (in this folder)
  no-past.onnx          input_ids, attention_mask -> logits, but no KV-cache inputs
  float-input-ids.onnx  input_ids declared float32 instead of int64
"""
import onnx
from onnx import TensorProto, helper


def graph(input_ids_type, name):
    ids = helper.make_tensor_value_info("input_ids", input_ids_type, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "total"])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", 4])
    # logits = zeros of shape [batch, seq, 4]: enough for a graph that loads
    shape = helper.make_node("Shape", ["input_ids"], ["s"])
    four = helper.make_tensor("four", TensorProto.INT64, [1], [4])
    cat = helper.make_node("Concat", ["s", "four_c"], ["shape3"], axis=0)
    const = helper.make_node("Constant", [], ["four_c"], value=four)
    zeros = helper.make_node("ConstantOfShape", ["shape3"], ["logits"],
                             value=helper.make_tensor("z", TensorProto.FLOAT, [1], [0.0]))
    g = helper.make_graph([shape, const, cat, zeros], name, [ids, mask], [logits])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


onnx.save(graph(TensorProto.INT64, "no_past"), "no-past.onnx")
onnx.save(graph(TensorProto.FLOAT, "float_ids"), "float-input-ids.onnx")
