<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of TicketStock. It is free software, distributed under the GNU General
 * Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/e2e/dolibarr_admin.php
 * \brief   What the end-to-end suite does inside Dolibarr where the REST API cannot.
 *
 * Test tooling, never an installer: it bootstraps an existing Dolibarr the way its own
 * scripts/ do, acts as one of its administrators, and answers one JSON object. This file
 * handles the module (state, enable, setup, restore); dolibarr_admin_data.php the test
 * company's data.
 *
 * Usage: php dolibarr_admin.php <htdocs> <entity> <admin login> <command> < arguments.json
 * Exit status: 0 done, 1 the command failed (the answer says why), 2 bad usage.
 */

if (PHP_SAPI !== 'cli') {
	echo "This script runs from the command line only.\n";
	exit(2);
}
if ($argc !== 5 || !is_file($argv[1].'/master.inc.php') || !preg_match('/^[1-9][0-9]*$/', $argv[2])) {
	fwrite(STDERR, "Usage: php dolibarr_admin.php <htdocs> <entity> <admin login> <command> < arguments.json\n");
	exit(2);
}

define('NOSESSION', '1');
define('NOTOKENRENEWAL', '1');
define('NOREQUIREMENU', '1');
define('NOREQUIREHTML', '1');
define('NOREQUIREAJAX', '1');
define('NOLOGIN', '1');
define('DOLENTITY', (int) $argv[2]);

// At the top level, so that conf.php's variables ($dolibarr_main_db_pass...) stay global, as
// the module's after-commit publisher expects.
require rtrim($argv[1], '/').'/master.inc.php';
require_once DOL_DOCUMENT_ROOT.'/core/lib/admin.lib.php';
require_once DOL_DOCUMENT_ROOT.'/core/lib/files.lib.php';
require_once DOL_DOCUMENT_ROOT.'/core/lib/security.lib.php';
require_once __DIR__.'/dolibarr_admin_data.php';

/** Prefix of every constant the module owns. */
const E2E_CONSTANT_PREFIX = 'TICKETSTOCK_';

/**
 * Print the answer and stop.
 *
 * @param	array	$answer		Answer; 'ok' is added
 * @param	bool	$ok			Whether the command succeeded
 * @return	never
 */
