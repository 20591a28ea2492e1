"""DPO benchmark: the from-scratch loss against trl's on one batch (each loss type), and 30 DPOTrainer steps on
handbook-tiny-sft with the held-out reward accuracy they reach.

    python benchmarks/dpo.py
"""
import tempfile, time, torch
from course_lib.core import print_table
from course_lib.dpo import LOSS_TYPES, dpo_loss, make_dpo_trainer, preference_metrics, sequence_logps
from course_lib.instruct import make_preference_dataset, split_dataset
from course_lib.sft import SFTRecipe, load_sft_model

if __name__ == "__main__":
    prefs = split_dataset(make_preference_dataset(360, families=SFTRecipe().families, seed=0), test_size=0.25, seed=0)
    model, tok = load_sft_model("cpu")
    with tempfile.TemporaryDirectory() as tmp:
        trainer = make_dpo_trainer(model, tok, prefs["train"], tmp, max_steps=30, progress=False)
        inputs = next(iter(trainer.get_train_dataloader()))
        with torch.no_grad():
            for p in trainer.model.parameters(): p.add_(torch.randn_like(p) * 0.02)
            pol, ref = sequence_logps(trainer.model, inputs), sequence_logps(trainer.ref_model, inputs)
            n, lengths, rows = len(pol) // 2, inputs["completion_mask"].sum(1), []
            for lt in LOSS_TYPES:
                trainer.loss_types, trainer.loss_weights = [lt], [1.0]
                theirs = trainer.compute_loss(trainer.model, inputs).item()
                ours = dpo_loss(pol[:n], pol[n:], ref[:n], ref[n:], trainer.beta, lt, lengths[:n], lengths[n:])[0].mean().item()
                rows.append({"loss_type": lt, "trl": f"{theirs:.6f}", "dpo_loss": f"{ours:.6f}", "abs diff": f"{abs(theirs - ours):.1e}"})
        print_table(rows)
    model, _ = load_sft_model("cpu")
    with tempfile.TemporaryDirectory() as tmp:
        trainer = make_dpo_trainer(model, tok, prefs["train"], tmp, max_steps=30, sft_weight=1.0, progress=False)
        t0 = time.time(); trainer.train(); dt = time.time() - t0
    acc = preference_metrics(trainer.model, load_sft_model("cpu")[0], tok, prefs["test"])["all"]
    print(f"DPOTrainer: 30 steps in {dt:.1f}s; held-out reward accuracy {acc['reward accuracy']:.0%}, margin {acc['margin']:.2f}")
