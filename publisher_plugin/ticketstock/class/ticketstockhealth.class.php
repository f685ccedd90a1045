<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockhealth.class.php
 * \ingroup ticketstock
 * \brief   The last error and the broker pause of an entity, kept in a small file.
 *
 * A file rather than the database: the trigger records its errors inside a stock movement's
 * transaction, where a row would be rolled back with the movement, and the pause is read on
 * every request that queued an event, where a file read costs nothing. Each web server keeps
 * its own file; on a cluster each one pauses on its own.
 */

/**
 * Reads and writes health-<entity>.json in the module's data directory.
 */
class TicketStockHealth
{
	/** @var string Directory holding the files */
	private $dir;

	/**
	 * Create the store.
	 *
	 * @param	string	$dir	Writable directory; created when missing
	 */
	public function __construct($dir)
	{
		$this->dir = rtrim($dir, '/');
	}

	/**
	 * Until when request-time publishing is paused for an entity.
	 *
	 * @param	int		$entity		Entity
	 * @return	int					Unix time, 0 when not paused
	 */
	public function pausedUntil($entity)
	{
		$data = $this->read($entity);
		return isset($data['paused_until']) ? (int) $data['paused_until'] : 0;
	}

	/**
	 * Pause request-time publishing after the broker failed; the scheduled job keeps trying.
	 *
	 * @param	int		$entity		Entity
	 * @param	int		$until		Unix time
	 * @param	string	$reason		The broker error
	 * @param	int		$now		Unix time
	 * @return	void
	 */
	public function pause($entity, $until, $reason, $now)
	{
		$data = $this->read($entity);
		$data['paused_until'] = (int) $until;
		$data['last_error'] = array('at' => (int) $now, 'where' => 'publish', 'message' => (string) $reason);
		$this->write($entity, $data);
	}

	/**
	 * End a pause once the broker confirmed a message.
	 *
	 * @param	int		$entity		Entity
	 * @return	void
	 */
	public function resume($entity)
	{
		$data = $this->read($entity);
		if (!empty($data['paused_until'])) {
			$data['paused_until'] = 0;
			$this->write($entity, $data);
		}
	}

	/**
	 * Remember an error to show on the setup page.
	 *
	 * @param	int		$entity		Entity
	 * @param	string	$where		Which part failed: trigger, publish, job
	 * @param	string	$message	What went wrong, without secrets
	 * @param	int		$now		Unix time
	 * @return	void
	 */
	public function recordError($entity, $where, $message, $now)
	{
		$data = $this->read($entity);
		$data['last_error'] = array('at' => (int) $now, 'where' => (string) $where, 'message' => (string) $message);
		$this->write($entity, $data);
	}

	/**
	 * The last recorded error of an entity.
	 *
	 * @param	int		$entity		Entity
	 * @return	?array				{at, where, message} or null
	 */
	public function lastError($entity)
	{
		$data = $this->read($entity);
		return isset($data['last_error']) && is_array($data['last_error']) ? $data['last_error'] : null;
	}

	/**
	 * Read an entity's file.
	 *
	 * @param	int		$entity		Entity
	 * @return	array				Its content, empty when absent or unreadable
	 */
	private function read($entity)
	{
		$file = $this->path($entity);
		if (!is_file($file)) {
			return array();
		}
		$data = json_decode((string) @file_get_contents($file), true);
		return is_array($data) ? $data : array();
	}

	/**
	 * Replace an entity's file atomically; a failure is ignored, the file is advisory.
	 *
	 * @param	int		$entity		Entity
	 * @param	array	$data		New content
	 * @return	void
	 */
	private function write($entity, array $data)
	{
		if (!is_dir($this->dir) && !@mkdir($this->dir, 0775, true) && !is_dir($this->dir)) {
			return;
		}
		$json = json_encode($data, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
		$tmp = @tempnam($this->dir, 'health');
		if ($tmp === false || $json === false) {
			return;
		}
		@chmod($tmp, 0664);
		if (@file_put_contents($tmp, $json) === false || !@rename($tmp, $this->path($entity))) {
			@unlink($tmp);
		}
	}

	/**
	 * File of an entity.
	 *
	 * @param	int		$entity		Entity
	 * @return	string
	 */
	private function path($entity)
	{
		return $this->dir.'/health-'.((int) $entity).'.json';
	}
}
