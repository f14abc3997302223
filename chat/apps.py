from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Live chat"

    def ready(self) -> None:
        from contactcentre import warmup

        warmup.register("assistant", _warm_assistant)


def _warm_assistant() -> None:
    """Load the sentence model, build the guidance index and answer once, so a new web
    process's first answer does not wait seconds for all three."""
    from chat.chatbot import sentence_model
    from chat.chatbot.conversation import answer

    sentence_model.encoder()
    answer("How do I reset my password?")
