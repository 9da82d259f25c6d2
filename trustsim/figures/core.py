"""Figure infrastructure: experiment registry, sizes, result caching, findings and the README.

Each experiment has a spec in ``trustsim/experiments/`` (the runner's TOML format; E12, which
tests the game kernel and runs no scenario, has its own tables) and a builder that gets its
data, draws its figures and states its finding with the numbers the run produced. Model
experiments run through :func:`trustsim.sweep.runner.run_sweep`, into
``<results>/<size>/<spec name>-<spec hash>``, so finished runs are reused and an interrupted
build resumes.

Sizes: ``full`` is the spec as written (what a paper uses); ``quick`` applies the overrides in
``trustsim/experiments/quick.toml`` (fewer replicates and points; all twelve within minutes);
``smoke`` thins the quick spec further to a few points and one replicate (what CI runs so that
no experiment rots).
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from trustsim.errors import UserError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from trustsim.sweep.spec import ExperimentSpec

__all__ = [
    "EXPERIMENTS",
    "SIZES",
    "Context",
    "Experiment",
    "Finding",
    "build_figures",
    "load_experiment_spec",
    "write_readme",
]

SIZES = ("full", "quick", "smoke")

#: The claims the model is built to test (ODD.md, Purpose and patterns), by id.
CLAIMS = {
    "P1": "accumulated bilateral exchanges",
    "P2": "anchor tenants",
    "P3": "utility first, by-products later",
    "P4": "path dependency and lock-in",
    "P5": "cascades",
    "P6": "trust architecture (shadow of the future)",
    "P7": "social embeddedness",
    "P8": "neutral broker",
    "P9": "relational contracts",
    "P10": "planned parks fail",
    "P11": "scale and density",
    "P12": "regulation",
    "P13": "facilitated emergence",
    "P14": "links end",
}

#: The packaged experiment specs and quick.toml (trustsim/experiments/).
SPEC_DIR = Path(__file__).resolve().parents[1] / "experiments"


@dataclass(frozen=True)
class Finding:
    """What one figure shows, stated with the numbers of the run that drew it.

    Attributes:
        experiment: Experiment key, e.g. ``"E1"``.
        figure: File stem in the figures folder.
        title: One-line title.
        claims: The claims (P1-P14) the figure tests.
        spec: The spec file(s), relative to the repository, comma-separated.
        size: ``full``, ``quick`` or ``smoke``.
        text: The finding, computed from the results.
        holds: Whether the figure shows what the claims predict (None: not a yes/no test).
        commit: The git commit(s) of trustsim the results were computed with.
    """

    experiment: str
    figure: str
    title: str
    claims: tuple[str, ...]
    spec: str
    size: str
    text: str
    holds: bool | None
    commit: str = ""


@dataclass(frozen=True)
class Experiment:
    """An experiment: its spec file(s), the claims it tests and the function that builds it.

    An experiment that compares scenarios has one runner spec per scenario (a spec names one
    scenario); ``specs`` lists them in the order the builder asks for them.
    """

    key: str
    specs: tuple[str, ...]
    title: str
    claims: tuple[str, ...]
    build: Callable[[Context], list[Finding]] = field(repr=False)

    @property
    def spec_paths(self) -> str:
        """The spec files relative to the repository, comma-separated (for the README)."""
        return ", ".join(f"`trustsim/experiments/{s}`" for s in self.specs)


#: Experiments by key, in order (filled by :func:`experiment`).
EXPERIMENTS: dict[str, Experiment] = {}


def experiment(
    key: str, spec: str | tuple[str, ...], title: str, claims: tuple[str, ...]
) -> Callable[[Callable[[Context], list[Finding]]], Callable[[Context], list[Finding]]]:
    """Register a figure builder for experiment ``key`` with its spec file(s)."""
    specs = (spec,) if isinstance(spec, str) else tuple(spec)

    def register(build: Callable[[Context], list[Finding]]) -> Callable[[Context], list[Finding]]:
        EXPERIMENTS[key] = Experiment(key, specs, title, claims, build)
        return build

    return register


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``over`` merged in, tables recursively, other values replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key != "sweep":
            out[key] = _merge(out[key], value)
        elif key == "sweep" and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(dict(value))}
        else:
            out[key] = copy.deepcopy(value)
    return out


def _thin(values: list[Any], keep: int = 2) -> list[Any]:
    """Return at most ``keep`` values spread over ``values`` (first and last included)."""
    if len(values) <= keep:
        return list(values)
    idx = sorted({round(i * (len(values) - 1) / (keep - 1)) for i in range(keep)})
    return [values[i] for i in idx]


def _smoke(raw: dict[str, Any]) -> dict[str, Any]:
    """Shrink a spec to a few points and one replicate (the CI smoke size)."""
    out = copy.deepcopy(raw)
    exp = out.setdefault("experiment", {})
    if "replicates" in exp:
        exp["replicates"] = 1
    if "n" in exp:
        exp["n"] = min(int(exp["n"]), 4)
    for key, axis in out.get("sweep", {}).items():
        if isinstance(axis, list):
            out["sweep"][key] = _thin(axis)
        elif isinstance(axis, dict) and "num" in axis:
            out["sweep"][key] = {**axis, "num": min(int(axis["num"]), 2)}
    for key, value in out.get("smoke", {}).items():
        out[key] = _merge(out.get(key, {}), value)
    out.pop("smoke", None)
    return out


def load_experiment_spec(
    key: str, size: str = "full", spec_dir: Path = SPEC_DIR, which: int = 0
) -> dict[str, Any]:
    """Return the raw spec of experiment ``key`` at ``size``, overrides applied.

    Args:
        key: Experiment key (``E1`` .. ``E12``).
        size: ``full``, ``quick`` or ``smoke``.
        spec_dir: Folder holding the specs and ``quick.toml``.
        which: Index of the spec file, for experiments with several.

    Returns:
        The spec as a dict (parse it with :func:`trustsim.sweep.spec.parse_spec`).
    """
    if size not in SIZES:
        raise UserError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    exp = EXPERIMENTS[key]
    name = exp.specs[which]
    path = spec_dir / name
    if not path.is_file():
        raise UserError(
            f"{path}: no such spec file (experiment {key}); "
            "--specs DIR names the folder that holds the specs and quick.toml"
        )
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    if size == "full":
        raw.pop("smoke", None)
        return raw
    quick_path = spec_dir / "quick.toml"
    quick = tomllib.loads(quick_path.read_text(encoding="utf-8")) if quick_path.is_file() else {}
    raw = _merge(raw, quick.get(Path(name).stem, {}))
    return _smoke(raw) if size == "smoke" else {k: v for k, v in raw.items() if k != "smoke"}


@dataclass
class Context:
    """Where a builder reads specs, keeps results and writes figures, and at what size.

    Attributes:
        size: ``full``, ``quick`` or ``smoke``.
        results: Results root; runs go to ``results/<size>/<name>-<hash>``.
        figures: Folder the figures are written to.
        workers: Worker processes for sweeps.
        spec_dir: Folder holding the specs.
        progress: Show the runner's progress bar.
        fresh: Recompute results even when finished ones exist (after a model change).
        commits: Git commits of the results each experiment used, filled as they load.
    """

    size: str
    results: Path
    figures: Path
    workers: int = 1
    spec_dir: Path = SPEC_DIR
    progress: bool = False
    fresh: bool = False
    commits: dict[str, set[str]] = field(default_factory=dict)
    _cleared: set[Path] = field(default_factory=set, repr=False)

    def _clear_once(self, out: Path) -> None:
        """With :attr:`fresh`, delete ``out`` the first time this build uses it."""
        if self.fresh and out not in self._cleared and out.exists():
            import shutil

            shutil.rmtree(out)
        self._cleared.add(out)

    def _note_commit(self, key: str, commit: str | None) -> None:
        self.commits.setdefault(key, set()).add((commit or "unknown")[:10])

    def raw_spec(self, key: str, which: int = 0) -> dict[str, Any]:
        """Return experiment ``key``'s (``which``-th) spec at this context's size.

        The ``[claim]`` table is left out (see :meth:`claim`): rewording a claim or its
        verdict rule does not invalidate finished runs.
        """
        raw = load_experiment_spec(key, self.size, self.spec_dir, which)
        raw.pop("claim", None)
        return raw

    def claims(self, key: str, which: int = 0) -> list[dict[str, Any]]:
        """Return the claims of experiment ``key``'s spec, in order (empty if it states none).

        A spec states one ``[claim]`` table or several ``[[claim]]`` tables.
        """
        table = load_experiment_spec(key, self.size, self.spec_dir, which).get("claim")
        if table is None:
            return []
        return list(table) if isinstance(table, list) else [table]

    def source(self, key: str, which: int = 0) -> str:
        """Return the path of experiment ``key``'s (``which``-th) spec file."""
        return str(self.spec_dir / EXPERIMENTS[key].specs[which])

    def spec(self, key: str, which: int = 0) -> ExperimentSpec:
        """Return experiment ``key``'s validated runner spec at this context's size."""
        from trustsim.sweep.spec import parse_spec

        return parse_spec(self.raw_spec(key, which), source=self.source(key, which))

    def run_dir(self, name: str, raw: Mapping[str, Any]) -> Path:
        """Return the results folder of a spec (its name plus a hash of its content)."""
        import hashlib

        text = json.dumps(raw, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(text.encode()).hexdigest()[:10]
        return self.results / self.size / f"{name}-{digest}"

    def sweep(self, key: str, which: int = 0, run_fn: Any = None) -> pd.DataFrame:
        """Run experiment ``key``'s missing runs through the runner and return all its runs.

        ``run_fn`` replaces :func:`trustsim.simulate` (a posterior predictive run, for E10).
        """
        return self.run(key, self.raw_spec(key, which), self.source(key, which), run_fn=run_fn)

    def run(self, key: str, raw: Mapping[str, Any], source: str,
            run_fn: Any = None) -> pd.DataFrame:
        """Run a raw spec's missing runs (for experiment ``key``) and return all its runs."""
        from trustsim.sweep.results import load_results
        from trustsim.sweep.runner import run_sweep
        from trustsim.sweep.spec import parse_spec

        spec = parse_spec(dict(raw), source=source)
        out = self.run_dir(spec.name, spec.raw)  # the resolved spec: its calibration counts
        self._clear_once(out)
        report = run_sweep(
            spec, out, workers=self.workers, resume=out.exists(), progress=self.progress,
            run_fn=run_fn,
        )
        if report.n_failed:
            raise UserError(
                f"{spec.source}: {report.n_failed} of {report.n_runs} runs failed; see the 'error' "
                f"column of trustsim.load_results({str(out)!r})"
            )
        metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
        for commit in computed_with(metadata):
            self._note_commit(key, commit)
        return load_results(out)

    def timeseries(self, key: str, which: int = 0) -> pd.DataFrame:
        """Return experiment ``key``'s recorded time series (run :meth:`sweep` first)."""
        from trustsim.sweep.results import load_timeseries

        spec = self.spec(key, which)
        return load_timeseries(self.run_dir(spec.name, spec.raw))

    def cached(
        self,
        key: str,
        compute: Callable[[dict[str, Any]], dict[str, Any]],
        which: int = 0,
        name: str = "results",
    ) -> dict:
        """Return ``compute(raw_spec)`` from a JSON cache keyed by the spec's content.

        For data the runner's summaries do not hold (kernel experiments, networks); the
        file is ``<run dir>/<name>.json``.
        """
        raw = self.raw_spec(key, which)
        out = self.run_dir(raw["experiment"]["name"], raw)
        path = out / f"{name}.json"
        self._clear_once(out)
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            self._note_commit(key, data.get("git_commit"))
            return data
        from trustsim.sweep.results import git_commit

        data = {**compute(raw), "git_commit": git_commit()}
        self._note_commit(key, data["git_commit"])
        out.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True, indent=1), encoding="utf-8")
        tmp.replace(path)
        return data

    def save(self, fig: Figure, stem: str) -> list[Path]:
        """Write ``fig`` as PNG and PDF under :attr:`figures` and close it."""
        import matplotlib.pyplot as plt

        from trustsim.figures.plotting import save_figure

        paths = save_figure(fig, self.figures / stem)
        plt.close(fig)
        return paths

    def finding(
        self, key: str, figure: str, text: str, holds: bool | None, title: str | None = None
    ) -> Finding:
        """Return a :class:`Finding` for a figure of experiment ``key``."""
        exp = EXPERIMENTS[key]
        return Finding(
            experiment=key,
            figure=figure,
            title=title or exp.title,
            claims=exp.claims,
            spec=", ".join(f"trustsim/experiments/{s}" for s in exp.specs),
            size=self.size,
            text=text,
            holds=None if holds is None else bool(holds),
            commit=", ".join(sorted(self.commits.get(key, ()))),
        )


