"""Byte-level BPE for the tiny judge (judge-tiny 2.0.0 on), the GPT-2 / Qwen scheme that
Hugging Face `tokenizers` runs from tokenizer.json (ByteLevel pre-tokenizer with its regex,
BPE model, ByteLevel decoder).

Why: up to 1.2.0 every byte was a token, so "Ben" in a question was three tokens, and reading
"Ben has 5 pears." back out of the question under a response saying "Ben has 7 pears." was a
multi-token match the 1.2M-parameter model never learned (held-out lookup near chance; model
card). With merges learned on the task's text, every name, object and template word is one
token, the fact lookup becomes a single-token match, and sequences are ~4x shorter.

Debian has no Python binding of `tokenizers`, so encoding for training is written here; it
handles ASCII text only (all training text is ASCII) and must give the same ids as the Rust
library, which the Java side uses through DJL: `LanguageModelTest` checks the fixtures' prompt
ids against DJL's encoding, and `bpe.py` checks the encode/decode round trip on its whole
corpus whenever it learns merges.

    /usr/bin/python3 bpe.py --merges 400 --out out/merges.json   # learn merges (deterministic)
"""
import argparse
import collections
import json
import re

N_BYTES = 256
N_SPECIAL = 3  # <s> 256, </s> 257, <pad> 258 (data.BOS / EOS / PAD)

# GPT-2's pre-tokenizer regex (what HF's ByteLevel pre-tokenizer uses with use_regex=true),
# with \p{L} / \p{N} narrowed to ASCII letters / digits: equal on ASCII text, which is all
# this module accepts.
PRETOKEN_RE = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")


def bytes_to_unicode():
    """GPT-2's byte -> printable unicode char map (what the ByteLevel pre-tokenizer emits)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()
U2B = {u: b for b, u in B2U.items()}


def pretokens(text):
    if not text.isascii():
        raise ValueError(f"bpe.py encodes ASCII only (the Java side, DJL, handles any text): {text[:60]!r}")
    return [''.join(B2U[b] for b in w.encode()) for w in PRETOKEN_RE.findall(text)]


class Tokenizer:
    """ids 0..255 = the bytes, 256..258 the specials, 259.. one per merge, in merge order.
    With no merges this is exactly the byte tokenizer of judge-tiny 1.x."""

    def __init__(self, merges=()):
        self.merges = [tuple(m) for m in merges]
        self.rank = {m: i for i, m in enumerate(self.merges)}
        self.vocab = {B2U[b]: b for b in range(N_BYTES)}
        for i, (a, b) in enumerate(self.merges):
            if a + b in self.vocab:  # two merge paths to one string: ids would be ambiguous
                raise ValueError(f"merge {i} ({a!r} {b!r}) makes a token that already exists")
            self.vocab[a + b] = N_BYTES + N_SPECIAL + i
        self.inv = {i: s for s, i in self.vocab.items()}
        self.vocab_size = N_BYTES + N_SPECIAL + len(self.merges)
        self._cache = {}

    def _word(self, w):
        ids = self._cache.get(w)
        if ids is None:
            parts = list(w)
            while len(parts) > 1:
                best = min(range(len(parts) - 1),
                           key=lambda i: self.rank.get((parts[i], parts[i + 1]), 1 << 30))
                if (parts[best], parts[best + 1]) not in self.rank:
                    break
                parts[best:best + 2] = [parts[best] + parts[best + 1]]
            ids = self._cache[w] = [self.vocab[p] for p in parts]
        return ids

    def encode(self, text):
        out = []
        for w in pretokens(text):
            out += self._word(w)
        return out

    def decode(self, ids):
        """Text of the ids; special ids skipped (what the Java side's decode does)."""
        s = "".join(self.inv[i] for i in ids if i in self.inv)
        return bytes(U2B[c] for c in s).decode("utf-8", errors="replace")

    def tokenizer_json(self, specials):
        """The Hugging Face tokenizer.json of this tokenizer. specials: [(id, content)]."""
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [{"id": i, "content": c, "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": False, "special": True}
                             for i, c in specials],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                              "use_regex": bool(self.merges)},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                        "use_regex": bool(self.merges)},
            "model": {"type": "BPE", "dropout": None, "unk_token": None,
                      "continuing_subword_prefix": None, "end_of_word_suffix": None,
                      "fuse_unk": False, "byte_fallback": False,
                      "vocab": dict(sorted(self.vocab.items(), key=lambda kv: kv[1])),
                      "merges": [f"{a} {b}" for a, b in self.merges]},
        }


def learn_merges(texts, n_merges, min_count=2):
    """Classic BPE training: repeatedly merge the most frequent adjacent pair inside
    pre-tokens (ties broken by the pair's text, so the result is deterministic)."""
    words = collections.Counter()
    for t in texts:
        words.update(pretokens(t))
    seqs = {w: list(w) for w in words}
    merges = []
    while len(merges) < n_merges:
        pairs = collections.Counter()
        for w, c in words.items():
            s = seqs[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += c
        if not pairs:
            break
        best, count = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if count < min_count:
            break
        merges.append(best)
        for w in words:
            s, i, out = seqs[w], 0, []
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


def task_corpus(n=3000, seed=11):
    """The text the merges are learned on: prompts and targets of every training task."""
    import random
    import data
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        texts += data.example_texts(rng)
    return texts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--merges", type=int, default=400)
    ap.add_argument("--out", default="out/merges.json")
    a = ap.parse_args()
    texts = task_corpus()
    merges = learn_merges(texts, a.merges)
    tok = Tokenizer(merges)
    n_tok = sum(len(tok.encode(t)) for t in texts)
    n_bytes = sum(len(t) for t in texts)
    bad = [t for t in texts if tok.decode(tok.encode(t)) != t]
    if bad:
        raise SystemExit(f"round trip failed on {len(bad)} texts, e.g. {bad[0]!r}")
    with open(a.out, "w") as f:
        json.dump([list(m) for m in merges], f)
    print(f"{len(merges)} merges -> vocab {tok.vocab_size}; {n_bytes / n_tok:.2f} bytes/token "
          f"on {len(texts)} texts; round trip ok; wrote {a.out}")


if __name__ == "__main__":
    main()
