// Java-side parity check for an exported judge: the Rust tokenizer (through DJL) must encode
// text to its UTF-8 bytes, and ONNX Runtime Java must reproduce the PyTorch fixtures
// (first-step top-5 logits, greedy ids at batch 1 with a zero-length past, and again for all
// fixtures at once as one left-padded batch). Runs with the Java 17 source launcher; see
// models/training/README.md for the classpath.
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.*;
import com.google.gson.*;

import java.nio.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class ParityCheck {
    static OrtEnvironment env = OrtEnvironment.getEnvironment();
    static int layers, heads, headDim, vocab, eos, maxContext;

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args.length > 0 ? args[0] : "models/judge-tiny");
        JsonObject judge = JsonParser.parseString(Files.readString(dir.resolve("judge.json"))).getAsJsonObject();
        JsonObject m = judge.getAsJsonObject("model");
        layers = m.get("num_layers").getAsInt();
        heads = m.get("num_key_value_heads").getAsInt();
        headDim = m.get("head_dim").getAsInt();
        vocab = m.get("vocab_size").getAsInt();
        eos = judge.get("eos_token_id").getAsInt();
        maxContext = judge.get("max_context").getAsInt();
        int failures = 0;

        // 1. tokenizer: ids == UTF-8 bytes, no specials added, decode round-trips
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false"))) {
            String[] texts = {"Question: Ana has 7 apples.\nResponse 1: 7", "  two  spaces\tand tab ",
                    "Ünïcödé ✓ 日本 🙂", "<Analysis>x</Analysis><Result>Response 1 is better than Response 2</Result>"};
            for (String t : texts) {
                long[] ids = tok.encode(t, false, false).getIds();
                byte[] b = t.getBytes(StandardCharsets.UTF_8);
                boolean ok = ids.length == b.length;
                for (int i = 0; ok && i < b.length; i++) ok = ids[i] == (b[i] & 0xff);
                String back = tok.decode(ids, false);
                ok = ok && back.equals(t);
                System.out.printf("tokenizer %-5s %s%n", ok, t.replace("\n", "\\n"));
                if (!ok) { failures++; System.out.println("  ids " + Arrays.toString(ids)); }
            }
        }

        // 2. ONNX Runtime vs PyTorch fixtures
        JsonObject fx = JsonParser.parseString(Files.readString(dir.resolve("fixtures/greedy.json"))).getAsJsonObject();
        int maxNew = fx.get("max_new_tokens").getAsInt();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(1);
        try (OrtSession s = env.createSession(dir.resolve("model.onnx").toString(), so)) {
            List<long[]> prompts = new ArrayList<>();
            List<long[]> expected = new ArrayList<>();
            double maxLogitDiff = 0;
            for (JsonElement e : fx.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                long[] ids = toLongs(c.getAsJsonArray("input_ids"));
                long[] want = toLongs(c.getAsJsonArray("greedy_ids"));
                prompts.add(ids);
                expected.add(want);
                long t0 = System.nanoTime();
                List<float[]> first = new ArrayList<>();
                long[][] got = greedy(s, new long[][]{ids}, maxNew, first);
                double ms = (System.nanoTime() - t0) / 1e6;
                for (JsonElement te : c.getAsJsonArray("first_step_logits_top5")) {
                    JsonArray p = te.getAsJsonArray();
                    maxLogitDiff = Math.max(maxLogitDiff, Math.abs(first.get(0)[p.get(0).getAsInt()] - p.get(1).getAsFloat()));
                }
                boolean ok = Arrays.equals(got[0], want);
                if (!ok) failures++;
                System.out.printf("batch1 greedy %-5s prompt %d tokens, %d generated, %.0f ms%n", ok, ids.length, got[0].length, ms);
            }
            System.out.printf("max |first-step logit diff| on top-5 = %.3g%n", maxLogitDiff);
            if (maxLogitDiff > 1e-3) failures++;
            long[][] got = greedy(s, prompts.toArray(new long[0][]), maxNew, null);
            for (int i = 0; i < got.length; i++) {
                boolean ok = Arrays.equals(got[i], expected.get(i));
                if (!ok) failures++;
                System.out.printf("left-padded batch of %d, row %d greedy %s%n", got.length, i, ok);
            }
        }
        System.out.println(failures == 0 ? "PARITY OK" : "PARITY FAILED: " + failures);
        System.exit(failures == 0 ? 0 : 1);
    }

    static long[] toLongs(JsonArray a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsLong();
        return r;
    }

    /** Greedy decoding with the KV cache: left-padded prefill from zero-length past tensors,
     *  then one token per step; a row stops at EOS (kept) or after maxNew tokens. */
    static long[][] greedy(OrtSession s, long[][] prompts, int maxNew, List<float[]> firstLogits) throws OrtException {
        int b = prompts.length, len = 0;
        for (long[] p : prompts) len = Math.max(len, p.length);
        long[] ids = new long[b * len], mask = new long[b * len], pos = new long[b * len];
        for (int r = 0; r < b; r++) {
            int pad = len - prompts[r].length;
            for (int j = 0; j < prompts[r].length; j++) {
                ids[r * len + pad + j] = prompts[r][j];
                mask[r * len + pad + j] = 1;
                pos[r * len + pad + j] = j;
            }
            for (int j = 0; j < pad; j++) ids[r * len + j] = 258;
        }
        List<List<Long>> out = new ArrayList<>();
        boolean[] done = new boolean[b];
        for (int r = 0; r < b; r++) out.add(new ArrayList<>());
        long[] nextPos = new long[b];
        for (int r = 0; r < b; r++) nextPos[r] = prompts[r].length;
        OnnxTensor[] past = new OnnxTensor[2 * layers];
        for (int i = 0; i < past.length; i++)
            past[i] = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[]{b, heads, 0, headDim});
        long[] curIds = ids, curPos = pos;
        int seq = len, total = len;
        long[] curMask = mask;
        for (int step = 0; step < maxNew; step++) {
            Map<String, OnnxTensor> in = new HashMap<>();
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(curIds), new long[]{b, seq}));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(curMask), new long[]{b, total}));
            in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(curPos), new long[]{b, seq}));
            for (int i = 0; i < layers; i++) {
                in.put("past_key_values." + i + ".key", past[2 * i]);
                in.put("past_key_values." + i + ".value", past[2 * i + 1]);
            }
            try (OrtSession.Result res = s.run(in)) {
                FloatBuffer lg = ((OnnxTensor) res.get("logits").get()).getFloatBuffer();
                long[] next = new long[b];
                for (int r = 0; r < b; r++) {
                    int base = (r * seq + seq - 1) * vocab;
                    if (step == 0 && firstLogits != null) {
                        float[] row = new float[vocab];
                        lg.position(base);
                        lg.get(row);
                        firstLogits.add(row);
                    }
                    int best = 0;
                    for (int v = 1; v < vocab; v++) if (lg.get(base + v) > lg.get(base + best)) best = v;
                    next[r] = best;
                    if (!done[r]) {
                        out.get(r).add((long) best);
                        // a row ends at EOS, or when its own prompt + generated tokens fill the
                        // context (RoPE table): position ids must stay below max_context
                        if (best == eos || prompts[r].length + out.get(r).size() >= maxContext) done[r] = true;
                    }
                }
                for (OnnxTensor t : in.values()) t.close();
                for (int i = 0; i < 2 * layers; i++) {
                    String kv = (i % 2 == 0) ? "key" : "value";
                    OnnxTensor t = (OnnxTensor) res.get("present." + (i / 2) + "." + kv).get();
                    FloatBuffer fb = t.getFloatBuffer();
                    past[i] = OnnxTensor.createTensor(env, fb, t.getInfo().getShape());
                }
                boolean all = true;
                for (boolean d : done) all &= d;
                if (all) break;
                seq = 1;
                total += 1;
                curIds = next;
                long[] nm = new long[b * total];
                for (int r = 0; r < b; r++) {
                    System.arraycopy(curMask, r * (total - 1), nm, r * total, total - 1);
                    nm[r * total + total - 1] = 1;
                }
                curMask = nm;
                curPos = nextPos.clone();
                for (int r = 0; r < b; r++) nextPos[r] = Math.min(nextPos[r] + 1, 511); // finished rows: clamp
            }
        }
        for (OnnxTensor t : past) t.close();
        long[][] r = new long[b][];
        for (int i = 0; i < b; i++) r[i] = out.get(i).stream().mapToLong(Long::longValue).toArray();
        return r;
    }
}
