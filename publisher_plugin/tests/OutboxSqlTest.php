<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * The SQL the outbox store sends.
 */
final class OutboxSqlTest extends TestCase
{
	/** @var DoliDB */
	private $db;

	/**
	 * Database stand-in accepting every statement.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		$this->db = new DoliDB();
		$this->db->on('/^UPDATE llx_ticketstock_outbox SET claimed_until/', function () {
			return 1;
		});
		$this->db->on('/./', function () {
			return array();
		});
	}

	/**
	 * The last statement sent.
	 *
	 * @return	string
	 */
	private function lastSql()
	{
		return end($this->db->queries)[0];
	}

	/**
	 * A claim only takes an open row that nobody leases.
	 *
	 * @return	void
	 */
	public function testClaimConditions()
	{
		$outbox = new TicketStockOutbox($this->db);
		$this->assertTrue($outbox->claim(5, 1000, 60));
		$this->assertSame("UPDATE llx_ticketstock_outbox SET claimed_until = '1970-01-01 00:17:40' WHERE rowid = 5"
			." AND status IN (0,2) AND (claimed_until IS NULL OR claimed_until < '1970-01-01 00:16:40')",
			$this->lastSql());
	}

	/**
	 * Updates release the lease and only know the outbox's columns.
	 *
	 * @return	void
	 */
	public function testUpdate()
	{
		$outbox = new TicketStockOutbox($this->db);
		$changes = array('status' => 2, 'attempts' => 1, 'next_attempt_at' => 1030, 'last_error' => "it's down");
		$outbox->update(5, $changes);
		$this->assertSame("UPDATE llx_ticketstock_outbox SET claimed_until = NULL, status = 2, attempts = 1,"
			." next_attempt_at = '1970-01-01 00:17:10', last_error = 'it\\'s down' WHERE rowid = 5", $this->lastSql());

		$this->expectException(TicketStockException::class);
		$outbox->update(5, array('payload' => 'x'));
	}

	/**
	 * The movement check matches id, product and warehouse.
	 *
	 * @return	void
	 */
	public function testMovementCheck()
	{
		$outbox = new TicketStockOutbox($this->db);
		$row = array('movement_id' => 14, 'product_id' => 7, 'warehouse_id' => 2);
		$this->assertFalse($outbox->movementExists($row));
		$this->assertSame('SELECT rowid FROM llx_stock_mouvement WHERE rowid = 14 AND fk_product = 7'
			.' AND fk_entrepot = 2', $this->lastSql());
	}

	/**
	 * Purging picks final rows past the retention, then deletes them by primary key.
	 *
	 * @return	void
	 */
	public function testPurgeDeletesByPrimaryKey()
	{
		$db = new DoliDB();
		$db->on('/^SELECT rowid FROM llx_ticketstock_outbox/', function () {
			return array(array('rowid' => 4), array('rowid' => 9));
		});
		$db->on('/^DELETE FROM llx_ticketstock_outbox WHERE rowid IN \(4,9\)$/', function () {
			return 2;
		});
		$outbox = new TicketStockOutbox($db);

		$this->assertSame(2, $outbox->purge(1, 30, 40 * 86400));
		$this->assertSame("SELECT rowid FROM llx_ticketstock_outbox WHERE entity = 1 AND status IN (1,3)"
			." AND date_done <= '1970-01-11 00:00:00' ORDER BY rowid LIMIT 1000", $db->queries[0][0]);
		$this->assertCount(2, $db->queries);
	}
}
