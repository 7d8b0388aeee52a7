"""Knowledge-base cost at 1k / 10k / 100k articles (a benchmark, not a test).

The articles are the project's two real knowledge bases (data/kb, 50 articles of ~340
words, and benchmarks/data/second_kb, 330 articles of ~170 words) copied over and over under
invented brand names, so each copy is distinct text of realistic length, with its sections
and example questions, and ingest can reuse nothing. For each size it:

1. writes the Markdown files and runs `python -m kb_index ingest DIR --index INDEX` as a
   lead would (progress bar shown), timing wall clock and CPU;
2. in a fresh process, loads the index, reports resident memory before and after loading
   (index memory) and times `answer` on the labelled questions of both knowledge bases,
   one after another after a warm-up: what the action server does per customer message;
3. reports the index size on disk.

    python benchmarks/kb_scale.py --sizes 1000,10000,100000 [--questions 500]
        [--borrow-above 10000] [--scratch DIR]

Embedding 100,000 articles takes hours on 2 shared cores, so `--borrow-above` builds the
larger indexes with the vectors of a smaller size's copies of the same articles; everything
else (chunking, BM25, the coarse index, a real nothing-changed ingest, loading, answering)
is measured as it is.

Prints a Markdown table for docs/benchmarks.md. On a shared machine wall clock also counts
other processes' turns on the cores, so the load average is printed with each row.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

logger = logging.getLogger(__name__)

TEMPLATE_SOURCES = (ROOT / "data" / "kb", ROOT / "benchmarks" / "data" / "second_kb" / "articles")
QUESTION_FILES = (ROOT / "data" / "kb_questions.csv",
                  ROOT / "benchmarks" / "data" / "second_kb" / "questions.csv")
BRANDS = ("Ledgerly", "Voltway")  # the real KBs' own names, replaced in every copy
_ONSETS = "b c d f g h j k l m n p r s t v z br cr dr fl gr pl st tr".split()
_VOWELS = "a e i o u ai ea io".split()
_CODAS = "x n r s l m th nd".split()


def brand(variant: int) -> str:
    """An invented product name per copy ("Drealox"): two syllables and an ending, distinct
    for the first 36,864 copies (100,000 articles need 263)."""
    parts = []
    for _ in range(2):
        variant, o = divmod(variant, len(_ONSETS))
        variant, v = divmod(variant, len(_VOWELS))
        parts.append(_ONSETS[o] + _VOWELS[v])
    return ("".join(parts) + _CODAS[variant % len(_CODAS)]).capitalize()


def write_corpus(folder: Path, n: int) -> None:
    """n Markdown articles: copy k of template t is renamed after brand(k) throughout."""
    from kb_index.sources import read_sources

    logging.getLogger("kb_index.sources").setLevel(logging.ERROR)  # two ids are in both KBs
    templates, _ = read_sources(list(TEMPLATE_SOURCES))
    folder.mkdir(parents=True, exist_ok=True)
    pattern = re.compile("|".join(BRANDS))
    for i in range(n):
        variant, article = divmod(i, len(templates))
        base, name = templates[article], brand(variant)

        def rename(text: str, name: str = name) -> str:
            return pattern.sub(name, text)

        title = f"{rename(base.title)} ({name})"
        examples = "".join(f"  - {json.dumps(rename(e) + ' - ' + name)}\n" for e in base.examples)
        folder.joinpath(f"{base.id}-{variant}.md").write_text(
            f"---\nid: {base.id}-{variant}\ntitle: {json.dumps(title)}\n"
            f"category: {base.category}\nurl: https://help.{name.lower()}.example/{base.id}\n"
            + (f"examples:\n{examples}" if examples else "")
            + f"---\n\n{rename(base.body)}\n",
            encoding="utf-8",
        )


def labelled_questions() -> list[str]:
    """The labelled questions of both knowledge bases, in- and out-of-scope alike."""
    from kb_index.labelled import read_labelled

    return [q.question for path in QUESTION_FILES for q in read_labelled(path)]


def resident_mib() -> float:
    """This process's resident set size now (not the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def probe(index: Path, count: int) -> dict[str, Any]:
    """Load the index in this (fresh) process and time `answer`; a JSON-ready dict."""
    import numpy as np

    from kb_index import load_knowledge_base
    from kb_index.embedding import encode_query

    encode_query("warm up the model")  # the model is not part of the index's memory
    before = resident_mib()
    started = time.perf_counter()
    kb = load_knowledge_base(index)
    load_s = time.perf_counter() - started
    after = resident_mib()
    questions = labelled_questions()
    for q in questions[:20]:
        kb.answer(q)
    timings, cpu = [], []
    for i in range(count):
        q = questions[(20 + i) % len(questions)]
        t, c = time.perf_counter(), time.thread_time()
        kb.answer(q)
        timings.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    snap = kb.snapshot
    return {
        "exact_agreement": exact_agreement(kb, questions[20 : 20 + count]),
        "articles": len(snap.articles),
        "keys": int(snap.index.ntotal),
        "load_s": load_s,
        "index_mib": after - before,
        "arrays_mib": snap.memory_bytes() / 2**20,
        "rss_mib": resident_mib(),
        "p50_ms": float(np.percentile(timings, 50)),
        "p95_ms": float(np.percentile(timings, 95)),
        "p50_cpu_ms": float(np.percentile(cpu, 50)),
        "p95_cpu_ms": float(np.percentile(cpu, 95)),
        "questions": count,
    }


