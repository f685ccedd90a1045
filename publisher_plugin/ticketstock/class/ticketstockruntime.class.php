<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockruntime.class.php
 * \ingroup ticketstock
 * \brief   Wires the module's classes to Dolibarr, and publishes after the request.
 *
 * Publishing after the request: the trigger remembers the outbox rows it inserted and registers
 * one shutdown function. PHP runs shutdown functions in registration order, so Dolibarr's own
 * dol_shutdown() (registered by main.inc.php) has already closed the request's database
 * connection, rolling back a transaction left open. The rows are then read through a new
 * connection, which only sees what was committed.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';
require_once __DIR__.'/ticketstocksettings.class.php';
require_once __DIR__.'/ticketstockhealth.class.php';
require_once __DIR__.'/ticketstockoutbox.class.php';
require_once __DIR__.'/ticketstockrelay.class.php';
require_once __DIR__.'/ticketstockamqppublisher.class.php';

/**
 * Factories and the after-request hook.
 */
class TicketStockRuntime
{
	/** Version of the module, also in the AMQP app_id. */
	const VERSION = '1.0.0';

	/** Most rows one scheduled run or one "publish now" click handles. */
	const BATCH_SIZE = 200;

	/** @var array<int, int[]> Outbox rows inserted during this request, per entity */
	private static $createdRows = array();

	/** @var bool Whether the shutdown function is registered */
	private static $registered = false;

	/**
	 * AMQP app_id of the module's messages.
	 *
	 * @return	string
	 */
	public static function appId()
	{
		return 'dolibarr-ticketstock/'.self::VERSION;
	}

	/**
	 * Health store of the installation (one file per entity).
	 *
	 * @return	TicketStockHealth
	 */
	public static function health()
	{
		return new TicketStockHealth(DOL_DATA_ROOT.'/ticketstock');
	}

	/**
	 * Logger writing to Dolibarr's log.
	 *
	 * @return	callable(string, int): void
	 */
	public static function logger()
	{
		return
			/**
			 * Write one line to Dolibarr's log.
			 *
			 * @param	string	$line	Log line
			 * @param	int		$level	LOG_* level
			 * @return	void
			 */
			function ($line, $level) {
				dol_syslog($line, $level);
			};
	}

	/**
	 * A relay for the current entity's broker settings.
	 *
	 * @param	DoliDB					$db			Handler the relay reads and writes rows through
	 * @param	TicketStockSettings		$settings	Settings of the entity
	 * @param	bool					$probe		Probe the broker before connecting
	 * @return	TicketStockRelay
	 */
	public static function relay($db, TicketStockSettings $settings, $probe)
	{
		$broker = $settings->broker();
		$factory =
			/**
			 * A publisher for the entity's broker, connecting on its first message.
			 *
			 * @return	TicketStockAmqpPublisher
			 */
			function () use ($broker, $probe) {
				return new TicketStockAmqpPublisher($broker, self::appId(), $probe);
			};
		return new TicketStockRelay(new TicketStockOutbox($db), $factory, self::health(),
			$settings->pauseSeconds(), self::logger());
	}

	/**
	 * Remember a row the trigger inserted, to publish it once the request is over.
	 *
	 * @param	int		$entity		Entity of the row
	 * @param	int		$rowId		Outbox row id
	 * @return	void
	 */
	public static function publishAfterRequest($entity, $rowId)
	{
		self::$createdRows[(int) $entity][] = (int) $rowId;
		if (!self::$registered) {
			self::$registered = true;
			register_shutdown_function(array(self::class, 'onShutdown'));
		}
	}

	/**
	 * Take the rows remembered so far, per entity, and forget them.
	 *
	 * @return	array<int, int[]>
	 */
	public static function takeCreatedRows()
	{
		$rows = self::$createdRows;
		self::$createdRows = array();
		return $rows;
	}

	/**
	 * Shutdown function: publish the committed rows of this request.
	 *
	 * Rows of another entity than the request's are left to that entity's scheduled job.
	 *
	 * @return	void
	 */
	public static function onShutdown()
	{
		global $conf;

		$created = self::takeCreatedRows();
		if (!$created || !is_object($conf)) {
			return;
		}
		$entity = (int) $conf->entity;
		$rowIds = isset($created[$entity]) ? $created[$entity] : array();
		if (!$rowIds) {
			return;
		}
		if (function_exists('fastcgi_finish_request')) {
			// The user already has the page; publishing must not hold it.
			fastcgi_finish_request();
		}

		$db = null;
		try {
			$db = self::openCommittedView();
			$settings = TicketStockSettings::fromConf();
			self::relay($db, $settings, $settings->probeBroker())->publishCreated($entity, $rowIds, time());
		} catch (Throwable $e) {
			dol_syslog(sprintf('ticketstock.publish event_id=- entity=%d outcome=error error="%s"',
				$entity, $e->getMessage()), LOG_ERR);
			self::health()->recordError($entity, 'publish', $e->getMessage(), time());
		} finally {
			if ($db !== null) {
				$db->close();
			}
		}
	}

	/**
	 * A new database connection, which sees only committed rows.
	 *
	 * @return	DoliDB
	 * @throws	TicketStockException	When it cannot connect
	 */
	public static function openCommittedView()
	{
		global $conf, $dolibarr_main_db_pass;

		$db = getDoliDBInstance($conf->db->type, $conf->db->host, $conf->db->user,
			(string) $dolibarr_main_db_pass, $conf->db->name, (int) $conf->db->port);
		if (empty($db->connected) || empty($db->database_selected)) {
			throw new TicketStockException('cannot open a database connection to publish the outbox');
		}
		return $db;
	}
}
