"""Plausible wrong answers to lab 20d, each written the way a student might; the grader proves each loses visible
points. They use the names the solution's notebook defines (Path, FIELDS, REFUSAL, read_jsonl, write_jsonl, ...)."""

def _write_features(folder, train, chunks, topic_of=lambda t: t["topic"], write=write_jsonl):
    "Shared by the feature mistakes: the solution's three files for `train`, the assistant's target from `topic_of`."
    folder, rng = Path(folder), random.Random(0)
    folder.mkdir(parents=True, exist_ok=True)
    sft = [{"messages": to_messages(t["ticket"], topic_of(t))} for t in train]
    prefs = [{"prompt": [{"role": "user", "content": t["ticket"]}],
              "chosen": [{"role": "assistant", "content": topic_of(t)}],
              "rejected": [{"role": "assistant", "content": rng.choice(list(FIELDS)) if t["topic"] == "refuse"
                            else "refuse"}]} for t in train]
    for n, rows in (("sft.jsonl", sft), ("prefs.jsonl", prefs),
                    ("chunks.jsonl", [{"text": c.text, "metadata": c.metadata} for c in chunks])):
        write(folder / n, rows)

@mistake("feature_pipeline")
def every_ticket_trained_on(folder, tickets, chunks):
    "Trains on every ticket, test, hidden and paraphrase ones included (the test set leaks into training)."
    _write_features(folder, tickets, chunks)

@mistake("feature_pipeline")
def unsafe_tickets_dropped(folder, tickets, chunks):
    "Keeps only answerable tickets: the model never sees a refusal, so it answers unsafe requests."
    _write_features(folder, [t for t in tickets if t["split"] == "train" and t["topic"] != "refuse"], chunks)

@mistake("feature_pipeline")
def answers_instead_of_topics(folder, tickets, chunks):
    "Teaches the model to write the answer sentence itself instead of naming the topic the pipeline routes on."
    quote = {c.metadata["source"]: c.metadata["quote"] for c in chunks}
    _write_features(folder, [t for t in tickets if t["split"] == "train"], chunks,
                    lambda t: quote.get(t["chunk"], REFUSAL))

@mistake("feature_pipeline")
def rewritten_every_run(folder, tickets, chunks):
    "Writes the files on every run, changed or not: a rerun rewrites everything and all downstream work is redone."
    _write_features(folder, [t for t in tickets if t["split"] == "train"], chunks,
                    write=lambda path, rows: path.write_text("".join(json.dumps(x) + "\n" for x in rows)))

def _train(features, folder, lr=2e-3, assistant_only=True, save_tokenizer=True):
    "Shared by the training mistakes: the solution's recipe with one setting changed."
    from datasets import Dataset
    from course_lib.core import atomic_output
    from course_lib.dpo import make_dpo_trainer
    from course_lib.sft import SFTRecipe, load_sft_model, make_sft_trainer
    features, folder = Path(features), Path(folder)
    model, tok = load_sft_model()
    with tempfile.TemporaryDirectory() as tmp:
        sft = make_sft_trainer(model, tok, Dataset.from_list(read_jsonl(features / "sft.jsonl")),
                               SFTRecipe(max_steps=60, lr=lr, batch_size=16, max_length=64), tmp, progress=False,
                               assistant_only_loss=assistant_only)
        sft.train()
        dpo = make_dpo_trainer(sft.model, tok, Dataset.from_list(read_jsonl(features / "prefs.jsonl")), tmp,
                               max_steps=10, progress=False)
        dpo.train()
    with atomic_output(folder, is_dir=True) as tmp:
        dpo.model.save_pretrained(tmp)
        if save_tokenizer: tok.save_pretrained(tmp)

@mistake("training_pipeline")
def loss_on_every_token(features, folder):
    "Computes the loss on the ticket's tokens too (no assistant-only loss): the gradient goes to the customers' words."
    _train(features, folder, assistant_only=False)

@mistake("training_pipeline")
def default_learning_rate(features, folder):
    "Keeps trl's default learning rate (2e-5), made for billion-parameter models: 60 steps barely move a tiny one."
    _train(features, folder, lr=2e-5)

