<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/stubs/htdocs/core/triggers/dolibarrtriggers.class.php
 * \brief   Stand-in of Dolibarr's DolibarrTriggers base class (same constructor and constants).
 */

/**
 * Base class of trigger files.
 */
abstract class DolibarrTriggers
{
	/** States of a trigger. */
	const VERSIONS = array('dev' => 'development', 'exp' => 'experimental', 'prod' => 'dolibarr');

	/** @var DoliDB */
	protected $db;

	/** @var string */
	public $name;

	/** @var string */
	public $description;

	/** @var string */
	public $version;

	/** @var string */
	public $picto;

	/** @var string */
	public $family;

	/** @var string */
	public $error;

	/** @var string[] */
	public $errors;

	/**
	 * Constructor.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct(DoliDB $db)
	{
		$this->db = $db;
		$this->name = preg_replace('/^Interface/i', '', get_class($this));
		$this->description = '';
		$this->version = self::VERSIONS['dev'];
		$this->picto = 'technic';
		$this->family = '';
		$this->error = '';
		$this->errors = array();
	}

	/**
	 * Called for every business event.
	 *
	 * @param	string			$action		Event code
	 * @param	CommonObject	$object		Object
	 * @param	User			$user		User
	 * @param	Translate		$langs		Languages
	 * @param	Conf			$conf		Configuration
	 * @return	int
	 */
	abstract public function runTrigger($action, $object, User $user, Translate $langs, Conf $conf);
}
