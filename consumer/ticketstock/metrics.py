"""Prometheus metrics of one service process, in a registry of its own.

A registry per :class:`Metrics` keeps tests that start several services in one
process from sharing counters.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """Every metric the service exports, named ``ticketstock_*``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "ticketstock_messages_received",
            "Messages delivered to a worker.",
            ["stage"],
            registry=r,
        )
        self.acked = Counter(
            "ticketstock_messages_acked",
            "Messages settled by ack, by outcome.",
            ["stage", "outcome"],
            registry=r,
        )
        self.retried = Counter(
            "ticketstock_messages_retried",
            "Messages sent to a wait queue, by tier delay.",
            ["stage", "delay_s"],
            registry=r,
        )
        self.dead_lettered = Counter(
            "ticketstock_messages_dead_lettered",
            "Messages dead-lettered, by error class.",
            ["stage", "reason"],
            registry=r,
        )
        self.in_flight = Gauge(
            "ticketstock_messages_in_flight",
            "Messages being handled now.",
            ["stage"],
            registry=r,
        )
        self.tickets = Counter(
            "ticketstock_tickets",
            "Ticket creations, by result (created, existing).",
            ["result"],
            registry=r,
        )
        self.mails = Counter(
            "ticketstock_mails",
            "Mail jobs by result (sent, retried, failed, skipped).",
            ["result"],
            registry=r,
        )
        self.dolibarr_latency = Histogram(
            "ticketstock_dolibarr_request_seconds",
            "Dolibarr REST call latency.",
            ["endpoint", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.smtp_latency = Histogram(
            "ticketstock_smtp_send_seconds",
            "Time to hand one mail to the SMTP server.",
            ["result"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge(
            "ticketstock_queue_messages",
            "Messages ready in a queue, sampled periodically.",
            ["queue"],
            registry=r,
        )
