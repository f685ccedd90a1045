<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockcatalog.class.php
 * \ingroup ticketstock
 * \brief   Small reads of Dolibarr's own tables: products, warehouses, users, groups, movements.
 *
 * Plain SELECTs instead of fetch(): the trigger runs inside every stock movement and must stay
 * cheap, and the endpoints need a few columns, not whole objects.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';

/**
 * Reads the facts the module needs about Dolibarr objects.
 */
class TicketStockCatalog
{
	/** Tables of the ticket dictionaries. */
	const DICTIONARY_TABLES = array(
		'type' => 'c_ticket_type',
		'severity' => 'c_ticket_severity',
		'category' => 'c_ticket_category',
	);

	/** @var DoliDB */
	private $db;

	/**
	 * Create the reader.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
		$this->db = $db;
	}

	/**
	 * Display name of a user: "first last" as Dolibarr shows it, else the login.
	 *
	 * @param	?string		$firstname	First name
	 * @param	?string		$lastname	Last name
	 * @param	string		$login		Login
	 * @return	string
	 */
	public static function displayName($firstname, $lastname, $login)
	{
		$name = '';
		if (function_exists('dolGetFirstLastname')) {
			$name = dolGetFirstLastname((string) $firstname, (string) $lastname);
		} else {
			$name = trim(((string) $firstname).' '.((string) $lastname));
		}
		$name = trim($name);
		return $name !== '' ? $name : (string) $login;
	}

	/**
	 * Ref and label of a product.
	 *
	 * @param	int		$id		Product id
	 * @return	?array			{ref, label}
	 */
	public function product($id)
	{
		$obj = $this->one('SELECT ref, label FROM '.MAIN_DB_PREFIX.'product WHERE rowid = '.((int) $id));
		return $obj ? array('ref' => (string) $obj->ref, 'label' => $obj->label) : null;
	}

	/**
	 * Ref and label (the "lieu" column) of a warehouse.
	 *
	 * @param	int		$id		Warehouse id
	 * @return	?array			{id, ref, label}
	 */
	public function warehouse($id)
	{
		$obj = $this->one('SELECT rowid, ref, lieu FROM '.MAIN_DB_PREFIX.'entrepot WHERE rowid = '.((int) $id));
		return $obj ? self::warehouseRow($obj) : null;
	}

	/**
	 * Warehouses of an entity, by ref.
	 *
	 * @param	int		$entity		Entity
	 * @return	array[]				{id, ref, label}
	 */
	public function warehousesOfEntity($entity)
	{
		$sql = 'SELECT rowid, ref, lieu FROM '.MAIN_DB_PREFIX.'entrepot';
		$sql .= ' WHERE entity IN ('.$this->entities('stock', $entity).')';
		$rows = array();
		foreach ($this->all($sql.' ORDER BY ref') as $obj) {
			$rows[] = self::warehouseRow($obj);
		}
		return $rows;
	}

	/**
	 * A user.
	 *
	 * @param	int		$id		User id
	 * @return	?array			{id, login, name, email, active}
	 */
	public function user($id)
	{
		$sql = 'SELECT rowid, login, firstname, lastname, email, statut FROM '.MAIN_DB_PREFIX.'user';
		$obj = $this->one($sql.' WHERE rowid = '.((int) $id));
		return $obj ? self::userRow($obj) : null;
	}

	/**
	 * Ids of active users among the given ones.
	 *
	 * @param	int[]	$ids	User ids
	 * @return	int[]			The active ones, in the order given
	 */
	public function activeUserIds(array $ids)
	{
		$ids = array_values(array_filter(array_map('intval', $ids)));
		if (!$ids) {
			return array();
		}
		$sql = 'SELECT rowid FROM '.MAIN_DB_PREFIX.'user WHERE statut = 1 AND rowid IN ('.implode(',', $ids).')';
		$active = array();
		foreach ($this->all($sql) as $obj) {
			$active[(int) $obj->rowid] = true;
		}
		$kept = array();
		foreach ($ids as $id) {
			if (isset($active[$id])) {
				$kept[] = $id;
			}
		}
		return $kept;
	}

