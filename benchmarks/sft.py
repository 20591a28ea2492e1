"""SFT benchmark: held-out exact match per task family of the base model and of the shipped handbook-tiny-sft
(against the values recorded when it was built), and the speed of trl's SFTTrainer on this machine.

    python benchmarks/sft.py
"""
import tempfile, time, torch
from course_lib.core import print_table
from course_lib.pretrain import load_base_model
from course_lib.sft import SFTRecipe, family_exact_match, load_sft_model, make_sft_trainer, sft_metrics, sft_splits

if __name__ == "__main__":
    recipe, m = SFTRecipe(), sft_metrics()
    test = sft_splits(recipe)["test"]
    base, tok = load_base_model("cpu"); sft, _ = load_sft_model("cpu")
    before, after = family_exact_match(base, tok, test), family_exact_match(sft, tok, test)
    print_table([{"family": f, "base": f"{before[f]:.0%}", "handbook-tiny-sft": f"{after[f]:.0%}",
                  "recorded": f"{m['exact_match_after'][f]:.0%}"} for f in after])
    print(f"handbook-tiny-sft was built in {m['seconds']:.0f}s ({recipe.max_steps} steps, {m['threads']} thread(s))")
    with tempfile.TemporaryDirectory() as tmp:
        trainer = make_sft_trainer(load_base_model("cpu")[0], tok, sft_splits(recipe)["train"], SFTRecipe(max_steps=30), tmp, progress=False)
        t0 = time.time(); trainer.train(); dt = time.time() - t0
    print(f"SFTTrainer: 30 steps of {recipe.batch_size} conversations in {dt:.1f}s ({torch.get_num_threads()} threads)")
