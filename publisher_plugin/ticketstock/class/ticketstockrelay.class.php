<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockrelay.class.php
 * \ingroup ticketstock
 * \brief   Moves committed outbox rows to the broker.
 *
 * The relay never sees a transaction: it reads rows through a store that only shows what is
 * committed. A row it cannot find was rolled back (or is still in an open transaction) and is
 * left alone; a row whose movement does not exist is discarded, never published.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';
require_once __DIR__.'/ticketstockports.class.php';
require_once __DIR__.'/ticketstockoutboxstate.class.php';
require_once __DIR__.'/ticketstockhealth.class.php';

/**
 * Publishes outbox rows and records each outcome on the row.
 */
class TicketStockRelay
{
	/** How long a claimed row stays reserved if the publishing process dies. */
	const LEASE_SECONDS = 60;

	/** @var TicketStockOutboxStore */
	private $store;

	/** @var callable(): TicketStockTransport */
	private $transportFactory;

	/** @var TicketStockHealth */
	private $health;

	/** @var int Seconds request-time publishing pauses after the broker failed */
	private $pauseSeconds;

	/** @var callable(string, int): void */
	private $logger;

	/** @var TicketStockOutboxState */
	private $state;

	/**
	 * Create the relay.
	 *
	 * @param	TicketStockOutboxStore	$store				Rows, as committed
	 * @param	callable				$transportFactory	Returns a TicketStockTransport; called once per batch,
	 *														only when there is something to publish
	 * @param	TicketStockHealth		$health				Pause and last error
	 * @param	int						$pauseSeconds		Pause after a broker failure
	 * @param	callable				$logger				function (string $line, int $level)
	 */
	public function __construct(TicketStockOutboxStore $store, $transportFactory, TicketStockHealth $health,
		$pauseSeconds, $logger)
	{
		$this->store = $store;
		$this->transportFactory = $transportFactory;
		$this->health = $health;
		$this->pauseSeconds = max(0, (int) $pauseSeconds);
		$this->logger = $logger;
		$this->state = new TicketStockOutboxState();
	}

	/**
	 * Publish the rows a request created, after its transaction ended.
	 *
	 * @param	int		$entity		Entity of the request
	 * @param	int[]	$rowIds		Rows the trigger inserted during the request
	 * @param	int		$now		Unix time
	 * @return	array				Summary, see emptySummary()
	 */
	public function publishCreated($entity, array $rowIds, $now)
	{
		$summary = self::emptySummary();
		$rows = $this->store->fetchByIds($rowIds);

		$seen = array();
		foreach ($rows as $row) {
			$seen[(int) $row['rowid']] = true;
		}
		foreach ($rowIds as $rowId) {
			if (!isset($seen[(int) $rowId])) {
				$summary['not_committed']++;
				$this->log(sprintf('ticketstock.publish event_id=- outbox_id=%d entity=%d outcome=not_committed',
					$rowId, $entity), LOG_INFO);
			}
		}

		$pausedUntil = $this->health->pausedUntil($entity);
		if ($pausedUntil > $now) {
			foreach ($rows as $row) {
				$summary['deferred']++;
				$this->logRow($row, 'deferred', LOG_INFO, 'paused_until='.$pausedUntil);
			}
			return $summary;
		}

		return $this->publishRows($rows, $now, false, $summary);
	}

	/**
	 * Publish what is still open for an entity: the scheduled job and the "publish now" button.
	 *
	 * The pause does not apply here: this is how the broker's return is noticed.
	 *
	 * @param	int		$entity		Entity
	 * @param	int		$limit		Maximum rows in this batch
	 * @param	int		$now		Unix time
	 * @param	bool	$force		True to also try rows whose next attempt is later
	 * @return	array				Summary, see emptySummary()
	 */
	public function publishDue($entity, $limit, $now, $force = false)
	{
		$rows = $this->store->fetchOpen($entity, $limit, $force ? null : $now);
		return $this->publishRows($rows, $now, $force, self::emptySummary());
	}

