<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of TicketStock. It is free software, distributed under the GNU General
 * Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/e2e/dolibarr_admin_data.php
 * \brief   The end-to-end suite's data inside Dolibarr: users, group, transfers, outbox
 *          rows, and the clean-up of all of it. Loaded by dolibarr_admin.php once Dolibarr
 *          is bootstrapped; it uses that file's e2eRows(), e2eFail() and e2eIdList().
 */

/**
 * Create a user of the current entity, optionally with an API key and a module's rights.
 *
 * @param	array	$args	{login, firstname, lastname, email, active, api_key?, rights_module?}
 * @return	array			{id}
 */
function e2eCreateUser(array $args)
{
	global $db, $user, $conf;

	$created = new User($db);
	$created->login = (string) $args['login'];
	$created->firstname = (string) $args['firstname'];
	$created->lastname = (string) $args['lastname'];
	$created->email = (string) $args['email'];
	$created->entity = (int) $conf->entity;
	if ($created->create($user) <= 0) {
		e2eFail('cannot create user '.$args['login'].': '.$created->error.' '.implode(' ', $created->errors));
	}
	if (!empty($args['api_key'])) {
		// The core API refuses to set api_key; the user card stores it this way.
		$created->api_key = (string) $args['api_key'];
		if ($created->update($user) < 0) {
			e2eFail('cannot set the API key of '.$args['login'].': '.$created->error);
		}
	}
	if (!empty($args['rights_module']) && $created->addrights(0, (string) $args['rights_module']) < 0) {
		e2eFail('cannot give rights to '.$args['login'].': '.$created->error);
	}
	if (empty($args['active']) && $created->setstatus(0) < 0) {
		e2eFail('cannot disable '.$args['login'].': '.$created->error);
	}
	return array('id' => (int) $created->id);
}

/**
 * Create a user group of the current entity with the given members.
 *
 * @param	array	$args	{name, member_ids}
 * @return	array			{id}
 */
function e2eCreateGroup(array $args)
{
	global $db, $user, $conf;

	$group = new UserGroup($db);
	$group->name = (string) $args['name'];
	$group->entity = (int) $conf->entity;
	if ($group->create() <= 0) {
		e2eFail('cannot create group '.$args['name'].': '.$group->error);
	}
	foreach ((array) $args['member_ids'] as $memberId) {
		$member = new User($db);
		if ($member->fetch((int) $memberId) <= 0 || $member->SetInGroup($group->id, (int) $conf->entity) < 0) {
			e2eFail('cannot add user '.$memberId.' to group '.$args['name']);
		}
	}
	return array('id' => (int) $group->id);
}

/**
 * Move stock between two warehouses as product/stock/product.php's transfer form does: the
 * output leg (type 1) then the input leg (type 0), in one transaction.
 *
 * @param	array	$args	{product_id, source, target, qty, label}
 * @return	array			{movements: [{id, warehouse_id, type, qty}]}
 */
function e2eTransfer(array $args)
{
	global $db, $user;

	require_once DOL_DOCUMENT_ROOT.'/product/class/product.class.php';

	$product = new Product($db);
	if ($product->fetch((int) $args['product_id']) <= 0) {
		e2eFail('no product '.$args['product_id']);
	}
	$last = e2eRows('SELECT MAX(rowid) AS last FROM '.MAIN_DB_PREFIX.'stock_mouvement');
	$after = (int) $last[0]['last'];
	$qty = (float) $args['qty'];
	$label = (string) $args['label'];
	$code = 'E2E-TRANSFER-'.dol_print_date(dol_now(), 'dayhourlog');
	$price = isset($product->pmp) ? (float) $product->pmp : 0;

	$db->begin();
	$out = $product->correct_stock($user, (int) $args['source'], $qty, 1, $label, $price, $code);
	$in = $out < 0 ? -1 : $product->correct_stock($user, (int) $args['target'], $qty, 0, $label, $price, $code);
	if ($out < 0 || $in < 0) {
		$db->rollback();
		e2eFail('transfer failed: '.$product->error.' '.implode(' ', $product->errors));
	}
	$db->commit();

	$sql = 'SELECT rowid, fk_entrepot, type_mouvement, value FROM '.MAIN_DB_PREFIX.'stock_mouvement';
	$sql .= ' WHERE fk_product = '.((int) $product->id).' AND rowid > '.$after.' ORDER BY rowid';
	$movements = array();
	foreach (e2eRows($sql) as $row) {
		$movements[] = array('id' => (int) $row['rowid'], 'warehouse_id' => (int) $row['fk_entrepot'],
			'type' => (int) $row['type_mouvement'], 'qty' => (float) $row['value']);
	}
	return array('movements' => $movements);
}

/**
 * Outbox rows of the given movements.
 *
 * @param	array	$args	{movement_ids}
 * @return	array			{rows: [...]}
 */
function e2eOutbox(array $args)
{
	$sql = 'SELECT rowid, event_id, movement_id, warehouse_id, status, attempts, last_error';
	$sql .= ' FROM '.MAIN_DB_PREFIX.'ticketstock_outbox';
	$sql .= ' WHERE movement_id IN ('.e2eIdList((array) $args['movement_ids']).') ORDER BY rowid';
	$rows = array();
	foreach (e2eRows($sql) as $row) {
		$rows[] = array('id' => (int) $row['rowid'], 'event_id' => $row['event_id'],
			'movement_id' => (int) $row['movement_id'], 'warehouse_id' => (int) $row['warehouse_id'],
			'status' => (int) $row['status'], 'attempts' => (int) $row['attempts'],
			'last_error' => $row['last_error']);
	}
	return array('rows' => $rows);
}

