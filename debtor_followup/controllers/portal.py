import hashlib
import logging
from datetime import timedelta

from odoo import fields
from odoo import http
from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import float_round

_logger = logging.getLogger(__name__)

ANSWER_KINDS = ("paid", "dispute", "promise", "plan")


class DebtorPortal(PortalAccount):
    """The customer's own page: open items, documents and per-invoice answers.

    Reached from /my by the customer's portal users, or by anyone holding the debtor file's link (its access token,
    checked in constant time, not revoked, not expired). Every other request (another file's id, a wrong, revoked
    or expired token) gets the same 404, and every request is counted per link and per address (IP) for the
    company's rate limit. Answers are POSTed forms with Odoo's CSRF token; a refused answer writes nothing (each runs
    in a savepoint) and is shown on the page.
    """

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "debtor_file_count" in counters:
            values["debtor_file_count"] = len(self._debtor_user_files())
        return values

    def _debtor_user_files(self):
        """The debtor files of the logged-in portal user's company (commercial partner)."""
        user = request.env.user
        if user._is_public():
            return request.env["debtor.customer"].sudo()
        return request.env["debtor.customer"].sudo().search(
            [("partner_id", "=", user.partner_id.commercial_partner_id.id)])

    def _debtor_rate_keys(self, access_token):
        address = request.httprequest.remote_addr or ""
        token_key = access_token and "token:" + hashlib.sha256(str(access_token).encode()).hexdigest()[:32]
        return [token_key, f"ip:{address}"]

    def _debtor_access(self, customer_id, access_token):
        """The debtor file (as superuser) the request may see, or ``(None, response)`` to send instead."""
        customer = request.env["debtor.customer"].sudo().browse(customer_id).exists()
        company = customer.company_id or request.env.company
        if not request.env["debtor.portal.hit"].sudo()._debtor_hit(
                self._debtor_rate_keys(access_token), company.debtor_portal_rate_limit):
            return None, self._debtor_refuse_page(429)
        if customer and access_token and customer._debtor_portal_token_valid(access_token):
            return customer, None
        if customer and not access_token and customer in self._debtor_user_files():
            return customer, None
        return None, self._debtor_refuse_page(404)

    def _debtor_refuse_page(self, status):
        values = {"status": status}
        # a Response, not an exception: the hit counted above is kept
        return request.render("debtor_followup.portal_debtor_refused", values, status=status)

    def _debtor_lang(self, customer):
        """Speak the customer's language to a visitor through the link."""
        if request.env.user._is_public() and customer.partner_id.lang:
            request.update_context(lang=customer.partner_id.lang)

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route(["/my/debtor"], type="http", auth="user", website=True, sitemap=False)
    def portal_my_debtor_files(self, **kw):
        files = self._debtor_user_files()
        if len(files) == 1:
            return request.redirect(files.access_url)
        values = self._prepare_portal_layout_values()
        values.update({"debtor_files": files, "page_name": "debtor_files"})
        return request.render("debtor_followup.portal_my_debtor_files", values)

    @http.route(["/debtor/<string:token>"], type="http", auth="public", website=True, sitemap=False)
    def portal_debtor_short(self, token, **kw):
        """The short link printed on letters and statements (and in their QR code)."""
        customer = request.env["debtor.customer"].sudo().search([("access_token", "=", token)], limit=1) \
            if token and len(token) >= 32 else request.env["debtor.customer"]
        if not customer:
            request.env["debtor.portal.hit"].sudo()._debtor_hit(self._debtor_rate_keys(token), 0)
            return self._debtor_refuse_page(404)
        return request.redirect(f"{customer.access_url}?access_token={token}")

    @http.route(["/my/debtor/<int:customer_id>"], type="http", auth="public", website=True, sitemap=False)
    def portal_debtor_page(self, customer_id, access_token=None, answered=None, plan_moves=None,
                           installments=None, **kw):
        customer, refused = self._debtor_access(customer_id, access_token)
        if refused:
            return refused
        self._debtor_lang(customer)
        values = self._debtor_page_values(customer, access_token)
        values["answered"] = answered if answered in (*ANSWER_KINDS, "plan_request", "pay") else False
        if plan_moves:
            try:
                moves, count, schedule = customer._debtor_portal_plan_terms(plan_moves.split(","), installments)
                values["plan_preview"] = {
                    "moves": moves, "count": count, "schedule": schedule,
                    "within_limits": customer._debtor_portal_plan_within_limits(moves, count)}
            except (UserError, ValidationError) as error:
                values["error"] = error.args[0]
        return request.render("debtor_followup.portal_debtor_page", values)

    def _debtor_page_values(self, customer, access_token):
        moves = customer._debtor_portal_moves()
        values = self._prepare_portal_layout_values()
        token_query = f"?access_token={access_token}" if access_token else ""
        values.update({
            "customer": customer,
            "company": customer.company_id,
            "currency": customer.company_id.currency_id,
            "moves": moves,
            "move_states": customer._debtor_portal_move_states(moves),
            "move_due": customer._debtor_portal_move_due(moves),
            "move_urls": moves._debtor_portal_urls(),
            "disputed_moves": set(request.env["debtor.dispute"].sudo().search(
                [("move_id", "in", moves.ids), ("state", "in", ("open", "investigation"))]).move_id.ids),
            "plans": request.env["debtor.payment.plan"].sudo().search(
                [("partner_id", "=", customer.partner_id.id), ("company_id", "=", customer.company_id.id),
                 ("state", "in", ("draft", "proposed", "active"))]),
            "reasons": request.env["debtor.dispute.reason"].sudo().search([]),
            "access_token": access_token or "",
            "token_query": token_query,
            "page_url": customer.access_url + token_query,
            "today": fields.Date.context_today(customer),
            "promise_max_date": fields.Date.context_today(customer)
            + timedelta(days=customer.effective_policy_id.portal_promise_max_days or 30),
            "page_name": "debtor_page",
            "error": False,
        })
        return values

    @http.route(["/my/debtor/<int:customer_id>/statement"], type="http", auth="public", website=True,
                sitemap=False)
    def portal_debtor_statement(self, customer_id, access_token=None, **kw):
        customer, refused = self._debtor_access(customer_id, access_token)
        if refused:
            return refused
        self._debtor_lang(customer)
        pdf, _type = request.env["ir.actions.report"].sudo().with_context(lang=customer.partner_id.lang)\
            ._render_qweb_pdf("debtor_followup.action_report_debtor_statement", customer.ids)
        filename = f"Statement - {customer.partner_id.name}.pdf".replace('"', "")
        return request.make_response(pdf, headers=[
            ("Content-Type", "application/pdf"), ("Content-Length", len(pdf)),
            ("Content-Disposition", f'inline; filename="{filename}"')])

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------
    @http.route(["/my/debtor/<int:customer_id>/answer"], type="http", auth="public", methods=["POST"],
                website=True, sitemap=False)
    def portal_debtor_answer(self, customer_id, kind=None, access_token=None, **post):
        customer, refused = self._debtor_access(customer_id, access_token)
        if refused:
            return refused
        self._debtor_lang(customer)
        form = request.httprequest.form
        move_ids = form.getlist("move_ids")
        upload = request.httprequest.files.get("attachment")
        upload = upload and upload.filename and (upload.filename, upload.read())
        # the file as superuser, the request's user (public or portal) kept as who answered
        customer_env = customer
        try:
            with request.env.cr.savepoint():
                if kind == "paid":
                    answer = customer_env._debtor_portal_answer_paid(
                        move_ids, post.get("date"), post.get("amount"), post.get("comment"), upload)
                elif kind == "dispute":
                    answer = customer_env._debtor_portal_answer_dispute(
                        (move_ids or [None])[0] if len(move_ids) <= 1 else move_ids, post.get("reason_id"),
                        post.get("amount"), form.getlist("line_ids"), post.get("comment"), upload)
                elif kind == "promise":
                    answer = customer_env._debtor_portal_answer_promise(
                        move_ids, post.get("date"), post.get("amount"), post.get("comment"))
                elif kind == "plan_preview":
                    customer_env._debtor_portal_plan_terms(move_ids, post.get("installments"))
                    return request.redirect(
                        f"{customer.access_url}?access_token={access_token or ''}&plan_moves="
                        f"{','.join(str(int(move_id)) for move_id in move_ids)}"
                        f"&installments={int(post.get('installments'))}#plan")
                elif kind == "plan":
                    answer = customer_env._debtor_portal_answer_plan(move_ids, post.get("installments"))
                else:
                    raise UserError(request.env._("This answer is not known."))
        except (UserError, ValidationError) as error:
            values = self._debtor_page_values(customer, access_token)
            values.update(error=error.args[0], answered=False)
            return request.render("debtor_followup.portal_debtor_page", values, status=400)
        query = f"access_token={access_token}&" if access_token else ""
        return request.redirect(f"{customer.access_url}?{query}answered={answer.kind}#answered")

    # ------------------------------------------------------------------
    # Pay now
    # ------------------------------------------------------------------
    @http.route(["/my/debtor/<int:customer_id>/pay"], type="http", auth="public", methods=["POST"],
                website=True, sitemap=False)
    def portal_debtor_pay(self, customer_id, access_token=None, **post):
        customer, refused = self._debtor_access(customer_id, access_token)
        if refused:
            return refused
        self._debtor_lang(customer)
        move_ids = request.httprequest.form.getlist("move_ids")
        try:
            moves = customer._debtor_portal_check_moves(move_ids)
            if len(moves.currency_id) > 1:
                raise UserError(request.env._("Pay invoices of one currency at a time."))
        except UserError as error:
            values = self._debtor_page_values(customer, access_token)
            values.update(error=error.args[0], answered=False)
            return request.render("debtor_followup.portal_debtor_page", values, status=400)
        return request.render("debtor_followup.portal_debtor_pay",
                              self._debtor_pay_values(customer, moves, access_token))

    def _debtor_pay_values(self, customer, moves, access_token):
        currency = moves.currency_id
        amount = sum(moves.mapped("amount_residual"))
        token_query = f"?access_token={access_token}" if access_token else ""
        values = self._prepare_portal_layout_values()
        values.update(self._get_common_page_view_values(
            invoices_data={
                "partner": customer.partner_id,
                "company": customer.company_id,
                "total_amount": amount,
                "currency": currency,
                "amount_residual": amount,
                "payment_reference": moves[0].name if len(moves) == 1 else False,
                "landing_route": customer.access_url + token_query + ("&" if token_query else "?")
                + "answered=pay",
                "transaction_route": f"/my/debtor/{customer.id}/transaction/"
                                     f"{'-'.join(str(move_id) for move_id in moves.ids)}",
            },
            access_token=access_token or "",
        ))
        values.update({
            "customer": customer, "moves": moves, "amount": amount, "currency": currency,
            "page_url": customer.access_url + token_query, "page_name": "debtor_page",
        })
        return values

    @http.route(["/my/debtor/<int:customer_id>/transaction/<string:move_ids>"], type="jsonrpc", auth="public")
    def portal_debtor_transaction(self, customer_id, move_ids, access_token=None, payment_reference=None,
                                  **kwargs):
        """Create the transaction of the invoices chosen on the page, for what they owe (whatever amount the
        browser sends), and record the customer's answer. (``payment_reference``: sent by account_payment's form,
        unused: the transaction's reference is made from its invoices.)"""
        customer, refused = self._debtor_access(customer_id, access_token or None)
        if refused:
            raise ValidationError(request.env._("This page is no longer available."))
        try:
            moves = customer._debtor_portal_check_moves(move_ids.split("-"))
        except UserError as error:
            raise ValidationError(error.args[0]) from None
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else customer.partner_id
        self._validate_transaction_kwargs(kwargs)
        currency = moves.currency_id
        kwargs.update({
            "amount": float_round(sum(moves.mapped("amount_residual")), precision_rounding=currency.rounding),
            "currency_id": currency.id,
            "partner_id": partner.id,
            "reference_prefix": None,
        })
        tx_sudo = self._create_transaction(custom_create_values={"invoice_ids": [Command.set(moves.ids)]},
                                           **kwargs)
        customer._debtor_portal_answer_pay(moves, tx_sudo)
        return tx_sudo._get_processing_values()