def exact_agreement(kb: Any, questions: list[str]) -> float | None:
    """Share of questions whose top article is the same with an exhaustive key search as
    with the coarse one the index uses (None: the index is small and searched exhaustively)."""
    import copy

    from kb_index.embedding import encode_query
    from kb_index.retrieval import HybridRetriever

    snap = kb.snapshot
    if snap.coarse is None:
        return None
    exact = copy.copy(snap)
    exact.coarse = None
    coarse_search, exact_search = kb.retriever(), HybridRetriever(exact, alpha=kb.retriever().alpha)
    same = 0
    for q in questions:
        vector = encode_query(q)
        top = coarse_search.retrieve(q, vector=vector).ranked[:1]
        same += top == exact_search.retrieve(q, vector=vector).ranked[:1]
    return same / len(questions)


def borrowed_index(kb_dir: Path, donor: Path, index: Path) -> None:
    """Write an index of `kb_dir` without embedding: each key takes the vector of the same key
    of a copy of the same template article in `donor`, a smaller corpus already ingested
    (copies differ only in the brand name). For sizes whose real ingest would not finish in
    a session; everything but the embedding is the real thing, and a real (nothing-changed)
    ingest then runs on the result."""
    from datetime import datetime, timezone

    import numpy as np

    from kb_index import store
    from kb_index.chunking import chunk_article
    from kb_index.ingest import CHUNKER_VERSION, article_keys, content_hash
    from kb_index.models import Chunk
    from kb_index.retrieval import DEFAULT_ALPHA
    from kb_index.snapshot import ArticleEntry, load_snapshot, save_snapshot
    from kb_index.sources import read_sources

    folder = store.current_version_dir(donor)
    assert folder is not None
    old = load_snapshot(folder)
    variants: dict[str, list[int]] = {}
    for i, entry in enumerate(old.articles):
        variants.setdefault(entry.id.rsplit("-", 1)[0], []).append(i)
    articles, _ = read_sources([kb_dir])
    entries, chunks, kinds, key_chunks, blocks = [], [], [], [], []
    for article in articles:
        base, variant = article.id.rsplit("-", 1)
        donor_rows = variants[base]
        start, end = old.articles[donor_rows[int(variant) % len(donor_rows)]].key_range
        article_chunks: list[Chunk] = chunk_article(article)
        keys = article_keys(article, article_chunks)
        assert len(keys) == end - start, article.id
        key_start, chunk_start = len(kinds), len(chunks)
        blocks.append(old.vectors[start:end])
        chunks.extend(article_chunks)
        kinds.extend(kind for kind, _, _ in keys)
        key_chunks.extend(chunk_start + c if c >= 0 else -1 for _, c, _ in keys)
        entries.append(ArticleEntry(
            id=article.id, title=article.title, category=article.category, url=article.url,
            source=article.source, content_hash=content_hash(article),
            always_human=article.always_human, examples=article.examples,
            chunk_range=(chunk_start, len(chunks)), key_range=(key_start, len(kinds)),
        ))
    with store.writer_lock(index):
        staging = store.new_staging_dir(index)
        save_snapshot(
            staging, model=old.model, articles=entries, chunks=chunks, key_kinds=kinds,
            key_chunks=key_chunks, vectors=np.concatenate(blocks),
            settings={"fusion_alpha": DEFAULT_ALPHA, "chunker": CHUNKER_VERSION},
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            human_topics=old.human_topics, human_vectors=old.human_vectors,
        )
        store.publish(index, staging)


