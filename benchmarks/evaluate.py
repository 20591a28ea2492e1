"""Evaluation benchmark: agreement of the course's BLEU / ROUGE with sacrebleu / rouge-score on many random cases
(and their speed), text perplexity vs lesson 04's block perplexity, the multiple-choice harness and the prompting
table for every course model present.

    python benchmarks/evaluate.py
"""
import random, time, torch
from rouge_score import rouge_scorer
from course_lib.core import print_table
from course_lib.evaluate import bleu, rouge, perplexity, random_corpus, sacrebleu_bleu
from course_lib.harness import accuracy_table, course_models, load_questions, multiple_choice_eval, prompting_eval
from course_lib.pretrain import load_validation_blocks, perplexity as block_perplexity

def agreement(n_bleu:int=5000, n_rouge:int=5000) -> list[dict]:
    "Max differences vs the reference libraries, and the time per call of each side."
    rng = random.Random(0)
    corpora = [random_corpus(rng) for _ in range(n_bleu)]
    t0 = time.perf_counter(); ours = [bleu(h, r) for h, r in corpora]; t1 = time.perf_counter()
    ref = [sacrebleu_bleu(h, r) for h, r in corpora]; t2 = time.perf_counter()
    rows = [{"metric": "BLEU (corpus)", "cases": n_bleu, "max |diff|": max(abs(a - b) for a, b in zip(ours, ref)),
             "ours (ms/call)": 1e3 * (t1 - t0) / n_bleu, "library (ms/call)": 1e3 * (t2 - t1) / n_bleu}]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    pairs = [(h[0], r[0][0]) for h, r in (random_corpus(rng) for _ in range(n_rouge))]
    t0 = time.perf_counter(); ours = [rouge(h, r) for h, r in pairs]; t1 = time.perf_counter()
    ref = [scorer.score(r, h) for h, r in pairs]; t2 = time.perf_counter()
    rows.append({"metric": "ROUGE-1/2/L", "cases": n_rouge, "max |diff|": max(abs(o[k] - s[k].fmeasure) for o, s in zip(ours, ref) for k in o),
                 "ours (ms/call)": 1e3 * (t1 - t0) / n_rouge, "library (ms/call)": 1e3 * (t2 - t1) / n_rouge})
    return rows

if __name__ == "__main__":
    torch.set_num_threads(1)
    print_table(agreement(), 6)
    models = course_models("cpu")
    model, tok = models["base"]
    blocks = load_validation_blocks()[:32]
    texts = [tok.decode(b) for b in blocks]
    keep = [i for i, t in enumerate(texts) if tok.encode(t) == blocks[i].tolist()]
    print(f"\nperplexity on {len(keep)} validation blocks: text-level {perplexity(model, tok, [texts[i] for i in keep], bos=False):.4f}, "
          f"lesson 04 block-level {block_perplexity(model, blocks[keep]):.4f}")
    questions = load_questions()
    for name, (m, t) in models.items():
        t0 = time.time(); rows = multiple_choice_eval(m, t, questions, chat=(name == "sft"))
        print(f"\n{name}: multiple choice ({time.time() - t0:.1f}s)"); print_table(accuracy_table(rows))
        t0 = time.time(); table, _ = prompting_eval(m, t, n_per_family=20, chat=(name == "sft"))
        print(f"{name}: prompting, exact match, 20 questions per family ({time.time() - t0:.1f}s)"); print_table(table, 2)
