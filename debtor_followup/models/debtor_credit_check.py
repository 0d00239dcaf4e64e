from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import float_round

CREDIT_RESULTS = [
    ("approved", "Approved"),
    ("approved_limit", "Approved with Limit"),
    ("cash_in_advance", "Cash in Advance"),
    ("refused", "Refused"),
]
CREDIT_RATINGS = [
    ("A", "A - Very low risk"),
    ("B", "B - Low risk"),
    ("C", "C - Moderate risk"),
    ("D", "D - High risk"),
    ("E", "E - Very high risk"),
]
CHECK_SOURCES = [
    ("internal", "Internal Review"),
    ("external", "External Report"),
]
# The lowest score of each internal rating, best first.
RATING_BANDS = (("A", 80), ("B", 60), ("C", 40), ("D", 20), ("E", 0))
# How far back the internal score looks.
SCORE_WINDOW_MONTHS = 12
# The internal score is 100 minus these penalties: factor -> (points per unit, at most).
# Units: days for the lateness factors, a fraction (0 to 1) for the two shares, 0 or 1 for the credit hold, a count
# for the others. Each penalty grows with its factor, so a worse figure never raises the score.
SCORE_PENALTIES = {
    "avg_days_late": (0.5, 15.0),
    "weighted_days_late": (0.5, 15.0),
    "late_share": (20.0, 20.0),
    "oldest_overdue_days": (0.25, 30.0),
    "overdue_ratio": (25.0, 25.0),
    "open_disputes": (5.0, 10.0),
    "broken_promises": (5.0, 15.0),
    "broken_plans": (10.0, 20.0),
    "credit_hold": (20.0, 20.0),
}
MANAGER_GROUP = "debtor_followup.group_debtor_manager"


def rating_for_score(score):
    """The internal rating (A to E) of a score from 0 to 100.

    :param int score: a score, 100 being the lowest risk
    :return: ``"A"`` (80 and above), ``"B"`` (60), ``"C"`` (40), ``"D"`` (20) or ``"E"`` (below 20)
    """
    for rating, lowest in RATING_BANDS:
        if score >= lowest:
            return rating
    return "E"


def score_from_figures(figures):
    """The internal score of a customer from the figures of its payment history.

    ``score = round_half_up(max(0, 100 - sum(penalties)))`` where each penalty is
    ``min(at most, points per unit * figure)`` as set in ``SCORE_PENALTIES``:

    * average days paid late of the invoices paid in the last 12 months: 0.5 per day, at most 15;
    * the same average weighted by the invoices' amounts: 0.5 per day, at most 15;
    * share of those invoices paid late: 20 x share (0 to 1), at most 20;
    * days the oldest open item is overdue today (what is not paid yet weighs too): 0.25 per day, at most 30;
    * current overdue share (what is owed overdue less the open credits, over the total due, 0 to 1): 25 x share,
      at most 25;
    * open disputes (open or under investigation): 5 each, at most 10;
    * promises to pay broken (promised date in the last 12 months): 5 each, at most 15;
    * payment plans broken (with an installment due in the last 12 months or later): 10 each, at most 20;
    * put on credit hold by hand: 20.

    Each penalty grows with its figure and none offsets another: more or longer overdue debt, a broken promise or
    a credit hold never raise the score.

    :param dict figures: the factors of ``SCORE_PENALTIES`` (missing ones count as 0)
    :return: ``(score, penalties)``, the integer score and ``{factor: points}``
    """
    penalties = {}
    for factor, (per_unit, most) in SCORE_PENALTIES.items():
        penalties[factor] = min(most, per_unit * max(float(figures.get(factor) or 0.0), 0.0))
    score = float_round(max(0.0, 100.0 - sum(penalties.values())), precision_digits=0)
    return int(score), penalties


