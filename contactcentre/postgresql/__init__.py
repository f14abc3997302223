"""Django's PostgreSQL backend, lending pooled connections without a round trip each time
(see ``base``)."""