def run_ingest(kb_dir: Path, index: Path) -> tuple[float, float]:
    """`python -m kb_index ingest` in a child process: (wall seconds, CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kb_index", "ingest", str(kb_dir), "--index", str(index)],
                   cwd=ROOT, check=True, stdout=sys.stderr)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def disk_mib(index: Path) -> float:
    """Size of the live index version on disk."""
    from kb_index.store import current_version_dir

    folder = current_version_dir(index)
    assert folder is not None
    return sum(p.stat().st_size for p in folder.iterdir()) / 2**20


def measure(n: int, count: int, scratch: Path, donor: Path | None = None) -> dict[str, Any]:
    """One row of the table; with a `donor` index the vectors are borrowed, not embedded."""
    kb_dir, index = scratch / f"kb-{n}", scratch / f"index-{n}"
    for stale in (kb_dir, index):  # a kept --scratch must not make the ingest incremental
        shutil.rmtree(stale, ignore_errors=True)
    write_corpus(kb_dir, n)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in kb_dir.iterdir())
    if donor is None:
        wall, cpu = run_ingest(kb_dir, index)
    else:
        borrowed_index(kb_dir, donor, index)
        wall = cpu = float("nan")
    load = os.getloadavg()[0]
    again, _ = run_ingest(kb_dir, index)  # nothing changed: the incremental path
    found = subprocess.run([sys.executable, __file__, "probe", str(index), "--questions", str(count)],
                           cwd=ROOT, check=True, capture_output=True, text=True)
    row = json.loads(found.stdout)
    row.update(n=n, words=words, ingest_s=wall, ingest_cpu_s=cpu, reingest_s=again,
               load_avg=load, disk_mib=disk_mib(index))
    return row


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown section."""
    lines = [
        "| articles | words | search keys | ingest (CPU) | re-ingest, nothing changed "
        "| on disk | index memory | load | ask p50 / p95 | ask CPU p50 / p95 "
        "| same top article as exhaustive search | load avg (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['words'] / 1e6:.1f} M | {r['keys']:,} | "
            + ("not run (vectors borrowed)" if r["ingest_s"] != r["ingest_s"]
               else f"{r['ingest_s']:.0f} s ({r['ingest_cpu_s']:.0f} s)")
            + f" | {r['reingest_s']:.0f} s | {r['disk_mib']:.0f} MiB "
            f"| {r['index_mib']:.0f} MiB | {r['load_s']:.1f} s | {r['p50_ms']:.1f} / "
            f"{r['p95_ms']:.1f} ms | {r['p50_cpu_ms']:.1f} / {r['p95_cpu_ms']:.1f} ms | "
            + ("exhaustive" if r["exact_agreement"] is None else f"{r['exact_agreement']:.1%}")
            + f" | {r['load_avg']:.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    """Run each size (or, as `probe INDEX`, the query side of one) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "probe"))
    parser.add_argument("index", nargs="?", type=Path, help="index folder (probe only)")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--questions", type=int, default=500, help="answers timed per size")
    parser.add_argument("--scratch", type=Path, help="keep corpora and indexes here")
    parser.add_argument("--borrow-above", type=int, default=None, metavar="N",
                        help="sizes above N borrow the vectors of size N (measured first, in "
                             "this run or an earlier one with the same --scratch) instead of "
                             "embedding; their ingest time is then not measured")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.command == "probe":
        print(json.dumps(probe(args.index, args.questions)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
        scratch = args.scratch or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        for n in (int(s) for s in args.sizes.split(",")):
            borrow = args.borrow_above is not None and n > args.borrow_above
            donor = scratch / f"index-{args.borrow_above}" if borrow else None
            if donor is not None and not donor.is_dir():
                parser.error(f"--borrow-above {args.borrow_above}: measure that size first "
                             f"(in this run or an earlier one with the same --scratch)")
            rows.append(measure(n, args.questions, scratch, donor))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print("## Knowledge base at scale (`benchmarks/kb_scale.py`)\n")
    print(f"{os.cpu_count()} cores, CPU only; ingest is `python -m kb_index ingest` from scratch "
          f"(model loading included), ask is `answer` in a warm process over "
          f"{args.questions} labelled questions in a row.\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
