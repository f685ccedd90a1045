<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/lib/ticketstock.lib.php
 * \ingroup ticketstock
 * \brief   Helpers of the module's admin pages.
 */

/**
 * Tabs of the module's setup page.
 *
 * @return	array<int, array{0: string, 1: string, 2: string}>
 */
function ticketstockAdminPrepareHead()
{
	global $langs;

	$langs->load('ticketstock@ticketstock');
	$head = array();
	$head[0][0] = dol_buildpath('/ticketstock/admin/setup.php', 1);
	$head[0][1] = $langs->trans('Settings');
	$head[0][2] = 'settings';
	return $head;
}

/**
 * The substitution keys the setup page lists, with what each one becomes.
 *
 * The consumer replaces all of them but the last three, which the ticket endpoint replaces once
 * the ticket exists (schemas/README.md).
 *
 * @return	array<string, string>	Key => lang key of its description
 */
function ticketstockSubstitutionKeys()
{
	return array(
		'__TICKET_TRACKID__' => 'TicketStockKeyTrackId',
		'__TICKET_TYPE__' => 'TicketStockKeyType',
		'__TICKET_SEVERITY__' => 'TicketStockKeySeverity',
		'__TICKET_CATEGORY__' => 'TicketStockKeyCategory',
		'__TICKET_SUBJECT__' => 'TicketStockKeySubject',
		'__TICKET_USER_ASSIGN__' => 'TicketStockKeyAssignee',
		'__MYCOMPANY_NAME__' => 'TicketStockKeyCompany',
		'__DAY__' => 'TicketStockKeyDay',
		'__MONTH__' => 'TicketStockKeyMonth',
		'__YEAR__' => 'TicketStockKeyYear',
		'__TICKETSTOCK_PRODUCT_REF__' => 'TicketStockKeyProductRef',
		'__TICKETSTOCK_PRODUCT_LABEL__' => 'TicketStockKeyProductLabel',
		'__TICKETSTOCK_QTY__' => 'TicketStockKeyQty',
		'__TICKETSTOCK_WAREHOUSE_REF__' => 'TicketStockKeyWarehouseRef',
		'__TICKETSTOCK_WAREHOUSE_LABEL__' => 'TicketStockKeyWarehouseLabel',
		'__TICKETSTOCK_BATCH__' => 'TicketStockKeyBatch',
		'__TICKETSTOCK_ORIGIN__' => 'TicketStockKeyOrigin',
		'__TICKETSTOCK_MOVEMENT_ID__' => 'TicketStockKeyMovementId',
		'__TICKETSTOCK_MOVEMENT_LABEL__' => 'TicketStockKeyMovementLabel',
		'__TICKETSTOCK_USER__' => 'TicketStockKeyUser',
		'__TICKETSTOCK_DATE__' => 'TicketStockKeyDate',
		'__TICKETSTOCK_TICKET_URL__' => 'TicketStockKeyTicketUrl',
		'__REF__' => 'TicketStockKeyRef',
		'__TICKET_REF__' => 'TicketStockKeyRef',
		'__ID__' => 'TicketStockKeyId',
	);
}
