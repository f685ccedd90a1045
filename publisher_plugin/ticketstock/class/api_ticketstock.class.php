<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/api_ticketstock.class.php
 * \ingroup ticketstock
 * \brief   REST endpoints the ticket consumer calls: /ticketstock/config and /ticketstock/tickets.
 *
 * Dolibarr's api/index.php loads this file for URLs under /api/index.php/ticketstock/ and
 * registers the class named after that path segment, hence the class name TicketStock.
 * The entity is the one Dolibarr selected from DOLAPIENTITY (or the API user's entity).
 */

use Luracast\Restler\RestException;

require_once __DIR__.'/ticketstockruntime.class.php';
require_once __DIR__.'/ticketstockcatalog.class.php';
require_once __DIR__.'/ticketstockconfigreader.class.php';
require_once __DIR__.'/ticketstockticketrequest.class.php';
require_once __DIR__.'/ticketstockticketservice.class.php';

/**
 * TicketStock API.
 *
 * @access protected
 * @class  DolibarrApiAccess {@requires user,external}
 */
class TicketStock extends DolibarrApi
{
	/**
	 * Constructor.
	 */
	public function __construct()
	{
		global $db;
		$this->db = $db;
	}

	/**
	 * Get the TicketStock configuration of the entity (module-config.v1).
	 *
	 * Watched warehouses, the assignee and the contact group's active members with their emails,
	 * the ticket type, severity and category with labels in the entity's language, the subject
	 * and content templates, the ticket card URL, the entity's language and company name.
	 *
	 * @return	array	module-config.v1
	 *
	 * @url	GET /config
	 *
	 * @throws	RestException	403 Not allowed
	 * @throws	RestException	500 Internal error
	 */
	public function getConfig()
	{
		global $conf, $mysoc, $dolibarr_main_url_root;

		if (!DolibarrApiAccess::$user->hasRight('ticketstock', 'read')) {
			throw new RestException(403, 'Missing permission ticketstock read');
		}

		$language = TicketStockConfigReader::language(getDolGlobalString('MAIN_LANG_DEFAULT', 'en_US'));
		$langs = new Translate('', $conf);
		$langs->setDefaultLang($language);
		$langs->load('ticket');

		$companyName = getDolGlobalString('MAIN_INFO_SOCIETE_NOM');
		if (is_object($mysoc) && !empty($mysoc->name)) {
			$companyName = $mysoc->name;
		}
		$reader = new TicketStockConfigReader(TicketStockSettings::fromConf(), new TicketStockCatalog($this->db));
		try {
			return $reader->read(array(
				'entity' => (int) $conf->entity,
				'module_enabled' => isModEnabled('ticketstock'),
				'module_version' => TicketStockRuntime::VERSION,
				'language' => $language,
				'company_name' => (string) $companyName,
				'main_url_root' => (string) $dolibarr_main_url_root,
				'langs' => $langs,
			));
		} catch (TicketStockException $e) {
			$line = sprintf('ticketstock.config entity=%d outcome=error error="%s"', $conf->entity, $e->getMessage());
			dol_syslog($line, LOG_ERR);
			throw new RestException(500, $e->getMessage());
		}
	}

	/**
	 * Create the ticket of a stock movement (ticket-create-request.v1 / ticket-create-response.v1).
	 *
	 * One transaction: the ticket without Dolibarr's own creation mails, its assignee and
	 * contacts, its links to the movement's origin document and third party. A ticket that
	 * already has the track_id is answered with created=false and left unchanged.
	 *
	 * @param	array	$request_data	ticket-create-request.v1
	 * @return	array					ticket-create-response.v1
	 *
	 * @url	POST /tickets
	 *
	 * @throws	RestException	400 The body breaks the request schema
	 * @throws	RestException	403 Not allowed
	 * @throws	RestException	404 Stock movement not found
	 * @throws	RestException	500 Internal error
	 */
	public function postTicket($request_data = null)
	{
		global $conf;

		if (!DolibarrApiAccess::$user->hasRight('ticketstock', 'write')) {
			throw new RestException(403, 'Missing permission ticketstock write');
		}
		if (!isModEnabled('ticket')) {
			throw new RestException(503, 'The Ticket module is not enabled in entity '.((int) $conf->entity));
		}

		try {
			$request = TicketStockTicketRequest::fromArray($request_data);
		} catch (TicketStockRequestException $e) {
			throw new RestException(400, $e->getMessage());
		}

		$settings = TicketStockSettings::fromConf();
		$service = new TicketStockTicketService($this->db, $settings, TicketStockRuntime::logger());
		try {
			return $service->create($request, DolibarrApiAccess::$user, (int) $conf->entity);
		} catch (TicketStockNotFoundException $e) {
			throw new RestException(404, $e->getMessage());
		} catch (TicketStockException $e) {
			throw new RestException(500, $e->getMessage());
		}
	}
}