class DebtorCreditCheck(models.Model):
    """One credit check of a customer in a company: the decision, the ratings behind it and a proposed limit.

    A check is recorded by a credit controller (internal review) or imported from an external credit report. Its
    decision stays valid for a number of days; the customer's debtor file shows the latest check, and posting an
    invoice for a customer whose latest check was refused or has expired is warned about or blocked, as the company
    chooses. A check approving credit is refused while one of the customer's identifiers (VAT number, company
    registry number, LEI, IBAN) is clearly invalid.

    A check is a record of what was decided, by whom, on which figures: append-only (``debtor.workflow.mixin``).
    Only its notes can be added to; a correction is a new check, and only the superuser deletes one.
    """

    _name = "debtor.credit.check"
    _description = "Credit Check"
    _inherit = ["debtor.workflow.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _debtor_control_fields = ("user_id", "limit_applied", "score", "score_explanation", "identifier_summary",
                              "attachment_id")
    _debtor_unlink_by_actions = True

    customer_id = fields.Many2one(
        comodel_name="debtor.customer",
        string="Debtor File",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(related="customer_id.partner_id", store=True, index=True, string="Customer")
    company_id = fields.Many2one(related="customer_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Check Date", required=True, default=fields.Date.context_today)
    validity_days = fields.Integer(
        string="Valid For (days)",
        required=True,
        compute="_compute_validity_days", store=True, readonly=False, precompute=True,
        help="How long the decision holds; the company's default when left as proposed.",
    )
    expiry_date = fields.Date(string="Valid Until", compute="_compute_expiry_date", store=True)
    expired = fields.Boolean(compute="_compute_expired")
    source = fields.Selection(selection=CHECK_SOURCES, required=True, default="internal")
    result = fields.Selection(selection=CREDIT_RESULTS, string="Decision", required=True)
    rating = fields.Selection(
        selection=CREDIT_RATINGS,
        string="Internal Rating",
        compute="_compute_rating", store=True, readonly=False, precompute=True,
        help="Proposed from the external score for an external report, else from the internal score.",
    )
    score = fields.Integer(string="Internal Score", compute="_compute_score", store=True, precompute=True,
                           help="The customer's internal score (0-100, 100 = lowest risk) when the check was made.")
    score_explanation = fields.Html(compute="_compute_score", store=True, precompute=True)
    external_rating = fields.Char()
    external_source = fields.Char(help="The credit agency the rating comes from.")
    external_score = fields.Integer(help="The agency's score, 0-100 (100 = lowest risk).")
    external_report_ref = fields.Char(string="Report Reference", readonly=True, copy=False)
    external_issue_date = fields.Date(string="Report Issued On", readonly=True)
    negative_events = fields.Text(readonly=True)
    credit_limit_proposal = fields.Monetary(string="Proposed Credit Limit",
                                            help="In the company's currency. A Credit Manager applies it.")
    limit_applied = fields.Boolean(readonly=True, copy=False)
    note = fields.Text(string="Notes")
    user_id = fields.Many2one(comodel_name="res.users", string="Checked By", readonly=True,
                              default=lambda self: self.env.user)
    identifier_summary = fields.Text(string="Identifiers", readonly=True,
                                     help="The customer's identifiers and their checks when the check was made.")
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Report File", readonly=True, copy=False)

    _validity_days_positive = models.Constraint(
        "CHECK(validity_days > 0)",
        "A credit check is valid for at least one day.",
    )
    _limit_proposal_positive = models.Constraint(
        "CHECK(credit_limit_proposal IS NULL OR credit_limit_proposal >= 0)",
        "A proposed credit limit cannot be negative.",
    )
    _external_score_range = models.Constraint(
        "CHECK(external_score IS NULL OR (external_score >= 0 AND external_score <= 100))",
        "An external score is between 0 and 100.",
    )
    _report_unique = models.UniqueIndex(
        "(company_id, external_source, external_report_ref) WHERE external_report_ref IS NOT NULL",
        "This credit report was already imported.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "date", "result")
    def _compute_display_name(self):
        results = dict(self._fields["result"]._description_selection(self.env))
        for check in self:
            check.display_name = self.env._(
                "%(customer)s - %(date)s (%(result)s)", customer=check.partner_id.display_name or "",
                date=check.date or "", result=results.get(check.result, ""))

    @api.depends("customer_id")
    def _compute_validity_days(self):
        for check in self:
            if not check.validity_days:
                check.validity_days = (check.customer_id.company_id or self.env.company).debtor_credit_validity_days

    @api.depends("date", "validity_days")
    def _compute_expiry_date(self):
        for check in self:
            check.expiry_date = check.date and check.date + timedelta(days=check.validity_days or 0)

    @api.depends("expiry_date")
    @api.depends_context("date")
    def _compute_expired(self):
        today = fields.Date.context_today(self)
        for check in self:
            check.expired = bool(check.expiry_date) and check.expiry_date < today

    @api.depends("customer_id")
    def _compute_score(self):
        """The customer's internal score as of now (a snapshot: the check keeps it)."""
        for check in self:
            customer = check.customer_id
            if not customer.partner_id:
                check.score = 0
                check.score_explanation = False
                continue
            partner = customer.partner_id._origin
            entry = self._internal_scores(customer.company_id, partner)[partner.id]
            check.score = entry["score"]
            check.score_explanation = entry["explanation"]

    @api.depends("source", "score", "external_score")
    def _compute_rating(self):
        for check in self:
            check.rating = rating_for_score(check.external_score if check.source == "external" else check.score)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("result", "credit_limit_proposal")
    def _check_limit_proposal(self):
        for check in self:
            if check.result == "approved_limit" and check.currency_id.compare_amounts(
                    check.credit_limit_proposal, 0.0) <= 0:
                raise ValidationError(self.env._(
                    "Credit approved with a limit for %(customer)s: propose the limit.",
                    customer=check.partner_id.display_name))

    @api.constrains("result", "customer_id")
    def _check_identifiers(self):
        for check in self.filtered(lambda c: c.result != "refused"):
            problems = check.partner_id._debtor_identifier_problems()
            if problems:
                raise ValidationError(self.env._(
                    "Credit check of %(customer)s refused: %(problems)s. Correct the identifiers first, or record "
                    "the check as refused.",
                    customer=check.partner_id.display_name, problems="; ".join(problems)))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Create checks; a check may be given ``partner_id`` (and ``company_id``) instead of its debtor file.

        The internal score and the identifiers of the customer are recorded on the check as they are now, and the
        check as made by the current user.
        """
        self._debtor_check_create(vals_list)
        Customer = self.env["debtor.customer"]
        for vals in vals_list:
            partner_id = vals.pop("partner_id", None)
            company_id = vals.pop("company_id", None)
            if not vals.get("customer_id") and partner_id:
                company = self.env["res.company"].browse(company_id) if company_id else self.env.company
                vals["customer_id"] = Customer._credit_file(self.env["res.partner"].browse(partner_id), company).id
        customers = Customer.browse([vals["customer_id"] for vals in vals_list if vals.get("customer_id")])
        scores = {}
        for company, company_customers in customers.grouped("company_id").items():
            scores[company] = self._internal_scores(company, company_customers.partner_id)
        for vals in vals_list:
            if not vals.get("customer_id"):
                continue
            customer = Customer.browse(vals["customer_id"])
            scored = scores[customer.company_id][customer.partner_id.id]
            vals["score"] = scored["score"]
            vals["score_explanation"] = scored["explanation"]
            if customer.company_id.debtor_credit_vies and customer.partner_id.vat:
                customer.partner_id._debtor_check_vies()
            vals["identifier_summary"] = customer.partner_id._debtor_identifier_summary()
        # checked above, as the caller sent them: the score and identifiers are the check's own figures
        checks = super(DebtorCreditCheck, self._debtor_workflow_env()).create(vals_list).with_env(self.env)
        today = fields.Date.context_today(self)
        for company, company_scores in scores.items():
            Customer._write_credit_scores(company, company_scores, today)
        results = dict(self._fields["result"]._description_selection(self.env))
        for check in checks:
            check.customer_id._post_note(self.env._(
                "Credit check recorded by %(user)s: %(result)s, rating %(rating)s, internal score %(score)s, "
                "valid until %(expiry)s.",
                user=check.user_id.name, result=results[check.result], rating=check.rating or "-",
                score=check.score, expiry=check.expiry_date))
        return checks

    def _debtor_locked_fields(self, vals):
        """A recorded check is fixed but for its notes."""
        return [name for name in vals if name != "note"]

    def _debtor_hint(self, operation):
        return self.env._("A credit check is a record: to correct one, record a new check.")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply_limit(self):
        """Make the proposed limit the customer's credit limit in the check's company (Credit Managers only)."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Credit Manager can set a customer's credit limit."))
        for check in self:
            if check.result not in ("approved", "approved_limit"):
                raise UserError(self.env._(
                    "The check of %(date)s did not approve credit: there is no limit to apply.", date=check.date))
            check.customer_id.credit_limit = check.credit_limit_proposal
            check._debtor_workflow_write({"limit_applied": True})
        return True

    # ------------------------------------------------------------------
    # The internal score
    # ------------------------------------------------------------------
    @api.model
    def _recompute_scores(self, company, today=None):
        """Recompute the internal score of every customer of ``company`` (a step of the nightly run, see
        ``debtor.followup.run._run_steps``).

        Scores the company's debtor files and the customers who paid an invoice in the last 12 months (their
        debtor file is created when missing); a handful of grouped queries whatever the number of invoices,
        one UPDATE per thousand files.

        :param company: a ``res.company`` record
        :param today: the date to score on (default: today)
        :return: the number of debtor files scored
        """
        today = today or fields.Date.context_today(self)
        Customer = self.env["debtor.customer"].sudo()
        scores = self.sudo()._internal_scores(company, None, today)
        files = Customer.with_context(active_test=False).search_fetch(
            [("company_id", "=", company.id)], ["partner_id"])
        known = set(files.partner_id.ids)
        missing = [partner_id for partner_id in scores if partner_id not in known]
        if missing:
            files |= Customer.create([{"partner_id": partner_id, "company_id": company.id}
                                      for partner_id in missing])
        default = None
        for partner_id in files.partner_id.ids:
            if partner_id not in scores:
                default = default or self._score_entry({}, company, today)
                scores[partner_id] = default
        Customer._write_credit_scores(company, scores, today)
        return len(files)

    @api.model
    def _score_figures(self, company, partners=None, today=None):
        """The factors of the internal score of ``partners`` in ``company`` (all customers when None).

        Days paid late of an invoice = date of the last payment reconciled with it (the largest ``max_date`` of its
        partial reconciliations) - its due date, at least 0; only customer invoices fully paid with their last
        payment in the last 12 months count. Five grouped queries whatever the number of invoices.

        :return: ``{commercial partner id: figures}``, figures holding the factors of ``SCORE_PENALTIES`` and
            ``paid_count``, ``late_count``, ``total_due``, ``total_overdue`` (those of
            ``debtor.customer._debtor_figures``)
        """
        today = today or fields.Date.context_today(self)
        start = today - relativedelta(months=SCORE_WINDOW_MONTHS)
        if partners is not None and not partners:
            return {}
        figures = defaultdict(lambda: {"paid_count": 0, "late_count": 0, "avg_days_late": 0.0,
                                       "weighted_days_late": 0.0, "late_share": 0.0, "open_disputes": 0,
                                       "broken_promises": 0, "broken_plans": 0, "overdue_ratio": 0.0,
                                       "oldest_overdue_days": 0, "credit_hold": 0,
                                       "total_due": 0.0, "total_overdue": 0.0})
        for model in ("account.move", "account.move.line", "account.partial.reconcile"):
            self.env[model].flush_model()
        partner_filter = SQL("AND move.commercial_partner_id IN %s", tuple(partners.ids)) \
            if partners is not None else SQL()
        self.env.cr.execute(SQL(
            """
            SELECT paid.partner_id,
                   COUNT(*),
                   COUNT(*) FILTER (WHERE paid.days_late > 0),
                   AVG(paid.days_late),
                   SUM(paid.amount * paid.days_late) / NULLIF(SUM(paid.amount), 0)
              FROM (SELECT move.commercial_partner_id AS partner_id,
                           move.amount_total_signed AS amount,
                           GREATEST(MAX(part.max_date) - move.invoice_date_due, 0) AS days_late
                      FROM account_move move
                      JOIN account_move_line line ON line.move_id = move.id AND line.display_type = 'payment_term'
                      JOIN account_partial_reconcile part ON part.debit_move_id = line.id
                     WHERE move.company_id = %(company)s
                       AND move.move_type = 'out_invoice'
                       AND move.state = 'posted'
                       AND move.payment_state IN ('paid', 'in_payment')
                       AND move.invoice_date_due IS NOT NULL
                       AND move.commercial_partner_id IS NOT NULL
                       %(partner_filter)s
                  GROUP BY move.id
                    HAVING MAX(part.max_date) >= %(start)s AND MAX(part.max_date) <= %(today)s) AS paid
          GROUP BY paid.partner_id
            """,
            company=company.id, start=start, today=today, partner_filter=partner_filter,
        ))
        for partner_id, count, late, average, weighted in self.env.cr.fetchall():
            entry = figures[partner_id]
            entry["paid_count"] = count
            entry["late_count"] = late
            entry["avg_days_late"] = float(average or 0.0)
            entry["weighted_days_late"] = float(weighted or 0.0)
            entry["late_share"] = late / count if count else 0.0

        def domain(*extra):
            base = [("company_id", "=", company.id), *extra]
            return base + ([("partner_id", "in", partners.ids)] if partners is not None else [])

        def count_by_commercial(model, dom, key):
            for partner, count in self.env[model]._read_group(dom, ["partner_id"], ["__count"]):
                figures[partner.commercial_partner_id.id][key] += count

        count_by_commercial("debtor.dispute", domain(("state", "in", ("open", "investigation"))), "open_disputes")
        count_by_commercial("debtor.promise", domain(("state", "=", "broken"), ("date", ">=", start)),
                            "broken_promises")
        count_by_commercial("debtor.payment.plan",
                            domain(("state", "=", "broken"), ("line_ids.due_date", ">=", start)), "broken_plans")
        # the open items as the work queue, the statement and the aging count them
        Customer = self.env["debtor.customer"]
        money = Customer._debtor_figures(company, partners, today)
        for partner_id, values in money.items():
            entry = figures[partner_id]
            entry["total_due"] = values["total"]
            entry["total_overdue"] = values["overdue"]
            entry["oldest_overdue_days"] = values["oldest_overdue_days"]
            # what is overdue and not covered by the credits, over the total due
            net_overdue = max(0.0, values["overdue"] + values["credits"])
            if company.currency_id.compare_amounts(values["total"], 0.0) > 0:
                entry["overdue_ratio"] = min(1.0, net_overdue / values["total"])
        held = Customer.with_context(active_test=False).search_fetch(domain(("credit_hold", "=", True)),
                                                                     ["partner_id"])
        for customer in held:
            figures[customer.partner_id.id]["credit_hold"] = 1
        return dict(figures)

    @api.model
    def _internal_scores(self, company, partners=None, today=None):
        """The internal score, rating and explanation of ``partners`` in ``company``.

        :param partners: commercial partners (``None``: every customer with something to score)
        :return: ``{partner id: {"score", "rating", "figures", "penalties", "explanation"}}``; with ``partners``
            given, every one of them is in it (a customer without history scores 100)
        """
        today = today or fields.Date.context_today(self)
        figures = self._score_figures(company, partners, today)
        result = {partner_id: self._score_entry(values, company, today) for partner_id, values in figures.items()}
        if partners is not None:
            for partner in partners:
                if partner.id not in result:
                    result[partner.id] = self._score_entry({}, company, today)
        return result

    def _score_labels(self):
        """Translated labels of the score factors."""
        return {
            "avg_days_late": self.env._("Average days paid late"),
            "weighted_days_late": self.env._("Days paid late, weighted by amount"),
            "late_share": self.env._("Share of invoices paid late"),
            "open_disputes": self.env._("Open disputes"),
            "broken_promises": self.env._("Broken promises to pay"),
            "broken_plans": self.env._("Broken payment plans"),
            "overdue_ratio": self.env._("Share of the balance overdue"),
            "oldest_overdue_days": self.env._("Oldest open item overdue"),
            "credit_hold": self.env._("Put on credit hold by hand"),
        }

    @api.model
    def _score_entry(self, figures, company, today):
        """Score ``figures`` and explain the result in HTML (what drove the score, factor by factor)."""
        score, penalties = score_from_figures(figures)
        rating = rating_for_score(score)
        labels = self._score_labels()
        paid = figures.get("paid_count", 0)
        values = {
            "avg_days_late": self.env._("%(days)s days", days=f"{figures.get('avg_days_late', 0.0):.1f}"),
            "weighted_days_late": self.env._("%(days)s days", days=f"{figures.get('weighted_days_late', 0.0):.1f}"),
            "late_share": self.env._("%(late)s of %(paid)s invoices", late=figures.get("late_count", 0), paid=paid),
            "open_disputes": str(figures.get("open_disputes", 0)),
            "broken_promises": str(figures.get("broken_promises", 0)),
            "broken_plans": str(figures.get("broken_plans", 0)),
            "overdue_ratio": self.env._(
                "%(overdue)s of %(due)s",
                overdue=company.currency_id.format(figures.get("total_overdue", 0.0)),
                due=company.currency_id.format(figures.get("total_due", 0.0))),
            "oldest_overdue_days": self.env._("%(days)s days", days=figures.get("oldest_overdue_days", 0)),
            "credit_hold": self.env._("Yes") if figures.get("credit_hold") else self.env._("No"),
        }
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>") % (
                labels[factor], values[factor], f"-{points:.1f}" if points else "0")
            for factor, points in sorted(penalties.items(), key=lambda item: -item[1]))
        intro = self.env._(
            "Score %(score)s/100 (rating %(rating)s) on %(date)s, from the last %(months)s months in %(company)s.",
            score=score, rating=rating, date=today, months=SCORE_WINDOW_MONTHS, company=company.name)
        if not paid:
            intro += " " + self.env._("No invoice was paid in that period: only disputes, broken promises and plans "
                                      "and the overdue balance count.")
        top_factor, top_points = max(penalties.items(), key=lambda item: item[1])
        driver = self.env._("Main driver: %(factor)s (-%(points)s points).", factor=labels[top_factor],
                            points=f"{top_points:.1f}") if top_points else self.env._("Nothing lowered the score.")
        explanation = Markup(
            "<p>%s</p><table class='table table-sm o_debtor_score'><thead><tr><th>%s</th><th>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table><p>%s</p>") % (
            intro, self.env._("Factor"), self.env._("Value"), self.env._("Points"), rows, driver)
        return {"score": score, "rating": rating, "figures": figures, "penalties": penalties,
                "explanation": explanation}
