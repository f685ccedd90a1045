<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/stubs/htdocs/ticket/class/ticket.class.php
 * \brief   Stand-in of Dolibarr's Ticket: the methods the module calls, same signatures.
 *
 * Tickets and contacts go to $GLOBALS['ticketstock_test_tickets'] and
 * $GLOBALS['ticketstock_test_contacts'], which the test database stand-in reads back.
 * $GLOBALS['ticketstock_test_create_failures'] lists the failures the next create() calls
 * return: 'ref' (collision on uk_ticket_ref) or 'track_id' (another call created the ticket).
 */

/**
 * Ticket stand-in.
 */
class Ticket
{
	const STATUS_NOT_READ = 0;
	const STATUS_READ = 1;
	const STATUS_ASSIGNED = 2;

	/** @var DoliDB */
	public $db;

	/** @var int */
	public $id;

	/** @var int */
	public $entity;

	/** @var string */
	public $ref;

	/** @var string */
	public $track_id;

	/** @var string */
	public $subject;

	/** @var string */
	public $message;

	/** @var string */
	public $type_code;

	/** @var string */
	public $severity_code;

	/** @var string */
	public $category_code;

	/** @var int */
	public $fk_soc;

	/** @var int */
	public $fk_project;

	/** @var int */
	public $fk_user_assign;

	/** @var int */
	public $notify_tiers_at_create;

	/** @var int */
	public $status;

	/** @var array */
	public $context = array();

	/** @var string */
	public $error = '';

	/** @var string[] */
	public $errors = array();

	/**
	 * Constructor.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
		$this->db = $db;
	}

	/**
	 * Next ref of the numbering module (what a concurrent caller would also compute).
	 *
	 * @param	?object		$thirdparty		Third party
	 * @return	string
	 */
	public function getDefaultRef($thirdparty = null)
	{
		return sprintf('TS2612-%04d', count($GLOBALS['ticketstock_test_tickets']) + 1);
	}

	/**
	 * Insert the ticket, in a nested transaction like the real one.
	 *
	 * @param	User	$user		Creator
	 * @param	int		$notrigger	1 to skip TICKET_CREATE
	 * @return	int					Id, or < 0
	 */
	public function create($user, $notrigger = 0)
	{
		$this->db->begin();
		$failure = array_shift($GLOBALS['ticketstock_test_create_failures']);
		if ($failure === 'ref') {
			$this->errors[] = "Error Duplicate entry '".$this->ref."-1' for key 'uk_ticket_ref'";
			$this->db->rollback();
			return -1;
		}
		if ($failure === 'track_id') {
			self::store(array('ref' => 'TS2612-9999', 'track_id' => $this->track_id, 'entity' => 1, 'subject' => 'won',
				'message' => 'won', 'fk_user_assign' => null, 'context' => array(), 'status' => 0,
				'notify_tiers_at_create' => 1));
			$this->errors[] = "Error Duplicate entry '".$this->track_id."' for key 'uk_ticket_track_id'";
			$this->db->rollback();
			return -1;
		}
		$this->subject = trim($this->subject);
		$this->message = trim($this->message);
		$this->id = self::store(array('ref' => $this->ref, 'track_id' => $this->track_id, 'entity' => $this->entity,
			'subject' => $this->subject, 'message' => $this->message,
			'fk_user_assign' => $this->fk_user_assign > 0 ? $this->fk_user_assign : null, 'context' => $this->context,
			'status' => $this->status, 'notify_tiers_at_create' => $this->notify_tiers_at_create,
			'type_code' => $this->type_code, 'fk_soc' => $this->fk_soc));
		if ($this->fk_user_assign > 0) {
			$this->add_contact($this->fk_user_assign, 'SUPPORTTEC', 'internal');
		}
		$this->db->commit();
		return $this->id;
	}

	/**
	 * Assign the ticket.
	 *
	 * @param	User	$user				User
	 * @param	int		$id_assign_user		Assignee
	 * @param	int		$notrigger			1 to skip TICKET_ASSIGNED
	 * @return	int
	 */
	public function assignUser($user, $id_assign_user, $notrigger = 0)
	{
		$GLOBALS['ticketstock_test_tickets'][$this->id]['fk_user_assign'] = $id_assign_user;
		$GLOBALS['ticketstock_test_tickets'][$this->id]['status'] = self::STATUS_ASSIGNED;
		$GLOBALS['ticketstock_test_tickets'][$this->id]['assign_notrigger'] = $notrigger;
		return 1;
	}

	/**
	 * Link a contact.
	 *
	 * @param	int			$fk_socpeople	User id for internal contacts
	 * @param	int|string	$type_contact	Contact type code
	 * @param	string		$source			internal or external
	 * @param	int			$notrigger		1 to skip the trigger
	 * @return	int							1, 0 when already linked
	 */
	public function add_contact($fk_socpeople, $type_contact, $source = 'external', $notrigger = 0)
	{
		$key = $this->id.'/'.$fk_socpeople.'/'.$type_contact.'/'.$source;
		if (isset($GLOBALS['ticketstock_test_contacts'][$key])) {
			return 0;
		}
		$GLOBALS['ticketstock_test_contacts'][$key] = array('ticket' => $this->id, 'user' => (int) $fk_socpeople,
			'code' => $type_contact, 'source' => $source);
		return 1;
	}

	/**
	 * Link an object.
	 *
	 * @param	?string		$origin		Element type
	 * @param	?int		$origin_id	Element id
	 * @param	?User		$f_user		User
	 * @param	int			$notrigger	1 to skip the trigger
	 * @return	int
	 */
	public function add_object_linked($origin = null, $origin_id = null, $f_user = null, $notrigger = 0)
	{
		$GLOBALS['ticketstock_test_links'][] = array($origin, (int) $origin_id, $this->id);
		return 1;
	}

	/**
	 * Store a ticket row.
	 *
	 * @param	array	$row	Columns
	 * @return	int				Id
	 */
	private static function store(array $row)
	{
		$id = count($GLOBALS['ticketstock_test_tickets']) + 1;
		$GLOBALS['ticketstock_test_tickets'][$id] = array_merge(array('rowid' => $id), $row);
		return $id;
	}
}
