<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/admin/setup.php
 * \ingroup ticketstock
 * \brief   Setup page: what to watch, what tickets look like, the broker, the outbox.
 *
 * Admin only. Every action is a POST carrying the session's CSRF token; every setting is saved
 * for the current entity. The broker password is stored encrypted and never printed back.
 */

// Find main.inc.php from where the web server says the page is, which also works when the module
// directory is a symbolic link into htdocs/custom.
$res = 0;
$candidates = array();
foreach (array('CONTEXT_DOCUMENT_ROOT', 'DOCUMENT_ROOT') as $key) {
	if (!empty($_SERVER[$key])) {
		$candidates[] = $_SERVER[$key].'/main.inc.php';
	}
}
$scriptDir = dirname(empty($_SERVER['SCRIPT_FILENAME']) ? __FILE__ : $_SERVER['SCRIPT_FILENAME']);
$candidates[] = $scriptDir.'/../../main.inc.php';
$candidates[] = $scriptDir.'/../../../main.inc.php';
foreach ($candidates as $candidate) {
	if (!$res && is_file($candidate)) {
		$res = @include $candidate;
	}
}
if (!$res) {
	die('Include of main fails');
}

require_once DOL_DOCUMENT_ROOT.'/core/lib/admin.lib.php';
require_once DOL_DOCUMENT_ROOT.'/core/lib/security.lib.php';
require_once DOL_DOCUMENT_ROOT.'/core/class/html.form.class.php';
require_once __DIR__.'/../lib/ticketstock.lib.php';
require_once __DIR__.'/../class/ticketstockruntime.class.php';
require_once __DIR__.'/../class/ticketstockcatalog.class.php';
require_once __DIR__.'/../class/ticketstocksetupform.class.php';

/**
 * @var Conf $conf
 * @var DoliDB $db
 * @var Translate $langs
 * @var User $user
 */

$langs->loadLangs(array('admin', 'ticket', 'ticketstock@ticketstock'));

if (!$user->admin) {
	accessforbidden();
}

$action = GETPOST('action', 'aZ09');
if ($action !== '' && ($_SERVER['REQUEST_METHOD'] !== 'POST' || GETPOST('token', 'alpha') !== currentToken())) {
	accessforbidden($langs->trans('TicketStockBadToken'));
}

$entity = (int) $conf->entity;
$catalog = new TicketStockCatalog($db);
$selfUrl = $_SERVER['PHP_SELF'];


/*
 * Actions
 */

if ($action === 'update') {
	$posted = array(
		'warehouses' => GETPOST('warehouses', 'array'),
		'assignee' => GETPOST('assignee', 'int'),
		'contact_group' => GETPOST('contact_group', 'int'),
		'contact_role' => GETPOST('contact_role', 'aZ09'),
		'ticket_type' => GETPOST('ticket_type', 'alphanohtml'),
		'ticket_severity' => GETPOST('ticket_severity', 'alphanohtml'),
		'ticket_category' => GETPOST('ticket_category', 'alphanohtml'),
		'subject' => GETPOST('subject', 'alphanohtml'),
		'content' => GETPOST('content', 'restricthtml'),
		'keep_admin_notification' => GETPOST('keep_admin_notification', 'alpha'),
		'broker_host' => GETPOST('broker_host', 'alphanohtml'),
		'broker_port' => GETPOST('broker_port', 'alphanohtml'),
		'broker_vhost' => GETPOST('broker_vhost', 'alphanohtml'),
		'broker_login' => GETPOST('broker_login', 'alphanohtml'),
		'broker_tls' => GETPOST('broker_tls', 'alpha'),
		'broker_ca_file' => GETPOST('broker_ca_file', 'alphanohtml'),
		'broker_verify_peer' => GETPOST('broker_verify_peer', 'alpha'),
		'broker_exchange' => GETPOST('broker_exchange', 'alphanohtml'),
		'broker_timeout' => GETPOST('broker_timeout', 'alphanohtml'),
		'broker_pause' => GETPOST('broker_pause', 'alphanohtml'),
		'broker_probe' => GETPOST('broker_probe', 'alpha'),
		'purge_days' => GETPOST('purge_days', 'alphanohtml'),
	);
	list($values, $errors) = TicketStockSetupForm::validate($posted, $catalog->setupChoices($entity));

	if ($errors) {
		setEventMessages($langs->trans('TicketStockSetupNotSaved'), $errors, 'errors');
	} else {
		$failed = 0;
		$db->begin();
		foreach ($values as $name => $value) {
			if (dolibarr_set_const($db, $name, $value, 'chaine', 0, '', $entity) < 0) {
				$failed++;
			}
		}
		$password = GETPOST('broker_password', 'none');
		if (GETPOST('broker_password_clear', 'alpha')) {
			if (dolibarr_del_const($db, 'TICKETSTOCK_BROKER_PASSWORD', $entity) < 0) {
				$failed++;
			}
		} elseif ($password !== '') {
			$encrypted = dolEncrypt($password);
			if (dolibarr_set_const($db, 'TICKETSTOCK_BROKER_PASSWORD', $encrypted, 'chaine', 0, '', $entity) < 0) {
				$failed++;
			}
		}
		if ($failed) {
			$db->rollback();
			setEventMessages($langs->trans('TicketStockSetupNotSaved'), array($db->lasterror()), 'errors');
		} else {
			$db->commit();
			setEventMessages($langs->trans('SetupSaved'), null, 'mesgs');
			header('Location: '.$selfUrl);
			exit;
		}
	}
}

