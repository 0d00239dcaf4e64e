"""The nightly run measured as Odoo runs it, with several cron workers (``bench_followup.py --workers N``).

Odoo's multi-process server (``--workers`` > 0) runs each cron worker in a process of its own, ``--max-cron-threads``
of them (default 2). Here the nightly job runs in this process through Odoo's own cron machinery
(``ir.cron.method_direct_trigger``: the job's cursor, its time slices and progress commits, called again while it
reports work left, as the cron worker would) and each extra worker is a process of its own that, like a cron worker,
calls its *extra worker* job as soon as the run has committed its selection. The run commits batch by batch, so it
is measured on a copy of the benchmark database (``<db>_workers``), dropped afterwards.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import time

RUN_CRON = "debtor_followup.ir_cron_debtor_followup_run"
WORKER_CRON = "debtor_followup.ir_cron_debtor_followup_worker_%s"
PREPARE_CRON = "debtor_followup.ir_cron_debtor_prepare_documents"


def _env(odoo, cr):
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def _count_batches(registry):
    """Count the batches with customers that this process executes; return the count (a one-item list) and the
    original method, to put back."""
    run_class = registry["debtor.followup.run"]
    original = run_class._execute_batch
    batches = [0]

    def counted(self, batch):
        batches[0] += bool(batch)
        return original(self, batch)

    run_class._execute_batch = counted
    return batches, original


def helper(args, odoo):
    """An extra cron worker: wait for the run's selection, call the extra worker job while batches are left, then
    print how many batches this process executed."""
    registry = odoo.modules.registry.Registry(args.db)
    batches, _original = _count_batches(registry)
    deadline = time.monotonic() + 4 * 3600
    while time.monotonic() < deadline:
        with registry.cursor() as cr:
            env = _env(odoo, cr)
            runs = env["debtor.followup.run"].search([("state", "in", ("running", "done", "failed"))])
            if any(run.state in ("done", "failed") for run in runs):
                break
            running = runs.filtered(lambda run: run.state == "running" and run.batch_customer_ids)
            if running and any(run._selection_left() for run in running):
                env.ref(WORKER_CRON % args.helper).method_direct_trigger()
                continue
        time.sleep(0.1)
    print(json.dumps({"worker": args.helper, "batches": batches[0]}), flush=True)


def measure_with_workers(args, odoo, documents, reports=True):
    """The run of the copy's company by ``args.workers`` cron workers; prints what ``measure`` prints (without the
    query count and rendering time, which are spread over the processes)."""
    from odoo.tools import SQL
    from odoo.tools import config

    copy = f"{args.db}_workers"
    odoo.sql_db.close_db(args.db)  # a database is copied only while nobody is connected to it
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", "-T", args.db, copy], check=True)
    config["db_name"] = [copy]
    config["dbfilter"] = f"^{copy}$"
    helpers = []
    try:
        registry = odoo.modules.registry.Registry(copy)
        with registry.cursor() as cr:
            env = _env(odoo, cr)
            company = env.company
            Customer = env["debtor.customer"]
            # the copy has the rows of the report styles but not their files (the filestore is per database)
            cr.execute(SQL("DELETE FROM ir_attachment WHERE url LIKE %s", "/web/assets/%"))
            if not documents:
                env["debtor.followup.level"].search([]).write(
                    {"attach_statement": False, "attach_invoices": False, "print_letter": False})
            open_lines = env["account.move.line"].search_count(Customer._open_lines_domain(company))
            if documents:
                # the day before: the refresh cron has brought the files up to date
                Customer._refresh(company)
        prepared, prepare_time = 0, 0.0
        if documents:
            with registry.cursor() as cr:
                env = _env(odoo, cr)
                env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{args.http_port}")
                sample = env["debtor.customer"].search([], limit=1)
                env["ir.actions.report"]._render_qweb_pdf("debtor_followup.action_report_debtor_statement",
                                                          sample.ids)
            with registry.cursor() as cr:
                env = _env(odoo, cr)
                tomorrow = odoo.fields.Date.context_today(env["debtor.customer"]) + datetime.timedelta(days=1)
                prepared = len(env["debtor.customer"]._invoices_to_prepare(env.company, tomorrow))
            started = time.monotonic()
            while True:  # the preparing cron, called again while it reports work left
                with registry.cursor() as cr:
                    env = _env(odoo, cr)
                    env.ref(PREPARE_CRON).method_direct_trigger()
                with registry.cursor() as cr:
                    env = _env(odoo, cr)
                    if not env["debtor.customer"]._invoices_to_prepare(env.company, tomorrow):
                        break
            prepare_time = time.monotonic() - started

        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_followup.py")
        for number in range(2, args.workers + 1):
            helpers.append(subprocess.Popen(
                [sys.executable, script, "--odoo-path", args.odoo_path, "--conf", args.conf, "--db", copy,
                 "--helper", str(number), "--http-port", str(args.http_port)],
                stdout=subprocess.PIPE, text=True))
        time.sleep(2)  # the extra workers have loaded their registry, as running servers have
        batches, original = _count_batches(registry)
        started = time.monotonic()
        calls = 0
        while True:  # the nightly job, called again while it reports work left (as Odoo's cron worker does)
            calls += 1
            with registry.cursor() as cr:
                _env(odoo, cr).ref(RUN_CRON).method_direct_trigger()
            with registry.cursor() as cr:
                run = _env(odoo, cr)["debtor.followup.run"].search([], limit=1, order="id desc")
                if run.state != "running":
                    break
        wall = time.monotonic() - started
        registry["debtor.followup.run"]._execute_batch = original
        others = [json.loads(process.communicate(timeout=600)[0].strip().splitlines()[-1]) for process in helpers]
        helpers = []
        with registry.cursor() as cr:
            env = _env(odoo, cr)
            run = env["debtor.followup.run"].search([], limit=1, order="id desc")
            mails = env["mail.mail"].search_count([("state", "=", "outgoing")])
            print()
            print(f"=== documents: {'shipped defaults (statements, invoice PDFs, letters)' if documents else 'none'}"
                  f", {args.workers} cron workers")
            print(f"database                    {copy} (a copy of {args.db}, dropped afterwards)")
            print(f"open receivable lines       {open_lines}")
            print(f"run: customers due          {run.customer_count}")
            print(f"run: actions done / failed  {run.done_count} / {run.failed_count}")
            print(f"run: emails queued          {mails}")
            print(f"run: cron workers           {args.workers} processes: the nightly job "
                  f"({calls} calls of its cron job) and {args.workers - 1} extra worker(s); batches executed: "
                  + " / ".join(str(count) for count in [batches[0]] + [other["batches"] for other in others]))
            if documents:
                print(f"day before: invoice PDFs    {prepared} made ahead by the preparing cron in "
                      f"{prepare_time:.1f} s")
            print(f"run: wall time              {wall:.2f} s (from the nightly job's start to its run's end)")
            print(f"run: state                  {run.state}")
            print(f"load average (1, 5, 15 min) {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
            if reports:
                from bench_reports import print_timings
                from bench_reports import time_reports

                print_timings(time_reports(env))
    finally:
        for process in helpers:
            process.kill()
        odoo.sql_db.close_db(copy)
        odoo.modules.registry.Registry.delete(copy)
        subprocess.run(["dropdb", "--if-exists", copy], check=False)
        shutil.rmtree(config.filestore(copy), ignore_errors=True)
        config["db_name"] = [args.db]
        config["dbfilter"] = f"^{args.db}$"
