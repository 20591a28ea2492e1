# Plausible wrong answers to lab 07a. Each runs in the kernel that ran the solution (it sees its globals: torch,
# lens_from_stream, restored_share, patch_position, ...) and must lose visible points of its exercise. `mistake` is
# injected by the grader.

# --- lens_from_stream ------------------------------------------------------------------------------------------------
@mistake("lens_from_stream")
def no_final_norm(stream, norm, unembed):
    "Unembeds the raw stream: the final norm is part of the model's readout, and the lens must use it."
    return unembed(stream).float().log_softmax(-1)


@mistake("lens_from_stream")
def probabilities_not_log_probs(stream, norm, unembed):
    "Returns softmax probabilities instead of log-probabilities."
    return unembed(norm(stream)).float().softmax(-1)


@mistake("lens_from_stream")
def raw_logits(stream, norm, unembed):
    "Returns the logits, not normalized over the vocabulary."
    return unembed(norm(stream)).float()


@mistake("lens_from_stream")
def log_softmax_over_positions(stream, norm, unembed):
    "Normalizes over the positions (dim -2) instead of the vocabulary."
    return unembed(norm(stream)).float().log_softmax(-2)


@mistake("lens_from_stream")
def norm_only_the_last_layer(stream, norm, unembed):
    "Applies the final norm to the last row only (the model norms only there), the other rows unembedded raw."
    return torch.cat([unembed(stream[:-1]), unembed(norm(stream[-1:]))]).float().log_softmax(-1)


# --- restored_share --------------------------------------------------------------------------------------------------
@mistake("restored_share")
def ratio_to_clean(m_patched, m_clean, m_corrupt):
    "m_patched / m_clean: ignores where the corrupted run started."
    return m_patched / m_clean


@mistake("restored_share")
def share_still_missing(m_patched, m_clean, m_corrupt):
    "(m_clean - m_patched) / (m_clean - m_corrupt): what is still missing, 1 minus the share."
    return (m_clean - m_patched) / (m_clean - m_corrupt)


@mistake("restored_share")
def numerator_not_shifted(m_patched, m_clean, m_corrupt):
    "m_patched / (m_clean - m_corrupt): forgets to subtract the corrupted run in the numerator."
    return m_patched / (m_clean - m_corrupt)


@mistake("restored_share")
def absolute_denominator(m_patched, m_clean, m_corrupt):
    "Divides by |m_clean - m_corrupt|: the sign flips when the clean difference is the smaller one."
    return (m_patched - m_corrupt) / abs(m_clean - m_corrupt)


# --- patch_position --------------------------------------------------------------------------------------------------
def _patch(model, input_ids, layer, position, value, module=None, where=None, read=-1, remove=True):
    "The solution's patch with one thing changed."
    modules = [model.model.embed_tokens, *model.model.layers]
    def hook(mod, args, output):
        h = output[0] if isinstance(output, tuple) else output
        h = h.clone()
        h[:, position if where is None else where] = value.to(h)
        return (h, *output[1:]) if isinstance(output, tuple) else h
    handle = (module or modules[layer]).register_forward_hook(hook)
    try:
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([list(input_ids)])).logits
    finally:
        if remove:
            handle.remove()
    return logits[0, read]


@mistake("patch_position")
def block_index_forgets_the_embeddings(model, input_ids, layer, position, value):
    "Hooks model.model.layers[layer]: layer 0 becomes block 1, and the last layer does not exist."
    return _patch(model, input_ids, layer, position, value, module=model.model.layers[layer])


@mistake("patch_position")
def patches_every_position(model, input_ids, layer, position, value):
    "Writes the value into every position of the stream, not only `position`."
    return _patch(model, input_ids, layer, position, value, where=slice(None))


@mistake("patch_position")
def logits_at_the_patched_position(model, input_ids, layer, position, value):
    "Returns the logits at the patched position instead of the last one (where the answer is predicted)."
    return _patch(model, input_ids, layer, position, value, read=position)


@mistake("patch_position")
def leaves_the_hook_on(model, input_ids, layer, position, value):
    "Never removes its hook: every later forward pass of the model is patched too."
    return _patch(model, input_ids, layer, position, value, remove=False)
