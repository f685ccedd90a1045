<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    tests/bootstrap.php
 * \brief   Loads the stand-ins for PHPUnit, and the module's classes on first use.
 */

define('DOL_DOCUMENT_ROOT', __DIR__.'/stubs/htdocs');
define('DOL_DATA_ROOT', sys_get_temp_dir().'/ticketstock-tests-'.getmypid());
define('MAIN_DB_PREFIX', 'llx_');

require_once __DIR__.'/stubs/dolibarr.php';

spl_autoload_register(
	/**
	 * Load a module class from the file Dolibarr's naming puts it in.
	 *
	 * @param	string	$class	Class or interface name
	 * @return	void
	 */
	function ($class) {
		$files = array(
			'TicketStockEventBuilder' => 'class/ticketstockevent',
			'TicketStockOutboxStore' => 'class/ticketstockports',
			'TicketStockTransport' => 'class/ticketstockports',
			'TicketStockNotFoundException' => 'class/ticketstockticketservice',
			'InterfaceTicketStockTriggers' => 'core/triggers/interface_99_modTicketStock_TicketStockTriggers',
		);
		if (isset($files[$class])) {
			$file = $files[$class];
		} elseif (preg_match('/^TicketStock\w*Exception$/', $class)) {
			$file = 'class/ticketstockexceptions';
		} elseif (strpos($class, 'TicketStock') === 0) {
			$file = 'class/'.strtolower($class);
		} else {
			return;
		}
		$path = __DIR__.'/../ticketstock/'.$file.'.class.php';
		if (is_file($path)) {
			require_once $path;
		}
	}
);

require_once __DIR__.'/support/RecordedMovements.php';
require_once __DIR__.'/support/InMemoryOutbox.php';
