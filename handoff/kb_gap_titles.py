"""A suggested title for the article that would close a KB gap, made from the cluster's questions.

Help-centre articles are often titled with the question they answer ("Can I pay with PayPal?"),
so the title is one of the customers' own questions, tidied: greetings, thanks and "please
help" taken off, a capital letter and a question mark put on. Which question is chosen by the
cluster's distinctive words, class-based TF-IDF (c-TF-IDF): all questions of a cluster are one
document, scikit-learn's `TfidfTransformer` weighs words and two-word phrases, and the other
clusters (plus the one-off questions) make the words every gap shares ("account", "voltway")
weigh little. Among the most central questions, the one that carries most of the weight of the
three top terms wins, then the one whose words the other customers use too: typos and one
person's details lose. When no question carries any top term, the title is the top terms
themselves ("Dark mode / theme").
"""

import logging
import re
from collections import Counter
from collections.abc import Callable
from functools import cache

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer

logger = logging.getLogger(__name__)

TERMS_PER_CLUSTER = 6
TITLE_TERMS = 3  # a title should carry the cluster's three most distinctive terms
CANDIDATE_QUESTIONS = 10  # the most central questions a title is chosen from
MAX_TITLE_WORDS = 12
# Words of chat manners, not of the topic (added to scikit-learn's English stop words).
CHAT_WORDS = frozenset(
    "hi hello hey hiya morning afternoon evening thanks thank thx cheers please pls help asap "
    "sorry bother question quick need want wondering know tell just really ok okay guys team "
    "hope able way possible trying try anyone somebody someone does did doing ve ll don doesn".split()
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | CHAT_WORDS)

# Greetings at the start; words that also begin real questions ("morning reports...", "so
# far...") only when punctuation follows them.
_GREETING = re.compile(
    r"^(?:(?:(?:hi+|hello|hey)(?: there| all| guys)?|hiya|dear \w+|good (?:morning|afternoon|evening)|"
    r"sorry to bother you|excuse me)\b[\s,.!:;-]*"
    r"|(?:morning|evening|quick question|question|sorry|ok|okay|so|um+|uh+)[,.!:;-]+\s*)",
    re.IGNORECASE,
)
_POLITENESS = re.compile(
    r"[\s,.!:;-]*\b(?:please help(?: me)?|help please|pls help|please|pls|thanks(?: a lot)?|"
    r"thank you(?: very much)?|thx|cheers|asap|x+)[\s.!]*$",
    re.IGNORECASE,
)
# A question word opening the text or one of its clauses ("I'm moving, how do I...").
_QUESTION_WORD = re.compile(
    r"(?:^|[,.;:]\s*)(?:how|what|what's|whats|why|where|when|who|which|can|could|do|does|did|is|are|"
    r"will|would|should|may|am|have|has)\b",
    re.IGNORECASE,
)
_LONE_I = re.compile(r"(?<![\w-])i(?![\w-])")  # "i", "i'm"; not the i of "wi-fi"


