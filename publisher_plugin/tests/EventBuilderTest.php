<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * Which movements become events, and what the event holds.
 */
final class EventBuilderTest extends TestCase
{
	/** @var TicketStockEventBuilder */
	private $builder;

	/**
	 * Fresh builder.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		$this->builder = new TicketStockEventBuilder();
	}

	/**
	 * A movement with the given properties over a plain manual increase.
	 *
	 * @param	array	$properties		Properties to set
	 * @return	MouvementStock
	 */
	private function movement(array $properties = array())
	{
		return RecordedMovements::movement(array_merge(array(
			'id' => 40, 'product_id' => '7', 'warehouse_id' => 2, 'entrepot_id' => 2, 'qty' => 3, 'type' => 0,
			'datem' => 1796398115, 'label' => 'Correction', 'inventorycode' => '', 'batch' => '',
			'origin_type' => '', 'origin_id' => 0, 'fk_origin' => 0, 'origintype' => '',
			'line_id_object_src' => 0, 'line_id_object_origin' => 0, 'fk_project' => null,
		), $properties));
	}

	/**
	 * Context with every fact the event needs.
	 *
	 * @param	array	$overrides	Keys to change
	 * @return	array
	 */
	private function context(array $overrides = array())
	{
		return array_merge(array(
			'event_id' => '6f0c1b9e-4f7a-4c1e-9d55-0d8f2a3b4c5d',
			'instance_id' => 'inst-1',
			'entity' => 1,
			'occurred_at' => 1796398115.5,
			'product_ref' => 'P-7',
			'product_label' => 'Seven',
			'warehouse_ref' => 'WH-A',
			'user_id' => 1,
			'user_login' => 'admin',
		), $overrides);
	}

	/**
	 * Increases of type 0 and 3 into a watched warehouse are accepted.
	 *
	 * @return	void
	 */
	public function testIncreaseIntoWatchedWarehouseIsAccepted()
	{
		foreach (array(0, '3') as $type) {
			$facts = $this->builder->readMovement($this->movement(array('type' => $type)));
			$this->assertSame(TicketStockEventBuilder::ACCEPTED, $this->builder->decide($facts, array(2, 5)));
		}
	}

	/**
	 * Outputs, zero and negative quantities and unknown types are skipped.
	 *
	 * @return	void
	 */
	public function testDecreasesAndOddTypesAreSkipped()
	{
		$cases = array(
			array('type' => 1, 'qty' => -3),
			array('type' => 2, 'qty' => -2),
			array('type' => 0, 'qty' => 0),
			array('type' => 3, 'qty' => '-1'),
			array('type' => 7, 'qty' => 3),
			array('type' => 0, 'qty' => 'abc'),
		);
		foreach ($cases as $properties) {
			$facts = $this->builder->readMovement($this->movement($properties));
			$this->assertSame(TicketStockEventBuilder::SKIP_NOT_INCREASE, $this->builder->decide($facts, array(2)),
				json_encode($properties));
		}
	}

	/**
	 * An increase into a warehouse that is not watched is skipped.
	 *
	 * @return	void
	 */
	public function testUnwatchedWarehouseIsSkipped()
	{
		$facts = $this->builder->readMovement($this->movement(array('warehouse_id' => '3', 'entrepot_id' => '3')));
		$this->assertSame(TicketStockEventBuilder::SKIP_UNWATCHED, $this->builder->decide($facts, array(2)));
		$this->assertSame(TicketStockEventBuilder::SKIP_UNWATCHED, $this->builder->decide($facts, array()));
	}

	/**
	 * A movement without id (nothing written) is skipped.
	 *
	 * @return	void
	 */
	public function testMovementWithoutIdIsSkipped()
	{
		$facts = $this->builder->readMovement($this->movement(array('id' => 0)));
		$this->assertSame(TicketStockEventBuilder::SKIP_NO_ID, $this->builder->decide($facts, array(2)));
	}

