"""Training speed of the hybrid LSTM(64) -> GRU(64) -> Dense(1) network, side by side.

Alternatives, each in its own fresh Python process, on the same seeded data (float32 windows of
60 steps, batch 64, dropout 0.2 after each recurrent layer, Adam 1e-3, MSE):

``keras_default``
    What tutorials do: ``Sequential`` of Keras ``LSTM``/``Dropout``/``GRU``/``Dropout``/``Dense``,
    ``model.compile(optimizer="adam", loss="mse")`` and ``model.fit`` (on a CPU Keras then
    runs the graph without XLA).
``keras_xla``
    The same model compiled with ``jit_compile=True`` (Keras' own ``Dropout``).
``ours_keras_loop``
    The project's training step with Keras' own ``LSTM``/``GRU`` layers:
    :func:`lstmgru.models.rnn.build_network` with ``fused=False`` (Philox dropout),
    :func:`~lstmgru.models.rnn.compile_network` (the whole step compiled by XLA,
    ``steps_per_execution``) and the input pipeline :func:`~lstmgru.models.rnn.window_dataset`.
``ours``
    The same with the fused CPU loops of :mod:`lstmgru.models.fused` (hand-written
    back-propagation through time, the batch in concurrent lanes, each lane's loop compiled by
    XLA), as :class:`~lstmgru.models.rnn.RecurrentForecaster` trains.
``pytorch``
    ``nn.LSTM -> nn.Dropout -> nn.GRU -> nn.Dropout -> nn.Linear`` with a standard loop
    (``DataLoader`` with shuffling, ``zero_grad``/``backward``/``step``),
    ``torch.set_num_threads(cores)``; the reference of the speed goal.
``pytorch_1thread``
    The same with one thread: shows how much of PyTorch's figure is lost to thread
    synchronisation on a busy machine (not used for the goal).

``ceiling`` (not a training run)
    The best throughput this machine's libraries reach on each matrix product of one training
    step (XLA, TensorFlow's eager oneDNN/Eigen kernel, NumPy's BLAS and PyTorch), each product
    repeated on its own: the time of a sample if every product ran at that best rate and
    everything else (gate arithmetic, dropout, optimiser, loop overhead) were free: how fast
    training could be if only the matrix products cost time; see :func:`gemm_ceiling`.

Throughput is training samples per second over the timed epochs, after one untimed warm-up
epoch (tracing and XLA compilation; its time is reported separately). The runs are repeated,
interleaved, and the median is reported with its range: on a machine shared with other work the
spread is part of the result.

FLOPs per training sample: the recurrent matrix products dominate. Per time step a layer with
:math:`n` inputs and :math:`m` units multiplies by :math:`g\\,m(n + m)` weights
(:math:`g = 4` gates for the LSTM, 3 for the GRU), 2 FLOPs each; the backward pass costs about
twice the forward one, so ``FLOPs/sample = 2 * sum_layers(g m (n + m)) * window * 3``
(14.8 MFLOP for n = 1, m = 64, window 60). Achieved GFLOP/s = samples/s x FLOPs/sample;
the peak is estimated in ``_common.machine``.

Run: ``python benchmarks/train_speed.py [--quick] [--output DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import _common

NAME = "train_speed"
VARIANTS = (
    "keras_default",
    "keras_xla",
    "ours_keras_loop",
    "ours",
    "pytorch",
    "pytorch_1thread",
)
LABELS = {
    "keras_default": "plain Keras (compile('adam', 'mse') + fit)",
    "keras_xla": "Keras + jit_compile=True, stock Dropout",
    "ours_keras_loop": "ours with Keras' loop: XLA step, Philox dropout, 8 steps per call",
    "ours": "ours: fused LSTM/GRU loops (hand-written BPTT, 2 lanes), XLA per loop",
    "pytorch": "PyTorch standard loop, threads = cores",
    "pytorch_1thread": "PyTorch standard loop, 1 thread",
}
SEED = 0
CEILING_BACKENDS = ("numpy", "pytorch", "tensorflow", "xla")


def flops_per_sample(window: int, units: int, n_features: int = 1) -> float:
    """Training FLOPs per sample of LSTM(units) -> GRU(units): 2 x recurrent weights x T x 3."""
    lstm = 4 * units * (n_features + units)
    gru = 3 * units * (units + units)
    return 2.0 * (lstm + gru) * window * 3.0


def training_products(batch: int, window: int, units: int, n_features: int = 1) -> list[dict]:
    """The matrix products of one training step of the hybrid, with how often each runs.

    Per time step (``count = window``): the forward products of the LSTM
    (``[x_t, h_{t-1}] [W; U]``) and of the GRU (``x_t W``, ``h_{t-1} U``) and the backward
    products ``dz_t U^T`` that carry the gradient to the previous step. Once per batch, over all
    ``T * B`` rows: the weight gradients ``H^T dZ``, ``X^T dZ`` and the input gradients
    ``dZ W^T``. Their FLOPs add up to :func:`flops_per_sample` ``x batch``.
    """
    b, n, m, rows = batch, n_features, units, batch * window
    shapes = [
        ("LSTM forward [x, h] [W; U]", b, n + m, 4 * m, window),
        ("GRU forward x W", b, m, 3 * m, window),
        ("GRU forward h U", b, m, 3 * m, window),
        ("LSTM backward dz U^T", b, 4 * m, m, window),
        ("GRU backward ds U^T", b, 3 * m, m, window),
        ("LSTM dU = H^T dZ", m, rows, 4 * m, 1),
        ("LSTM dW = X^T dZ", n, rows, 4 * m, 1),
        ("LSTM dX = dZ W^T", rows, 4 * m, n, 1),
        ("GRU dU = H^T dS", m, rows, 3 * m, 1),
        ("GRU dW = X^T dA", m, rows, 3 * m, 1),
        ("GRU dX = dA W^T", rows, 3 * m, m, 1),
    ]
    return [
        {"product": name, "m": rows_, "k": k, "n": cols, "count": count}
        for name, rows_, k, cols, count in shapes
    ]


def _best_seconds(func, repeats: int) -> float:
    """Smallest time of one call of ``func`` over ``repeats`` calls (after two warm-up calls)."""
    func()
    func()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def gemm_ceiling(batch: int, window: int, units: int, repeats: int = 200) -> dict:
    """Best measured rate of every product of a training step, and the samples/s it allows.

    Each product of :func:`training_products` is timed alone with each library present --
    NumPy's BLAS (``a @ b`` into a preallocated array), PyTorch (``torch.matmul(out=)``, all
    cores), TensorFlow eager (oneDNN/Eigen) and XLA (a compiled function of the one product) --
    as the smallest time over ``repeats`` calls on the same operands (warm caches). The
    ceiling takes, per product, the fastest library, and charges nothing for anything else:
    ``seconds per batch = sum(count x best time)``, ``samples/s = batch / seconds per batch``.
    It is not a strict bound: products running concurrently on separate cores could overlap.
    """
    import numpy as np

    rng = np.random.default_rng(SEED)
    backends: dict[str, Any] = {}
    backends["numpy"] = lambda a, b, out: lambda: np.matmul(a, b, out=out)
    try:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)

        def torch_case(a, b, out):
            ta, tb, tout = (torch.from_numpy(v) for v in (a, b, out))
            return lambda: torch.matmul(ta, tb, out=tout)

        backends["pytorch"] = torch_case
    except ImportError:
        pass
    import tensorflow as tf

    def tf_eager(a, b, out):
        ta, tb = tf.constant(a), tf.constant(b)
        return lambda: tf.matmul(ta, tb)

    product = tf.function(tf.matmul, jit_compile=True)  # one function, traced per shape

    def tf_xla(a, b, out):
        ta, tb = tf.constant(a), tf.constant(b)
        return lambda: product(ta, tb)

    backends["tensorflow"] = tf_eager
    backends["xla"] = tf_xla
    products = training_products(batch, window, units)
    seconds_per_batch = 0.0
    for item in products:
        a = rng.standard_normal((item["m"], item["k"])).astype("float32")
        b = rng.standard_normal((item["k"], item["n"])).astype("float32")
        out = np.empty((item["m"], item["n"]), dtype="float32")
        flops = 2.0 * item["m"] * item["k"] * item["n"]
        rates = {}
        for name, make in backends.items():
            rates[name] = flops / _best_seconds(make(a, b, out), repeats) / 1e9
        best = max(rates, key=rates.get)
        item.update(gflops=rates, best=best, best_gflops=rates[best])
        seconds_per_batch += item["count"] * flops / (rates[best] * 1e9)
    return {
        "variant": "ceiling",
        "products": products,
        "seconds_per_batch": seconds_per_batch,
        "samples_per_second": batch / seconds_per_batch,
    }


def _data(samples: int, window: int):
    import numpy as np

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((samples, window, 1)).astype("float32")
    y = (0.5 * x[:, -1, 0] + 0.1 * rng.standard_normal(samples)).astype("float32")
    return x, y


def worker(variant: str, samples: int, window: int, units: int, batch: int, epochs: int) -> dict:
    """Train one alternative; return its timings as a dict (printed as JSON by ``main``)."""
    if variant == "ceiling":
        return gemm_ceiling(batch, window, units, repeats=20 if samples < 1000 else 200)
    x, y = _data(samples, window)
    cores = os.cpu_count() or 1
    if variant.startswith("pytorch"):
        threads = 1 if variant == "pytorch_1thread" else cores
        return {"variant": variant, **_torch_worker(x, y, units, batch, epochs, threads)}
    import keras

    keras.utils.set_random_seed(SEED)
    if variant in ("keras_default", "keras_xla"):
        model = keras.Sequential(
            [
                keras.Input((window, 1)),
                keras.layers.LSTM(units, return_sequences=True),
                keras.layers.Dropout(0.2),
                keras.layers.GRU(units),
                keras.layers.Dropout(0.2),
                keras.layers.Dense(1),
            ]
        )
        if variant == "keras_default":
            model.compile(optimizer="adam", loss="mse")
        else:
            model.compile(optimizer="adam", loss="mse", jit_compile=True)
    else:
        from lstmgru.models.rnn import STEPS_PER_EXECUTION, build_network, compile_network

        fused = variant == "ours"
        model = build_network(("lstm", "gru"), (units, units), window, 0.2, fused=fused)
        compile_network(
            model,
            learning_rate=1e-3,
            jit_compile=True,
            steps_per_execution=STEPS_PER_EXECUTION,
        )

    if variant.startswith("ours"):
        from lstmgru.models.rnn import window_dataset

        data = window_dataset(x, y, batch, shuffle_seed=SEED)

        def run(n_epochs: int):
            return model.fit(data, epochs=n_epochs, verbose=0)
    else:

        def run(n_epochs: int):
            return model.fit(x, y, batch_size=batch, epochs=n_epochs, shuffle=True, verbose=0)

    _, warmup, _ = _common.timed(lambda: run(1))
    history, wall, cpu = _common.timed(lambda: run(epochs))
    return {
        "variant": variant,
        "samples_per_second": samples * epochs / wall,
        "timed_seconds": wall,
        "cpu_seconds": cpu,
        "warmup_seconds": warmup,
        "final_loss": float(history.history["loss"][-1]),
        "parameters": int(model.count_params()),
        "jit_compile": bool(model.jit_compile),
        "xla_scope": _xla_scope(model),
    }


def _xla_scope(model) -> str:
    from lstmgru.models.rnn import xla_scope

    return xla_scope(model)


def _torch_worker(x, y, units: int, batch: int, epochs: int, threads: int) -> dict:
    try:
        import torch
        from torch import nn
    except ImportError:
        return {"error": "torch not installed"}

    torch.set_num_threads(threads)
    torch.manual_seed(SEED)

    class Hybrid(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(1, units, batch_first=True)
            self.drop1 = nn.Dropout(0.2)
            self.gru = nn.GRU(units, units, batch_first=True)
            self.drop2 = nn.Dropout(0.2)
            self.out = nn.Linear(units, 1)

        def forward(self, inputs):
            hidden, _ = self.lstm(inputs)
            _, last = self.gru(self.drop1(hidden))
            return self.out(self.drop2(last[-1]))

    net = Hybrid()
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y[:, None]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch, shuffle=True)

    def run(n_epochs: int) -> float:
        net.train()
        loss = torch.tensor(0.0)
        for _ in range(n_epochs):
            for xb, yb in loader:
                optimiser.zero_grad()
                loss = loss_fn(net(xb), yb)
                loss.backward()
                optimiser.step()
        return float(loss)

    _, warmup, _ = _common.timed(lambda: run(1))
    final, wall, cpu = _common.timed(lambda: run(epochs))
    return {
        "samples_per_second": len(x) * epochs / wall,
        "timed_seconds": wall,
        "cpu_seconds": cpu,
        "warmup_seconds": warmup,
        "final_loss": final,
        "parameters": sum(p.numel() for p in net.parameters()),
        "threads": torch.get_num_threads(),
    }


def main(argv: list[str] | None = None) -> dict:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--worker", choices=(*VARIANTS, "ceiling"), help=argparse.SUPPRESS)
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated subset of {', '.join(VARIANTS)} ('ours' is always run)",
    )
    args = p.parse_args(argv)
    chosen = [v for v in VARIANTS if v in args.variants.split(",") or v == "ours"]
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        p.error(f"unknown variants {sorted(unknown)}; choose from {', '.join(VARIANTS)}")
    if args.quick:
        size = {"samples": 256, "window": 20, "units": 16, "batch": 64, "epochs": 1, "repeats": 1}
    else:
        size = {"samples": 4096, "window": 60, "units": 64, "batch": 64, "epochs": 3, "repeats": 5}
    if args.repeats:
        size["repeats"] = args.repeats
    shape = [size[k] for k in ("samples", "window", "units", "batch", "epochs")]
    if args.worker:
        print(json.dumps(worker(args.worker, *shape)))
        return {}

    started = time.perf_counter()
    runs: dict[str, list[dict]] = {v: [] for v in chosen}
    for _ in range(size["repeats"]):
        for variant in chosen:
            flags = ["--worker", variant, "--repeats", "1"] + (["--quick"] if args.quick else [])
            result = _common.run_json_subprocess([str(Path(__file__).resolve()), *flags])
            runs[variant].append(result)
            print(f"{variant}: {result.get('samples_per_second', result.get('error'))}")
    flags = ["--worker", "ceiling", "--repeats", "1"] + (["--quick"] if args.quick else [])
    ceiling = _common.run_json_subprocess([str(Path(__file__).resolve()), *flags])
    print(f"ceiling: {ceiling['samples_per_second']}")
    flops = flops_per_sample(size["window"], size["units"])
    mach = _common.machine()
    figures: dict[str, dict] = {}
    for variant, results in runs.items():
        ok = [r for r in results if "error" not in r]
        if not ok:
            figures[variant] = {"error": results[0]["error"]}
            continue
        rates = [r["samples_per_second"] for r in ok]
        median = _common.summary(rates)["median"]
        figures[variant] = {
            "samples_per_second": _common.summary(rates),
            "warmup_seconds": _common.summary([r["warmup_seconds"] for r in ok]),
            "cpu_utilisation": _common.summary([r["cpu_seconds"] / r["timed_seconds"] for r in ok]),
            "gflops": median * flops / 1e9,
            "percent_of_peak": 100 * median * flops / 1e9 / mach["peak_gflops_float32"]
            if mach["peak_gflops_float32"]
            else None,
            "parameters": ok[0]["parameters"],
            "final_loss": [r["final_loss"] for r in ok],
            "runs": ok,
        }
    ours = figures["ours"].get("samples_per_second", {}).get("median")
    for fig in figures.values():
        rate = fig.get("samples_per_second", {}).get("median")
        fig["ours_speedup"] = ours / rate if ours and rate else None
    record = {
        "name": NAME,
        "description": (
            "Training throughput of the hybrid LSTM->GRU->Dense network: median samples/s over "
            f"{size['repeats']} interleaved runs (range in brackets), each in a fresh process."
        ),
        "quick": args.quick,
        "size": size,
        "flops_per_sample": flops,
        "flops_rule": "2 * sum(g * m * (n + m)) * window * 3 (g=4 LSTM, 3 GRU; fwd+bwd = 3x fwd)",
        "machine": mach,
        "versions": _common.versions(["tensorflow", "keras", "numpy", "torch"]),
        "figures": figures,
        "goals": {"vs_keras_default": 1.8, "vs_pytorch": 5.0},
        "ceiling": ceiling,
        "seconds": time.perf_counter() - started,
    }
    torch_rate = figures.get("pytorch", {}).get("samples_per_second", {}).get("median")
    keras_rate = figures.get("keras_default", {}).get("samples_per_second", {}).get("median")
    record["goal_check"] = {
        "ours_vs_keras_default": ours / keras_rate if ours and keras_rate else None,
        "ours_vs_pytorch": ours / torch_rate if ours and torch_rate else None,
        "ceiling_vs_pytorch": ceiling["samples_per_second"] / torch_rate if torch_rate else None,
        "samples_per_second_for_5x_pytorch": 5.0 * torch_rate if torch_rate else None,
    }
    rows = []
    for variant in chosen:
        fig = figures[variant]
        if "error" in fig:
            rows.append([LABELS[variant], fig["error"], "", "", "", "", ""])
            continue
        s = fig["samples_per_second"]
        rows.append(
            [
                LABELS[variant],
                f"{s['median']:.0f} [{s['min']:.0f}-{s['max']:.0f}]",
                round(fig["ours_speedup"], 2),
                round(fig["gflops"], 2),
                round(fig["percent_of_peak"], 2),
                round(fig["warmup_seconds"]["median"], 1),
                round(fig["cpu_utilisation"]["median"], 2),
            ]
        )
    table = _common.markdown_table(
        [
            "alternative",
            "samples/s",
            "ours is x faster",
            "GFLOP/s",
            "% of peak",
            "warm-up s",
            "CPU cores busy",
        ],
        rows,
    )
    product_rows = [
        [
            item["product"],
            f"{item['m']} x {item['k']} x {item['n']}",
            item["count"],
            *(round(item["gflops"].get(b, float("nan")), 1) for b in CEILING_BACKENDS),
            item["best"],
        ]
        for item in ceiling["products"]
    ]
    table += (
        "\n\nCeiling: each matrix product of one training step (batch "
        f"{size['batch']}, window {size['window']}, {size['units']} units) timed alone, GFLOP/s "
        "by library (best of repeated calls on warm operands):\n\n"
        + _common.markdown_table(
            ["product", "m x k x n", "per batch", *CEILING_BACKENDS, "fastest"], product_rows
        )
    )
    check = record["goal_check"]
    best_product = max(item["best_gflops"] for item in ceiling["products"])
    record["best_product_gflops"] = best_product
    notes = [
        f"FLOPs per sample: {flops / 1e6:.2f} M ({record['flops_rule']}).",
        f"Goals: ours >= 1.8x plain Keras and >= 5x PyTorch; wall time {record['seconds']:.0f} s.",
        f"Ceiling: every product at its fastest measured rate and nothing else charged gives "
        f"{ceiling['samples_per_second']:.0f} samples/s"
        + (
            f", {check['ceiling_vs_pytorch']:.2f}x PyTorch; 5x PyTorch would be "
            f"{check['samples_per_second_for_5x_pytorch']:.0f} samples/s."
            if check["ceiling_vs_pytorch"]
            else "."
        ),
        f"The fastest single product ran at {best_product:.0f} GFLOP/s"
        + (
            f", above the estimated peak of {mach['peak_gflops_float32']} GFLOP/s: the cores run "
            "faster than the clock the system reports, so '% of peak' overstates how close any "
            "alternative comes to the real peak."
            if mach["peak_gflops_float32"] and best_product > mach["peak_gflops_float32"]
            else "."
        ),
        "The 'xla' column times one compiled call per product, so for the small per-step "
        "products it is mostly the cost of the call; inside a compiled loop that cost is not paid.",
    ]
    _common.write_results(args.output, NAME, record, table, notes)
    return record


if __name__ == "__main__":
    main()
