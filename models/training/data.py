"""Synthetic pairwise-judging data for the bundled tiny judge.

Two copy-and-compare task families a ~1M-parameter model can verify on a CPU budget
(the pilot showed 2-digit arithmetic is too hard for it):

* lookup: three facts in the prompt, a question about one of them; the wrong response
  usually quotes another fact's number (a realistic "unfaithful to context" distractor).
* arith: a one-step word problem with single-digit operands (+, -, x); the wrong
  response is a near miss (off by 1-2) or the result of the wrong operation.

The judge target states the ground truth and each response's answer before comparing
("... R1 says 3, R2 says 7. 3 matches Response 1."): the pilot found that explicit match
step is what switches comparison on in a small model.

Held-out split is by construction: a question belongs to held-out iff a hash of its
text falls in bucket 0 of 10. Training generators reject those questions, so no
held-out question text is ever trained on (the arithmetic facts themselves, e.g. 7+5,
are of course shared; the questions, names and contexts around them are not).
"""
import hashlib
import json
import random
import re

import bpe

BOS, EOS, PAD = 256, 257, 258
# The tokenizer every script encodes with: bytes only (judge-tiny 1.x) until a checkpoint or
# train.py --merges installs BPE merges (use_merges; model.load does it from the checkpoint).
TOKENIZER = bpe.Tokenizer()
# Positions of a fresh model (stage 1). The critic stage widens it with train.py
# --max-context 768: a reflection prompt (question, two responses, two critiques) is up to
# ~460 tokens, and data.critic_target has the critic write its analysis (~110 tokens) before
# its 53-byte verdict.
MAX_CONTEXT = 512

# Exact strings of the model contract (copied into judge.json; the Java judge builds
# identical prompts from them).
RESPONSE_TEMPLATE = "Question: {prompt}\nResponse 1: {response_1}\nResponse 2: {response_2}\nJudge:"
ANALYSIS_TEMPLATE = ("Question: {prompt}\nResponse 1: {response_1}\nResponse 2: {response_2}\n"
                     "Critique 1: {critique_1}\nCritique 2: {critique_2}\nCompare:")
STOP = "</Result>"
RESPONSE_VERDICT_RE = re.compile(r"<Result>Response ([12]) is better than Response ([12])</Result>")
CRITIQUE_VERDICT_RE = re.compile(r"<Result>Critique ([12]) is better than Critique ([12])</Result>")

NAMES = ["Ana", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jack", "Kim",
         "Leo", "Mia", "Ned", "Olga", "Paul", "Rita", "Sam", "Tara", "Uma", "Vic", "Wes",
         "Yara", "Zoe", "Abe", "Bea", "Carl", "Dora", "Eli", "Fay", "Gus", "Hana", "Ian",
         "Jo", "Kai", "Lena", "Max", "Nina", "Omar", "Pia", "Ray", "Sara", "Tom", "Vera"]
OBJECTS = ["apples", "pears", "cups", "pens", "books", "hats", "coins", "cards", "eggs",
           "shoes", "plums", "keys", "dolls", "cakes", "rings", "boats", "kites", "socks",
           "bells", "maps", "nuts", "jars", "bowls", "lamps", "stamps", "shells", "toys",
           "beads", "forks", "leaves"]


# Varied surface forms (judge-tiny 3.1.0, issue 24): every generator below draws a share VARIED of
# its pairs with these instead of the fixed phrasings above, so the judge learns to find the
# numbers in text it has not seen verbatim. Each pool has a held-out part that training never
# uses (HELDOUT_*; make_shift.py and the shift set draw only from those), so the shift set
# measures generalisation to unseen names, objects, phrasings and working, not memory.
VARIED = 0.0
EXTRA_NAMES = ["Alba", "Boris", "Cora", "Diego", "Edda", "Felix", "Greta", "Hal", "Iris", "Jonas",
               "Kara", "Lars", "Maya", "Nils", "Opal", "Pedro", "Quinn", "Rosa", "Stan", "Tess",
               "Ugo", "Vince", "Wanda", "Xena", "Yusuf", "Zara", "Amir", "Bianca", "Cyrus", "Dalia",
               "Emil", "Frida", "Gil", "Hedda", "Igor", "June", "Karl", "Lola", "Milo", "Nora",
               "Otto", "Petra", "Rafa", "Selma", "Theo", "Ulla", "Viggo", "Willa", "Yann", "Zeno"]
