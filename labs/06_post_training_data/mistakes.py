# Plausible wrong answers to lab 06: each must lose visible points of its exercise (see course_lib.grading.mistake).
# Executed in the kernel that ran the solution: zlib, MERSENNE, hash_params and the solution's functions are in scope.

def _render(messages, add_generation_prompt=False, end_trained=True, header_trained=False, newline_trained=False,
            newline=True):
    "The solution's rendering with one thing changed (for the mistakes below)."
    text, mask = "", []
    for message in messages:
        trained = 1 if message["role"] == "assistant" else 0
        header = "<|im_start|>" + message["role"] + "\n"
        after = "\n" if newline else ""
        text += header + message["content"] + "<|im_end|>" + after
        mask += [trained if header_trained else 0] * len(header) + [trained] * len(message["content"])
        mask += [trained if end_trained else 0] * len("<|im_end|>") + [trained if newline_trained else 0] * len(after)
    if add_generation_prompt:
        text += "<|im_start|>assistant\n"
        mask += [0] * len("<|im_start|>assistant\n")
    return text, mask

@mistake("render_chat")
def end_marker_not_trained(messages, add_generation_prompt=False):
    "Leaves the assistant's <|im_end|> out of the mask: the model never learns to stop."
    return _render(messages, add_generation_prompt, end_trained=False)

@mistake("render_chat")
def assistant_header_trained(messages, add_generation_prompt=False):
    "Trains on the assistant's header line too."
    return _render(messages, add_generation_prompt, header_trained=True)

@mistake("render_chat")
def trailing_newline_trained(messages, add_generation_prompt=False):
    "Trains on the newline after the assistant's <|im_end|>."
    return _render(messages, add_generation_prompt, newline_trained=True)

@mistake("render_chat")
def generation_prompt_ignored(messages, add_generation_prompt=False):
    "Never appends the assistant header that asks for a reply."
    return _render(messages)

@mistake("render_chat")
def no_newline_between_messages(messages, add_generation_prompt=False):
    "Forgets the newline after each <|im_end|>."
    return _render(messages, add_generation_prompt, newline=False)

@mistake("token_mask")
def every_character_must_be_trained(char_mask, offsets):
    "Marks a token only if all of its characters are trained on (and an empty span as trained)."
    return [1 if all(char_mask[start:end]) else 0 for start, end in offsets]

@mistake("token_mask")
def first_character_only(char_mask, offsets):
    "Looks only at the first character of each token."
    return [char_mask[start] if start < len(char_mask) and end > start else 0 for start, end in offsets]

@mistake("token_mask")
def end_inclusive(char_mask, offsets):
    "Treats the span's end as inclusive."
    return [1 if any(char_mask[start:end + 1]) else 0 for start, end in offsets]