	/**
	 * String ids, string and decimal quantities become JSON numbers.
	 *
	 * @return	void
	 */
	public function testTypesAreNormalised()
	{
		$facts = $this->builder->readMovement($this->movement(array(
			'id' => '41', 'product_id' => '7', 'warehouse_id' => null, 'entrepot_id' => '2', 'qty' => '2.50000000',
			'type' => '3', 'datem' => '1796398115',
		)));
		$this->assertSame(41, $facts['id']);
		$this->assertSame(7, $facts['product_id']);
		$this->assertSame(2, $facts['warehouse_id']);
		$this->assertSame(2.5, $facts['qty']);
		$this->assertSame(3, $facts['type']);
		$this->assertSame(1796398115, $facts['date']);

		$facts = $this->builder->readMovement($this->movement(array('qty' => '4')));
		$this->assertSame(4, $facts['qty']);
		$facts = $this->builder->readMovement($this->movement(array('qty' => 4.0)));
		$this->assertSame(4, $facts['qty']);
	}

	/**
	 * Empty text becomes null; a date string is read as a date.
	 *
	 * @return	void
	 */
	public function testEmptyTextIsNullAndDateStringsAreRead()
	{
		$facts = $this->builder->readMovement($this->movement(array('batch' => '', 'inventorycode' => null,
			'label' => '', 'datem' => '2026-12-04 15:28:35')));
		$this->assertNull($facts['batch']);
		$this->assertNull($facts['inventory_code']);
		$this->assertNull($facts['label']);
		$this->assertSame(strtotime('2026-12-04 15:28:35'), $facts['date']);
	}

	/**
	 * Manual moves, transfers and reversals have no origin.
	 *
	 * @return	void
	 */
	public function testManualMovementHasNoOrigin()
	{
		$this->assertNull($this->builder->readMovement($this->movement())['origin']);
		$reversal = $this->movement(array('origin_type' => null, 'origin_id' => null, 'fk_origin' => null,
			'origintype' => null, 'origin' => ''));
		$this->assertNull($this->builder->readMovement($reversal)['origin']);
		$bare = new MouvementStock(null);
		$bare->id = 9;
		$this->assertNull($this->builder->readMovement($bare)['origin']);
	}

	/**
	 * Origins from current and older property names, with line ids.
	 *
	 * @return	void
	 */
	public function testOriginIsRead()
	{
		$facts = $this->builder->readMovement($this->movement(array('origin_type' => 'shipping', 'origin_id' => 1,
			'line_id_object_src' => '1', 'line_id_object_origin' => '3', 'origin' => new stdClass())));
		$expected = array('type' => 'shipping', 'id' => 1, 'line_id' => 1, 'origin_line_id' => 3);
		$this->assertSame($expected, $facts['origin']);

		$facts = $this->builder->readMovement($this->movement(array('origin_type' => '', 'origin_id' => 0,
			'origintype' => 'facture', 'fk_origin' => '12')));
		$this->assertSame(array('type' => 'facture', 'id' => 12, 'line_id' => null, 'origin_line_id' => null),
			$facts['origin']);
	}

	/**
	 * An external module's origin keeps its element@module form; bad characters are replaced.
	 *
	 * @return	void
	 */
	public function testExternalModuleOriginIsKept()
	{
		$movement = $this->movement(array('origin_type' => 'rental@rentalmod', 'origin_id' => '12'));
		$facts = $this->builder->readMovement($movement);
		$this->assertSame('rental@rentalmod', $facts['origin']['type']);

		$movement = $this->movement(array('origin_type' => 'my-rental@my.mod@x', 'origin_id' => 3));
		$facts = $this->builder->readMovement($movement);
		$this->assertSame('my_rental@my_mod_x', $facts['origin']['type']);
	}

	/**
	 * A "project" origin is the movement's project, as MouvementStock stores it.
	 *
	 * @return	void
	 */
	public function testProjectOriginBecomesProjectId()
	{
		$facts = $this->builder->readMovement($this->movement(array('origin_type' => 'project', 'origin_id' => 8)));
		$this->assertNull($facts['origin']);
		$this->assertSame(8, $facts['project_id']);
	}