def computed_with(metadata: Mapping[str, Any]) -> list[str | None]:
    """Git commits of the sweep sessions that computed runs (None where none was recorded).

    A resumed sweep adds a session; one that computed nothing does not count.
    """
    sessions = [s for s in metadata.get("sessions", []) if s.get("new_runs", 1) > 0]
    if not sessions:
        return [metadata.get("git_commit")]
    if len(metadata.get("sessions", [])) == 1:
        return [sessions[0].get("git_commit", metadata.get("git_commit"))]
    return [s.get("git_commit") for s in sessions]


def _findings_path(ctx: Context) -> Path:
    return ctx.results / ctx.size / "findings.json"


def build_figures(
    only: list[str] | None = None,
    *,
    size: str = "full",
    results: Path = Path("results"),
    figures: Path = Path("figures"),
    workers: int = 1,
    progress: bool = False,
    spec_dir: Path = SPEC_DIR,
    readme: bool = True,
    fresh: bool = False,
) -> list[Finding]:
    """Build the figures of the chosen experiments and rewrite the figures README.

    Args:
        only: Experiment keys (``E1``, ``E01`` and ``e1`` all work); all when None.
        size: ``full``, ``quick`` or ``smoke``.
        results: Results root (runs are cached under ``results/<size>``).
        figures: Folder the figures and README.md are written to.
        workers: Worker processes for sweeps.
        progress: Show the runner's progress bars.
        spec_dir: Folder holding the specs.
        readme: Whether to rewrite the README (``README.md`` for full builds, else
            ``README.<size>.md``: see :func:`readme_name`).
        fresh: Recompute the chosen experiments' results even if finished ones exist.

    Returns:
        The findings of the figures built now.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = resolve_keys(only)
    ctx = Context(size, Path(results), Path(figures), workers, Path(spec_dir), progress, fresh)
    store = _findings_path(ctx)
    known: dict[str, list[dict[str, Any]]] = (
        json.loads(store.read_text(encoding="utf-8")) if store.is_file() else {}
    )
    built: list[Finding] = []
    for key in keys:
        with plt.style.context("trustsim.figures.styles.paper"):
            findings = EXPERIMENTS[key].build(ctx)
        built.extend(findings)
        known[key] = [asdict(f) for f in findings]
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
    if readme:
        write_readme(ctx.figures / readme_name(size), known, size=size)
    return built


def resolve_keys(only: list[str] | None) -> list[str]:
    """Return experiment keys in registry order; accept ``E1``, ``E01`` and ``e1``."""
    if not only:
        return list(EXPERIMENTS)
    keys = []
    for item in only:
        text = item.strip().upper()
        if text.startswith("E") and text[1:].isdigit():
            text = f"E{int(text[1:])}"
        if text not in EXPERIMENTS:
            raise UserError(
                f"--only: unknown experiment {item!r}; allowed: {', '.join(EXPERIMENTS)}"
            )
        keys.append(text)
    return [k for k in EXPERIMENTS if k in keys]


def command_for(key: str, size: str) -> str:
    """Return the command that rebuilds experiment ``key``'s figures at ``size``."""
    flag = {"quick": " --quick", "smoke": " --smoke", "full": ""}[size]
    return f"trustsim figures{flag} --only {key}"