EXTRA_OBJECTS = ["bricks", "spoons", "mugs", "grapes", "pencils", "shirts", "gloves", "tiles",
                 "coats", "chairs", "flags", "drums", "kettles", "melons", "peaches", "combs",
                 "nails", "bolts", "boxes", "sacks", "plates", "wires", "corks", "seeds", "blocks",
                 "cans", "dice", "badges", "ropes", "quilts", "cones", "mats", "pots", "brushes"]
# never trained on (the shift set's vocabulary)
HELDOUT_NAMES = ["Priya", "Sven", "Keiko", "Tomas", "Aisha", "Bruno", "Chen", "Dmitri", "Elena",
                 "Farah", "Goran", "Hiro", "Ingrid", "Jamal", "Katya", "Lucia", "Mateo", "Nadia"]
HELDOUT_OBJECTS = ["marbles", "stickers", "lemons", "buttons", "candles", "pebbles", "ribbons",
                   "tickets", "crayons", "walnuts", "magnets", "feathers"]
# how a prompt states a lookup fact; {n} name, {k} number, {o} object
FACT_FORMS = ["{n} has {k} {o}.", "{n} owns {k} {o}.", "{n} has got {k} {o}.", "{k} {o} belong to {n}.",
              "{n}'s {o}: {k}.", "{n} keeps {k} {o} at home.", "{n} collected {k} {o}."]
HELDOUT_FACT_FORMS = ["{n} holds {k} {o}.", "There are {k} {o} that {n} owns."]
QUESTION_FORMS = ["How many {o} does {n} have{now}?", "How many {o} has {n} got{now}?",
                  "{n} has how many {o}{now}?", "What number of {o} does {n} own{now}?",
                  "Tell me how many {o} {n} has{now}.", "How many {o} belong to {n}{now}?",
                  "Find the count of {o} for {n}{now}.", "So how many {o} does {n} have{now}?"]
# make_shift.py's rephrasings
HELDOUT_QUESTION_FORMS = ["What is the number of {o} {n} has{now}?", "Count the {o} {n} has{now}.",
                          "How many {o} are with {n}{now}?"]
# a response's answer; {k} the number it gives
ANSWER_FORMS = ["{n} has {k} {o}.", "{k} {o}.", "The answer is {k}.", "{k}", "{k}.", "{n} has {k}.",
                "It is {k}.", "Answer: {k}", "That makes {k} {o}.", "I count {k} {o}.",
                "Definitely {k}.", "{n} has {k} {o} in total.", "So the answer is {k}.",
                "The count is {k}.", "Clearly {k} {o}."]
# never trained on (make_shift.py's "format" subset)
HELDOUT_ANSWER_FORMS = ["Final answer: {k}.", "My answer is {k} {o}.", "{k}, I believe.",
                        "I think it is {k}.", "{n} ends up with {k} {o}."]
# sentences a response may open or close with (no digits)
LEAD_INS = ["Let me think.", "Looking at the facts,", "Reading the question again.", "From the text:",
            "Step by step:", "OK.", "Sure!", "Good question.", "Easy one.", "Here is my answer:",
            "Based on the information given,", "Let me look.", "Hmm."]
TAGS = ["Hope this helps.", "That is all.", "Let me know if you need more.", "I am sure.",
        "Double-checked.", "Thanks!"]
# make_shift.py's working sentences
HELDOUT_LEAD_INS = ["Let me check the question.", "I read it carefully.", "Counting again:", "Working it out:"]
ARITH_FORMS = {"+": ["{n} has {a} {o} and gets {b} more.", "{n} has {a} {o} and buys {b} more.",
                     "{n} had {a} {o}, then found {b} more.", "{n} starts with {a} {o} and is given {b}."],
               "-": ["{n} has {a} {o} and gives away {b}.", "{n} has {a} {o} and loses {b}.",
                     "{n} had {a} {o}, then sold {b}.", "{n} starts with {a} {o} and gives {b} to a friend."],
               "x": ["{n} has {a} bags with {b} {o} in each.", "{n} has {a} boxes of {b} {o}.",
                     "{n} buys {a} packs of {b} {o}.", "{n} has {a} rows of {b} {o}."]}


