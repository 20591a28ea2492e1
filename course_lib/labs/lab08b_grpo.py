"""Checks of lab 08b_grpo (the lesson's module: `course_lib.grpo`): the group-relative advantage of GRPO in its three
scale modes, the valid-JSON format reward on well-formed and malformed replies, and the share of groups that carry no
learning signal, each compared with a reference on visible and hidden cases. Hand-written, not exported: the library
holds only what a practitioner imports. Calling the lesson's functions scores 0."""
from __future__ import annotations
import torch
from course_lib import grpo as lesson


# --- the references, in the lab's signatures -------------------------------------------------------------------------
def group_advantages(rewards, num_generations:int, scale:str="group") -> torch.Tensor:
    "The lesson's advantages: minus the group mean, over the group's (or the batch's) sample std + 1e-4, or not scaled."
    return lesson.group_advantages(rewards, num_generations, scale)


def json_score(question:str, response:str) -> float:
    "The lesson's format credit: 0 not a JSON object, 0.25 an object, 0.5 an object with exactly the question's keys."
    return lesson.json_score(question, response)


def no_signal_fraction(rewards, num_generations:int) -> float:
    "The share of groups (consecutive runs of num_generations rewards) whose rewards are all equal."
    r = torch.as_tensor(rewards, dtype=torch.float32).view(-1, num_generations)
    return (r == r[:, :1]).all(1).float().mean().item()


def _forbid(*ours) -> tuple:
    "The lesson's functions: calling any of them scores 0."
    return (*ours, lesson.group_advantages, lesson.json_score, lesson.verifiable_reward, lesson.json_reward,
            lesson.exact_reward)


def _t(*xs) -> torch.Tensor: return torch.tensor(xs, dtype=torch.float32)


def _advantage_checks(Check, Case) -> list:
    g = torch.Generator().manual_seed(0)
    binary = (torch.rand(32, generator=g) < 0.6).float()        # 4 groups of 8 exact-match rewards
    mixed = torch.rand(24, generator=g).mul(1.5).round(decimals=2)
    cases = [Case("two groups of 2, one right and one wrong answer each", (_t(1, 0, 0, 1), 2)),
             Case("groups of 4 with different spreads: (1, 0, 0, 0) and (1, 1, 1, 0)", (_t(1, 0, 0, 0, 1, 1, 1, 0), 4)),
             Case("a group whose 4 rewards are all 1 (no signal), then a mixed one",
                  (_t(1, 1, 1, 1, 0, 0.5, 1, 1.5), 4)),
             Case("rewards as a plain list of 6, groups of 3", ([0.0, 0.25, 1.5, 1.0, 1.0, 0.0], 3)),
             Case("4 groups of 8 exact-match rewards (0 or 1)", (binary, 8)),
             Case("a group of 2 whose rewards differ by 0.001: the 1e-4 epsilon matters", (_t(1.0, 1.001, 0, 1), 2)),
             Case("scale='batch': one std over the whole batch", (_t(1, 0, 0, 0, 1, 1, 1, 0), 4), {"scale": "batch"}),
             Case("scale='batch', 3 groups of 8 rewards in [0, 1.5]", (mixed, 8), {"scale": "batch"}),
             Case("scale='none': minus the group mean only", (_t(1, 0, 0, 0, 3, 1, 1, 1), 4), {"scale": "none"}),
             Case("scale='none', 3 groups of 8", (mixed, 8), {"scale": "none"}),
             Case("5 rewards cannot make groups of 2", (_t(1, 0, 1, 0, 1), 2), raises="ValueError",
                  match="num_generations")]
    h = torch.Generator().manual_seed(1)
    hidden = [Case("8 groups of 4 rewards in {0, 0.25, 0.5, 1, 1.5}",
                   (_t(0, .25, .5, 1, 1.5)[torch.randint(0, 5, (32,), generator=h)], 4)),
              Case("scale='batch', 8 groups of 4", ((torch.rand(32, generator=h) < 0.5).float(), 4),
                   {"scale": "batch"}),
              Case("every group without signal", (_t(1, 1, 0, 0, 0.5, 0.5), 2))]
    hint = ("groups are consecutive: view(-1, num_generations); subtract each group's mean; 'group' divides by the "
            "group's sample std (torch's std, n - 1) + 1e-4, 'batch' by the std of all rewards + 1e-4, 'none' not at "
            "all; a group of equal rewards gets 0; a float32 tensor of the rewards' length; ValueError when the "
            "rewards do not make whole groups")
    forbid = _forbid(group_advantages)
    return [Check("group_advantages", group_advantages, cases, points=4, tol=1e-4, hint=hint, forbid=forbid),
            Check("group_advantages (hidden)", group_advantages, hidden, points=1, tol=1e-4, hidden=True,
                  func="group_advantages", hint=hint, forbid=forbid)]


