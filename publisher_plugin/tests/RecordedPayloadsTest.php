<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * The builder over what Dolibarr 23 really handed the STOCK_MOVEMENT trigger.
 */
final class RecordedPayloadsTest extends TestCase
{
	/** @var array<string, array> Cases by name */
	private static $cases = array();

	/**
	 * Load the recordings once.
	 *
	 * @return	void
	 */
	public static function setUpBeforeClass(): void
	{
		if (RecordedMovements::available()) {
			foreach (RecordedMovements::all() as $case) {
				self::$cases[$case['name']] = $case;
			}
		}
	}

	/**
	 * Skip when the recordings are not next to the repository.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		if (!self::$cases) {
			$this->markTestSkipped('recorded trigger payloads not found in '.RecordedMovements::directory());
		}
	}

	/**
	 * Facts and decision of a recorded payload, watching both recorded warehouses.
	 *
	 * @param	string	$name	Case name
	 * @return	array{0: array, 1: string}
	 */
	private function decide($name)
	{
		$this->assertArrayHasKey($name, self::$cases);
		$builder = new TicketStockEventBuilder();
		$facts = $builder->readMovement(self::$cases[$name]['movement']);
		return array($facts, $builder->decide($facts, array(2, 3)));
	}

	/**
	 * Every recorded payload builds a complete event (the builder does not filter).
	 *
	 * @return	void
	 */
	public function testEveryPayloadBuildsAnEvent()
	{
		$builder = new TicketStockEventBuilder();
		foreach (self::$cases as $name => $case) {
			$facts = $builder->readMovement($case['movement']);
			$event = $builder->build($facts, RecordedMovements::context($facts, $name));
			$this->assertSame((int) $case['raw']['id'], $event['movement']['id'], $name);
			$this->assertIsNotString($event['movement']['qty'], $name);
			$this->assertNotSame('', TicketStockEventBuilder::encode($event));
		}
	}

	/**
	 * A UI transfer: the output leg is skipped, the input leg accepted.
	 *
	 * @return	void
	 */
	public function testTransferGivesOneEventForTheInputLeg()
	{
		$decision = $this->decide('trigger_stock_movement_transfer#0')[1];
		$this->assertSame(TicketStockEventBuilder::SKIP_NOT_INCREASE, $decision);
		list($facts, $decision) = $this->decide('trigger_stock_movement_transfer#1');
		$this->assertSame(TicketStockEventBuilder::ACCEPTED, $decision);
		$this->assertSame(3, $facts['warehouse_id']);
		$this->assertSame(2, $facts['product_id'], 'product_id arrives as the string "2"');
		$this->assertNull($facts['origin']);
	}

	/**
	 * Kit components each become an event; the parent's own movement too when it exists.
	 *
	 * @return	void
	 */
	public function testKitComponentsAreAccepted()
	{
		$names = array('trigger_stock_movement_kit#0', 'trigger_stock_movement_kit#1',
			'trigger_stock_movement_kit_api#0', 'trigger_stock_movement_kit_parent_move#2');
		foreach ($names as $name) {
			$this->assertSame(TicketStockEventBuilder::ACCEPTED, $this->decide($name)[1], $name);
		}
	}

	/**
	 * A shipment's validation is an output; its cancel and delete are increases with a string qty.
	 *
	 * @return	void
	 */
	public function testShipmentReversalsAreIncreasesWithoutOrigin()
	{
		list($facts, $decision) = $this->decide('trigger_stock_movement_shipment_validate#0');
		$this->assertSame(TicketStockEventBuilder::SKIP_NOT_INCREASE, $decision);
		$expected = array('type' => 'shipping', 'id' => 1, 'line_id' => 1, 'origin_line_id' => 1);
		$this->assertSame($expected, $facts['origin']);

		$names = array('trigger_stock_movement_shipment_cancel#0', 'trigger_stock_movement_shipment_delete#1');
		foreach ($names as $name) {
			list($facts, $decision) = $this->decide($name);
			$this->assertSame(TicketStockEventBuilder::ACCEPTED, $decision, $name);
			$this->assertIsInt($facts['qty'], $name);
			$this->assertNull($facts['origin'], $name);
		}
	}

	/**
	 * Lot numbers travel; eat-by dates are absent from the payload and not invented.
	 *
	 * @return	void
	 */
	public function testLotNumberIsKept()
	{
		list($facts, $decision) = $this->decide('trigger_stock_movement_lot#0');
		$this->assertSame(TicketStockEventBuilder::ACCEPTED, $decision);
		$this->assertSame('LOT-2026-A', $facts['batch']);
		$this->assertSame(5, $facts['qty']);
	}

	/**
	 * The duplicate serial is accepted by the trigger: only the relay can tell it was rolled back.
	 *
	 * @return	void
	 */
	public function testDuplicateSerialLooksLikeAnyIncrease()
	{
		list($facts, $decision) = $this->decide('trigger_stock_movement_serial_duplicate#1');
		$this->assertSame(TicketStockEventBuilder::ACCEPTED, $decision);
		$this->assertSame(14, $facts['id']);
		$this->assertSame('SN-1', $facts['batch']);
	}
}
