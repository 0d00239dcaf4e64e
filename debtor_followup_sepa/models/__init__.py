from . import account_bank_statement_line
from . import account_payment
from . import account_payment_line
from . import account_payment_order
from . import debtor_payment_plan
from . import debtor_payment_plan_line
from . import res_company
from . import res_config_settings

