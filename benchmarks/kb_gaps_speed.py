"""KB-gap clustering speed on 20,000 unanswered questions (a benchmark, not a test).

    .venv/bin/python benchmarks/kb_gaps_speed.py [--questions 20000] [--vectors /tmp/kb_gap_vectors.npz]

1. Writes varied customer questions offline from the Voltway knowledge base in
   `benchmarks/data/second_kb/`: article titles put in question forms, the articles' example
   questions and the labelled questions, each asked with or without a greeting, thanks, a typo,
   a dropped word or capitals; topics drawn with a long tail (a few asked often, most rarely);
   15 % one-off questions made of random KB words. No online service is used.
2. Embeds them with MiniLM as the action server does when it records a question (timed: in
   production this happens once per question, at record time). `--vectors` keeps the vectors
   in a file to skip this on the next run.
3. Stores them in a temporary SQLite database as the gap questions of a 30-day period (misses,
   "didn't help" answers and unanswered clarifications, web and Telegram, one conversation per
   one to three questions), plus a quarter as many in the previous 30 days for the trend.
4. Times `find_gap_report` cold (nothing cached) in a fresh process that never imports torch,
   with its memory, then warm (the report kept in process).
5. Checks the clustering threshold on the labelled Voltway questions (do questions answered by
   the same article end up together?) and the clustering in rounds against exact average
   linkage on 10,000 of the questions.
Prints a Markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SECOND_KB = ROOT / "benchmarks" / "data" / "second_kb"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
PERIOD_DAYS = 30
ONE_OFF_SHARE = 0.15
PREVIOUS_SHARE = 0.25
GREETINGS = ["", "", "", "", "hi, ", "hello ", "hey, ", "hiya ", "good morning, ", "sorry to bother you, ",
             "quick question: ", "hi there. "]
ENDINGS = ["", "", "", "?", "??", " thanks", " thank you", " please", " please help", " asap", " cheers",
           " - any ideas?", ". thanks in advance"]
# Titles are mostly noun phrases ("Hub 5 stuck pulsing blue"): forms that read naturally around one.
TITLE_FORMS = ["{t}", "{t}?", "question about {t}", "help with {t}", "{t} - what do i do",
               "info on {t} please", "i need help with {t}", "{t}, how does that work", "{t} again"]
SWAPS = {"broadband": "internet", "internet": "wifi", "bill": "invoice", "phone": "mobile", "cancel": "end",
         "how do i": "how can i", "my": "our", "router": "hub", "want to": "would like to",
         "can i": "am i able to"}


def kb_questions() -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Article titles, example and labelled questions, and (question, article id) pairs."""
    titles, examples, labelled = [], [], []
    for path in sorted((SECOND_KB / "articles").glob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        titles.append(front["title"])
        for example in front.get("examples") or []:
            examples.append(example)
            labelled.append((example, front["id"]))
    with (SECOND_KB / "questions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            examples.append(row["question"])
            if row["expected_article_id"]:
                labelled.append((row["question"], row["expected_article_id"]))
    return titles, examples, labelled


def typo(text: str, rng: random.Random) -> str:
    """Two neighbouring letters of one longer word swapped."""
    words = text.split()
    long_words = [index for index, word in enumerate(words) if len(word) > 3]
    if not long_words:
        return text
    index = rng.choice(long_words)
    word = words[index]
    at = rng.randrange(len(word) - 1)
    words[index] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)


def variant(seed: str, is_title: bool, rng: random.Random) -> str:
    """One customer's way of asking `seed`."""
    text = seed.rstrip("?.! ")
    if is_title:
        text = rng.choice(TITLE_FORMS).format(t=text.lower())
    for old, new in SWAPS.items():
        if rng.random() < 0.15:
            text = re.sub(rf"\b{re.escape(old)}\b", new, text, flags=re.IGNORECASE)
    if rng.random() < 0.5:
        text = text.lower()
    if rng.random() < 0.3:
        text = typo(text, rng)
    words = text.split()
    if len(words) > 6 and rng.random() < 0.3:
        del words[rng.randrange(len(words))]
        text = " ".join(words)
    if rng.random() < 0.05:
        text = text.upper()
    return rng.choice(GREETINGS) + text + rng.choice(ENDINGS)


def make_questions(count: int, seed: int) -> list[str]:
    """`count` questions: long-tailed topics and one-off noise, shuffled."""
    rng = random.Random(seed)
    titles, examples, _labelled = kb_questions()
    pool = [(title, True) for title in titles] + [(example, False) for example in examples]
    rng.shuffle(pool)
    weights = np.array([1.0 / (rank + 1) ** 0.8 for rank in range(len(pool))])
    draws = np.random.default_rng(seed).choice(len(pool), size=int(count * (1 - ONE_OFF_SHARE)),
                                               p=weights / weights.sum())
    questions = [variant(*pool[index], rng) for index in draws]
    vocabulary = sorted({word.lower() for text, _ in pool for word in re.findall(r"[A-Za-z]{4,}", text)})
    while len(questions) < count:
        words = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 9)))
        questions.append(rng.choice(GREETINGS) + words + rng.choice(ENDINGS))
    rng.shuffle(questions)
    return questions