def vocab(rng, pool, extra, k):
    """k distinct names (or objects): from the fixed pool, or, for a varied pair, from it and the
    extra pool (never the held-out one)."""
    return rng.sample(pool + extra, k)


def answer_text(rng, name, k, obj, working=None):
    """A varied response giving the number k: an answer form, sometimes after a lead-in or the
    working, sometimes followed by a closing sentence."""
    text = rng.choice(ANSWER_FORMS).format(n=name, k=k, o=obj)
    if working and rng.random() < 0.5:
        text = f"{working} {text}"
    elif rng.random() < 0.35:
        text = f"{rng.choice(LEAD_INS)} {text}"
    if rng.random() < 0.2:
        text = f"{text} {rng.choice(TAGS)}"
    return text


def is_heldout(prompt: str) -> bool:
    return int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % 10 == 0


def _say(rng, name, n, obj):
    # A few surface forms so the judge has to find the number, not a fixed offset.
    return rng.choice([f"{name} has {n} {obj}.", f"{n} {obj}.", f"The answer is {n}."])


# How a judgment's analysis states a lookup fact: "sentence" = as the question says it
# ("Ben has 5 pears.", every shipped model up to 2.0.0); "name" = the name, then its number
# ("Ben 5 pears."), the answer of the keyed drill (keyed_text), so the number is asked for at the
# name, where the drill teaches the lookup; "object" = the asked object, then its number
# ("pears 5."), an experiment (model card, "Still below the bar"): it did not make the lookup
# appear in 20 minutes. Held-out files store sentence-style facts, so evaluate.py's synthetic
# critiques of a model of another style mix styles.
LOOKUP_FACT = "sentence"


def lookup_fact(name, n, obj):
    return {"sentence": f"{name} has {n} {obj}.", "name": f"{name} {n} {obj}.", "object": f"{obj} {n}."}[LOOKUP_FACT]


def make_lookup(rng, n_facts=3, varied=None):
    """A lookup pair; the training tasks and the held-out set use three facts, the stress set
    (stress_set) more. varied: varied surface forms (two-digit counts, other phrasings and
    vocabulary, responses with lead-ins); None = with probability VARIED."""
    if varied is None:
        varied = rng.random() < VARIED
    if not varied:
        names = rng.sample(NAMES, n_facts)
        objs = rng.sample(OBJECTS, n_facts)
        nums = rng.sample(range(1, 10), n_facts)
        q = rng.randrange(n_facts)
        facts = " ".join(f"{n} has {k} {o}." for n, k, o in zip(names, nums, objs))
        prompt = f"{facts} How many {objs[q]} does {names[q]} have?"
    else:
        names, objs = vocab(rng, NAMES, EXTRA_NAMES, n_facts), vocab(rng, OBJECTS, EXTRA_OBJECTS, n_facts)
        nums = rng.sample(range(1, 10) if rng.random() < 0.3 else range(0, 100), n_facts)
        q = rng.randrange(n_facts)
        facts = " ".join(rng.choice(FACT_FORMS).format(n=n, k=k, o=o) for n, k, o in zip(names, nums, objs))
        question = rng.choice(QUESTION_FORMS).format(n=names[q], o=objs[q], now="")
        prompt = f"{question} {facts}" if rng.random() < 0.2 else f"{facts} {question}"
    right = nums[q]
    u = rng.random()
    if u < 0.7:
        wrong = nums[rng.choice([i for i in range(n_facts) if i != q])]
    elif varied and u < 0.85:
        wrong = right + rng.choice((-1, 1)) if right > 0 else right + 1  # a near miss
    else:
        wrong = rng.choice([k for k in (range(1, 10) if right < 10 else range(0, 100)) if k != right])
    say = (lambda k: answer_text(rng, names[q], k, objs[q])) if varied else \
        (lambda k: _say(rng, names[q], k, objs[q]))
    return {"subset": "lookup", "prompt": prompt, "answer": right, "wrong": wrong,
            "chosen": say(right), "rejected": say(wrong),
            "fact": lookup_fact(names[q], right, objs[q])}