	/**
	 * Ids of the users an entity can choose (its own and the superadmins).
	 *
	 * @param	int		$entity		Entity
	 * @return	int[]
	 */
	public function userIds($entity)
	{
		$ids = array();
		$sql = 'SELECT rowid FROM '.MAIN_DB_PREFIX.'user WHERE entity IN (0, '.((int) $entity).')';
		foreach ($this->all($sql) as $obj) {
			$ids[] = (int) $obj->rowid;
		}
		return $ids;
	}

	/**
	 * Ids of the user groups an entity can choose.
	 *
	 * @param	int		$entity		Entity
	 * @return	int[]
	 */
	public function groupIds($entity)
	{
		$sql = 'SELECT rowid FROM '.MAIN_DB_PREFIX.'usergroup';
		$sql .= ' WHERE entity IN ('.$this->entities('usergroup', $entity).')';
		$ids = array();
		foreach ($this->all($sql) as $obj) {
			$ids[] = (int) $obj->rowid;
		}
		return $ids;
	}

	/**
	 * A user group and its active members in an entity, in id order.
	 *
	 * @param	int		$id			Group id
	 * @param	int		$entity		Entity
	 * @return	?array				{id, name, members: user rows}
	 */
	public function group($id, $entity)
	{
		$obj = $this->one('SELECT rowid, nom FROM '.MAIN_DB_PREFIX.'usergroup WHERE rowid = '.((int) $id));
		if (!$obj) {
			return null;
		}
		$sql = 'SELECT DISTINCT u.rowid, u.login, u.firstname, u.lastname, u.email, u.statut';
		$sql .= ' FROM '.MAIN_DB_PREFIX.'user as u';
		$sql .= ' INNER JOIN '.MAIN_DB_PREFIX.'usergroup_user as ug ON ug.fk_user = u.rowid';
		$sql .= ' WHERE ug.fk_usergroup = '.((int) $id).' AND ug.entity = '.((int) $entity);
		$sql .= ' AND u.entity IN (0, '.((int) $entity).') AND u.statut = 1';
		$members = array();
		foreach ($this->all($sql.' ORDER BY u.rowid') as $member) {
			$members[] = self::userRow($member);
		}
		return array('id' => (int) $obj->rowid, 'name' => (string) $obj->nom, 'members' => $members);
	}

	/**
	 * A stock movement, as stored.
	 *
	 * @param	int		$id		Movement id
	 * @return	?array			{id, product_id, warehouse_id, origin_type, origin_id, project_id}
	 */
	public function movement($id)
	{
		$sql = 'SELECT rowid, fk_product, fk_entrepot, origintype, fk_origin, fk_projet';
		$obj = $this->one($sql.' FROM '.MAIN_DB_PREFIX.'stock_mouvement WHERE rowid = '.((int) $id));
		if (!$obj) {
			return null;
		}
		return array(
			'id' => (int) $obj->rowid,
			'product_id' => (int) $obj->fk_product,
			'warehouse_id' => (int) $obj->fk_entrepot,
			'origin_type' => (string) $obj->origintype,
			'origin_id' => (int) $obj->fk_origin,
			'project_id' => (int) $obj->fk_projet,
		);
	}

	/**
	 * The values the setup page accepts for an entity, as TicketStockSetupForm::validate() takes them.
	 *
	 * @param	int		$entity	Entity
	 * @return	array<string, array<int, int|string>>
	 * @throws	TicketStockException
	 */
	public function setupChoices($entity)
	{
		$warehouseIds = array();
		foreach ($this->warehousesOfEntity($entity) as $warehouse) {
			$warehouseIds[] = $warehouse['id'];
		}
		return array(
			'warehouses' => $warehouseIds,
			'users' => $this->userIds($entity),
			'groups' => $this->groupIds($entity),
			'type' => array_keys($this->ticketDictionary('type', $entity, null)),
			'severity' => array_keys($this->ticketDictionary('severity', $entity, null)),
			'category' => array_keys($this->ticketDictionary('category', $entity, null)),
		);
	}

