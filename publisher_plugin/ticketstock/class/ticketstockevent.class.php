<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockevent.class.php
 * \ingroup ticketstock
 * \brief   Turns what the STOCK_MOVEMENT trigger receives into a stock-movement-event.v1.
 *
 * Dolibarr hands the trigger a MouvementStock whose property types depend on the code path that
 * made the movement (integers from the API, strings from the UI and from shipments, a Unix
 * timestamp for the date, the whole origin object in "origin" on shipments). Everything here
 * reads those properties defensively and emits only the types the schema allows.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';

/**
 * Reads movement facts, decides which movements become events, and builds the event.
 */
class TicketStockEventBuilder
{
	/** Version of schemas/stock-movement-event.v1.schema.json this builder writes. */
	const SCHEMA_VERSION = 1;

	/** Movement types that put stock into a warehouse: 0 manual input, 3 purchase/reception/return. */
	const INCREASE_TYPES = array(0, 3);

	/** Every movement type the schema knows. */
	const KNOWN_TYPES = array(0, 1, 2, 3);

	/** Largest quantity magnitude the schema accepts. */
	const MAX_QTY = 1000000000000;

	/** Decision: the movement becomes an event. */
	const ACCEPTED = 'accepted';

	/** Decision: no usable movement id (nothing was written). */
	const SKIP_NO_ID = 'no_movement_id';

	/** Decision: an output, a zero quantity or an unknown type. */
	const SKIP_NOT_INCREASE = 'not_an_increase';

	/** Decision: the warehouse is not watched in the current entity. */
	const SKIP_UNWATCHED = 'unwatched_warehouse';

	/**
	 * Read and normalise the facts of a movement from the object the trigger receives.
	 *
	 * @param	object	$movement	MouvementStock, or any object with its public properties
	 * @return	array{id: ?int, type: ?int, qty: int|float|null, product_id: ?int, warehouse_id: ?int,
	 *	batch: ?string, label: ?string, inventory_code: ?string, origin: ?array, project_id: ?int,
	 *	date: ?int}	Normalised facts; null where the object holds nothing usable
	 */
	public function readMovement($movement)
	{
		$warehouseId = self::positiveInt(self::prop($movement, 'warehouse_id'));
		if ($warehouseId === null) {
			$warehouseId = self::positiveInt(self::prop($movement, 'entrepot_id'));
		}
		$type = self::integer(self::prop($movement, 'type'));
		$projectId = self::positiveInt(self::prop($movement, 'fk_project'));
		if ($projectId === null) {
			$projectId = self::positiveInt(self::prop($movement, 'fk_projet'));
		}

		$origin = $this->readOrigin($movement);
		if ($origin !== null && $origin['type'] === 'project') {
			// MouvementStock::_create() files a "project" origin as the movement's project.
			if ($projectId === null) {
				$projectId = $origin['id'];
			}
			$origin = null;
		}

		return array(
			'id' => self::positiveInt(self::prop($movement, 'id')),
			'type' => ($type !== null && in_array($type, self::KNOWN_TYPES, true)) ? $type : null,
			'qty' => self::number(self::prop($movement, 'qty')),
			'product_id' => self::positiveInt(self::prop($movement, 'product_id')),
			'warehouse_id' => $warehouseId,
			'batch' => self::optionalText(self::prop($movement, 'batch'), 128),
			'label' => self::optionalText(self::prop($movement, 'label'), 255),
			'inventory_code' => self::optionalText(self::prop($movement, 'inventorycode'), 128),
			'origin' => $origin,
			'project_id' => $projectId,
			'date' => self::timestamp(self::prop($movement, 'datem')),
		);
	}

	/**
	 * Decide whether a movement becomes an event.
	 *
	 * Only stock increases (type 0 or 3 with a positive quantity) into a watched warehouse count.
	 *
	 * @param	array		$facts			Result of readMovement()
	 * @param	int[]		$watchedIds		Watched warehouse ids of the current entity
	 * @return	string						self::ACCEPTED or one of the self::SKIP_* reasons
	 */
	public function decide(array $facts, array $watchedIds)
	{
		if ($facts['id'] === null || $facts['product_id'] === null || $facts['warehouse_id'] === null) {
			return self::SKIP_NO_ID;
		}
		if (!in_array($facts['type'], self::INCREASE_TYPES, true) || $facts['qty'] === null || $facts['qty'] <= 0) {
			return self::SKIP_NOT_INCREASE;
		}
		if (!in_array($facts['warehouse_id'], array_map('intval', $watchedIds), true)) {
			return self::SKIP_UNWATCHED;
		}
		return self::ACCEPTED;
	}

