<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * Settings read from constants, and what the setup page accepts.
 */
final class SettingsTest extends TestCase
{
	/**
	 * Settings over an array of constants.
	 *
	 * @param	array	$const	Name => value
	 * @return	TicketStockSettings
	 */
	private function settings(array $const)
	{
		return new TicketStockSettings(function ($name, $default) use ($const) {
			return isset($const[$name]) && $const[$name] !== '' ? $const[$name] : $default;
		});
	}

	/**
	 * Id lists ignore junk and repeats.
	 *
	 * @return	void
	 */
	public function testParseIds()
	{
		$this->assertSame(array(3, 5, 8), TicketStockSettings::parseIds(' 3,5,x,,5, 8,0,-2'));
		$this->assertSame(array(), TicketStockSettings::parseIds(''));
	}

	/**
	 * Broker defaults point at the local broker with short timeouts.
	 *
	 * @return	void
	 */
	public function testBrokerDefaults()
	{
		$broker = $this->settings(array())->broker();
		$this->assertSame('127.0.0.1', $broker['host']);
		$this->assertSame(5672, $broker['port']);
		$this->assertSame('/', $broker['vhost']);
		$this->assertSame('ticketstock.events', $broker['exchange']);
		$this->assertSame(1.0, $broker['timeout']);
		$this->assertFalse($broker['tls']);
	}

	/**
	 * Out-of-range values fall back to defaults.
	 *
	 * @return	void
	 */
	public function testBadValuesFallBack()
	{
		$settings = $this->settings(array('TICKETSTOCK_BROKER_PORT' => '70000', 'TICKETSTOCK_BROKER_TIMEOUT' => '0,5',
			'TICKETSTOCK_CONTACT_ROLE' => 'BOSS', 'TICKETSTOCK_PURGE_DAYS' => '0', 'TICKETSTOCK_ASSIGNEE' => '-4'));
		$this->assertSame(5672, $settings->broker()['port']);
		$this->assertSame(0.5, $settings->broker()['timeout']);
		$this->assertSame('CONTRIBUTOR', $settings->contactRole());
		$this->assertSame(30, $settings->purgeDays());
		$this->assertNull($settings->assigneeId());
	}

	/**
	 * The entity is complete with warehouses and the three ticket codes.
	 *
	 * @return	void
	 */
	public function testComplete()
	{
		$const = array('TICKETSTOCK_WAREHOUSES' => '2', 'TICKETSTOCK_TICKET_TYPE' => 'ISSUE',
			'TICKETSTOCK_TICKET_SEVERITY' => 'LOW', 'TICKETSTOCK_TICKET_CATEGORY' => 'OTHER');
		$this->assertTrue($this->settings($const)->isComplete());
		unset($const['TICKETSTOCK_TICKET_SEVERITY']);
		$this->assertFalse($this->settings($const)->isComplete());
		$this->assertFalse($this->settings(array())->isComplete());
	}

	/**
	 * A valid form gives every constant.
	 *
	 * @return	void
	 */
	public function testSetupFormAcceptsValidValues()
	{
		list($values, $errors) = TicketStockSetupForm::validate($this->posted(), $this->known());
		$this->assertSame(array(), $errors);
		$this->assertSame('2,3', $values['TICKETSTOCK_WAREHOUSES']);
		$this->assertSame('4', $values['TICKETSTOCK_ASSIGNEE']);
		$this->assertSame('', $values['TICKETSTOCK_CONTACT_GROUP']);
		$this->assertSame('0.5', $values['TICKETSTOCK_BROKER_TIMEOUT']);
		$this->assertSame('1', $values['TICKETSTOCK_BROKER_TLS']);
		$this->assertSame('0', $values['TICKETSTOCK_KEEP_ADMIN_NOTIFICATION']);
		$this->assertArrayNotHasKey('TICKETSTOCK_BROKER_PASSWORD', $values);
	}

	/**
	 * The empty choice of Dolibarr's select lists (-1) means "none".
	 *
	 * @return	void
	 */
	public function testSetupFormReadsEmptyChoices()
	{
		$posted = $this->posted(array('ticket_category' => '-1', 'assignee' => '-1', 'contact_group' => '-1'));
		list($values, $errors) = TicketStockSetupForm::validate($posted, $this->known());
		$this->assertSame(array(), $errors);
		$this->assertSame('', $values['TICKETSTOCK_TICKET_CATEGORY']);
		$this->assertSame('', $values['TICKETSTOCK_ASSIGNEE']);
		$this->assertSame('', $values['TICKETSTOCK_CONTACT_GROUP']);
	}

	/**
	 * Unknown choices and bad numbers are refused, and nothing is saved.
	 *
	 * @return	void
	 */
	public function testSetupFormRefusesBadValues()
	{
		list($values, $errors) = TicketStockSetupForm::validate($this->posted(array(
			'warehouses' => array('9'), 'assignee' => '99', 'ticket_type' => 'NOPE', 'broker_port' => '0',
			'broker_exchange' => 'bad name', 'broker_timeout' => '60', 'subject' => '',
		)), $this->known());
		$this->assertSame(array(), $values);
		$this->assertSame(array('unknown warehouse 9', 'unknown user 99', 'unknown ticket type NOPE',
			'the subject must have 1 to 255 characters', 'the broker port must be a whole number from 1 to 65535',
			'the exchange name may only hold letters, digits and . _ : -',
			'the broker timeout must be between 0.1 and 30 seconds'), $errors);
	}

	/**
	 * A posted setup form.
	 *
	 * @param	array	$overrides	Fields to change
	 * @return	array
	 */
	private function posted(array $overrides = array())
	{
		return array_merge(array(
			'warehouses' => array('2', '3', '2'), 'assignee' => '4', 'contact_group' => '',
			'contact_role' => 'CONTRIBUTOR',
			'ticket_type' => 'ISSUE', 'ticket_severity' => 'LOW', 'ticket_category' => 'OTHER',
			'subject' => 'Stock __TICKETSTOCK_PRODUCT_REF__', 'content' => 'Body', 'keep_admin_notification' => '0',
			'broker_host' => '127.0.0.1', 'broker_port' => '5672', 'broker_vhost' => '/', 'broker_login' => 'guest',
			'broker_tls' => '1', 'broker_ca_file' => '', 'broker_verify_peer' => '1',
			'broker_exchange' => 'ticketstock.events', 'broker_timeout' => '0,5', 'broker_pause' => '60',
			'broker_probe' => '1', 'purge_days' => '30',
		), $overrides);
	}

	/**
	 * What exists in Dolibarr.
	 *
	 * @return	array
	 */
	private function known()
	{
		return array('warehouses' => array(2, 3), 'users' => array(1, 4), 'groups' => array(1),
			'type' => array('ISSUE', 'COM'), 'severity' => array('LOW'), 'category' => array('OTHER'));
	}
}
