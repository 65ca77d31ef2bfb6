"""Minimal SVG line charts without third-party packages (used by the results scripts).
line_chart(title, xlabel, ylabel, series: [(name, xs, ys)], path, logx=False, logy=False)
logy: a log-scaled y axis (positive values), ticked at 1, 2, 5 × powers of 10."""
import math

COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def _ticks(lo, hi, n=5):
    if hi <= lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / n))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (step * m) <= n:
            step *= m
            break
    start = math.floor(lo / step) * step
    out, v = [], start
    while v <= hi + 1e-12:
        out.append(round(v, 10))
        v += step
    return out


def _log_ticks(lo, hi):
    """1, 2, 5 x 10^k between 10^lo and 10^hi, as log10 values."""
    out = []
    for e in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            t = math.log10(m) + e
            if lo <= t <= hi:
                out.append(t)
    return out or [lo, hi]


def line_chart(title, xlabel, ylabel, series, path, logx=False, logy=False, width=640, height=400):
    L, R, T, B = 70, 160, 40, 50
    fx = (lambda v: math.log10(v)) if logx else (lambda v: v)
    fy = (lambda v: math.log10(v)) if logy else (lambda v: v)
    keep = (lambda y: y is not None and math.isfinite(y) and (y > 0 or not logy))
    series = [(name, xv, [fy(y) if keep(y) else None for y in yv]) for name, xv, yv in series]
    xs = [fx(x) for _, xv, _ in series for x in xv]
    ys = [y for _, _, yv in series for y in yv if y is not None]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if y1 == y0:
        y1 = y0 + 1
    pad = (y1 - y0) * 0.05
    y0, y1 = y0 - pad, y1 + pad
    if x1 == x0:
        x1 = x0 + 1
    px = lambda v: L + (fx(v) - x0) / (x1 - x0) * (width - L - R)
    py = lambda v: T + (1 - (v - y0) / (y1 - y0)) * (height - T - B)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{L}" y1="{height - B}" x2="{width - R}" y2="{height - B}" stroke="black"/>',
           f'<line x1="{L}" y1="{T}" x2="{L}" y2="{height - B}" stroke="black"/>']
    for v in (_log_ticks(y0, y1) if logy else _ticks(y0, y1)):
        if y0 <= v <= y1:
            out.append(f'<text x="{L - 6}" y="{py(v) + 4}" text-anchor="end">{(10 ** v if logy else v):g}</text>')
            out.append(f'<line x1="{L}" y1="{py(v)}" x2="{width - R}" y2="{py(v)}" stroke="#eee"/>')
    xt = sorted({x for _, xv, _ in series for x in xv})
    for v in xt if len(xt) <= 8 else [10 ** t if logx else t for t in _ticks(x0, x1)]:
        out.append(f'<text x="{px(v)}" y="{height - B + 16}" text-anchor="middle">{v:g}</text>')
    out.append(f'<text x="{(L + width - R) / 2}" y="{height - 10}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text x="16" y="{(T + height - B) / 2}" text-anchor="middle" transform="rotate(-90 16 {(T + height - B) / 2})">{ylabel}</text>')
    for i, (name, xv, yv) in enumerate(series):
        c = COLORS[i % len(COLORS)]
        pts = [(px(x), py(y)) for x, y in zip(xv, yv) if y is not None]
        if pts:
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}"/>')
            for a, b in pts:
                out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{c}"/>')
        out.append(f'<rect x="{width - R + 10}" y="{T + 18 * i}" width="12" height="3" fill="{c}"/>')
        out.append(f'<text x="{width - R + 28}" y="{T + 18 * i + 5}">{name}</text>')
    out.append('</svg>')
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