	/**
	 * Build the event for an accepted movement.
	 *
	 * @param	array		$facts			Result of readMovement()
	 * @param	array		$context		Keys: event_id, instance_id, entity, occurred_at (float Unix time),
	 *										product_ref, product_label, warehouse_ref, user_id, user_login
	 * @return	array						The event, ready for json_encode()
	 * @throws	TicketStockEventException	When a fact the schema requires is missing or malformed
	 */
	public function build(array $facts, array $context)
	{
		$eventId = isset($context['event_id']) ? (string) $context['event_id'] : '';
		if (!preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i', $eventId)) {
			throw new TicketStockEventException('event id is not a UUID');
		}
		$instanceId = isset($context['instance_id']) ? (string) $context['instance_id'] : '';
		if (!preg_match('/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/', $instanceId)) {
			throw new TicketStockEventException('instance id is missing; disable and enable the module again');
		}
		$entity = self::positiveInt(isset($context['entity']) ? $context['entity'] : null);
		$userId = self::positiveInt(isset($context['user_id']) ? $context['user_id'] : null);
		$login = self::optionalText(isset($context['user_login']) ? $context['user_login'] : null, 50);
		$productRef = self::optionalText(isset($context['product_ref']) ? $context['product_ref'] : null, 128);
		$warehouseRef = self::optionalText(isset($context['warehouse_ref']) ? $context['warehouse_ref'] : null, 255);
		$productLabel = isset($context['product_label']) ? $context['product_label'] : null;

		$missing = array();
		foreach (array('id', 'type', 'qty', 'product_id', 'warehouse_id') as $key) {
			if ($facts[$key] === null) {
				$missing[] = 'movement '.$key;
			}
		}
		foreach (array('entity' => $entity, 'user id' => $userId, 'user login' => $login,
			'product ref' => $productRef, 'warehouse ref' => $warehouseRef) as $name => $value) {
			if ($value === null) {
				$missing[] = $name;
			}
		}
		if ($missing) {
			throw new TicketStockEventException('missing '.implode(', ', $missing));
		}
		if ($facts['qty'] == 0 || abs($facts['qty']) > self::MAX_QTY) {
			throw new TicketStockEventException('quantity '.$facts['qty'].' is out of range');
		}

		$occurredAt = isset($context['occurred_at']) ? (float) $context['occurred_at'] : microtime(true);
		$date = $facts['date'] !== null ? $facts['date'] : (int) floor($occurredAt);

		return array(
			'event_id' => strtolower($eventId),
			'schema_version' => self::SCHEMA_VERSION,
			'occurred_at' => self::formatTime($occurredAt),
			'instance_id' => $instanceId,
			'entity' => $entity,
			'movement' => array(
				'id' => $facts['id'],
				'type' => $facts['type'],
				'qty' => $facts['qty'],
				'product' => array(
					'id' => $facts['product_id'],
					'ref' => $productRef,
					'label' => self::optionalText($productLabel, 255),
				),
				'warehouse' => array(
					'id' => $facts['warehouse_id'],
					'ref' => $warehouseRef,
				),
				'batch' => $facts['batch'],
				'label' => $facts['label'],
				'inventory_code' => $facts['inventory_code'],
				'origin' => $facts['origin'],
				'project_id' => $facts['project_id'],
				'user' => array('id' => $userId, 'login' => $login),
				'date' => self::formatTime($date),
			),
		);
	}

