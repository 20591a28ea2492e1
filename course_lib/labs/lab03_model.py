"""Checks of lab 03_model (the lesson's module: `course_lib.model`). Hand-written, not exported: the library holds only
what a practitioner imports. Two references live here because the lesson module has no function of that shape:
`rename_hf_state_dict_reference` (a whole transformers state dict to our names) and `decoder_run` (the harness that
builds a decoder class, loads a state dict strictly and returns its logits and parameter count)."""
from __future__ import annotations
import json
from functools import lru_cache
import torch
from course_lib.core import asset_path
from course_lib.labs.lab02_attention import one_thread
from course_lib.model import (Block, Decoder, ModelConfig, block_output, count_parameters, rename_params,
                              rms_norm, swiglu)
from course_lib.attention import seeded_randn as randn  # reproducible inputs, the global seed untouched

LAB_CONFIGS = {
    "mha": ModelConfig(vocab_size=50, d_model=16, n_layers=1, n_heads=4, d_ff=32, max_seq_len=8),
    "gqa": ModelConfig(vocab_size=50, d_model=32, n_layers=1, n_heads=4, n_kv_heads=2, d_ff=48, max_seq_len=8),
    "eps": ModelConfig(vocab_size=50, d_model=16, n_layers=1, n_heads=2, d_ff=32, max_seq_len=8, norm_eps=0.5)}


def tiny_config() -> ModelConfig:
    "handbook-tiny's shape, read from its config.json (without transformers)."
    c = json.loads(asset_path("handbook-tiny/config.json").read_text())
    return ModelConfig(vocab_size=c["vocab_size"], d_model=c["hidden_size"], n_layers=c["num_hidden_layers"],
                       n_heads=c["num_attention_heads"], n_kv_heads=c["num_key_value_heads"],
                       d_ff=c["intermediate_size"], max_seq_len=c["max_position_embeddings"],
                       rope_theta=float(c["rope_parameters"]["rope_theta"]), norm_eps=c["rms_norm_eps"],
                       tie_embeddings=c["tie_word_embeddings"])


def tiny_hf_state_dict() -> dict:
    "handbook-tiny's weights under transformers' names (the tied lm_head.weight is not stored in the file)."
    from safetensors.torch import load_file
    return load_file(asset_path("handbook-tiny/model.safetensors"))


def rename_hf_state_dict_reference(state:dict) -> dict:
    "A transformers LlamaForCausalLM state dict under our Decoder's names (the tensors themselves unchanged)."
    return {rename_params(name, to_hf=False): tensor for name, tensor in state.items()}


@lru_cache(maxsize=1)
def _tiny_state() -> dict:
    "handbook-tiny's weights under our names, the tied head included (read once: cases name it, not copy it)."
    state = rename_hf_state_dict_reference(tiny_hf_state_dict())
    state["lm_head.weight"] = state["embed.weight"]
    return state


def decoder_run(cls, cfg:ModelConfig, state:dict|str, ids:torch.Tensor) -> tuple:
    "Build `cls(cfg)`, load `state` strictly ('handbook-tiny': its weights), run `ids`: (logits, parameter count)."
    if state == "handbook-tiny": state = dict(_tiny_state())
    with one_thread():
        model = cls(cfg)
        model.load_state_dict(state, strict=True)
        model.eval()
        with torch.no_grad():
            logits = model(ids)
    return logits, sum(p.numel() for p in model.parameters())


def block_run(cls, cfg:ModelConfig) -> torch.Tensor:
    "A block of `cls` for `cfg`, filled from a fixed seed by parameter name and run on a fixed input."
    with one_thread():
        return block_output(cls(cfg), cfg)


