from . import debtor_followup_log, debtor_followup_send, debtor_promise_wizard
