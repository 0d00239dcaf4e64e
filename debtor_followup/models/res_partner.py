from dataclasses import replace

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..tools import identifiers
from .debtor_customer import DEBTOR_STATUSES
from .debtor_customer import REMINDER_MODES
from .debtor_handover import AGENCY_KINDS
from .debtor_handover import EXPORT_FORMATS
from .debtor_handover import IN_COLLECTION_STATES

IDENTIFIER_STATES = [
    ("valid", "Valid"),
    ("invalid", "Invalid"),
    ("unchecked", "Not Checkable"),
]

VIES_STATES = [
    ("valid", "Registered (VIES)"),
    ("invalid", "Not Registered (VIES)"),
    ("not_verified", "Not Verified Online"),
]

VIES_TIMEOUT = 10  # seconds


class ResPartner(models.Model):
    """The customer's follow-up position in the current company, shown on the contact form."""

    _inherit = "res.partner"

    debtor_customer_ids = fields.One2many(
        comodel_name="debtor.customer",
        inverse_name="partner_id",
        string="Debtor Files",
    )
    debtor_customer_id = fields.Many2one(
        comodel_name="debtor.customer",
        string="Debtor File",
        compute="_compute_debtor_customer_id",
        search="_search_debtor_customer_id",
        help="The debtor file of this customer in the current company.",
    )
    # the debtor file's figures and settings, shown on the contact (the fields below mirror the file)
    debtor_status = fields.Selection(selection=DEBTOR_STATUSES, string="Follow-up Status",
                                     compute="_compute_debtor_customer_id")
    debtor_currency_id = fields.Many2one(comodel_name="res.currency", compute="_compute_debtor_customer_id")
    debtor_total_due = fields.Monetary(related="debtor_customer_id.total_due", string="Total Due",
                                       currency_field="debtor_currency_id")
    debtor_total_overdue = fields.Monetary(related="debtor_customer_id.total_overdue", string="Total Overdue",
                                           currency_field="debtor_currency_id")
    debtor_oldest_overdue_days = fields.Integer(related="debtor_customer_id.oldest_overdue_days",
                                                string="Oldest Overdue (days)")
    debtor_next_action_date = fields.Date(related="debtor_customer_id.next_action_date",
                                          string="Next Follow-up Action")
    debtor_level_id = fields.Many2one(related="debtor_customer_id.level_id", string="Follow-up Level")
    debtor_responsible_id = fields.Many2one(related="debtor_customer_id.responsible_id",
                                            string="Follow-up Responsible")
    debtor_reminder_mode = fields.Selection(selection=REMINDER_MODES, string="Reminders",
                                            compute="_compute_debtor_customer_id")
    debtor_dispute_count = fields.Integer(related="debtor_customer_id.dispute_count", string="Open Disputes")
    debtor_disputed_amount = fields.Monetary(related="debtor_customer_id.disputed_amount",
                                             string="Amount in Dispute", currency_field="debtor_currency_id")

    @api.depends("commercial_partner_id.debtor_customer_ids.status",
                 "commercial_partner_id.debtor_customer_ids.reminder_mode")
    @api.depends_context("company")
    def _compute_debtor_customer_id(self):
        """The debtor file of the customer in the current company, and what the contact shows of it without one
        (status *none*, automatic reminders, the company's currency)."""
        company = self.env.company
        files = self.env["debtor.customer"].search_fetch(
            [("partner_id", "in", self.commercial_partner_id._origin.ids), ("company_id", "=", company.id)],
            ["partner_id", "status", "reminder_mode"],
        )
        by_partner = {debtor_file.partner_id: debtor_file for debtor_file in files}
        for partner in self:
            debtor_file = by_partner.get(partner.commercial_partner_id._origin, self.env["debtor.customer"])
            partner.debtor_customer_id = debtor_file
            partner.debtor_status = debtor_file.status or "none"
            partner.debtor_currency_id = company.currency_id
            partner.debtor_reminder_mode = debtor_file.reminder_mode or "auto"

    def _search_debtor_customer_id(self, operator, value):
        # the contacts of the debtor files' customers (the files of the current company are the contacts' own)
        if operator != "in":
            return NotImplemented
        files = self.env["debtor.customer"].sudo().browse([file_id for file_id in value if file_id])
        return [("commercial_partner_id", "in", files.partner_id.ids)]

    def _debtor_followup_values(self):
        """What a reminder template shows besides the customer itself.

        The follow-up passes the level and the items of each customer in the context key ``debtor_followup``
        (``level_id``, ``lines_by_partner``, ``customers``); without it (a template tried out from the composer)
        the customer's overdue items in the current company are shown.

        :return: dict with ``customer`` (debtor file), ``level``, ``signature`` (who signs: the file's
            responsible when the nightly run sends, else the user), ``legal_html`` (the text of the customer's
            country letter, ``debtor.customer._legal_notice``, or False), ``lines``, ``amount_due``, ``total_due``,
            ``total_overdue``, ``currency``, ``company`` and ``items_html`` (the rendered table of items)
        """
        self.ensure_one()
        company = self.env.company
        today = fields.Date.context_today(self)
        given = self.env.context.get("debtor_followup") or {}
        if self.id in given.get("customers", {}):
            customer = self.env["debtor.customer"].browse(given["customers"][self.id]).with_prefetch(
                list(given["customers"].values()))
        else:
            customer = self.env["debtor.customer"].search(
                [("partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", company.id)], limit=1)
        if self.id in given.get("lines_by_partner", {}):
            # rendered for a batch of customers: read the items of all of them at once
            lines = self.env["account.move.line"].browse(given["lines_by_partner"][self.id]).with_prefetch(
                given.get("prefetch_line_ids"))
        elif "line_ids" in given:
            lines = self.env["account.move.line"].browse(given["line_ids"])
        else:
            lines = self.env["account.move.line"].search(
                self.env["debtor.customer"]._open_lines_domain(company, self.commercial_partner_id)
                + [("date_maturity", "<", today), ("amount_residual", ">", 0)])
        level = self.env["debtor.followup.level"].browse(given.get("level_id"))
        owed = False
        if level.show_late_payment_amounts:
            owed = self.env["debtor.customer"]._late_payment_figures(lines, today)
        notice = customer and level and customer._legal_notice(self, company, lines, today, level, customer)
        return {
            "customer": customer,
            "level": level,
            "legal_html": notice and customer._legal_notice_html(notice),
            "signature": customer._reminder_author(self.env.user.partner_id).name if customer else self.env.user.name,
            "owed": owed,
            "owed_total": sum(f["interest"] + f["costs"] for f in owed.values()) if owed else 0.0,
            "lines": lines,
            "amount_due": sum(lines.mapped("amount_residual")),
            "total_due": customer.total_due,
            "total_overdue": customer.total_overdue,
            "currency": company.currency_id,
            "company": company,
            "items_html": self.env["ir.qweb"]._render("debtor_followup.debtor_items_table", {
                "lines": lines, "company": company, "today": today, "owed": owed,
                "pay_urls": given.get("pay_urls"), "link_label": level.invoice_links and self.env._("View online")}),
        }

    def action_debtor_open(self):
        """Open (creating it when needed) the debtor file of this customer in the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id
        customer = self.env["debtor.customer"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)], limit=1)
        if not customer:
            customer = self.env["debtor.customer"].create({"partner_id": partner.id,
                                                           "company_id": self.env.company.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "debtor.customer",
            "res_id": customer.id,
            "view_mode": "form",
        }

    debtor_lei = fields.Char(string="LEI", help="Legal Entity Identifier (ISO 17442): 20 letters and digits.")

    # ------------------------------------------------------------------
    # Identifier checks
    # ------------------------------------------------------------------
    debtor_vat_state = fields.Selection(selection=IDENTIFIER_STATES, string="VAT Number Check",
                                        compute="_compute_debtor_identifiers")
    debtor_vat_info = fields.Char(string="VAT Number", compute="_compute_debtor_identifiers",
                                  help="The number in its standard form when valid, else why it is not.")
    debtor_registry_state = fields.Selection(selection=IDENTIFIER_STATES, string="Company Registry Check",
                                             compute="_compute_debtor_identifiers")
    debtor_registry_info = fields.Char(string="Company Registry Number", compute="_compute_debtor_identifiers")
    debtor_lei_state = fields.Selection(selection=IDENTIFIER_STATES, string="LEI Check",
                                        compute="_compute_debtor_identifiers")
    debtor_lei_info = fields.Char(string="LEI Number", compute="_compute_debtor_identifiers")
    debtor_iban_state = fields.Selection(selection=IDENTIFIER_STATES, string="IBAN Check",
                                         compute="_compute_debtor_identifiers")
    debtor_iban_info = fields.Char(string="IBANs", compute="_compute_debtor_identifiers")
    debtor_vies_state = fields.Selection(selection=VIES_STATES, string="VIES Check", readonly=True, copy=False)
    debtor_vies_date = fields.Datetime(string="VIES Checked On", readonly=True, copy=False)
    debtor_vies_info = fields.Char(string="VIES Answer", readonly=True, copy=False)

    @api.depends("vat", "company_registry", "country_id", "debtor_lei", "bank_ids.acc_number")
    def _compute_debtor_identifiers(self):
        for partner in self:
            results = {kind: result for kind, _label, _value, result in partner._debtor_identifier_results()}
            for kind in ("vat", "registry", "lei"):
                result = results.get(kind)
                partner[f"debtor_{kind}_state"] = result.state if result else False
                partner[f"debtor_{kind}_info"] = (result.formatted if result.valid else result.reason) \
                    if result else False
            ibans = [result for kind, result in results.items() if kind.startswith("iban:")]
            if not ibans:
                partner.debtor_iban_state = False
                partner.debtor_iban_info = False
                continue
            bad = [result for result in ibans if result.valid is False]
            checked = [result for result in ibans if result.valid]
            partner.debtor_iban_state = "invalid" if bad else ("valid" if checked else "unchecked")
            partner.debtor_iban_info = "; ".join(
                result.formatted if result.valid else f"{result.compact}: {result.reason}" for result in ibans)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return [*super()._commercial_fields(), "debtor_lei"]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_debtor_history(self):
        """A customer with follow-up history (reminders, promises, disputes, plans, handovers, credit checks)
        cannot be deleted, like one with journal items: the history is evidence. Archive it instead."""
        for model in ("debtor.followup.action", "debtor.promise", "debtor.dispute", "debtor.payment.plan",
                      "debtor.handover", "debtor.credit.check"):
            Model = self.env[model].sudo().with_context(active_test=False)
            found = Model.search_fetch([("partner_id", "in", self.ids)], ["partner_id"], limit=1)
            if found:
                raise UserError(self.env._(
                    "%(customer)s has a follow-up history (%(kind)s): it cannot be deleted. Archive it instead.",
                    customer=found.partner_id.display_name, kind=Model._description))

    # ------------------------------------------------------------------
    # Identifiers
    # ------------------------------------------------------------------
    def _debtor_identifier_results(self):
        """Check this partner's identifiers offline with python-stdnum.

        A number that cannot be checked for lack of a country comes out *unchecked*, not invalid; a bank account
        number that does not look like an IBAN (two letters, two digits) is a national number, not checked.

        :return: list of ``(kind, label, number, IdentifierResult)`` for the identifiers filled in; kinds are
            ``vat``, ``registry``, ``lei`` and ``iban:<bank account id>``
        """
        self.ensure_one()
        country = self.country_id.code or None
        results = []
        if self.vat:
            result = identifiers.check_vat(self.vat, country)
            if result.valid is False and result.reason.startswith("unknown country"):
                result = replace(result, valid=None)
            results.append(("vat", self.env._("VAT number"), self.vat, result))
        if self.company_registry:
            if country:
                result = identifiers.check_company_registry(self.company_registry, country)
            else:
                compact = identifiers.compact_company_registry(self.company_registry)
                result = identifiers.IdentifierResult(
                    None, compact, self.company_registry, "no country to check the number against",
                    kind="company_registry")
            results.append(("registry", self.env._("Company registry number"), self.company_registry, result))
        if self.debtor_lei:
            results.append(("lei", self.env._("LEI"), self.debtor_lei, identifiers.check_lei(self.debtor_lei)))
        for bank in self.bank_ids.filtered("acc_number"):
            results.append((f"iban:{bank.id}", self.env._("IBAN"), bank.acc_number, bank._debtor_iban_result()))
        return results

    def _debtor_identifier_problems(self):
        """The clearly invalid identifiers of this customer, as sentences (empty when there is none)."""
        partner = self.commercial_partner_id
        return [
            self.env._("%(label)s %(number)s is invalid (%(reason)s)", label=label, number=number,
                       reason=result.reason)
            for _kind, label, number, result in partner._debtor_identifier_results() if result.valid is False
        ]

    def _debtor_identifier_summary(self):
        """One line per identifier and what its check said, for the record of a credit check."""
        partner = self.commercial_partner_id
        states = dict(IDENTIFIER_STATES)
        lines = []
        for _kind, label, number, result in partner._debtor_identifier_results():
            line = f"{label} {result.formatted if result.valid else number}: {states[result.state]}"
            lines.append(f"{line} ({result.reason})" if result.reason else line)
        if partner.debtor_vies_state:
            lines.append(f"VIES ({partner.debtor_vies_date}): {partner.debtor_vies_info}")
        return "\n".join(lines) or self.env._("No identifier recorded.")

    def action_debtor_normalize_identifiers(self):
        """Rewrite the valid identifiers in their standard form (VAT and LEI compact, registry number and IBAN
        formatted)."""
        for partner in self:
            vals = {}
            for kind, _label, number, result in partner._debtor_identifier_results():
                if not result.valid:
                    continue
                if kind in ("vat", "lei") and number != result.compact:
                    vals["vat" if kind == "vat" else "debtor_lei"] = result.compact
                elif kind == "registry" and number != result.formatted:
                    vals["company_registry"] = result.formatted
                elif kind.startswith("iban:") and number != result.formatted:
                    partner.bank_ids.filtered(lambda bank, kind=kind: f"iban:{bank.id}" == kind).acc_number = \
                        result.formatted
            if vals:
                partner.write(vals)
        return True

    def action_debtor_check_vies(self):
        """Ask the EU VIES service whether the VAT number is registered; offline, say it was not verified."""
        for partner in self:
            if not partner.vat:
                raise UserError(self.env._("%(customer)s has no VAT number to verify.",
                                           customer=partner.display_name))
            partner._debtor_check_vies()
        return True

    def _debtor_check_vies(self):
        """Check the VAT number online and store the answer (as the system: anybody may ask VIES).

        :return: the ``IdentifierResult`` of ``identifiers.check_vat_online``
        """
        self.ensure_one()
        result = identifiers.check_vat_online(self.vat, timeout=VIES_TIMEOUT, country_code=self.country_id.code)
        if result.online and result.valid:
            state = "valid"
            name = result.details.get("name")
            info = f"{result.formatted} ({name})" if name else result.formatted
        elif result.online:
            state, info = "invalid", result.reason
        else:
            state = "not_verified"
            info = result.reason if result.reason.startswith("not verified online") \
                else f"not verified online: {result.reason}"
        self.sudo().write({"debtor_vies_state": state, "debtor_vies_info": info,
                           "debtor_vies_date": fields.Datetime.now()})
        return result

    # ------------------------------------------------------------------
    # Collection agencies, and customers handed over to one
    # ------------------------------------------------------------------
    debtor_is_collection_agency = fields.Boolean(
        string="Collection Agency",
        help="A collection agency, lawyer or bailiff debts can be handed over to.")
    debtor_agency_kind = fields.Selection(selection=AGENCY_KINDS, string="Agency Type", default="agency")
    debtor_agency_export_format = fields.Selection(
        selection=EXPORT_FORMATS, string="Handover File Format", default="xml",
        help="XML: format 1 of the addon, checked against data/xsd/debtor_handover.xsd. CSV: one row per invoice.")
    debtor_agency_contact_id = fields.Many2one(
        comodel_name="res.partner", string="Agency Contact",
        domain="['|', ('id', '=', id), ('parent_id', '=', id)]",
        help="Receives the handover files and the notices of later payments. Empty: the agency itself.")
    debtor_agency_email = fields.Boolean(
        string="Email the Agency",
        help="Email the handover file, later payments and withdrawals to the agency's contact (queued). Otherwise "
             "they are only noted on the handover, with an activity to tell the agency of each payment.")
    debtor_in_collection = fields.Boolean(string="In Collection", compute="_compute_debtor_handovers",
                                          help="Invoices of this customer are at a collection agency.")
    debtor_handover_count = fields.Integer(string="Handovers", compute="_compute_debtor_handovers")

    @api.depends_context("company")
    def _compute_debtor_handovers(self):
        company = self.env.company
        partners = self.commercial_partner_id._origin
        groups = self.env["debtor.handover"].sudo()._read_group(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)], ["partner_id", "state"],
            ["__count"])
        counts, active = {}, set()
        for partner, state, count in groups:
            counts[partner.id] = counts.get(partner.id, 0) + count
            if state in IN_COLLECTION_STATES:
                active.add(partner.id)
        for partner in self:
            commercial = partner.commercial_partner_id._origin.id
            partner.debtor_handover_count = counts.get(commercial, 0)
            partner.debtor_in_collection = commercial in active

    def action_debtor_handover(self):
        """Open the handover wizard for this customer in the current company (Credit Managers)."""
        return self._debtor_file_action("action_handover")

    def action_debtor_open_handovers(self):
        return self._debtor_file_action("action_open_handovers")

    def _debtor_file_action(self, method):
        """Press the button ``method`` of this customer's debtor file in the current company (the file is
        created when missing)."""
        self.ensure_one()
        return getattr(self.env["debtor.customer"]._credit_file(self, self.env.company), method)()
