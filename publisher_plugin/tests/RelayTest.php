<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * Committed-only publishing, discarding, retries and the broker pause.
 */
final class RelayTest extends TestCase
{
	/** @var InMemoryOutbox */
	private $store;

	/** @var RecordingTransport */
	private $transport;

	/** @var int Transports made */
	private $transportsMade = 0;

	/** @var TicketStockHealth */
	private $health;

	/** @var string */
	private $healthDir;

	/** @var string[] */
	private $lines = array();

	/**
	 * Fresh store, transport, health directory.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		$this->store = new InMemoryOutbox();
		$this->transport = new RecordingTransport();
		$this->healthDir = DOL_DATA_ROOT.'/relay-'.bin2hex(random_bytes(4));
		$this->health = new TicketStockHealth($this->healthDir);
	}

	/**
	 * Remove the health files.
	 *
	 * @return	void
	 */
	protected function tearDown(): void
	{
		foreach (glob($this->healthDir.'/*') ?: array() as $file) {
			unlink($file);
		}
		if (is_dir($this->healthDir)) {
			rmdir($this->healthDir);
		}
	}

	/**
	 * A relay over the in-memory store.
	 *
	 * @return	TicketStockRelay
	 */
	private function relay()
	{
		return new TicketStockRelay($this->store, function () {
			$this->transportsMade++;
			return $this->transport;
		}, $this->health, 60, function ($line, $level) {
			$this->lines[] = $line;
		});
	}

	/**
	 * Ids of published messages.
	 *
	 * @return	string[]
	 */
	private function publishedIds()
	{
		return array_column($this->transport->published, 0);
	}

	/**
	 * A committed row is published with its event id as message id and marked sent.
	 *
	 * @return	void
	 */
	public function testCommittedRowIsPublishedOnce()
	{
		$row = $this->store->add(1, 40);
		$summary = $this->relay()->publishCreated(1, array(1), 2000);

		$this->assertSame(1, $summary['sent']);
		$this->assertSame(array(array($row['event_id'], $row['payload'])), $this->transport->published);
		$this->assertSame(TicketStockOutboxState::SENT, $this->store->rows[1]['status']);
		$this->assertSame(1, $this->transport->closed);

		$this->relay()->publishCreated(1, array(1), 2001);
		$this->relay()->publishDue(1, 10, 5000, true);
		$this->assertCount(1, $this->transport->published);
	}

	/**
	 * A row the store cannot see (rolled back, or its transaction still open) is not published.
	 *
	 * @return	void
	 */
	public function testUncommittedRowIsNotPublished()
	{
		$summary = $this->relay()->publishCreated(1, array(77), 2000);

		$this->assertSame(1, $summary['not_committed']);
		$this->assertSame(array(), $this->transport->published);
		$this->assertSame(0, $this->transportsMade, 'no connection for nothing to publish');
		$this->assertStringContainsString('outbox_id=77 entity=1 outcome=not_committed', $this->lines[0]);
	}

	/**
	 * A committed row whose movement does not exist is discarded, never published.
	 *
	 * @return	void
	 */
	public function testRowOfVanishedMovementIsDiscarded()
	{
		$this->store->add(1, 14);
		$this->store->movements[14] = false;

		$summary = $this->relay()->publishCreated(1, array(1), 2000);

		$this->assertSame(1, $summary['discarded']);
		$this->assertSame(array(), $this->transport->published);
		$this->assertSame(TicketStockOutboxState::DISCARDED, $this->store->rows[1]['status']);
		$this->assertStringContainsString('stock movement 14 does not exist', $this->store->rows[1]['last_error']);
		$this->assertStringContainsString('movement=14 entity=1 warehouse=2 outcome=discarded', $this->lines[0]);

		$this->relay()->publishDue(1, 10, 9000, true);
		$this->assertSame(array(), $this->transport->published);
	}

	/**
	 * An unreachable broker fails the row, stops the batch and pauses request-time publishing.
	 *
	 * @return	void
	 */
	public function testUnreachableBrokerStopsBatchAndPauses()
	{
		$this->store->add(1, 40);
		$this->store->add(2, 41);
		$this->transport->failures['*'] = new TicketStockPublishException(TicketStockPublishException::CONNECTION,
			'cannot reach the broker at 127.0.0.1:5673');

		$summary = $this->relay()->publishCreated(1, array(1, 2), 2000);

		$this->assertSame(1, $summary['failed']);
		$this->assertSame(TicketStockOutboxState::FAILED, $this->store->rows[1]['status']);
		$this->assertSame(1, $this->store->rows[1]['attempts']);
		$this->assertSame(2030, $this->store->rows[1]['next_attempt_at']);
		$this->assertSame(TicketStockOutboxState::PENDING, $this->store->rows[2]['status'], 'not tried');
		$this->assertSame(0, $this->store->rows[2]['attempts']);
		$this->assertSame(2060, $this->health->pausedUntil(1));
		$this->assertSame('cannot reach the broker at 127.0.0.1:5673', $this->health->lastError(1)['message']);
	}

