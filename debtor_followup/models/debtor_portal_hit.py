from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models

# How long the hits are counted for the limit (and kept).
WINDOW = timedelta(hours=1)


class DebtorPortalHit(models.Model):
    """One request to a customer page, counted per link and per address for the rate limit.

    Kept an hour (the autovacuum deletes older hits); only the page's controller writes them, as superuser.
    """

    _name = "debtor.portal.hit"
    _description = "Customer Page Request"
    _log_access = False

    key = fields.Char(required=True, index=True, help="'token:<hash>' or 'ip:<address>'.")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    @api.model
    def _debtor_hit(self, keys, limit):
        """Count one request under each of ``keys``.

        :param keys: the link and address keys of the request
        :param limit: requests allowed per key in the window (0: no limit)
        :return: True when the request is allowed, False when one of its keys is over the limit (the request is
            counted all the same: hammering keeps the door shut)
        """
        keys = [key for key in keys if key]
        since = fields.Datetime.now() - WINDOW
        counts = dict(self._read_group([("key", "in", keys), ("date", ">=", since)], ["key"], ["__count"]))
        self.create([{"key": key} for key in keys])
        return not limit or all(counts.get(key, 0) < limit for key in keys)

    @api.autovacuum
    def _gc_hits(self):
        self.search([("date", "<", fields.Datetime.now() - WINDOW)]).unlink()
