<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockamqppublisher.class.php
 * \ingroup ticketstock
 * \brief   Publishes events on RabbitMQ with the PHP AMQP extension (php-amqp).
 *
 * Each message is mandatory, persistent and confirmed: publish() returns only once the broker
 * acknowledged it, and fails when the broker returned it (no queue bound) or refused it.
 *
 * Known shortcoming: php-amqp 1.11 does not expose librabbitmq's AMQP handshake timeout, which is
 * 12 seconds. A broker that accepts TCP connections but does not answer would hold a request that
 * long; with "probe" set, a plain socket first checks within the timeout that the broker answers
 * the AMQP protocol header. The probe shows in RabbitMQ's log as a client that closed its
 * connection before the handshake, and it only checks the TCP connection when TLS is on.
 */

require_once __DIR__.'/ticketstockexceptions.class.php';
require_once __DIR__.'/ticketstockports.class.php';

/**
 * One connection, one confirm-mode channel, one exchange; opened on the first publish.
 */
class TicketStockAmqpPublisher implements TicketStockTransport
{
	/** Routing key of every event. */
	const ROUTING_KEY = 'stock.movement';

	/** AMQP "type" property of every event. */
	const MESSAGE_TYPE = 'stock-movement-event.v1';

	/** CA bundle used with TLS when the setup names none (Debian's). */
	const DEFAULT_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

	/** @var array Broker settings, see TicketStockSettings::broker() */
	private $broker;

	/** @var string AMQP app_id property */
	private $appId;

	/** @var bool Check that the broker answers before php-amqp connects */
	private $probe;

	/** @var ?AMQPConnection */
	private $connection = null;

	/** @var ?AMQPChannel */
	private $channel = null;

	/** @var ?AMQPExchange */
	private $exchange = null;

	/** @var ?string Confirm outcome of the message in flight: ack or nack */
	private $confirm = null;

	/** @var ?string Reply of the broker when it returned the message in flight */
	private $returned = null;

	/**
	 * Create the publisher; nothing connects yet.
	 *
	 * @param	array	$broker		host, port, vhost, login, password, tls, ca_file, verify_peer, exchange,
	 *								timeout (seconds)
	 * @param	string	$appId		AMQP app_id, e.g. dolibarr-ticketstock/1.0.0
	 * @param	bool	$probe		Probe the broker with a plain socket first
	 */
	public function __construct(array $broker, $appId, $probe = false)
	{
		$this->broker = $broker;
		$this->appId = (string) $appId;
		$this->probe = (bool) $probe;
	}

	/**
	 * Whether the PHP AMQP extension is loaded.
	 *
	 * @return	bool
	 */
	public static function isAvailable()
	{
		return extension_loaded('amqp') && class_exists('AMQPConnection');
	}

	/**
	 * Publish an event's message and wait for the broker's confirm.
	 *
	 * @param	string	$body		The event's JSON
	 * @param	string	$messageId	The event id
	 * @return	void
	 * @throws	TicketStockPublishException
	 */
	public function publish($body, $messageId)
	{
		$this->open();
		$this->confirm = null;
		$this->returned = null;

		try {
			$this->exchange->publish($body, self::ROUTING_KEY, AMQP_MANDATORY, array(
				'message_id' => (string) $messageId,
				'content_type' => 'application/json',
				'content_encoding' => 'utf-8',
				'delivery_mode' => 2,
				'type' => self::MESSAGE_TYPE,
				'app_id' => $this->appId,
				'timestamp' => time(),
			));
			$this->channel->waitForConfirm($this->timeout());
		} catch (AMQPException $e) {
			$this->close();
			$kind = stripos($e->getMessage(), 'timeout') !== false || stripos($e->getMessage(), 'timed out') !== false
				? TicketStockPublishException::UNCONFIRMED
				: TicketStockPublishException::CONNECTION;
			throw new TicketStockPublishException($kind, 'publish failed: '.$e->getMessage(), $e);
		}

		if ($this->confirm === 'nack') {
			throw new TicketStockPublishException(TicketStockPublishException::NACKED,
				'the broker refused the message');
		}
		if ($this->returned !== null) {
			throw new TicketStockPublishException(TicketStockPublishException::RETURNED, sprintf(
				'the broker returned the message (%s): no queue is bound to exchange %s for routing key %s',
				$this->returned,
				$this->exchangeName(),
				self::ROUTING_KEY
			));
		}
		if ($this->confirm !== 'ack') {
			$this->close();
			throw new TicketStockPublishException(TicketStockPublishException::UNCONFIRMED, sprintf(
				'no confirm from the broker within %.1f s',
				$this->timeout()
			));
		}
	}

	/**
	 * Connect, open the channel and declare the exchange, publishing nothing.
	 *
	 * Used by the setup page's "test the connection" button.
	 *
	 * @return	string		What was checked
	 * @throws	TicketStockPublishException
	 */
	public function check()
	{
		$this->open();
		return sprintf('connected to %s:%d, vhost %s, exchange %s declared (topic, durable)',
			$this->broker['host'], $this->broker['port'], $this->broker['vhost'], $this->exchangeName());
	}

	/**
	 * Close the connection.
	 *
	 * @return	void
	 */
	public function close()
	{
		if ($this->connection !== null) {
			try {
				if ($this->connection->isConnected()) {
					$this->connection->disconnect();
				}
			} catch (AMQPException $e) {
				// Nothing left to release: the connection is gone either way.
			}
		}
		$this->forget();
	}