	/**
	 * The event holds the facts, typed as the schema says.
	 *
	 * @return	void
	 */
	public function testEventContent()
	{
		$facts = $this->builder->readMovement($this->movement(array('batch' => 'LOT-1', 'inventorycode' => 'INV-1',
			'fk_project' => '4')));
		$event = $this->builder->build($facts, $this->context());

		$this->assertSame(array('event_id', 'schema_version', 'occurred_at', 'instance_id', 'entity', 'movement'),
			array_keys($event));
		$this->assertSame('6f0c1b9e-4f7a-4c1e-9d55-0d8f2a3b4c5d', $event['event_id']);
		$this->assertSame(1, $event['schema_version']);
		$this->assertSame('2026-12-04T15:28:35.500Z', $event['occurred_at']);
		$this->assertSame(array(
			'id' => 40,
			'type' => 0,
			'qty' => 3,
			'product' => array('id' => 7, 'ref' => 'P-7', 'label' => 'Seven'),
			'warehouse' => array('id' => 2, 'ref' => 'WH-A'),
			'batch' => 'LOT-1',
			'label' => 'Correction',
			'inventory_code' => 'INV-1',
			'origin' => null,
			'project_id' => 4,
			'user' => array('id' => 1, 'login' => 'admin'),
			'date' => '2026-12-04T15:28:35Z',
		), $event['movement']);
	}

	/**
	 * Unicode survives encoding unescaped; invalid bytes are replaced, long text cut.
	 *
	 * @return	void
	 */
	public function testTextIsValidUtf8WithinLimits()
	{
		$facts = $this->builder->readMovement($this->movement(array('label' => "R\xC3\xA9ception \xE2\x9C\x93 \xFF"
			.str_repeat('x', 300))));
		$event = $this->builder->build($facts, $this->context(array('product_label' => 'Écrou M6 – 日本')));
		$json = TicketStockEventBuilder::encode($event);

		$this->assertStringContainsString('Écrou M6 – 日本', $json);
		$this->assertSame(255, mb_strlen($event['movement']['label'], 'UTF-8'));
		$this->assertTrue(mb_check_encoding($event['movement']['label'], 'UTF-8'));
	}

	/**
	 * Missing refs, user or instance id raise instead of producing an invalid event.
	 *
	 * @return	void
	 */
	public function testMissingFactsAreRefused()
	{
		$facts = $this->builder->readMovement($this->movement());
		foreach (array(array('product_ref' => null), array('warehouse_ref' => ''), array('user_id' => 0),
			array('user_login' => ''), array('instance_id' => ''), array('event_id' => 'nope')) as $override) {
			try {
				$this->builder->build($facts, $this->context($override));
				$this->fail('accepted '.json_encode($override));
			} catch (TicketStockEventException $e) {
				$this->assertNotSame('', $e->getMessage());
			}
		}
	}

	/**
	 * The event date falls back to when the event was recorded.
	 *
	 * @return	void
	 */
	public function testMissingDateUsesRecordingTime()
	{
		$facts = $this->builder->readMovement($this->movement(array('datem' => '')));
		$event = $this->builder->build($facts, $this->context(array('occurred_at' => 1796398200.0)));
		$this->assertSame('2026-12-04T15:30:00Z', $event['movement']['date']);
		$this->assertSame('2026-12-04T15:30:00Z', $event['occurred_at']);
	}

	/**
	 * Event ids are random UUIDs of version 4.
	 *
	 * @return	void
	 */
	public function testNewEventIdIsUuid4()
	{
		$first = TicketStockEventBuilder::newEventId();
		$pattern = '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/';
		$this->assertMatchesRegularExpression($pattern, $first);
		$this->assertNotSame($first, TicketStockEventBuilder::newEventId());
	}
}
