from . import test_bank_statement
from . import test_direct_debit
