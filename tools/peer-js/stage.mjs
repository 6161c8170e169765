// Lays out one of our model directories the way transformers.js looks for it (onnx/model.onnx,
// a plain tokenizer.json), in a temporary folder of links; the model directory is not touched.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

export function stageModel(modelDir) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rs-peer-js-"));
  fs.mkdirSync(path.join(dir, "onnx"));
  // model.onnx and, for a model over 2 GB, its external weight files, which ONNX Runtime finds
  // next to the path it was given
  for (const f of fs.readdirSync(modelDir)) {
    if (!/\.(json|gz|md)$/.test(f)) {
      fs.symlinkSync(path.resolve(modelDir, f), path.join(dir, "onnx", f));
    }
  }
  for (const f of ["config.json", "generation_config.json", "tokenizer_config.json"]) {
    if (fs.existsSync(path.join(modelDir, f))) {
      fs.symlinkSync(path.resolve(modelDir, f), path.join(dir, f));
    }
  }
  const plain = path.join(modelDir, "tokenizer.json");
  if (fs.existsSync(plain)) {
    fs.symlinkSync(path.resolve(plain), path.join(dir, "tokenizer.json"));
  } else {
    const gz = fs.readFileSync(path.join(modelDir, "tokenizer.json.gz"));
    fs.writeFileSync(path.join(dir, "tokenizer.json"), zlib.gunzipSync(gz));
  }
  return dir;
}

/** transformers.js, offline: only local files, no remote hub, no telemetry. */
export async function offlineTransformers() {
  const t = await import("@huggingface/transformers");
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = "/";
  return t;
}

/** `steps` greedy ids after the prompt, batch 1, EOS ignored (min_new_tokens = max_new_tokens). */
export async function greedy(t, model, prompt, steps) {
  const n = prompt.length;
  const out = await model.generate({
    input_ids: new t.Tensor("int64", BigInt64Array.from(prompt.map(BigInt)), [1, n]),
    attention_mask: new t.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
    max_new_tokens: steps,
    min_new_tokens: steps,
    do_sample: false,
  });
  return Array.from(out.data.slice(n), Number);
}
