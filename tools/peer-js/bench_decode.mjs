// transformers.js (onnxruntime-node, CPU) decode throughput on one of our model directories, timed
// exactly like `./rewardstream bench decode` (DecodeBench) so the two compare step for step:
// the same fixed-length prompt (BenchPrompts.fixedLength), greedy, every row runs all
// --new-tokens steps (EOS ignored), and per repeat a full decode and a 1-token call back to back;
// decode tokens/s = batch x (new - 1) / (t_full - t_1).
//
//   node bench_decode.mjs --model-dir DIR [--batch 1,8] [--prompt-tokens 32] [--new-tokens 32]
//        [--repeats 3] [--threads 1] [--json OUT]
//
// Writes the JSON shape of bench/torch_decode.py, so bench/report.py reads both.
import fs from "node:fs";
import os from "node:os";
import { stageModel, offlineTransformers } from "./stage.mjs";

// BenchPrompts.JUDGE_PROMPT
const JUDGE_PROMPT =
  "Question: Tom has 3 boxes with 4 pens in each. Ana has 9 cups. How many pens does Tom" +
  " have?\nResponse 1: Tom has 12 pens.\nResponse 2: The answer is 7.\nJudge:";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
if (!args["model-dir"]) {
  console.error("usage: node bench_decode.mjs --model-dir DIR [--batch 1,8] [--prompt-tokens N] [--new-tokens N] [--repeats N] [--threads N] [--json OUT]");
  process.exit(2);
}
const batches = (args.batch ?? "1,8").split(",").map(Number);
const promptTokens = Number(args["prompt-tokens"] ?? 32);
const newTokens = Number(args["new-tokens"] ?? 32);
const repeats = Number(args.repeats ?? 3);
const threads = Number(args.threads ?? 1);

const t = await offlineTransformers();
const staged = stageModel(args["model-dir"]);
const judge = JSON.parse(fs.readFileSync(`${args["model-dir"]}/judge.json`, "utf8"));
const tokenizer = await t.AutoTokenizer.from_pretrained(staged, { local_files_only: true });
const model = await t.AutoModelForCausalLM.from_pretrained(staged, {
  local_files_only: true,
  dtype: "fp32",
  device: "cpu",
  session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
});

/** BenchPrompts.fixedLength: BOS when the model uses it, then the last ids of the prompt. */
function fixedPrompt(tokens) {
  const text = tokenizer.encode(JUDGE_PROMPT, { add_special_tokens: false });
  const bos = judge.add_bos ? judge.bos_token_id : -1;
  const body = bos >= 0 ? tokens - 1 : tokens;
  const ids = [];
  for (let i = 0; i < body; i++) {
    const k = text.length - (body - i);
    ids.push(text[((k % text.length) + text.length) % text.length]);
  }
  return bos >= 0 ? [bos, ...ids] : ids;
}

async function decode(prompt, batch, steps) {
  const n = prompt.length;
  const ids = BigInt64Array.from(Array.from({ length: batch }, () => prompt).flat().map(BigInt));
  await model.generate({
    input_ids: new t.Tensor("int64", ids, [batch, n]),
    attention_mask: new t.Tensor("int64", new BigInt64Array(batch * n).fill(1n), [batch, n]),
    max_new_tokens: steps,
    min_new_tokens: steps,
    do_sample: false,
  });
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

const prompt = fixedPrompt(promptTokens);
const load = os.loadavg()[0];
const rows = [];
for (const batch of batches) {
  await decode(prompt, batch, newTokens); // warm-up
  await decode(prompt, batch, 1);
  const full = [];
  const one = [];
  for (let r = 0; r < repeats; r++) {
    full.push(await timed(() => decode(prompt, batch, newTokens)));
    one.push(await timed(() => decode(prompt, batch, 1)));
  }
  const f = median(full);
  const o = median(one);
  const row = {
    batch,
    decode_tokens_per_s: round((batch * (newTokens - 1)) / ((f - o) / 1000), 2),
    ms_per_step: round((f - o) / (newTokens - 1), 4),
    median_prefill_ms: round(o, 3),
    median_full_ms: round(f, 3),
    end_to_end_tokens_per_s: round((batch * newTokens) / (f / 1000), 2),
    full_ms: full,
    prefill_ms: one,
  };
  rows.push(row);
  console.log(
    `batch ${String(batch).padStart(3)}: decode ${row.decode_tokens_per_s.toFixed(1).padStart(10)} tok/s, ` +
      `${row.ms_per_step.toFixed(3).padStart(8)} ms/step, prefill ${o.toFixed(2).padStart(8)} ms`,
  );
}
await model.dispose();
fs.rmSync(staged, { recursive: true });
const out = {
  benchmark: "transformers_js_decode",
  command: "node tools/peer-js/bench_decode.mjs " + process.argv.slice(2).join(" "),
  peer: `@huggingface/transformers ${t.env.version} on onnxruntime-node`,
  threads,
  machine: { cores: os.cpus().length, cpu: os.cpus()[0].model, load_average_1m: load },
  model_dir: args["model-dir"],
  prompt_tokens: promptTokens,
  new_tokens: newTokens,
  repeats,
  batches: rows,
  load_average_1m_at_end: os.loadavg()[0],
};
if (args.json) {
  fs.writeFileSync(args.json, JSON.stringify(out, null, 2) + "\n");
  console.log("wrote", args.json);
}
