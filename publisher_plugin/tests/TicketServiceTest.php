<?php
/* Copyright (C) 2026 TicketStock
 *
 * This file is part of the TicketStock module for Dolibarr. It is free software, distributed
 * under the GNU General Public License version 3 or (at your option) any later version.
 */

use PHPUnit\Framework\TestCase;

/**
 * Ticket creation: one transaction, no Dolibarr mails, idempotent, numbering collisions retried.
 */
final class TicketServiceTest extends TestCase
{
	/** @var DoliDB */
	private $db;

	/** @var array Constants */
	private $const = array();

	/**
	 * An empty ticket table, movement 40 from shipment 1, active users 2, 3 and 4.
	 *
	 * @return	void
	 */
	protected function setUp(): void
	{
		$GLOBALS['ticketstock_test_tickets'] = array();
		$GLOBALS['ticketstock_test_contacts'] = array();
		$GLOBALS['ticketstock_test_links'] = array();
		$GLOBALS['ticketstock_test_create_failures'] = array();
		$this->const = array();

		$db = new DoliDB();
		$db->on('/FROM llx_stock_mouvement WHERE rowid = (\d+)/', function ($m) {
			return $m[1] === '40' ? array(array('rowid' => 40, 'fk_product' => 7, 'fk_entrepot' => 2,
				'origintype' => 'shipping', 'fk_origin' => 1, 'fk_projet' => 0)) : array();
		});
		$db->on("/FROM llx_ticket WHERE track_id = '([^']+)'/", function ($m) {
			foreach ($GLOBALS['ticketstock_test_tickets'] as $row) {
				if ($row['track_id'] === $m[1]) {
					return array($row);
				}
			}
			return array();
		});
		$db->on('/FROM llx_user WHERE statut = 1 AND rowid IN \(([\d,]+)\)/', function ($m) {
			return array_map(function ($id) {
				return array('rowid' => $id);
			}, array_intersect(explode(',', $m[1]), array('2', '3', '4')));
		});
		$db->on('/FROM llx_element_contact.*element_id = (\d+)/', function ($m) {
			$ids = array();
			foreach ($GLOBALS['ticketstock_test_contacts'] as $contact) {
				if ($contact['ticket'] === (int) $m[1] && $contact['source'] === 'internal') {
					$ids[$contact['user']] = array('fk_socpeople' => $contact['user']);
				}
			}
			ksort($ids);
			return array_values($ids);
		});
		$db->on("/^UPDATE llx_ticket SET subject = '(.*)', message = '(.*)' WHERE rowid = (\d+)$/s", function ($m) {
			$GLOBALS['ticketstock_test_tickets'][(int) $m[3]]['subject'] = stripslashes($m[1]);
			$GLOBALS['ticketstock_test_tickets'][(int) $m[3]]['message'] = stripslashes($m[2]);
			return 1;
		});
		$this->db = $db;
	}

	/**
	 * The service with the test's constants.
	 *
	 * @return	TicketStockTicketService
	 */
	private function service()
	{
		$const = $this->const;
		$settings = new TicketStockSettings(function ($name, $default) use ($const) {
			return isset($const[$name]) ? $const[$name] : $default;
		});
		return new TicketStockTicketService($this->db, $settings, function ($line, $level) {
		});
	}

	/**
	 * A request.
	 *
	 * @param	array	$overrides	Fields to change
	 * @return	TicketStockTicketRequest
	 */
	private function request(array $overrides = array())
	{
		return TicketStockTicketRequest::fromArray(array_merge(array(
			'track_id' => 'ts-0123456789abcdef', 'movement_id' => 40, 'subject' => 'Received (__REF__)',
			'message' => 'Ticket __TICKET_REF__ #__ID__, kept: __OTHER__', 'type_code' => 'ISSUE',
			'severity_code' => 'NORMAL', 'category_code' => 'OTHER', 'fk_user_assign' => 2,
			'contact_ids' => array(4, 3, 9),
		), $overrides));
	}

	/**
	 * An API user.
	 *
	 * @return	User
	 */
	private function user()
	{
		$user = new User($this->db);
		$user->id = 1;
		$user->login = 'admin';
		return $user;
	}

	/**
	 * The ticket is created assigned, with contacts and links, and without Dolibarr's mails.
	 *
	 * @return	void
	 */
	public function testCreatesTicketWithoutDolibarrMails()
	{
		$answer = $this->service()->create($this->request(), $this->user(), 1);

		$this->assertSame(array(
			'id' => 1, 'ref' => 'TS2612-0001', 'track_id' => 'ts-0123456789abcdef', 'created' => true, 'entity' => 1,
			'subject' => 'Received (TS2612-0001)', 'message' => 'Ticket TS2612-0001 #1, kept: __OTHER__',
			'fk_user_assign' => 2, 'contact_ids' => array(2, 3, 4),
		), $answer);
		$ticket = $GLOBALS['ticketstock_test_tickets'][1];
		$this->assertSame(array('disableticketemail' => 1), $ticket['context']);
		$this->assertSame(0, $ticket['notify_tiers_at_create']);
		$this->assertSame(Ticket::STATUS_ASSIGNED, $ticket['status']);
		$codes = array();
		foreach ($GLOBALS['ticketstock_test_contacts'] as $contact) {
			$codes[$contact['user']] = $contact['code'];
		}
		$this->assertSame(array(2 => 'SUPPORTTEC', 4 => 'CONTRIBUTOR', 3 => 'CONTRIBUTOR'), $codes);
		$this->assertSame(array(array('shipping', 1, 1)), $GLOBALS['ticketstock_test_links']);
		$this->assertSame(0, $this->db->transaction_opened);
	}

