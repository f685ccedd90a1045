<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * Catalog answering from arrays instead of the database.
 */
final class ArrayCatalog extends TicketStockCatalog
{
	/** @var array */
	public $data;

	/**
	 * Create it.
	 *
	 * @param	array	$data	warehouses, users, groups (by id), labels (dictionary => code => label)
	 */
	public function __construct(array $data)
	{
		parent::__construct(null);
		$this->data = $data;
	}

	/**
	 * A warehouse.
	 *
	 * @param	int		$id		Id
	 * @return	?array
	 */
	public function warehouse($id)
	{
		return isset($this->data['warehouses'][$id]) ? $this->data['warehouses'][$id] : null;
	}

	/**
	 * A user.
	 *
	 * @param	int		$id		Id
	 * @return	?array
	 */
	public function user($id)
	{
		return isset($this->data['users'][$id]) ? $this->data['users'][$id] : null;
	}

	/**
	 * A group with its active members.
	 *
	 * @param	int		$id			Id
	 * @param	int		$entity		Entity
	 * @return	?array
	 */
	public function group($id, $entity)
	{
		return isset($this->data['groups'][$id]) ? $this->data['groups'][$id] : null;
	}

	/**
	 * A dictionary label.
	 *
	 * @param	string		$dictionary		Dictionary
	 * @param	string		$code			Code
	 * @param	int			$entity			Entity
	 * @param	?Translate	$langs			Language
	 * @return	?string
	 */
	public function ticketDictionaryLabel($dictionary, $code, $entity, $langs)
	{
		return isset($this->data['labels'][$dictionary][$code]) ? $this->data['labels'][$dictionary][$code] : null;
	}
}

/**
 * GET /ticketstock/config: module-config.v1 of the entity.
 */
final class ConfigReaderTest extends TestCase
{
	/**
	 * A reader over constants and catalog data.
	 *
	 * @param	array	$const	Constants
	 * @return	TicketStockConfigReader
	 */
	private function reader(array $const)
	{
		$settings = new TicketStockSettings(function ($name, $default) use ($const) {
			return isset($const[$name]) ? $const[$name] : $default;
		});
		$user = function ($id, $login, $name, $email, $active = true) {
			return array('id' => $id, 'login' => $login, 'name' => $name, 'email' => $email, 'active' => $active);
		};
		return new TicketStockConfigReader($settings, new ArrayCatalog(array(
			'warehouses' => array(2 => array('id' => 2, 'ref' => 'WH-A', 'label' => 'Returns')),
			'users' => array(
				4 => $user(4, 'lea', 'Léa Martin', 'lea@example.test'),
				5 => $user(5, 'old', 'Old', null, false),
			),
			'groups' => array(1 => array('id' => 1, 'name' => 'Stock team', 'members' => array(
				$user(3, 'bob', 'Bob', ''), $user(4, 'lea', 'Léa Martin', 'lea@example.test'),
			))),
			'labels' => array('type' => array('ISSUE' => 'Issue or bug'), 'severity' => array('LOW' => 'Low'),
				'category' => array('OTHER' => 'Other')),
		)));
	}

	/**
	 * Context of the request.
	 *
	 * @return	array
	 */
	private function context()
	{
		return array('entity' => 1, 'module_enabled' => true, 'module_version' => '1.0.0', 'language' => 'fr_FR',
			'company_name' => 'Dolibarr Test Company', 'main_url_root' => 'http://127.0.0.1:8080/', 'langs' => null);
	}

	/**
	 * A configured entity answers every field, resolved.
	 *
	 * @return	void
	 */
	public function testConfiguredEntity()
	{
		$config = $this->reader(array('TICKETSTOCK_WAREHOUSES' => '2,9', 'TICKETSTOCK_ASSIGNEE' => '4',
			'TICKETSTOCK_CONTACT_GROUP' => '1', 'TICKETSTOCK_TICKET_TYPE' => 'ISSUE',
			'TICKETSTOCK_TICKET_SEVERITY' => 'LOW', 'TICKETSTOCK_TICKET_CATEGORY' => 'OTHER',
			'TICKETSTOCK_SUBJECT' => 'S', 'TICKETSTOCK_CONTENT' => 'C'))
			->read($this->context());

		$this->assertTrue($config['enabled']);
		$this->assertSame(array(array('id' => 2, 'ref' => 'WH-A', 'label' => 'Returns')), $config['warehouses']);
		$this->assertSame(array('id' => 4, 'login' => 'lea', 'name' => 'Léa Martin', 'email' => 'lea@example.test'),
			$config['assignee']);
		$this->assertSame(array('id' => 1, 'name' => 'Stock team'), $config['group']);
		$this->assertSame(array(3, 4), array_column($config['contacts'], 'id'));
		$this->assertSame('CONTRIBUTOR', $config['contact_role']);
		$this->assertSame(array('code' => 'ISSUE', 'label' => 'Issue or bug'), $config['ticket']['type']);
		$this->assertSame('http://127.0.0.1:8080/ticket/card.php', $config['ticket_url_base']);
		$this->assertSame('fr_FR', $config['language']);
		$this->assertSame(array('schema_version', 'entity', 'module_version', 'enabled', 'warehouses', 'assignee',
			'group', 'contacts', 'contact_role', 'ticket', 'ticket_url_base', 'language', 'company_name'),
			array_keys($config));
	}

	/**
	 * An unconfigured or disabled entity answers enabled=false with what is set.
	 *
	 * @return	void
	 */
	public function testUnconfiguredEntity()
	{
		$config = $this->reader(array('TICKETSTOCK_ASSIGNEE' => '5'))->read($this->context());
		$this->assertFalse($config['enabled']);
		$this->assertSame(array(), $config['warehouses']);
		$this->assertNull($config['assignee'], 'a disabled user is not offered');
		$this->assertNull($config['group']);
		$this->assertSame(array('code' => '', 'label' => ''), $config['ticket']['severity']);

		$context = $this->context();
		$context['module_enabled'] = false;
		$config = $this->reader(array('TICKETSTOCK_WAREHOUSES' => '2', 'TICKETSTOCK_TICKET_TYPE' => 'ISSUE',
			'TICKETSTOCK_TICKET_SEVERITY' => 'LOW', 'TICKETSTOCK_TICKET_CATEGORY' => 'OTHER'))->read($context);
		$this->assertFalse($config['enabled']);
	}

	/**
	 * "auto" and odd languages fall back to en_US.
	 *
	 * @return	void
	 */
	public function testLanguage()
	{
		$this->assertSame('en_US', TicketStockConfigReader::language('auto'));
		$this->assertSame('de_DE', TicketStockConfigReader::language('de_DE'));
		$this->assertSame('en_US', TicketStockConfigReader::language(''));
	}
}