def embed(questions: list[str], cache: Path | None) -> tuple[np.ndarray, float | None]:
    """Unit vectors for the questions and the seconds it took (None when read from `cache`)."""
    digest = hashlib.sha256("\n".join(questions).encode()).hexdigest()
    if cache is not None and cache.exists():
        kept = np.load(cache)
        if str(kept["digest"]) == digest:
            return kept["vectors"], None
    from kb_index.embedding import encode  # noqa: PLC0415 - only this step needs the model

    encode(["warm up"])  # the model is loaded once per process in production too
    started = time.perf_counter()
    vectors = encode(questions, progress=True)
    seconds = time.perf_counter() - started
    if cache is not None:
        with cache.open("wb") as handle:
            np.savez(handle, vectors=vectors, digest=np.array(digest))
    return vectors, seconds


def store(url: str, questions: list[str], vectors: np.ndarray, in_period: int, seed: int) -> None:
    """The questions as kb_queries rows: the first `in_period` in the period, the rest before it."""
    from sqlalchemy import insert  # noqa: PLC0415

    from handoff.db import make_engine  # noqa: PLC0415
    from handoff.migrate import upgrade_database  # noqa: PLC0415
    from handoff.models import Conversation, Customer, KbQuery  # noqa: PLC0415

    upgrade_database(url)
    rng = random.Random(seed)
    engine = make_engine(url)
    period_start = NOW - timedelta(days=PERIOD_DAYS)
    rows, customers, conversations = [], [], []
    index = 0
    while index < len(questions):
        conversation_id = len(conversations) + 1
        channel = "telegram" if rng.random() < 0.3 else "web"
        earlier = index >= in_period
        start = period_start - timedelta(days=PERIOD_DAYS) if earlier else period_start
        at = start + timedelta(seconds=rng.uniform(0, PERIOD_DAYS * 86400 - 3600))
        customers.append({"id": conversation_id, "channel": channel, "external_id": uuid.uuid4().hex,
                          "created_at": at})
        conversations.append({"id": conversation_id, "public_id": uuid.uuid4().hex,
                              "customer_id": conversation_id, "channel": channel, "created_at": at,
                              "last_message_at": at})
        for turn in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if index >= len(questions) or (index == in_period and turn):
                break
            decision, feedback = rng.choices([("miss", None), ("answer", "not_helped"), ("clarify", None)],
                                             weights=[7, 2, 1])[0]
            rows.append({"conversation_id": conversation_id, "question": questions[index],
                         "decision": decision, "feedback": feedback,
                         "nearest_article_id": f"article-{rng.randrange(330)}",
                         "nearest_score": rng.uniform(0.2, 0.6),
                         "created_at": at + timedelta(seconds=60 * turn),
                         "embedding": np.asarray(vectors[index], dtype=np.float32).tobytes()})
            index += 1
    with engine.begin() as connection:
        connection.execute(insert(Customer), customers)
        connection.execute(insert(Conversation), conversations)
        connection.execute(insert(KbQuery), rows)
    engine.dispose()


def measure(url: str) -> dict[str, Any]:
    """Cold and warm `find_gap_report` in this (fresh) process, with memory."""
    from sqlalchemy import text  # noqa: PLC0415
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from handoff.db import make_engine  # noqa: PLC0415
    from handoff.kb_gaps import find_gap_report  # noqa: PLC0415
    from handoff.metrics import DashboardFilters, Period  # noqa: PLC0415

    period = Period.last(PERIOD_DAYS, now=NOW)
    engine = make_engine(url)
    with Session(engine) as session:
        session.execute(text("SELECT 1"))  # connected, so the timing is the report's alone
        rss_before = _status_mb("VmRSS")
        started = time.perf_counter()
        report = find_gap_report(session, period=period, filters=DashboardFilters())
        cold = time.perf_counter() - started
        started = time.perf_counter()
        find_gap_report(session, period=period, filters=DashboardFilters())
        warm = time.perf_counter() - started
    sizes = [cluster.size for cluster in report.clusters]
    return {
        "cold_seconds": cold, "warm_seconds": warm, "questions": report.questions,
        "clusters": len(report.clusters), "other": report.other_questions,
        "skipped": report.skipped_questions, "largest": sizes[:5],
        "clustered_share": sum(sizes) / max(report.questions, 1),
        "rss_before_mb": rss_before, "peak_rss_mb": _status_mb("VmHWM"),
        "torch_loaded": "torch" in sys.modules,
        "examples": [(cluster.size, cluster.previous_size, cluster.suggested_title,
                      cluster.representatives[:2]) for cluster in report.clusters[:8]],
    }