def make_arith(rng, varied=None):
    """A one-step word problem with single-digit operands; varied: other phrasings, vocabulary and
    responses that may show the working ("3 + 4 = 7, so ..."; a wrong one shows its own)."""
    if varied is None:
        varied = rng.random() < VARIED
    name = rng.choice(NAMES + EXTRA_NAMES if varied else NAMES)
    obj = rng.choice(OBJECTS + EXTRA_OBJECTS if varied else OBJECTS)
    op = rng.choice("+-x")
    if op == "+":
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        r = a + b
        wrong_op = [a * b, a - b]
    elif op == "-":
        a = rng.randint(3, 9)
        b = rng.randint(1, a - 1)
        r = a - b
        wrong_op = [a + b]
    else:
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        r = a * b
        wrong_op = [a + b]
    if not varied:
        prompt = {"+": f"{name} has {a} {obj} and gets {b} more. How many {obj} does {name} have now?",
                  "-": f"{name} has {a} {obj} and gives away {b}. How many {obj} does {name} have now?",
                  "x": f"{name} has {a} bags with {b} {obj} in each. How many {obj} does {name} have?"}[op]
    else:
        story = rng.choice(ARITH_FORMS[op]).format(n=name, a=a, b=b, o=obj)
        question = rng.choice(QUESTION_FORMS).format(n=name, o=obj, now="" if op == "x" else " now")
        prompt = f"{story} {question}"
    cands = [w for w in wrong_op if w != r and w >= 0]
    if cands and rng.random() < 0.4:
        wrong = rng.choice(cands)
    else:
        wrong = rng.choice([w for w in (r - 2, r - 1, r + 1, r + 2) if w >= 0 and w != r])
    if varied:
        sym = {"+": "+", "-": "-", "x": "x"}[op]
        work = lambda k: f"{a} {sym} {b} = {k}, so"  # noqa: E731
        say = lambda k: answer_text(rng, name, k, obj, work(k) if rng.random() < 0.4 else None)  # noqa: E731
    else:
        say = lambda k: _say(rng, name, k, obj)  # noqa: E731
    return {"subset": "arith", "prompt": prompt, "answer": r, "wrong": wrong,
            "chosen": say(r), "rejected": say(wrong), "fact": f"{a}{op}{b}={r}."}


def make_pair(rng, heldout: bool, varied=None):
    """One pair from the requested split (rejection-samples on the hash bucket); varied as in
    make_lookup (the evaluation sets pass False: they keep the fixed forms)."""
    while True:
        ex = make_lookup(rng, varied=varied) if rng.random() < 0.5 else make_arith(rng, varied=varied)
        if is_heldout(ex["prompt"]) == heldout:
            return ex


def _answer_of(ex, resp):
    return ex["answer"] if resp == ex["chosen"] else ex["wrong"]


def analysis_body(ex, r1, r2):
    """The reasoning of the reference judgment: fact, what each response says, the match."""
    return analysis_text(ex["fact"], _answer_of(ex, r1), _answer_of(ex, r2), ex["answer"],
                         1 if r1 == ex["chosen"] else 2)


def analysis_text(fact, a1, a2, value, win):
    """The analysis format, right or wrong: the fact (from 2.0.0 after "Fact: ", so the fact's
    first word is the same BPE token as in the question, " Ben"), what each response says, and
    which response the fact's value matches."""
    return f"Fact: {fact} R1 says {a1}, R2 says {a2}. {value} matches Response {win}."


def judgment_text(body, verdict):
    """A judgment in the response-preference format: analysis, then the verdict naming `verdict`."""
    return (f"<Analysis>{body}</Analysis>"
            f"<Result>Response {verdict} is better than Response {3 - verdict}</Result>")


