from . import (
    account_move,
    account_move_line,
    account_partial_reconcile,
    debtor_customer,
    debtor_demo_generator,
    debtor_followup_action,
    debtor_followup_level,
    debtor_followup_policy,
    debtor_followup_run,
    debtor_promise,
    res_company,
    res_partner,
)
