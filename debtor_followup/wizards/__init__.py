from . import base_partner_merge_automatic_wizard
from . import debtor_credit_report_import
from . import debtor_followup_log
from . import debtor_followup_send
from . import debtor_handover_wizard
from . import debtor_payment_plan_wizard
from . import debtor_promise_wizard
