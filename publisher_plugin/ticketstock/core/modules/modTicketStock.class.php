<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \defgroup	ticketstock	Module TicketStock
 * \brief		Publishes stock increases into watched warehouses on RabbitMQ and serves the
 *				endpoints the ticket consumer calls.
 *
 * \file		ticketstock/core/modules/modTicketStock.class.php
 * \ingroup		ticketstock
 * \brief		Descriptor of the TicketStock module.
 */

include_once DOL_DOCUMENT_ROOT.'/core/modules/DolibarrModules.class.php';
require_once __DIR__.'/../../class/ticketstockruntime.class.php';

/**
 * Descriptor of the TicketStock module.
 */
class modTicketStock extends DolibarrModules
{
	/**
	 * Constructor: names, dependencies, rights, scheduled job.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
		$this->db = $db;

		$this->numero = 591730;
		$this->rights_class = 'ticketstock';
		$this->family = 'products';
		$this->module_position = '90';
		$this->name = preg_replace('/^mod/i', '', get_class($this));
		$this->description = 'TicketStockDescription';
		$this->descriptionlong = 'TicketStockDescriptionLong';
		$this->editor_name = 'TicketStock';
		$this->editor_url = '';
		$this->version = TicketStockRuntime::VERSION;
		$this->const_name = 'MAIN_MODULE_'.strtoupper($this->name);
		$this->picto = 'stock';

		$this->module_parts = array('triggers' => 1);
		$this->dirs = array('/ticketstock/temp');
		$this->config_page_url = array('setup.php@ticketstock');

		$this->hidden = false;
		$this->depends = array('modStock', 'modTicket');
		$this->requiredby = array();
		$this->conflictwith = array();
		$this->langfiles = array('ticketstock@ticketstock');
		$this->phpmin = array(7, 4);
		$this->need_dolibarr_version = array(19, 0);
		$this->warnings_activation = array();
		$this->warnings_activation_ext = array();

		$this->const = array();
		$this->tabs = array();
		$this->dictionaries = array();
		$this->boxes = array();

		$this->cronjobs = array(
			0 => array(
				'label' => 'TicketStockCronLabel',
				'jobtype' => 'method',
				'class' => '/ticketstock/class/ticketstockcron.class.php',
				'objectname' => 'TicketStockCron',
				'method' => 'publishOutbox',
				'parameters' => '',
				'comment' => 'TicketStockCronComment',
				'frequency' => 1,
				'unitfrequency' => 60,
				'status' => 1,
				'test' => 'isModEnabled("ticketstock")',
				'priority' => 50,
			),
		);

		$this->rights = array();
		$this->rights[0][0] = $this->numero.'01';
		$this->rights[0][1] = 'Read the TicketStock configuration through the API';
		$this->rights[0][2] = 'r';
		$this->rights[0][3] = 0;
		$this->rights[0][4] = 'read';
		$this->rights[1][0] = $this->numero.'02';
		$this->rights[1][1] = 'Create tickets for stock movements through the API';
		$this->rights[1][2] = 'w';
		$this->rights[1][3] = 0;
		$this->rights[1][4] = 'write';

		$this->menu = array();
	}

	/**
	 * Called when the module is enabled: creates the outbox table, the installation id (once),
	 * the rights and the scheduled job.
	 *
	 * @param	string	$options	Options when enabling the module ('', 'noboxes')
	 * @return	int					1 if OK, <= 0 if KO
	 */
	public function init($options = '')
	{
		require_once DOL_DOCUMENT_ROOT.'/core/lib/admin.lib.php';
		require_once __DIR__.'/../../class/ticketstockevent.class.php';

		$result = $this->_load_tables('/ticketstock/sql/');
		if ($result < 0) {
			return -1;
		}

		if (dolibarr_get_const($this->db, 'TICKETSTOCK_INSTANCE_ID', 0) === '') {
			$instanceId = TicketStockEventBuilder::newEventId();
			if (dolibarr_set_const($this->db, 'TICKETSTOCK_INSTANCE_ID', $instanceId, 'chaine', 0, '', 0) < 0) {
				$this->error = 'Cannot store the TicketStock installation id';
				return -1;
			}
		}

		$this->remove($options);
		return $this->_init(array(), $options);
	}

	/**
	 * Called when the module is disabled: removes rights, menus and the scheduled job. The
	 * settings, the installation id and the outbox table are kept.
	 *
	 * @param	string	$options	Options when disabling the module ('', 'noboxes')
	 * @return	int					1 if OK, <= 0 if KO
	 */
	public function remove($options = '')
	{
		return $this->_remove(array(), $options);
	}
}
