"""`python -m tests.photos.evaluate DIR`: run edge's reader over generated photos and score it against truth.

Scoring follows issue 4's targets: digit accuracy is 1 - (total edit distance) / (total true digits), over the
digits alone (a wrong row break is not a wrong digit); a sheet is exact only if its whole text, row breaks
included, matches. `?` never matches a digit. Images with no digits (blank paper, desk, noise) count every
character read on them as a false digit. A file edge could not read scores as all its digits missed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from edge import atomic

ROOT = Path(__file__).resolve().parents[2]
TARGET_DIGITS = 0.98
TARGET_SHEETS = 0.92
PER_CONDITION = ("sheets", "digit_accuracy", "exact_rate", "located_rate")
BATCH = 400  # files per edge process: keeps command lines short, model loads rare


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions each cost 1."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _digits(text: str) -> str:
    """The characters that count as readings: everything but whitespace (row breaks, stray spaces)."""
    return "".join(text.split())


def _normal(text: str) -> str:
    """Text as compared for an exact sheet: rows trimmed, empty rows dropped, order kept."""
    return "\n".join(row.strip() for row in text.strip().splitlines() if row.strip())


def _located(true_box: list[int], read_boxes: list[list[float]]) -> bool:
    """A digit was found if some read box and the true box each contain the other's centre."""
    def inside(point: tuple[float, float], box: list[float]) -> bool:
        return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]

    def centre(box: list[float]) -> tuple[float, float]:
        return box[0] + box[2] / 2, box[1] + box[3] / 2

    return any(inside(centre(b), true_box) and inside(centre(true_box), b) for b in read_boxes)


def _bins(values: list[Any]) -> list[str]:
    """Label each value by group: itself if few distinct or not numeric, else its third of the range."""
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if not numeric or len(set(values)) <= 6:
        return [str(v) for v in values]
    ordered = sorted(values)
    cuts = [ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3]]
    labels = [f"<{cuts[0]:g}", f"{cuts[0]:g}-{cuts[1]:g}", f">={cuts[1]:g}"]
    return [labels[0] if v < cuts[0] else labels[1] if v < cuts[1] else labels[2] for v in values]


