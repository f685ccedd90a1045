<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockoutbox.class.php
 * \ingroup ticketstock
 * \brief   The outbox table, llx_ticketstock_outbox, on a Dolibarr database handler.
 *
 * The trigger inserts through the request's handler, inside the movement's transaction, so the
 * row commits or rolls back with the movement. The relay reads through a handler of its own, so
 * it only ever sees committed rows.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';
require_once __DIR__.'/ticketstockports.class.php';
require_once __DIR__.'/ticketstockoutboxstate.class.php';

/**
 * SQL for outbox rows.
 */
class TicketStockOutbox implements TicketStockOutboxStore
{
	/** Columns every row read returns. */
	const COLUMNS = 'rowid, entity, event_id, movement_id, product_id, warehouse_id, status, attempts,
		next_attempt_at, last_error, payload, datec, date_done';

	/** Most rows one purge deletes; the next run goes on. */
	const PURGE_LIMIT = 1000;

	/** @var DoliDB */
	private $db;

	/**
	 * Create the store.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
		$this->db = $db;
	}

	/**
	 * Insert a pending row for an event, inside the caller's transaction.
	 *
	 * The insert runs under a savepoint, so that a failure does not poison the movement's
	 * transaction on PostgreSQL.
	 *
	 * @param	array	$event		Event built by TicketStockEventBuilder
	 * @param	string	$payload	Its JSON
	 * @param	int		$now		Unix time
	 * @return	int					Id of the new row
	 * @throws	TicketStockException	When the row cannot be written
	 */
	public function insert(array $event, $payload, $now)
	{
		$movement = $event['movement'];
		$sql = 'INSERT INTO '.$this->table().' (entity, event_id, movement_id, product_id, warehouse_id,';
		$sql .= ' status, attempts, next_attempt_at, payload, datec) VALUES (';
		$sql .= ((int) $event['entity']).", '".$this->db->escape($event['event_id'])."', ";
		$sql .= ((int) $movement['id']).', '.((int) $movement['product']['id']).', ';
		$sql .= ((int) $movement['warehouse']['id']).', '.TicketStockOutboxState::PENDING.', 0, ';
		$sql .= "'".$this->db->idate($now)."', '".$this->db->escape($payload)."', '".$this->db->idate($now)."')";
		if (!$this->db->query($sql, 1)) {
			throw new TicketStockException('cannot write the outbox row: '.$this->db->lasterror());
		}
		return (int) $this->db->last_insert_id($this->table());
	}

	/**
	 * The rows with these ids that this handler can see.
	 *
	 * @param	int[]	$rowIds		Outbox row ids
	 * @return	array[]
	 */
	public function fetchByIds(array $rowIds)
	{
		$ids = array_filter(array_map('intval', $rowIds));
		if (!$ids) {
			return array();
		}
		return $this->select(' WHERE rowid IN ('.implode(',', $ids).') ORDER BY rowid');
	}

	/**
	 * Open rows of an entity, oldest first.
	 *
	 * @param	int		$entity		Entity
	 * @param	int		$limit		Maximum number of rows
	 * @param	?int	$dueBefore	Only rows due at this Unix time; null for all open rows
	 * @return	array[]
	 */
	public function fetchOpen($entity, $limit, $dueBefore)
	{
		$where = ' WHERE entity = '.((int) $entity);
		$where .= ' AND status IN ('.TicketStockOutboxState::PENDING.','.TicketStockOutboxState::FAILED.')';
		if ($dueBefore !== null) {
			$where .= " AND next_attempt_at <= '".$this->db->idate($dueBefore)."'";
		}
		return $this->select($where.' ORDER BY rowid'.$this->db->plimit(max(1, (int) $limit)));
	}

	/**
	 * Whether the row's movement exists with the row's product and warehouse.
	 *
	 * @param	array	$row	Outbox row
	 * @return	bool
	 * @throws	TicketStockException	When the check itself fails
	 */
	public function movementExists(array $row)
	{
		$sql = 'SELECT rowid FROM '.MAIN_DB_PREFIX.'stock_mouvement WHERE rowid = '.((int) $row['movement_id']);
		$sql .= ' AND fk_product = '.((int) $row['product_id']).' AND fk_entrepot = '.((int) $row['warehouse_id']);
		$resql = $this->db->query($sql);
		if (!$resql) {
			throw new TicketStockException('cannot read the stock movement: '.$this->db->lasterror());
		}
		$found = $this->db->num_rows($resql) > 0;
		$this->db->free($resql);
		return $found;
	}

	/**
	 * Lease an open row.
	 *
	 * @param	int		$rowId			Outbox row id
	 * @param	int		$now			Unix time
	 * @param	int		$leaseSeconds	Lease length
	 * @return	bool
	 */
	public function claim($rowId, $now, $leaseSeconds)
	{
		$sql = 'UPDATE '.$this->table()." SET claimed_until = '".$this->db->idate($now + $leaseSeconds)."'";
		$sql .= ' WHERE rowid = '.((int) $rowId);
		$sql .= ' AND status IN ('.TicketStockOutboxState::PENDING.','.TicketStockOutboxState::FAILED.')';
		$sql .= " AND (claimed_until IS NULL OR claimed_until < '".$this->db->idate($now)."')";
		$resql = $this->db->query($sql);
		return $resql && $this->db->affected_rows($resql) === 1;
	}

