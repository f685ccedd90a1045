<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstocksetupform.class.php
 * \ingroup ticketstock
 * \brief   Checks what the setup page posts and turns it into constants to write.
 */

require_once __DIR__.'/ticketstocksettings.class.php';

/**
 * Validation of the setup form.
 */
class TicketStockSetupForm
{
	/** Exchange names RabbitMQ accepts. */
	const EXCHANGE_PATTERN = '/^[A-Za-z0-9._:-]{1,255}$/';

	/**
	 * Check the posted values.
	 *
	 * The broker password is not part of this: it is only written when a new one is typed.
	 *
	 * @param	array	$posted		Field => raw posted value (warehouses: array of ids)
	 * @param	array	$known		warehouses (int[]), users (int[]), groups (int[]), type, severity,
	 *								category (string[] of codes)
	 * @return	array{0: array<string, string>, 1: string[]}	Constants to write, and the errors;
	 *								constants are only returned when there is no error
	 */
	public static function validate(array $posted, array $known)
	{
		$errors = array();
		$values = array();

		$warehouses = array();
		foreach ((array) self::field($posted, 'warehouses', array()) as $id) {
			$id = (int) $id;
			if (!in_array($id, $known['warehouses'], true)) {
				$errors[] = 'unknown warehouse '.$id;
			} elseif (!in_array($id, $warehouses, true)) {
				$warehouses[] = $id;
			}
		}
		$values['TICKETSTOCK_WAREHOUSES'] = implode(',', $warehouses);

		$values['TICKETSTOCK_ASSIGNEE'] = self::optionalId($posted, 'assignee', $known['users'], 'user', $errors);
		$values['TICKETSTOCK_CONTACT_GROUP'] = self::optionalId($posted, 'contact_group', $known['groups'], 'group',
			$errors);

		$role = (string) self::field($posted, 'contact_role', 'CONTRIBUTOR');
		if (!in_array($role, TicketStockSettings::CONTACT_ROLES, true)) {
			$errors[] = 'unknown contact role '.$role;
		}
		$values['TICKETSTOCK_CONTACT_ROLE'] = $role;

		foreach (array('type' => 'TICKETSTOCK_TICKET_TYPE', 'severity' => 'TICKETSTOCK_TICKET_SEVERITY',
			'category' => 'TICKETSTOCK_TICKET_CATEGORY') as $dictionary => $constant) {
			$code = trim((string) self::field($posted, 'ticket_'.$dictionary, ''));
			if ($code === '-1') {
				// The empty choice of Dolibarr's select lists.
				$code = '';
			}
			if ($code !== '' && !in_array($code, $known[$dictionary], true)) {
				$errors[] = 'unknown ticket '.$dictionary.' '.$code;
			}
			$values[$constant] = $code;
		}

		$subject = trim((string) self::field($posted, 'subject', ''));
		$content = trim((string) self::field($posted, 'content', ''));
		if ($subject === '' || mb_strlen($subject, 'UTF-8') > 255) {
			$errors[] = 'the subject must have 1 to 255 characters';
		}
		if ($content === '' || mb_strlen($content, 'UTF-8') > 65000) {
			$errors[] = 'the content must have 1 to 65000 characters';
		}
		$values['TICKETSTOCK_SUBJECT'] = $subject;
		$values['TICKETSTOCK_CONTENT'] = $content;
		$values['TICKETSTOCK_KEEP_ADMIN_NOTIFICATION'] = self::flag($posted, 'keep_admin_notification');

		$host = trim((string) self::field($posted, 'broker_host', ''));
		if ($host === '' || !preg_match('/^[A-Za-z0-9.:_\[\]-]{1,253}$/', $host)) {
			$errors[] = 'the broker host must be a host name or an IP address';
		}
		$values['TICKETSTOCK_BROKER_HOST'] = $host;
		$values['TICKETSTOCK_BROKER_PORT'] = self::integer($posted, 'broker_port', 1, 65535, 'the broker port',
			$errors);
		$vhost = (string) self::field($posted, 'broker_vhost', '/');
		$values['TICKETSTOCK_BROKER_VHOST'] = $vhost === '' ? '/' : $vhost;
		$values['TICKETSTOCK_BROKER_LOGIN'] = trim((string) self::field($posted, 'broker_login', ''));
		$values['TICKETSTOCK_BROKER_TLS'] = self::flag($posted, 'broker_tls');
		$values['TICKETSTOCK_BROKER_CA_FILE'] = trim((string) self::field($posted, 'broker_ca_file', ''));
		$values['TICKETSTOCK_BROKER_VERIFY_PEER'] = self::flag($posted, 'broker_verify_peer');
		$exchange = trim((string) self::field($posted, 'broker_exchange', ''));
		if (!preg_match(self::EXCHANGE_PATTERN, $exchange)) {
			$errors[] = 'the exchange name may only hold letters, digits and . _ : -';
		}
		$values['TICKETSTOCK_BROKER_EXCHANGE'] = $exchange;

		$timeout = str_replace(',', '.', trim((string) self::field($posted, 'broker_timeout', '1')));
		if (!is_numeric($timeout) || (float) $timeout < 0.1 || (float) $timeout > 30) {
			$errors[] = 'the broker timeout must be between 0.1 and 30 seconds';
		}
		$values['TICKETSTOCK_BROKER_TIMEOUT'] = $timeout;
		$values['TICKETSTOCK_BROKER_PAUSE'] = self::integer($posted, 'broker_pause', 0, 86400, 'the pause', $errors);
		$values['TICKETSTOCK_BROKER_PROBE'] = self::flag($posted, 'broker_probe');
		$values['TICKETSTOCK_PURGE_DAYS'] = self::integer($posted, 'purge_days', 1, 3650, 'the retention', $errors);

		return array($errors ? array() : $values, $errors);
	}

