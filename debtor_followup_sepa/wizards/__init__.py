from . import account_statement_import
from . import account_statement_import_camt_parser
