"""Stand-ins for the pipeline's neighbours, for tests, benchmarks and the local sandbox.

``dolibarr_double`` answers like Dolibarr's REST API with the TicketStock module, as
recorded from a live Dolibarr 23; ``smtp_sink`` is a real SMTP server that keeps
what it receives and can be told to refuse or drop mail.
"""
