<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/support/InMemoryOutbox.php
 * \brief   In-memory outbox store and broker transport for the relay's tests.
 */

/**
 * Outbox rows in an array: "committed" rows are the ones the store can see.
 */
final class InMemoryOutbox implements TicketStockOutboxStore
{
	/** @var array<int, array> Committed rows by id */
	public $rows = array();

	/** @var array<int, bool> Movement ids that exist */
	public $movements = array();

	/** @var array<int, int> Lease end per row */
	public $leases = array();

	/**
	 * Add a committed pending row.
	 *
	 * @param	int		$rowId		Row id
	 * @param	int		$movementId	Movement id
	 * @param	array	$overrides	Columns to change
	 * @return	array				The row
	 */
	public function add($rowId, $movementId, array $overrides = array())
	{
		$this->rows[$rowId] = array_merge(array(
			'rowid' => $rowId,
			'entity' => 1,
			'event_id' => RecordedMovements::uuidFor('row'.$rowId),
			'movement_id' => $movementId,
			'product_id' => 7,
			'warehouse_id' => 2,
			'status' => TicketStockOutboxState::PENDING,
			'attempts' => 0,
			'next_attempt_at' => 1000,
			'last_error' => null,
			'payload' => '{"movement":'.$movementId.'}',
			'date_creation' => 1000,
			'date_done' => null,
		), $overrides);
		$this->movements[$movementId] = true;
		return $this->rows[$rowId];
	}

	/**
	 * Rows with these ids.
	 *
	 * @param	int[]	$rowIds		Ids
	 * @return	array[]
	 */
	public function fetchByIds(array $rowIds)
	{
		$found = array();
		foreach ($rowIds as $id) {
			if (isset($this->rows[$id])) {
				$found[$id] = $this->rows[$id];
			}
		}
		ksort($found);
		return array_values($found);
	}

	/**
	 * Open rows of an entity.
	 *
	 * @param	int		$entity		Entity
	 * @param	int		$limit		Limit
	 * @param	?int	$dueBefore	Due time filter
	 * @return	array[]
	 */
	public function fetchOpen($entity, $limit, $dueBefore)
	{
		$found = array();
		ksort($this->rows);
		foreach ($this->rows as $row) {
			$open = in_array($row['status'], array(TicketStockOutboxState::PENDING, TicketStockOutboxState::FAILED),
				true);
			$due = $dueBefore === null || $row['next_attempt_at'] <= $dueBefore;
			if ($row['entity'] === $entity && $open && $due) {
				$found[] = $row;
			}
		}
		return array_slice($found, 0, $limit);
	}

	/**
	 * Whether the movement exists.
	 *
	 * @param	array	$row	Row
	 * @return	bool
	 */
	public function movementExists(array $row)
	{
		return !empty($this->movements[$row['movement_id']]);
	}

	/**
	 * Lease a row.
	 *
	 * @param	int		$rowId			Row id
	 * @param	int		$now			Unix time
	 * @param	int		$leaseSeconds	Lease
	 * @return	bool
	 */
	public function claim($rowId, $now, $leaseSeconds)
	{
		if (isset($this->leases[$rowId]) && $this->leases[$rowId] >= $now) {
			return false;
		}
		$this->leases[$rowId] = $now + $leaseSeconds;
		return true;
	}

	/**
	 * Write changes and release the lease.
	 *
	 * @param	int		$rowId		Row id
	 * @param	array	$changes	Columns
	 * @return	void
	 */
	public function update($rowId, array $changes)
	{
		$this->rows[$rowId] = array_merge($this->rows[$rowId], $changes);
		unset($this->leases[$rowId]);
	}
}

/**
 * Broker transport that records messages and fails on demand.
 */
final class RecordingTransport implements TicketStockTransport
{
	/** @var array[] Published [messageId, body] */
	public $published = array();

	/** @var array<string, TicketStockPublishException> Failure per message id, '*' for all */
	public $failures = array();

	/** @var int */
	public $closed = 0;

	/**
	 * Publish or fail.
	 *
	 * @param	string	$body		Body
	 * @param	string	$messageId	Message id
	 * @return	void
	 * @throws	TicketStockPublishException
	 */
	public function publish($body, $messageId)
	{
		$failure = isset($this->failures[$messageId]) ? $this->failures[$messageId]
			: (isset($this->failures['*']) ? $this->failures['*'] : null);
		if ($failure !== null) {
			throw $failure;
		}
		$this->published[] = array($messageId, $body);
	}

	/**
	 * Close.
	 *
	 * @return	void
	 */
	public function close()
	{
		$this->closed++;
	}
}
