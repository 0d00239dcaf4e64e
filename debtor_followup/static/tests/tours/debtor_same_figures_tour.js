import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * The same customer's figures on every screen (prepared and checked by tests/test_tours_ux.py, TestSameFiguresTour).
 *
 * "Figures Tour SA" owes partly paid, disputed and not yet due invoices and holds a credit note and an unused
 * payment. The tour reads its total due and overdue on the work queue, on its debtor file, on the statement
 * preview (the statement's HTML) and on the receivables aging and its drill-down, and fails if any differs.
 */

const CUSTOMER = "Figures Tour SA";
const seen = {};

function fail(message) {
    throw new Error(message);
}

/** "$ 1,500.00", "1,500.00 €", "−400.00" -> 1500, -400. */
function amount(text) {
    const cleaned = text.replace(/\u2212/g, "-").replace(/[^0-9.-]/g, "");
    if (!cleaned) {
        fail(`no amount in "${text}"`);
    }
    return Math.round(parseFloat(cleaned) * 100) / 100;
}

/** Record what ``screen`` shows and compare it with what the work queue showed. */
function see(screen, figures) {
    seen[screen] = figures;
    const queue = seen.queue;
    for (const [key, value] of Object.entries(figures)) {
        if (queue && key in queue && queue[key] !== value) {
            fail(
                `${screen} shows ${key} ${value}, the work queue ${queue[key]}: ${JSON.stringify(seen)}`
            );
        }
    }
}

registry.category("web_tour.tours").add("debtor_followup_same_figures", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            trigger: '.o_main_navbar [data-menu-xmlid="debtor_followup.debtor_menu_root"]',
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="debtor_followup.debtor_customer_menu"]',
            run: "click",
        },
        {
            content: "The work queue: the customer's total due and overdue",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=total_overdue]`,
            run({ anchor }) {
                const row = anchor.closest(".o_data_row");
                see("queue", {
                    due: amount(row.querySelector("td[name=total_due]").textContent),
                    overdue: amount(anchor.textContent),
                });
            },
        },
        {
            content: "Open the debtor file",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=partner_id]`,
            run: "click",
        },
        {
            content: "The debtor file: the same figures",
            trigger: ".o_form_view .o_field_widget[name=total_overdue]",
            run({ anchor }) {
                see("debtor file", {
                    due: amount(document.querySelector(".o_form_view .o_field_widget[name=total_due]").textContent),
                    overdue: amount(anchor.textContent),
                });
            },
        },
        {
            content: "The statement preview: its totals",
            trigger: ".o_form_view .o_field_widget[name=total_due]",
            async run() {
                const fileId = window.location.pathname.split("/").pop();
                const response = await fetch(`/report/html/debtor_followup.report_debtor_statement/${fileId}`);
                if (!response.ok) {
                    fail(`the statement preview answered ${response.status}`);
                }
                const doc = new DOMParser().parseFromString(await response.text(), "text/html");
                const cell = (css) => doc.querySelector(`tr.${css} td:nth-child(2)`);
                if (!cell("o_debtor_total_due") || !cell("o_debtor_total_overdue")) {
                    fail("the statement preview has no totals");
                }
                see("statement", {
                    due: amount(cell("o_debtor_total_due").textContent),
                    overdue: amount(cell("o_debtor_total_overdue").textContent),
                    owed: amount(cell("o_debtor_total_open").textContent),
                    credits: amount(cell("o_debtor_total_credits").textContent),
                });
                if (Math.round((seen.statement.owed + seen.statement.credits) * 100) / 100 !== seen.statement.due) {
                    fail(`the statement's totals do not add up: ${JSON.stringify(seen.statement)}`);
                }
            },
        },
        {
            content: "Open the receivables aging",
            trigger: '.o_main_navbar [data-menu-xmlid="debtor_followup.debtor_menu_root"]',
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="debtor_followup.debtor_report_aging_menu"]',
            run: "click",
        },
        {
            content: "The aging's grand total (the customer is the company's only one)",
            trigger: ".o_pivot_view .o_pivot tbody tr:first-child td:last-child",
            run({ anchor }) {
                see("aging", { due: amount(anchor.textContent) });
            },
        },
        {
            content: "Drill into the grand total",
            trigger: ".o_pivot_view .o_pivot tbody tr:first-child td:last-child",
            run: "click",
        },
        {
            content: "The drill-down lists the customer's items, their open amounts add up to the total due",
            trigger: `.o_list_view .o_data_row:contains(${CUSTOMER})`,
            run({ queryAll }) {
                const cells = queryAll(".o_list_view .o_data_row td[name=amount_residual]");
                const total = cells.reduce((sum, cell) => sum + amount(cell.textContent), 0);
                see("aging drill-down", { due: Math.round(total * 100) / 100 });
            },
        },
    ],
});