def judgment(ex, r1, r2):
    """Reference judgment text for responses in the given order (no EOS)."""
    return judgment_text(analysis_body(ex, r1, r2), 1 if r1 == ex["chosen"] else 2)


def wrong_judgment(ex, r1, r2, rng, consistent=False):
    """A wrong judgment of the kinds the model itself writes (sample_reflect.py's samples):
    mostly a wrong fact carrying the wrong response's number, reasoned on consistently to the
    wrong verdict; sometimes a wrong fact with a number neither response has; sometimes the
    right analysis with the verdict flipped. consistent: always the first kind."""
    a1, a2 = _answer_of(ex, r1), _answer_of(ex, r2)
    win = 1 if r1 == ex["chosen"] else 2
    lose = 3 - win
    u = 0.5 if consistent else rng.random()
    if u < 0.2:
        body, verdict = analysis_body(ex, r1, r2), lose
    else:
        if u < 0.8:
            value = ex["wrong"]
        else:
            value = _third_value(ex, rng)
        bad_fact = _with_fact_value(ex, value)
        verdict = lose if u < 0.8 else rng.choice((1, 2))
        body = analysis_text(bad_fact, a1, a2, value, verdict)
    return judgment_text(body, verdict)


def response_prompt(prompt, r1, r2):
    return RESPONSE_TEMPLATE.format(prompt=prompt, response_1=r1, response_2=r2)


def analysis_prompt(prompt, r1, r2, c1, c2):
    return ANALYSIS_TEMPLATE.format(prompt=prompt, response_1=r1, response_2=r2,
                                    critique_1=c1, critique_2=c2)


def critique_target(better: int):
    return f"<Result>Critique {better} is better than Critique {3 - better}</Result>"


def _with_fact_value(ex, value):
    head = ex["fact"][:ex["fact"].rindex(str(ex["answer"]))]
    return head + str(value) + ex["fact"][len(head) + len(str(ex["answer"])):]


def _value_span(ex):
    """Numbers a wrong value is drawn from: lookup counts 1-9 (or 0-99 beyond 9), else near the answer."""
    if ex["subset"] == "lookup":
        return range(1, 10) if max(ex["answer"], ex["wrong"]) < 10 else range(0, 100)
    return range(max(0, ex["answer"] - 4), ex["answer"] + 5)


def _third_value(ex, rng):
    span = _value_span(ex)
    return rng.choice([k for k in span if k not in (ex["answer"], ex["wrong"])])


def critic_target(ex, r1, r2, critique_1):
    """The critic's reference output (judge-tiny 1.2.0 on): its own analysis of the responses,
    what Critique 1 picked, then the verdict: Critique 1 when it picked the response the
    analysis found, else Critique 2 (callers read it back with parse_critique_verdict).

    1.1.0's critic answered the verdict directly and learned only "Critique 1" (98 %): that one
    token has to hold the fact lookup, the match and the mapping to a critique at once, and a
    constant answer already earns half. Written out, the hard step is the fact, the same step as
    in a judgment; the rest is copying and comparing nearby tokens."""
    win = 1 if r1 == ex["chosen"] else 2
    pick = parse_response_verdict(critique_1)
    better = 1 if pick == win else 2
    return (f"<Analysis>{analysis_body(ex, r1, r2)} Critique 1 picks Response {pick}.</Analysis>"
            + critique_target(better))


def critic_text(rng, hidden_share=0.5):
    """(prompt, target) text of one reflection (analysis-preference) example: a judgment
    with the right verdict and one with a wrong verdict (wrong_judgment) of the same ordered
    responses, in random critique order.

    With probability `hidden_share` the right-verdict critique carries a wrong fact too, so the
    true fact is in neither critique. Without that, the critic can restate its analysis by
    copying one critique, and it learns to copy Critique 1 (a first 1.2.0 run, 12 minutes:
    "Critique 1" nearly always, and the judge's own arithmetic fell from 97 % to 78 % as the
    copying habit spread; model card, "Reflection")."""
    ex = make_pair(rng, heldout=False)
    r1, r2 = (ex["chosen"], ex["rejected"]) if rng.random() < 0.5 else (ex["rejected"], ex["chosen"])
    win = 1 if r1 == ex["chosen"] else 2
    if rng.random() < hidden_share:
        v = _third_value(ex, rng)
        a1, a2 = _answer_of(ex, r1), _answer_of(ex, r2)
        right = judgment_text(analysis_text(_with_fact_value(ex, v), a1, a2, v, win), win)
        wrong = wrong_judgment(ex, r1, r2, rng, consistent=True)
    else:
        right, wrong = judgment(ex, r1, r2), wrong_judgment(ex, r1, r2, rng)
        while parse_response_verdict(wrong) == win:  # a wrong fact that still picked right
            wrong = wrong_judgment(ex, r1, r2, rng)
    c1, c2 = (right, wrong) if rng.random() < 0.5 else (wrong, right)
    return analysis_prompt(ex["prompt"], r1, r2, c1, c2), critic_target(ex, r1, r2, c1)