	/**
	 * Encode an event as the JSON body of its message.
	 *
	 * @param	array	$event	Result of build()
	 * @return	string			UTF-8 JSON, one line
	 */
	public static function encode(array $event)
	{
		return json_encode($event, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
	}

	/**
	 * A new random event id (UUID version 4).
	 *
	 * @return	string
	 */
	public static function newEventId()
	{
		$bytes = random_bytes(16);
		$bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
		$bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
		$hex = bin2hex($bytes);
		return substr($hex, 0, 8).'-'.substr($hex, 8, 4).'-'.substr($hex, 12, 4).'-'
			.substr($hex, 16, 4).'-'.substr($hex, 20, 12);
	}

	/**
	 * Format a Unix time as RFC 3339 in UTC, with milliseconds when the time has a fraction.
	 *
	 * @param	int|float	$time	Unix time
	 * @return	string
	 */
	public static function formatTime($time)
	{
		$seconds = (int) floor($time);
		$millis = (int) round(($time - $seconds) * 1000);
		if ($millis >= 1000) {
			$seconds++;
			$millis = 0;
		}
		$text = gmdate('Y-m-d\TH:i:s', $seconds);
		return ($millis > 0 ? $text.sprintf('.%03d', $millis) : $text).'Z';
	}

	/**
	 * Read the origin document of a movement.
	 *
	 * Current code fills origin_type/origin_id, older code origintype/fk_origin; "origin" itself
	 * may hold the origin object, which is ignored here.
	 *
	 * @param	object		$movement	MouvementStock
	 * @return	?array					{type, id, line_id, origin_line_id} or null for no origin
	 */
	private function readOrigin($movement)
	{
		$type = '';
		foreach (array('origin_type', 'origintype') as $name) {
			$value = self::prop($movement, $name);
			if (is_string($value) && trim($value) !== '') {
				$type = self::originType($value);
				break;
			}
		}
		$id = self::positiveInt(self::prop($movement, 'origin_id'));
		if ($id === null) {
			$id = self::positiveInt(self::prop($movement, 'fk_origin'));
		}
		if ($type === '' || $id === null) {
			return null;
		}
		return array(
			'type' => $type,
			'id' => $id,
			'line_id' => self::positiveInt(self::prop($movement, 'line_id_object_src')),
			'origin_line_id' => self::positiveInt(self::prop($movement, 'line_id_object_origin')),
		);
	}

	/**
	 * Reduce an origin type to the schema's element[@module] form.
	 *
	 * @param	string	$value	Raw origin type, e.g. "shipping" or "rental@rentalmod"
	 * @return	string			Cleaned type, '' when nothing usable is left
	 */
	private static function originType($value)
	{
		$parts = explode('@', trim($value), 2);
		$element = substr(preg_replace('/[^A-Za-z0-9_]/', '_', $parts[0]), 0, 64);
		if ($element === '') {
			return '';
		}
		if (isset($parts[1])) {
			$module = preg_replace('/[^A-Za-z0-9_]/', '_', $parts[1]);
			if ($module !== '') {
				return substr($element.'@'.$module, 0, 64);
			}
		}
		return $element;
	}

	/**
	 * Read a property without warnings when it is absent.
	 *
	 * @param	object	$object		Any object
	 * @param	string	$name		Property name
	 * @return	mixed				Its value, null when absent
	 */
	private static function prop($object, $name)
	{
		return (is_object($object) && isset($object->$name)) ? $object->$name : null;
	}

	/**
	 * An integer from an int, an integral float or a string of digits.
	 *
	 * @param	mixed	$value	Raw value
	 * @return	?int
	 */
	private static function integer($value)
	{
		if (is_int($value)) {
			return $value;
		}
		if (is_float($value) && is_finite($value) && floor($value) == $value && abs($value) < 9007199254740992) {
			return (int) $value;
		}
		if (is_string($value) && preg_match('/^\s*-?\d{1,18}\s*$/', $value)) {
			return (int) $value;
		}
		return null;
	}

	/**
	 * A strictly positive integer, or null (Dolibarr writes 0 or '' for "none").
	 *
	 * @param	mixed	$value	Raw value
	 * @return	?int
	 */
	private static function positiveInt($value)
	{
		$int = self::integer($value);
		return ($int !== null && $int > 0) ? $int : null;
	}

	/**
	 * A JSON number from an int, a float or a numeric string; integral values become ints.
	 *
	 * @param	mixed	$value	Raw value, e.g. 4, "2", "2.50000000", -3.0
	 * @return	int|float|null
	 */
	private static function number($value)
	{
		if (is_bool($value) || $value === null || !is_numeric($value)) {
			return null;
		}
		$float = (float) $value;
		if (!is_finite($float)) {
			return null;
		}
		if (floor($float) == $float && abs($float) < 9007199254740992) {
			return (int) $float;
		}
		return $float;
	}

	/**
	 * A string of at most $max characters, null for empty or non-text values.
	 *
	 * Invalid UTF-8 bytes are replaced so that the event always encodes.
	 *
	 * @param	mixed	$value	Raw value
	 * @param	int		$max	Maximum length in characters
	 * @return	?string
	 */
	private static function optionalText($value, $max)
	{
		if (is_int($value) || is_float($value)) {
			$value = (string) $value;
		}
		if (!is_string($value) || $value === '') {
			return null;
		}
		$value = mb_convert_encoding($value, 'UTF-8', 'UTF-8');
		return mb_substr($value, 0, $max, 'UTF-8');
	}

	/**
	 * A Unix timestamp from a timestamp or a date string; null when absent.
	 *
	 * @param	mixed	$value	Raw datem: int, numeric string or "YYYY-MM-DD HH:MM:SS"
	 * @return	?int
	 */
	private static function timestamp($value)
	{
		$int = self::integer($value);
		if ($int !== null) {
			return $int > 0 ? $int : null;
		}
		if (is_string($value) && trim($value) !== '') {
			$time = strtotime($value);
			return $time === false ? null : $time;
		}
		return null;
	}
}
