<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockticketservice.class.php
 * \ingroup ticketstock
 * \brief   Creates the ticket of a stock movement in one transaction, idempotent on track_id.
 *
 * Ticket::create() computes the ref from the numbering module before inserting, so two creates
 * at once can pick the same ref and one fails on uk_ticket_ref: that attempt is rolled back and
 * run again in a new transaction, which sees the other ticket and picks the next ref. A failure
 * on uk_ticket_track_id means another call created this very ticket: its ticket is answered.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';
require_once __DIR__.'/ticketstockticketrequest.class.php';
require_once __DIR__.'/ticketstockcatalog.class.php';
require_once __DIR__.'/ticketstocksettings.class.php';

/**
 * The movement the request names does not exist.
 */
class TicketStockNotFoundException extends TicketStockException
{
}

/**
 * Ticket creation for POST /ticketstock/tickets.
 */
class TicketStockTicketService
{
	/** Retries after a collision on the ticket numbering. */
	const MAX_REF_RETRIES = 5;

	/** Collision kinds of a failed insert. */
	const COLLISION_REF = 'ref';
	const COLLISION_TRACK_ID = 'track_id';

	/** @var DoliDB */
	private $db;

	/** @var TicketStockSettings */
	private $settings;

	/** @var TicketStockCatalog */
	private $catalog;

	/** @var callable(string, int): void */
	private $logger;

	/**
	 * Create the service.
	 *
	 * @param	DoliDB					$db			Database handler
	 * @param	TicketStockSettings		$settings	Settings of the entity
	 * @param	callable				$logger		function (string $line, int $level)
	 */
	public function __construct($db, TicketStockSettings $settings, $logger)
	{
		$this->db = $db;
		$this->settings = $settings;
		$this->catalog = new TicketStockCatalog($db);
		$this->logger = $logger;
	}

	/**
	 * Replace the keys only the ticket's existence defines.
	 *
	 * @param	string		$text	Subject or message
	 * @param	string		$ref	Ticket ref
	 * @param	?int		$id		Ticket id; null leaves __ID__ as written
	 * @return	string
	 */
	public static function substitute($text, $ref, $id)
	{
		$pairs = array('__TICKET_REF__' => $ref, '__REF__' => $ref);
		if ($id !== null) {
			$pairs['__ID__'] = (string) $id;
		}
		return strtr($text, $pairs);
	}

	/**
	 * Which unique key a failed ticket insert collided with.
	 *
	 * @param	string	$error	Errors of Ticket::create() and of the database handler
	 * @return	string			self::COLLISION_REF, self::COLLISION_TRACK_ID or '' for anything else
	 */
	public static function collisionKind($error)
	{
		if (stripos($error, 'uk_ticket_track_id') !== false) {
			return self::COLLISION_TRACK_ID;
		}
		if (stripos($error, 'uk_ticket_ref') !== false) {
			return self::COLLISION_REF;
		}
		return '';
	}

	/**
	 * Create the ticket, or answer the existing one with that track_id.
	 *
	 * @param	TicketStockTicketRequest	$request	Validated request
	 * @param	User						$user		API user
	 * @param	int							$entity		Entity of the request
	 * @return	array								ticket-create-response.v1
	 * @throws	TicketStockNotFoundException		When the movement does not exist
	 * @throws	TicketStockException				When the ticket cannot be created
	 */
	public function create(TicketStockTicketRequest $request, User $user, $entity)
	{
		$movement = $this->catalog->movement($request->movementId);
		if ($movement === null) {
			throw new TicketStockNotFoundException('Stock movement '.$request->movementId.' not found');
		}

		for ($attempt = 1; $attempt <= self::MAX_REF_RETRIES + 1; $attempt++) {
			$existing = $this->findByTrackId($request->trackId);
			if ($existing !== null) {
				$this->log($request, $entity, 'existing ticket='.$existing['ref'], LOG_INFO);
				return $this->answer($existing, false);
			}

			$result = $this->attempt($request, $movement, $user, $entity);
			if ($result['kind'] === 'created') {
				$outcome = 'created ticket='.$result['ticket']['ref'].' attempt='.$attempt;
				$this->log($request, $entity, $outcome, LOG_INFO);
				return $this->answer($result['ticket'], true);
			}
			if ($result['kind'] === self::COLLISION_TRACK_ID) {
				continue;
			}
			if ($result['kind'] !== self::COLLISION_REF) {
				$this->log($request, $entity, 'error error="'.$result['error'].'"', LOG_ERR);
				throw new TicketStockException('cannot create the ticket: '.$result['error']);
			}
			$outcome = 'ref_collision attempt='.$attempt.' limit='.(self::MAX_REF_RETRIES + 1);
			$this->log($request, $entity, $outcome, LOG_WARNING);
			usleep(random_int(10000, 50000) * $attempt);
		}

		$existing = $this->findByTrackId($request->trackId);
		if ($existing !== null) {
			return $this->answer($existing, false);
		}
		throw new TicketStockException('the ticket numbering kept colliding after '.(self::MAX_REF_RETRIES + 1)
			.' attempts; try again');
	}

