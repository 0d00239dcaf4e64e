"""The addon speaks Dutch, German and French: every term translated, and a Dutch customer reminded in Dutch."""

import re

import polib
from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open
from odoo.tools.translate import TranslationModuleReader

from .common import DebtorFollowupCommon

LANGUAGES = ("nl", "de", "fr")


def _text(html):
    """The visible text of an HTML fragment or document, spaces normalised."""
    if not html or not html.strip():
        return ""
    text = " ".join(lxml_html.fromstring(html).itertext()).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def _static_paragraphs(html):
    """The texts of the paragraphs of an HTML fragment that hold no placeholder (no child element)."""
    return [re.sub(r"\s+", " ", p.text).strip() for p in lxml_html.fromstring(f"<div>{html}</div>").iter("p")
            if p.text and not len(p)]


@tagged("post_install", "-at_install")
class TestTranslations(DebtorFollowupCommon):

    @staticmethod
    def _po(lang):
        with file_open(f"debtor_followup/i18n/{lang}.po") as po_file:
            return polib.pofile(po_file.read())

    def test_every_term_is_translated_in_dutch_german_and_french(self):
        """Each term Odoo extracts from the addon (code, fields, selections, views, templates, reports, data) has
        a non-empty, non-fuzzy translation in each language's file."""
        reader = TranslationModuleReader(self.env.cr, modules=["debtor_followup"])
        terms = {source for module, _type, _name, _res_id, source, _value, _comments in reader
                 if module == "debtor_followup"}
        self.assertGreater(len(terms), 1000)
        for lang in LANGUAGES:
            po = self._po(lang)
            translated = {entry.msgid for entry in po
                          if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags}
            missing = sorted(terms - translated)
            self.assertFalse(missing, f"{lang}.po: {len(missing)} terms without translation, e.g. {missing[:5]}")

    def test_a_dutch_customer_is_reminded_in_dutch(self):
        """The nightly reminder (subject and body), the statement and the letter of a customer whose language is
        Dutch come out in Dutch: the Dutch text of the template's own terms is in them, the English is not."""
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["debtor_followup"], ["nl_NL"], overwrite=True)
        po = self._po("nl")

        def dutch(msgid):
            entry = po.find(msgid)
            self.assertTrue(entry and entry.msgstr.strip() and entry.msgstr != msgid, f"no Dutch for {msgid!r}")
            return _text(f"<div>{entry.msgstr}</div>")

        customer = self.env["res.partner"].create({
            "name": "Van Dijk Handel B.V.", "is_company": True, "lang": "nl_NL",
            "email": "crediteuren@vandijk.example.nl", "country_id": self.env.ref("base.be").id})
        invoice = self._invoice(customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        with freeze_time("2026-01-08"):
            run = self._run()
        action = run.action_ids.filtered(lambda action: action.partner_id == customer)
        self.assertEqual(action.level_id, self.level_1)
        mail = self._mails(action)
        body = _text(mail.body_html)
        # a mail template's body is one term: its static paragraphs, in Dutch, are in the email, the English not
        source = self.level_1.mail_template_id.with_context(lang="en_US").body_html
        english, translated = _static_paragraphs(source), _static_paragraphs(po.find(str(source)).msgstr)
        self.assertTrue(translated)
        for paragraph in translated:
            self.assertIn(paragraph, body)
        for paragraph in english:
            self.assertNotIn(paragraph, body)
        self.assertIn(dutch("Days Overdue"), body)
        self.assertIn(dutch("{{ env.company.name }}: payment reminder").replace(
            "{{ env.company.name }}", self.company.name), mail.subject)

        debtor = self._debtor(customer)
        with freeze_time("2026-01-08"):
            statement = _text(self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_statement", debtor.ids)[0].decode())
        self.assertIn(dutch("Statement of Account"), statement)
        self.assertNotIn("Statement of Account", statement)

        letter_action = self.env["debtor.followup.action"].sudo().create({
            "partner_id": customer.id, "company_id": self.company.id, "level_id": self.level_final.id,
            "date": "2026-02-10", "state": "done", "manual": True,
            "line_ids": [Command.set(self._receivable(invoice).ids)]})
        with freeze_time("2026-02-10"):
            letter = _text(self.env["ir.actions.report"]._render_qweb_html(
                "debtor_followup.action_report_debtor_letter", letter_action.ids)[0].decode())
        failing = ("Failing payment within that period, we will hand the claim over for collection without further "
                   "notice.")
        self.assertIn(dutch(failing), letter)
        self.assertNotIn(failing, letter)
        # the standard policy is made by code: its level names follow the language installed after it
        self.assertIn(dutch("Final notice"), letter)
        self.assertEqual(self.level_1.with_context(lang="nl_NL").name, dutch("First reminder"))
        self.assertEqual(self.level_1.with_context(lang="en_US").name, "First reminder")
