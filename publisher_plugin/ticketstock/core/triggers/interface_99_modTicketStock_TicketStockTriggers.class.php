<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/core/triggers/interface_99_modTicketStock_TicketStockTriggers.class.php
 * \ingroup ticketstock
 * \brief   Queues an event in the outbox for each stock increase into a watched warehouse.
 *
 * STOCK_MOVEMENT runs inside the movement's transaction, before commit, and a trigger that
 * returns a negative value cancels the stock operation. This trigger therefore always returns 0:
 * whatever fails is logged and recorded for the setup page, never raised.
 */

require_once DOL_DOCUMENT_ROOT.'/core/triggers/dolibarrtriggers.class.php';
require_once __DIR__.'/../../class/ticketstockevent.class.php';
require_once __DIR__.'/../../class/ticketstockcatalog.class.php';
require_once __DIR__.'/../../class/ticketstockruntime.class.php';

/**
 * Triggers of the TicketStock module.
 */
class InterfaceTicketStockTriggers extends DolibarrTriggers
{
	/**
	 * Constructor.
	 *
	 * @param	DoliDB	$db		Database handler
	 */
	public function __construct($db)
	{
		parent::__construct($db);
		$this->family = 'stock';
		$this->description = 'TicketStock: queues stock increases into watched warehouses for RabbitMQ.';
		$this->version = self::VERSIONS['prod'];
		$this->picto = 'stock';
	}

	/**
	 * Called by Dolibarr for every business event.
	 *
	 * @param	string			$action		Event code
	 * @param	CommonObject	$object		Object of the event
	 * @param	User			$user		User who made it
	 * @param	Translate		$langs		Languages
	 * @param	Conf			$conf		Configuration
	 * @return	int							Always 0: this module never cancels an operation
	 */
	public function runTrigger($action, $object, User $user, Translate $langs, Conf $conf)
	{
		if (!isModEnabled('ticketstock')) {
			return 0;
		}
		if ($action !== 'STOCK_MOVEMENT') {
			return 0;
		}
		return $this->stockMovement($object, $user, $conf);
	}

	/**
	 * Queue the event of a stock increase into a watched warehouse of the current entity.
	 *
	 * @param	MouvementStock	$movement	The movement, as the trigger receives it
	 * @param	User			$user		User who made it
	 * @param	Conf			$conf		Configuration of the current entity
	 * @return	int							0
	 */
	private function stockMovement($movement, User $user, Conf $conf)
	{
		$entity = (int) $conf->entity;
		$movementId = isset($movement->id) ? (int) $movement->id : 0;
		$warehouseId = 0;
		$eventId = '-';

		try {
			$builder = new TicketStockEventBuilder();
			$settings = TicketStockSettings::fromConf();
			$facts = $builder->readMovement($movement);
			$warehouseId = (int) $facts['warehouse_id'];

			$decision = $builder->decide($facts, $settings->warehouseIds());
			if ($decision !== TicketStockEventBuilder::ACCEPTED) {
				$this->log($eventId, $movementId, $entity, $warehouseId, 'skipped reason='.$decision, LOG_DEBUG);
				return 0;
			}

			$catalog = new TicketStockCatalog($this->db);
			$product = $catalog->product($facts['product_id']);
			$warehouse = $catalog->warehouse($facts['warehouse_id']);
			$now = microtime(true);
			$event = $builder->build($facts, array(
				'event_id' => TicketStockEventBuilder::newEventId(),
				'instance_id' => $settings->instanceId(),
				'entity' => $entity,
				'occurred_at' => $now,
				'product_ref' => $product ? $product['ref'] : null,
				'product_label' => $product ? $product['label'] : null,
				'warehouse_ref' => $warehouse ? $warehouse['ref'] : null,
				'user_id' => $user->id,
				'user_login' => $user->login,
			));
			$eventId = $event['event_id'];

			$outbox = new TicketStockOutbox($this->db);
			$rowId = $outbox->insert($event, TicketStockEventBuilder::encode($event), (int) floor($now));
			TicketStockRuntime::publishAfterRequest($entity, $rowId);
			$this->log($eventId, $movementId, $entity, $warehouseId, 'queued outbox_id='.$rowId, LOG_INFO);
		} catch (Throwable $e) {
			$this->log($eventId, $movementId, $entity, $warehouseId, 'error error="'.$e->getMessage().'"', LOG_ERR);
			TicketStockRuntime::health()->recordError($entity, 'trigger',
				'stock movement '.$movementId.': '.$e->getMessage(), time());
		}
		return 0;
	}

	/**
	 * Log the one line of a handled STOCK_MOVEMENT.
	 *
	 * @param	string	$eventId		Event id, "-" when none was made
	 * @param	int		$movementId		Movement id
	 * @param	int		$entity			Entity
	 * @param	int		$warehouseId	Warehouse id
	 * @param	string	$outcome		Outcome, with its extra fields
	 * @param	int		$level			LOG_* level
	 * @return	void
	 */
	private function log($eventId, $movementId, $entity, $warehouseId, $outcome, $level)
	{
		dol_syslog(sprintf('ticketstock.trigger event_id=%s movement=%d entity=%d warehouse=%d outcome=%s',
			$eventId, $movementId, $entity, $warehouseId, $outcome), $level);
	}
}
