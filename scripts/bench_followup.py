"""Benchmark of the nightly follow-up run (prints figures; it asserts nothing).

Builds once a database with the demo generator (default 10,000 customers and 100,000 invoices), then measures, so
that every call measures the same data:

* one plain SQL aggregate over the open receivable lines (the floor any follow-up must read);
* the follow-up run of the company: wall time, SQL queries, peak memory (RSS growth), the time spent rendering the
  reminder emails and the time spent making documents (statements, invoice PDFs, letters), with the emails queued
  (not delivered);
* then the time to open each manager report (``bench_reports.py``), target under a second each.

The run is measured twice: with the **shipped defaults** (the *Standard* policy as installed: statements and invoice
PDFs attached, the final notice printed as a letter) and without any document. The invoices' PDFs the first
measurement keeps are rolled back with it, so both start from the same database.

By default the run is measured as Odoo runs it with its default two cron workers in its multi-process server: the
nightly job and one extra worker, each a process, on a copy of the database (``bench_workers.py``).
``--workers 1`` measures the run alone in one rolled-back transaction, with its SQL queries, rendering time and
memory.

Usage (through the dev script, which passes the Odoo path and config):
    ./dev bench [--customers N] [--invoices N] [--db NAME] [--rebuild] [--documents both|shipped|none]
                [--workers N] [--profile FILE]
"""

