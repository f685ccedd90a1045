<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstocksettings.class.php
 * \ingroup ticketstock
 * \brief   The module's settings of one entity, read once from Dolibarr's constants.
 *
 * Every setting is a constant of the entity (llx_const), written by admin/setup.php with
 * dolibarr_set_const(..., $conf->entity); only TICKETSTOCK_INSTANCE_ID belongs to entity 0.
 */

/**
 * Typed view of the TICKETSTOCK_* constants.
 */
class TicketStockSettings
{
	/** Contact roles the contract allows for group members. */
	const CONTACT_ROLES = array('CONTRIBUTOR', 'SUPPORTTEC');

	/** Default exchange, as in schemas/README.md. */
	const DEFAULT_EXCHANGE = 'ticketstock.events';

	/** Default subject template. */
	const DEFAULT_SUBJECT = 'Stock received: __TICKETSTOCK_QTY__ x __TICKETSTOCK_PRODUCT_REF__'
		.' in __TICKETSTOCK_WAREHOUSE_REF__';

	/** Default content template. */
	const DEFAULT_CONTENT = "__TICKETSTOCK_QTY__ x __TICKETSTOCK_PRODUCT_REF__ (__TICKETSTOCK_PRODUCT_LABEL__) "
		."entered warehouse __TICKETSTOCK_WAREHOUSE_REF__ (__TICKETSTOCK_WAREHOUSE_LABEL__) on __TICKETSTOCK_DATE__.\n"
		."Movement __TICKETSTOCK_MOVEMENT_ID__: __TICKETSTOCK_MOVEMENT_LABEL__\n"
		."Lot/serial: __TICKETSTOCK_BATCH__\nOrigin: __TICKETSTOCK_ORIGIN__\nBy: __TICKETSTOCK_USER__\n"
		."Ticket: __TICKETSTOCK_TICKET_URL__";

	/** @var callable(string, string): string */
	private $read;

	/**
	 * Create the view.
	 *
	 * @param	callable	$read	function (string $name, string $default): string
	 */
	public function __construct($read)
	{
		$this->read = $read;
	}

	/**
	 * Settings of the current entity, through Dolibarr's getDolGlobalString().
	 *
	 * @return	TicketStockSettings
	 */
	public static function fromConf()
	{
		return new self(
			/**
			 * Read one constant of the current entity.
			 *
			 * @param	string	$name		Constant name
			 * @param	string	$default	Value when unset
			 * @return	string
			 */
			function ($name, $default) {
				return getDolGlobalString($name, $default);
			}
		);
	}

	/**
	 * Parse a list of ids written as "3,5, 8".
	 *
	 * @param	string	$text	Comma separated ids
	 * @return	int[]			Unique positive ids, in the order given
	 */
	public static function parseIds($text)
	{
		$ids = array();
		foreach (explode(',', (string) $text) as $part) {
			$part = trim($part);
			if (preg_match('/^[1-9][0-9]{0,9}$/', $part) && !in_array((int) $part, $ids, true)) {
				$ids[] = (int) $part;
			}
		}
		return $ids;
	}

	/**
	 * Id of this Dolibarr installation, generated when the module was first enabled.
	 *
	 * @return	string
	 */
	public function instanceId()
	{
		return $this->get('TICKETSTOCK_INSTANCE_ID', '');
	}

	/**
	 * Watched warehouses.
	 *
	 * @return	int[]
	 */
	public function warehouseIds()
	{
		return self::parseIds($this->get('TICKETSTOCK_WAREHOUSES', ''));
	}

	/**
	 * User assigned to new tickets.
	 *
	 * @return	?int
	 */
	public function assigneeId()
	{
		return $this->positive('TICKETSTOCK_ASSIGNEE');
	}

	/**
	 * User group whose active members become the ticket's contacts.
	 *
	 * @return	?int
	 */
	public function groupId()
	{
		return $this->positive('TICKETSTOCK_CONTACT_GROUP');
	}

	/**
	 * Internal contact type code given to group members.
	 *
	 * @return	string		CONTRIBUTOR or SUPPORTTEC
	 */
	public function contactRole()
	{
		$role = $this->get('TICKETSTOCK_CONTACT_ROLE', 'CONTRIBUTOR');
		return in_array($role, self::CONTACT_ROLES, true) ? $role : 'CONTRIBUTOR';
	}