	/**
	 * During a pause, requests leave their rows to the scheduled job.
	 *
	 * @return	void
	 */
	public function testPauseDefersRequestPublishing()
	{
		$this->health->pause(1, 2060, 'down', 2000);
		$this->store->add(3, 42);

		$summary = $this->relay()->publishCreated(1, array(3), 2010);

		$this->assertSame(1, $summary['deferred']);
		$this->assertSame(0, $this->transportsMade);
		$this->assertSame(TicketStockOutboxState::PENDING, $this->store->rows[3]['status']);
	}

	/**
	 * The scheduled job ignores the pause, publishes what is due and ends the pause.
	 *
	 * @return	void
	 */
	public function testScheduledJobPublishesDueRowsAndEndsPause()
	{
		$this->health->pause(1, 2060, 'down', 2000);
		$this->store->add(1, 40, array('status' => TicketStockOutboxState::FAILED, 'attempts' => 1,
			'next_attempt_at' => 2030));
		$this->store->add(2, 41, array('next_attempt_at' => 2000));
		$this->store->add(3, 42, array('status' => TicketStockOutboxState::FAILED, 'next_attempt_at' => 9999));
		$this->store->add(4, 43, array('entity' => 2));

		$summary = $this->relay()->publishDue(1, 10, 2030);

		$this->assertSame(2, $summary['sent']);
		$expected = array($this->store->rows[1]['event_id'], $this->store->rows[2]['event_id']);
		$this->assertSame($expected, $this->publishedIds());
		$this->assertSame(2, $this->store->rows[1]['attempts']);
		$this->assertSame(TicketStockOutboxState::FAILED, $this->store->rows[3]['status'], 'not due yet');
		$this->assertSame(TicketStockOutboxState::PENDING, $this->store->rows[4]['status'], 'other entity');
		$this->assertSame(0, $this->health->pausedUntil(1));
	}

	/**
	 * "Publish now" also tries rows whose next attempt is later.
	 *
	 * @return	void
	 */
	public function testForceIgnoresSchedule()
	{
		$this->store->add(3, 42, array('status' => TicketStockOutboxState::FAILED, 'next_attempt_at' => 9999));
		$summary = $this->relay()->publishDue(1, 10, 2000, true);
		$this->assertSame(1, $summary['sent']);
	}

	/**
	 * A returned message fails its row but the batch goes on.
	 *
	 * @return	void
	 */
	public function testReturnedMessageFailsOnlyItsRow()
	{
		$first = $this->store->add(1, 40);
		$this->store->add(2, 41);
		$this->transport->failures[$first['event_id']] = new TicketStockPublishException(
			TicketStockPublishException::RETURNED, 'no queue is bound');

		$summary = $this->relay()->publishDue(1, 10, 2000);

		$this->assertSame(1, $summary['failed']);
		$this->assertSame(1, $summary['sent']);
		$this->assertSame(TicketStockOutboxState::FAILED, $this->store->rows[1]['status']);
		$this->assertSame(TicketStockOutboxState::SENT, $this->store->rows[2]['status']);
		$this->assertSame(0, $this->health->pausedUntil(1));
	}

	/**
	 * A row leased by another process is left alone.
	 *
	 * @return	void
	 */
	public function testLeasedRowIsSkipped()
	{
		$this->store->add(1, 40);
		$this->store->leases[1] = 2050;

		$summary = $this->relay()->publishCreated(1, array(1), 2000);

		$this->assertSame(1, $summary['busy']);
		$this->assertSame(array(), $this->transport->published);
		$this->assertSame(TicketStockOutboxState::PENDING, $this->store->rows[1]['status']);
	}

	/**
	 * One log line per row with the fields the consumer's logs use.
	 *
	 * @return	void
	 */
	public function testOutcomeLineNamesEvent()
	{
		$row = $this->store->add(1, 40);
		$this->relay()->publishCreated(1, array(1), 2000);
		$this->assertSame(array(sprintf(
			'ticketstock.publish event_id=%s movement=40 entity=1 warehouse=2 outcome=sent attempt=1',
			$row['event_id']
		)), $this->lines);
	}

	/**
	 * A setup problem (extension missing) in the transport factory fails the row and pauses.
	 *
	 * @return	void
	 */
	public function testMissingExtensionFailsWithoutLosingTheRow()
	{
		$this->store->add(1, 40);
		$relay = new TicketStockRelay($this->store, function () {
			throw new TicketStockPublishException(TicketStockPublishException::SETUP, 'install php-amqp');
		}, $this->health, 60, function ($line, $level) {
		});

		$summary = $relay->publishCreated(1, array(1), 2000);

		$this->assertSame('install php-amqp', $summary['error']);
		$this->assertSame(TicketStockOutboxState::FAILED, $this->store->rows[1]['status']);
		$this->assertSame('install php-amqp', $this->store->rows[1]['last_error']);
	}
}