def _state(cfg:ModelConfig, seed:int) -> dict:
    "Our Decoder's state dict for cfg, from a seed (norm gains moved away from 1 so that they matter)."
    torch.manual_seed(seed)
    model = Decoder(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1: p.add_(randn(*p.shape, seed=seed + len(name)) * 0.2)
    return {k: v.clone() for k, v in model.state_dict().items()}


def _hf_state(cfg:ModelConfig, seed:int) -> dict:
    return {rename_params(k): v for k, v in _state(cfg, seed).items()}


def _decoder_checks(Check, Case) -> list:
    small = ModelConfig(vocab_size=40, d_model=16, n_layers=2, n_heads=4, d_ff=32, max_seq_len=12)
    gqa = ModelConfig(vocab_size=40, d_model=32, n_layers=2, n_heads=4, n_kv_heads=2, d_ff=48, max_seq_len=12,
                      tie_embeddings=False, norm_eps=1e-6, rope_theta=500000.0)
    tiny = tiny_config()
    ids = torch.randint(0, 40, (2, 7), generator=torch.Generator().manual_seed(1))
    tiny_ids = torch.randint(0, tiny.vocab_size, (1, 12), generator=torch.Generator().manual_seed(2))
    forbid = (Decoder, Block)
    mqa = ModelConfig(vocab_size=30, d_model=24, n_layers=3, n_heads=3, n_kv_heads=1, d_ff=40, max_seq_len=9,
                      rope_theta=1000.0)
    hint = ("embed, run every block with the RoPE tables of positions 0..T-1, final norm, head; tie the head to the "
            "embedding when cfg.tie_embeddings; refuse a context longer than cfg.max_seq_len")
    return [
        Check("Decoder", Decoder, points=3, tol=1e-4, harness=decoder_run, forbid=forbid, hint=hint, cases=[
            Case("2 layers, 4 heads, tied embeddings", (small, _state(small, 3), ids)),
            Case("2 layers, GQA 4/2, untied head, eps 1e-6, theta 500000", (gqa, _state(gqa, 4), ids)),
            Case("handbook-tiny's own weights", (tiny, "handbook-tiny", tiny_ids)),
            Case("a context of exactly max_seq_len tokens", (small, _state(small, 9), torch.arange(12).view(1, 12))),
            Case("a context longer than max_seq_len is a ValueError", (small, _state(small, 3),
                 torch.zeros(1, 13, dtype=torch.long)), raises="ValueError", match="max_seq_len")]),
        Check("Decoder (hidden)", Decoder, points=1, tol=1e-4, harness=decoder_run, forbid=forbid, hint=hint,
              hidden=True, func="Decoder", cases=[
            Case("3 layers, multi-query attention, theta 1000, a full context",
                 (mqa, _state(mqa, 5), torch.arange(18).view(2, 9) % 30))]),
    ]


def _rename_checks(Check, Case) -> list:
    one = ModelConfig(vocab_size=20, d_model=8, n_layers=1, n_heads=2, d_ff=16, max_seq_len=4)
    untied = ModelConfig(vocab_size=20, d_model=8, n_layers=2, n_heads=2, d_ff=16, max_seq_len=4, tie_embeddings=False)
    deep = ModelConfig(vocab_size=20, d_model=8, n_layers=12, n_heads=2, n_kv_heads=1, d_ff=16, max_seq_len=4)
    hint = ("transformers nests everything but the head under 'model.'; its layers are 'layers.N' with "
            "'self_attn', 'input_layernorm' and 'post_attention_layernorm'; N can have several digits")
    return [Check("rename_hf_state_dict", rename_hf_state_dict_reference, points=1, hint=hint, cases=[
        Case("1 layer, tied (no lm_head)", ({k: v for k, v in _hf_state(one, 6).items() if k != "lm_head.weight"},)),
        Case("2 layers, untied head", (_hf_state(untied, 7),)),
        Case("12 layers (two-digit layer numbers)", (_hf_state(deep, 8),))])]


def lab_checks() -> list:
    "The checks of lab 03 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    return [
        Check("rms_norm", rms_norm, points=1, tol=1e-5, hint="divide by the root of the mean square over the last dim "
              "plus eps; then scale by the gain", cases=[
            Case("a small row", (torch.tensor([[3.0, 4.0]]), torch.ones(2))),
            Case("a learned gain", (randn(2, 3, 8, seed=1), randn(8, seed=2))),
            Case("large values, eps=1e-6", (randn(4, 8, seed=3) * 1e4, torch.ones(8)), {"eps": 1e-6}),
            Case("small activations, where eps matters", (randn(3, 8, seed=4) * 1e-3, randn(8, seed=5))),
            Case("a row of zeros", (torch.zeros(2, 4), torch.ones(4)))]),
        Check("swiglu", swiglu, points=1, tol=1e-5, hint="the gate projection goes through SiLU and multiplies the up "
              "projection elementwise; then the down projection", cases=[
            Case("width 4, hidden 6", (randn(3, 4, seed=4), randn(6, 4, seed=5), randn(6, 4, seed=6),
                                       randn(4, 6, seed=7))),
            Case("a batch of sequences", (randn(2, 3, 8, seed=8), randn(16, 8, seed=9), randn(16, 8, seed=10),
                                          randn(8, 16, seed=12)))]),
        Check("Block", Block, points=2, tol=1e-4, harness=block_run,
              hint="two residual lines, each normalising its input first; the norms use cfg.norm_eps; name the parts "
                   "attn_norm, attn, mlp_norm, mlp (gate_proj, up_proj, down_proj)",
              cases=[Case("width 16, 4 heads", (LAB_CONFIGS["mha"],)),
                     Case("width 16, 2 heads, norm_eps 0.5", (LAB_CONFIGS["eps"],))]),
        Check("count_parameters", count_parameters, points=1, output=lambda r: r["total"] if isinstance(r, dict) else r,
              hint="embedding + per layer (q, k, v, o, gate, up, down, 2 norms) + final norm + head unless tied",
              cases=[
            Case("the default config", (ModelConfig(),)),
            Case("GQA, untied", (ModelConfig(n_kv_heads=2, tie_embeddings=False),)),
            Case("a lab config", (LAB_CONFIGS["gqa"],)), Case("handbook-tiny", (tiny_config(),))]),
        *_rename_checks(Check, Case),
        *_decoder_checks(Check, Case),
        Check("Block (hidden)", Block, points=1, hidden=True, func="Block", tol=1e-4, harness=block_run,
              hint="grouped-query attention: n_kv_heads < n_heads", cases=[
            Case("width 32, 4 heads, 2 kv heads", (LAB_CONFIGS["gqa"],))]),
    ]
