"""TicketStock: returned goods entering a watched Dolibarr warehouse become a ticket.

The Dolibarr module publishes each stock movement to RabbitMQ; this package's ticket
consumer turns the movement into a Dolibarr ticket and one mail job per recipient,
and its mail sender delivers those jobs over SMTP.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ticketstock")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
