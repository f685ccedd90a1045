<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/support/RecordedMovements.php
 * \brief   What the STOCK_MOVEMENT trigger really received on Dolibarr 23, as test fixtures.
 *
 * The recordings (trigger_stock_movement_*.json) live outside the repository, in
 * ../shared/dolibarr-api-samples relative to the repository root, or in the directory named by
 * TICKETSTOCK_SAMPLES_DIR. Each payload's "object" becomes a MouvementStock stand-in with the
 * exact values and types Dolibarr gave; refs come from the database rows recorded alongside.
 */

/**
 * Loads recorded trigger payloads.
 */
final class RecordedMovements
{
	/** User every recording was made with (fk_user_author 1 in the recorded rows). */
	const USER = array('id' => 1, 'login' => 'admin');

	/**
	 * Directory of the recordings.
	 *
	 * @return	string
	 */
	public static function directory()
	{
		$fromEnv = getenv('TICKETSTOCK_SAMPLES_DIR');
		if (is_string($fromEnv) && $fromEnv !== '') {
			return $fromEnv;
		}
		return dirname(__DIR__, 4).'/shared/dolibarr-api-samples';
	}

	/**
	 * Whether the recordings are there.
	 *
	 * @return	bool
	 */
	public static function available()
	{
		return count(glob(self::directory().'/trigger_stock_movement_*.json') ?: array()) > 0;
	}

	/**
	 * Every recorded payload.
	 *
	 * @return	array[]		{name, file, index, movement (MouvementStock), raw (array)}
	 */
	public static function all()
	{
		$cases = array();
		foreach (glob(self::directory().'/trigger_stock_movement_*.json') as $file) {
			$data = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
			foreach ($data['payloads'] as $index => $payload) {
				$cases[] = array(
					'name' => basename($file, '.json').'#'.$index,
					'file' => basename($file),
					'index' => $index,
					'movement' => self::movement($payload['object']),
					'raw' => $payload['object'],
				);
			}
		}
		return $cases;
	}

	/**
	 * Product and warehouse refs found in the recorded database rows.
	 *
	 * @return	array{products: array<int, string>, warehouses: array<int, string>}
	 */
	public static function refs()
	{
		$refs = array('products' => array(), 'warehouses' => array());
		foreach (glob(self::directory().'/trigger_stock_movement_*.json') as $file) {
			self::collectRefs(json_decode((string) file_get_contents($file), true), $refs);
		}
		return $refs;
	}

	/**
	 * A MouvementStock stand-in holding a payload's object.
	 *
	 * Only the properties the stand-in declares are copied: the others (CommonObject's) are
	 * never read by the module.
	 *
	 * @param	array	$object		Recorded object
	 * @return	MouvementStock
	 */
	public static function movement(array $object)
	{
		$movement = new MouvementStock(null);
		foreach ($object as $name => $value) {
			if (property_exists($movement, $name)) {
				$movement->$name = $value;
			}
		}
		return $movement;
	}

	/**
	 * A deterministic UUID (version 4 layout) for a name, so runs are comparable.
	 *
	 * @param	string	$name	Any text
	 * @return	string
	 */
	public static function uuidFor($name)
	{
		$hex = md5($name);
		$hex[12] = '4';
		$hex[16] = dechex((hexdec($hex[16]) & 0x3) | 0x8);
		return substr($hex, 0, 8).'-'.substr($hex, 8, 4).'-'.substr($hex, 12, 4).'-'.substr($hex, 16, 4).'-'
			.substr($hex, 20, 12);
	}

	/**
	 * The context build() needs for a recorded movement.
	 *
	 * @param	array	$facts	Result of readMovement()
	 * @param	string	$name	Case name
	 * @return	array
	 */
	public static function context(array $facts, $name)
	{
		static $refs = null;
		if ($refs === null) {
			$refs = self::refs();
		}
		return array(
			'event_id' => self::uuidFor($name),
			'instance_id' => 'test-instance',
			'entity' => 1,
			'occurred_at' => ($facts['date'] ?: 1796398000) + 0.25,
			'product_ref' => isset($refs['products'][$facts['product_id']])
				? $refs['products'][$facts['product_id']] : null,
			'product_label' => null,
			'warehouse_ref' => isset($refs['warehouses'][$facts['warehouse_id']])
				? $refs['warehouses'][$facts['warehouse_id']] : null,
			'user_id' => self::USER['id'],
			'user_login' => self::USER['login'],
		);
	}

	/**
	 * Walk recorded data for rows naming a product or a warehouse with its ref.
	 *
	 * @param	mixed	$node	JSON node
	 * @param	array	$refs	Refs found so far
	 * @return	void
	 */
	private static function collectRefs($node, array &$refs)
	{
		if (!is_array($node)) {
			return;
		}
		if (isset($node['fk_product'], $node['product_ref'])) {
			$refs['products'][(int) $node['fk_product']] = (string) $node['product_ref'];
		}
		if (isset($node['fk_entrepot'], $node['warehouse_ref'])) {
			$refs['warehouses'][(int) $node['fk_entrepot']] = (string) $node['warehouse_ref'];
		}
		foreach ($node as $child) {
			self::collectRefs($child, $refs);
		}
	}
}