def _json_checks(Check, Case) -> list:
    q2, q1, q3 = "Convert to JSON: a=1,b=2", "Write x=7 as a JSON object.", "Turn a=0,c=5,z=9 into JSON."
    cases = [Case("the right object", (q2, '{"a": 1, "b": 2}')),
             Case("the right keys in another order", (q2, '{"b": 2, "a": 1}')),
             Case("the right keys, a wrong value (values are the exact reward's job)", (q2, '{"a": 1, "b": 3}')),
             Case("an object with a key missing", (q2, '{"a": 1}')),
             Case("an object with an extra key", (q1, '{"x": 7, "y": 1}')),
             Case("not JSON at all: the question's own text", (q2, "a=1,b=2")),
             Case("an object cut off before its closing brace", (q3, '{"a": 0, "c": 5, "z": 9')),
             Case("an empty reply", (q1, "")),
             Case("a JSON list, not an object", (q2, "[1, 2]")),
             Case("a JSON number", (q1, "7")),
             Case("a JSON string that contains an object", (q1, '"{\\"x\\": 7}"')),
             Case("JSON null", (q1, "null")),
             Case("the right object with spaces around it", (q3, '  {"a": 0, "c": 5, "z": 9} ')),
             Case("an empty object", (q1, "{}"))]
    hidden = [Case("single quotes are not JSON", (q2, "{'a': 1, 'b': 2}")),
              Case("keys with the values as strings", (q3, '{"a": "0", "c": "5", "z": "9"}')),
              Case("an object followed by more text", (q1, '{"x": 7} done')),
              Case("an object nested in a list", (q1, '[{"x": 7}]'))]
    hint = ("json.loads inside try/except json.JSONDecodeError (0.0 when it fails: never crash on a model's reply); "
            "0.0 unless the result is a dict; 0.5 when its set of keys equals the question's keys (the names before "
            "each '=' of the question's key=value list: tasks.parse_question('to_json', q)['pairs']), else 0.25")
    forbid = _forbid(json_score)
    return [Check("json_score", json_score, cases, points=3, hint=hint, forbid=forbid),
            Check("json_score (hidden)", json_score, hidden, points=1, hidden=True, func="json_score", hint=hint,
                  forbid=forbid)]


def _signal_checks(Check, Case) -> list:
    cases = [Case("two groups of 2: one mixed, one all 1", (_t(1, 0, 1, 1), 2)),
             Case("groups of 4: all 0, all 1, mixed", (_t(0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1), 4)),
             Case("groups of 3 whose equal values are not 0 or 1", (_t(0.25, 0.25, 0.25, 1.5, 0.5, 1.5), 3)),
             Case("a plain list, groups of 2; equal values across groups do not matter", ([1.0, 0.0, 0.0, 1.0], 2)),
             Case("groups of 2, strided equal values (1, 0, 1, 0 are two mixed groups)", (_t(1, 0, 1, 0), 2)),
             Case("one group of 8, all equal", (torch.full((8,), 0.5), 8)),
             Case("groups of 3: (0, 0.5, 1) is mixed though one answer equals its mean", (_t(0, 0.5, 1, 1, 1, 1), 3))]
    g = torch.Generator().manual_seed(2)
    hidden = [Case("16 groups of 4 exact-match rewards", ((torch.rand(64, generator=g) < 0.85).float(), 4))]
    hint = ("groups are consecutive runs of num_generations rewards; a group has no signal when all its rewards are "
            "equal (whatever the value); return the share of such groups, a float in [0, 1]")
    return [Check("no_signal_fraction", no_signal_fraction, cases, points=2, tol=1e-6, hint=hint,
                  forbid=_forbid(no_signal_fraction)),
            Check("no_signal_fraction (hidden)", no_signal_fraction, hidden, points=1, tol=1e-6, hidden=True,
                  func="no_signal_fraction", hint=hint, forbid=_forbid(no_signal_fraction))]


def lab_checks() -> list:
    "The checks of lab 08b (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_advantage_checks(Check, Case), *_json_checks(Check, Case), *_signal_checks(Check, Case)]