/**
 * The ids the next stock movement and the next outbox row will get.
 *
 * @return	array	{stock_mouvement, ticketstock_outbox}
 */
function e2eNextIds()
{
	global $db;

	$next = array();
	foreach (array('stock_mouvement', 'ticketstock_outbox') as $table) {
		if ($db->type === 'pgsql') {
			$sql = 'SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END AS next_id';
			$sql .= ' FROM '.MAIN_DB_PREFIX.$table.'_rowid_seq';
		} else {
			$sql = 'SELECT AUTO_INCREMENT AS next_id FROM information_schema.TABLES';
			$sql .= " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '".MAIN_DB_PREFIX.$table."'";
		}
		$rows = e2eRows($sql);
		$next[$table] = $rows ? (int) $rows[0]['next_id'] : 0;
	}
	return $next;
}

/**
 * Number of rows of the tables the suite writes to, to compare before and after a run.
 *
 * @return	array	{table: count}
 */
function e2eCensus()
{
	$tables = array('ticket', 'element_contact', 'element_element', 'actioncomm', 'user', 'user_rights',
		'usergroup', 'usergroup_user', 'entrepot', 'product', 'product_stock', 'product_lot', 'product_batch',
		'stock_mouvement', 'const', 'rights_def', 'cronjob');
	if (e2eTableExists('ticketstock_outbox')) {
		$tables[] = 'ticketstock_outbox';
	}
	$counts = array();
	foreach ($tables as $table) {
		$rows = e2eRows('SELECT COUNT(*) AS n FROM '.MAIN_DB_PREFIX.$table);
		$counts[$table] = (int) $rows[0]['n'];
	}
	return array('counts' => $counts);
}

/**
 * Delete objects through their classes, as their cards do.
 *
 * @param	string	$class	Dolibarr class
 * @param	array	$ids	Ids to delete
 * @return	string[]		Errors
 */
function e2eDeleteAll($class, array $ids)
{
	global $db, $user;

	$errors = array();
	foreach ($ids as $id) {
		$object = new $class($db);
		if ($object->fetch((int) $id) <= 0) {
			continue;
		}
		$result = $object->delete($user);
		if ($result < 0) {
			$errors[] = $class.' '.$id.': '.$object->error.' '.implode(' ', (array) $object->errors);
		}
	}
	return $errors;
}

/**
 * Delete what the suite created: tickets (with their agenda events), users, groups, warehouses
 * (with their stock movements), products, and the outbox rows of those warehouses.
 *
 * @param	array	$args	{track_ids, user_ids, group_ids, warehouse_ids, product_ids}
 * @return	array			{deleted: {...}, errors: [...]}
 */
function e2eCleanup(array $args)
{
	global $db;

	require_once DOL_DOCUMENT_ROOT.'/ticket/class/ticket.class.php';
	require_once DOL_DOCUMENT_ROOT.'/product/class/product.class.php';
	require_once DOL_DOCUMENT_ROOT.'/product/stock/class/entrepot.class.php';
	require_once DOL_DOCUMENT_ROOT.'/comm/action/class/actioncomm.class.php';

	$tracks = array();
	foreach ((array) $args['track_ids'] as $track) {
		$tracks[] = "'".$db->escape((string) $track)."'";
	}
	$ticketIds = array();
	if ($tracks) {
		$sql = 'SELECT rowid FROM '.MAIN_DB_PREFIX.'ticket WHERE track_id IN ('.implode(',', $tracks).')';
		foreach (e2eRows($sql) as $row) {
			$ticketIds[] = (int) $row['rowid'];
		}
	}
	$userIds = (array) $args['user_ids'];
	$productIds = (array) $args['product_ids'];
	$warehouseIds = (array) $args['warehouse_ids'];

	$errors = array_merge(
		e2eDeleteAll('Ticket', $ticketIds),
		e2eDeleteAll('UserGroup', (array) $args['group_ids']),
		e2eDeleteAll('User', $userIds),
		e2eDeleteAll('Entrepot', $warehouseIds),
		e2eDeleteAll('Product', $productIds)
	);
	$outbox = 0;
	if (e2eTableExists('ticketstock_outbox')) {
		$sql = 'DELETE FROM '.MAIN_DB_PREFIX.'ticketstock_outbox WHERE warehouse_id IN ('.e2eIdList($warehouseIds).')';
		if ($db->query($sql)) {
			$outbox = $db->affected_rows(true);
		}
	}

	// The agenda events Dolibarr wrote about these objects, their deletion included.
	$sql = 'SELECT id FROM '.MAIN_DB_PREFIX.'actioncomm WHERE';
	$sql .= " (elementtype = 'ticket' AND fk_element IN (".e2eIdList($ticketIds).'))';
	$sql .= " OR (elementtype = 'user' AND fk_element IN (".e2eIdList($userIds).'))';
	$sql .= " OR (elementtype = 'product' AND fk_element IN (".e2eIdList($productIds).'))';
	$events = array();
	foreach (e2eRows($sql) as $row) {
		$events[] = (int) $row['id'];
	}
	$errors = array_merge($errors, e2eDeleteAll('ActionComm', $events));

	return array(
		'deleted' => array('tickets' => count($ticketIds), 'agenda_events' => count($events),
			'outbox_rows' => $outbox),
		'errors' => $errors,
	);
}

