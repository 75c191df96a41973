"""PyTorch baseline for `cargo bench --bench embed`, on the same machine.

Runs all-MiniLM-L6-v2 the way sentence-transformers does (BERT forward, mean
pooling over the attention mask, L2 normalisation) with Hugging Face
`transformers` on the CPU, over the same inputs as the Rust bench: a batch of
32 fixture sentences (padded to the longest in the batch), one short query,
and four queries in one batch. Uses the model directory souk installs, so
nothing is downloaded.

    pip install torch transformers numpy
    python3 embeddings/benches/pytorch_reference.py [model dir]
"""

import json
import os
import sys
import time

import torch
from transformers import AutoModel, AutoTokenizer

ROUNDS = 20
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.expanduser("~/.cache/souk/models/all-MiniLM-L6-v2")


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    torch.set_num_threads(os.cpu_count() or 1)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    with open(os.path.join(HERE, "..", "tests", "fixtures", "minilm_reference.json")) as f:
        sentences = [r["text"] for r in json.load(f)]
    batch = [sentences[i % len(sentences)] for i in range(32)]
    query = ["waterproof hiking boots under 120 dollars"]
    queries = query + [
        "a gift for a coffee lover",
        "cheap red t-shirt in size m",
        "noise cancelling headphones",
    ]

    @torch.inference_mode()
    def embed(texts):
        enc = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
        out = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=1)

    def timed(texts):
        started = time.perf_counter()
        for _ in range(ROUNDS):
            embed(texts)
        return (time.perf_counter() - started) / ROUNDS

    embed(batch)
    b, q, f = timed(batch), timed(query), timed(queries)
    print(f"cores: {os.cpu_count()}; torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"load average: {open('/proc/loadavg').read().strip()}")
    print(f"pytorch f32: batch of 32: {b * 1000:.1f} ms, {32 / b:.1f} sentences/s; "
          f"one short query: {q * 1000:.2f} ms; 4 queries in one pass: {f * 1000:.2f} ms")


if __name__ == "__main__":
    main()