def score(truth: dict[str, dict[str, Any]], readings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Score `readings` (file name -> edge's JSON object) against `truth` (file name -> truth.json entry).

    A file with no reading, or with an "error", counts as read as nothing.
    """
    sheets, empties, failed, times = [], [], [], []
    for name, entry in sorted(truth.items()):
        reading = readings.get(name)
        if reading is None or "error" in reading:
            failed.append({"file": name, "error": "no reading" if reading is None else str(reading["error"])})
            read = ""
        else:
            read = str(reading.get("text", ""))
            if isinstance(reading.get("ms"), (int, float)):
                times.append(float(reading["ms"]))
        true_text = str(entry.get("text", ""))
        if not _digits(true_text):
            empties.append({"file": name, "kind": entry.get("kind", ""), "read": read, "false": len(_digits(read))})
            continue
        boxes = [d["box"] for d in (reading or {}).get("digits", []) if isinstance(d, dict) and "box" in d]
        true_boxes = entry.get("boxes", [])
        sheets.append({
            "file": name, "truth": true_text, "read": read,
            "errors": edit_distance(_digits(true_text), _digits(read)),
            "digits": len(_digits(true_text)),
            "exact": _normal(read) == _normal(true_text),
            "located": sum(_located(b, boxes) for b in true_boxes), "boxes": len(true_boxes),
            "conditions": entry.get("conditions", {}),
        })
    return {
        **_summary(sheets),
        "empty_images": len(empties),
        "false_digits": sum(e["false"] for e in empties),
        "empty_with_digits": sum(e["false"] > 0 for e in empties),
        "empty_readings": [e for e in empties if e["false"]],
        "failed": failed,
        "median_ms": statistics.median(times) if times else None,
        "by_condition": _by_condition(sheets),
        "worst": sorted(sheets, key=lambda s: (-s["errors"], s["exact"], s["file"])),
    }


def _summary(sheets: list[dict[str, Any]]) -> dict[str, Any]:
    digits = sum(s["digits"] for s in sheets)
    errors = sum(s["errors"] for s in sheets)
    boxes = sum(s["boxes"] for s in sheets)
    return {
        "sheets": len(sheets),
        "digits": digits,
        "digit_errors": errors,
        "digit_accuracy": 1.0 - errors / digits if digits else None,
        "exact_sheets": sum(s["exact"] for s in sheets),
        "exact_rate": sum(s["exact"] for s in sheets) / len(sheets) if sheets else None,
        "located_rate": sum(s["located"] for s in sheets) / boxes if boxes else None,
    }


def _by_condition(sheets: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Accuracy per value of each recorded condition (numbers in thirds): which conditions cost digits."""
    keys = sorted({k for s in sheets for k in s["conditions"]})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for key in keys:
        having = [s for s in sheets if key in s["conditions"]]
        groups: dict[str, list[dict[str, Any]]] = {}
        for s, label in zip(having, _bins([s["conditions"][key] for s in having])):
            groups.setdefault(label, []).append(s)
        out[key] = {label: {k: v for k, v in _summary(group).items() if k in PER_CONDITION}
                    for label, group in sorted(groups.items())}
    return out


def run_edge(files: list[Path], model: Path | None) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Read `files` with `python -m edge read --json`; return readings by file name, and problems seen."""
    readings: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for start in range(0, len(files), BATCH):
        command = [sys.executable, "-m", "edge", "read", "--json", *map(str, files[start:start + BATCH])]
        if model is not None:
            command += ["--model", str(model)]
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        if proc.returncode not in (0, 1):
            raise EdgeError(f"edge exited {proc.returncode}: {_last_line(proc.stderr) or 'no message'}")
        parsed = parse_readings(proc.stdout)
        problems += parsed[1]
        readings |= parsed[0]
    return readings, problems


def parse_readings(stdout: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """edge's JSON lines by file name (its base name, as truth.json keys are); lines that break the contract."""
    readings, problems = {}, []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            readings[Path(obj["file"]).name] = obj
        except (json.JSONDecodeError, KeyError, TypeError):
            problems.append(f"not a reading: {line[:120]}")
    return readings, problems


class EdgeError(Exception):
    """edge could not run at all (bad model, usage); the message is one line."""


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _clip(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} chars)"


def ok(good: bool) -> str:
    return "ok" if good else "MISSED"


def _against(value: float | None, target: float) -> str:
    """A rate against its target; a set of only empty images has no sheets to miss it on."""
    return "no sheets" if value is None else ok(value >= target)


def targets_met(result: dict[str, Any]) -> bool:
    """Every target the set can measure is met (rates of a set without sheets are not missed)."""
    return all(value is None or value >= target for value, target in
               ((result["digit_accuracy"], TARGET_DIGITS), (result["exact_rate"], TARGET_SHEETS))) \
        and result["false_digits"] == 0


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def render(result: dict[str, Any], worst: int) -> str:
    """The human report: headline figures against the targets, failures, worst sheets, weak conditions."""
    acc, exact, ms = result["digit_accuracy"], result["exact_rate"], result["median_ms"]
    lines = [
        f"sheets            {result['sheets']}  ({result['digits']} digits)",
        f"digit accuracy    {_percent(acc)}  "
        f"(target {TARGET_DIGITS:.0%}: {_against(acc, TARGET_DIGITS)})",
        f"exact sheets      {_percent(exact)}  ({result['exact_sheets']}/{result['sheets']}; target "
        f"{TARGET_SHEETS:.0%}: {_against(exact, TARGET_SHEETS)})",
        f"digits located    {_percent(result['located_rate'])}  (a read box on the true digit)",
        f"empty images      {result['empty_images']}: {result['false_digits']} false digits on "
        f"{result['empty_with_digits']} of them (target 0: {ok(result['false_digits'] == 0)})",
        f"failed files      {len(result['failed'])}",
        f"median ms         {'n/a' if ms is None else f'{ms:.1f}'}  (per image, as edge reports it)",
    ]
    for f in result["failed"][:5]:
        lines.append(f"  {f['file']}: {f['error']}")
    bad = [s for s in result["worst"] if not s["exact"]][:worst]
    if bad:
        lines.append("worst sheets:")
        for s in bad:
            c = s["conditions"]
            where = ", ".join(f"{k} {c[k]}" for k in ("pen", "ink", "paper", "digit_px_photo", "defocus_px") if k in c)
            lines.append(f"  {s['file']}  truth {s['truth']!r}  read {_clip(s['read'])}  errors {s['errors']}"
                         f"  ({where})")
    for e in result["empty_readings"][:worst]:
        lines.append(f"  {e['file']} ({e['kind']}): read {_clip(e['read'])}")
    weak = [(v["digit_accuracy"], key, label, v["sheets"]) for key, groups in result["by_condition"].items()
            for label, v in groups.items() if v["digit_accuracy"] is not None and v["sheets"] >= 5]
    if weak:
        lines.append("weakest conditions (digit accuracy, sheets):")
        for accuracy, key, label, n in sorted(weak)[:8]:
            lines.append(f"  {key} = {label}: {_percent(accuracy)} ({n})")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.photos.evaluate",
        description="Score edge's reader on photos written by python -m tests.photos (DIR/truth.json).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("dir", type=Path, help="folder with truth.json and the images it names")
    p.add_argument("--model", type=Path, default=None, help="model for edge (default: edge's own default)")
    p.add_argument("--report", type=Path, default=None, help="also write the full scores as JSON here")
    p.add_argument("--readings", type=Path, default=None,
                   help="score this saved output of `python -m edge read --json` instead of running edge")
    p.add_argument("--worst", type=int, default=10, help="how many of the worst sheets to list")
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return p.parse_args(argv)


def load_truth(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "truth.json"
    try:
        truth = json.loads(path.read_text())
    except FileNotFoundError:
        raise EdgeError(f"{path} not found: make photos with python -m tests.photos --out {folder}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise EdgeError(f"cannot read {path}: {exc}") from None
    if not isinstance(truth, dict) or not all(isinstance(v, dict) and "text" in v for v in truth.values()):
        raise EdgeError(f"{path} is not a truth file (name -> {{'text': ...}})")
    return truth


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        truth = load_truth(args.dir)
        if args.readings is not None:
            readings, problems = parse_readings(args.readings.read_text())
        else:
            readings, problems = run_edge([(args.dir / name).resolve() for name in truth], args.model)
    except (EdgeError, OSError) as exc:
        print(f"evaluate: error: {exc}", file=sys.stderr)
        return 2
    result = score(truth, readings)
    result["protocol_problems"] = problems
    print(render(result, args.worst))
    for problem in problems[:5]:
        print(f"  {problem}")
    if args.report is not None:
        atomic.write_text(args.report, json.dumps(result, indent=1) + "\n")
    return 1 if args.check and not targets_met(result) else 0


if __name__ == "__main__":
    sys.exit(main())
