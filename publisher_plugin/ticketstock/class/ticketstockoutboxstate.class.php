<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockoutboxstate.class.php
 * \ingroup ticketstock
 * \brief   The outbox row's state machine, free of any database.
 *
 * pending --confirm--> sent
 * pending --failure--> failed --failure--> failed (attempts + 1, next attempt later)
 * failed  --confirm--> sent
 * pending|failed --movement gone--> discarded
 *
 * Sent and discarded are final. A failed row is never given up: the scheduled job keeps
 * retrying it at the longest delay, so an event is published late rather than lost.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';

/**
 * Statuses, transitions and retry delays of outbox rows.
 *
 * A row is an array with at least: rowid, status, attempts, next_attempt_at (Unix time).
 * Transitions return the columns to change; the store writes them.
 */
class TicketStockOutboxState
{
	/** Written by the trigger, never tried yet. */
	const PENDING = 0;

	/** Confirmed by the broker. */
	const SENT = 1;

	/** At least one attempt failed; retried at next_attempt_at. */
	const FAILED = 2;

	/** Never published: its movement does not exist (rolled back after the trigger ran). */
	const DISCARDED = 3;

	/** Delay before the second attempt, in seconds; it doubles with each failure. */
	const FIRST_DELAY = 30;

	/** Longest delay between two attempts, in seconds. */
	const MAX_DELAY = 3600;

	/** Longest error text kept on a row (the column's size). */
	const MAX_ERROR_LENGTH = 255;

	/**
	 * Name of a status, as shown on the setup page and in logs.
	 *
	 * @param	int		$status		One of the status constants
	 * @return	string
	 */
	public static function label($status)
	{
		$labels = array(
			self::PENDING => 'pending',
			self::SENT => 'sent',
			self::FAILED => 'failed',
			self::DISCARDED => 'discarded',
		);
		return isset($labels[(int) $status]) ? $labels[(int) $status] : 'unknown';
	}

	/**
	 * Whether a row still waits to be published.
	 *
	 * @param	array	$row	Outbox row
	 * @return	bool
	 */
	public function isOpen(array $row)
	{
		return in_array((int) $row['status'], array(self::PENDING, self::FAILED), true);
	}

	/**
	 * Whether an open row may be tried now.
	 *
	 * @param	array	$row	Outbox row
	 * @param	int		$now	Unix time
	 * @return	bool
	 */
	public function isDue(array $row, $now)
	{
		return $this->isOpen($row) && (int) $row['next_attempt_at'] <= $now;
	}

	/**
	 * Delay before the next attempt once a row has failed $attempts times.
	 *
	 * @param	int		$attempts	Failed attempts so far, at least 1
	 * @return	int					Seconds
	 */
	public function delayAfter($attempts)
	{
		$attempts = max(1, (int) $attempts);
		if ($attempts > 20) {
			return self::MAX_DELAY;
		}
		return (int) min(self::MAX_DELAY, self::FIRST_DELAY * (2 ** ($attempts - 1)));
	}

	/**
	 * The broker confirmed the message.
	 *
	 * @param	array	$row	Open outbox row
	 * @param	int		$now	Unix time
	 * @return	array			Columns to write
	 * @throws	TicketStockOutboxException	When the row is already final
	 */
	public function sent(array $row, $now)
	{
		$this->assertOpen($row, 'sent');
		return array(
			'status' => self::SENT,
			'attempts' => (int) $row['attempts'] + 1,
			'last_error' => null,
			'date_done' => (int) $now,
		);
	}

	/**
	 * An attempt failed; schedule the next one.
	 *
	 * @param	array	$row	Open outbox row
	 * @param	string	$error	What went wrong
	 * @param	int		$now	Unix time
	 * @return	array			Columns to write
	 * @throws	TicketStockOutboxException	When the row is already final
	 */
	public function failed(array $row, $error, $now)
	{
		$this->assertOpen($row, 'failed');
		$attempts = (int) $row['attempts'] + 1;
		return array(
			'status' => self::FAILED,
			'attempts' => $attempts,
			'next_attempt_at' => (int) $now + $this->delayAfter($attempts),
			'last_error' => self::truncate($error),
		);
	}

	/**
	 * The row's movement does not exist: the event must never be published.
	 *
	 * @param	array	$row	Open outbox row
	 * @param	string	$reason	Why
	 * @param	int		$now	Unix time
	 * @return	array			Columns to write
	 * @throws	TicketStockOutboxException	When the row is already final
	 */
	public function discarded(array $row, $reason, $now)
	{
		$this->assertOpen($row, 'discarded');
		return array(
			'status' => self::DISCARDED,
			'last_error' => self::truncate($reason),
			'date_done' => (int) $now,
		);
	}

	/**
	 * Refuse a transition out of a final state.
	 *
	 * @param	array	$row		Outbox row
	 * @param	string	$target		Name of the wanted state
	 * @return	void
	 * @throws	TicketStockOutboxException
	 */
	private function assertOpen(array $row, $target)
	{
		if (!$this->isOpen($row)) {
			throw new TicketStockOutboxException(sprintf(
				'outbox row %d is %s and cannot become %s',
				(int) $row['rowid'],
				self::label($row['status']),
				$target
			));
		}
	}

	/**
	 * Cut an error text to the column size, on a character boundary.
	 *
	 * @param	string	$text	Error text
	 * @return	string
	 */
	private static function truncate($text)
	{
		$text = mb_convert_encoding((string) $text, 'UTF-8', 'UTF-8');
		return mb_substr($text, 0, self::MAX_ERROR_LENGTH, 'UTF-8');
	}
}
