# Plausible wrong answers to lab 12. Each runs in the kernel that ran the solution (it sees its globals: math,
# hashlib, np, Document, the solution's functions) and must lose visible points of its exercise. `mistake` is
# injected by the grader.
import uuid as _uuid


# --- split_recursive ----------------------------------------------------------------------------------------------
def _split(
    text, chunk_size, separators, keep_sep=True, sep_first=False, recurse=True, validate=True, empty_chunk=False
):
    "The recursive splitter with one thing changed."
    if validate and chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    if len(text) <= chunk_size:
        return [text] if text or empty_chunk else []
    i = next((i for i, s in enumerate(separators) if s == "" or s in text), None)
    if i is None or separators[i] == "":
        return [text[j : j + chunk_size] for j in range(0, len(text), chunk_size)]
    sep, rest = separators[i], separators[i + 1 :]
    parts = text.split(sep)
    if not keep_sep:
        pieces = [p for p in parts if p]
    elif sep_first:
        pieces = ([parts[0]] if parts[0] else []) + [sep + p for p in parts[1:]]
    else:
        pieces = [p + sep for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    chunks, cur = [], ""
    for p in pieces:
        if len(p) > chunk_size and recurse:
            if cur:
                chunks.append(cur)
                cur = ""
            chunks.extend(_split(p, chunk_size, rest, keep_sep, sep_first, recurse, validate, empty_chunk))
        elif len(cur) + len(p) <= chunk_size:
            cur += p
        else:
            if cur:
                chunks.append(cur)
            cur = p
    if cur:
        chunks.append(cur)
    return chunks


@mistake("split_recursive")
def separators_dropped(text, chunk_size, separators=("\n\n", "\n", ". ", " ", "")):
    "Splits on the separator and throws it away: the chunks no longer join to the text."
    return _split(text, chunk_size, separators, keep_sep=False)


@mistake("split_recursive")
def separator_starts_next_piece(text, chunk_size, separators=("\n\n", "\n", ". ", " ", "")):
    "Keeps the separator at the start of the next piece instead of the end of the previous one."
    return _split(text, chunk_size, separators, sep_first=True)


@mistake("split_recursive")
def long_pieces_not_split_again(text, chunk_size, separators=("\n\n", "\n", ". ", " ", "")):
    "Keeps a piece longer than chunk_size as one chunk instead of splitting it with the finer separators."
    return _split(text, chunk_size, separators, recurse=False)


@mistake("split_recursive")
def no_validation_split(text, chunk_size, separators=("\n\n", "\n", ". ", " ", "")):
    "Accepts chunk_size 0 (fails somewhere inside)."
    return _split(text, chunk_size, separators, validate=False)


@mistake("split_recursive")
def empty_text_one_chunk(text, chunk_size, separators=("\n\n", "\n", ". ", " ", "")):
    "Returns one empty chunk for an empty text."
    return _split(text, chunk_size, separators, empty_chunk=True)


# --- cosine_topk --------------------------------------------------------------------------------------------------
def _topk(query, matrix, k, norm_rows=True, norm_query=True, ascending=False, ties_high=False, check=True):
    norm = lambda v: math.sqrt(sum(x * x for x in v))
    if check and (norm(query) == 0 or any(norm(r) == 0 for r in matrix)):
        raise ValueError("zero vector")
    sims = [
        sum(a * b for a, b in zip(query, r)) / ((norm(query) if norm_query else 1) * (norm(r) if norm_rows else 1))
        for r in matrix
    ]
    sign = 1 if ascending else -1
    order = sorted(range(len(sims)), key=lambda i: (sign * sims[i], -i if ties_high else i))[:k]
    return order, [sims[i] for i in order]


@mistake("cosine_topk")
def dot_product_not_cosine(query, matrix, k):
    "Ranks by the raw dot product, so long rows win."
    return _topk(query, matrix, k, norm_rows=False, norm_query=False)


@mistake("cosine_topk")
def rows_not_normalized(query, matrix, k):
    "Divides by the query's length only."
    return _topk(query, matrix, k, norm_rows=False)


@mistake("cosine_topk")
def worst_first(query, matrix, k):
    "Sorts ascending: the least similar rows first."
    return _topk(query, matrix, k, ascending=True)


@mistake("cosine_topk")
def ties_to_higher_index(query, matrix, k):
    "Breaks ties toward the higher index."
    return _topk(query, matrix, k, ties_high=True)


@mistake("cosine_topk")
def no_zero_check(query, matrix, k):
    "Divides by a zero length (ZeroDivisionError instead of a ValueError)."
    return _topk(query, matrix, k, check=False)


# --- ingest -------------------------------------------------------------------------------------------------------
def _ingest(
    collection,
    chunks,
    embed,
    batch_size,
    key=None,
    delete_stale=True,
    stale_everywhere=False,
    embed_all=False,
    one_batch=False,
    drop_none=True,
    validate=True,
):
    "The idempotent ingest with one thing changed."
    if validate and batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    key = key or chunk_key
    todo = {key(c): c for c in chunks}
    have = set(collection.get(ids=list(todo), include=[])["ids"]) if todo else set()
    new = [i for i in todo if i not in have]
    if embed_all and todo:
        all_ids = list(todo)
        for b in range(0, len(all_ids), batch_size):
            embed([todo[i].text for i in all_ids[b : b + batch_size]])
    step = max(len(new), 1) if one_batch else max(batch_size, 1)
    for b in range(0, len(new), step):
        ids = new[b : b + step]
        texts = [todo[i].text for i in ids]
        metas = [
            ({k: v for k, v in todo[i].metadata.items() if v is not None} if drop_none else dict(todo[i].metadata))
            or None
            for i in ids
        ]
        collection.add(ids=ids, documents=texts, metadatas=metas, embeddings=np.asarray(embed(texts), dtype=np.float32))
    stale = []
    if delete_stale:
        if stale_everywhere:
            stored = collection.get(include=[])["ids"]
        else:
            sources = sorted({c.metadata["source"] for c in chunks if c.metadata.get("source") is not None})
            stored = collection.get(where={"source": {"$in": sources}}, include=[])["ids"] if sources else []
        stale = [i for i in stored if i not in todo]
        if stale:
            collection.delete(ids=stale)
    return dict(chunks=len(chunks), added=len(new), unchanged=len(have), deleted=len(stale))


@mistake("ingest")
def random_ids(collection, chunks, embed, batch_size=64):
    "Gives every chunk a fresh random id, so a second ingest adds everything again."
    return _ingest(collection, chunks, embed, batch_size, key=lambda c: _uuid.uuid4().hex)


@mistake("ingest")
def id_from_text_only(collection, chunks, embed, batch_size=64):
    "Hashes the text without the source: equal texts of two documents collide."
    return _ingest(
        collection, chunks, embed, batch_size, key=lambda c: hashlib.sha256(c.text.encode()).hexdigest()[:32]
    )


@mistake("ingest")
def stale_chunks_kept(collection, chunks, embed, batch_size=64):
    "Never deletes chunks that are gone from a document."
    return _ingest(collection, chunks, embed, batch_size, delete_stale=False)


@mistake("ingest")
def deletes_other_sources(collection, chunks, embed, batch_size=64):
    "Treats every stored chunk not in this call as stale, other documents included."
    return _ingest(collection, chunks, embed, batch_size, stale_everywhere=True)


@mistake("ingest")
def embeds_unchanged_chunks(collection, chunks, embed, batch_size=64):
    "Embeds every chunk, also those already stored (the model's work is wasted)."
    return _ingest(collection, chunks, embed, batch_size, embed_all=True)


@mistake("ingest")
def ignores_batch_size(collection, chunks, embed, batch_size=64):
    "Embeds and adds all new chunks in one batch."
    return _ingest(collection, chunks, embed, batch_size, one_batch=True)


@mistake("ingest")
def keeps_none_metadata(collection, chunks, embed, batch_size=64):
    "Passes metadata values that are None on to Chroma (which refuses them)."
    return _ingest(collection, chunks, embed, batch_size, drop_none=False)


@mistake("ingest")
def no_validation_ingest(collection, chunks, embed, batch_size=64):
    "Accepts batch_size 0."
    return _ingest(collection, chunks, embed, batch_size, validate=False)


# --- search -------------------------------------------------------------------------------------------------------
def _search(collection, vectors, k, where, similarity=True, first_only=False, use_where=True, validate=True):
    if validate and k < 1:
        raise ValueError("k must be >= 1")
    vecs = np.asarray(vectors, dtype=np.float32)
    res = collection.query(
        query_embeddings=vecs[:1] if first_only else vecs,
        n_results=max(k, 1),
        where=where if use_where else None,
        include=["distances"],
    )
    return [
        [(i, 1.0 - d if similarity else d) for i, d in zip(ids, ds)] for ids, ds in zip(res["ids"], res["distances"])
    ]


@mistake("search")
def distances_not_similarities(collection, vectors, k, where=None):
    "Returns Chroma's cosine distances as the scores."
    return _search(collection, vectors, k, where, similarity=False)


@mistake("search")
def first_query_only(collection, vectors, k, where=None):
    "Searches with the first query vector only."
    return _search(collection, vectors, k, where, first_only=True)


@mistake("search")
def ignores_where(collection, vectors, k, where=None):
    "Drops the metadata filter."
    return _search(collection, vectors, k, where, use_where=False)


@mistake("search")
def no_validation_search(collection, vectors, k, where=None):
    "Accepts k = 0 (and asks Chroma for one result)."
    return _search(collection, vectors, k, where, validate=False)