	/**
	 * Contacts get the configured role.
	 *
	 * @return	void
	 */
	public function testContactRoleFromSetup()
	{
		$this->const['TICKETSTOCK_CONTACT_ROLE'] = 'SUPPORTTEC';
		$this->service()->create($this->request(array('fk_user_assign' => null)), $this->user(), 1);
		$codes = array_unique(array_column($GLOBALS['ticketstock_test_contacts'], 'code'));
		$this->assertSame(array('SUPPORTTEC'), array_values($codes));
		$this->assertSame(Ticket::STATUS_NOT_READ, $GLOBALS['ticketstock_test_tickets'][1]['status']);
	}

	/**
	 * With the admin notification kept, only that mail may go: the assignee is set afterwards,
	 * without trigger.
	 *
	 * @return	void
	 */
	public function testKeepAdminNotification()
	{
		$this->const['TICKETSTOCK_KEEP_ADMIN_NOTIFICATION'] = '1';
		$answer = $this->service()->create($this->request(), $this->user(), 1);

		$ticket = $GLOBALS['ticketstock_test_tickets'][1];
		$this->assertSame(array(), $ticket['context']);
		$this->assertSame(0, $ticket['notify_tiers_at_create']);
		$this->assertSame(1, $ticket['assign_notrigger']);
		$this->assertSame(2, $answer['fk_user_assign']);
		$this->assertContains(2, $answer['contact_ids']);
	}

	/**
	 * An existing track id is answered as it is, created false, nothing made.
	 *
	 * @return	void
	 */
	public function testExistingTrackIdIsAnswered()
	{
		$first = $this->service()->create($this->request(), $this->user(), 1);
		$second = $this->service()->create($this->request(array('subject' => 'Other')), $this->user(), 1);

		$this->assertTrue($first['created']);
		$this->assertFalse($second['created']);
		$this->assertSame($first['id'], $second['id']);
		$this->assertSame($first['subject'], $second['subject']);
		$this->assertCount(1, $GLOBALS['ticketstock_test_tickets']);
	}

	/**
	 * Collisions on the ticket numbering are retried in new transactions.
	 *
	 * @return	void
	 */
	public function testRefCollisionIsRetried()
	{
		$GLOBALS['ticketstock_test_create_failures'] = array('ref', 'ref', 'ref');
		$answer = $this->service()->create($this->request(), $this->user(), 1);

		$this->assertTrue($answer['created']);
		$this->assertSame(0, $this->db->transaction_opened);
	}

	/**
	 * Past the retry limit the call fails.
	 *
	 * @return	void
	 */
	public function testRefCollisionLimit()
	{
		$attempts = TicketStockTicketService::MAX_REF_RETRIES + 1;
		$GLOBALS['ticketstock_test_create_failures'] = array_fill(0, $attempts, 'ref');
		$this->expectException(TicketStockException::class);
		$this->expectExceptionMessage('kept colliding after 6 attempts');
		$this->service()->create($this->request(), $this->user(), 1);
	}

	/**
	 * Losing the race on the track id answers the winner's ticket.
	 *
	 * @return	void
	 */
	public function testTrackIdRaceAnswersWinner()
	{
		$GLOBALS['ticketstock_test_create_failures'] = array('track_id');
		$answer = $this->service()->create($this->request(), $this->user(), 1);

		$this->assertFalse($answer['created']);
		$this->assertSame('TS2612-9999', $answer['ref']);
		$this->assertCount(1, $GLOBALS['ticketstock_test_tickets']);
	}

	/**
	 * An unknown movement is a 404 with its reason.
	 *
	 * @return	void
	 */
	public function testUnknownMovement()
	{
		$this->expectException(TicketStockNotFoundException::class);
		$this->expectExceptionMessage('Stock movement 41 not found');
		$this->service()->create($this->request(array('movement_id' => 41)), $this->user(), 1);
	}

	/**
	 * Ticket keys are replaced, others kept.
	 *
	 * @return	void
	 */
	public function testSubstitute()
	{
		$text = 'A __REF__ __TICKET_REF__ __ID__ __X__';
		$this->assertSame('A TS-1 TS-1 __ID__ __X__', TicketStockTicketService::substitute($text, 'TS-1', null));
		$this->assertSame('7', TicketStockTicketService::substitute('__ID__', 'TS-1', 7));
	}

	/**
	 * Collisions are recognised from MySQL and PostgreSQL messages.
	 *
	 * @return	void
	 */
	public function testCollisionKind()
	{
		$this->assertSame('ref', TicketStockTicketService::collisionKind(
			"Error Duplicate entry 'TS2612-0001-1' for key 'uk_ticket_ref'"));
		$this->assertSame('track_id', TicketStockTicketService::collisionKind(
			'duplicate key value violates unique constraint "uk_ticket_track_id"'));
		$this->assertSame('', TicketStockTicketService::collisionKind('Deadlock found'));
	}
}
