<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * The php-amqp publisher against a real RabbitMQ.
 *
 * Needs the PHP AMQP extension and a broker at TICKETSTOCK_TEST_AMQP (host:port, default
 * 127.0.0.1:5672, user guest); skipped when either is missing. Each test uses its own exchange
 * and queue, deleted afterwards.
 */
final class AmqpPublisherTest extends TestCase
{
	/** @var string */
	private $host;

	/** @var int */
	private $port;

	/** @var string */
	private $exchange;

	/** @var ?AMQPConnection Test's own connection, to read and clean up */
	private $connection = null;

	/**
	 * Skip without extension or broker; name this test's exchange.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		if (!TicketStockAmqpPublisher::isAvailable()) {
			$this->markTestSkipped('the PHP AMQP extension is not loaded');
		}
		$address = getenv('TICKETSTOCK_TEST_AMQP') ?: '127.0.0.1:5672';
		list($this->host, $port) = explode(':', $address, 2);
		$this->port = (int) $port;
		$socket = @stream_socket_client('tcp://'.$address, $errno, $errstr, 1);
		if ($socket === false) {
			$this->markTestSkipped('no RabbitMQ at '.$address.': '.$errstr);
		}
		fclose($socket);
		$this->exchange = 'ticketstock.test.'.bin2hex(random_bytes(4));
	}

	/**
	 * Delete this test's queue and exchange.
	 *
	 * @return	void
	 */
	protected function tearDown(): void
	{
		if ($this->exchange !== null && TicketStockAmqpPublisher::isAvailable() && $this->connection !== null) {
			$channel = new AMQPChannel($this->connection);
			$queue = new AMQPQueue($channel);
			$queue->setName($this->exchange.'.q');
			$queue->delete();
			$exchange = new AMQPExchange($channel);
			$exchange->setName($this->exchange);
			$exchange->delete();
			$this->connection->disconnect();
		}
	}

	/**
	 * Broker settings for this test.
	 *
	 * @param	array	$overrides	Keys to change
	 * @return	array
	 */
	private function broker(array $overrides = array())
	{
		return array_merge(array('host' => $this->host, 'port' => $this->port, 'vhost' => '/', 'login' => 'guest',
			'password' => 'guest', 'tls' => false, 'ca_file' => '', 'verify_peer' => true,
			'exchange' => $this->exchange, 'timeout' => 1.0), $overrides);
	}

	/**
	 * The test's own connection; bind a queue to the exchange when asked.
	 *
	 * @param	bool	$bind	Declare and bind the test queue
	 * @return	AMQPQueue
	 */
	private function queue($bind)
	{
		$this->connection = new AMQPConnection(array('host' => $this->host, 'port' => $this->port, 'login' => 'guest',
			'password' => 'guest', 'connection_name' => 'ticketstock-phpunit'));
		$this->connection->connect();
		$channel = new AMQPChannel($this->connection);
		$exchange = new AMQPExchange($channel);
		$exchange->setName($this->exchange);
		$exchange->setType(AMQP_EX_TYPE_TOPIC);
		$exchange->setFlags(AMQP_DURABLE);
		$exchange->declareExchange();
		$queue = new AMQPQueue($channel);
		$queue->setName($this->exchange.'.q');
		$queue->declareQueue();
		if ($bind) {
			$queue->bind($this->exchange, 'stock.#');
		}
		return $queue;
	}

	/**
	 * A confirmed message carries the contract's properties.
	 *
	 * @return	void
	 */
	public function testConfirmedMessageHasContractProperties()
	{
		$queue = $this->queue(true);
		$publisher = new TicketStockAmqpPublisher($this->broker(), 'dolibarr-ticketstock/1.0.0', true);
		$publisher->publish('{"event_id":"e1"}', '6f0c1b9e-4f7a-4c1e-9d55-0d8f2a3b4c5d');
		$publisher->close();

		$message = $queue->get(AMQP_AUTOACK);
		$this->assertInstanceOf(AMQPEnvelope::class, $message);
		$this->assertSame('{"event_id":"e1"}', $message->getBody());
		$this->assertSame('6f0c1b9e-4f7a-4c1e-9d55-0d8f2a3b4c5d', $message->getMessageId());
		$this->assertSame('application/json', $message->getContentType());
		$this->assertSame(2, $message->getDeliveryMode());
		$this->assertSame('stock-movement-event.v1', $message->getType());
		$this->assertSame('dolibarr-ticketstock/1.0.0', $message->getAppId());
		$this->assertSame('stock.movement', $message->getRoutingKey());
		$this->assertGreaterThan(0, $message->getTimestamp());
	}

	/**
	 * A message no queue receives is returned, and reported as such.
	 *
	 * @return	void
	 */
	public function testUnroutableMessageIsReturned()
	{
		$this->queue(false);
		$publisher = new TicketStockAmqpPublisher($this->broker(), 'dolibarr-ticketstock/1.0.0');
		try {
			$publisher->publish('{}', 'e2');
			$this->fail('an unroutable message was accepted');
		} catch (TicketStockPublishException $e) {
			$this->assertSame(TicketStockPublishException::RETURNED, $e->getKind());
			$this->assertStringContainsString('312 NO_ROUTE', $e->getMessage());
			$this->assertFalse($e->stopsBatch());
		} finally {
			$publisher->close();
		}
	}

	/**
	 * A closed port fails at once.
	 *
	 * @return	void
	 */
	public function testClosedPortFailsFast()
	{
		$server = stream_socket_server('tcp://127.0.0.1:0');
		$port = (int) substr(strrchr(stream_socket_get_name($server, false), ':'), 1);
		fclose($server);

		$broker = $this->broker(array('port' => $port));
		$publisher = new TicketStockAmqpPublisher($broker, 'dolibarr-ticketstock/1.0.0', true);
		$start = microtime(true);
		try {
			$publisher->publish('{}', 'e3');
			$this->fail('published to a closed port');
		} catch (TicketStockPublishException $e) {
			$this->assertSame(TicketStockPublishException::CONNECTION, $e->getKind());
			$this->assertTrue($e->stopsBatch());
		}
		$this->assertLessThan(0.5, microtime(true) - $start);
	}

	/**
	 * A peer that accepts connections but never answers costs the timeout, not 12 seconds.
	 *
	 * @return	void
	 */
	public function testSilentBrokerIsCutByTheProbe()
	{
		$server = stream_socket_server('tcp://127.0.0.1:0');
		$port = (int) substr(strrchr(stream_socket_get_name($server, false), ':'), 1);

		$publisher = new TicketStockAmqpPublisher($this->broker(array('port' => $port, 'timeout' => 0.3)),
			'dolibarr-ticketstock/1.0.0', true);
		$start = microtime(true);
		try {
			$publisher->publish('{}', 'e4');
			$this->fail('published to a silent peer');
		} catch (TicketStockPublishException $e) {
			$this->assertStringContainsString('did not answer the AMQP handshake', $e->getMessage());
		} finally {
			fclose($server);
		}
		$this->assertLessThan(1.0, microtime(true) - $start);
	}

	/**
	 * Missing settings are a setup error, with no connection attempt.
	 *
	 * @return	void
	 */
	public function testMissingHostIsASetupError()
	{
		$publisher = new TicketStockAmqpPublisher($this->broker(array('host' => '')), 'dolibarr-ticketstock/1.0.0');
		$this->expectException(TicketStockPublishException::class);
		$this->expectExceptionMessage('not set on the setup page');
		$publisher->publish('{}', 'e5');
	}
}