import argparse
import cProfile
import datetime
import resource
import subprocess
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--odoo-path", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", default="debtor_bench")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5_000, help="invoices generated per committed chunk")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--documents", choices=["both", "shipped", "none"], default="both",
                        help="measure the run with the shipped documents, without any, or both (default)")
    parser.add_argument("--http-port", type=int, default=8290,
                        help="port of the HTTP server started for wkhtmltopdf to read the documents' styles, as in "
                             "production (0: none)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run to FILE (pstats format)")
    parser.add_argument("--workers", type=int, default=2,
                        help="cron workers sharing the run, each a process as in Odoo's multi-process server "
                             "(default 2, Odoo's default --max-cron-threads); 1: the run alone, measured in one "
                             "transaction rolled back, with its SQL queries and rendering time (bench_workers.py)")
    parser.add_argument("--helper", type=int, help=argparse.SUPPRESS)  # an extra worker's process (bench_workers.py)
    return parser.parse_args()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def db_exists(name):
    out = subprocess.run(["psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip() == "1"


def build(args, odoo):
    """Install the addon and generate the data, committing chunk by chunk."""
    if args.rebuild and db_exists(args.db):
        subprocess.run(["dropdb", args.db], check=True)
    exists = db_exists(args.db)
    print(f"{'updating' if exists else 'installing'} debtor_followup in {args.db}", flush=True)
    subprocess.run([sys.executable, f"{args.odoo_path}/odoo-bin", "-c", args.conf, "-d", args.db,
                    "-u" if exists else "-i", "debtor_followup", "--without-demo=all", "--stop-after-init",
                    "--log-level=warn"], check=True)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        done = int(env["ir.config_parameter"].get_param("debtor_bench.invoices", 0))
        if done >= args.invoices:
            return registry
        print(f"generating {args.customers} customers and {args.invoices} invoices ({done} done)", flush=True)
        chunks = max(1, args.invoices // args.chunk)
        per_chunk_customers = max(1, args.customers // chunks)
        started = time.monotonic()
        for index in range(done // args.chunk, chunks):
            env["debtor.demo.generator"].generate(
                customers=per_chunk_customers, invoices=args.chunk, seed=1000 + index)
            env["ir.config_parameter"].set_param("debtor_bench.invoices", (index + 1) * args.chunk)
            cr.commit()
            env.invalidate_all()
            print(f"  {(index + 1) * args.chunk} invoices in {time.monotonic() - started:.0f}s", flush=True)
    return registry


def measure(args, odoo, registry, documents, reports=True):
    from odoo.tools import SQL

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.company
        Run = env["debtor.followup.run"]
        Customer = env["debtor.customer"]
        run_class = type(Run)
        customer_class = type(Customer)
        # keep the measured transaction open: it is rolled back below
        run_class._commit_batch = lambda self, processed, remaining: float("inf")
        if not documents:
            env["debtor.followup.level"].search([]).write(
                {"attach_statement": False, "attach_invoices": False, "print_letter": False})
        render_time = [0.0]
        document_time = [0.0]
        report_class = type(env["ir.actions.report"])
        originals = {}

        def timed(cls, name, bucket):
            original = originals[(cls, name)] = getattr(cls, name)

            def wrapper(self, *args, **kwargs):
                started = time.monotonic()
                try:
                    return original(self, *args, **kwargs)
                finally:
                    bucket[0] += time.monotonic() - started

            setattr(cls, name, wrapper)

        timed(customer_class, "_render_reminders", render_time)
        timed(report_class, "_debtor_render_split", document_time)
        env.flush_all()

        open_lines = env["account.move.line"].search_count(Customer._open_lines_domain(company))
        started = time.monotonic()
        cr.execute(SQL("""
            SELECT line.partner_id, SUM(line.amount_residual), MIN(line.date_maturity), COUNT(*)
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
             WHERE line.company_id = %s AND account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted' AND NOT line.reconciled
          GROUP BY line.partner_id""", company.id))
        partners = len(cr.fetchall())
        baseline = time.monotonic() - started

        prepared, prepare_time = 0, 0.0
        if documents:
            # during the day before the night, the refresh cron has brought the files up to date and the preparing
            # cron has made the PDFs of the invoices the night's reminders attach (none exist in the generated data:
            # a first night)
            Customer._refresh(company)
            started = time.monotonic()
            missing = Customer._invoices_to_prepare(company, odoo.fields.Date.context_today(Customer)
                                                    + datetime.timedelta(days=1))
            prepared = len(missing)
            Customer._cron_prepare_invoice_pdfs()
            env.flush_all()
            prepare_time = time.monotonic() - started
            document_time[0] = 0.0

        queries_before = cr.sql_log_count
        rss_before = rss_mb()
        started = time.monotonic()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        run = Run._get_or_start_run(company, odoo.fields.Date.context_today(Run), trigger="manual")
        run._execute()
        env.flush_all()
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        wall = time.monotonic() - started
        queries = cr.sql_log_count - queries_before
        rss_growth = rss_mb() - rss_before
        mails = env["mail.mail"].search_count([("state", "=", "outgoing")])
        batches = -(-run.customer_count // 100)

        for (cls, name), original in originals.items():
            setattr(cls, name, original)

        print()
        print(f"=== documents: {'shipped defaults (statements, invoice PDFs, letters)' if documents else 'none'}")
        print(f"database                    {args.db}")
        print(f"open receivable lines       {open_lines}")
        print(f"customers with open items   {partners}")
        print(f"SQL aggregate (baseline)    {baseline * 1000:.1f} ms")
        print(f"run: customers due          {run.customer_count}")
        print(f"run: actions done / failed  {run.done_count} / {run.failed_count}")
        print(f"run: emails queued          {mails}")
        print(f"run: batches of 100         {batches}")
        if documents:
            print(f"day before: invoice PDFs    {prepared} made ahead by the preparing cron in {prepare_time:.1f} s "
                  f"(a first night; once made, an invoice's PDF is reused by every reminder)")
        print(f"run: wall time              {wall:.2f} s")
        print(f"run: mail rendering         {render_time[0]:.2f} s")
        print(f"run: documents (PDF)        {document_time[0]:.2f} s")
        print(f"run: SQL queries            {queries}  ({queries / max(batches, 1):.0f} per batch, "
              f"{queries / max(run.customer_count, 1):.1f} per customer due, "
              f"{queries / max(open_lines, 1):.3f} per open line)")
        print(f"run: peak memory growth     {rss_growth:.0f} MB (process peak {rss_mb():.0f} MB)")
        overhead = wall - render_time[0]
        print(f"run: time besides rendering {overhead:.2f} s  ({overhead / max(baseline, 1e-9):.0f} x the baseline)")
        budget = 10 * baseline + render_time[0]
        print(f"target: wall <= 10 x baseline + rendering = {budget:.2f} s -> "
              f"{'met' if wall <= budget else 'NOT met'} ({wall / budget:.1f} x the budget)")
        wide = 10 * (baseline + render_time[0])
        print(f"        wall <= 10 x (baseline + rendering) = {wide:.2f} s -> "
              f"{'met' if wall <= wide else 'NOT met'} ({wall / wide:.2f} x)")
        print(f"target: queries grow with batches, not invoices: {queries / max(batches, 1):.0f} per batch of 100, "
              f"{queries / max(open_lines, 1):.3f} per open line")

        # --- manager reports: time to open each one (scripts/bench_reports.py), after the run above ---
        if reports:
            from bench_reports import print_timings
            from bench_reports import time_reports

            print_timings(time_reports(env))
        cr.rollback()


def main():
    args = parse_args()
    sys.path.insert(0, args.odoo_path)
    # odoo is importable only once its path is known
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    if args.helper:
        from bench_workers import helper

        helper(args, odoo)
        return
    registry = build(args, odoo)
    if args.http_port and args.documents != "none":
        config["http_port"] = args.http_port
        config["http_interface"] = "127.0.0.1"
        config["db_name"] = [args.db]
        config["dbfilter"] = f"^{args.db}$"
        odoo.service.server.ThreadedServer(odoo.http.root).http_spawn()
        # build the report asset bundles in a transaction of their own, as a running server has them: built inside
        # the measured transaction, they would keep the server's requests for them waiting until it ends
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{args.http_port}")
            sample = env["debtor.customer"].search([], limit=1)
            env["ir.actions.report"]._render_qweb_pdf("debtor_followup.action_report_debtor_statement", sample.ids)
    if args.workers > 1:
        from bench_workers import measure_with_workers

        if args.documents in ("both", "shipped"):
            measure_with_workers(args, odoo, documents=True, reports=args.documents == "shipped")
        if args.documents in ("both", "none"):
            measure_with_workers(args, odoo, documents=False)
        return
    if args.documents in ("both", "shipped"):
        measure(args, odoo, registry, documents=True, reports=args.documents == "shipped")
    if args.documents in ("both", "none"):
        measure(args, odoo, registry, documents=False)


if __name__ == "__main__":
    main()