	/**
	 * A summary with every counter at zero.
	 *
	 * @return	array{sent: int, failed: int, discarded: int, deferred: int, not_committed: int,
	 *	busy: int, error: ?string}
	 */
	public static function emptySummary()
	{
		return array('sent' => 0, 'failed' => 0, 'discarded' => 0, 'deferred' => 0, 'not_committed' => 0,
			'busy' => 0, 'error' => null);
	}

	/**
	 * Publish rows one by one, over one connection, stopping when the broker is unreachable.
	 *
	 * @param	array[]		$rows		Rows, as committed
	 * @param	int			$now		Unix time
	 * @param	bool		$force		Ignore next_attempt_at
	 * @param	array		$summary	Counters to add to
	 * @return	array					The summary
	 */
	private function publishRows(array $rows, $now, $force, array $summary)
	{
		$transport = null;
		try {
			foreach ($rows as $row) {
				if (!$this->state->isOpen($row) || (!$force && !$this->state->isDue($row, $now))) {
					continue;
				}
				if (!$this->store->movementExists($row)) {
					$reason = 'stock movement '.$row['movement_id']
						.' does not exist: rolled back after the trigger ran';
					$this->store->update($row['rowid'], $this->state->discarded($row, $reason, $now));
					$summary['discarded']++;
					$this->logRow($row, 'discarded', LOG_WARNING, 'reason="rolled back"');
					continue;
				}
				if (!$this->store->claim($row['rowid'], $now, self::LEASE_SECONDS)) {
					$summary['busy']++;
					$this->logRow($row, 'busy', LOG_DEBUG);
					continue;
				}

				try {
					if ($transport === null) {
						$transport = call_user_func($this->transportFactory);
					}
					$transport->publish($row['payload'], $row['event_id']);
				} catch (TicketStockPublishException $e) {
					$this->store->update($row['rowid'], $this->state->failed($row, $e->getMessage(), $now));
					$summary['failed']++;
					$summary['error'] = $e->getMessage();
					$this->logRow($row, 'failed', LOG_WARNING, sprintf('attempt=%d kind=%s error="%s"',
						(int) $row['attempts'] + 1, $e->getKind(), $e->getMessage()));
					if ($e->stopsBatch()) {
						$until = $now + $this->pauseSeconds;
						$this->health->pause($row['entity'], $until, $e->getMessage(), $now);
						break;
					}
					continue;
				}

				$this->store->update($row['rowid'], $this->state->sent($row, $now));
				$summary['sent']++;
				$this->logRow($row, 'sent', LOG_INFO, 'attempt='.((int) $row['attempts'] + 1));
				if ($summary['sent'] === 1) {
					$this->health->resume($row['entity']);
				}
			}
		} finally {
			if ($transport !== null) {
				$transport->close();
			}
		}
		return $summary;
	}

	/**
	 * Log the outcome for one row, with the fields the consumer's logs use.
	 *
	 * @param	array	$row		Outbox row
	 * @param	string	$outcome	sent, failed, discarded, deferred, busy
	 * @param	int		$level		LOG_* level
	 * @param	string	$extra		More key=value fields
	 * @return	void
	 */
	private function logRow(array $row, $outcome, $level, $extra = '')
	{
		$this->log(sprintf(
			'ticketstock.publish event_id=%s movement=%d entity=%d warehouse=%d outcome=%s%s',
			$row['event_id'],
			$row['movement_id'],
			$row['entity'],
			$row['warehouse_id'],
			$outcome,
			$extra === '' ? '' : ' '.$extra
		), $level);
	}

	/**
	 * Send a line to the logger.
	 *
	 * @param	string	$line	Log line
	 * @param	int		$level	LOG_* level
	 * @return	void
	 */
	private function log($line, $level)
	{
		call_user_func($this->logger, $line, $level);
	}
}