	/**
	 * One transaction: ticket, assignee, contacts, links.
	 *
	 * @param	TicketStockTicketRequest	$request	Validated request
	 * @param	array						$movement	Movement row from the catalog
	 * @param	User						$user		API user
	 * @param	int							$entity		Entity
	 * @return	array		{kind: created|ref|track_id|error, ticket?: array, error?: string}
	 */
	private function attempt(TicketStockTicketRequest $request, array $movement, User $user, $entity)
	{
		require_once DOL_DOCUMENT_ROOT.'/ticket/class/ticket.class.php';

		$assigneeId = null;
		if ($request->assigneeId !== null && $this->catalog->activeUserIds(array($request->assigneeId))) {
			$assigneeId = $request->assigneeId;
		} elseif ($request->assigneeId !== null) {
			$outcome = 'assignee_skipped user='.$request->assigneeId.' reason=not_active';
			$this->log($request, $entity, $outcome, LOG_WARNING);
		}
		$origin = $this->origin($movement);
		$keepAdminMail = $this->settings->keepAdminNotification();

		$this->db->begin();
		$ticket = new Ticket($this->db);
		$ticket->entity = $entity;
		$ticket->ref = $ticket->getDefaultRef();
		$ticket->track_id = $request->trackId;
		$ticket->subject = mb_substr(self::substitute($request->subject, $ticket->ref, null), 0, 255, 'UTF-8');
		$ticket->message = mb_substr(self::substitute($request->message, $ticket->ref, null), 0, 65000, 'UTF-8');
		$ticket->type_code = $request->typeCode;
		$ticket->severity_code = $request->severityCode;
		$ticket->category_code = $request->categoryCode;
		$ticket->fk_soc = $origin['thirdparty_id'];
		$ticket->fk_project = $movement['project_id'] > 0 ? $movement['project_id'] : 0;
		$ticket->notify_tiers_at_create = 0;
		$ticket->status = $assigneeId !== null ? Ticket::STATUS_ASSIGNED : Ticket::STATUS_NOT_READ;
		if ($keepAdminMail) {
			// Assigned after create, without trigger, so that only TICKET_NOTIFICATION_EMAIL_TO is mailed.
			$ticket->fk_user_assign = 0;
		} else {
			$ticket->context['disableticketemail'] = 1;
			$ticket->fk_user_assign = $assigneeId !== null ? $assigneeId : 0;
		}

		$ticketId = $ticket->create($user);
		if ($ticketId <= 0) {
			$error = trim($ticket->error.' '.implode(' ', (array) $ticket->errors).' '.$this->db->lasterror());
			$this->db->rollback();
			$kind = self::collisionKind($error);
			return array('kind' => $kind !== '' ? $kind : 'error', 'error' => $error);
		}

		$error = $this->complete($ticket, $request, $assigneeId, $keepAdminMail, $origin, $user);
		if ($error !== '') {
			$this->db->rollback();
			return array('kind' => 'error', 'error' => $error);
		}
		$this->db->commit();

		$created = $this->findByTrackId($request->trackId);
		if ($created === null) {
			return array('kind' => 'error', 'error' => 'the ticket is not readable after commit');
		}
		return array('kind' => 'created', 'ticket' => $created);
	}

	/**
	 * Everything after the insert: __ID__, assignee in keep-admin-mail mode, contacts, links.
	 *
	 * @param	Ticket						$ticket			The new ticket
	 * @param	TicketStockTicketRequest	$request		Validated request
	 * @param	?int						$assigneeId		Active assignee
	 * @param	bool						$keepAdminMail	Whether the assignee is set after create
	 * @param	array						$origin			Result of origin()
	 * @param	User						$user			API user
	 * @return	string						'' when done, else the error
	 */
	private function complete($ticket, TicketStockTicketRequest $request, $assigneeId, $keepAdminMail, array $origin,
		User $user)
	{
		$subject = mb_substr(self::substitute($ticket->subject, $ticket->ref, $ticket->id), 0, 255, 'UTF-8');
		$message = mb_substr(self::substitute($ticket->message, $ticket->ref, $ticket->id), 0, 65000, 'UTF-8');
		if ($subject !== $ticket->subject || $message !== $ticket->message) {
			$sql = 'UPDATE '.MAIN_DB_PREFIX."ticket SET subject = '".$this->db->escape($subject)."',";
			$sql .= " message = '".$this->db->escape($message)."' WHERE rowid = ".((int) $ticket->id);
			if (!$this->db->query($sql)) {
				return 'cannot write the ticket text: '.$this->db->lasterror();
			}
		}

		if ($keepAdminMail && $assigneeId !== null) {
			if ($ticket->assignUser($user, $assigneeId, 1) < 0) {
				return 'cannot assign the ticket: '.$ticket->error;
			}
			if ($ticket->add_contact($assigneeId, 'SUPPORTTEC', 'internal') < 0) {
				return 'cannot add the assignee as contact: '.$ticket->error;
			}
		}

		$role = $this->settings->contactRole();
		$contactIds = $this->catalog->activeUserIds($request->contactIds);
		foreach (array_diff($request->contactIds, $contactIds) as $skipped) {
			$this->log($request, $ticket->entity, 'contact_skipped user='.$skipped.' reason=not_active', LOG_WARNING);
		}
		foreach ($contactIds as $contactId) {
			if ($ticket->add_contact($contactId, $role, 'internal') < 0) {
				return 'cannot add contact '.$contactId.': '.$ticket->error;
			}
		}

		if ($origin['type'] !== '') {
			if ($ticket->add_object_linked($origin['type'], $origin['id'], $user) <= 0) {
				// The ticket stays useful without the link; a missing link must not block its creation.
				$outcome = 'link_skipped origin='.$origin['type'].'#'.$origin['id'];
				$this->log($request, $ticket->entity, $outcome, LOG_WARNING);
			}
		}
		return '';
	}

