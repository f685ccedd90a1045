<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * The outbox row's states and transitions.
 */
final class OutboxStateTest extends TestCase
{
	/** @var TicketStockOutboxState */
	private $state;

	/**
	 * Fresh state machine.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		$this->state = new TicketStockOutboxState();
	}

	/**
	 * A row in a status.
	 *
	 * @param	int		$status		Status
	 * @param	array	$more		Other columns
	 * @return	array
	 */
	private function row($status, array $more = array())
	{
		return array_merge(array('rowid' => 5, 'status' => $status, 'attempts' => 0, 'next_attempt_at' => 100,
			'date_done' => null), $more);
	}

	/**
	 * Pending and failed rows are open; sent and discarded are final.
	 *
	 * @return	void
	 */
	public function testOpenStates()
	{
		$this->assertTrue($this->state->isOpen($this->row(TicketStockOutboxState::PENDING)));
		$this->assertTrue($this->state->isOpen($this->row(TicketStockOutboxState::FAILED)));
		$this->assertFalse($this->state->isOpen($this->row(TicketStockOutboxState::SENT)));
		$this->assertFalse($this->state->isOpen($this->row(TicketStockOutboxState::DISCARDED)));
	}

	/**
	 * A row is due once its next attempt time has come.
	 *
	 * @return	void
	 */
	public function testDueFollowsNextAttempt()
	{
		$this->assertFalse($this->state->isDue($this->row(TicketStockOutboxState::FAILED), 99));
		$this->assertTrue($this->state->isDue($this->row(TicketStockOutboxState::FAILED), 100));
		$this->assertFalse($this->state->isDue($this->row(TicketStockOutboxState::SENT), 1000));
	}

	/**
	 * A confirm makes the row sent and clears its error.
	 *
	 * @return	void
	 */
	public function testSent()
	{
		$changes = $this->state->sent($this->row(TicketStockOutboxState::FAILED, array('attempts' => 2)), 500);
		$this->assertSame(array('status' => TicketStockOutboxState::SENT, 'attempts' => 3, 'last_error' => null,
			'date_done' => 500), $changes);
	}

	/**
	 * Each failure counts an attempt and doubles the delay, up to the maximum.
	 *
	 * @return	void
	 */
	public function testFailureBacksOff()
	{
		$changes = $this->state->failed($this->row(TicketStockOutboxState::PENDING), 'refused', 1000);
		$this->assertSame(TicketStockOutboxState::FAILED, $changes['status']);
		$this->assertSame(1, $changes['attempts']);
		$this->assertSame(1000 + TicketStockOutboxState::FIRST_DELAY, $changes['next_attempt_at']);
		$this->assertSame('refused', $changes['last_error']);

		$this->assertSame(array(30, 60, 120, 240), array_map(array($this->state, 'delayAfter'), array(1, 2, 3, 4)));
		$this->assertSame(TicketStockOutboxState::MAX_DELAY, $this->state->delayAfter(8));
		$this->assertSame(TicketStockOutboxState::MAX_DELAY, $this->state->delayAfter(500));
	}

	/**
	 * A failed row is never given up: it stays open however many attempts failed.
	 *
	 * @return	void
	 */
	public function testFailedRowIsNeverGivenUp()
	{
		$row = $this->row(TicketStockOutboxState::PENDING);
		for ($i = 0; $i < 50; $i++) {
			$row = array_merge($row, $this->state->failed($row, 'down', 1000));
		}
		$this->assertTrue($this->state->isOpen($row));
		$this->assertSame(50, $row['attempts']);
	}

	/**
	 * Error texts are cut to the column size on a character boundary.
	 *
	 * @return	void
	 */
	public function testErrorIsTruncated()
	{
		$changes = $this->state->failed($this->row(TicketStockOutboxState::PENDING), str_repeat('é', 400), 1);
		$this->assertSame(255, mb_strlen($changes['last_error'], 'UTF-8'));
	}

	/**
	 * A missing movement discards the row.
	 *
	 * @return	void
	 */
	public function testDiscarded()
	{
		$changes = $this->state->discarded($this->row(TicketStockOutboxState::PENDING), 'rolled back', 700);
		$this->assertSame(array('status' => TicketStockOutboxState::DISCARDED, 'last_error' => 'rolled back',
			'date_done' => 700), $changes);
	}

	/**
	 * Final rows refuse every transition.
	 *
	 * @return	void
	 */
	public function testFinalRowsRefuseTransitions()
	{
		foreach (array(TicketStockOutboxState::SENT, TicketStockOutboxState::DISCARDED) as $status) {
			foreach (array('sent', 'failed', 'discarded') as $transition) {
				try {
					if ($transition === 'sent') {
						$this->state->sent($this->row($status), 1);
					} else {
						$this->state->$transition($this->row($status), 'x', 1);
					}
					$this->fail($transition.' accepted from '.TicketStockOutboxState::label($status));
				} catch (TicketStockOutboxException $e) {
					$this->assertStringContainsString('cannot become '.$transition, $e->getMessage());
				}
			}
		}
	}

	/**
	 * Status names used in logs and on the setup page.
	 *
	 * @return	void
	 */
	public function testLabels()
	{
		$this->assertSame('pending', TicketStockOutboxState::label(0));
		$this->assertSame('sent', TicketStockOutboxState::label(1));
		$this->assertSame('failed', TicketStockOutboxState::label(2));
		$this->assertSame('discarded', TicketStockOutboxState::label(3));
		$this->assertSame('unknown', TicketStockOutboxState::label(9));
	}
}
