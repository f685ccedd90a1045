<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockticketrequest.class.php
 * \ingroup ticketstock
 * \brief   Validates the body of POST /ticketstock/tickets against ticket-create-request.v1.
 *
 * The schema's rules, written out by hand: Dolibarr ships no JSON Schema validator.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';

/**
 * A validated ticket creation request.
 */
class TicketStockTicketRequest
{
	/** Fields of ticket-create-request.v1, all required. */
	const FIELDS = array('track_id', 'movement_id', 'subject', 'message', 'type_code', 'severity_code',
		'category_code', 'fk_user_assign', 'contact_ids');

	/** Most contacts one request may add. */
	const MAX_CONTACTS = 500;

	/** @var string */
	public $trackId;

	/** @var int */
	public $movementId;

	/** @var string */
	public $subject;

	/** @var string */
	public $message;

	/** @var string */
	public $typeCode;

	/** @var string */
	public $severityCode;

	/** @var string */
	public $categoryCode;

	/** @var ?int */
	public $assigneeId;

	/** @var int[] */
	public $contactIds;

	/**
	 * Validate a decoded JSON body.
	 *
	 * @param	mixed	$body	Decoded body (an associative array for a JSON object)
	 * @return	TicketStockTicketRequest
	 * @throws	TicketStockRequestException		With the first rule the body breaks
	 */
	public static function fromArray($body)
	{
		if (!is_array($body) || ($body !== array() && array_keys($body) === range(0, count($body) - 1))) {
			throw new TicketStockRequestException('the body must be a JSON object');
		}
		foreach (array_keys($body) as $key) {
			if (!in_array($key, self::FIELDS, true)) {
				throw new TicketStockRequestException('unknown field '.$key);
			}
		}
		foreach (self::FIELDS as $key) {
			if (!array_key_exists($key, $body)) {
				throw new TicketStockRequestException('missing field '.$key);
			}
		}

		$request = new self();
		$request->trackId = self::string($body, 'track_id', 16, 128);
		if (!preg_match('/^[A-Za-z0-9_-]+$/', $request->trackId)) {
			throw new TicketStockRequestException('track_id may only hold letters, digits, "_" and "-"');
		}
		$request->movementId = self::id($body, 'movement_id');
		$request->subject = self::string($body, 'subject', 1, 255);
		$request->message = self::string($body, 'message', 1, 65000);
		$request->typeCode = self::string($body, 'type_code', 0, 32);
		$request->severityCode = self::string($body, 'severity_code', 0, 32);
		$request->categoryCode = self::string($body, 'category_code', 0, 32);
		$request->assigneeId = $body['fk_user_assign'] === null ? null : self::id($body, 'fk_user_assign');
		$request->contactIds = self::ids($body, 'contact_ids');
		return $request;
	}

	/**
	 * A string field within length bounds, counted in characters.
	 *
	 * @param	array	$body	Request body
	 * @param	string	$key	Field
	 * @param	int		$min	Minimum length
	 * @param	int		$max	Maximum length
	 * @return	string
	 * @throws	TicketStockRequestException
	 */
	private static function string(array $body, $key, $min, $max)
	{
		$value = $body[$key];
		if (!is_string($value)) {
			throw new TicketStockRequestException($key.' must be a string');
		}
		if (!mb_check_encoding($value, 'UTF-8')) {
			throw new TicketStockRequestException($key.' is not valid UTF-8');
		}
		$length = mb_strlen($value, 'UTF-8');
		if ($length < $min || $length > $max) {
			throw new TicketStockRequestException(sprintf('%s must have %d to %d characters', $key, $min, $max));
		}
		return $value;
	}

	/**
	 * A positive integer field (JSON integers, including 5.0).
	 *
	 * @param	array	$body	Request body
	 * @param	string	$key	Field
	 * @return	int
	 * @throws	TicketStockRequestException
	 */
	private static function id(array $body, $key)
	{
		$value = self::integer($body[$key]);
		if ($value === null || $value < 1) {
			throw new TicketStockRequestException($key.' must be an integer of at least 1');
		}
		return $value;
	}

	/**
	 * A list of distinct positive integers.
	 *
	 * @param	array	$body	Request body
	 * @param	string	$key	Field
	 * @return	int[]
	 * @throws	TicketStockRequestException
	 */
	private static function ids(array $body, $key)
	{
		$value = $body[$key];
		if (!is_array($value) || ($value !== array() && array_keys($value) !== range(0, count($value) - 1))) {
			throw new TicketStockRequestException($key.' must be an array');
		}
		if (count($value) > self::MAX_CONTACTS) {
			throw new TicketStockRequestException($key.' may hold at most '.self::MAX_CONTACTS.' ids');
		}
		$ids = array();
		foreach ($value as $item) {
			$id = self::integer($item);
			if ($id === null || $id < 1) {
				throw new TicketStockRequestException($key.' must only hold integers of at least 1');
			}
			if (in_array($id, $ids, true)) {
				throw new TicketStockRequestException($key.' must not repeat an id');
			}
			$ids[] = $id;
		}
		return $ids;
	}

	/**
	 * An integer from a JSON number without fraction; null for anything else (strings included).
	 *
	 * @param	mixed	$value	Decoded JSON value
	 * @return	?int
	 */
	private static function integer($value)
	{
		if (is_int($value)) {
			return $value;
		}
		if (is_float($value) && is_finite($value) && floor($value) == $value && abs($value) < 2147483648) {
			return (int) $value;
		}
		return null;
	}
}
