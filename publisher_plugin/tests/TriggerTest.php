<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * The STOCK_MOVEMENT trigger: queues in the movement's transaction and never fails it.
 */
final class TriggerTest extends TestCase
{
	/** @var DoliDB */
	private $db;

	/** @var array[] Outbox inserts seen */
	private $inserts = array();

	/**
	 * A database answering the trigger's reads, and a watched warehouse 2.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		$GLOBALS['ticketstock_test_const'] = array(
			'TICKETSTOCK_WAREHOUSES' => '2,5',
			'TICKETSTOCK_INSTANCE_ID' => 'inst-1',
		);
		$GLOBALS['ticketstock_test_modules']['ticketstock'] = true;
		$GLOBALS['ticketstock_test_log'] = array();
		TicketStockRuntime::takeCreatedRows();

		$this->db = new DoliDB();
		$this->db->on('/FROM llx_product WHERE rowid = (\d+)/', function ($m) {
			return array(array('ref' => 'P-'.$m[1], 'label' => 'Product '.$m[1]));
		});
		$this->db->on('/FROM llx_entrepot WHERE rowid = (\d+)/', function ($m) {
			return array(array('rowid' => $m[1], 'ref' => 'WH-'.$m[1], 'lieu' => null));
		});
		$this->db->on('/^INSERT INTO llx_ticketstock_outbox/', function ($m, $sql) {
			$this->inserts[] = $sql;
			return 1;
		});
		$this->db->setLastInsertId(31);
	}

	/**
	 * Forget the rows remembered for publishing, so that no shutdown work is left.
	 *
	 * @return	void
	 */
	protected function tearDown(): void
	{
		TicketStockRuntime::takeCreatedRows();
		$GLOBALS['ticketstock_test_const'] = array();
	}

	/**
	 * Run the trigger on a movement.
	 *
	 * @param	array	$properties		Movement properties
	 * @param	string	$action			Trigger code
	 * @return	int
	 */
	private function fire(array $properties, $action = 'STOCK_MOVEMENT')
	{
		$movement = RecordedMovements::movement(array_merge(array('id' => 40, 'product_id' => '7',
			'warehouse_id' => 2, 'qty' => 3, 'type' => 0, 'datem' => 1796398115, 'label' => 'Correction'),
			$properties));
		$user = new User($this->db);
		$user->id = 1;
		$user->login = 'admin';
		$trigger = new InterfaceTicketStockTriggers($this->db);
		return $trigger->runTrigger($action, $movement, $user, new Translate('', null), new Conf());
	}

	/**
	 * Lines the trigger logged.
	 *
	 * @return	string[]
	 */
	private function logLines()
	{
		return array_values(array_filter(array_column($GLOBALS['ticketstock_test_log'], 1), function ($line) {
			return strpos($line, 'ticketstock.trigger') === 0;
		}));
	}

	/**
	 * An increase into a watched warehouse inserts one row, under a savepoint, and is remembered.
	 *
	 * @return	void
	 */
	public function testIncreaseIsQueued()
	{
		$this->assertSame(0, $this->fire(array()));

		$this->assertCount(1, $this->inserts);
		$insert = end($this->db->queries);
		$this->assertSame(1, $insert[1], 'the insert runs under a savepoint');
		$this->assertMatchesRegularExpression('/VALUES \(1, \'[0-9a-f-]{36}\', 40, 7, 2, 0, 0, /', $this->inserts[0]);
		$this->assertStringContainsString('\\"ref\\":\\"P-7\\"', $this->inserts[0]);
		$this->assertSame(array(1 => array(31)), TicketStockRuntime::takeCreatedRows());
		$lines = $this->logLines();
		$this->assertCount(1, $lines);
		$this->assertMatchesRegularExpression(
			'/^ticketstock\.trigger event_id=[0-9a-f-]{36} movement=40 entity=1 warehouse=2'
				.' outcome=queued outbox_id=31$/',
			$lines[0]
		);
	}

	/**
	 * Decreases and unwatched warehouses write nothing and log one skipped line.
	 *
	 * @return	void
	 */
	public function testOthersAreSkipped()
	{
		$this->assertSame(0, $this->fire(array('type' => 1, 'qty' => -3)));
		$this->assertSame(0, $this->fire(array('warehouse_id' => 3)));

		$this->assertSame(array(), $this->inserts);
		$this->assertSame(array(), TicketStockRuntime::takeCreatedRows());
		$this->assertSame(array(
			'ticketstock.trigger event_id=- movement=40 entity=1 warehouse=2 outcome=skipped reason=not_an_increase',
			'ticketstock.trigger event_id=- movement=40 entity=1 warehouse=3 outcome=skipped'
				.' reason=unwatched_warehouse',
		), $this->logLines());
	}

	/**
	 * Other actions and a disabled module are ignored without a word.
	 *
	 * @return	void
	 */
	public function testOtherActionsAndDisabledModuleAreIgnored()
	{
		$this->assertSame(0, $this->fire(array(), 'TICKET_CREATE'));
		$GLOBALS['ticketstock_test_modules']['ticketstock'] = false;
		$this->assertSame(0, $this->fire(array()));
		$GLOBALS['ticketstock_test_modules']['ticketstock'] = true;

		$this->assertSame(array(), $this->inserts);
		$this->assertSame(array(), $this->logLines());
	}

	/**
	 * A failing insert is logged and recorded, and the movement goes on (return 0).
	 *
	 * @return	void
	 */
	public function testFailureNeverCancelsTheMovement()
	{
		$db = new DoliDB();
		$db->on('/FROM llx_product/', function () {
			return array(array('ref' => 'P-7', 'label' => null));
		});
		$db->on('/FROM llx_entrepot/', function () {
			return array(array('rowid' => 2, 'ref' => 'WH-2', 'lieu' => null));
		});
		$db->on('/^INSERT INTO llx_ticketstock_outbox/', function () {
			return false;
		});
		$this->db = $db;

		$this->assertSame(0, $this->fire(array('id' => 41)));

		$this->assertSame(array(), TicketStockRuntime::takeCreatedRows());
		$this->assertStringContainsString('movement=41 entity=1 warehouse=2 outcome=error', $this->logLines()[0]);
		$error = TicketStockRuntime::health()->lastError(1);
		$this->assertSame('trigger', $error['where']);
		$this->assertStringContainsString('stock movement 41: cannot write the outbox row', $error['message']);
	}

	/**
	 * Without an installation id the event is not invented; the error says what to do.
	 *
	 * @return	void
	 */
	public function testMissingInstanceIdIsReported()
	{
		unset($GLOBALS['ticketstock_test_const']['TICKETSTOCK_INSTANCE_ID']);
		$this->assertSame(0, $this->fire(array()));
		$this->assertSame(array(), $this->inserts);
		$this->assertStringContainsString('instance id is missing', $this->logLines()[0]);
	}
}
