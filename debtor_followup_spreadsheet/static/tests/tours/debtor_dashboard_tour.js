import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A credit manager opens the Debtors dashboard in Odoo's Dashboards app and drills into the aging chart
 * (prepared and checked by tests/test_dashboard.py, TestDashboardTour).
 *
 * "Dashboard Tour Ltd" owes 300.00 not yet due, 500.00 ten days overdue, 700.00 forty-five days overdue and
 * 900.00 a hundred days overdue.
 */

// the charts of the first row (the lower ones are drawn as they scroll into view)
const CHARTS = ["debtor_chart_aging", "debtor_chart_overdue_trend"];

function fail(message) {
    throw new Error(message);
}

/** The Chart.js chart drawn in the dashboard figure ``figureId``. */
function chartOf(figureId) {
    const canvas = document.querySelector(`.o-figure[data-id="${figureId}"] canvas`);
    const chart = canvas && window.Chart?.getChart(canvas);
    if (!chart) {
        fail(`no chart drawn for ${figureId}`);
    }
    return chart;
}

/** The chart of ``figureId`` once its data has come from the server (its first dataset has values). */
async function loadedChart(figureId) {
    for (let attempt = 0; attempt < 100; attempt++) {
        const canvas = document.querySelector(`.o-figure[data-id="${figureId}"] canvas`);
        const chart = canvas && window.Chart?.getChart(canvas);
        if (chart?.data.datasets[0]?.data.length) {
            return chart;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    fail(`the chart ${figureId} shows no data`);
}

registry.category("web_tour.tours").add("debtor_followup_spreadsheet_dashboard", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("spreadsheet_dashboard.spreadsheet_dashboard_menu_root", "Open Dashboards"),
        {
            content: "Open the Debtors dashboard",
            trigger: ".o_spreadsheet_dashboard_search_panel .o_search_panel_category_value:contains(Debtors)",
            run: "click",
        },
        {
            content: "The Debtors dashboard is shown",
            trigger: ".o_search_panel_category_value.active:contains(Debtors)",
        },
        {
            content: "Its four key figures are drawn",
            trigger: ".o-figure[data-id=debtor_kpi_customers] canvas.o-scorecard",
            run({ queryAll }) {
                const cards = queryAll(".o-figure canvas.o-scorecard");
                if (cards.length !== 4) {
                    fail(`${cards.length} key figures, not 4`);
                }
            },
        },
        {
            content: "The charts of the first row are drawn",
            trigger: ".o-figure[data-id=debtor_chart_overdue_trend] canvas",
            run() {
                for (const figureId of CHARTS) {
                    chartOf(figureId);
                }
            },
        },
        {
            content: "The overdue trend has last night's figures",
            trigger: ".o-figure[data-id=debtor_chart_overdue_trend] canvas",
            async run() {
                const values = (await loadedChart("debtor_chart_overdue_trend")).data.datasets[0].data.map(Number);
                if (values.at(-1) !== 2100) {
                    fail(`overdue at month-end: ${values.join(", ")}, not 2,100.00 last`);
                }
            },
        },
        {
            content: "The aging chart shows the buckets in order, with the customer's amounts",
            trigger: ".o-figure[data-id=debtor_chart_aging] canvas",
            async run() {
                const chart = await loadedChart("debtor_chart_aging");
                const labels = chart.data.labels.map(String);
                const expected = ["Not Due", "1-30 Days", "31-60 Days", "91-120 Days"];
                if (labels.join("|") !== expected.join("|")) {
                    fail(`aging buckets: ${labels.join(", ")}`);
                }
                const values = chart.data.datasets[0].data.map(Number);
                if (values.join("|") !== [300, 500, 700, 900].join("|")) {
                    fail(`aging amounts: ${values.join(", ")}`);
                }
            },
        },
        {
            content: "Drill into the 31-60 days bar",
            trigger: ".o-figure[data-id=debtor_chart_aging] canvas",
            async run() {
                const chart = await loadedChart("debtor_chart_aging");
                const index = chart.data.labels.map(String).indexOf("31-60 Days");
                const bar = chart.getDatasetMeta(0).data[index];
                const rect = chart.canvas.getBoundingClientRect();
                const point = {
                    clientX: rect.left + bar.x,
                    clientY: rect.top + (bar.y + bar.base) / 2,
                    bubbles: true,
                    // as a real click is: the drill-down cancels it, so the chart's menu link does not
                    // open a second action (Odoo's chartOdooMenuPlugin checks defaultPrevented)
                    cancelable: true,
                };
                chart.canvas.dispatchEvent(new MouseEvent("mousemove", point));
                chart.canvas.dispatchEvent(new MouseEvent("click", point));
            },
        },
        {
            content: "The bucket's items are listed: the invoice forty-five days overdue only",
            trigger: ".o_list_view .o_data_row:contains(Dashboard Tour Ltd) td[name=days_overdue]:contains(45)",
            run({ queryAll }) {
                const rows = queryAll(".o_list_view .o_data_row");
                if (rows.length !== 1) {
                    fail(`the 31-60 days bar lists ${rows.length} items, not 1`);
                }
                if (!rows[0].querySelector("td[name=amount_residual]").textContent.includes("700.00")) {
                    fail("the item listed is not the 700.00 invoice");
                }
            },
        },
        {
            content: "Back to the dashboard through the breadcrumb",
            trigger: ".o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "The dashboard is back with its aging chart",
            trigger: ".o-figure[data-id=debtor_chart_aging] canvas",
            async run() {
                await loadedChart("debtor_chart_aging");
            },
        },
    ],
});