def threshold_quality() -> tuple[int, list[tuple[float, int, float, float, float]]]:
    """Labelled Voltway questions clustered at several thresholds, against their article."""
    from sklearn.metrics import adjusted_rand_score, completeness_score, homogeneity_score  # noqa: PLC0415

    from handoff.kb_gap_clustering import cluster_by_meaning  # noqa: PLC0415
    from kb_index.embedding import encode  # noqa: PLC0415

    _titles, _examples, labelled = kb_questions()
    vectors = encode([question for question, _ in labelled])
    articles = [article for _, article in labelled]
    results = []
    for threshold in (0.40, 0.42, 0.44, 0.45, 0.46, 0.48, 0.50, 0.55):
        labels = cluster_by_meaning(vectors, threshold=threshold)  # fewer than a sample: exact
        results.append((threshold, len(set(labels.tolist())), homogeneity_score(articles, labels),
                        completeness_score(articles, labels), adjusted_rand_score(articles, labels)))
    return len(labelled), results


def rounds_agreement(vectors: np.ndarray, count: int) -> tuple[float, float, float]:
    """Adjusted Rand index between clustering in rounds and exact average linkage, and both times."""
    from sklearn.metrics import adjusted_rand_score  # noqa: PLC0415

    from handoff.kb_gap_clustering import cluster_by_meaning  # noqa: PLC0415

    sample = vectors[:count]
    started = time.perf_counter()
    in_rounds = cluster_by_meaning(sample)
    rounds_seconds = time.perf_counter() - started
    started = time.perf_counter()
    exact = cluster_by_meaning(sample, sample_size=count)
    exact_seconds = time.perf_counter() - started
    return adjusted_rand_score(exact, in_rounds), rounds_seconds, exact_seconds


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process; unlike ru_maxrss, VmHWM starts afresh at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=20000, help="gap questions in the period")
    parser.add_argument("--vectors", type=Path, help="keep the embeddings in this .npz file between runs")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # the fresh child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    total = args.questions + int(args.questions * PREVIOUS_SHARE)
    questions = make_questions(total, args.seed)
    vectors, embed_seconds = embed(questions, args.vectors)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/gaps.db"
        store(url, questions, vectors, args.questions, args.seed)
        child = subprocess.run([sys.executable, __file__, "--measure", url], check=True, capture_output=True,
                               text=True, env={**os.environ, "DESKMATE_KB_INDEX_DIR": folder})
        result = json.loads(child.stdout.strip().splitlines()[-1])
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    agreement, rounds_seconds, exact_seconds = rounds_agreement(vectors[: args.questions], 10000)
    labelled, quality = threshold_quality()

    print(f"## KB gaps: clustering {args.questions:,} unanswered questions "
          "(`benchmarks/kb_gaps_speed.py`)\n")
    vectors_option = f" --vectors {args.vectors}" if args.vectors else ""
    command = f".venv/bin/python benchmarks/kb_gaps_speed.py --questions {args.questions}{vectors_option}"
    print(f"Command: `{command}`. "
          f"Load average before/after the timed run: {' '.join(load_before)} / {' '.join(load_after)} "
          f"(2 cores, shared with other work).\n")
    print("| figure | value |\n|---|---|")
    print(f"| gap questions in the period / in the previous period | {result['questions']:,} / "
          f"{total - args.questions:,} |")
    if embed_seconds is not None:
        print(f"| embedding them with MiniLM (once, at record time in production) | {embed_seconds:.0f} s "
              f"({total / embed_seconds:.0f} questions/s) |")
    print(f"| `find_gap_report` cold (read, cluster, trend, titles) | **{result['cold_seconds']:.1f} s** |")
    print(f"| same, warm (report kept in process) | {result['warm_seconds'] * 1000:.0f} ms |")
    print(f"| resident memory before / peak of the clustering process | {result['rss_before_mb']:.0f} MB / "
          f"{result['peak_rss_mb']:.0f} MB |")
    print(f"| torch imported by the clustering process | {'yes' if result['torch_loaded'] else 'no'} |")
    print(f"| clusters (2+ questions from 2+ conversations) | {result['clusters']:,} |")
    print(f"| questions in a cluster / other (one-off) | {result['clustered_share']:.0%} / "
          f"{result['other']:,} |")
    print(f"| largest clusters | {', '.join(map(str, result['largest']))} |")
    print(f"| clustering in rounds vs exact average linkage, 10,000 questions: adjusted Rand index | "
          f"{agreement:.3f} ({rounds_seconds:.1f} s vs {exact_seconds:.1f} s) |")
    print("\nLargest clusters (size, previous period, suggested title, two representatives):\n")
    for size, previous, title, representatives in result["examples"]:
        print(f"- {size} ({previous}): **{title}** — " + " / ".join(f"“{text}”" for text in representatives))
    print(f"\nThreshold check: the {labelled} Voltway questions that one article answers (the articles'"
          " examples and the labelled questions), clustered by exact average linkage, against that"
          " article:\n")
    print("| cosine distance threshold | clusters | homogeneity | completeness | adjusted Rand |")
    print("|---|---|---|---|---|")
    for threshold, clusters, homogeneity, completeness, rand in quality:
        print(f"| {threshold:.2f} | {clusters} | {homogeneity:.3f} | {completeness:.3f} | {rand:.3f} |")


if __name__ == "__main__":
    main()
