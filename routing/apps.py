from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        from contactcentre import warmup
        from routing.classifier import default_model

        # Trained from the examples in the repository: seconds of CPU, once per process.
        warmup.register("routing classifier", default_model)
