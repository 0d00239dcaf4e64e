"""What the addon costs Odoo's own daily flows (prints figures; it asserts nothing).

Two fresh databases, one with ``account`` alone and one with ``debtor_followup`` (which depends on it), each built
once from a template kept between runs. In each, the same work is done the way people do it, one document per
transaction (each committed, so the hooks that run at commit are measured too):

* create N customer invoices (two lines, a tax), one by one;
* post them, one by one;
* register a payment on each, one by one (half of them in full, half in part).

It prints the time of each flow in both databases and what the addon adds, in per cent. The databases are dropped at
the end (the templates are kept).

Usage (through the dev script, which passes the Odoo path and config):
    ./dev bench-flows [--invoices N] [--rounds N]
"""

import argparse
import statistics
import subprocess
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--odoo-path", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--invoices", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3, help="repetitions; the median is printed")
    parser.add_argument("--warmup", type=int, default=20,
                        help="invoices created, posted and paid untimed first in each round (0: none)")
    return parser.parse_args()


def psql(sql, db="postgres"):
    return subprocess.run(["psql", "-d", db, "-tAc", sql], capture_output=True, text=True, check=True).stdout.strip()


def ensure_template(args, name, module):
    """A database with ``module`` installed (no demo data), built once and updated to the code at each call."""
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and module == "account":
        return
    print(f"{'updating' if exists else 'building'} the template {name} ({module})", flush=True)
    subprocess.run([sys.executable, f"{args.odoo_path}/odoo-bin", "-c", args.conf, "-d", name,
                    "-u" if exists else "-i", module, "--without-demo=all", "--stop-after-init", "--log-level=warn"],
                   check=True)


def run_flows(odoo, db, count, warmup=0):
    """Create, post and pay ``count`` invoices in ``db``, one per transaction; the seconds of each flow.

    ``warmup`` invoices go through the three flows first, untimed: a new registry builds its caches (the ORM's
    trigger trees, the compiled views and rules) on its first documents, once per server process; the timed
    ones measure a server that runs.
    """
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partners = env["res.partner"].create([
            {"name": f"Flow Customer {index}", "is_company": True, "email": f"ap{index}@flow.example.com"}
            for index in range(max(count // 10, 1))]).ids
        tax = env["account.tax"].search([("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")], limit=1)
        product = env["product.product"].create({"name": "Consulting", "list_price": 100.0}).id
        uid = env.ref("base.user_admin").id

    def timed(work, number=count):
        started = time.perf_counter()
        results = []
        for index in range(number):
            with registry.cursor() as cr:  # one transaction each, committed like a request
                env = odoo.api.Environment(cr, uid, {})
                results.append(work(env, index))
        return time.perf_counter() - started, results

    def create(env, index):
        return env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partners[index % len(partners)],
            "invoice_date": "2026-01-15",
            "invoice_line_ids": [
                odoo.Command.create({"product_id": product, "quantity": 2, "price_unit": 100.0,
                                     "tax_ids": [odoo.Command.set(tax.ids)]}),
                odoo.Command.create({"name": "Travel", "quantity": 1, "price_unit": 50.0 + index,
                                     "tax_ids": [odoo.Command.set(tax.ids)]}),
            ],
        }).id

    def pay(env, index):
        move = env["account.move"].browse(move_ids[index])
        amount = move.amount_total if index % 2 else round(move.amount_total / 2, 2)
        env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"amount": amount, "payment_date": "2026-02-01"})._create_payments()

    if warmup:
        _seconds, move_ids = timed(create, warmup)
        timed(lambda env, index: env["account.move"].browse(move_ids[index]).action_post(), warmup)
        timed(pay, warmup)
    create_s, move_ids = timed(create)
    post_s, _ = timed(lambda env, index: env["account.move"].browse(move_ids[index]).action_post())

    pay_s, _ = timed(pay)
    figures = {"create": create_s, "post": post_s, "pay": pay_s}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "debtor.customer.refresh" in env:
            # what the flows left to the refresh cron (debtor files of the customers they touched), timed too
            started = time.perf_counter()
            env["debtor.customer"]._cron_process_refresh_queue()
            figures["queued refresh"] = time.perf_counter() - started
    odoo.modules.registry.Registry.delete(db)
    odoo.sql_db.close_db(db)
    return figures


def main():
    args = parse_args()
    sys.path.insert(0, args.odoo_path)
    import odoo  # Odoo is found through --odoo-path
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "--log-level=warn"])
    setups = [("account alone", "debtor_flows_tmpl_account", "account"),
              ("with debtor_followup", "debtor_flows_tmpl_debtor", "debtor_followup")]
    for _label, template, module in setups:
        ensure_template(args, template, module)
    # the two setups alternate round by round, so that a load on the machine weighs on both alike
    rounds = {label: [] for label, _template, _module in setups}
    for round_number in range(args.rounds):
        for label, template, _module in setups:
            db = f"{template}_run"
            psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            psql(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
            try:
                rounds[label].append(run_flows(odoo, db, args.invoices, args.warmup))
            finally:
                psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            print(f"{label}, round {round_number + 1}: "
                  + ", ".join(f"{flow} {seconds:.2f} s" for flow, seconds in rounds[label][-1].items()), flush=True)
    figures = {label: {flow: statistics.median(r[flow] for r in runs) for flow in runs[0]}
               for label, runs in rounds.items()}

    base, addon = (figures[label] for label, _template, _module in setups)
    print(f"\n{args.invoices} invoices, one per transaction, after {args.warmup} untimed, "
          f"median of {args.rounds} rounds:")
    print(f"{'flow':<10}{'account alone':>16}{'with the addon':>17}{'added':>9}")
    for flow in base:
        per_doc = 1000 / args.invoices
        print(f"{flow:<10}{base[flow] * per_doc:>13.1f} ms{addon[flow] * per_doc:>14.1f} ms"
              f"{(addon[flow] / base[flow] - 1) * 100:>8.0f}%")
    if "queued refresh" in addon:
        print(f"\nleft to the refresh cron (the debtor files of the {args.invoices // 10} customers, refreshed once "
              f"after the flows): {addon['queued refresh'] * 1000:.0f} ms in all")


if __name__ == "__main__":
    main()
