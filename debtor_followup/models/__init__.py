# The mixin first: Odoo registers models in the order their classes are defined, and the workflow models inherit
# it (account_move imports debtor_credit_check).
from . import debtor_workflow_mixin  # noqa: I001
from . import account_move
from . import account_move_line
from . import account_partial_reconcile
from . import debtor_credit_check
from . import debtor_customer
from . import debtor_customer_portal
from . import debtor_demo_generator
from . import debtor_dispute
from . import debtor_dispute_reason
from . import debtor_followup_action
from . import debtor_followup_action_portal
from . import debtor_followup_fee
from . import debtor_followup_level
from . import debtor_followup_policy
from . import debtor_followup_policy_portal
from . import debtor_followup_run
from . import debtor_handover
from . import debtor_handover_line
from . import debtor_payment_plan
from . import debtor_payment_plan_portal
from . import debtor_payment_plan_line
from . import debtor_portal_answer
from . import debtor_portal_hit
from . import debtor_promise
from . import debtor_reference_rate
from . import debtor_report_mixin
from . import ir_actions_report
from . import mail_notification
from . import mail_template
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_partner_bank
from . import res_groups
from . import res_users
