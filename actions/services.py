"""Process-wide access to the knowledge base, loaded once when the first action needs it.

The executor constructs actions with no arguments, so heavy objects come from here instead.
"""

import logging

from kb_index import KnowledgeBase, load_knowledge_base

logger = logging.getLogger(__name__)


def knowledge_base() -> KnowledgeBase:
    """The product's knowledge base (cached by kb_index; reloads when a new index is written)."""
    return load_knowledge_base()