def parse_response_verdict(text):
    """1 or 2 for a well-formed verdict naming the winner, else None."""
    m = RESPONSE_VERDICT_RE.search(text)
    if not m or m.group(1) == m.group(2):
        return None
    return int(m.group(1))


def parse_critique_verdict(text):
    m = CRITIQUE_VERDICT_RE.search(text)
    if not m or m.group(1) == m.group(2):
        return None
    return int(m.group(1))


def use_merges(merges):
    """Install the BPE merges every encode / decode uses from now on ([] = bytes)."""
    global TOKENIZER
    TOKENIZER = bpe.Tokenizer(merges)


def encode(text):
    return TOKENIZER.encode(text)


def decode(ids):
    return TOKENIZER.decode(ids)


def as_ids(prompt, target):
    """A training example's ids from its (prompt, target) text (the *_text generators): BOS +
    prompt, and target + EOS (the loss is on the target)."""
    return [BOS] + encode(prompt), encode(target) + [EOS]


def response_text(rng):
    """(prompt, target) text of one training response-preference example.
    The better response goes first or second with equal probability (position bias)."""
    ex = make_pair(rng, heldout=False)
    if rng.random() < 0.5:
        r1, r2 = ex["chosen"], ex["rejected"]
    else:
        r1, r2 = ex["rejected"], ex["chosen"]
    return response_prompt(ex["prompt"], r1, r2), judgment(ex, r1, r2)


FACT_TEMPLATE = "Question: {prompt}\nFact:"
FACT_WITH_RESPONSES_TEMPLATE = "Question: {prompt}\nResponse 1: {response_1}\nResponse 2: {response_2}\nFact:"


def other_wrong(ex, rng):
    """Another wrong response: the rejected one with a third number in place of its own."""
    taken = {ex["answer"], ex["wrong"]}
    n = rng.choice([k for k in _value_span(ex) if k not in taken])
    # the last occurrence: a varied response may show its working before the answer
    head, sep, tail = ex["rejected"].rpartition(str(ex["wrong"]))
    return head + str(n) + tail if sep else ex["rejected"]


def fact_prompt(ex, r1=None, r2=None):
    if r1 is None:
        return FACT_TEMPLATE.format(prompt=ex["prompt"])
    return FACT_WITH_RESPONSES_TEMPLATE.format(prompt=ex["prompt"], response_1=r1, response_2=r2)


def fact_text(rng, with_responses=0.0):
    """(prompt, target) text of the auxiliary retrieval task: the target is the fact the
    judgment's analysis opens with. A judgment can get its fact number half right by copying
    one of the two responses' numbers (the right answer is always one of them), and the 1.0.0
    model learned exactly that shortcut (held-out lookup 54 %). Here the fact has to be read
    from the question: with no responses in the prompt, or (a share `with_responses` of the
    time) with two responses of which both are wrong half of the time, so copying a
    response's number is no longer a way to the fact. The shipped stage 3 used
    with_responses=0 (question only); the stage-3c experiment 0.7."""
    ex = make_pair(rng, heldout=False)
    if rng.random() >= with_responses:
        p = fact_prompt(ex)
    else:
        pool = [ex["rejected"], other_wrong(ex, rng)]
        if rng.random() < 0.5:
            pool[rng.randrange(2)] = ex["chosen"]
        rng.shuffle(pool)
        p = fact_prompt(ex, *pool)
    return p, " " + ex["fact"]


