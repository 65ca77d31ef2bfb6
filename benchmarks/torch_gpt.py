#!/usr/bin/env python3
"""PyTorch reference for Orchard's GPT trainer: the same architecture, config, data and optimizer,
fp32 on CPU, so `orchard bench train` can be judged against it on the same machine.

Architecture (GPT-2 layout, as Sources/OrchardModels implements it):
  wte (V x C), wpe (T x C); L blocks of
    x = x + c_proj(causal_self_attention(c_attn(ln_1(x))))     c_attn: Linear(C, 3C), c_proj: Linear(C, C)
    x = x + mlp.c_proj(gelu_tanh(mlp.c_fc(ln_2(x))))           c_fc: Linear(C, 4C), c_proj: Linear(4C, C)
  ln_f; logits = x @ wte^T (tied head); loss = mean cross-entropy over B*T positions.
Init: every Linear weight and both embeddings ~ N(0, 0.02), residual projections (attn.c_proj, mlp.c_proj)
~ N(0, 0.02/sqrt(2L)); biases 0; LayerNorm weight 1, bias 0 (eps 1e-5). No dropout.
Optimizer: AdamW(lr 3e-4 constant (as TrainBenchmark.swift), betas (0.9, 0.95), eps 1e-8, weight_decay 0.1 on the >=2-D tensors
(matmul weights, wte, wpe), 0 on biases and LayerNorm parameters, as nanoGPT/llm.c do); gradients
clipped to global norm 1.0 before each step.
Data: the bytes of the first 200 .py files (sorted paths, recursive) under /usr/lib/python3.11 (or the
running interpreter's stdlib where that is absent), vocab 256
(--data/--glob choose others, e.g. /usr/share/common-licenses '*' as the Swift benchmark uses; with a
byte vocabulary the data does not change the work per step); batches are consecutive (B, T+1) windows.
tokens_per_second = B*T / median step time (robust to a busy machine); the mean-based rate is also printed.

FLOPs per token = 6*N + 12*L*T*C, N = weights of all matmuls (tied head counted once, no biases,
LayerNorms or wpe) -- the PaLM convention that specs/perf.md uses. MFU is against the fp32 sgemm peak
this script measures with torch.mm on the same threads.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import sysconfig
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # name: (n_layer, n_embd, n_head, seq_len T, batch B, vocab)
    "tiny": dict(n_layer=2, n_embd=128, n_head=4, seq_len=64, batch=8, vocab=256),
    "small": dict(n_layer=4, n_embd=256, n_head=4, seq_len=128, batch=16, vocab=256),
}


class CausalSelfAttention(nn.Module):
    def __init__(self, c, n_head, attention):
        super().__init__()
        self.n_head = n_head
        self.attention = attention
        self.c_attn = nn.Linear(c, 3 * c, bias=True)
        self.c_proj = nn.Linear(c, c, bias=True)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        hs = c // self.n_head
        q = q.view(b, t, self.n_head, hs).transpose(1, 2)  # (B, H, T, hs)
        k = k.view(b, t, self.n_head, hs).transpose(1, 2)
        v = v.view(b, t, self.n_head, hs).transpose(1, 2)
        if self.attention == "sdpa":
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            att = att.masked_fill(~mask, float("-inf"))
            y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c, 4 * c, bias=True)
        self.c_proj = nn.Linear(4 * c, c, bias=True)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, c, n_head, attention):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c, eps=1e-5)
        self.attn = CausalSelfAttention(c, n_head, attention)
        self.ln_2 = nn.LayerNorm(c, eps=1e-5)
        self.mlp = MLP(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, n_layer, n_embd, n_head, seq_len, vocab, attention):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(seq_len, n_embd)
        self.h = nn.ModuleList([Block(n_embd, n_head, attention) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd, eps=1e-5)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))
            elif p.dim() >= 2:
                nn.init.normal_(p, mean=0.0, std=0.02)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)
            else:
                nn.init.ones_(p)  # LayerNorm weights

    def forward(self, idx, targets):
        b, t = idx.shape
        pos = torch.arange(t, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied LM head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))


def load_corpus(root, pattern, files):
    paths = [p for p in sorted(Path(root).rglob(pattern)) if p.is_file()][:files]
    if not paths:
        sys.exit(f"no .py files under {root}")
    data = b"".join(p.read_bytes() for p in paths)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).long(), len(paths)


def measure_sgemm_peak(n=2048, reps=10):
    """Best-of-`reps` fp32 GEMM rate, GFLOP/s, on the current thread setting."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        torch.mm(a, b)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", choices=CONFIGS, default="small")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20, help="timed steps")
    ap.add_argument("--attention", choices=["sdpa", "manual"], default="sdpa")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=1337)
    # Debian 12's stdlib, or the running interpreter's where that is absent (e.g. Ubuntu's python3.12): with a
    # byte vocabulary the text does not change the work per step.
    default_data = "/usr/lib/python3.11" if Path("/usr/lib/python3.11").is_dir() else sysconfig.get_paths()["stdlib"]
    ap.add_argument("--data", default=default_data)
    ap.add_argument("--glob", default="*.py", help="file pattern under --data (recursive)")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    args = ap.parse_args()

    if args.attention == "sdpa" and not hasattr(F, "scaled_dot_product_attention"):
        sys.exit(f"torch {torch.__version__} has no scaled_dot_product_attention (needs >= 2.0): use --attention manual")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = CONFIGS[args.config]
    L, C, H, T, B, V = cfg["n_layer"], cfg["n_embd"], cfg["n_head"], cfg["seq_len"], cfg["batch"], cfg["vocab"]

    tokens, n_files = load_corpus(args.data, args.glob, args.files)
    model = GPT(L, C, H, T, V, args.attention)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.95), eps=1e-8, foreach=True,
    )
    n_params = sum(p.numel() for p in model.parameters())
    n_matmul = L * (C * 3 * C + C * C + C * 4 * C + 4 * C * C) + V * C
    flops_per_token = 6 * n_matmul + 12 * L * T * C

    cursor = 0
    window = B * T + 1

    def next_batch():
        nonlocal cursor
        if cursor + window > tokens.numel():
            cursor = 0
        chunk = tokens[cursor:cursor + window]
        cursor += B * T
        return chunk[:-1].view(B, T), chunk[1:].view(B, T)

    losses, times = [], []
    for step in range(args.warmup + args.steps):
        x, y = next_batch()
        t0 = time.perf_counter()
        loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss_value = loss.item()
        dt = time.perf_counter() - t0
        losses.append(loss_value)
        if step >= args.warmup:
            times.append(dt)

    peak = measure_sgemm_peak()
    total = sum(times)
    median = statistics.median(times)
    tokens_per_second = B * T / median
    gflops = flops_per_token * tokens_per_second / 1e9
    result = {
        "engine": f"pytorch {torch.__version__} fp32 eager",
        "config": args.config,
        "n_layer": L, "n_embd": C, "n_head": H, "seq_len": T, "batch": B, "vocab": V,
        "attention": args.attention,
        "threads": args.threads,
        "parameters": n_params,
        "matmul_parameters": n_matmul,
        "flops_per_token": flops_per_token,
        "warmup_steps": args.warmup,
        "timed_steps": len(times),
        "tokens_per_second": round(tokens_per_second, 1),
        "tokens_per_second_mean": round(B * T * len(times) / total, 1),
        "step_ms": round(1000 * median, 2),
        "step_ms_best": round(1000 * min(times), 2),
        "step_ms_mean": round(1000 * total / len(times), 2),
        "gflops": round(gflops, 2),
        "sgemm_peak_gflops": round(peak, 2),
        "mfu": round(gflops / peak, 4),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "loss_first": round(losses[0], 4),
        "loss_last": round(losses[-1], 4),
        "data_files": n_files,
        "data_bytes": tokens.numel(),
        "mkl": torch.backends.mkl.is_available(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['engine']}, config {args.config} (L{L} d{C} H{H} T{T} B{B} V{V}), attention {args.attention}, {args.threads} threads")
        print(f"params {n_params:,} (matmul {n_matmul:,}), {flops_per_token / 1e6:.2f} MFLOP/token")
        print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f} over {len(losses)} steps")
        print(f"{tokens_per_second:,.0f} tokens/s, step {result['step_ms']} ms (median of {len(times)}), "
              f"{gflops:.1f} GFLOP/s, MFU {100 * gflops / peak:.1f}% of measured sgemm peak {peak:.1f} GFLOP/s, "
              f"peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
