"""Quantization benchmark: bytes, validation perplexity and tokens/s of handbook-tiny in fp32 / bf16 / int8 /
int4 RTN / int4 GPTQ-style and the torchao / bitsandbytes references (the table of nbs/10a_quantized_models.ipynb).

    python benchmarks/quantize.py [--group-size 64] [--new-tokens 32]
"""
import argparse, time, torch
from course_lib.core import print_table
from course_lib.pretrain import load_base_model, load_validation_blocks
from course_lib.quantize import calibration_blocks
from course_lib.quantized import quantization_table, quiet_libraries

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--group-size", type=int, default=64, help="weights per group for the int4 methods")
    ap.add_argument("--new-tokens", type=int, default=32, help="tokens generated per tokens/s measurement")
    a = ap.parse_args()
    torch.set_num_threads(1)  # the matrices are tiny: one thread is fastest (see nbs/10a_quantized_models.ipynb)
    t0 = time.time()
    with quiet_libraries(): model, tok = load_base_model("cpu")
    val = load_validation_blocks()
    rows = quantization_table(model, tok, val, calibration_blocks(8), group_size=a.group_size, n_new=a.new_tokens)
    print_table(rows)
    d = {r["method"]: float(r["vs fp32"].rstrip("%")) for r in rows}
    print(f"goals: int8 <= +1%: {d['int8'] <= 1} ({d['int8']:+.2f}%), int4 <= +5%: {d['int4'] <= 5} ({d['int4']:+.2f}%), "
          f"GPTQ-style < RTN: {d['int4-gptq'] < d['int4']} ({d['int4-gptq']:+.2f}% vs {d['int4']:+.2f}%); "
          f"{len(val)} validation blocks, {time.time() - t0:.0f}s")
