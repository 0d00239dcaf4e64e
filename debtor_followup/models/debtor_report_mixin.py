from odoo import models


class DebtorReportMixin(models.AbstractModel):
    """What the SQL reports of Debtors › Reporting share: each is a query (``_report_query``) run whenever the report
    is read, never a stored table, so that its figures are those of the moment."""

    _name = "debtor.report.mixin"
    _description = "Debtor Report"

    @property
    def _table_query(self):
        # These queries are many joins and expressions over the receivable items. On a large database their planner
        # cost passes the threshold of PostgreSQL's JIT compiler, which then compiles them for longer than they take
        # to run (the DSO: 0.2 s of compiling for 0.1 s of running at 35,000 invoices). Off for this transaction.
        self.env.cr.execute("SET LOCAL jit = off")
        return self._report_query()

    def _report_query(self):
        """The SQL query of the report's rows (an ``SQL`` object), one column per stored field plus ``id``."""
        raise NotImplementedError
