"""`action_answer_from_kb`: answer from the knowledge base, ask which article, or admit a miss."""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from handoff import always_human_topic
from kb_index import KnowledgeBaseNotFound

from actions.services import knowledge_base, record_choice, record_lookup

logger = logging.getLogger(__name__)

FEEDBACK_BUTTONS = [
    {"title": "Yes, that helped", "payload": "/feedback_helped"},
    {"title": "No, I need more help", "payload": "/feedback_not_helped"},
]
HUMAN_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}
MISSES_BEFORE_HANDOFF = 2
DONT_KNOW_TEXT = (
    "I'm sorry, I don't know the answer to that, and I'd rather not guess. You can rephrase "
    "your question, or I can pass you to a person on our team."
)
KB_DOWN_TEXT = "I can't search our help centre right now, so I'm passing you to a person on our team."
CLARIFY_TEXT = "I found a few articles that could match. Which one is closest to your question?"


def _answer_text(passage: str, title: str, url: str) -> str:
    return f"{passage.strip()}\n\nMore in our help article: [{title}]({url})\n\nDid this answer your question?"


class ActionAnswerFromKb(Action):
    """Search the knowledge base and reply with the decision it makes."""

    def name(self) -> str:
        return "action_answer_from_kb"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        chosen = tracker.get_slot("article_id") if intent == "choose_article" else None
        if chosen:
            return self._answer_chosen(dispatcher, tracker, str(chosen))
        if always_human_topic(question):
            record_lookup(tracker.sender_id, question, "always_human")
            return [FollowupAction("action_handoff")]
        try:
            answer = knowledge_base().answer(question)
        except (KnowledgeBaseNotFound, OSError):
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(text=KB_DOWN_TEXT)
            record_lookup(tracker.sender_id, question, "unavailable")
            return [SlotSet("handoff_reason", "bot_unavailable"), FollowupAction("action_handoff")]
        logger.info("kb decision %s %.2f %s", answer.decision, answer.confidence, answer.article_id)
        if answer.decision == "answer" and answer.article_id:
            record_lookup(tracker.sender_id, question, "answer", answer)
            dispatcher.utter_message(
                text=_answer_text(answer.passage or "", answer.title or "", answer.url or ""),
                buttons=FEEDBACK_BUTTONS,
                json_message={"article": answer.to_dict()},
            )
            return [SlotSet("kb_misses", 0.0), SlotSet("last_article_id", answer.article_id)]
        if answer.decision == "clarify" and len(answer.candidates) >= 2:
            buttons = [
                {"title": candidate.title,
                 "payload": f'/choose_article{{"article_id":"{candidate.article_id}"}}'}
                for candidate in answer.candidates[:3]
            ]
            record_lookup(tracker.sender_id, question, "clarify", answer)
            dispatcher.utter_message(text=CLARIFY_TEXT, buttons=[*buttons, HUMAN_BUTTON])
            return [SlotSet("kb_misses", 0.0)]
        record_lookup(tracker.sender_id, question, "miss", answer)
        return self._miss(dispatcher, tracker)

    def _answer_chosen(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, article_id: str
    ) -> list[EventType]:
        kb = knowledge_base()
        article = kb.article(article_id)
        if article is None:
            return self._miss(dispatcher, tracker)
        earlier_question = _last_typed_question(tracker)
        passage = kb.best_passage(article_id, earlier_question or article.title)
        record_choice(tracker.sender_id, article_id, earlier_question or article.title)
        dispatcher.utter_message(text=_answer_text(passage, article.title, article.url), buttons=FEEDBACK_BUTTONS)
        return [SlotSet("kb_misses", 0.0), SlotSet("last_article_id", article_id), SlotSet("article_id", None)]

    def _miss(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        misses = int(tracker.get_slot("kb_misses") or 0) + 1
        if misses >= MISSES_BEFORE_HANDOFF:
            return [SlotSet("kb_misses", float(misses)), FollowupAction("action_handoff")]
        dispatcher.utter_message(text=DONT_KNOW_TEXT, buttons=[HUMAN_BUTTON])
        return [SlotSet("kb_misses", float(misses))]


def _last_typed_question(tracker: Tracker) -> str | None:
    """The customer's most recent typed message before a button press."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if text and not text.startswith("/"):
                intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
                if intent != "choose_article":
                    return str(text)
    return None