def distinctive_terms(clusters: list[list[str]], background: list[str]) -> list[list[tuple[str, float]]]:
    """The top words and two-word phrases of each cluster with their c-TF-IDF weights.

    A term counts once per question that uses it (how many customers said it, not how often
    one of them repeated it), and only terms used in at least two of a cluster's questions
    qualify: one customer's aside ("my accountant") is not the topic.
    """
    texts = [text for texts in clusters for text in texts] + background
    owners = [index for index, texts in enumerate(clusters) for _ in texts]
    owners += [len(clusters)] * len(background)
    counter = CountVectorizer(stop_words=STOP_WORDS, ngram_range=(1, 2), binary=True)
    try:
        per_question = counter.fit_transform(texts)
    except ValueError:  # nothing but stop words in every question
        return [[] for _ in clusters]
    membership = csr_matrix((np.ones(len(texts)), (owners, np.arange(len(texts)))),
                            shape=(len(clusters) + 1, len(texts)))
    asked = (membership @ per_question).tocsr()
    weights = TfidfTransformer(sublinear_tf=True).fit_transform(asked).tocsr()
    vocabulary = counter.get_feature_names_out()
    terms = []
    for row, texts_of_cluster in enumerate(clusters):
        enough = min(2, len(texts_of_cluster))
        start, end = weights.indptr[row], weights.indptr[row + 1]
        used = dict(zip(asked.indices[asked.indptr[row] : asked.indptr[row + 1]],
                        asked.data[asked.indptr[row] : asked.indptr[row + 1]], strict=True))
        pairs = sorted(((index, weight) for index, weight in zip(weights.indices[start:end],
                                                                   weights.data[start:end], strict=True)
                        if used.get(index, 0) >= enough),
                       key=lambda pair: (-pair[1], vocabulary[pair[0]]))
        terms.append([(str(vocabulary[index]), float(weight)) for index, weight in pairs[:TERMS_PER_CLUSTER]])
    return terms


def suggested_title(central_questions: list[str], terms: list[tuple[str, float]]) -> str:
    """A readable title from the cluster's questions (most central first) and distinctive terms.

    Candidates rank by: at most `MAX_TITLE_WORDS` words; the weight of the top terms they carry;
    the share of their words other questions of the cluster use too (typos and one customer's
    details are used by nobody else); then centrality.
    """
    words_of, terms_of = _analyzers()
    used_by = Counter(word for question in central_questions for word in set(words_of(question)))
    best, best_rank = "", (False, 0.0, 0.0)
    for question in central_questions[:CANDIDATE_QUESTIONS]:
        title = tidy_question(question)
        words = set(words_of(title))
        if not title or not words:
            continue
        present = set(terms_of(title))
        rank = (
            len(title.split()) <= MAX_TITLE_WORDS,
            round(sum(weight for term, weight in terms[:TITLE_TERMS] if term in present), 2),
            round(sum(used_by[word] >= 2 for word in words) / len(words), 1),
        )
        if rank > best_rank:  # equal ranks keep the more central question
            best, best_rank = title, rank
    if best and best_rank[1] > 0:
        return best
    return _title_from_terms(terms) or best


def tidy_question(text: str) -> str:
    """A customer's question as a title: no greeting or thanks, capitalised (not in capitals),
    "I" upright, a question mark if it was a question."""
    cleaned = " ".join(text.split())
    asked = "?" in cleaned
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _GREETING.sub("", cleaned)
        cleaned = _POLITENESS.sub("", cleaned)
        cleaned = cleaned.strip(" ,;:-?!.…")
    if not cleaned:
        return ""
    letters = [char for char in cleaned if char.isalpha()]
    if len(letters) > 3 and sum(char.isupper() for char in letters) > 0.8 * len(letters):
        cleaned = cleaned.lower()  # typed in capitals: shouting is not a title
    cleaned = _LONE_I.sub("I", cleaned)
    cleaned = cleaned[0].upper() + cleaned[1:]
    if asked or _QUESTION_WORD.search(cleaned):
        cleaned += "?"
    return cleaned


@cache
def _analyzers() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
    """Words, and words plus two-word phrases, of a text, as `distinctive_terms` counts them
    (built once: scikit-learn checks the stop-word list each time an analyser is built)."""
    return (CountVectorizer(stop_words=STOP_WORDS).build_analyzer(),
            CountVectorizer(stop_words=STOP_WORDS, ngram_range=(1, 2)).build_analyzer())


def _title_from_terms(terms: list[tuple[str, float]]) -> str:
    """The two strongest terms that do not repeat each other, e.g. "Dark mode / theme"."""
    chosen: list[str] = []
    for term, _weight in terms:
        if not any(set(term.split()) & set(other.split()) for other in chosen):
            chosen.append(term)
        if len(chosen) == 2:
            break
    if not chosen:
        return ""
    title = " / ".join(chosen)
    return title[0].upper() + title[1:]
