"""Deskmate's knowledge base: ingest help content, search it, and decide with calibrated
confidence whether to answer, ask the customer to pick between close articles, or hand off.

The query path (`load_knowledge_base`) is kept apart from building (`ingest`, `calibrate`);
nothing here imports the gateway, the handoff package or the Rasa actions.
"""

from __future__ import annotations

import logging

from kb_index.ingest import ingest
from kb_index.knowledge_base import KnowledgeBase, KnowledgeBaseNotFound, load_knowledge_base
from kb_index.models import Answer, Candidate, IngestReport, SkippedSource
from kb_index.store import default_index_dir

logger = logging.getLogger(__name__)

__all__ = [
    "Answer",
    "Candidate",
    "IngestReport",
    "KnowledgeBase",
    "KnowledgeBaseNotFound",
    "SkippedSource",
    "default_index_dir",
    "ingest",
    "load_knowledge_base",
]