	/**
	 * Ticket type, severity and category codes from Dolibarr's dictionaries.
	 *
	 * @return	array{type: string, severity: string, category: string}
	 */
	public function ticketCodes()
	{
		return array(
			'type' => $this->get('TICKETSTOCK_TICKET_TYPE', ''),
			'severity' => $this->get('TICKETSTOCK_TICKET_SEVERITY', ''),
			'category' => $this->get('TICKETSTOCK_TICKET_CATEGORY', ''),
		);
	}

	/**
	 * Subject template.
	 *
	 * @return	string
	 */
	public function subject()
	{
		return $this->get('TICKETSTOCK_SUBJECT', self::DEFAULT_SUBJECT);
	}

	/**
	 * Content template.
	 *
	 * @return	string
	 */
	public function content()
	{
		return $this->get('TICKETSTOCK_CONTENT', self::DEFAULT_CONTENT);
	}

	/**
	 * Whether Dolibarr still mails TICKET_NOTIFICATION_EMAIL_TO when a ticket is created.
	 *
	 * @return	bool
	 */
	public function keepAdminNotification()
	{
		return $this->get('TICKETSTOCK_KEEP_ADMIN_NOTIFICATION', '0') === '1';
	}

	/**
	 * Broker connection.
	 *
	 * @return	array{host: string, port: int, vhost: string, login: string, password: string, tls: bool,
	 *	ca_file: string, verify_peer: bool, exchange: string, timeout: float}
	 */
	public function broker()
	{
		$port = (int) $this->get('TICKETSTOCK_BROKER_PORT', '5672');
		$timeout = (float) str_replace(',', '.', $this->get('TICKETSTOCK_BROKER_TIMEOUT', '1'));
		$password = $this->get('TICKETSTOCK_BROKER_PASSWORD', '');
		if (function_exists('dolDecrypt')) {
			$password = dolDecrypt($password);
		}
		return array(
			'host' => trim($this->get('TICKETSTOCK_BROKER_HOST', '127.0.0.1')),
			'port' => ($port > 0 && $port < 65536) ? $port : 5672,
			'vhost' => $this->get('TICKETSTOCK_BROKER_VHOST', '/'),
			'login' => $this->get('TICKETSTOCK_BROKER_LOGIN', 'guest'),
			'password' => $password,
			'tls' => $this->get('TICKETSTOCK_BROKER_TLS', '0') === '1',
			'ca_file' => $this->get('TICKETSTOCK_BROKER_CA_FILE', ''),
			'verify_peer' => $this->get('TICKETSTOCK_BROKER_VERIFY_PEER', '1') === '1',
			'exchange' => trim($this->get('TICKETSTOCK_BROKER_EXCHANGE', self::DEFAULT_EXCHANGE)),
			'timeout' => ($timeout > 0 && $timeout <= 30) ? $timeout : 1.0,
		);
	}

	/**
	 * Seconds request-time publishing pauses after the broker failed.
	 *
	 * @return	int
	 */
	public function pauseSeconds()
	{
		$seconds = (int) $this->get('TICKETSTOCK_BROKER_PAUSE', '60');
		return $seconds >= 0 ? $seconds : 60;
	}

	/**
	 * Whether request-time publishing first probes the broker with a plain socket.
	 *
	 * @return	bool
	 */
	public function probeBroker()
	{
		return $this->get('TICKETSTOCK_BROKER_PROBE', '1') === '1';
	}

	/**
	 * Days sent and discarded outbox rows are kept.
	 *
	 * @return	int
	 */
	public function purgeDays()
	{
		$days = (int) $this->get('TICKETSTOCK_PURGE_DAYS', '30');
		return $days >= 1 ? $days : 30;
	}

	/**
	 * Whether this entity is configured enough for the consumer to act on its events.
	 *
	 * @return	bool
	 */
	public function isComplete()
	{
		$codes = $this->ticketCodes();
		return count($this->warehouseIds()) > 0 && $codes['type'] !== '' && $codes['severity'] !== ''
			&& $codes['category'] !== '' && trim($this->subject()) !== '' && trim($this->content()) !== '';
	}

	/**
	 * Read a constant.
	 *
	 * @param	string	$name		Constant name
	 * @param	string	$default	Value when unset
	 * @return	string
	 */
	private function get($name, $default)
	{
		return (string) call_user_func($this->read, $name, $default);
	}

	/**
	 * Read a constant holding a positive id.
	 *
	 * @param	string	$name	Constant name
	 * @return	?int
	 */
	private function positive($name)
	{
		$value = (int) $this->get($name, '0');
		return $value > 0 ? $value : null;
	}
}
