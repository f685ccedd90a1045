#!/usr/bin/env php
<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/scripts/ticketstock_publish.php
 * \ingroup ticketstock
 * \brief   Runs the module's scheduled job once, from the command line.
 *
 * For installations that do not use Dolibarr's "Scheduled jobs" module: call it from the
 * system's cron, e.g. every minute, once per entity.
 *
 * Usage: php ticketstock_publish.php [entity]
 * Exit status: 0 everything due was published, 1 the broker refused or was unreachable,
 * 2 an unexpected error. DOLIBARR_HTDOCS names htdocs when the module is linked in from
 * elsewhere.
 */

if (!defined('NOSESSION')) {
	define('NOSESSION', '1');
}
if (!defined('EVEN_IF_ONLY_LOGIN_ALLOWED')) {
	define('EVEN_IF_ONLY_LOGIN_ALLOWED', 1);
}
if (PHP_SAPI !== 'cli') {
	echo "This script runs from the command line only.\n";
	exit(2);
}

$entityArgument = isset($argv[1]) ? $argv[1] : '1';
if (!preg_match('/^[1-9][0-9]*$/', $entityArgument)) {
	echo "Usage: php ".basename(__FILE__)." [entity]\n";
	exit(2);
}
define('DOLENTITY', (int) $entityArgument);

$candidates = array();
if (getenv('DOLIBARR_HTDOCS')) {
	$candidates[] = rtrim(getenv('DOLIBARR_HTDOCS'), '/').'/master.inc.php';
}
// Climb from the path the script was called by, not its resolved path, so that a module linked
// into htdocs/custom still finds the Dolibarr it is linked into.
$called = empty($_SERVER['SCRIPT_FILENAME']) ? __FILE__ : $_SERVER['SCRIPT_FILENAME'];
if ($called[0] !== '/') {
	$called = (getenv('PWD') ?: getcwd()).'/'.$called;
}
$parts = explode('/', dirname($called));
foreach (array(3, 2) as $levels) {
	$candidates[] = implode('/', array_slice($parts, 0, max(1, count($parts) - $levels))).'/master.inc.php';
}
$res = 0;
foreach ($candidates as $candidate) {
	if (!$res && is_file($candidate)) {
		$res = include $candidate;
	}
}
if (!$res) {
	echo "Cannot find Dolibarr's master.inc.php; set DOLIBARR_HTDOCS to the htdocs directory.\n";
	exit(2);
}

require_once __DIR__.'/../class/ticketstockcron.class.php';

if (!isModEnabled('ticketstock')) {
	echo 'The TicketStock module is not enabled in entity '.((int) $conf->entity).".\n";
	exit(2);
}

$job = new TicketStockCron($db);
$job->entity = (int) $conf->entity;
$result = $job->publishOutbox();
echo 'entity '.((int) $conf->entity).': '.($job->output !== '' ? $job->output : $job->error)."\n";
if ($result !== 0 && $job->error !== '') {
	echo 'error: '.$job->error."\n";
}
$db->close();
exit($result === 0 ? 0 : ($result > 0 ? 1 : 2));
