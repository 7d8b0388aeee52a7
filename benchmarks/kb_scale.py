"""Knowledge-base speed and size at 1k / 10k / 100k articles (a benchmark, not a test).

Writes synthetic Markdown articles (titles, three sections, two example questions each),
ingests them with the progress bar shown, then times `answer` on questions made from
article words, and reports index memory. Prints a Markdown table for docs/benchmarks.md:

    python benchmarks/kb_scale.py --sizes 1000,10000 [--questions 200] [--fast]

`--fast` ingests as `ingest --fast` does (int8 embedding, no section keys for articles
with example questions). Ingest is given as wall-clock time and as CPU time: on a shared
machine the wall clock also counts other processes' turns on the cores.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_index import ingest, load_knowledge_base  # noqa: E402

logger = logging.getLogger(__name__)

VERBS = "set up change cancel export import connect remove rename share merge archive restore".split()
THINGS = ("invoice report customer supplier payment receipt budget project timesheet "
          "user role tax rate currency bank feed reminder template webhook token").split()
WORDS = ("account settings page button email link file list date amount total status team owner "
         "admin plan month year record field option menu screen mobile web app sync error limit "
         "history copy draft number code region language format default schedule").split()


def write_corpus(folder: Path, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n articles; returns (question, article id) pairs to time answers with."""
    questions = []
    for i in range(n):
        verb, thing, other = rng.choice(VERBS), rng.choice(THINGS), rng.choice(THINGS)
        title = f"{verb.capitalize()} a {thing} {other} ({i})"
        sections = "\n\n".join(
            f"## {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}\n\n"
            + " ".join(rng.choice(WORDS + THINGS) for _ in range(60)) + "."
            for _ in range(3)
        )
        examples = [f"how do I {verb} my {thing} {other}", f"{thing} {other} {verb} not working"]
        folder.joinpath(f"a{i}.md").write_text(
            f"---\nid: a{i}\ntitle: {title}\ncategory: synthetic\nurl: https://x.test/a{i}\n"
            f"examples:\n" + "".join(f"  - {e}\n" for e in examples) + f"---\n\n{sections}\n",
            encoding="utf-8",
        )
        questions.append((f"can you tell me how to {verb} the {thing} {other}", f"a{i}"))
    return questions


def main() -> int:
    """Run each size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--fast", action="store_true", help="ingest as `ingest --fast`")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    rng = random.Random(7)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="kb-scale-") as scratch:
            kb_dir, index = Path(scratch) / "kb", Path(scratch) / "index"
            kb_dir.mkdir()
            questions = write_corpus(kb_dir, n, rng)
            started, cpu = time.perf_counter(), time.process_time()
            report = ingest([kb_dir], index, progress=True, fast=args.fast)
            ingest_s = time.perf_counter() - started
            ingest_cpu = time.process_time() - cpu
            kb = load_knowledge_base(index)
            kb.answer("warm up")
            timings = []
            for q, _ in rng.sample(questions, min(args.questions, n)):
                t = time.perf_counter()
                kb.answer(q)
                timings.append((time.perf_counter() - t) * 1000)
            memory = kb.snapshot.memory_bytes() / 2**20
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rows.append(f"| {n:,} | {report.keys:,} | {ingest_s:.0f} s | {ingest_cpu:.0f} s | "
                        f"{np.percentile(timings, 50):.1f} | {np.percentile(timings, 95):.1f} | "
                        f"{memory:.0f} MiB | {rss:.0f} MiB |")
    print("## Knowledge base speed and scale (`benchmarks/kb_scale.py`)\n")
    mode = "ingest --fast" if args.fast else "default ingest"
    print(f"Synthetic articles (three sections, two example questions each), {mode}, "
          f"{os.cpu_count()} cores, CPU only.\n")
    print("| articles | search keys | ingest | ingest CPU | ask p50 ms | ask p95 ms "
          "| index memory | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