if ($action === 'testconnection') {
	$settings = TicketStockSettings::fromConf();
	$publisher = new TicketStockAmqpPublisher($settings->broker(), TicketStockRuntime::appId(), true);
	try {
		setEventMessages($langs->trans('TicketStockConnectionOk', $publisher->check()), null, 'mesgs');
	} catch (TicketStockPublishException $e) {
		setEventMessages($langs->trans('TicketStockConnectionFailed', $e->getMessage()), null, 'errors');
	}
	$publisher->close();
	header('Location: '.$selfUrl);
	exit;
}

if ($action === 'publishnow') {
	$settings = TicketStockSettings::fromConf();
	try {
		$summary = TicketStockRuntime::relay($db, $settings, false)
			->publishDue($entity, TicketStockRuntime::BATCH_SIZE, time(), true);
		$text = $langs->trans('TicketStockPublished', $summary['sent'], $summary['failed'], $summary['discarded']);
		setEventMessages($text, $summary['error'] === null ? null : array($summary['error']),
			$summary['failed'] > 0 ? 'warnings' : 'mesgs');
	} catch (Throwable $e) {
		setEventMessages($langs->trans('TicketStockPublishFailed', $e->getMessage()), null, 'errors');
	}
	header('Location: '.$selfUrl);
	exit;
}


/*
 * View
 */

$form = new Form($db);
$settings = TicketStockSettings::fromConf();
$broker = $settings->broker();
$codes = $settings->ticketCodes();

/**
 * Print one row of a two-column table.
 *
 * @param	string	$label	Translated label
 * @param	string	$input	HTML of the value or input
 * @param	string	$help	Translated help, '' for none
 * @return	void
 */
function ticketstockSetupRow($label, $input, $help = '')
{
	print '<tr class="oddeven"><td class="titlefieldcreate">'.$label;
	if ($help !== '') {
		print '<br><span class="opacitymedium small">'.$help.'</span>';
	}
	print '</td><td>'.$input.'</td></tr>'."\n";
}

/**
 * Print the title row of a settings section.
 *
 * @param	string	$title	Translated title
 * @return	void
 */
function ticketstockSetupSection($title)
{
	print '<tr class="liste_titre"><td colspan="2">'.$title.'</td></tr>'."\n";
}

/**
 * A text input.
 *
 * @param	string	$name		Field name
 * @param	string	$value		Current value
 * @param	string	$morecss	CSS classes
 * @return	string
 */
function ticketstockInput($name, $value, $morecss = 'minwidth300')
{
	return '<input type="text" class="flat '.$morecss.'" name="'.$name.'" value="'.dol_escape_htmltag($value).'">';
}

/**
 * Translated name of an outbox status.
 *
 * @param	Translate	$langs		Languages
 * @param	int			$status		Outbox status
 * @return	string
 */
function ticketstockStatusLabel($langs, $status)
{
	return $langs->trans('TicketStockStatus'.ucfirst(TicketStockOutboxState::label($status)));
}

llxHeader('', $langs->trans('TicketStockSetup'), '', '', 0, 0, '', '', '', 'mod-ticketstock page-admin');

$linkback = '<a href="'.DOL_URL_ROOT.'/admin/modules.php?restore_lastsearch_values=1">'
	.$langs->trans('BackToModuleList').'</a>';
print load_fiche_titre($langs->trans('TicketStockSetup'), $linkback, 'title_setup');
print dol_get_fiche_head(ticketstockAdminPrepareHead(), 'settings', '', -1, 'stock');

if (!TicketStockAmqpPublisher::isAvailable()) {
	print info_admin($langs->trans('TicketStockAmqpMissing'), 0, 0, 'error');
}
print '<span class="opacitymedium">'.$langs->trans('TicketStockSetupIntro').'</span><br><br>';

print '<form method="POST" action="'.$selfUrl.'">';
print '<input type="hidden" name="token" value="'.newToken().'">';
print '<input type="hidden" name="action" value="update">';
print '<table class="noborder centpercent">';

