import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)


class DebtorCustomerExecution(models.Model):
    """Executing follow-up levels: rendering the reminders, their documents, the mails, letters,
    activities, chatter notes and the history, for one debtor file or a batch.
    """

    _inherit = "debtor.customer"

    # ------------------------------------------------------------------
    # Executing a level
    # ------------------------------------------------------------------
    def _followup_recipients(self):
        """The contacts a reminder goes to: the customer's invoicing contacts with an email, else the customer.

        :raise UserError: when nobody has a valid email address
        """
        self.ensure_one()
        partner = self.partner_id
        contacts = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.email) or partner
        valid = contacts.filtered(lambda c: email_normalize(c.email))
        if not valid:
            raise UserError(self.env._(
                "%(customer)s has no valid email address (%(email)s): the reminder cannot be sent.",
                customer=partner.display_name, email=partner.email or self.env._("none")))
        return valid

    def _render_reminder(self, level, lines):
        """Render ``level``'s email for ``lines``: ``{'subject', 'body', 'email_from'}`` (the preview)."""
        self.ensure_one()
        return self._render_reminders(level, [(self, lines)])[0]

    @api.model
    def _render_reminders(self, level, items):
        """Render ``level``'s email for several customers at once, one template call per field.

        :param items: list of ``(debtor.customer, account.move.line)`` pairs, one customer at most once
        :return: one dict per item, in order: ``subject``, ``body`` (for the chatter), ``body_html`` (the body in
            the template's email layout, what the customer receives) and ``email_from``
        """
        partners = self.env["res.partner"].browse([debtor_file.partner_id.id for debtor_file, _lines in items])
        all_lines = self.env["account.move.line"].concat(*(lines for _customer, lines in items))
        today = fields.Date.context_today(self)
        template = level.mail_template_id.with_company(items[0][0].company_id).with_context(debtor_followup={
            "level_id": level.id,
            "lines_by_partner": {debtor_file.partner_id.id: lines.ids for debtor_file, lines in items},
            "customers": {debtor_file.partner_id.id: debtor_file.id for debtor_file, _lines in items},
            "prefetch_line_ids": all_lines.ids,
            "pay_urls": all_lines.move_id._debtor_portal_urls(payable_only=not level.invoice_links),
            **self._debtor_items_context([lines for _customer, lines in items], today),
        })
        rendered = {
            field: template._render_field(source, partners.ids, compute_lang=True)
            for field, source in (("subject", "subject"), ("body", "body_html"), ("email_from", "email_from"))
        }
        layout = level.mail_template_id.email_layout_xmlid or "mail.mail_notification_light"
        langs = template._render_lang(partners.ids) if template.lang else {}
        description = self.env["ir.model"]._get("res.partner").display_name
        result = []
        for (debtor_file, _lines), partner in zip(items, partners, strict=True):
            values = {field: rendered[field][partner.id] or None for field in rendered}
            lang = langs.get(partner.id) or self.env.lang
            values["body_html"] = template.with_context(lang=lang)._render_encapsulate(
                layout, values["body"] or "",
                add_context={"company": debtor_file.company_id, "model_description": description},
                context_record=partner.with_context(lang=lang),
            )
            result.append(values)
        return result

    @api.model
    def _debtor_items_context(self, line_groups, today):
        """The items tables of several documents (one group of lines each) read at once, for the context key
        ``debtor_followup`` of their rendering: each document asks ``_debtor_items_table`` for its own, and their
        items and invoices are fetched once for all of them, not once per document."""
        tables = self._debtor_items_tables(line_groups, today)
        return {
            "items_tables": dict(zip((self._debtor_items_key(lines, today) for lines in line_groups), tables,
                                     strict=True)),
            "items_prefetch_ids": [line_id for table in tables for line_id in (*table["debits"], *table["credits"])],
        }

    def _statement_attachments(self):
        """Render the statements of these debtor files (one company) in one go, as PDF attachments owned by the
        debtor files. The reminder's message on the customer lists them; owned by the file (which controllers and
        managers may write, unlike the contact) the web client can store their thumbnail when it shows them.

        :return: ``{debtor file id: ir.attachment}``
        """
        contents = self.env["ir.actions.report"].with_context(debtor_followup=self._debtor_items_context(
            [debtor_file.line_ids for debtor_file in self], fields.Date.context_today(self),
        ))._debtor_render_split("debtor_followup.action_report_debtor_statement", self)
        attachments = self.env["ir.attachment"].sudo().create([{
            "name": self.env._("Statement - %(customer)s.pdf", customer=debtor_file.partner_id.display_name),
            "raw": contents[debtor_file.id],
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": debtor_file.id,
        } for debtor_file in self])
        return dict(zip(self.ids, attachments, strict=True))

    @api.model
    def _invoice_attachments(self, moves):
        """The PDF of each invoice for a reminder: the one Odoo keeps (``invoice_pdf_report_id``), else rendered once
        for all the invoices missing one and kept there as Odoo's own invoice PDF, so that every later reminder
        reuses it. The reminder gets a copy of it (same stored file): Odoo hides an attachment that is a field's
        content from the attachments of a message.

        :return: ``ir.attachment`` records, one per invoice, linked to their invoices
        """
        invoices = moves.filtered(lambda move: move.is_invoice() and move.state == "posted")
        self._keep_invoice_pdfs(invoices)
        return invoices.sudo().invoice_pdf_report_id.copy({"res_field": False})

    def _check_reminded_items(self, level, lines):
        """Refuse to execute ``level`` on anything but open receivable items of this customer in its company."""
        self.ensure_one()
        if not lines:
            raise UserError(self.env._("There is nothing to remind %(customer)s of.",
                                       customer=self.partner_id.display_name))
        foreign = lines.filtered(
            lambda line: line.partner_id != self.partner_id or line.company_id != self.company_id
            or line.account_type != "asset_receivable" or line.reconciled or line.parent_state != "posted")
        if foreign:
            raise UserError(self.env._(
                "Only the open receivable items of %(customer)s in %(company)s can be reminded, not: %(items)s",
                customer=self.partner_id.display_name, company=self.company_id.name,
                items=", ".join(foreign.move_id.mapped("display_name"))))

    def _execute_level(self, level, lines, run=None, manual=False, send_email=None):
        """Execute ``level`` for ``lines`` of this customer: mail, letter, activity, chatter, history.

        Raises on failure (no email address, template error...) without having advanced anything.

        :param level: the ``debtor.followup.level`` to execute
        :param lines: open receivable ``account.move.line`` of this customer in this company
        :param run: the ``debtor.followup.run`` executing it (None for a person's action)
        :param bool manual: executed by a person
        :param send_email: override the level's email setting (None: as the level says)
        :return: the ``debtor.followup.action`` created
        """
        self.ensure_one()
        return self._execute_levels([(self, level, lines)], run=run, manual=manual, send_email=send_email,
                                    raise_on_error=True)

    @api.model
    def _execute_levels(self, items, run=None, manual=False, send_email=None, raise_on_error=False):
        """Execute follow-up levels for many customers at once: the nightly run's batch and a person's send.

        Each item's own checks, rendering and documents run first, isolated: an item that fails (no valid email
        address, a template that does not render, a PDF that cannot be made) is recorded as a failed action with
        its error and a note in the customer's chatter, and the others go on. What is left is written set-wise:
        one creation of all the emails (queued in Odoo's mail queue with their delivery notifications, logged in
        each customer's chatter), of all the activities, notes and actions, and one update of the items' levels
        per level, so a batch costs a fixed number of queries whatever its size.

        :param items: list of ``(debtor.customer, debtor.followup.level, account.move.line)``, a customer and
            level at most once
        :param run: the ``debtor.followup.run`` executing them (None for a person's action)
        :param bool manual: executed by a person
        :param send_email: override the levels' email setting (None: as each level says)
        :param bool raise_on_error: raise the first item's error instead of recording it (nothing is written)
        :return: the ``debtor.followup.action`` created, done and failed, in the order of ``items``; an automatic
            item whose customer was already reminded of its level today is left out (a no-op, noted on the run)
        """
        today = fields.Date.context_today(self)
        if not manual:
            items = self._drop_done_today(items, run, today)
        user_partner = self.env.user.partner_id
        jobs = [{
            "customer": debtor_file, "level": level, "lines": lines, "error": None, "done": [],
            "send_email": level.send_email if send_email is None else send_email,
            "attachments": self.env["ir.attachment"], "fee_move": self.env["account.move"],
        } for debtor_file, level, lines in items]

        def fail(job, error):
            if raise_on_error:
                raise error
            _logger.warning("Follow-up of %s (level %s) failed: %s", job["customer"].partner_id.display_name,
                            job["level"].name, error, exc_info=not isinstance(error, UserError))
            job["error"] = str(error) or repr(error)

        # read what the checks and the rendering need of all the items at once
        self.env["account.move.line"].concat(*(lines for _customer, _level, lines in items)).fetch([
            "partner_id", "company_id", "account_type", "reconciled", "parent_state", "move_id", "currency_id",
            "amount_residual", "amount_residual_currency", "amount_currency", "date_maturity", "date",
            "debtor_level_id"])
        for job in jobs:
            try:
                job["customer"]._check_reminded_items(job["level"], job["lines"])
                if job["send_email"]:
                    job["recipients"] = job["customer"]._followup_recipients()
            except UserError as error:
                fail(job, error)
        self._render_jobs([job for job in jobs if job["send_email"] and not job["error"]], fail)
        self._prepare_documents(jobs, fail)

        live = [job for job in jobs if not job["error"]]
        mails = self._create_reminder_mails([job for job in live if job["send_email"]], user_partner)
        self._create_level_activities([job for job in live if job["level"].create_activity], today)
        actions = self.env["debtor.followup.action"].sudo().create([{
            "partner_id": job["customer"].partner_id.id,
            "company_id": job["customer"].company_id.id,
            "level_id": job["level"].id,
            "run_id": run.id if run else False,
            "date": today,
            "manual": manual,
            "user_id": self.env.user.id,
            "state": "failed" if job["error"] else "done",
            "error": job["error"] or False,
            "line_ids": [fields.Command.set(job["lines"].ids)],
            "amount_due": sum(job["lines"].mapped("amount_residual")),
            "fee_move_id": job["fee_move"].id,
            "activity_id": job.get("activity", self.env["mail.activity"]).id,
            **({
                "mail_message_id": mails[job["mail_index"]].mail_message_id.id,
                "mail_template_id": job["level"].mail_template_id.id,
                "email_sent": True,
                "recipient_ids": [fields.Command.set(job["recipients"].ids)],
            } if "mail_index" in job else {}),
        } for job in jobs])
        for job, action in zip(jobs, actions, strict=True):
            job["action"] = action
        lettered = [job for job in jobs if job["level"].print_letter and not job["error"]]

        def letters(group):
            group_actions = actions.browse([job["action"].id for job in group])  # the system's, like their creation
            letters_by_action = group_actions._render_letters()
            for action in group_actions:
                action.letter_attachment_id = letters_by_action[action.id]
            for job in group:
                job["done"].append(self.env._("letter ready to print"))

        def letter_failed(job, error):
            fail(job, error)
            job["action"].error = self.env._("The letter could not be made: %(error)s", error=job["error"])

        self._in_batch(lettered, letters, letter_failed)
        self._log_job_notes(jobs, actions, user_partner)

        for level, group in self._group_by_level(live).items():
            # a level sent again by hand never moves an item back down (the run would send the higher ones again)
            lines = self.env["account.move.line"].concat(*(job["lines"] for job in group))
            lines.filtered(
                lambda line, level=level: not line.debtor_level_id or line.debtor_level_id.delay_days < level.delay_days
            )._debtor_set_level(level, today)
        postponed = self.concat(*(job["customer"] for job in live)).filtered(
            lambda debtor_file: debtor_file.postponed_until and debtor_file.postponed_until <= today)
        if postponed:
            postponed.sudo().postponed_until = False
        return actions

    @api.model
    def _drop_done_today(self, items, run, today):
        """The automatic ``items`` whose customer was not reminded of their level on ``today`` yet.

        The same level twice the same day is a no-op, noted on ``run``: a customer re-entering a level it had
        this morning (a new invoice, a payment undone) gets it the next night, with the new items.
        """
        if not items:
            return items
        done = self.env["debtor.followup.action"].sudo().search_fetch([
            ("partner_id", "in", [debtor_file.partner_id.id for debtor_file, _level, _lines in items]),
            ("level_id", "in", [level.id for _customer, level, _lines in items]),
            ("date", "=", today), ("state", "=", "done"), ("manual", "=", False), ("merged_from", "=", False),
        ], ["partner_id", "company_id", "level_id"])
        reminded = {(action.partner_id.id, action.company_id.id, action.level_id.id) for action in done}
        kept = []
        for debtor_file, level, lines in items:
            if (debtor_file.partner_id.id, debtor_file.company_id.id, level.id) not in reminded:
                kept.append((debtor_file, level, lines))
            elif run:
                run._log_already_done(debtor_file, level)
        return kept

    @api.model
    def _group_by_level(self, jobs):
        groups = defaultdict(list)
        for job in jobs:
            groups[job["level"]].append(job)
        return groups

    @api.model
    def _render_jobs(self, jobs, fail):
        """Render the emails of ``jobs`` level by level; a level whose batch fails is rendered item by item."""
        for level, group in self._group_by_level(jobs).items():
            if not level.mail_template_id:
                for job in group:
                    fail(job, UserError(self.env._("Level %(level)s has no email template.", level=level.name)))
                continue
            try:
                with self.env.cr.savepoint():
                    rendered = self._render_reminders(level, [(job["customer"], job["lines"]) for job in group])
            except Exception:
                rendered = []
                for job in group:
                    try:
                        with self.env.cr.savepoint():
                            rendered.append(self._render_reminders(level, [(job["customer"], job["lines"])])[0])
                    except Exception as error:
                        fail(job, error)
                        rendered.append(None)
            for job, values in zip(group, rendered, strict=True):
                if values is not None:
                    job["rendered"] = values

    @api.model
    def _prepare_documents(self, jobs, fail):
        """The fee invoices and the PDFs of ``jobs``: a fee invoice per job (a savepoint each), then the statements
        of all the jobs in one rendering and the invoices' PDFs likewise (see ``_debtor_render_split``). A rendering
        that fails for the batch is done job by job, so that only the job whose document fails is failed."""
        for job in jobs:
            debtor_file, level, lines = job["customer"], job["level"], job["lines"]
            if not level.create_fee_invoice or job["error"]:
                continue
            try:
                with self.env.cr.savepoint():
                    job["fee_move"] = debtor_file._create_fee_invoice(level, lines) or job["fee_move"]
            except Exception as error:
                job["fee_move"] = self.env["account.move"]
                fail(job, error)
                continue
            if job["fee_move"]:
                job["done"].append(self.env._("fee invoice %(move)s", move=job["fee_move"].name))
        mailed = [job for job in jobs if job["send_email"] and not job["error"]]

        def statements(group):
            files = self.concat(*(job["customer"] for job in group))
            by_customer = files._statement_attachments()
            for job in group:
                job["attachments"] |= by_customer[job["customer"].id]

        def invoices(group):
            pdfs = self._invoice_attachments(self.env["account.move"].concat(*(job["lines"].move_id for job in group)))
            for job in group:
                job["attachments"] |= pdfs.filtered(lambda pdf, job=job: pdf.res_id in job["lines"].move_id.ids)

        self._in_batch([job for job in mailed if job["level"].attach_statement], statements, fail)
        self._in_batch([job for job in mailed if job["level"].attach_invoices and not job["level"].invoice_links],
                       invoices, fail)

    @api.model
    def _in_batch(self, jobs, work, fail):
        """Do ``work(jobs)`` for all the jobs at once in a savepoint; when it fails, job by job, failing only the
        jobs whose own work fails."""
        if not jobs:
            return
        try:
            with self.env.cr.savepoint():
                work(jobs)
            return
        except Exception:
            _logger.info("Follow-up documents of %d customers failed together; making them one by one", len(jobs))
        for job in jobs:
            try:
                with self.env.cr.savepoint():
                    work([job])
            except Exception as error:
                fail(job, error)

    @api.model
    def _reminder_author(self, default):
        """Who sends and signs this file's reminder: the user who sends it; when the nightly run sends it (as the
        superuser, OdooBot), the file's follow-up responsible, so that the customer answers a person.

        :param default: the sending user's partner
        """
        self.ensure_one()
        if self.env.user._is_superuser() and self.responsible_id:
            return self.responsible_id.partner_id
        return default

    def _create_reminder_mails(self, jobs, author):
        """Queue the reminders of ``jobs`` in one go, each logged in its customer's chatter.

        What ``message_post`` does for one email, for all of them: the message on the customer (the chatter shows
        it with its recipients and delivery state), the outgoing ``mail.mail`` in the template's layout and the
        email notification of each recipient. Followers of the customer are not notified of reminders.
        """
        if not jobs:
            return self.env["mail.mail"]
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        partners = self.env["res.partner"].browse([job["customer"].partner_id.id for job in jobs])
        for job in jobs:
            job["author"] = job["customer"]._reminder_author(author)
            job["email_from"] = job["rendered"]["email_from"] or job["author"].email_formatted
        reply_to = partners.sudo()._notify_get_reply_to_batch(
            defaults={job["customer"].partner_id.id: job["email_from"] for job in jobs},
            author_ids={job["customer"].partner_id.id: job["author"].id for job in jobs})
        mails = self.env["mail.mail"].sudo().create([{
            "model": "res.partner",
            "res_id": job["customer"].partner_id.id,
            "record_name": job["customer"].partner_id.display_name,
            "message_type": "comment",
            "subtype_id": comment,
            "author_id": job["author"].id,
            "email_from": job["email_from"],
            "reply_to": reply_to[job["customer"].partner_id.id],
            "subject": job["rendered"]["subject"],
            "body": job["rendered"]["body"],
            "body_html": job["rendered"]["body_html"],
            "partner_ids": [fields.Command.set(job["recipients"].ids)],
            "recipient_ids": [fields.Command.set(job["recipients"].ids)],
            "attachment_ids": [fields.Command.set(job["attachments"].ids)],
            "mail_server_id": job["level"].mail_template_id.mail_server_id.id,
            "is_notification": True,
            "auto_delete": True,
            "state": "outgoing",
        } for job in jobs])
        self.env["mail.notification"].sudo().create([{
            "mail_message_id": mail.mail_message_id.id,
            "mail_mail_id": mail.id,
            "res_partner_id": recipient.id,
            "author_id": job["author"].id,
            "notification_type": "email",
            "notification_status": "ready",
            "is_read": True,
        } for mail, job in zip(mails, jobs, strict=True) for recipient in job["recipients"]])
        for index, job in enumerate(jobs):
            job["mail_index"] = index
            job["done"].append(self.env._("email to %(to)s", to=", ".join(job["recipients"].mapped("email"))))
        return mails

    @api.model
    def _create_level_activities(self, jobs, today):
        """Schedule the activities of ``jobs`` on their customers, in one creation."""
        if not jobs:
            return
        model = self.env["ir.model"]._get_id("res.partner")
        users = [job["level"]._activity_user(job["customer"]) for job in jobs]
        activities = self.env["mail.activity"].sudo().create([{
            "res_model_id": model,
            "res_id": job["customer"].partner_id.id,
            "activity_type_id": job["level"].activity_type_id.id,
            "summary": job["level"].activity_summary or job["level"].name,
            "note": job["level"].activity_note,
            "user_id": user.id,
            "date_deadline": today + timedelta(days=job["level"].activity_deadline_days),
        } for job, user in zip(jobs, users, strict=True)])
        for job, user, activity in zip(jobs, users, activities, strict=True):
            job["activity"] = activity
            job["done"].append(self.env._("activity for %(user)s", user=user.name))

    @api.model
    def _log_job_notes(self, jobs, actions, author):
        """One chatter note per item that sent no email: what the level did, or why it failed."""
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        values = []
        for job, action in zip(jobs, actions, strict=True):
            if job["error"] and action.state == "failed":
                body = Markup("<p>%s</p>") % self.env._(
                    "The follow-up could not execute level %(level)s: %(error)s",
                    level=job["level"].name, error=job["error"])
            elif not job["send_email"]:
                body = Markup("<p>%s</p><ul>%s</ul>") % (
                    self.env._("Follow-up level %(level)s reached (%(done)s).", level=job["level"].name,
                               done=", ".join(job["done"]) or self.env._("no automatic action")),
                    Markup("").join(Markup("<li>%s</li>") % label for label in action._item_labels()),
                )
            else:
                continue
            values.append({
                "model": "res.partner",
                "res_id": job["customer"].partner_id.id,
                "body": body,
                "message_type": "comment",
                "subtype_id": note,
                "is_internal": True,
                "author_id": author.id,
            })
        if values:
            self.env["mail.message"].sudo().create(values)

    def _post_note(self, body):
        """Post an internal note in the customer's chatter (as superuser, see ``_execute_level``)."""
        self.ensure_one()
        self.partner_id.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