@mistake("training_pipeline")
def tokenizer_not_saved(features, folder):
    "Saves the weights only: nothing can load the folder as a model with its tokenizer and chat template."
    _train(features, folder, save_tokenizer=False)

def _answers(model_folder, features, cite=True, guard=True, escape=True, refuse=True, by_topic=True):
    "Shared by the inference mistakes: the solution's pipeline with one part left out."
    from course_lib.base_model import load_llama
    from course_lib.rag import BM25, words
    from course_lib.security import HeuristicDetector, strip_external_links
    from course_lib.sft import greedy_answers
    model, tok = load_llama(model_folder)
    rows = read_jsonl(Path(features) / "chunks.jsonl")
    if guard:
        bad = HeuristicDetector().predict([r["text"] for r in rows])
        rows = [r for r, b in zip(rows, bad) if r["metadata"].get("origin") == "acme" or not b]
    bm25 = BM25([words(r["text"]) for r in rows])

    def reply(ticket, topic):
        idx = [i for i, r in enumerate(rows) if r["metadata"].get("topic") == topic or not by_topic]
        if refuse and topic not in FIELDS:
            return REFUSAL
        scores = bm25.scores(words(ticket))
        meta = rows[max(idx or range(len(rows)), key=lambda i: scores[i])]["metadata"]
        text = meta["quote"] + (f" [{meta['source']}]" if cite else "")
        return html.escape(strip_external_links(text), quote=False) if escape else text

    def answers(tickets):
        return [reply(t, topic) for t, topic in zip(tickets, greedy_answers(model, tok, tickets, max_new_tokens=8))]
    return answers

@mistake("inference_pipeline")
def no_citation(model_folder, features):
    "Quotes the right chunk but does not cite it: nothing lets a reader check the answer."
    return _answers(model_folder, features, cite=False)

@mistake("inference_pipeline")
def no_injection_defence(model_folder, features):
    "Trusts every chunk and shows the reply as it is: planted posts reach the customer."
    return _answers(model_folder, features, guard=False, escape=False)

@mistake("inference_pipeline")
def escaped_but_unfiltered(model_folder, features):
    "Escapes the reply and strips links but keeps the flagged uploads: the attacker's own words still reach customers."
    return _answers(model_folder, features, guard=False)

@mistake("inference_pipeline")
def never_refuses(model_folder, features):
    "Answers every ticket with the best chunk, even when the model said 'refuse'."
    return _answers(model_folder, features, refuse=False, by_topic=False)

@mistake("inference_pipeline")
def topic_ignored_in_search(model_folder, features):
    "Searches all chunks with the ticket's words, not the chunks of the model's topic: synonyms find the wrong fact."
    return _answers(model_folder, features, by_topic=False)

@mistake("acme_model_card")
def card_without_limitations(report, training):
    "Leaves out the Limitations section (lesson 17: what the model cannot do is part of the card)."
    return acme_model_card(report, training).split("## Limitations")[0]

@mistake("acme_model_card")
def card_with_fractions(report, training):
    "Writes the rates as fractions (0.9917) instead of percentages: the card's readers misread them."
    text = acme_model_card(report, training)
    for m in ("exact_match", "faithfulness", "refusal_rate", "false_refusal_rate", "attack_success_rate"):
        text = text.replace(f"{100 * report[m]:.1f}%", f"{report[m]}")
    return text

@mistake("acme_model_card")
def card_with_numbers_typed_in(report, training):
    "Types the notebook's own numbers into the card instead of reading them from its arguments."
    return acme_model_card({**report, "exact_match": 1.0, "faithfulness": 1.0, "refusal_rate": 1.0,
                            "false_refusal_rate": 0.0, "attack_success_rate": 0.0, "tickets": 450,
                            "latency_ms": 15.0}, training)

@mistake("acme_model_card")
def card_without_training_settings(report, training):
    "Describes the model without the settings it was trained with (the run cannot be reproduced from the card)."
    return acme_model_card(report, {**training, "key": {k: "?" for k in training["key"]}})