ticketstockSetupSection($langs->trans('TicketStockSectionEvents'));
$warehouseChoices = array();
foreach ($catalog->warehousesOfEntity($entity) as $warehouse) {
	$warehouseChoices[$warehouse['id']] = $warehouse['ref'].($warehouse['label'] ? ' - '.$warehouse['label'] : '');
}
$input = Form::multiselectarray('warehouses', $warehouseChoices, $settings->warehouseIds(), 0, 0, 'minwidth300');
ticketstockSetupRow($langs->trans('TicketStockWarehouses'), $input, $langs->trans('TicketStockWarehousesHelp'));

ticketstockSetupSection($langs->trans('TicketStockSectionTickets'));
$input = $form->select_dolusers((string) $settings->assigneeId(), 'assignee', 1, null, 0, '', '', (string) $entity);
ticketstockSetupRow($langs->trans('TicketStockAssignee'), $input);
$input = $form->select_dolgroups((int) $settings->groupId(), 'contact_group', 1);
ticketstockSetupRow($langs->trans('TicketStockContactGroup'), $input, $langs->trans('TicketStockContactGroupHelp'));
$roles = array(
	'CONTRIBUTOR' => $langs->trans('TicketStockRoleContributor'),
	'SUPPORTTEC' => $langs->trans('TicketStockRoleManager'),
);
ticketstockSetupRow($langs->trans('TicketStockContactRole'),
	Form::selectarray('contact_role', $roles, $settings->contactRole()));
$dictionaries = array(
	'type' => 'TicketStockTicketType',
	'severity' => 'TicketStockTicketSeverity',
	'category' => 'TicketStockTicketCategory',
);
foreach ($dictionaries as $dictionary => $labelKey) {
	$entries = $catalog->ticketDictionary($dictionary, $entity, $langs);
	$input = Form::selectarray('ticket_'.$dictionary, $entries, $codes[$dictionary], 1);
	ticketstockSetupRow($langs->trans($labelKey), $input);
}
ticketstockSetupRow($langs->trans('TicketStockSubject'),
	ticketstockInput('subject', $settings->subject(), 'quatrevingtpercent'));
ticketstockSetupRow($langs->trans('TicketStockContent'), '<textarea class="flat quatrevingtpercent" rows="8"'
	.' name="content">'.dol_escape_htmltag($settings->content()).'</textarea>');
$keys = '';
foreach (ticketstockSubstitutionKeys() as $key => $descriptionKey) {
	$keys .= '<code>'.$key.'</code> '.$langs->trans($descriptionKey).'<br>';
}
ticketstockSetupRow($langs->trans('TicketStockSubstitutions'), '<span class="small">'.$keys.'</span>',
	$langs->trans('TicketStockSubstitutionsHelp'));
$input = $form->selectyesno('keep_admin_notification', $settings->keepAdminNotification() ? '1' : '0', 1);
ticketstockSetupRow($langs->trans('TicketStockKeepAdminNotification'), $input,
	$langs->trans('TicketStockKeepAdminNotificationHelp'));

ticketstockSetupSection($langs->trans('TicketStockSectionBroker'));
ticketstockSetupRow($langs->trans('TicketStockBrokerHost'), ticketstockInput('broker_host', $broker['host']));
ticketstockSetupRow($langs->trans('TicketStockBrokerPort'),
	ticketstockInput('broker_port', (string) $broker['port'], 'width75'));
ticketstockSetupRow($langs->trans('TicketStockBrokerVhost'), ticketstockInput('broker_vhost', $broker['vhost']));
ticketstockSetupRow($langs->trans('TicketStockBrokerLogin'), ticketstockInput('broker_login', $broker['login']));
$passwordSet = $broker['password'] !== '';
$placeholder = $langs->trans($passwordSet ? 'TicketStockPasswordKept' : 'TicketStockPasswordNone');
$input = '<input type="password" class="flat minwidth300" name="broker_password" value=""'
	.' autocomplete="new-password" placeholder="'.dol_escape_htmltag($placeholder).'">';
if ($passwordSet) {
	$input .= ' <label><input type="checkbox" name="broker_password_clear" value="1"> '
		.$langs->trans('TicketStockPasswordClear').'</label>';
}
ticketstockSetupRow($langs->trans('TicketStockBrokerPassword'), $input,
	$langs->trans('TicketStockBrokerPasswordHelp'));
ticketstockSetupRow($langs->trans('TicketStockBrokerTls'),
	$form->selectyesno('broker_tls', $broker['tls'] ? '1' : '0', 1));
ticketstockSetupRow($langs->trans('TicketStockBrokerCaFile'), ticketstockInput('broker_ca_file', $broker['ca_file']),
	$langs->trans('TicketStockBrokerCaFileHelp'));
ticketstockSetupRow($langs->trans('TicketStockBrokerVerifyPeer'),
	$form->selectyesno('broker_verify_peer', $broker['verify_peer'] ? '1' : '0', 1));
