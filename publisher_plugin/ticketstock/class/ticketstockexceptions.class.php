<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockexceptions.class.php
 * \ingroup ticketstock
 * \brief   The module's exceptions: one root, one child per seam.
 *
 * None of them ever leaves the trigger: it logs them and returns 0 so that a stock movement is
 * never cancelled by this module.
 */

/**
 * Root of every exception the module throws.
 */
class TicketStockException extends RuntimeException
{
}

/**
 * An event cannot be built from what the trigger received.
 */
class TicketStockEventException extends TicketStockException
{
}

/**
 * An outbox row was asked to make a transition its state does not allow.
 */
class TicketStockOutboxException extends TicketStockException
{
}

/**
 * A request to one of the module's endpoints breaks its schema.
 */
class TicketStockRequestException extends TicketStockException
{
}

/**
 * The broker did not take a message.
 *
 * The kind tells the relay whether the broker is unreachable (stop the batch and pause) or only
 * refused this message (count an attempt and go on).
 */
class TicketStockPublishException extends TicketStockException
{
	/** No connection: refused, timed out, bad credentials, unknown vhost. */
	const CONNECTION = 'connection';

	/** The extension is missing or the settings are incomplete. */
	const SETUP = 'setup';

	/** Mandatory message returned: no queue is bound to the exchange for its routing key. */
	const RETURNED = 'returned';

	/** The broker answered basic.nack. */
	const NACKED = 'nacked';

	/** No confirm arrived within the timeout. */
	const UNCONFIRMED = 'unconfirmed';

	/** @var string One of the kinds above */
	private $kind;

	/**
	 * Create the exception.
	 *
	 * @param	string			$kind		One of the kind constants
	 * @param	string			$message	What went wrong, without secrets
	 * @param	?Throwable		$previous	The extension's exception, if any
	 */
	public function __construct($kind, $message, $previous = null)
	{
		parent::__construct($message, 0, $previous);
		$this->kind = $kind;
	}

	/**
	 * The kind of failure.
	 *
	 * @return	string
	 */
	public function getKind()
	{
		return $this->kind;
	}

	/**
	 * Whether nothing else can be published until the broker or the setup changes.
	 *
	 * @return	bool
	 */
	public function stopsBatch()
	{
		return in_array($this->kind, array(self::CONNECTION, self::SETUP, self::UNCONFIRMED), true);
	}
}