RECALL_TEMPLATE = "Question: {facts}\nRecall:"


def recall_text(rng):
    """(prompt, target) text of the recall drill (judge-tiny 2.0.0): a training lookup
    question's three facts, then all three restated in a random order. Each restated fact is
    the lookup step alone (name -> its number and object), three times per example and with no
    response to copy a number from; the fact task asks it once per example, among ~6 target
    tokens that are copies. (It did not teach the lookup either: model card, "Still below the
    bar".)"""
    while True:
        ex = make_lookup(rng)
        if not is_heldout(ex["prompt"]):
            break
    facts = ex["prompt"][:ex["prompt"].index(" How many")]
    sentences = [f + "." for f in facts.rstrip(".").split(". ")]
    if LOOKUP_FACT != "sentence":
        sentences = [lookup_fact(*re.fullmatch(r"(\w+) has (\d+) (\w+)\.", t).groups()) for t in sentences]
    rng.shuffle(sentences)
    return RECALL_TEMPLATE.format(facts=facts), " " + " ".join(sentences)


def span(text):
    """"MIN-MAX" (an argparse type: facts per keyed-drill row) -> (min, max)."""
    lo, hi = (int(x) for x in text.split("-"))
    return lo, hi


def keyed_text(rng, max_facts=6, queries=4, style="name", min_facts=3):
    """(prompt, target) text of the keyed drill (probe_lookup.py --drill): min_facts to max_facts
    facts, then `queries` of them, distinct, each asked by its name and answered with its
    number (style "name": " Ben 5."; "sentence": the whole fact, " Ben has 5 pears."; "object":
    " pears 5."). Unlike the recall drill every answer needs the lookup: with more facts than
    asked for and numbers drawn with replacement, neither "one of the prompt's numbers" nor
    "the number not said yet" gets far. Fact sets of three that a held-out lookup question
    opens with are rejected."""
    varied = rng.random() < VARIED  # varied: the varied vocabulary, fact forms and 0-99 counts
    while True:
        f = rng.randint(min_facts, max_facts)
        if varied:
            names, objs = vocab(rng, NAMES, EXTRA_NAMES, f), vocab(rng, OBJECTS, EXTRA_OBJECTS, f)
            nums = [rng.randint(0, 99) for _ in range(f)]
            facts = " ".join(rng.choice(FACT_FORMS).format(n=n, k=k, o=o) for n, k, o in zip(names, nums, objs))
            break
        names, objs = rng.sample(NAMES, f), rng.sample(OBJECTS, f)
        nums = [rng.randint(1, 9) for _ in range(f)]
        facts = " ".join(f"{n} has {k} {o}." for n, k, o in zip(names, nums, objs))
        if f > 3 or not any(is_heldout(f"{facts} How many {o} does {n} have?") for n, o in zip(names, objs)):
            break
    answer = {"name": "{n} {k}.", "sentence": "{n} has {k} {o}.", "object": "{o} {k}."}[style]
    asked = rng.sample(range(f), min(f, queries))
    return (RECALL_TEMPLATE.format(facts=facts),
            "".join(" " + answer.format(n=names[i], k=nums[i], o=objs[i]) for i in asked))


