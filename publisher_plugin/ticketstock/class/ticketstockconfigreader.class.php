<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

/**
 * \file    ticketstock/class/ticketstockconfigreader.class.php
 * \ingroup ticketstock
 * \brief   Answer of GET /ticketstock/config (module-config.v1) for one entity.
 *
 * Ids are resolved to what the consumer needs (names, emails, labels in the entity's language)
 * because Dolibarr's core API cannot give a group's members on 23.0.
 */

require_once __DIR__.'/ticketstockcatalog.class.php';
require_once __DIR__.'/ticketstocksettings.class.php';

/**
 * Builds module-config.v1.
 */
class TicketStockConfigReader
{
	/** Language used when the entity's default is "auto" or unusable. */
	const FALLBACK_LANGUAGE = 'en_US';

	/** @var TicketStockSettings */
	private $settings;

	/** @var TicketStockCatalog */
	private $catalog;

	/**
	 * Create the reader.
	 *
	 * @param	TicketStockSettings		$settings	Settings of the entity
	 * @param	TicketStockCatalog		$catalog	Reads of Dolibarr data
	 */
	public function __construct(TicketStockSettings $settings, TicketStockCatalog $catalog)
	{
		$this->settings = $settings;
		$this->catalog = $catalog;
	}

	/**
	 * A language code the schema accepts.
	 *
	 * @param	string	$language	MAIN_LANG_DEFAULT of the entity
	 * @return	string
	 */
	public static function language($language)
	{
		$language = (string) $language;
		return preg_match('/^[a-z]{2,3}(_[A-Z]{2})?$/', $language) ? $language : self::FALLBACK_LANGUAGE;
	}

	/**
	 * Absolute URL of the ticket card, from the configured main URL.
	 *
	 * @param	string	$mainUrlRoot	$dolibarr_main_url_root
	 * @return	string
	 */
	public static function ticketUrlBase($mainUrlRoot)
	{
		return rtrim(trim((string) $mainUrlRoot), '/').'/ticket/card.php';
	}

	/**
	 * The configuration of an entity.
	 *
	 * @param	array	$context	entity, module_enabled (bool), module_version, language, company_name,
	 *								main_url_root, langs (Translate in the entity's language, or null)
	 * @return	array				module-config.v1
	 */
	public function read(array $context)
	{
		$entity = (int) $context['entity'];
		$langs = isset($context['langs']) ? $context['langs'] : null;

		$warehouses = array();
		foreach ($this->settings->warehouseIds() as $id) {
			$warehouse = $this->catalog->warehouse($id);
			if ($warehouse !== null) {
				$warehouses[] = $warehouse;
			}
		}

		$assignee = null;
		if ($this->settings->assigneeId() !== null) {
			$user = $this->catalog->user($this->settings->assigneeId());
			$assignee = ($user !== null && $user['active']) ? self::userEntry($user) : null;
		}

		$group = null;
		$contacts = array();
		if ($this->settings->groupId() !== null) {
			$found = $this->catalog->group($this->settings->groupId(), $entity);
			if ($found !== null) {
				$group = array('id' => $found['id'], 'name' => mb_substr($found['name'], 0, 255, 'UTF-8'));
				foreach ($found['members'] as $member) {
					$contacts[] = self::userEntry($member);
				}
			}
		}

		$codes = $this->settings->ticketCodes();
		$ticket = array();
		foreach (array('type', 'severity', 'category') as $dictionary) {
			$label = $this->catalog->ticketDictionaryLabel($dictionary, $codes[$dictionary], $entity, $langs);
			$ticket[$dictionary] = array(
				'code' => mb_substr($codes[$dictionary], 0, 32, 'UTF-8'),
				'label' => mb_substr($label === null ? $codes[$dictionary] : $label, 0, 255, 'UTF-8'),
			);
		}
		$ticket['subject'] = mb_substr($this->settings->subject(), 0, 255, 'UTF-8');
		$ticket['content'] = mb_substr($this->settings->content(), 0, 65000, 'UTF-8');

		return array(
			'schema_version' => 1,
			'entity' => $entity,
			'module_version' => (string) $context['module_version'],
			'enabled' => !empty($context['module_enabled']) && $this->settings->isComplete() && count($warehouses) > 0,
			'warehouses' => $warehouses,
			'assignee' => $assignee,
			'group' => $group,
			'contacts' => $contacts,
			'contact_role' => $this->settings->contactRole(),
			'ticket' => $ticket,
			'ticket_url_base' => self::ticketUrlBase($context['main_url_root']),
			'language' => self::language($context['language']),
			'company_name' => mb_substr((string) $context['company_name'], 0, 255, 'UTF-8'),
		);
	}

	/**
	 * The schema's user entry.
	 *
	 * @param	array	$user	User row from the catalog
	 * @return	array			{id, login, name, email}
	 */
	private static function userEntry(array $user)
	{
		return array(
			'id' => $user['id'],
			'login' => mb_substr($user['login'], 0, 50, 'UTF-8'),
			'name' => mb_substr($user['name'], 0, 255, 'UTF-8'),
			'email' => $user['email'] === null ? null : mb_substr($user['email'], 0, 255, 'UTF-8'),
		);
	}
}