function e2eAnswer(array $answer, $ok = true)
{
	echo json_encode(array('ok' => $ok) + $answer, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
	exit($ok ? 0 : 1);
}

/**
 * Stop with an error answer.
 *
 * @param	string	$message	What failed
 * @return	never
 */
function e2eFail($message)
{
	e2eAnswer(array('error' => $message), false);
}

/**
 * Rows of a query as associative arrays.
 *
 * @param	string	$sql	Query
 * @return	array<int, array<string, mixed>>
 */
function e2eRows($sql)
{
	global $db;

	$resql = $db->query($sql);
	if (!$resql) {
		e2eFail('query failed: '.$db->lasterror());
	}
	$rows = array();
	while ($obj = $db->fetch_object($resql)) {
		$rows[] = (array) $obj;
	}
	$db->free($resql);
	return $rows;
}

/**
 * Comma separated positive ids for an IN clause.
 *
 * @param	array	$ids	Ids
 * @return	string			'0' when empty, so that the clause matches nothing
 */
function e2eIdList(array $ids)
{
	$clean = array_filter(array_map('intval', $ids), function ($id) {
		return $id > 0;
	});
	return $clean ? implode(',', $clean) : '0';
}

/**
 * Whether a table exists.
 *
 * @param	string	$name	Table name without prefix
 * @return	bool
 */
function e2eTableExists($name)
{
	global $db;

	$resql = $db->DDLDescTable(MAIN_DB_PREFIX.$name);
	return $resql && $db->num_rows($resql) > 0;
}

/**
 * Path of the module's health file of the current entity.
 *
 * @return	string
 */
function e2eHealthFile()
{
	global $conf;

	return DOL_DATA_ROOT.'/ticketstock/health-'.((int) $conf->entity).'.json';
}

/**
 * The module's state in this entity: what the suite must restore afterwards.
 *
 * @return	array
 */
function e2eState()
{
	global $conf, $dolibarr_main_url_root;

	$constants = array();
	$sql = "SELECT name, value FROM ".MAIN_DB_PREFIX."const WHERE name LIKE 'TICKETSTOCK\\_%'";
	$sql .= " AND entity = ".((int) $conf->entity)." ORDER BY name";
	foreach (e2eRows($sql) as $row) {
		$constants[$row['name']] = $row['value'];
	}
	$health = e2eHealthFile();
	$roots = $conf->file->dol_document_root;
	return array(
		'dolibarr_version' => DOL_VERSION,
		'custom_dir' => isset($roots['alt0']) ? (string) $roots['alt0'] : '',
		'entity' => (int) $conf->entity,
		'module_enabled' => isModEnabled('ticketstock'),
		'multicompany' => isModEnabled('multicompany'),
		'constants' => $constants,
		'instance_id' => (string) dolibarr_get_const($GLOBALS['db'], 'TICKETSTOCK_INSTANCE_ID', 0),
		'outbox_table' => e2eTableExists('ticketstock_outbox'),
		'health' => is_file($health) ? file_get_contents($health) : null,
		'url_root' => (string) $dolibarr_main_url_root,
	);
}

/**
 * Enable the module in the current entity, as the Modules page does.
 *
 * @return	array
 */
function e2eEnable()
{
	$result = activateModule('modTicketStock');
	if (!empty($result['errors'])) {
		e2eFail('activateModule: '.implode('; ', $result['errors']));
	}
	return array('enabled' => true);
}

/**
 * Disable the module in the current entity, as the Modules page does.
 *
 * @return	array
 */
function e2eDisable()
{
	$error = unActivateModule('modTicketStock');
	if ($error !== '') {
		e2eFail('unActivateModule: '.$error);
	}
	return array('enabled' => false);
}

/**
 * Save the setup form's fields the way admin/setup.php does: same validation, same constants,
 * the password encrypted with dolEncrypt().
 *
 * @param	array	$posted		Form fields, named as on the setup page
 * @return	array
 */
function e2eConfigure(array $posted)
{
	global $db, $conf;

	require_once dol_buildpath('/ticketstock/class/ticketstockcatalog.class.php', 0);
	require_once dol_buildpath('/ticketstock/class/ticketstocksetupform.class.php', 0);

	$entity = (int) $conf->entity;
	$catalog = new TicketStockCatalog($db);
	list($values, $errors) = TicketStockSetupForm::validate($posted, $catalog->setupChoices($entity));
	if ($errors) {
		e2eFail('the setup was not saved: '.implode('; ', $errors));
	}
	if (isset($posted['broker_password']) && $posted['broker_password'] !== '') {
		$values['TICKETSTOCK_BROKER_PASSWORD'] = dolEncrypt((string) $posted['broker_password']);
	}

	$db->begin();
	foreach ($values as $name => $value) {
		if (dolibarr_set_const($db, $name, $value, 'chaine', 0, '', $entity) < 0) {
			$db->rollback();
			e2eFail('cannot save '.$name.': '.$db->lasterror());
		}
	}
	$db->commit();
	return array('saved' => array_keys($values));
}

/**
 * Put the module's constants, health file and tables back as e2eState() saw them.
 *
 * @param	array	$saved	{constants: {name: raw value}, health: ?string, drop_outbox: bool,
 *							delete_instance_id: bool}
 * @return	array
 */
function e2eRestore(array $saved)
{
	global $db, $conf;

	$entity = (int) $conf->entity;
	$db->begin();
	$sql = "DELETE FROM ".MAIN_DB_PREFIX."const WHERE name LIKE 'TICKETSTOCK\\_%' AND entity = ".$entity;
	if (!$db->query($sql)) {
		$db->rollback();
		e2eFail('cannot clear the constants: '.$db->lasterror());
	}
	foreach ((array) $saved['constants'] as $name => $value) {
		if (strpos($name, E2E_CONSTANT_PREFIX) !== 0
			|| dolibarr_set_const($db, $name, (string) $value, 'chaine', 0, '', $entity) < 0) {
			$db->rollback();
			e2eFail('cannot restore '.$name);
		}
	}
	$db->commit();

	if (!empty($saved['delete_instance_id'])) {
		dolibarr_del_const($db, 'TICKETSTOCK_INSTANCE_ID', 0);
	}
	if (!empty($saved['drop_outbox']) && e2eTableExists('ticketstock_outbox')) {
		$db->query('DROP TABLE '.MAIN_DB_PREFIX.'ticketstock_outbox');
	}
	$health = e2eHealthFile();
	if ($saved['health'] === null) {
		if (is_file($health)) {
			unlink($health);
		}
	} else {
		file_put_contents($health, (string) $saved['health']);
	}
	return array('constants' => count((array) $saved['constants']));
}


$input = stream_get_contents(STDIN);
$args = $input === '' ? array() : json_decode($input, true);
if (!is_array($args)) {
	e2eFail('the arguments on standard input are not a JSON object');
}

$user = new User($db);
if ($user->fetch(0, $argv[3]) <= 0 || empty($user->admin)) {
	e2eFail('no administrator with login '.$argv[3]);
}
$user->loadRights();

$commands = array(
	'state' => 'e2eState',
	'enable' => 'e2eEnable',
	'disable' => 'e2eDisable',
	'configure' => 'e2eConfigure',
	'restore' => 'e2eRestore',
	'create-user' => 'e2eCreateUser',
	'create-group' => 'e2eCreateGroup',
	'transfer' => 'e2eTransfer',
	'outbox' => 'e2eOutbox',
	'next-ids' => 'e2eNextIds',
	'census' => 'e2eCensus',
	'cleanup' => 'e2eCleanup',
);
if (!isset($commands[$argv[4]])) {
	e2eFail('unknown command '.$argv[4].'; one of: '.implode(', ', array_keys($commands)));
}
e2eAnswer(call_user_func($commands[$argv[4]], $args));