def heldout_set(n=400, seed=20261122):
    """RewardBench-shaped held-out pairs: half lookup, half arith, fixed seed."""
    rng = random.Random(seed)
    out, seen = [], set()
    per = {"lookup": n // 2, "arith": n - n // 2}
    counts = {"lookup": 0, "arith": 0}
    while len(out) < n:
        ex = make_pair(rng, heldout=True, varied=False)
        s = ex["subset"]
        if counts[s] >= per[s] or ex["prompt"] in seen:
            continue
        seen.add(ex["prompt"])
        counts[s] += 1
        out.append(_eval_row(f"heldout-{s}-{counts[s]:04d}", s, ex))
    return out


def _eval_row(row_id, subset, ex):
    """A RewardBench-shaped row; the extra fields (ignored by RewardBench-style readers) let
    evaluation rebuild the reference judgment."""
    return {"id": row_id, "prompt": ex["prompt"], "chosen": ex["chosen"], "rejected": ex["rejected"],
            "subset": subset, "answer": ex["answer"], "wrong": ex["wrong"], "fact": ex["fact"]}


def stress_set(n=400, seed=20261203, facts=(4, 5, 6)):
    """RewardBench-shaped lookup pairs with more facts than the judge was trained to judge
    (`lookup4` .. `lookup6`, equal shares): harder than the held-out set, for comparing the judge
    modes where the model is not always right. Held-out questions only (same hash bucket)."""
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        f = facts[len(out) * len(facts) // n]
        ex = make_lookup(rng, f, varied=False)
        if not is_heldout(ex["prompt"]) or ex["prompt"] in seen:
            continue
        seen.add(ex["prompt"])
        out.append(_eval_row(f"stress-lookup{f}-{len(out) + 1:04d}", f"lookup{f}", ex))
    return out


def validation_set(n=200, seed=7, varied=False):
    """Pairs from the *training* distribution (never held-out questions), for choosing
    settings such as the sampling temperature without looking at the held-out set; varied: the
    varied surface forms only (the training vocabulary and phrasings, not the held-out ones)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        ex = make_pair(rng, heldout=False, varied=varied)
        out.append({"id": f"val-{ex['subset']}-{k:04d}", "prompt": ex["prompt"],
                    "chosen": ex["chosen"], "rejected": ex["rejected"], "subset": ex["subset"],
                    "answer": ex["answer"], "wrong": ex["wrong"], "fact": ex["fact"]})
    return out


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def group_set(rows, size, seed=20261204):
    """Rollout groups for ranking evaluation, made from held-out pairs: each group keeps the
    row's prompt, its right response (`chosen`) and wrong one (`rejected`), and adds responses
    right or wrong in other ways, in the same surface forms: the chosen sentence with another
    number, "The answer is N." or "N." with the right or a wrong number. About a third are
    right (at most 3 right texts exist per row, so groups over 9 are mostly wrong); all texts
    differ. Responses are shuffled with the seed; `correct` marks the truth.
    Same held-out prompts as heldout.jsonl, so nothing here was trained on."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        answer = row["answer"]
        number = re.compile(r"\b" + str(answer) + r"\b")

        def forms(n):
            sentence = [number.sub(str(n), row["chosen"])] if number.search(row["chosen"]) else []
            other = [f"The answer is {n}.", f"{n}."]
            rng.shuffle(other)
            return sentence + other if rng.random() < 0.5 else other + sentence

        n_right = max(1, round(size / 3))
        right, wrong = [row["chosen"]], [row["rejected"]]
        for text in forms(answer):
            if len(right) < n_right and text not in right + wrong:
                right.append(text)
        for w in (row["wrong"], answer + 1, answer - 1, answer + 2, answer + 10, answer * 2,
                  answer + 3, answer - 2, answer + 5, answer + 20):
            for text in forms(w) if w > 0 and w != answer else []:
                if len(wrong) < size - len(right) and text not in right + wrong:
                    wrong.append(text)
                    if size <= 8:  # one form per wrong number; bigger groups need them all
                        break
        if len(right) + len(wrong) < size:
            continue
        texts = [(t, True) for t in right] + [(t, False) for t in wrong]
        rng.shuffle(texts)
        out.append({"id": row["id"].replace("heldout", f"group{size}"), "prompt": row["prompt"],
                    "subset": row["subset"],
                    "responses": [{"response_id": f"r{k}", "text": t, "correct": c}
                                  for k, (t, c) in enumerate(texts)]})
    return out


def example_texts(rng):
    """Prompt and target text of one example of each training task (bpe.py learns its merges
    on these)."""
    out = []
    for p, t in (response_text(rng), fact_text(rng, 0.5), critic_text(rng)):
        out += [p, t]
    return out


if __name__ == "__main__":
    rng = random.Random(0)
    for _ in range(4):
        p, t = as_ids(*response_text(rng))
        print(decode(p) + decode(t), len(p), len(t))
        print("---")
