import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import split_every

from .debtor_customer import DELAY_COLUMNS
from .debtor_customer import FIGURE_COLUMNS
from .debtor_customer import STATUS_SEQUENCE
from .debtor_customer import DebtorCustomer
from .debtor_handover import EXCLUDING_STATES as EXCLUDING_HANDOVER_STATES

_logger = logging.getLogger(__name__)

# The states of the records that take an item out of the follow-up (see _exclusion_reason_sql).
EXCLUDING_DISPUTE_STATES = ("open", "investigation")
EXCLUDING_PLAN_STATES = ("active",)
EXCLUDING_PROMISE_STATES = ("open",)


class DebtorCustomerEngine(models.Model):
    """The follow-up decision of debtor files: why an item is excluded, which level it is due for and when,
    the file's state, and the refresh that stores it (at once, or pending until the transaction commits).
    """

    _inherit = "debtor.customer"

    # ------------------------------------------------------------------
    # Decide: why an item is not followed up
    # ------------------------------------------------------------------
    @api.model
    def _exclusion_reason_sql(self):
        """THE rule of why an open item is not followed up, as an SQL ``CASE`` giving a code of
        ``EXCLUSION_REASONS`` (NULL: followed up), first match wins: handed over to a collection agency
        (``EXCLUDING_HANDOVER_STATES``), excluded by hand (the item, or its invoice), the debtor file excluded,
        the item marked ``no_followup`` by Odoo, an open dispute on its invoice (``EXCLUDING_DISPUTE_STATES``),
        its invoice in an active payment plan (``EXCLUDING_PLAN_STATES``), an open promise to pay covering it
        (``EXCLUDING_PROMISE_STATES``), its invoice reported paid by the customer on its page within the pause
        (``debtor.portal.answer``).

        It reads the aliases of ``_debtor_items_query`` (``line``, ``customer``, ``handed_over``, ``disputed``,
        ``planned``, ``promised``, ``reported_paid``), which joins the records of those states: the nightly run
        and the manual send (``_line_exclusions`` through ``_compute_followup_state``), the items' reason and the
        handover wizard (``account.move.line.debtor_exclusion_reason``), the aging, the forecast and the work
        queue's figures (``followup_state``) all ask this one rule.
        """
        return SQL("""CASE WHEN handed_over.move_id IS NOT NULL THEN 'collection'
                        WHEN line.debtor_manual_exclusion THEN 'manual'
                        WHEN customer.excluded THEN 'customer'
                        WHEN line.no_followup THEN 'no_followup'
                        WHEN disputed.id IS NOT NULL THEN 'dispute'
                        WHEN planned.move_id IS NOT NULL THEN 'plan'
                        WHEN promised.line_id IS NOT NULL THEN 'promise'
                        WHEN reported_paid.move_id IS NOT NULL THEN 'reported_paid'
                   END""")

    @api.model
    def _line_exclusions(self, company, lines):
        """Why some of ``lines`` must not be followed up, as ``{line_id: reason}``, from
        ``_exclusion_reason_sql``: one query whatever the number of lines. The debtor file's own exclusion and
        ``no_followup`` are left to ``_compute_followup_state`` (the file's reason comes first there, and items
        marked ``no_followup`` are not followed up at all).

        :param company: the ``res.company`` being followed up
        :param lines: ``account.move.line`` records, all open and receivable
        """
        if not lines:
            return {}
        self.env.cr.execute(SQL(
            "SELECT item.id, item.exclusion_reason FROM (%s) AS item WHERE item.exclusion_reason IS NOT NULL",
            self._debtor_items_query(fields.Date.context_today(self), companies=company, lines=lines,
                                     totals_only=True)))
        return {line_id: reason for line_id, reason in self.env.cr.fetchall()
                if reason not in ("customer", "no_followup")}

    @api.model
    def _excluding_records(self, moves):
        """The records that take ``moves`` out of the follow-up, by reason of ``_exclusion_reason_sql`` (same
        states), for the messages that name them (the handover wizard).

        :return: dict ``collection`` (``debtor.handover.line``), ``dispute`` (``debtor.dispute``), ``plan``
            (``debtor.payment.plan``), ``promise`` (``debtor.promise``)
        """
        return {
            "collection": self.env["debtor.handover.line"].sudo().search(
                [("move_id", "in", moves.ids), ("state", "in", EXCLUDING_HANDOVER_STATES)]),
            "dispute": self.env["debtor.dispute"].sudo().search(
                [("move_id", "in", moves.ids), ("state", "in", EXCLUDING_DISPUTE_STATES)]),
            "plan": self.env["debtor.payment.plan"].sudo().search(
                [("move_ids", "in", moves.ids), ("state", "in", EXCLUDING_PLAN_STATES)]),
            "promise": self.env["debtor.promise"].sudo().search(
                [("line_ids.move_id", "in", moves.ids), ("state", "in", EXCLUDING_PROMISE_STATES)]),
        }

    @api.model
    def _next_level(self, levels, current_level, overdue_days):
        """The level an item goes to next, or None.

        :param levels: the policy's levels, earliest first
        :param current_level: the level the item has reached (may belong to another policy), or an empty record
        :param int overdue_days: days since the due date (negative before it)
        """
        for level in levels:
            if current_level and level.delay_days <= current_level.delay_days:
                continue
            if overdue_days > 0 and level.delay_days < 0:
                continue  # a courtesy reminder before the due date makes no sense any more
            return level
        return None

    @api.model
    def _next_action_date(self, line, next_level):
        """When ``line`` goes to ``next_level``: the level's day after the due date, and never sooner after the
        previous action than the gap between the two levels (so a late start does not fire a level a night)."""
        date = line.date_maturity + timedelta(days=next_level.delay_days)
        if line.debtor_level_id and line.debtor_last_action_date:
            gap = next_level.delay_days - line.debtor_level_id.delay_days
            date = max(date, line.debtor_last_action_date + timedelta(days=gap))
        if line.debtor_resume_date:
            date = min(date, line.debtor_resume_date)  # a rejected dispute: the next level at once
        return date

    @api.model
    def _compute_followup_state(self, company, partners=None, today=None):
        """Compute the follow-up state of the customers of ``company`` from their open receivable items.

        A few queries whatever the number of items (items, debtor files, exclusions, figures), then plain Python.
        The totals are those of ``_debtor_figures`` (the statement's, the aging's and the dashboard's): total due is
        what is owed less the open credits, overdue what is owed past its due date (credits do not reduce it). A
        customer whose credits cover everything overdue is not chased, though.

        :param company: a ``res.company`` record
        :param partners: commercial partners to compute (all with open items when None)
        :param today: the date to compute for (default: today)
        :return: ``{partner_id: state}`` where ``state`` holds the figures of ``FIGURE_COLUMNS``, ``due`` (a dict
            level -> lines to execute now), ``lines`` (a dict line_id -> (next level, next date, exclusion reason))
        """
        today = today or fields.Date.context_today(self)
        Line = self.env["account.move.line"].with_company(company)
        lines = Line.search_fetch(
            self._open_lines_domain(company, partners),
            ["partner_id", "move_id", "date_maturity", "amount_residual", "no_followup", "debtor_level_id",
             "debtor_last_action_date", "debtor_manual_exclusion", "debtor_resume_date"],
            order="partner_id, date_maturity, id",
        )
        partner_ids = set(lines.partner_id.ids) | set(partners.ids if partners is not None else [])
        files = self.search_fetch(
            [("company_id", "=", company.id), ("partner_id", "in", list(partner_ids))],
            ["partner_id", "policy_id", "excluded", "postponed_until"],
        )
        file_by_partner = {debtor_file.partner_id.id: debtor_file for debtor_file in files}
        default_policy = self.env["debtor.followup.policy"]._get_company_default(company)
        levels_by_policy = {}
        exclusions = self._line_exclusions(company, lines)
        figures = self._debtor_figures(company, partners, today)

        lines_by_partner = defaultdict(list)
        for line in lines:
            lines_by_partner[line.partner_id.id].append(line)

        result = {}
        for partner_id in partner_ids:
            debtor_file = file_by_partner.get(partner_id)
            policy = (debtor_file and debtor_file.policy_id) or default_policy
            if policy not in levels_by_policy:
                levels_by_policy[policy] = policy._sorted_levels() if policy else []
            levels = levels_by_policy[policy]
            paused = bool(debtor_file and debtor_file.postponed_until and debtor_file.postponed_until > today)
            state = {
                "total_due": 0.0, "total_overdue": 0.0, "oldest_overdue_days": 0, "next_action_date": None,
                "level_id": None, "last_action_date": None, "due_level_id": None,
                "due": defaultdict(lambda: self.env["account.move.line"]), "lines": {},
            }
            top_level = None
            next_levels = [None]  # the level of the next action
            overdue_open = overdue_followed = 0
            for line in lines_by_partner.get(partner_id, []):
                residual = line.amount_residual
                overdue_days = (today - line.date_maturity).days if line.date_maturity else 0
                if line.debtor_level_id and (not top_level or line.debtor_level_id.delay_days > top_level.delay_days):
                    top_level = line.debtor_level_id
                if line.debtor_last_action_date and (
                        not state["last_action_date"] or line.debtor_last_action_date > state["last_action_date"]):
                    state["last_action_date"] = line.debtor_last_action_date
                if residual <= 0 or not line.date_maturity or line.no_followup:
                    continue
                if overdue_days > 0:
                    overdue_open += 1
                reason = "customer" if debtor_file and debtor_file.excluded else exclusions.get(line.id)
                next_level = None if reason else self._next_level(levels, line.debtor_level_id, overdue_days)
                next_date = next_level and self._next_action_date(line, next_level)
                state["lines"][line.id] = (next_level, next_date, reason)
                if reason:
                    continue
                if overdue_days > 0:
                    overdue_followed += 1
                if not next_level:
                    continue
                if (not state["next_action_date"] or next_date < state["next_action_date"]
                        or (next_date == state["next_action_date"]
                            and next_level.delay_days < next_levels[0].delay_days)):
                    # the next action date and the level it executes always go together
                    state["next_action_date"] = next_date
                    next_levels[0] = next_level
                if next_date <= today and not paused:
                    state["due"][next_level] |= line
            if paused and state["next_action_date"]:
                state["next_action_date"] = max(state["next_action_date"], debtor_file.postponed_until)
            state["level_id"] = top_level.id if top_level else None
            # the figures are those of _debtor_figures, the one definition every screen and document reads
            mine = figures.get(partner_id, {})
            state["total_due"], state["total_overdue"] = mine.get("total", 0.0), mine.get("overdue", 0.0)
            state["oldest_overdue_days"] = mine.get("oldest_overdue_days", 0)
            if overdue_open and company.currency_id.compare_amounts(
                    mine.get("overdue", 0.0) + mine.get("credits", 0.0), 0.0) <= 0:
                # the customer's credits cover everything overdue: nothing to chase
                state["due"].clear()
                overdue_open = 0
            # the level the next action executes: the earliest level due now, else that of the next action date
            if state["due"]:
                state["due_level_id"] = min(state["due"], key=lambda level: level.delay_days).id
            elif next_levels[0]:
                state["due_level_id"] = next_levels[0].id
            if state["due"]:
                state["status"] = "action"
            elif overdue_open and not overdue_followed:
                state["status"] = "excluded"
            elif debtor_file and debtor_file.excluded:
                state["status"] = "excluded"
            elif overdue_open:
                state["status"] = "overdue"
            else:
                state["status"] = "none"
            state["status_sequence"] = STATUS_SEQUENCE[state["status"]]
            result[partner_id] = state
        return result

    @api.model
    def _refresh(self, company, partners=None, today=None):
        """Recompute and store the figures of the debtor files of ``company``.

        Creates the missing files of customers with open items. ``partners=None`` refreshes every file of the
        company (the nightly run); otherwise only those partners' (after a posting or a reconciliation).

        :return: the state computed by ``_compute_followup_state``
        """
        self = self.sudo()  # figures are maintained by the system, whoever's action triggers a refresh
        if partners is not None:
            partners = partners.commercial_partner_id
            if not partners:
                return {}
        state = self._compute_followup_state(company, partners, today)
        domain = [("company_id", "=", company.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        existing = self.with_context(active_test=False).search_fetch(domain, ["partner_id"])
        known = set(existing.partner_id.ids)
        missing = [pid for pid, vals in state.items() if pid not in known and vals["total_due"]]
        if missing:
            # create() would refresh again: insert plainly, the figures are written just below; files made by the
            # refresh get no chatter entry nor followers (the chatter's create does both record by record)
            new_files = super(DebtorCustomer, self.with_context(tracking_disable=True)).create(
                [{"partner_id": pid, "company_id": company.id} for pid in missing]).with_env(self.env)
            self._refresh_usual_delays(company, new_files.partner_id, today)
            existing |= new_files
        blank = {"status": "none", "total_due": 0.0, "total_overdue": 0.0, "oldest_overdue_days": 0,
                 "next_action_date": None, "level_id": None, "last_action_date": None, "due_level_id": None,
                 "status_sequence": STATUS_SEQUENCE["none"]}
        rows = []
        for debtor_file in existing:
            vals = state.get(debtor_file.partner_id.id, blank)
            rows.append([debtor_file.id] + [vals[column] for column in FIGURE_COLUMNS])
        self._bulk_write(FIGURE_COLUMNS, rows)
        # the items' next level and exclusion are computed on the fly: forget what was computed before
        self.env["account.move.line"].invalidate_model(
            ["debtor_next_level_id", "debtor_next_action_date", "debtor_exclusion_reason"])
        return state

    # The customers whose files Odoo's own flows changed in this transaction, per company, refreshed once.
    _PENDING_KEY = "debtor_followup.pending_refresh"
    # Set once this transaction has refreshed the files waiting in the queue (debtor.customer.refresh).
    _QUEUE_DONE_KEY = "debtor_followup.refresh_queue_done"
    # Refreshed per chunk of queued customers by the cron.
    _QUEUE_CHUNK = 2000

    @api.model
    def _debtor_mark_pending(self, partner_ids_by_company):
        """Note that the files of these customers need a refresh (figures and usual delay).

        In this transaction the refresh runs, set-based, as soon as the files' figures are read or searched. If the
        transaction commits without reading them (Odoo's own flows: posting, reconciling, paying), the customers
        are handed to the refresh queue instead (one insert at commit, see ``_debtor_queue_pending``): the flows
        pay nothing more, and the cron or the next reader refreshes them. What is cached of the files' figures is
        forgotten now, so the next read refreshes first.

        :param partner_ids_by_company: ``{company id: {commercial partner id, ...}}``
        """
        data = self.env.cr.precommit.data
        pending = data.get(self._PENDING_KEY)
        if pending is None:
            pending = data[self._PENDING_KEY] = defaultdict(set)
            self.env.cr.precommit.add(self.sudo()._debtor_queue_pending)
        for company_id, partner_ids in partner_ids_by_company.items():
            pending[company_id] |= set(partner_ids)
        self.invalidate_model([*FIGURE_COLUMNS, *DELAY_COLUMNS], flush=False)

    @api.model
    def _debtor_refresh_pending(self):
        """Refresh the files noted by ``_debtor_mark_pending`` in this transaction, company by company (before
        their figures are read)."""
        pending = self.env.cr.precommit.data.pop(self._PENDING_KEY, None)
        if not pending:
            return
        try:
            self._debtor_refresh_customers(pending)
        except Exception:
            # not lost: what is left is refreshed at the next read or queued at commit
            self._debtor_mark_pending(pending)
            raise

    @api.model
    def _debtor_refresh_customers(self, partner_ids_by_company):
        """Refresh the figures and usual delays of these customers' files, company by company, set-based.

        :param partner_ids_by_company: ``{company id: {commercial partner id, ...}}``; the companies done are
            removed from it (what is left after an error is what was not refreshed)
        """
        Customer = self.sudo()  # whoever's read triggers it (a manager of one company reading a report...)
        for company_id, partner_ids in list(partner_ids_by_company.items()):
            company = Customer.env["res.company"].browse(company_id)
            partners = Customer.env["res.partner"].browse(partner_ids)
            Customer._refresh(company, partners)
            Customer._refresh_usual_delays(company, partners)  # payments matched or undone
            del partner_ids_by_company[company_id]
        self.env.flush_all()

    @api.model
    def _debtor_queue_pending(self):
        """At commit, the files noted in this transaction and not refreshed yet go to the refresh queue (one
        insert), and the refresh cron is woken to do them now."""
        pending = self.env.cr.precommit.data.pop(self._PENDING_KEY, None)
        rows = [(company_id, partner_id) for company_id, partner_ids in (pending or {}).items()
                for partner_id in partner_ids]
        if not rows:
            return
        # the statement's snapshot does not see the rows it inserts: was_empty tells whether others were waiting
        self.env.cr.execute(SQL(
            """WITH queued AS (
                   INSERT INTO debtor_customer_refresh (company_id, partner_id) VALUES %s
                   ON CONFLICT (company_id, partner_id) DO NOTHING RETURNING 1)
               SELECT NOT EXISTS (SELECT 1 FROM debtor_customer_refresh)""",
            SQL(", ").join(SQL("(%s, %s)", company_id, partner_id) for company_id, partner_id in rows)))
        was_empty = self.env.cr.fetchone()[0]
        if was_empty:
            # others waiting means the cron was woken already (and readers refresh what waits anyway): a burst of
            # postings wakes it once
            cron = self.env.ref("debtor_followup.ir_cron_debtor_refresh_queue", raise_if_not_found=False)
            if cron:
                cron._trigger()

    @api.model
    def _debtor_process_queue(self, limit=None):
        """Refresh the files waiting in the refresh queue (oldest first, at most ``limit`` customers), set-based.

        The queued rows are taken with ``SKIP LOCKED``: a transaction doing the same (the cron and a reader, two
        readers) leaves them to the other. In a read-only transaction this raises PostgreSQL's read-only error,
        on which Odoo retries the request with a read/write cursor: a reader never sees a file left stale.

        :return: the number of customers refreshed
        """
        self.env.cr.execute(SQL(
            """DELETE FROM debtor_customer_refresh
                WHERE id IN (SELECT id FROM debtor_customer_refresh ORDER BY id %s FOR UPDATE SKIP LOCKED)
            RETURNING company_id, partner_id""",
            SQL("LIMIT %s", limit) if limit else SQL()))
        by_company = defaultdict(set)
        rows = self.env.cr.fetchall()
        for company_id, partner_id in rows:
            by_company[company_id].add(partner_id)
        if by_company:
            self._debtor_refresh_customers(by_company)
        return len(rows)

    @api.model
    def _cron_process_refresh_queue(self):
        """Refresh the files Odoo's flows queued, a chunk per commit (woken by the flows themselves)."""
        while True:
            done = self._debtor_process_queue(
                limit=self._QUEUE_CHUNK if self.env.context.get("ir_cron_progress_id") else None)
            if not done or not self.env.context.get("ir_cron_progress_id"):
                # outside the cron job (tests, shell) the caller's transaction stays whole: one pass
                return
            self.env.cr.execute("SELECT COUNT(*) FROM debtor_customer_refresh")
            remaining = self.env.cr.fetchone()[0]
            if self.env["ir.cron"]._commit_progress(done, remaining=remaining) <= 0:
                return

    def _debtor_refresh_before_read(self):
        """Before debtor files are read or searched: refresh what this transaction left pending and, once per
        transaction, what waits in the refresh queue (files included that the refresh creates). Code that reads
        only what people set on the files (the credit control of a posting) passes ``debtor_skip_queue``."""
        data = self.env.cr.precommit.data
        if data.get(self._PENDING_KEY):
            self._debtor_refresh_pending()
        if data.get(self._QUEUE_DONE_KEY) or self.env.context.get("debtor_skip_queue"):
            return
        data[self._QUEUE_DONE_KEY] = True
        self.env.cr.execute("SELECT EXISTS (SELECT 1 FROM debtor_customer_refresh)")
        if not self.env.cr.fetchone()[0]:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self._debtor_process_queue()
        except psycopg2.errors.ReadOnlySqlTransaction:
            raise  # Odoo retries the request with a read/write cursor, which refreshes them
        except psycopg2.errors.SerializationFailure:
            # another transaction (the cron) refreshed them since this one began: as of this transaction's
            # snapshot the files stay as they were, like everything else it reads
            self.invalidate_model([*FIGURE_COLUMNS, *DELAY_COLUMNS], flush=False)
        except Exception:
            # the reader still gets the files (as last refreshed); the queued ones wait for the cron, which logs the
            # same error if it lasts
            _logger.warning("The refresh of the queued debtor files failed; they stay queued", exc_info=True)
            self.invalidate_model([*FIGURE_COLUMNS, *DELAY_COLUMNS], flush=False)

    def flush_model(self, fnames=None):
        # a read or search of debtor files sees the refresh that Odoo's flows left pending or queued
        self._debtor_refresh_before_read()
        return super().flush_model(fnames)

    def flush_recordset(self, fnames=None):
        self._debtor_refresh_before_read()
        return super().flush_recordset(fnames)

    @api.model
    def _skip_refresh(self):
        """Whether a bulk loader asked to refresh the debtor files once at its end (context key
        ``debtor_skip_refresh``): honoured for the superuser and administrators only, so that a key sent over RPC
        cannot leave the figures stale."""
        return bool(self.env.context.get("debtor_skip_refresh")) and (self.env.su or self.env.user._is_admin())

    # The fields computed when read from the items' amounts, due dates and levels, per model.
    _ITEM_FIGURE_FIELDS = {
        "account.move": ["debtor_owed_rule", "debtor_owed_interest", "debtor_owed_costs", "debtor_owed_total",
                         "debtor_owed_note"],
        "account.move.line": ["debtor_next_level_id", "debtor_next_action_date", "debtor_exclusion_reason",
                              "debtor_overdue_days"],
        "debtor.promise": ["amount_paid"],
    }

    @api.model
    def _forget_item_figures(self):
        """Forget what was computed from the items (an invoice's interest and total owed, an item's next level, a
        promise's amount paid since): Odoo's flows or the follow-up changed their amounts, due dates or levels.

        These fields do not declare those items' fields as dependencies: Odoo would walk them on every change of
        any entry's amounts (the closure of ``amount_residual``'s dependencies), a cost on all of its flows for
        fields that only forms and lists show. The places that change them call this instead (posting, matching
        and unmatching, editing items, the follow-up recording a level).
        """
        for model_name, fnames in self._ITEM_FIGURE_FIELDS.items():
            self.env[model_name].invalidate_model(fnames, flush=False)

    @api.model
    def _refresh_later_for(self, lines):
        """Have the debtor files of the customers of ``lines``' receivable items refreshed, once per transaction.

        Odoo's own flows (posting, resetting, reconciling, registering payments) call this; it only notes the
        customers (``_debtor_mark_pending``). The files are refreshed set-based, company by company, when the
        transaction commits, or earlier as soon as anything reads or searches debtor files in the same transaction,
        so no one ever sees a stale figure and a flow that touches a customer several times pays for one refresh.

        Bulk loaders (the demo generator) pass ``debtor_skip_refresh`` and refresh once at the end.

        :param lines: ``account.move.line`` records
        """
        if lines:
            self._forget_item_figures()
        if not lines or self._skip_refresh():
            return
        by_company = defaultdict(set)
        for line in lines:
            if line.account_type == "asset_receivable" and line.partner_id:
                by_company[line.company_id.id].add(line.partner_id.commercial_partner_id.id)
        if by_company:
            self._debtor_mark_pending(by_company)

    @api.model
    def _refresh_for(self, records):
        """Refresh the debtor files of the customers of ``records`` (debtor files, disputes, promises, plans,
        handovers...), company by company: what decides their follow-up has changed."""
        for company, company_records in records.grouped("company_id").items():
            self._refresh(company, company_records.partner_id)

    @api.model
    def _bulk_write(self, columns, rows):
        """Write system-maintained columns of many debtor files in one UPDATE per thousand files.

        :param dict columns: column name -> SQL type, in the order of the values in ``rows``
        :param rows: lists ``[id, *values]``
        """
        if not rows:
            return
        self.flush_model(list(columns))
        # "(%s::int4, %s::varchar, ...)": built from the constant column types, never from data
        row_code = "(" + ", ".join(f"%s::{sql_type}" for sql_type in ["int4", *columns.values()]) + ")"
        assignments = SQL(", ").join(
            SQL("%s = v.%s", SQL.identifier(column), SQL.identifier(column)) for column in columns)
        for chunk in split_every(1000, rows):
            self.env.cr.execute(SQL(
                """UPDATE debtor_customer AS c
                      SET %(assignments)s, write_date = NOW() AT TIME ZONE 'UTC'
                     FROM (VALUES %(values)s) AS v(id, %(names)s)
                    WHERE c.id = v.id""",
                assignments=assignments,
                values=SQL(", ").join(SQL(row_code, *row) for row in chunk),
                names=SQL(", ").join(SQL.identifier(column) for column in columns),
            ))
        self.invalidate_model([*columns, "write_date"])
