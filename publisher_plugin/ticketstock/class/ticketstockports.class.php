<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockports.class.php
 * \ingroup ticketstock
 * \brief   What the relay needs from the database and from the broker.
 *
 * The relay only talks to these two interfaces, so its decisions are tested with in-memory
 * implementations; TicketStockOutbox and TicketStockAmqpPublisher are the real ones.
 */

/**
 * Reads and changes outbox rows.
 *
 * A row is an array: rowid, entity, event_id, movement_id, product_id, warehouse_id, status,
 * attempts, next_attempt_at (Unix time), last_error, payload, date_creation, date_done.
 */
interface TicketStockOutboxStore
{
	/**
	 * The rows with these ids that this store can see (committed rows only, for a store that
	 * reads through its own database connection).
	 *
	 * @param	int[]	$rowIds		Outbox row ids
	 * @return	array[]				Rows, in id order
	 */
	public function fetchByIds(array $rowIds);

	/**
	 * Open rows (pending or failed) of an entity, oldest first.
	 *
	 * @param	int			$entity		Entity
	 * @param	int			$limit		Maximum number of rows
	 * @param	?int		$dueBefore	Only rows whose next attempt is at or before this Unix time;
	 *									null for every open row
	 * @return	array[]
	 */
	public function fetchOpen($entity, $limit, $dueBefore);

	/**
	 * Whether the movement a row announces exists, with the row's product and warehouse.
	 *
	 * @param	array	$row	Outbox row
	 * @return	bool
	 */
	public function movementExists(array $row);

	/**
	 * Take a lease on an open row so that no other process publishes it at the same time.
	 *
	 * @param	int		$rowId			Outbox row id
	 * @param	int		$now			Unix time
	 * @param	int		$leaseSeconds	How long the lease holds if this process dies
	 * @return	bool					False when the row is final or leased by someone else
	 */
	public function claim($rowId, $now, $leaseSeconds);

	/**
	 * Write the columns a transition returned, and release the lease.
	 *
	 * @param	int		$rowId		Outbox row id
	 * @param	array	$changes	Column => value; dates as Unix time
	 * @return	void
	 * @throws	TicketStockException	When the row cannot be written
	 */
	public function update($rowId, array $changes);
}

/**
 * Puts one message on the broker and waits for its confirm.
 */
interface TicketStockTransport
{
	/**
	 * Publish an event's message and return once the broker confirmed it.
	 *
	 * @param	string	$body		The event's JSON
	 * @param	string	$messageId	The event id
	 * @return	void
	 * @throws	TicketStockPublishException	When the broker did not take it
	 */
	public function publish($body, $messageId);

	/**
	 * Close the connection, if one is open.
	 *
	 * @return	void
	 */
	public function close();
}
