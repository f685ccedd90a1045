<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * POST /ticketstock/tickets refuses every body that breaks ticket-create-request.v1.
 */
final class TicketRequestTest extends TestCase
{
	/**
	 * A valid body with changes.
	 *
	 * @param	array	$overrides	Fields to change
	 * @param	array	$remove		Fields to drop
	 * @return	array
	 */
	private function body(array $overrides = array(), array $remove = array())
	{
		$body = array_merge(array(
			'track_id' => 'ts-0123456789abcdef',
			'movement_id' => 40,
			'subject' => 'Stock received',
			'message' => 'Ticket __REF__',
			'type_code' => 'ISSUE',
			'severity_code' => 'NORMAL',
			'category_code' => '',
			'fk_user_assign' => 2,
			'contact_ids' => array(3, 4),
		), $overrides);
		foreach ($remove as $key) {
			unset($body[$key]);
		}
		return $body;
	}

	/**
	 * A valid body is read with its types.
	 *
	 * @return	void
	 */
	public function testValidBody()
	{
		$request = TicketStockTicketRequest::fromArray($this->body(array('movement_id' => 40.0)));
		$this->assertSame('ts-0123456789abcdef', $request->trackId);
		$this->assertSame(40, $request->movementId);
		$this->assertSame(2, $request->assigneeId);
		$this->assertSame(array(3, 4), $request->contactIds);
		$this->assertSame('', $request->categoryCode);

		$body = $this->body(array('fk_user_assign' => null, 'contact_ids' => array()));
		$request = TicketStockTicketRequest::fromArray($body);
		$this->assertNull($request->assigneeId);
		$this->assertSame(array(), $request->contactIds);
	}

	/**
	 * Each broken rule gives a 400 reason.
	 *
	 * @return	void
	 */
	public function testBrokenBodiesAreRefused()
	{
		$cases = array(
			'not an object' => array(array(1, 2), 'JSON object'),
			'null' => array(null, 'JSON object'),
			'unknown field' => array($this->body(array('priority' => 1)), 'unknown field priority'),
			'missing field' => array($this->body(array(), array('contact_ids')), 'missing field contact_ids'),
			'short track id' => array($this->body(array('track_id' => 'abc')), 'track_id must have 16 to 128'),
			'bad track id' => array($this->body(array('track_id' => 'ts 0123456789abcdef')), 'track_id may only'),
			'string movement' => array($this->body(array('movement_id' => '40')), 'movement_id must be an integer'),
			'zero movement' => array($this->body(array('movement_id' => 0)), 'movement_id must be an integer'),
			'empty subject' => array($this->body(array('subject' => '')), 'subject must have 1 to 255'),
			'long subject' => array($this->body(array('subject' => str_repeat('é', 256))), 'subject must have'),
			'long message' => array($this->body(array('message' => str_repeat('a', 65001))), 'message must have'),
			'long code' => array($this->body(array('type_code' => str_repeat('A', 33))), 'type_code must have'),
			'numeric code' => array($this->body(array('severity_code' => 3)), 'severity_code must be a string'),
			'zero assignee' => array($this->body(array('fk_user_assign' => 0)), 'fk_user_assign must be an integer'),
			'contacts not list' => array($this->body(array('contact_ids' => array('a' => 1))), 'must be an array'),
			'contact string' => array($this->body(array('contact_ids' => array('3'))), 'contact_ids must only hold'),
			'contact repeated' => array($this->body(array('contact_ids' => array(3, 3))), 'must not repeat'),
			'too many contacts' => array($this->body(array('contact_ids' => range(1, 501))), 'at most 500'),
			'bad utf8' => array($this->body(array('subject' => "\xFF")), 'not valid UTF-8'),
		);
		foreach ($cases as $name => $case) {
			try {
				TicketStockTicketRequest::fromArray($case[0]);
				$this->fail($name.' was accepted');
			} catch (TicketStockRequestException $e) {
				$this->assertStringContainsString($case[1], $e->getMessage(), $name);
			}
		}
	}
}
