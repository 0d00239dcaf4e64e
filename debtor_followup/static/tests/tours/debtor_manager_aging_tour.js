import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A credit manager reads the receivables aging and drills into a bucket (prepared and checked by
 * tests/test_tours.py, TestManagerAgingTour).
 *
 * "Aging Tour Ltd" owes 300.00 not yet due, 500.00 ten days overdue, 700.00 forty-five days overdue and 900.00 a
 * hundred days overdue, all in follow-up.
 */

const CUSTOMER = "Aging Tour Ltd";

function fail(message) {
    throw new Error(message);
}

/** The pivot cell of the row ``rowLabel`` under the column header ``columnLabel`` (the cell below it). */
function pivotCell(rowLabel, columnLabel) {
    const header = [...document.querySelectorAll(".o_pivot thead th")].find(
        (th) => th.textContent.trim() === columnLabel
    );
    if (!header) {
        fail(`no column ${columnLabel} in the pivot`);
    }
    const row = [...document.querySelectorAll(".o_pivot tbody tr")].find(
        (tr) => tr.querySelector("th")?.textContent.trim() === rowLabel
    );
    if (!row) {
        fail(`no row ${rowLabel} in the pivot`);
    }
    const left = header.getBoundingClientRect().left;
    const cell = [...row.querySelectorAll("td")].find(
        (td) => Math.abs(td.getBoundingClientRect().left - left) < 2
    );
    if (!cell) {
        fail(`no cell of ${rowLabel} under ${columnLabel}`);
    }
    return cell;
}

registry.category("web_tour.tours").add("debtor_followup_manager_aging", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        {
            content: "Open the Debtors menu",
            trigger: '.o_main_navbar [data-menu-xmlid="debtor_followup.debtor_menu_root"]',
            run: "click",
        },
        {
            content: "Open the receivables aging",
            trigger: '.dropdown-item[data-menu-xmlid="debtor_followup.debtor_report_aging_menu"]',
            run: "click",
        },
        {
            content: "The aging opens as a pivot of the buckets",
            trigger: ".o_pivot_view .o_pivot thead th:contains(31-60 Days)",
        },
        {
            trigger: ".o_pivot thead th:contains(91-120 Days)",
        },
        {
            content: "Everything is in follow-up, 2,400.00 in all",
            trigger: ".o_pivot tbody tr:contains(In Follow-up) td:last-child:contains(2,400.00)",
        },
        {
            content: "Each bucket holds its invoice",
            trigger: ".o_pivot tbody tr:contains(In Follow-up)",
            run() {
                const expected = {
                    "Not Due": "300.00",
                    "1-30 Days": "500.00",
                    "31-60 Days": "700.00",
                    "91-120 Days": "900.00",
                };
                for (const [bucket, amount] of Object.entries(expected)) {
                    const text = pivotCell("In Follow-up", bucket).textContent;
                    if (!text.includes(amount)) {
                        fail(`bucket ${bucket} shows ${text.trim()}, not ${amount}`);
                    }
                }
            },
        },
        {
            content: "Drill into the 31-60 days bucket",
            trigger: ".o_pivot tbody tr:contains(In Follow-up) td:contains(700.00)",
            async run(helpers) {
                await helpers.click(pivotCell("In Follow-up", "31-60 Days"));
            },
        },
        {
            content: "The bucket's items are listed: the invoice forty-five days overdue only",
            trigger: `.o_list_view .o_data_row:contains(${CUSTOMER}) td[name=days_overdue]:contains(45)`,
            run({ queryAll }) {
                const rows = queryAll(".o_list_view .o_data_row");
                if (rows.length !== 1) {
                    fail(`the 31-60 days bucket lists ${rows.length} items, not 1`);
                }
                if (!rows[0].querySelector("td[name=amount_residual]").textContent.includes("700.00")) {
                    fail("the item listed is not the 700.00 invoice");
                }
            },
        },
        {
            content: "Back to the pivot through the breadcrumb",
            trigger: ".o_breadcrumb .o_back_button, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            trigger: ".o_pivot_view .o_pivot thead th:contains(31-60 Days)",
        },
    ],
});
