from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .debtor_customer import LATE_PAYMENT_RULES


class DebtorFollowupPolicy(models.Model):
    """A follow-up policy: the ordered levels a company applies to overdue customers.

    A company can keep several policies (standard B2B, key accounts, consumers...). One of them is the
    company default; a customer can be given another one on its debtor file.
    """

    _name = "debtor.followup.policy"
    _description = "Follow-up Policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    is_default = fields.Boolean(
        string="Company Default",
        help="Applied to every customer of the company who has no policy of its own.",
    )
    description = fields.Text(translate=True)
    level_ids = fields.One2many(
        comodel_name="debtor.followup.level",
        inverse_name="policy_id",
        string="Levels",
        copy=True,
    )
    level_count = fields.Integer(compute="_compute_level_count")
    late_payment_rule = fields.Selection(
        selection=LATE_PAYMENT_RULES,
        string="Late-Payment Rules",
        help="Statutory interest and costs for the customers of this policy. Empty: the company's.",
    )
    jurisdiction_letters = fields.Boolean(
        string="Letters of the Customer's Country",
        default=True,
        help="Reminders to a Dutch consumer carry the 14-day letter (art. 6:96 BW), to a German business the "
        "Mahnung (§§ 286, 288 BGB), and the final notice to a UK individual the letter of claim of the "
        "Pre-Action Protocol for Debt Claims, in the country's language. See the README, Letters per country.",
    )

    _one_default_per_company = models.UniqueIndex(
        "(company_id) WHERE (is_default IS TRUE AND active IS TRUE)",
        "A company has only one default follow-up policy.",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_default"):
                self._unset_defaults(self.env["res.company"].browse(vals.get("company_id") or self.env.company.id))
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_default"):
            if len(self.company_id) < len(self):
                raise ValidationError(self.env._("A company has only one default follow-up policy."))
            self._unset_defaults(self.company_id, keep=self)
        return super().write(vals)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for policy, vals in zip(self, vals_list):
            vals["name"] = self.env._("%(name)s (copy)", name=policy.name)
            vals["is_default"] = False
        return vals_list

    @api.model
    def _unset_defaults(self, companies, keep=None):
        """Remove the default flag of the policies of ``companies``, but ``keep``'s: a new default replaces it."""
        self.search([
            ("company_id", "in", companies.ids),
            ("is_default", "=", True),
            ("id", "not in", keep.ids if keep else []),
        ]).is_default = False
        self.flush_model(["is_default"])  # before the new default is inserted: the unique index checks at once

    @api.model
    def _get_company_default(self, company):
        """The default policy of ``company`` (an empty recordset when it has none).

        :param company: a ``res.company`` record
        """
        return self.search([("company_id", "=", company.id), ("is_default", "=", True)], limit=1)

    @api.model
    def _standard_levels(self):
        """The levels of the policy every company starts with."""
        ref = self.env.ref
        return [
            {"name": self.env._("Courtesy reminder"), "delay_days": -3, "attach_statement": False,
             "mail_template_id": ref("debtor_followup.mail_template_courtesy").id},
            {"name": self.env._("First reminder"), "delay_days": 7,
             "mail_template_id": ref("debtor_followup.mail_template_reminder").id},
            {"name": self.env._("Second reminder and call"), "delay_days": 21,
             "mail_template_id": ref("debtor_followup.mail_template_second_reminder").id,
             "create_activity": True, "activity_type_id": ref("mail.mail_activity_data_call").id,
             "activity_summary": self.env._("Call the customer about the overdue invoices")},
            {"name": self.env._("Final notice"), "delay_days": 35, "is_final_notice": True, "print_letter": True,
             "mail_template_id": ref("debtor_followup.mail_template_final_notice").id},
            {"name": self.env._("Handover to collection"), "delay_days": 60, "auto_execute": False,
             "send_email": False, "attach_statement": False, "attach_invoices": False,
             "create_activity": True, "activity_type_id": ref("mail.mail_activity_data_todo").id,
             "activity_summary": self.env._("Decide on handing the debt over to a collection agency")},
        ]

    @api.model
    def _ensure_company_default(self, companies):
        """Give each of ``companies`` that has no default policy the standard one.

        :return: the policies created
        """
        created = self.browse()
        for company in companies:
            if self.with_context(active_test=False).search_count([("company_id", "=", company.id)], limit=1):
                continue
            created |= self.create({
                "name": self.env._("Standard"),
                "company_id": company.id,
                "is_default": True,
                "level_ids": [fields.Command.create(vals) for vals in self._standard_levels()],
            })
        created._translate_standard_names([code for code, _name in self.env["res.lang"].get_installed()])
        return created

    def _translate_standard_names(self, langs):
        """Give the texts of the standard policy among these policies (and their levels), where they are still
        the shipped English ones, their translation in ``langs`` (the addon's .po files): the standard policy is
        created by code, in one language, so the users and customers of the others would read it in English.
        A text a user changed is left alone."""
        policies = self.with_context(active_test=False)
        records = {"debtor.followup.policy": policies, "debtor.followup.level": policies.level_ids}
        for lang in langs:
            if lang == "en_US":
                continue
            translated = self.with_context(lang=lang)._standard_levels()
            english = self.with_context(lang="en_US")._standard_levels()
            pairs = {("debtor.followup.policy", "name", "Standard"):
                     self.with_context(lang=lang).env._("Standard")}
            for source, target in zip(english, translated, strict=True):
                for field in ("name", "activity_summary"):
                    if source.get(field):
                        pairs[("debtor.followup.level", field, source[field])] = target[field]
            for (model, field, text), translation in pairs.items():
                if translation == text:
                    continue
                matching = records[model].with_context(lang="en_US").filtered(lambda rec, f=field, t=text: rec[f] == t)
                if matching:
                    matching.with_context(lang=lang).write({field: translation})

    @api.model
    def _translate_all_standard_names(self, langs):
        """After the addon's translations of ``langs`` were loaded: every company's standard texts."""
        self.with_context(active_test=False).search([("id", "!=", False)])._translate_standard_names(langs)

    @api.model
    def _install_default_policies(self):
        """Called from the addon's data: the standard policy for every existing company."""
        self._ensure_company_default(self.env["res.company"].search([("id", "!=", False)]))

    def _sorted_levels(self):
        """The levels of this policy, earliest first."""
        self.ensure_one()
        return self.level_ids.sorted(lambda level: (level.delay_days, level.id))
