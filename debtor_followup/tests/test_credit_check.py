from unittest import mock

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import DebtorFollowupCommon

# Valid numbers from python-stdnum's own examples; the invalid ones differ by their check digit.
VAT_BE = "BE0403019261"
VAT_BE_BAD = "BE0403019262"
SIREN = "552 008 443"
SIREN_BAD = "404833047"
LEI = "213800KUD8LAJWSQ9D15"
LEI_BAD = "213800KUD8LXJWSQ9D15"
IBAN = "BE31435411161155"
IBAN_BAD = "BE31435411161156"


@tagged("post_install", "-at_install")
class TestCreditCheck(DebtorFollowupCommon):
    """Identifiers checked with python-stdnum on real customers, and the credit checks recorded on them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium = cls.env.ref("base.be")
        cls.france = cls.env.ref("base.fr")
        cls.customer.write({"country_id": cls.belgium.id, "vat": VAT_BE})
        cls.Check = cls.env["debtor.credit.check"]

    def _check(self, partner=None, user=None, **vals):
        values = {"partner_id": (partner or self.customer).id, "result": "approved"}
        values.update(vals)
        return self.Check.with_user(user or self.controller).create(values)

    # ------------------------------------------------------------------ identifiers
    def test_vat_valid_and_invalid(self):
        partner = self.customer
        self.assertEqual((partner.debtor_vat_state, partner.debtor_vat_info), ("valid", VAT_BE))
        partner.vat = "0403.019.261"  # no prefix: the country's
        self.assertEqual((partner.debtor_vat_state, partner.debtor_vat_info), ("valid", VAT_BE))
        partner.vat = VAT_BE_BAD
        self.assertEqual((partner.debtor_vat_state, partner.debtor_vat_info), ("invalid", "invalid checksum"))
        partner.vat = "BE12345"
        self.assertEqual(partner.debtor_vat_state, "invalid")
        self.assertTrue(partner.debtor_vat_info.startswith("invalid length"), partner.debtor_vat_info)
        partner.write({"vat": "123456789", "country_id": False})
        self.assertEqual(partner.debtor_vat_state, "unchecked", "no country: nothing can be said")

    def test_company_registry(self):
        partner = self.customer_b
        partner.write({"country_id": self.france.id, "company_registry": "552008443"})
        self.assertEqual((partner.debtor_registry_state, partner.debtor_registry_info), ("valid", SIREN))
        partner.company_registry = SIREN_BAD
        self.assertEqual((partner.debtor_registry_state, partner.debtor_registry_info),
                         ("invalid", "invalid checksum"))
        partner.country_id = self.env.ref("base.nl")
        self.assertEqual((partner.debtor_registry_state, partner.debtor_registry_info),
                         ("unchecked", "no check known for country NL"))
        partner.country_id = False
        self.assertEqual(partner.debtor_registry_state, "unchecked")

    def test_lei(self):
        partner = self.customer
        partner.debtor_lei = LEI.lower()
        self.assertEqual((partner.debtor_lei_state, partner.debtor_lei_info), ("valid", LEI))
        partner.debtor_lei = LEI_BAD
        self.assertEqual((partner.debtor_lei_state, partner.debtor_lei_info), ("invalid", "invalid checksum"))
        contact = self.env["res.partner"].create({"name": "Accounts Payable", "parent_id": partner.id})
        self.assertEqual(contact.debtor_lei, LEI_BAD, "the LEI belongs to the commercial entity")

    def test_iban_of_bank_accounts(self):
        partner = self.customer
        Bank = self.env["res.partner.bank"]
        good = Bank.create({"acc_number": "BE31 4354 1116 1155", "partner_id": partner.id})
        self.assertEqual((good.debtor_iban_state, good.debtor_iban_info), ("valid", "BE31 4354 1116 1155"))
        self.assertEqual(partner.debtor_iban_state, "valid")
        national = Bank.create({"acc_number": "123-4567890-12", "partner_id": partner.id})
        self.assertEqual(national.debtor_iban_state, "unchecked")
        self.assertEqual(partner.debtor_iban_state, "valid")
        bad = Bank.create({"acc_number": IBAN_BAD, "partner_id": partner.id})
        self.assertEqual((bad.debtor_iban_state, bad.debtor_iban_info), ("invalid", "invalid checksum"))
        self.assertEqual(partner.debtor_iban_state, "invalid")
        self.assertIn(f"{IBAN_BAD}: invalid checksum", partner.debtor_iban_info)
        with self.assertRaisesRegex(ValidationError, "IBAN BE31435411161156 is invalid"), self.cr.savepoint():
            self._check()

    def test_normalize_identifiers(self):
        partner = self.customer
        partner.write({"vat": "be 0403.019.261", "debtor_lei": f" {LEI.lower()} ",
                       "bank_ids": [Command.create({"acc_number": IBAN})]})
        partner.action_debtor_normalize_identifiers()
        self.assertEqual((partner.vat, partner.debtor_lei), (VAT_BE, LEI))
        self.assertEqual(partner.bank_ids.acc_number, "BE31 4354 1116 1155")

    # ------------------------------------------------------------------ checks
    def test_check_refused_on_invalid_vat(self):
        self.customer.vat = VAT_BE_BAD
        refused = "VAT number BE0403019262 is invalid \\(invalid checksum\\)"
        with self.assertRaisesRegex(ValidationError, refused), self.cr.savepoint():
            self._check(result="approved")
        self.assertFalse(self.Check.search([("partner_id", "=", self.customer.id)]), "nothing recorded")
        refusal = self._check(result="refused", note="VAT number does not exist")
        self.assertIn("VAT number BE0403019262: Invalid (invalid checksum)", refusal.identifier_summary)
        with self.assertRaisesRegex(ValidationError, "invalid checksum"), self.cr.savepoint():
            refusal.sudo().result = "approved"  # (as the superuser: a recorded check is fixed for anyone else)
        self.customer.vat = VAT_BE
        self._check(result="approved")

    def test_unchecked_identifier_does_not_refuse(self):
        self.customer.write({"company_registry": "12345678", "country_id": self.env.ref("base.nl").id,
                             "vat": "NL004495445B01"})
        check = self._check()
        self.assertIn("Not Checkable (no check known for country NL)", check.identifier_summary)

    @freeze_time("2025-06-30")
    def test_record_check_fills_the_debtor_file(self):
        self.company.debtor_credit_validity_days = 180
        check = self._check(result="approved_limit", credit_limit_proposal=5000.0, note="Good references")
        debtor = self._debtor(self.customer)
        self.assertEqual(check.customer_id, debtor, "the debtor file is created when missing")
        self.assertEqual((check.user_id, str(check.date), check.validity_days, str(check.expiry_date)),
                         (self.controller, "2025-06-30", 180, "2025-12-27"))
        self.assertEqual((check.score, check.rating, check.source), (100, "A", "internal"))
        self.assertIn("No invoice was paid", check.score_explanation)
        self.assertEqual((debtor.credit_check_id, debtor.credit_result, debtor.credit_rating),
                         (check, "approved_limit", "A"))
        self.assertEqual((debtor.credit_limit_proposal, debtor.credit_checked_by_id, debtor.credit_note),
                         (5000.0, self.controller, "Good references"))
        self.assertEqual((debtor.credit_score, str(debtor.credit_score_date)), (100, "2025-06-30"))
        partner = self.customer.with_user(self.invoicing_user)
        self.assertEqual((partner.debtor_credit_result, partner.debtor_credit_rating, partner.debtor_credit_score),
                         ("approved_limit", "A", 100))
        self.assertEqual(str(partner.debtor_credit_expiry_date), "2025-12-27")
        self.assertIn("Credit check recorded by Connie Controller", self.customer.message_ids[0].body)
        # history: one record per check, the latest one counts
        later = self._check(result="cash_in_advance", date="2025-06-30", rating="D")
        self.assertEqual(debtor.credit_check_ids, later | check)
        self.assertEqual((debtor.credit_check_id, debtor.credit_result, debtor.credit_rating),
                         (later, "cash_in_advance", "D"))
        with self.assertRaisesRegex(ValidationError, "propose the limit"), self.cr.savepoint():
            self._check(result="approved_limit")

    def test_expiry(self):
        with freeze_time("2025-01-01"):
            self._check(validity_days=30)
        debtor = self._debtor(self.customer)
        Customer = self.env["debtor.customer"]
        with freeze_time("2025-01-31"):
            self.assertFalse(debtor.credit_expired)
            self.assertNotIn(debtor, Customer.search([("credit_expired", "=", True)]))
        with freeze_time("2025-02-01"):
            debtor.invalidate_recordset(["credit_expired"])
            self.assertTrue(debtor.credit_expired)
            self.assertIn(debtor, Customer.search([("credit_expired", "=", True)]))
            self.assertTrue(self.customer.debtor_credit_expired)

    # ------------------------------------------------------------------ VIES (mocked: no network in tests)
    def test_vies_online_and_offline(self):
        self.company.debtor_credit_vies = True
        with mock.patch("stdnum.eu.vat.check_vies", side_effect=OSError("Name or service not known")) as vies:
            check = self._check()
        vies.assert_called_once_with(VAT_BE, timeout=10)
        self.assertEqual(self.customer.debtor_vies_state, "not_verified")
        self.assertEqual(self.customer.debtor_vies_info, "not verified online: Name or service not known")
        self.assertIn("not verified online", check.identifier_summary)
        answer = {"valid": True, "name": "NV EXAMPLE", "address": "Street 1", "requestDate": None}
        with mock.patch("stdnum.eu.vat.check_vies", return_value=answer):
            self.customer.with_user(self.controller).action_debtor_check_vies()
        self.assertEqual((self.customer.debtor_vies_state, self.customer.debtor_vies_info),
                         ("valid", "BE0403019261 (NV EXAMPLE)"))
        with mock.patch("stdnum.eu.vat.check_vies", return_value={"valid": False}):
            self.customer.action_debtor_check_vies()
        self.assertEqual(self.customer.debtor_vies_state, "invalid")
        self.company.debtor_credit_vies = False
        with mock.patch("stdnum.eu.vat.check_vies") as vies:
            self._check()
        self.assertFalse(vies.called, "VIES is asked only when the company wants it")

    # ------------------------------------------------------------------ access
    def test_access_rights(self):
        check = self._check(result="approved_limit", credit_limit_proposal=2500.0)
        debtor = check.customer_id
        with self.assertRaises(AccessError):
            self._check(user=self.invoicing_user)
        self.assertEqual(check.with_user(self.invoicing_user).result, "approved_limit", "invoicing users read")
        with self.assertRaises(AccessError):
            check.with_user(self.controller).unlink()
        with self.assertRaises(AccessError):
            check.with_user(self.controller).action_apply_limit()
        with self.assertRaises(AccessError):
            debtor.with_user(self.controller).credit_limit = 9999.0
        self.assertEqual(debtor.credit_limit, 0.0)
        check.with_user(self.manager).action_apply_limit()
        self.assertTrue(check.limit_applied)
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 2500.0, "Odoo's own credit limit")
        self.assertEqual(debtor.credit_limit, 2500.0)
        # the partner's credit limit itself: managers only, even for users who may edit contacts
        clerk = new_test_user(self.env, login="clerk",
                              groups="account.group_account_invoice,base.group_partner_manager",
                              company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        with self.assertRaises(AccessError):
            self.customer.with_user(clerk).credit_limit = 100000.0
        self.customer.with_user(clerk).write({"credit_limit": 2500.0, "phone": "+32 2 555 00 00"})  # unchanged
        contact = self.env["res.partner"].with_user(clerk).create({"name": "Buyer", "parent_id": self.customer.id})
        self.assertEqual(contact.with_company(self.company).credit_limit, 2500.0, "synced from its company")
        boss = new_test_user(self.env, login="boss", groups="debtor_followup.group_debtor_manager,"
                             "base.group_partner_manager", company_id=self.company.id,
                             company_ids=[Command.set(self.company.ids)])
        self.customer.with_user(boss).credit_limit = 4000.0
        debtor.invalidate_recordset(["credit_limit"])
        self.assertEqual(debtor.credit_limit, 4000.0)

    def test_company_rule(self):
        other = self.setup_other_company(name="Other Credit Co")["company"]
        mine = self._check()
        theirs = self.Check.create({"partner_id": self.customer.id, "company_id": other.id, "result": "refused"})
        self.assertEqual(theirs.company_id, other)
        Check = self.Check.with_user(self.controller)
        self.assertEqual(Check.search([("partner_id", "=", self.customer.id)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.controller).read(["result"])
        self.assertEqual(self.customer.with_company(other).debtor_credit_result, "refused")
        self.assertEqual(self.customer.with_user(self.controller).debtor_credit_result, "approved")

    def test_hold_by_hand(self):
        debtor = self._check().customer_id.with_user(self.controller)
        with self.assertRaisesRegex(UserError, "Write down why"), self.cr.savepoint():
            debtor.action_credit_hold()
        debtor.credit_hold_note = "Cheque bounced"
        debtor.action_credit_hold()
        self.assertTrue(debtor.credit_on_hold)
        self.assertEqual(debtor.credit_hold_reason, "put on hold: Cheque bounced")
        self.assertTrue(self.customer.debtor_credit_on_hold)
        with self.assertRaises(AccessError):
            debtor.action_credit_release()
        with self.assertRaises(AccessError):
            debtor.credit_hold = False
        debtor.with_user(self.manager).action_credit_release()
        self.assertFalse(debtor.credit_on_hold)
        self.assertIn("released by Manny Manager", self.customer.message_ids[0].body)
