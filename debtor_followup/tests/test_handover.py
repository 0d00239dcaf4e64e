from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools import html2plaintext

from ..tools import handover_file
from .common import DebtorFollowupCommon


@tagged("post_install", "-at_install")
class TestHandover(DebtorFollowupCommon):
    """Handing a debt over to a collection agency: preconditions, the file, follow-up, later payments, rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # EU rules: ECB 3.00 + 8 = 11 % in 2026; EUR 40 of costs = USD 20 (1 USD = 2 EUR)
        cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        Rate = cls.env["debtor.reference.rate"]
        Rate.search([("rate_type", "=", "ecb")]).unlink()
        Rate.create([{"rate_type": "ecb", "date_from": "2025-07-01", "rate": 2.0},
                     {"rate_type": "ecb", "date_from": "2026-01-01", "rate": 3.0}])
        belgium = cls.env.ref("base.be")
        cls.company.write({"debtor_late_payment_rule": "eu", "name": "Creditor & Co", "vat": "BE0428759497",
                           "street": "Rue Haute 1", "zip": "1000", "city": "Brussels", "country_id": belgium.id,
                           "phone": False})
        # reminders by email only: no PDF to render
        cls.policy.level_ids.write({"attach_statement": False, "attach_invoices": False, "print_letter": False})
        cls.customer.write({"name": "Dupont & Fils <SA>", "vat": "BE0403019261", "debtor_lei": "213800KUD8LAJWSQ9D15",
                            "street": "Avenue Louise 54", "zip": "1050", "city": "Ixelles", "country_id": belgium.id,
                            "phone": "+32 2 555 12 12"})
        cls.agency = cls.env["res.partner"].create({
            "name": "Collect & Recover BV", "is_company": True, "debtor_is_collection_agency": True,
            "debtor_agency_email": True})
        cls.agent = cls.env["res.partner"].create({
            "name": "Anna Agent", "parent_id": cls.agency.id, "email": "anna@collect.example.com"})
        cls.agency.debtor_agency_contact_id = cls.agent
        cls.company.debtor_handover_agency_id = cls.agency
        cls.inv1 = cls._invoice(cls.customer, 1000.0, "2025-12-01", due_date="2026-01-01")
        cls.inv2 = cls._invoice(cls.customer, 300.0, "2026-01-15", due_date="2026-02-15")
        # courtesy, first, second reminder and the formal notice of inv1
        for day in ("2025-12-29", "2026-01-08", "2026-01-22", "2026-02-05"):
            with freeze_time(day):
                cls.env["debtor.customer"].invalidate_model()
                Run = cls.env["debtor.followup.run"]
                Run._get_or_start_run(cls.company, cls.d(day), trigger="cron")._execute()
        cls.debtor = cls.env["debtor.customer"].search(
            [("partner_id", "=", cls.customer.id), ("company_id", "=", cls.company.id)])

    # ---------------------------------------------------------------- helpers
    def _wizard(self, moves=None, user=None, **vals):
        wizard = self.env["debtor.handover.wizard"].with_user(user or self.manager).with_context(
            active_model="debtor.customer", active_id=self.debtor.id).create({})
        wizard.move_ids = moves or self.inv1
        wizard.write(vals)
        return wizard

    def _hand_over(self, day="2026-02-20", **vals):
        with freeze_time(day):
            action = self._wizard(**vals).action_create()
        return self.env["debtor.handover"].browse(action["res_id"])

    def _agency_mails(self, handover):
        return self.env["mail.mail"].search([("model", "=", "debtor.handover"), ("res_id", "=", handover.id),
                                             ("recipient_ids", "in", self.agent.ids)], order="id")

    # ---------------------------------------------------------------- preconditions
    def test_reminders_were_sent(self):
        actions = self.env["debtor.followup.action"].search([("partner_id", "=", self.customer.id)], order="date")
        self.assertEqual(actions.mapped("level_id"),
                         self.level_courtesy | self.level_1 | self.level_2 | self.level_final)
        self.assertTrue(all(actions.mapped("email_sent")))

    def test_refused_without_formal_notice(self):
        with freeze_time("2026-03-10"), self.assertRaises(UserError) as caught:
            self._wizard(moves=self.inv1 | self.inv2).action_create()
        self.assertEqual(str(caught.exception), (
            "These invoices cannot be handed over yet:\n"
            f"- No formal notice (final-notice level) was sent about {self.inv2.name}.\n"
            "A Credit Manager can override this with a reason."))
        self.assertFalse(self.env["debtor.handover"].search_count([]))
        self.assertFalse(self._receivable(self.inv1).debtor_exclusion_reason)

    def test_refused_within_the_waiting_period(self):
        with freeze_time("2026-02-19"):
            wizard = self._wizard()
            self.assertEqual((str(wizard.notice_date), str(wizard.wait_until)), ("2026-02-05", "2026-02-19"))
            with self.assertRaises(UserError) as caught:
                wizard.action_create()
        self.assertIn("The formal notice of 2026-02-05 gives the customer until 2026-02-19: the waiting period of "
                      "14 days has not passed.", str(caught.exception))
        self.assertFalse(self.env["debtor.handover"].search_count([]))
        handover = self._hand_over("2026-02-20")
        self.assertEqual((handover.state, handover.partner_id, handover.agency_id, handover.agency_contact_id),
                         ("draft", self.customer, self.agency, self.agent))
        self.assertFalse(handover.override_user_id)

    def test_override_needs_a_reason_and_is_logged(self):
        with freeze_time("2026-02-10"):
            with self.assertRaisesRegex(UserError, "Write down why the preconditions are overridden"):
                self._wizard(override=True, override_reason="  ").action_create()
            self.assertFalse(self.env["debtor.handover"].search_count([]))
            action = self._wizard(override=True, override_reason="The customer is moving its assets abroad"
                                  ).action_create()
        handover = self.env["debtor.handover"].browse(action["res_id"])
        self.assertEqual(handover.override_user_id, self.manager)
        self.assertEqual(handover.override_reason, "The customer is moving its assets abroad")
        self.assertIn("has not passed", handover.override_issues)
        message = handover.message_ids.filtered(lambda m: "Preconditions overridden" in (m.body or ""))
        self.assertIn("Manny Manager: The customer is moving its assets abroad", message.body)

    def test_what_cannot_be_overridden(self):
        dispute_reason = self.env.ref("debtor_followup.dispute_reason_damaged")
        self.env["debtor.dispute"].create({"move_id": self.inv1.id, "reason_id": dispute_reason.id})
        with freeze_time("2026-02-20"), self.assertRaisesRegex(
                UserError, f"{self.inv1.name} are in dispute: resolve the dispute first"):
            self._wizard(override=True, override_reason="Regardless").action_create()
        self.env["debtor.dispute"].search([]).action_cancel()
        self.customer.write({"vat": "BE0403019262", "city": False})
        with freeze_time("2026-02-20"), self.assertRaises(UserError) as caught:
            self._wizard(override=True, override_reason="Regardless").action_create()
        self.assertIn("has invalid identifiers: VAT number BE0403019262 is invalid (invalid checksum)",
                      str(caught.exception))
        self.assertIn("is incomplete (street, city and country)", str(caught.exception))
        self.customer.write({"vat": "BE0403019261", "city": "Ixelles"})
        self._hand_over()
        with freeze_time("2026-02-21"), self.assertRaisesRegex(UserError, "are already handed over"):
            self._wizard().action_create()
        self.assertEqual(self.env["debtor.handover"].search_count([]), 1)

    def test_the_agency_deals_with_handed_over_invoices(self):
        self._hand_over()
        with self.assertRaisesRegex(ValidationError, "handed over to a collection agency"), self.cr.savepoint():
            self.env["debtor.promise"].with_user(self.controller).create({
                "partner_id": self.customer.id, "date": "2026-03-01", "amount": 100.0,
                "line_ids": [Command.set(self._receivable(self.inv1).ids)]})
        with self.assertRaisesRegex(ValidationError, "arranges any payment plan"), self.cr.savepoint():
            self.env["debtor.payment.plan"].with_user(self.controller).create({
                "partner_id": self.customer.id, "move_ids": [Command.set(self.inv1.ids)], "date": "2026-02-21",
                "first_due_date": "2026-03-21"})
        with self.assertRaisesRegex(UserError, "withdraw the handover before changing them"):
            self.inv1.button_draft()
        self.assertEqual(self.inv1.state, "posted")

    # ---------------------------------------------------------------- the file
    def expected_xml(self, handover, agency_reference=""):
        return EXPECTED_XML % {"name": handover.name, "inv1": self.inv1.name, "agency_reference": agency_reference}

    def test_exact_xml(self):
        handover = self._hand_over()
        attachment = handover.attachment_id
        self.assertEqual(attachment.name, handover.name.replace("/", "_") + ".xml")
        self.assertIn(attachment.mimetype, ("application/xml", "text/plain"), "text/plain for non-administrators")
        self.assertEqual((attachment.res_model, attachment.res_id), ("debtor.handover", handover.id))
        # 2 Jan - 20 Feb 2026: 50 days at 11 %: 1000 * 0.11 * 50 / 365 = 15.068 -> 15.07; costs EUR 40 = USD 20
        self.assertEqual((handover.principal_amount, handover.interest_amount, handover.costs_amount,
                          handover.total_amount), (1000.0, 15.07, 20.0, 1035.07))
        self.assertEqual(attachment.raw.decode(), self.expected_xml(handover))
        handover_file.validate_xml(attachment.raw)  # the schema shipped in the addon
        root = etree.fromstring(attachment.raw)
        ns = {"h": handover_file.NAMESPACE}
        self.assertEqual(root.findtext("h:debtor/h:name", namespaces=ns), "Dupont & Fils <SA>")
        self.assertIn(b"<name>Dupont &amp; Fils &lt;SA&gt;</name>", attachment.raw)
        self.assertIn(b"<name>Collect &amp; Recover BV</name>", attachment.raw)
        # sent later: the agency's reference is added once acknowledged, the file rebuilt on request
        with freeze_time("2026-02-20"):
            handover.action_send()
        handover.agency_reference = "CR-2026-77"
        handover.action_acknowledge()
        handover.action_generate_file()
        self.assertEqual(handover.attachment_id.raw.decode(), self.expected_xml(
            handover, "\n    <caseReference>CR-2026-77</caseReference>"))

    def test_a_file_that_does_not_match_the_schema_is_never_offered(self):
        handover = self._hand_over()
        first = handover.attachment_id
        self.customer.name = "X" * 300  # longer than the schema's 256
        with self.assertRaisesRegex(UserError, "does not match the handover schema"):
            handover.action_generate_file()
        self.assertEqual(handover.attachment_id, first)
        with self.assertRaises(handover_file.HandoverFileError):
            handover_file.validate_xml(first.raw.replace(b"<currency>USD</currency>", b"<currency>usd</currency>"))

    def test_exact_csv(self):
        self.agency.debtor_agency_export_format = "csv"
        handover = self._hand_over()
        self.assertEqual(handover.export_format, "csv")
        self.assertEqual(handover.attachment_id.mimetype, "text/csv")
        self.assertEqual(handover.attachment_id.raw.decode(), (
            "handover_reference,handover_date,agency,agency_reference,creditor_name,creditor_vat,debtor_name,"
            "debtor_kind,debtor_vat,debtor_registry_number,debtor_lei,debtor_street,debtor_street2,"
            "debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,invoice_number,invoice_date,"
            "due_date,currency,original_amount,principal,interest,costs,total,follow_up_level,reminder_count,"
            "last_reminder_date,final_notice_date\r\n"
            f"{handover.name},2026-02-20,Collect & Recover BV,,Creditor & Co,BE0428759497,Dupont & Fils <SA>,"
            "company,BE0403019261,,213800KUD8LAJWSQ9D15,Avenue Louise 54,,1050,Ixelles,BE,"
            f"ap@slowpayer.example.com,+32 2 555 12 12,{self.inv1.name},2025-12-01,2026-01-01,USD,1000.00,"
            "1000.00,15.07,20.00,1035.07,Final notice,4,2026-02-05,2026-02-05\r\n"))
        # a cell a spreadsheet would run as a formula is defused
        self.customer.name = "=HYPERLINK(\"http://evil\")"
        handover.action_generate_file()
        self.assertIn(",\"'=HYPERLINK(\"\"http://evil\"\")\",", handover.attachment_id.raw.decode())

    # ---------------------------------------------------------------- follow-up
    def test_handed_over_invoices_get_no_reminder(self):
        handover = self._hand_over()
        self.assertEqual(self._receivable(self.inv1).debtor_exclusion_reason, "collection")
        self.assertTrue(self.inv1.debtor_in_collection)
        self.assertFalse(self.inv2.debtor_in_collection)
        self.assertTrue(self.customer.debtor_in_collection)
        self.assertTrue(self.debtor.in_collection)
        self.assertEqual(self.debtor.handover_count, 1)
        aging = self.env["debtor.report.aging"].search([("move_id", "in", (self.inv1 | self.inv2).ids)])
        self.assertEqual({row.move_id: row.followup_state for row in aging},
                         {self.inv1: "collection", self.inv2: "followed"}, "the aging shows it at the agency")
        with freeze_time("2026-02-22"):
            run = self._run()
        self.assertEqual(run.action_ids.line_ids.move_id, self.inv2, "only the invoice kept by the company")
        self.assertEqual(run.action_ids.level_id, self.level_1)
        with freeze_time("2026-03-10"):
            self.debtor.action_refresh()
            state = self.env["debtor.customer"]._compute_followup_state(self.company, self.customer)
            self.assertNotIn(self.level_handover, state[self.customer.id]["due"],
                             "no level at all for the handed-over invoice")
        self.assertEqual(handover.state, "draft")

    def test_withdrawal_puts_the_invoices_back_at_their_level(self):
        handover = self._hand_over()
        with freeze_time("2026-02-20"):
            handover.action_send()
        with self.assertRaisesRegex(UserError, "Write down why"):
            handover.action_withdraw()
        handover.withdraw_reason = "The customer paid the agency's fee in advance and settles with us"
        with freeze_time("2026-02-25"):
            handover.action_withdraw()
            line = self._receivable(self.inv1)
            line.invalidate_recordset()
            self.assertEqual(handover.state, "withdrawn")
            self.assertFalse(line.debtor_exclusion_reason)
            self.assertEqual(line.debtor_level_id, self.level_final, "the level it had")
            self.assertEqual(line.debtor_next_level_id, self.level_handover)
        self.assertFalse(self.inv1.debtor_in_collection)
        mails = self._agency_mails(handover)
        self.assertEqual(len(mails), 2, "the file, then the withdrawal")
        self.assertIn("withdrawn", mails[1].subject)
        # and it can be handed over again
        with freeze_time("2026-03-01"):
            self._wizard().action_create()

    # ---------------------------------------------------------------- later payments
    def test_later_payments_update_the_handover_and_notify_the_agency(self):
        handover = self._hand_over()
        with freeze_time("2026-02-20"):
            handover.action_send()
        self.assertEqual((handover.state, str(handover.date_sent)), ("sent", "2026-02-20"))
        sent = self._agency_mails(handover)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.state, "outgoing", "queued, not sent inline")
        self.assertEqual(sent.attachment_ids, handover.attachment_id)
        handover.agency_reference = "CR-2026-77"
        handover.action_acknowledge()

        with freeze_time("2026-03-02"):
            self._pay(self.inv1, 300.0, "2026-03-02")
        self.assertEqual(handover.state, "partial")
        self.assertEqual((handover.amount_collected, handover.amount_open), (300.0, 700.0))
        activity = handover.activity_ids
        self.assertEqual(activity.user_id, self.manager, "the handover's responsible follows the agency up")
        self.assertEqual(activity.summary,
                         f"Tell Collect & Recover BV, Anna Agent: $\xa0300.00 paid on {handover.name}")
        self.assertEqual(html2plaintext(activity.note), f"{self.inv1.name}: $\xa0300.00 paid, $\xa0700.00 still open")
        notice = self._agency_mails(handover) - sent
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.state, "outgoing")
        self.assertIn("payment received on CR-2026-77", notice.subject)
        self.assertIn("700.00", notice.body_html)

        with freeze_time("2026-03-09"):
            self._pay(self.inv1, 700.0, "2026-03-09")
        self.assertEqual(handover.state, "collected")
        self.assertEqual((handover.amount_collected, handover.amount_open), (1000.0, 0.0))
        self.assertEqual(len(handover.activity_ids), 2)
        self.assertEqual(len(self._agency_mails(handover)), 3)
        # the payment is undone: back to partially collected, and the agency hears of it
        self._receivable(self.inv1).matched_credit_ids.sorted("id")[-1].unlink()
        self.assertEqual(handover.state, "partial")
        self.assertEqual(handover.amount_collected, 300.0)
        self.assertEqual(len(self._agency_mails(handover)), 4)
        self._pay(self.inv1, 700.0, "2026-03-12")
        self.assertEqual(handover.state, "collected")
        handover.action_close()
        self.assertEqual(handover.state, "closed")
        self.assertFalse(self.inv1.debtor_in_collection)

    def test_without_email_the_agency_gets_an_activity_only(self):
        self.agency.debtor_agency_email = False
        handover = self._hand_over()
        with freeze_time("2026-02-20"):
            handover.action_send()
            # registered by a plain invoicing user, who cannot read handovers
            self.env["account.payment.register"].with_user(self.invoicing_user).with_context(
                active_model="account.move", active_ids=self.inv1.ids,
            ).create({"amount": 250.0, "payment_date": "2026-02-20"})._create_payments()
        self.assertEqual(handover.state, "partial")
        self.assertEqual(handover.amount_collected, 250.0)
        self.assertFalse(self._agency_mails(handover))
        self.assertEqual(len(handover.activity_ids), 1)
        self.assertTrue(handover.message_ids.filtered(lambda m: "Payments on handed-over invoices" in (m.body or "")))

    def test_closing_with_an_open_balance_needs_a_note(self):
        handover = self._hand_over()
        with freeze_time("2026-02-20"):
            handover.action_send()
        with self.assertRaisesRegex(UserError, "still has .*1,000.00 open"):
            handover.action_close()
        handover.close_note = "Debtor declared bankrupt; the agency gave up"
        handover.action_close()
        self.assertEqual(handover.state, "closed")
        self.assertEqual(self._receivable(self.inv1).debtor_exclusion_reason, "collection",
                         "a closed case is not chased by the company's reminders")

    # ---------------------------------------------------------------- rights
    def test_only_managers_hand_over(self):
        with freeze_time("2026-02-20"), self.assertRaises(AccessError):
            self._wizard(user=self.controller)
        handover = self._hand_over()
        # controllers read handovers (and see the invoices are in collection), they do not act on them
        self.assertEqual(handover.with_user(self.controller).state, "draft")
        self.assertEqual(self.debtor.with_user(self.controller).handover_count, 1)
        with self.assertRaises(AccessError):
            handover.with_user(self.controller).write({"agency_reference": "X"})
        with self.assertRaises(AccessError):
            handover.with_user(self.controller).action_withdraw()
        with self.assertRaises(AccessError):
            handover.with_user(self.controller).unlink()
        # plain invoicing users see the badge only
        self.assertTrue(self.inv1.with_user(self.invoicing_user).debtor_in_collection)
        self.assertTrue(self.customer.with_user(self.invoicing_user).debtor_in_collection)
        with self.assertRaises(AccessError):
            handover.with_user(self.invoicing_user).read(["name"])
        with self.assertRaises(AccessError):
            self.env["debtor.handover.wizard"].with_user(self.invoicing_user).create({"customer_id": self.debtor.id})
        # a draft can be deleted by a manager: the invoice is followed up again
        handover.with_user(self.manager).unlink()
        self.assertFalse(self._receivable(self.inv1).debtor_exclusion_reason)

    def test_company_isolation(self):
        handover = self._hand_over()
        other = self.setup_other_company(name="Other Co")["company"]
        manager_b = new_test_user(self.env, login="manager_b", name="Bea Manager",
                                  groups="debtor_followup.group_debtor_manager", company_id=other.id,
                                  company_ids=[Command.set(other.ids)])
        self.assertFalse(self.env["debtor.handover"].with_user(manager_b).search([]))
        self.assertFalse(self.env["debtor.handover.line"].with_user(manager_b).search([]))
        with self.assertRaises(AccessError):
            handover.with_user(manager_b).read(["name"])
        with self.assertRaises(AccessError):
            handover.line_ids.with_user(manager_b).read(["principal"])
        self.assertFalse(self.customer.with_user(manager_b).with_company(other).debtor_in_collection)

    def test_wizard_from_the_invoices_and_the_customer(self):
        action = self.customer.with_user(self.manager).action_debtor_handover()
        with freeze_time("2026-02-20"):
            wizard = self.env["debtor.handover.wizard"].with_user(self.manager).with_context(
                **action["context"]).create({})
            self.assertEqual((wizard.agency_id, wizard.agency_contact_id), (self.agency, self.agent))
            self.assertEqual(wizard.move_ids, self.inv1 | self.inv2, "every overdue invoice")
            self.assertIn(f"No formal notice (final-notice level) was sent about {self.inv2.name}.", wizard.issues)
            wizard = self.env["debtor.handover.wizard"].with_user(self.manager).with_context(
                active_model="account.move", active_ids=self.inv1.ids).create({})
            self.assertEqual((wizard.customer_id, wizard.move_ids), (self.debtor, self.inv1))
            self.assertFalse(wizard.issues)
            self.assertEqual(wizard.total_amount, 1035.07)
        self.assertTrue(self.debtor.handover_due, "the formal notice was sent: a handover is the next step")
        self.assertFalse(self.env["debtor.customer"]._credit_file(self.customer_b, self.company).handover_due)


EXPECTED_XML = """<?xml version='1.0' encoding='UTF-8'?>
<collectionHandover xmlns="urn:debtor-followup:handover:1" version="1">
  <reference>%(name)s</reference>
  <handoverDate>2026-02-20</handoverDate>
  <currency>USD</currency>
  <agency>
    <name>Collect &amp; Recover BV</name>%(agency_reference)s
  </agency>
  <creditor>
    <name>Creditor &amp; Co</name>
    <vat>BE0428759497</vat>
    <address>
      <street>Rue Haute 1</street>
      <postalCode>1000</postalCode>
      <city>Brussels</city>
      <country>BE</country>
    </address>
    <email>credit@company.example.com</email>
  </creditor>
  <debtor>
    <name>Dupont &amp; Fils &lt;SA&gt;</name>
    <kind>company</kind>
    <identifiers>
      <vat status="valid" scheme="be.vat">BE0403019261</vat>
      <lei status="valid" scheme="lei">213800KUD8LAJWSQ9D15</lei>
    </identifiers>
    <address>
      <street>Avenue Louise 54</street>
      <postalCode>1050</postalCode>
      <city>Ixelles</city>
      <country>BE</country>
    </address>
    <email>ap@slowpayer.example.com</email>
    <phone>+32 2 555 12 12</phone>
  </debtor>
  <invoices>
    <invoice>
      <number>%(inv1)s</number>
      <invoiceDate>2025-12-01</invoiceDate>
      <dueDate>2026-01-01</dueDate>
      <originalAmount>1000.00</originalAmount>
      <principal>1000.00</principal>
      <interest>15.07</interest>
      <costs>20.00</costs>
      <total>1035.07</total>
      <followUpLevel>Final notice</followUpLevel>
    </invoice>
  </invoices>
  <totals>
    <principal>1000.00</principal>
    <interest>15.07</interest>
    <costs>20.00</costs>
    <total>1035.07</total>
  </totals>
  <reminderHistory>
    <reminder>
      <date>2025-12-29</date>
      <level>Courtesy reminder</level>
      <finalNotice>false</finalNotice>
      <channel>email</channel>
      <invoiceNumber>%(inv1)s</invoiceNumber>
    </reminder>
    <reminder>
      <date>2026-01-08</date>
      <level>First reminder</level>
      <finalNotice>false</finalNotice>
      <channel>email</channel>
      <invoiceNumber>%(inv1)s</invoiceNumber>
    </reminder>
    <reminder>
      <date>2026-01-22</date>
      <level>Second reminder and call</level>
      <finalNotice>false</finalNotice>
      <channel>email</channel>
      <invoiceNumber>%(inv1)s</invoiceNumber>
    </reminder>
    <reminder>
      <date>2026-02-05</date>
      <level>Final notice</level>
      <finalNotice>true</finalNotice>
      <channel>email</channel>
      <invoiceNumber>%(inv1)s</invoiceNumber>
    </reminder>
  </reminderHistory>
</collectionHandover>
"""
