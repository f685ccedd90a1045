-- Copyright (C) 2026 TicketStock
--
-- This file is part of the TicketStock module for Dolibarr. It is free software, distributed
-- under the GNU General Public License version 3 or (at your option) any later version.
--
-- A movement id is unique across entities (llx_stock_mouvement has no entity), so it can
-- never give two events.

ALTER TABLE llx_ticketstock_outbox ADD UNIQUE INDEX uk_ticketstock_outbox_event_id (event_id);
ALTER TABLE llx_ticketstock_outbox ADD UNIQUE INDEX uk_ticketstock_outbox_movement_id (movement_id);
ALTER TABLE llx_ticketstock_outbox ADD INDEX idx_ticketstock_outbox_due (entity, status, next_attempt_at);
