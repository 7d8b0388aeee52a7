"""Rasa custom actions: thin adapters from the dialogue to `kb_index` and `handoff`.

Run with `python -m rasa_sdk --actions actions`. Our action server runs rasa-sdk 3.21 on Python
3.11 against the Rasa 3.6 server; the protocol is unchanged, so the SDK's version-mismatch
warning is silenced here (the end-to-end tests prove the two work together).
"""

import warnings

warnings.filterwarnings("ignore", message=r".*compatible with this version of rasa_sdk.*")