def readme_name(size: str) -> str:
    """The README a build of ``size`` writes.

    README.md for full and quick builds, since it describes the PNGs next to it and both sizes
    write those (each finding says its size, each section the command of either size);
    README.smoke.md for smoke builds, whose numbers are no results.
    """
    return "README.smoke.md" if size == "smoke" else "README.md"


def write_readme(path: Path, known: Mapping[str, list[Mapping[str, Any]]], *, size: str) -> None:
    """Write the figures README: every experiment, its figures, claims, spec, command, finding."""
    verdict = {True: "shows the predicted pattern", False: "does NOT show it", None: "see text"}
    lines = [
        "# Figures",
        "",
        "Generated by `trustsim figures`; do not edit by hand. Every finding below is computed",
        "from the results of the run that drew the figure. Sizes: `full` is the spec as written,",
        "`quick` applies `trustsim/experiments/quick.toml` (fewer replicates and points),",
        "`smoke` is the CI size (a few points, one replicate): read smoke numbers as a check that",
        "the code runs, not as results.",
        "",
        f"This README was last written by a `{size}` build"
        + ("." if size == "full" else
           ": its figures and numbers are that\nsize's, not the full specs' (`trustsim figures`"
           " builds those, with the commands below).") + " The figures are written next to",
        "it: the PNGs (150 dpi) are committed, so the images below show in the repository; the",
        "PDFs are build outputs. Where a spec states its claim (a `[claim]` table: mechanism,",
        "rivals, the parameters that switch each off, the verdict rule), the verdict is that",
        "rule's, and the figure has an ablation panel (trustsim/figures/ablation.py).",
        "",
        "| experiment | claims | figure | verdict |",
        "|---|---|---|---|",
    ]
    for key, exp in EXPERIMENTS.items():
        entries = known.get(key, [])
        if not entries:
            lines.append(f"| {key} | {', '.join(exp.claims)} | not built yet | |")
        for entry in entries:
            lines.append(
                f"| {key} | {', '.join(entry['claims'])} | `{entry['figure']}` "
                f"({entry['size']}) | {verdict[entry['holds']]} |"
            )
    lines.append("")
    for key, exp in EXPERIMENTS.items():
        lines += [f"## {key}: {exp.title}", ""]
        claims = ", ".join(f"{c} ({CLAIMS[c]})" for c in exp.claims)
        lines += [f"- Claims: {claims}", f"- Spec: {exp.spec_paths}"]
        entries = known.get(key, [])
        if not entries:
            lines += [f"- Command: `{command_for(key, size)}`", "- Not built yet.", ""]
            continue
        built = entries[0]["size"]
        lines += [f"- Command: `{command_for(key, 'full')}`"
                  + ("" if built == "full" else
                     f" (the figure and numbers below: `{command_for(key, built)}`)"), ""]
        for entry in entries:
            lines += [
                f"### `{entry['figure']}` ({entry['size']} size)",
                "",
                f"![{entry['title']}]({entry['figure']}.png)",
                "",
                f"{entry['title']}. Claims {', '.join(entry['claims'])}: "
                f"{verdict[entry['holds']]}.",
                "",
                entry["text"],
                "",
            ]
            if entry.get("commit"):
                lines += [f"Results computed with trustsim at commit `{entry['commit']}`.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def fmt(x: float, digits: int = 3) -> str:
    """Format a number for a finding (``nan`` as 'n/a')."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}g}"


def kernel_rng(raw: Mapping[str, Any], *stream: int) -> np.random.Generator:
    """Return a generator for one stream of a kernel experiment's seed."""
    return np.random.default_rng(
        np.random.SeedSequence(raw["experiment"]["seed"], spawn_key=stream)
    )