	/**
	 * Origin document of a movement and its third party.
	 *
	 * @param	array	$movement	Movement row from the catalog
	 * @return	array{type: string, id: int, thirdparty_id: int}
	 */
	private function origin(array $movement)
	{
		$none = array('type' => '', 'id' => 0, 'thirdparty_id' => 0);
		if ($movement['origin_type'] === '' || $movement['origin_id'] <= 0) {
			return $none;
		}
		$origin = array('type' => $movement['origin_type'], 'id' => $movement['origin_id'], 'thirdparty_id' => 0);
		if (!function_exists('fetchObjectByElement')) {
			return $origin;
		}
		try {
			$document = fetchObjectByElement($movement['origin_id'], $movement['origin_type']);
		} catch (Throwable $e) {
			$document = null;
		}
		if (!is_object($document)) {
			return $origin;
		}
		if (!empty($document->socid)) {
			$origin['thirdparty_id'] = (int) $document->socid;
		} elseif (!empty($document->fk_soc)) {
			$origin['thirdparty_id'] = (int) $document->fk_soc;
		}
		return $origin;
	}

	/**
	 * A ticket by track id, in any entity.
	 *
	 * @param	string	$trackId	Track id
	 * @return	?array				{id, ref, track_id, entity, subject, message, fk_user_assign}
	 */
	private function findByTrackId($trackId)
	{
		$sql = 'SELECT rowid, ref, track_id, entity, subject, message, fk_user_assign FROM '.MAIN_DB_PREFIX.'ticket';
		$sql .= " WHERE track_id = '".$this->db->escape($trackId)."'";
		$resql = $this->db->query($sql);
		if (!$resql) {
			throw new TicketStockException('cannot read tickets: '.$this->db->lasterror());
		}
		$obj = $this->db->fetch_object($resql);
		$this->db->free($resql);
		if (!$obj) {
			return null;
		}
		return array(
			'id' => (int) $obj->rowid,
			'ref' => (string) $obj->ref,
			'track_id' => (string) $obj->track_id,
			'entity' => (int) $obj->entity,
			'subject' => (string) $obj->subject,
			'message' => (string) $obj->message,
			'fk_user_assign' => ((int) $obj->fk_user_assign) > 0 ? (int) $obj->fk_user_assign : null,
		);
	}

	/**
	 * ticket-create-response.v1 for a ticket.
	 *
	 * @param	array	$ticket		Result of findByTrackId()
	 * @param	bool	$created	Whether this call made it
	 * @return	array
	 */
	private function answer(array $ticket, $created)
	{
		$sql = 'SELECT DISTINCT ec.fk_socpeople FROM '.MAIN_DB_PREFIX.'element_contact as ec';
		$sql .= ' INNER JOIN '.MAIN_DB_PREFIX.'c_type_contact as tc ON tc.rowid = ec.fk_c_type_contact';
		$sql .= " WHERE tc.element = 'ticket' AND tc.source = 'internal' AND ec.element_id = ".((int) $ticket['id']);
		$sql .= ' ORDER BY ec.fk_socpeople';
		$resql = $this->db->query($sql);
		if (!$resql) {
			throw new TicketStockException('cannot read the ticket contacts: '.$this->db->lasterror());
		}
		$contactIds = array();
		while ($obj = $this->db->fetch_object($resql)) {
			$contactIds[] = (int) $obj->fk_socpeople;
		}
		$this->db->free($resql);

		return array(
			'id' => $ticket['id'],
			'ref' => $ticket['ref'],
			'track_id' => $ticket['track_id'],
			'created' => (bool) $created,
			'entity' => $ticket['entity'],
			'subject' => $ticket['subject'],
			'message' => $ticket['message'],
			'fk_user_assign' => $ticket['fk_user_assign'],
			'contact_ids' => $contactIds,
		);
	}

	/**
	 * Log one line about this request.
	 *
	 * @param	TicketStockTicketRequest	$request	Request
	 * @param	int							$entity		Entity
	 * @param	string						$outcome	Outcome and extra fields
	 * @param	int							$level		LOG_* level
	 * @return	void
	 */
	private function log(TicketStockTicketRequest $request, $entity, $outcome, $level)
	{
		call_user_func($this->logger, sprintf('ticketstock.ticket track_id=%s movement=%d entity=%d outcome=%s',
			$request->trackId, $request->movementId, $entity, $outcome), $level);
	}
}