ticketstockSetupRow($langs->trans('TicketStockBrokerExchange'),
	ticketstockInput('broker_exchange', $broker['exchange']), $langs->trans('TicketStockBrokerExchangeHelp'));
ticketstockSetupRow($langs->trans('TicketStockBrokerTimeout'),
	ticketstockInput('broker_timeout', (string) $broker['timeout'], 'width75'),
	$langs->trans('TicketStockBrokerTimeoutHelp'));
ticketstockSetupRow($langs->trans('TicketStockBrokerPause'),
	ticketstockInput('broker_pause', (string) $settings->pauseSeconds(), 'width75'),
	$langs->trans('TicketStockBrokerPauseHelp'));
ticketstockSetupRow($langs->trans('TicketStockBrokerProbe'),
	$form->selectyesno('broker_probe', $settings->probeBroker() ? '1' : '0', 1),
	$langs->trans('TicketStockBrokerProbeHelp'));

ticketstockSetupSection($langs->trans('TicketStockSectionOutbox'));
ticketstockSetupRow($langs->trans('TicketStockPurgeDays'),
	ticketstockInput('purge_days', (string) $settings->purgeDays(), 'width75'),
	$langs->trans('TicketStockPurgeDaysHelp'));
print '</table>';

print '<div class="center"><input type="submit" class="button button-save" value="'.$langs->trans('Save').'"></div>';
print '</form><br>';

print '<div class="center">';
$buttons = array('testconnection' => 'TicketStockTestConnection', 'publishnow' => 'TicketStockPublishNow');
foreach ($buttons as $button => $key) {
	print '<form method="POST" action="'.$selfUrl.'" class="inline-block">';
	print '<input type="hidden" name="token" value="'.newToken().'">';
	print '<input type="hidden" name="action" value="'.$button.'">';
	print '<input type="submit" class="button" value="'.dol_escape_htmltag($langs->trans($key)).'"></form> ';
}
print '</div><br>';

print load_fiche_titre($langs->trans('TicketStockOutboxState'), '', '');
$outbox = new TicketStockOutbox($db);
print '<table class="noborder centpercent">';
print '<tr class="liste_titre"><td>'.$langs->trans('Status').'</td>';
print '<td class="right">'.$langs->trans('Number').'</td></tr>';
foreach ($outbox->countByStatus($entity) as $status => $count) {
	print '<tr class="oddeven"><td>'.ticketstockStatusLabel($langs, $status).'</td>';
	print '<td class="right">'.((int) $count).'</td></tr>';
}
print '</table><br>';

$health = TicketStockRuntime::health();
$lastError = $health->lastError($entity);
print '<table class="noborder centpercent">';
ticketstockSetupSection($langs->trans('TicketStockLastError'));
if ($lastError) {
	$when = dol_print_date($lastError['at'], 'dayhoursec').' ('.dol_escape_htmltag($lastError['where']).')';
	ticketstockSetupRow($when, dol_escape_htmltag($lastError['message']));
} else {
	print '<tr class="oddeven"><td colspan="2"><span class="opacitymedium">'.$langs->trans('None').'</span></td></tr>';
}
if ($health->pausedUntil($entity) > time()) {
	ticketstockSetupRow($langs->trans('TicketStockPausedUntil'),
		dol_print_date($health->pausedUntil($entity), 'dayhoursec'));
}
print '</table><br>';

$rows = $outbox->latestUnsent($entity, 20);
print '<table class="noborder centpercent"><tr class="liste_titre">';
foreach (array('TicketStockEventId', 'TicketStockMovement', 'Status', 'TicketStockAttempts', 'TicketStockNextAttempt',
	'TicketStockRowError') as $key) {
	print '<td>'.$langs->trans($key).'</td>';
}
print '</tr>';
if (!$rows) {
	print '<tr class="oddeven"><td colspan="6"><span class="opacitymedium">'.$langs->trans('TicketStockNothingUnsent');
	print '</span></td></tr>';
}
foreach ($rows as $row) {
	$isOpen = in_array($row['status'], array(TicketStockOutboxState::PENDING, TicketStockOutboxState::FAILED), true);
	print '<tr class="oddeven"><td class="tdoverflowmax200">'.dol_escape_htmltag($row['event_id']).'</td>';
	print '<td>'.((int) $row['movement_id']).'</td>';
	print '<td>'.ticketstockStatusLabel($langs, $row['status']).'</td>';
	print '<td>'.((int) $row['attempts']).'</td>';
	print '<td>'.($isOpen ? dol_print_date($row['next_attempt_at'], 'dayhoursec') : '').'</td>';
	print '<td class="small">'.dol_escape_htmltag((string) $row['last_error']).'</td></tr>';
}
print '</table>';

print dol_get_fiche_end();
llxFooter();
$db->close();
