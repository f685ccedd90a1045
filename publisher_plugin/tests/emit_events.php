<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/emit_events.php
 * \brief   Prints, one per line, the events the module builds from recorded and edge-case movements.
 *
 * The Python side validates each line against schemas/stock-movement-event.v1.schema.json
 * (tests/contract/test_php_events.py): one contract, two languages.
 *
 * Usage: php publisher_plugin/tests/emit_events.php
 * Recorded payloads come from ../shared/dolibarr-api-samples next to the repository (or
 * TICKETSTOCK_SAMPLES_DIR); stderr says how many were found. Edge cases use movement ids from
 * 900001 up, with the same context as the recordings (entity 1, user admin).
 */

require_once __DIR__.'/stubs/dolibarr.php';
require_once __DIR__.'/support/RecordedMovements.php';
require_once __DIR__.'/../ticketstock/class/ticketstockevent.class.php';

/**
 * Edge cases the recordings do not cover, as movement properties and context overrides.
 *
 * @return	array<string, array{0: array, 1: array}>
 */
function ticketstockEdgeCases()
{
	$base = array('product_id' => 3, 'warehouse_id' => 2, 'qty' => 1, 'type' => 0, 'datem' => 1796398115,
		'label' => 'Edge case', 'inventorycode' => '', 'batch' => '');
	return array(
		'unicode labels' => array(
			array_merge($base, array('id' => 900001, 'label' => 'Retour « Été » — 折りたたみ椅子 🪑')),
			array('product_label' => 'Chaise pliante « Été » — 折りたたみ椅子 🪑', 'product_ref' => 'CHAISE-É'),
		),
		'decimal qty as string' => array(
			array_merge($base, array('id' => 900002, 'qty' => '2.37500000', 'type' => '3')),
			array(),
		),
		'decimal qty as float' => array(array_merge($base, array('id' => 900003, 'qty' => 0.125)), array()),
		'missing origin properties' => array(
			array('id' => 900004, 'product_id' => '3', 'entrepot_id' => '2', 'qty' => '4', 'type' => 3,
				'datem' => '1796398115'),
			array(),
		),
		'external module origin' => array(array_merge($base, array('id' => 900005, 'type' => 3,
			'origin_type' => 'rental@rentalmod', 'origin_id' => '12', 'line_id_object_src' => '7',
			'line_id_object_origin' => 0)), array()),
		'older origin names and project' => array(array_merge($base, array('id' => 900006, 'origintype' => 'facture',
			'fk_origin' => '31', 'fk_projet' => '5')), array()),
		'project origin' => array(
			array_merge($base, array('id' => 900007, 'origin_type' => 'project', 'origin_id' => 9)),
			array(),
		),
		'long and broken text' => array(
			array_merge($base, array('id' => 900008, 'label' => "Lot \xFF".str_repeat('é', 300),
				'batch' => str_repeat('S', 200), 'inventorycode' => 'INV-'.str_repeat('9', 200))),
			array(),
		),
		'large negative output' => array(array_merge($base, array('id' => 900009, 'type' => 1, 'qty' => '-999999.5')),
			array()),
	);
}

$builder = new TicketStockEventBuilder();
$printed = 0;

$recorded = RecordedMovements::available() ? RecordedMovements::all() : array();
foreach ($recorded as $case) {
	$facts = $builder->readMovement($case['movement']);
	$event = $builder->build($facts, RecordedMovements::context($facts, $case['name']));
	print TicketStockEventBuilder::encode($event)."\n";
	$printed++;
}
fwrite(STDERR, sprintf("recorded payloads: %d from %s\n", count($recorded), RecordedMovements::directory()));

foreach (ticketstockEdgeCases() as $name => $case) {
	$facts = $builder->readMovement(RecordedMovements::movement($case[0]));
	$context = array_merge(RecordedMovements::context($facts, $name), array('product_ref' => 'RET-KIT-C1',
		'warehouse_ref' => 'WH-RET-A'), $case[1]);
	print TicketStockEventBuilder::encode($builder->build($facts, $context))."\n";
	$printed++;
}
fwrite(STDERR, sprintf("events printed: %d\n", $printed));