	/**
	 * Open the connection, the confirm-mode channel and the exchange, once.
	 *
	 * @return	void
	 * @throws	TicketStockPublishException
	 */
	private function open()
	{
		if ($this->exchange !== null) {
			return;
		}
		if (!self::isAvailable()) {
			throw new TicketStockPublishException(TicketStockPublishException::SETUP,
				'the PHP AMQP extension is not loaded: install php-amqp (Debian: apt-get install php-amqp) '
				.'and restart the web server');
		}
		if (trim((string) $this->broker['host']) === '' || trim($this->exchangeName()) === '') {
			throw new TicketStockPublishException(TicketStockPublishException::SETUP,
				'the broker host or the exchange is not set on the setup page');
		}
		if ($this->probe) {
			$this->probe();
		}

		try {
			$this->connection = new AMQPConnection($this->credentials());
			$this->connection->connect();
			$this->channel = new AMQPChannel($this->connection);
			$this->channel->confirmSelect();
			$this->channel->setConfirmCallback(
				/**
				 * The broker acknowledged the message in flight.
				 *
				 * @param	int		$deliveryTag	Delivery tag
				 * @param	bool	$multiple		Whether earlier tags are included
				 * @return	bool					False: stop waiting
				 */
				function ($deliveryTag, $multiple) {
					$this->confirm = 'ack';
					return false;
				},
				/**
				 * The broker refused the message in flight.
				 *
				 * @param	int		$deliveryTag	Delivery tag
				 * @param	bool	$multiple		Whether earlier tags are included
				 * @param	bool	$requeue		Requeue flag
				 * @return	bool					False: stop waiting
				 */
				function ($deliveryTag, $multiple, $requeue) {
					$this->confirm = 'nack';
					return false;
				}
			);
			$this->channel->setReturnCallback(
				/**
				 * The broker returned the message in flight (mandatory, unroutable); its confirm follows.
				 *
				 * @param	int						$replyCode		AMQP reply code, 312 for NO_ROUTE
				 * @param	string					$replyText		Reply text
				 * @param	string					$exchange		Exchange
				 * @param	string					$routingKey		Routing key
				 * @param	AMQPBasicProperties		$properties		Message properties
				 * @param	string					$body			Message body
				 * @return	void
				 */
				function ($replyCode, $replyText, $exchange, $routingKey, $properties, $body) {
					$this->returned = $replyCode.' '.$replyText;
				}
			);
			$exchange = new AMQPExchange($this->channel);
			$exchange->setName($this->exchangeName());
			$exchange->setType(AMQP_EX_TYPE_TOPIC);
			$exchange->setFlags(AMQP_DURABLE);
			$exchange->declareExchange();
			$this->exchange = $exchange;
		} catch (AMQPException $e) {
			$this->close();
			throw new TicketStockPublishException(TicketStockPublishException::CONNECTION, sprintf(
				'cannot reach the broker at %s:%d (vhost %s): %s',
				$this->broker['host'],
				$this->broker['port'],
				$this->broker['vhost'],
				$e->getMessage()
			), $e);
		}
	}

	/**
	 * Check within the timeout that something answers the AMQP protocol header.
	 *
	 * @return	void
	 * @throws	TicketStockPublishException
	 */
	private function probe()
	{
		$address = sprintf('tcp://%s:%d', $this->broker['host'], $this->broker['port']);
		$errno = 0;
		$errstr = '';
		$socket = @stream_socket_client($address, $errno, $errstr, $this->timeout());
		if ($socket === false) {
			throw new TicketStockPublishException(TicketStockPublishException::CONNECTION, sprintf(
				'cannot reach the broker at %s:%d: %s',
				$this->broker['host'],
				$this->broker['port'],
				$errstr !== '' ? $errstr : 'connection failed'
			));
		}
		if (empty($this->broker['tls'])) {
			$seconds = $this->timeout();
			stream_set_timeout($socket, (int) floor($seconds), (int) (($seconds - floor($seconds)) * 1000000));
			fwrite($socket, "AMQP\x00\x00\x09\x01");
			$answer = fread($socket, 1);
			if ($answer === false || $answer === '') {
				fclose($socket);
				throw new TicketStockPublishException(TicketStockPublishException::CONNECTION, sprintf(
					'the broker at %s:%d did not answer the AMQP handshake within %.1f s',
					$this->broker['host'],
					$this->broker['port'],
					$seconds
				));
			}
		}
		fclose($socket);
	}

	/**
	 * Connection settings for AMQPConnection.
	 *
	 * @return	array
	 */
	private function credentials()
	{
		$timeout = $this->timeout();
		$credentials = array(
			'host' => (string) $this->broker['host'],
			'port' => (int) $this->broker['port'],
			'vhost' => (string) $this->broker['vhost'],
			'login' => (string) $this->broker['login'],
			'password' => (string) $this->broker['password'],
			'connect_timeout' => $timeout,
			'read_timeout' => $timeout,
			'write_timeout' => $timeout,
			'rpc_timeout' => $timeout,
			'connection_name' => $this->appId,
		);
		if (!empty($this->broker['tls'])) {
			$caFile = (string) $this->broker['ca_file'];
			$credentials['cacert'] = $caFile !== '' ? $caFile : self::DEFAULT_CA_FILE;
			$credentials['verify'] = !empty($this->broker['verify_peer']);
		}
		return $credentials;
	}

	/**
	 * Timeout for connect, read, write and confirms, in seconds.
	 *
	 * @return	float
	 */
	private function timeout()
	{
		$timeout = isset($this->broker['timeout']) ? (float) $this->broker['timeout'] : 1.0;
		return $timeout > 0 ? $timeout : 1.0;
	}

	/**
	 * Name of the exchange.
	 *
	 * @return	string
	 */
	private function exchangeName()
	{
		return (string) $this->broker['exchange'];
	}

	/**
	 * Drop the extension's objects so the next publish reconnects.
	 *
	 * @return	void
	 */
	private function forget()
	{
		$this->exchange = null;
		$this->channel = null;
		$this->connection = null;
	}
}
