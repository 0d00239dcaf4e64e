from odoo import api
from odoo import models
from odoo.exceptions import UserError

# The context key under which the workflow writes its control fields (see DebtorWorkflowMixin).
WORKFLOW_CONTEXT_KEY = "debtor_workflow"


class _WorkflowToken:
    """The value of ``WORKFLOW_CONTEXT_KEY`` set by the workflow itself, for the models it unlocks.

    A JSON-RPC caller can put any key in its context, but not a Python object: only this token unlocks the control
    fields, so a forged ``{"debtor_workflow": true}`` unlocks nothing. It survives copies of the context. It names
    the models whose workflow set it (with the records those write, see ``_debtor_workflow_models``): a run that
    unlocks its payment plans leaves the disputes locked.
    """

    __slots__ = ("models",)

    def __init__(self, models):
        self.models = frozenset(models)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"<debtor workflow of {', '.join(sorted(self.models))}>"


class DebtorWorkflowMixin(models.AbstractModel):
    """Controls that hold on the server: a workflow record's state, approvals and audit fields change only through
    its actions.

    The web client's ``readonly`` protects nothing over RPC (``/web/dataset/call_kw``), so a model using this mixin
    declares:

    * ``_debtor_control_fields``: the fields only its actions (and the nightly run) change, in any state: state,
      approvals, decisions, audit fields. ``write`` refuses them, and ``create`` refuses them unless they are left at
      their default;
    * ``_debtor_locked_fields(vals)``: the fields of ``vals`` the records' current state locks besides (the terms of
      a plan no longer draft, the reason of a resolved dispute...);
    * ``_debtor_create_by_actions`` / ``_debtor_unlink_by_actions``: records created or deleted only by the actions
      (the installments of a plan, the invoices of a handover).

    The workflow itself is declared too, and implemented here once:

    * ``_debtor_transitions``: the state machine, ``{step: (states it starts from, state it leads to or None)}``;
      an action checks its step (``_debtor_check_step``) and takes it (``_debtor_do_step``);
    * ``_debtor_sequence_code``: the ``ir.sequence`` code that names new records (``name`` left at ``"/"``);
    * ``_debtor_refresh_debtors``: the records decide their customers' follow-up (``partner_id``, ``company_id``):
      the debtor files are refreshed (``debtor.customer._refresh_for``) when one is created, deleted or changes
      state;
    * ``_debtor_workflow_models``: the other workflow models the workflow writes with its records (their lines).

    An action checks that its step is allowed from the current state, then writes through ``_debtor_do_step`` or
    ``_debtor_workflow_write`` (or creates through ``_debtor_workflow_create``), which carry a context token no RPC
    client can send and that unlocks this model only (and its ``_debtor_workflow_models``). The superuser
    (``env.su``: the cron, ``sudo()``) is not checked, as in Odoo's own controls.
    """

    _name = "debtor.workflow.mixin"
    _description = "Debtor Workflow Controls"

    _debtor_control_fields = ()
    _debtor_state_field = "state"
    _debtor_create_by_actions = False
    _debtor_unlink_by_actions = False
    _debtor_workflow_models = ()
    _debtor_transitions = {}
    _debtor_sequence_code = None
    _debtor_refresh_debtors = False

    # ------------------------------------------------------------------
    # CRUD guards
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._debtor_check_create(vals_list)
        if self._debtor_sequence_code:
            for vals in vals_list:
                if vals.get("name", "/") == "/":
                    vals["name"] = self.env["ir.sequence"].next_by_code(self._debtor_sequence_code) or "/"
        records = super().create(vals_list)
        if self._debtor_refresh_debtors:
            self.env["debtor.customer"]._refresh_for(records)
        return records

    def write(self, vals):
        self._debtor_check_write(vals)
        res = super().write(vals)
        if self._debtor_refresh_debtors and self._debtor_state_field in vals:
            self.env["debtor.customer"]._refresh_for(self)
        return res

    def unlink(self):
        if not self._debtor_refresh_debtors:
            return super().unlink()
        # the records are gone once deleted: their customers are taken before
        debtors = [(company, records.partner_id) for company, records in self.grouped("company_id").items()]
        res = super().unlink()
        for company, partners in debtors:
            self.env["debtor.customer"]._refresh(company, partners)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_debtor_workflow(self):
        if self._debtor_unlink_by_actions and self and not self._debtor_workflow_unlocked():
            raise UserError(self.env._(
                "%(model)s %(records)s cannot be deleted: only its workflow does that. %(hint)s",
                model=self._debtor_model_label(), records=self._debtor_names(), hint=self._debtor_hint("unlink"),
            ).strip())

    # ------------------------------------------------------------------
    # The workflow's own writes
    # ------------------------------------------------------------------
    def _debtor_workflow_env(self):
        """These records (or this model) in their workflow: the control fields of this model (and of its
        ``_debtor_workflow_models``) unlocked, those of every other model still locked."""
        return self.with_context(**{WORKFLOW_CONTEXT_KEY: _WorkflowToken({self._name, *self._debtor_workflow_models})})

    def _debtor_workflow_write(self, vals):
        """Write ``vals``, control fields included, as the workflow: for the model's actions and business methods
        only, once they have checked that the step is allowed."""
        return self._debtor_workflow_env().write(vals)

    @api.model
    def _debtor_workflow_create(self, vals_list):
        """Create records with control fields set, as the workflow (e.g. the wizard that creates a handover).

        :return: the new records, in the caller's environment
        """
        return self._debtor_workflow_env().create(vals_list).with_env(self.env)

    def _debtor_check_step(self, step):
        """:raise UserError: when ``step`` of ``_debtor_transitions`` does not start from these records' state"""
        self._check_state(self._debtor_transitions[step][0])

    def _debtor_do_step(self, step, vals=None):
        """Take ``step`` of ``_debtor_transitions``: check it starts from these records' state, then write its
        state (when it leads to one) and ``vals`` as the workflow."""
        self._debtor_check_step(step)
        target = self._debtor_transitions[step][1]
        return self._debtor_workflow_write({**({self._debtor_state_field: target} if target else {}), **(vals or {})})

    def _check_state(self, allowed):
        """The state machine: the action about to run is allowed from these records' state.

        :param allowed: the states the action starts from
        :raise UserError: naming the record and its state otherwise
        """
        field = self._fields[self._debtor_state_field]
        labels = dict(field._description_selection(self.env))
        for record in self:
            state = record[self._debtor_state_field]
            if state not in allowed:
                raise UserError(self.env._("%(model)s %(name)s is %(state)s: it cannot do that.",
                                           model=self._debtor_model_label(), name=record.display_name,
                                           state=labels.get(state, state)))

    def _debtor_workflow_unlocked(self):
        token = self.env.context.get(WORKFLOW_CONTEXT_KEY)
        return self.env.su or (isinstance(token, _WorkflowToken) and self._name in token.models)

    # ------------------------------------------------------------------
    # Shared by the workflows' actions
    # ------------------------------------------------------------------
    def _debtor_notify_customer(self, template_xmlid):
        """Post the mail template ``template_xmlid`` to the customer (``partner_id``) of each record, in its chatter;
        the mail is queued, not sent in the request."""
        template = self.env.ref(template_xmlid)
        for record in self:
            record.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment",
                partner_ids=record.partner_id.ids, force_send=False)

    @api.model
    def _debtor_resume_followup(self, moves, on_date):
        """Put ``moves`` back into the follow-up on ``on_date``: their open receivable items resume then, at their
        next level (the debtor files are the caller's to refresh)."""
        receivable = moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled)
        # the resume date is system-maintained history: written by the workflow whoever runs it
        receivable.sudo().debtor_resume_date = on_date

    @api.model
    def _debtor_invoices_action(self, moves):
        """The window action listing the customer invoices ``moves``."""
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice")
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _debtor_locked_fields(self, vals):
        """The fields of ``vals`` that the current state of these records locks (besides the control fields).

        :return: a collection of field names
        """
        return ()

    def _debtor_check_write(self, vals):
        """:raise UserError: when ``vals`` changes a control field or a field the records' state locks, outside
        the workflow"""
        if not self or self._debtor_workflow_unlocked():
            return
        refused = [name for name in vals if name in self._debtor_control_fields]
        refused += [name for name in self._debtor_locked_fields(vals) if name not in refused]
        if refused:
            raise UserError(self.env._(
                "%(model)s %(records)s: %(fields)s change only through its buttons, not by editing the record. "
                "%(hint)s",
                model=self._debtor_model_label(), records=self._debtor_names(), fields=self._debtor_labels(refused),
                hint=self._debtor_hint("write"),
            ).strip())

    @api.model
    def _debtor_check_create(self, vals_list):
        """:raise UserError: when a record is created outside the workflow with a control field other than its
        default, or at all when the model's records are created by the actions only"""
        if self._debtor_workflow_unlocked():
            return
        if self._debtor_create_by_actions:
            raise UserError(self.env._("A %(model)s is not created by hand: only its workflow does that. %(hint)s",
                                       model=self._debtor_model_label(), hint=self._debtor_hint("create")).strip())
        names = {name for vals in vals_list for name in vals if name in self._debtor_control_fields}
        if not names:
            return
        defaults = self.default_get(list(names))
        for vals in vals_list:
            refused = [name for name in names if name in vals
                       and self._debtor_normalize(name, vals[name]) != self._debtor_normalize(name, defaults.get(name))]
            if refused:
                raise UserError(self.env._(
                    "A new %(model)s cannot be given %(fields)s: they are set by its actions.",
                    model=self._debtor_model_label(), fields=self._debtor_labels(refused)))

    def _debtor_normalize(self, name, value):
        """``value`` of field ``name`` as comparable: falsy values alike, records as ids."""
        if isinstance(value, models.BaseModel):
            value = value.ids if self._fields[name].type in ("one2many", "many2many") else value.id
        return value or False

    def _debtor_hint(self, operation):
        """What to do instead of ``operation`` (``"create"``, ``"write"`` or ``"unlink"``) by hand: a sentence, or
        empty."""
        return ""

    def _debtor_model_label(self):
        """The model's name in the user's language."""
        return self.env["ir.model"]._get(self._name).name or self._description

    def _debtor_labels(self, names):
        return ", ".join(f'"{self._fields[name]._description_string(self.env)}"' for name in names)

    def _debtor_names(self):
        return ", ".join(self.mapped("display_name")[:5]) + (", ..." if len(self) > 5 else "")