@mistake("shingles")
def not_lower_cased(text, k=1):
    "Forgets to lower-case."
    words = text.split()
    return {" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}

@mistake("shingles")
def split_on_single_spaces(text, k=1):
    "Splits on ' ': double spaces, tabs and newlines make empty or glued words."
    words = text.lower().split(" ")
    return {" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}

@mistake("shingles")
def short_text_gives_nothing(text, k=1):
    "A text with fewer than k words gives no shingle at all."
    words = text.lower().split()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}

@mistake("shingles")
def last_window_missing(text, k=1):
    "Stops one window early (off by one)."
    words = text.lower().split()
    return {" ".join(words[i:i + k]) for i in range(max(1, len(words) - k))}

@mistake("jaccard")
def empty_sets_divide_by_zero(a, b):
    "Divides by the size of the union even when it is 0."
    return len(a & b) / len(a | b)

@mistake("jaccard")
def overlap_over_smaller_set(a, b):
    "Divides by the smaller set's size (the overlap coefficient), not the union's."
    return len(a & b) / min(len(a), len(b)) if a and b else 1.0

@mistake("jaccard")
def union_counts_shared_twice(a, b):
    "Divides by len(a) + len(b), counting shared elements twice."
    return len(a & b) / (len(a) + len(b)) if a or b else 1.0

@mistake("minhash_signature")
def maximum_not_minimum(shingle_set, num_perm=128, seed=0):
    "Keeps the largest hash instead of the smallest."
    if not shingle_set:
        raise ValueError("empty set")
    crcs = [zlib.crc32(s.encode("utf-8")) for s in shingle_set]
    return [max((a * crc + b) % MERSENNE for crc in crcs) for a, b in hash_params(num_perm, seed)]

@mistake("minhash_signature")
def no_modulus(shingle_set, num_perm=128, seed=0):
    "Forgets the modulus: a * crc32 + b without mod M."
    if not shingle_set:
        raise ValueError("empty set")
    crcs = [zlib.crc32(s.encode("utf-8")) for s in shingle_set]
    return [min(a * crc + b for crc in crcs) for a, b in hash_params(num_perm, seed)]

@mistake("minhash_signature")
def empty_set_not_rejected(shingle_set, num_perm=128, seed=0):
    "Signs an empty set with a list of MERSENNE (no minimum exists)."
    crcs = [zlib.crc32(s.encode("utf-8")) for s in shingle_set]
    return [min([(a * crc + b) % MERSENNE for crc in crcs], default=MERSENNE) for a, b in hash_params(num_perm, seed)]

@mistake("minhash_signature")
def latin1_bytes(shingle_set, num_perm=128, seed=0):
    "Hashes the Latin-1 bytes (non-ASCII shingles fall back to UTF-8), not the UTF-8 bytes."
    if not shingle_set:
        raise ValueError("empty set")
    def crc(s):
        try:
            return zlib.crc32(s.encode("latin-1"))
        except UnicodeEncodeError:
            return zlib.crc32(s.encode("utf-16"))
    crcs = [crc(s) for s in shingle_set]
    return [min((a * c + b) % MERSENNE for c in crcs) for a, b in hash_params(num_perm, seed)]

@mistake("lsh_candidates")
def bands_used_as_rows(signatures, bands=32):
    "Swaps the number of bands with the number of rows per band."
    if not signatures:
        return set()
    rows, rest = divmod(len(signatures[0]), bands)
    if rest or not rows:
        raise ValueError("not a multiple")
    return lsh_candidates(signatures, rows) if rows != bands else lsh_candidates(signatures, bands)

@mistake("lsh_candidates")
def buckets_shared_across_bands(signatures, bands=32):
    "One set of buckets for all bands: equal values in different bands make a candidate."
    if not signatures:
        return set()
    rows, rest = divmod(len(signatures[0]), bands)
    if rest or not rows:
        raise ValueError("not a multiple")
    buckets = {}
    for i, signature in enumerate(signatures):
        for band in range(bands):
            buckets.setdefault(tuple(signature[band * rows:(band + 1) * rows]), set()).add(i)
    return {(i, j) for members in buckets.values() for i in members for j in members if i < j}

@mistake("lsh_candidates")
def only_neighbours_in_a_bucket(signatures, bands=32):
    "Pairs each bucket member only with the next one, missing the other pairs."
    if not signatures:
        return set()
    rows, rest = divmod(len(signatures[0]), bands)
    if rest or not rows:
        raise ValueError("not a multiple")
    pairs = set()
    for band in range(bands):
        buckets = {}
        for i, signature in enumerate(signatures):
            buckets.setdefault(tuple(signature[band * rows:(band + 1) * rows]), []).append(i)
        for members in buckets.values():
            pairs.update(zip(members, members[1:]))
    return pairs

@mistake("lsh_candidates")
def remainder_not_rejected(signatures, bands=32):
    "Does not check that the bands divide the signature (the tail is ignored)."
    if not signatures:
        return set()
    rows = max(1, len(signatures[0]) // bands)
    pairs = set()
    for band in range(bands):
        buckets = {}
        for i, signature in enumerate(signatures):
            buckets.setdefault(tuple(signature[band * rows:(band + 1) * rows]), []).append(i)
        for members in buckets.values():
            pairs.update((i, j) for n, i in enumerate(members) for j in members[n + 1:])
    return pairs

@mistake("near_duplicates")
def every_candidate_kept(texts, threshold=0.8, num_perm=128, bands=32, k=1, seed=0):
    "Returns every LSH candidate without checking its estimated similarity."
    signatures = [minhash_signature(shingles(text, k), num_perm, seed) for text in texts]
    return sorted(lsh_candidates(signatures, bands))

@mistake("near_duplicates")
def k_ignored(texts, threshold=0.8, num_perm=128, bands=32, k=1, seed=0):
    "Always uses single words as shingles."
    signatures = [minhash_signature(shingles(text), num_perm, seed) for text in texts]
    return sorted((i, j) for i, j in lsh_candidates(signatures, bands)
                  if sum(x == y for x, y in zip(signatures[i], signatures[j])) / num_perm >= threshold)

@mistake("near_duplicates")
def pairs_reversed(texts, threshold=0.8, num_perm=128, bands=32, k=1, seed=0):
    "Returns each pair as (j, i), the larger index first."
    signatures = [minhash_signature(shingles(text, k), num_perm, seed) for text in texts]
    return sorted((j, i) for i, j in lsh_candidates(signatures, bands)
                  if sum(x == y for x, y in zip(signatures[i], signatures[j])) / num_perm >= threshold)

@mistake("keep_first")
def drops_every_later_row(n_rows, pairs):
    "Drops the second row of every pair, even when its twin was dropped itself (chains lose rows)."
    for i, j in pairs:
        if not 0 <= i < j < n_rows:
            raise ValueError(f"bad pair {(i, j)}")
    dropped = {j for _, j in pairs}
    return [row for row in range(n_rows) if row not in dropped]

@mistake("keep_first")
def pairs_in_given_order(n_rows, pairs):
    "Walks the pairs in the order given instead of by their first row."
    for i, j in pairs:
        if not 0 <= i < j < n_rows:
            raise ValueError(f"bad pair {(i, j)}")
    dropped = set()
    for i, j in pairs:
        if i not in dropped:
            dropped.add(j)
    return [row for row in range(n_rows) if row not in dropped]

@mistake("keep_first")
def drops_the_earlier_row(n_rows, pairs):
    "Keeps the later row of each pair and drops the earlier one."
    for i, j in pairs:
        if not 0 <= i < j < n_rows:
            raise ValueError(f"bad pair {(i, j)}")
    dropped = set()
    for i, j in sorted(pairs, key=lambda p: (-p[1], -p[0])):
        if j not in dropped:
            dropped.add(i)
    return [row for row in range(n_rows) if row not in dropped]

@mistake("keep_first")
def bad_pairs_accepted(n_rows, pairs):
    "Accepts pairs out of order or out of range."
    dropped = set()
    for i, j in sorted(pairs):
        if i not in dropped:
            dropped.add(j)
    return [row for row in range(n_rows) if row not in dropped]