	/**
	 * Label of a ticket dictionary entry in a language, as Dolibarr's ticket pages show it.
	 *
	 * @param	string		$dictionary		type, severity or category
	 * @param	string		$code			Entry code
	 * @param	int			$entity			Entity
	 * @param	?Translate	$langs			Language to translate into; null for the stored label
	 * @return	?string						Label, null when the code is not in the dictionary
	 */
	public function ticketDictionaryLabel($dictionary, $code, $entity, $langs)
	{
		$tables = self::DICTIONARY_TABLES;
		$prefixes = array('type' => 'TicketTypeShort', 'severity' => 'TicketSeverityShort',
			'category' => 'TicketCategoryShort');
		if (!isset($tables[$dictionary]) || $code === '') {
			return null;
		}
		$sql = 'SELECT code, label FROM '.MAIN_DB_PREFIX.$tables[$dictionary];
		$sql .= " WHERE code = '".$this->db->escape($code)."'";
		$sql .= ' AND entity IN ('.$this->entities($tables[$dictionary], $entity).')';
		$obj = $this->one($sql);
		if (!$obj) {
			return null;
		}
		$key = $prefixes[$dictionary].$obj->code;
		if ($langs !== null && $langs->trans($key) !== $key) {
			return $langs->trans($key);
		}
		return $obj->label !== '-' ? (string) $obj->label : '';
	}

	/**
	 * Active entries of a ticket dictionary, for the setup page.
	 *
	 * @param	string		$dictionary		type, severity or category
	 * @param	int			$entity			Entity
	 * @param	?Translate	$langs			Language of the labels
	 * @return	array<string, string>		Code => label
	 */
	public function ticketDictionary($dictionary, $entity, $langs)
	{
		$tables = self::DICTIONARY_TABLES;
		if (!isset($tables[$dictionary])) {
			return array();
		}
		$sql = 'SELECT code FROM '.MAIN_DB_PREFIX.$tables[$dictionary];
		$sql .= ' WHERE active > 0 AND entity IN ('.$this->entities($tables[$dictionary], $entity).')';
		$sql .= ' ORDER BY pos, code';
		$entries = array();
		foreach ($this->all($sql) as $obj) {
			$label = $this->ticketDictionaryLabel($dictionary, $obj->code, $entity, $langs);
			$entries[(string) $obj->code] = (string) $label;
		}
		return $entries;
	}

	/**
	 * Entities whose data of an element the current entity sees (multi-company sharing).
	 *
	 * @param	string	$element	Dolibarr element, e.g. stock or c_ticket_type
	 * @param	int		$entity		Current entity
	 * @return	string				Comma separated ids
	 */
	private function entities($element, $entity)
	{
		return function_exists('getEntity') ? getEntity($element) : '0,'.((int) $entity);
	}

	/**
	 * Shape a warehouse row.
	 *
	 * @param	object	$obj	Row with rowid, ref, lieu
	 * @return	array
	 */
	private static function warehouseRow($obj)
	{
		return array(
			'id' => (int) $obj->rowid,
			'ref' => (string) $obj->ref,
			'label' => ($obj->lieu === null || $obj->lieu === '') ? null : (string) $obj->lieu,
		);
	}

	/**
	 * Shape a user row.
	 *
	 * @param	object	$obj	Row with rowid, login, firstname, lastname, email, statut
	 * @return	array
	 */
	private static function userRow($obj)
	{
		return array(
			'id' => (int) $obj->rowid,
			'login' => (string) $obj->login,
			'name' => self::displayName($obj->firstname, $obj->lastname, $obj->login),
			'email' => $obj->email === null ? null : (string) $obj->email,
			'active' => (int) $obj->statut === 1,
		);
	}

	/**
	 * First row of a query.
	 *
	 * @param	string	$sql	SELECT
	 * @return	?object
	 * @throws	TicketStockException
	 */
	private function one($sql)
	{
		$rows = $this->all($sql);
		return $rows ? $rows[0] : null;
	}

	/**
	 * All rows of a query.
	 *
	 * @param	string	$sql	SELECT
	 * @return	object[]
	 * @throws	TicketStockException
	 */
	private function all($sql)
	{
		$resql = $this->db->query($sql);
		if (!$resql) {
			throw new TicketStockException('cannot read Dolibarr data: '.$this->db->lasterror());
		}
		$rows = array();
		while ($obj = $this->db->fetch_object($resql)) {
			$rows[] = $obj;
		}
		$this->db->free($resql);
		return $rows;
	}
}
