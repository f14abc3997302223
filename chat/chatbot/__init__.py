"""The chatbot: answers citizens from published self-help guidance, and knows when to hand over.

This is the interface the chat flow calls. ``answer`` is pure with respect to the conversation:
it reads published articles, never writes. See docs/chatbot.md for the intents and how the
answers are found.
"""

from chat.chatbot.conversation import BotReply, BotTurn, answer

__all__ = ["BotReply", "BotTurn", "answer"]
