-- Copyright (C) 2026 TicketStock
--
-- This file is part of the TicketStock module for Dolibarr. It is free software, distributed
-- under the GNU General Public License version 3 or (at your option) any later version.
--
-- One row per stock movement that became an event. The trigger inserts it inside the
-- movement's transaction; the relay publishes it once committed (status 0 pending, 1 sent,
-- 2 failed and retried, 3 discarded because the movement does not exist).

CREATE TABLE llx_ticketstock_outbox(
	rowid integer AUTO_INCREMENT PRIMARY KEY NOT NULL,
	entity integer DEFAULT 1 NOT NULL,
	event_id varchar(36) NOT NULL,
	movement_id integer NOT NULL,
	product_id integer NOT NULL,
	warehouse_id integer NOT NULL,
	status smallint DEFAULT 0 NOT NULL,
	attempts integer DEFAULT 0 NOT NULL,
	next_attempt_at datetime NOT NULL,
	claimed_until datetime NULL,
	last_error varchar(255) NULL,
	payload text NOT NULL,
	datec datetime NOT NULL,
	date_done datetime NULL,
	tms timestamp DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE=innodb;