	/**
	 * A posted value, or a default.
	 *
	 * @param	array	$posted		Posted values
	 * @param	string	$key		Field
	 * @param	mixed	$default	When absent
	 * @return	mixed
	 */
	private static function field(array $posted, $key, $default)
	{
		return array_key_exists($key, $posted) && $posted[$key] !== null ? $posted[$key] : $default;
	}

	/**
	 * A yes/no field as '1' or '0'.
	 *
	 * @param	array	$posted		Posted values
	 * @param	string	$key		Field
	 * @return	string
	 */
	private static function flag(array $posted, $key)
	{
		return in_array((string) self::field($posted, $key, '0'), array('1', 'yes', 'on'), true) ? '1' : '0';
	}

	/**
	 * An optional id that must be one of the known ones; '' when none is chosen.
	 *
	 * @param	array		$posted		Posted values
	 * @param	string		$key		Field
	 * @param	int[]		$known		Allowed ids
	 * @param	string		$what		Name for the error
	 * @param	string[]	$errors		Errors to add to
	 * @return	string
	 */
	private static function optionalId(array $posted, $key, array $known, $what, array &$errors)
	{
		$id = (int) self::field($posted, $key, 0);
		if ($id <= 0) {
			return '';
		}
		if (!in_array($id, $known, true)) {
			$errors[] = 'unknown '.$what.' '.$id;
		}
		return (string) $id;
	}

	/**
	 * An integer field within bounds.
	 *
	 * @param	array		$posted		Posted values
	 * @param	string		$key		Field
	 * @param	int			$min		Minimum
	 * @param	int			$max		Maximum
	 * @param	string		$what		Name for the error
	 * @param	string[]	$errors		Errors to add to
	 * @return	string
	 */
	private static function integer(array $posted, $key, $min, $max, $what, array &$errors)
	{
		$value = trim((string) self::field($posted, $key, ''));
		if (!preg_match('/^\d{1,9}$/', $value) || (int) $value < $min || (int) $value > $max) {
			$errors[] = sprintf('%s must be a whole number from %d to %d', $what, $min, $max);
		}
		return $value;
	}
}
