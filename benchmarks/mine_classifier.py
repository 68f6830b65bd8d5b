"""Classifier quality: precision and recall of `eco mine` on labelled histories.

Builds several labelled histories (`eco.mine.labelled`, different seeds), mines each
into a fresh database and compares, commit by commit, "eco stored an edit from it" with
the label. Also reports, per kind of commit, how often eco said "performance", and
whether the functions eco stored are exactly the functions the commit changed.

The histories are synthetic and the messages were written by the same team that wrote
the classifier's weights: treat these figures as a regression check, not as the figure
on real repositories (which needs a hand-labelled list of real commits).

    python benchmarks/mine_classifier.py [--seeds 5] [--commits 200]

Writes ``benchmarks/results/mine_classifier.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eco.mine import EditsDB, MineOptions, Runner, mine
from eco.mine.labelled import build_history

RESULTS = Path(__file__).resolve().parent / "results" / "mine_classifier.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--min-score", type=float, default=0.5)
    args = parser.parse_args()
    tp = fp = fn = tn = 0
    by_kind: dict[str, Counter[str]] = {}
    functions_exact = functions_total = 0
    with tempfile.TemporaryDirectory(prefix="eco-mine-clf-") as tmp:
        for seed in range(args.seeds):
            history = build_history(Path(tmp) / f"repo{seed}", commits=args.commits, seed=100 + seed)
            db = Path(tmp) / f"edits{seed}.sqlite"
            report = mine([history.root], db, MineOptions(min_score=args.min_score), Runner("serial"))
            with EditsDB(db) as store:
                status = store.commit_status(report.repos[0])
                stored: dict[str, set[tuple[str, str]]] = {}
                for edit in store.edits():
                    stored.setdefault(edit.sha, set()).add((edit.file, edit.qualname))
            for commit in history.commits:
                st = status.get(commit.sha)
                # A cherry-picked copy is classified as performance but stored once (under the
                # earliest copy): count the classification.
                predicted = bool(st and st[0] == "mined" and st[1] >= args.min_score)
                by_kind.setdefault(commit.kind, Counter())["performance" if predicted else "not"] += 1
                tp += predicted and commit.perf
                fp += predicted and not commit.perf
                fn += commit.perf and not predicted
                tn += not predicted and not commit.perf
                if commit.sha in stored:
                    functions_total += 1
                    functions_exact += stored[commit.sha] == set(commit.functions)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    document = {
        "benchmark": "mine_classifier", "seeds": args.seeds, "commits_per_history": args.commits,
        "min_score": args.min_score, "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "true_negatives": tn, "precision": round(precision, 3), "recall": round(recall, 3),
        "stored_commits_with_exactly_the_changed_functions": f"{functions_exact}/{functions_total}",
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
    }
    for kind, counts in sorted(by_kind.items()):
        print(f"{kind:<16} performance {counts['performance']:>4}  not {counts['not']:>4}", file=sys.stderr)
    print(f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn}, tn {tn}); "
          f"functions exact in {functions_exact}/{functions_total} stored commits", file=sys.stderr)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
