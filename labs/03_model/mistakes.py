# Plausible wrong answers to lab 03, each probed in place of its exercise (the solution's globals are visible here).
# `mistake` is injected by the grader. Every one of them must lose visible points.


# --- rms_norm ----------------------------------------------------------------------------------------------------
@mistake("rms_norm")
def no_eps(x, weight, eps=1e-5):
    "Leaves eps out: small activations blow up and a row of zeros becomes nan."
    xf = x.float()
    return weight * (xf / xf.pow(2).mean(-1, keepdim=True).sqrt()).to(x.dtype)


@mistake("rms_norm")
def eps_outside_sqrt(x, weight, eps=1e-5):
    "Adds eps to the root instead of to the mean square."
    xf = x.float()
    return weight * (xf / (xf.pow(2).mean(-1, keepdim=True).sqrt() + eps)).to(x.dtype)


@mistake("rms_norm")
def subtracts_mean(x, weight, eps=1e-5):
    "LayerNorm's centring: divides by the standard deviation instead of the root mean square."
    xf = x.float()
    xc = xf - xf.mean(-1, keepdim=True)
    return weight * (xc * torch.rsqrt(xc.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


@mistake("rms_norm")
def mean_over_all_dims(x, weight, eps=1e-5):
    "Takes the mean square of the whole tensor, not of each vector."
    xf = x.float()
    return weight * (xf * torch.rsqrt(xf.pow(2).mean() + eps)).to(x.dtype)


# --- swiglu ------------------------------------------------------------------------------------------------------
@mistake("swiglu")
def relu_not_silu(x, w_gate, w_up, w_down):
    "ReLU instead of SiLU on the gate."
    return F.linear(F.relu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)


@mistake("swiglu")
def gate_and_up_swapped(x, w_gate, w_up, w_down):
    "Puts SiLU on the up projection instead of the gate."
    return F.linear(F.linear(x, w_gate) * F.silu(F.linear(x, w_up)), w_down)


@mistake("swiglu")
def sigmoid_gate(x, w_gate, w_up, w_down):
    "A sigmoid gate (GLU) instead of SiLU (Swish)."
    return F.linear(torch.sigmoid(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)


# --- Block -------------------------------------------------------------------------------------------------------
@mistake("Block")
class post_norm(Block):
    "Normalises after the residual addition (the original Transformer), not before the sublayer."
    def forward(self, x, cos, sin):
        x = self.attn_norm(x + self.attn(x, cos, sin))
        return self.mlp_norm(x + self.mlp(x))


@mistake("Block")
class no_residual_around_mlp(Block):
    "Replaces the stream by the MLP's output instead of adding to it."
    def forward(self, x, cos, sin):
        x = x + self.attn(self.attn_norm(x), cos, sin)
        return self.mlp(self.mlp_norm(x))


@mistake("Block")
class default_eps(Block):
    "Builds the norms with the default eps instead of cfg.norm_eps."
    def __init__(self, cfg):
        super().__init__(cfg)
        self.attn_norm.eps = self.mlp_norm.eps = 1e-5


@mistake("Block")
class one_norm_for_both(Block):
    "Shares one norm between attention and MLP: the block has one gain too few."
    def __init__(self, cfg):
        super().__init__(cfg)
        del self.mlp_norm

    def forward(self, x, cos, sin):
        x = x + self.attn(self.attn_norm(x), cos, sin)
        return x + self.mlp(self.attn_norm(x))


# --- count_parameters --------------------------------------------------------------------------------------------
def _count(cfg, kv_full=False, head=None, norms=True):
    d = cfg.d_model
    kv_width = d if kv_full else cfg.n_kv_heads * cfg.head_dim
    per_layer = 2 * d * d + 2 * d * kv_width + 3 * d * cfg.d_ff + (2 * d if norms else 0)
    tied = cfg.tie_embeddings if head is None else not head
    return cfg.vocab_size * d + cfg.n_layers * per_layer + (d if norms else 0) + (0 if tied else cfg.vocab_size * d)


@mistake("count_parameters")
def ignores_gqa(cfg):
    "Counts the key and value projections at full width, as if n_kv_heads == n_heads."
    return _count(cfg, kv_full=True)


@mistake("count_parameters")
def head_always_counted(cfg):
    "Counts the output head even when it is tied to the embedding."
    return _count(cfg, head=True)


@mistake("count_parameters")
def norms_forgotten(cfg):
    "Leaves out the norm gains."
    return _count(cfg, norms=False)


# --- rename_hf_state_dict ----------------------------------------------------------------------------------------
def _rename(state, layer_pattern=r"model\.layers\.(\d+)\.(\w+)\.(.+)", parts=None, keep_norm_prefix=False,
            drop_head=False):
    parts = parts or {"input_layernorm": "attn_norm", "self_attn": "attn", "post_attention_layernorm": "mlp_norm",
                      "mlp": "mlp"}
    out = {}
    for name, tensor in state.items():
        layer = re.match(layer_pattern, name)
        if layer:
            number, part, rest = layer.groups()
            name = f"blocks.{number}.{parts[part]}.{rest}"
        elif name.startswith("model.embed_tokens."):
            name = "embed." + name[len("model.embed_tokens."):]
        elif name.startswith("model.norm.") and not keep_norm_prefix:
            name = "norm." + name[len("model.norm."):]
        if drop_head and name.startswith("lm_head"):
            continue
        out[name] = tensor
    return out


@mistake("rename_hf_state_dict")
def single_digit_layers(state):
    "Matches one digit of the layer number: layer 10 becomes layer 1."
    return _rename(state, layer_pattern=r"model\.layers\.(\d)\d*\.(\w+)\.(.+)")


@mistake("rename_hf_state_dict")
def norms_swapped(state):
    "Maps input_layernorm to the MLP's norm and post_attention_layernorm to attention's."
    return _rename(state, parts={"input_layernorm": "mlp_norm", "self_attn": "attn",
                                 "post_attention_layernorm": "attn_norm", "mlp": "mlp"})


@mistake("rename_hf_state_dict")
def final_norm_not_renamed(state):
    "Leaves model.norm.weight under transformers' name."
    return _rename(state, keep_norm_prefix=True)


@mistake("rename_hf_state_dict")
def drops_lm_head(state):
    "Throws away lm_head.weight, which an untied model needs."
    return _rename(state, drop_head=True)


# --- Decoder -----------------------------------------------------------------------------------------------------
@mistake("Decoder")
class head_copied_not_tied(Decoder):
    "Copies the embedding into the head instead of sharing it: one vocab x d_model matrix too many."
    def __init__(self, cfg):
        super().__init__(cfg)
        self.lm_head.weight = nn.Parameter(self.embed.weight.detach().clone())


@mistake("Decoder")
class no_final_norm(Decoder):
    "Projects the last block's output without the final norm."
    def forward(self, ids):
        cos, sin = rope_cos_sin(ids.shape[1], self.cfg.head_dim, self.cfg.rope_theta)
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin)
        return self.lm_head(x)


@mistake("Decoder")
class default_rope_theta(Decoder):
    "Builds the RoPE tables with the default theta instead of cfg.rope_theta."
    def forward(self, ids):
        if ids.shape[1] > self.cfg.max_seq_len:
            raise ValueError(f"longer than max_seq_len={self.cfg.max_seq_len}")
        cos, sin = rope_cos_sin(ids.shape[1], self.cfg.head_dim)
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin)
        return self.lm_head(self.norm(x))


@mistake("Decoder")
class one_block_repeated(Decoder):
    "Puts the same Block object in every layer, so all layers share one set of weights."
    def __init__(self, cfg):
        super().__init__(cfg)
        self.blocks = nn.ModuleList([self.blocks[0]] * cfg.n_layers)


@mistake("Decoder")
class no_length_check(Decoder):
    "Runs any length: past max_seq_len it fails with an unrelated error, or silently extrapolates."
    def forward(self, ids):
        cos, sin = rope_cos_sin(ids.shape[1], self.cfg.head_dim, self.cfg.rope_theta)
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin)
        return self.lm_head(self.norm(x))


@mistake("Decoder")
class off_by_one_length_check(Decoder):
    "Refuses a context of exactly max_seq_len tokens, which the model accepts."
    def forward(self, ids):
        if ids.shape[1] >= self.cfg.max_seq_len:
            raise ValueError(f"longer than max_seq_len={self.cfg.max_seq_len}")
        return super().forward(ids)