	/**
	 * Write a transition's columns and release the lease.
	 *
	 * @param	int		$rowId		Outbox row id
	 * @param	array	$changes	Column => value; dates as Unix time
	 * @return	void
	 * @throws	TicketStockException
	 */
	public function update($rowId, array $changes)
	{
		$sets = array('claimed_until = NULL');
		foreach ($changes as $column => $value) {
			if (in_array($column, array('status', 'attempts'), true)) {
				$sets[] = $column.' = '.((int) $value);
			} elseif (in_array($column, array('next_attempt_at', 'date_done'), true)) {
				$sets[] = $column.' = '.($value === null ? 'NULL' : "'".$this->db->idate($value)."'");
			} elseif ($column === 'last_error') {
				$sets[] = 'last_error = '.($value === null ? 'NULL' : "'".$this->db->escape($value)."'");
			} else {
				throw new TicketStockException('unknown outbox column '.$column);
			}
		}
		$sql = 'UPDATE '.$this->table().' SET '.implode(', ', $sets).' WHERE rowid = '.((int) $rowId);
		if (!$this->db->query($sql)) {
			throw new TicketStockException('cannot update outbox row '.((int) $rowId).': '.$this->db->lasterror());
		}
	}

	/**
	 * Delete sent and discarded rows finished more than $days days ago.
	 *
	 * Rows are picked by a plain read and deleted by primary key, in batches: a range DELETE on
	 * the status index would lock the index gap where the trigger inserts new pending rows, and
	 * make stock movements wait for the purge.
	 *
	 * @param	int		$entity		Entity
	 * @param	int		$days		Retention
	 * @param	int		$now		Unix time
	 * @return	int					Rows deleted
	 * @throws	TicketStockException
	 */
	public function purge($entity, $days, $now)
	{
		$sql = 'SELECT rowid FROM '.$this->table().' WHERE entity = '.((int) $entity);
		$sql .= ' AND status IN ('.TicketStockOutboxState::SENT.','.TicketStockOutboxState::DISCARDED.')';
		$sql .= " AND date_done <= '".$this->db->idate($now - max(1, (int) $days) * 86400)."'";
		$resql = $this->db->query($sql.' ORDER BY rowid'.$this->db->plimit(self::PURGE_LIMIT));
		if (!$resql) {
			throw new TicketStockException('cannot read the rows to purge: '.$this->db->lasterror());
		}
		$ids = array();
		while ($obj = $this->db->fetch_object($resql)) {
			$ids[] = (int) $obj->rowid;
		}
		$this->db->free($resql);

		$deleted = 0;
		foreach (array_chunk($ids, 100) as $chunk) {
			$resql = $this->db->query('DELETE FROM '.$this->table().' WHERE rowid IN ('.implode(',', $chunk).')');
			if (!$resql) {
				throw new TicketStockException('cannot purge the outbox: '.$this->db->lasterror());
			}
			$deleted += (int) $this->db->affected_rows($resql);
		}
		return $deleted;
	}

	/**
	 * Number of rows per status for an entity.
	 *
	 * @param	int		$entity		Entity
	 * @return	array<int, int>		Status => count, every status present
	 */
	public function countByStatus($entity)
	{
		$counts = array(
			TicketStockOutboxState::PENDING => 0,
			TicketStockOutboxState::SENT => 0,
			TicketStockOutboxState::FAILED => 0,
			TicketStockOutboxState::DISCARDED => 0,
		);
		$sql = 'SELECT status, COUNT(*) as nb FROM '.$this->table().' WHERE entity = '.((int) $entity);
		$sql .= ' GROUP BY status';
		$resql = $this->db->query($sql);
		if ($resql) {
			while ($obj = $this->db->fetch_object($resql)) {
				$counts[(int) $obj->status] = (int) $obj->nb;
			}
			$this->db->free($resql);
		}
		return $counts;
	}

	/**
	 * Latest rows that are not sent, for the setup page.
	 *
	 * @param	int		$entity		Entity
	 * @param	int		$limit		Maximum number of rows
	 * @return	array[]
	 */
	public function latestUnsent($entity, $limit)
	{
		$where = ' WHERE entity = '.((int) $entity).' AND status <> '.TicketStockOutboxState::SENT;
		return $this->select($where.' ORDER BY rowid DESC'.$this->db->plimit(max(1, (int) $limit)));
	}

	/**
	 * Run a SELECT of outbox rows.
	 *
	 * @param	string	$tail	WHERE, ORDER and LIMIT clauses
	 * @return	array[]
	 * @throws	TicketStockException
	 */
	private function select($tail)
	{
		$resql = $this->db->query('SELECT '.self::COLUMNS.' FROM '.$this->table().$tail);
		if (!$resql) {
			throw new TicketStockException('cannot read the outbox: '.$this->db->lasterror());
		}
		$rows = array();
		while ($obj = $this->db->fetch_object($resql)) {
			$rows[] = array(
				'rowid' => (int) $obj->rowid,
				'entity' => (int) $obj->entity,
				'event_id' => (string) $obj->event_id,
				'movement_id' => (int) $obj->movement_id,
				'product_id' => (int) $obj->product_id,
				'warehouse_id' => (int) $obj->warehouse_id,
				'status' => (int) $obj->status,
				'attempts' => (int) $obj->attempts,
				'next_attempt_at' => (int) $this->db->jdate($obj->next_attempt_at),
				'last_error' => $obj->last_error === null ? null : (string) $obj->last_error,
				'payload' => (string) $obj->payload,
				'date_creation' => (int) $this->db->jdate($obj->datec),
				'date_done' => $obj->date_done === null ? null : (int) $this->db->jdate($obj->date_done),
			);
		}
		$this->db->free($resql);
		return $rows;
	}

	/**
	 * Name of the table, with Dolibarr's prefix.
	 *
	 * @return	string
	 */
	private function table()
	{
		return MAIN_DB_PREFIX.'ticketstock_outbox';
	}
}
