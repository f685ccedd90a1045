<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockcron.class.php
 * \ingroup ticketstock
 * \brief   The scheduled job: publish what is still pending, purge what is old.
 *
 * Dolibarr's cron runs it once per entity where the module is enabled, with that entity's
 * configuration loaded; it handles only that entity's rows.
 */

require_once __DIR__.'/ticketstockruntime.class.php';

/**
 * Scheduled job "TicketStock: publish the outbox".
 */
class TicketStockCron
{
	/** @var DoliDB */
	public $db;

	/** @var int Entity of the job, set by Dolibarr's cron before the call */
	public $entity = 0;

	/** @var string Shown in the job's last output */
	public $output = '';

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
	 * Publish due rows, then purge sent and discarded rows past the retention.
	 *
	 * @return	int		0 when everything due was published, 1 when the broker refused or was unreachable,
	 *					-1 on an unexpected error
	 */
	public function publishOutbox()
	{
		global $conf;

		$entity = $this->entity > 0 ? (int) $this->entity : (int) $conf->entity;
		$now = time();
		$settings = TicketStockSettings::fromConf();

		try {
			$summary = TicketStockRuntime::relay($this->db, $settings, false)
				->publishDue($entity, TicketStockRuntime::BATCH_SIZE, $now);
			$outbox = new TicketStockOutbox($this->db);
			$purged = $outbox->purge($entity, $settings->purgeDays(), $now);
		} catch (Throwable $e) {
			$this->error = $e->getMessage();
			$this->errors[] = $this->error;
			dol_syslog(sprintf('ticketstock.job entity=%d outcome=error error="%s"', $entity, $this->error), LOG_ERR);
			TicketStockRuntime::health()->recordError($entity, 'job', $this->error, $now);
			return -1;
		}

		$this->output = sprintf('sent=%d failed=%d discarded=%d purged=%d',
			$summary['sent'], $summary['failed'], $summary['discarded'], $purged);
		$outcome = $summary['failed'] > 0 ? 'failed' : 'ok';
		dol_syslog(sprintf('ticketstock.job entity=%d outcome=%s %s', $entity, $outcome, $this->output),
			$outcome === 'ok' ? LOG_INFO : LOG_WARNING);
		if ($summary['failed'] > 0) {
			$this->error = (string) $summary['error'];
			$this->errors[] = $this->error;
			return 1;
		}
		return 0;
	}
}
