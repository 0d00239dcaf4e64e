import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A credit controller's day (prepared and checked by tests/test_tours.py, TestControllerTour).
 *
 * "Tour Debtor SA" has three invoices ten days overdue: 1,200.00 (the promise will cover it), 450.00 (to be
 * disputed) and 1,000.00 (to be paid in three installments). Every step checks what the controller sees before acting.
 */

const CUSTOMER = "Tour Debtor SA";
// The invoice numbers, read from the debtor file and looked for in the preview and on the invoice.
const invoiceNames = {};

function fail(message) {
    throw new Error(message);
}

function openWorkQueue() {
    return [
        {
            content: "Open the Debtors menu",
            trigger: '.o_main_navbar [data-menu-xmlid="debtor_followup.debtor_menu_root"]',
            run: "click",
        },
        {
            content: "Open the work queue",
            trigger: '.dropdown-item[data-menu-xmlid="debtor_followup.debtor_customer_menu"]',
            run: "click",
        },
        {
            content: "The work queue is shown",
            trigger: ".o_list_view .o_breadcrumb:contains(Work Queue)",
        },
    ];
}

/**
 * The status bar of a form shows ``label`` as the current state: the current button, or, when the bar is folded
 * for lack of room, the label of its dropdown.
 */
function currentState(field, label) {
    const bar = `.o_form_view .o_field_widget[name=${field}]`;
    return (
        `${bar} button.o_arrow_button_current:contains(${label}), ` +
        `${bar} button.dropdown-toggle:not(.o_arrow_button):contains(${label})`
    );
}

function rememberInvoice(key, amount) {
    return {
        content: `The open items show the invoice of ${amount}`,
        trigger: `.o_field_widget[name=line_ids] .o_data_row:contains(${amount}) td[name=move_id]`,
        run({ anchor }) {
            invoiceNames[key] = anchor.textContent.trim();
            if (!invoiceNames[key].startsWith("INV/")) {
                fail(`the open item of ${amount} shows no invoice number: "${invoiceNames[key]}"`);
            }
        },
    };
}

registry.category("web_tour.tours").add("debtor_followup_controller_day", {
    url: "/odoo",
    steps: () => [
        // ----- the work queue --------------------------------------------------------------------------------
        ...stepUtils.goToAppSteps("account.menu_finance", "Open Invoicing"),
        ...openWorkQueue(),
        {
            content: "The customer needs action today",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=status]:contains(Needs action)`,
        },
        {
            content: "Its next level is the first reminder",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=due_level_id]:contains(First reminder)`,
        },
        {
            content: "Its three invoices are overdue",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=total_overdue]:contains(2,650.00)`,
        },
        {
            content: "Open the customer",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=partner_id]`,
            run: "click",
        },

        // ----- the debtor file ---------------------------------------------------------------------------------
        {
            content: "The debtor file says it needs action",
            trigger: currentState("status", "Needs action"),
        },
        {
            content: "The first reminder is due",
            trigger: ".o_field_widget[name=due_level_id]:contains(First reminder)",
        },
        {
            content: "The total overdue is shown",
            trigger: ".o_field_widget[name=total_overdue]:contains(2,650.00)",
        },
        {
            content: "Look at the open items",
            trigger: ".o_notebook .nav-link:contains(Open Items)",
            run: "click",
        },
        rememberInvoice("promised", "1,200.00"),
        rememberInvoice("disputed", "450.00"),
        rememberInvoice("planned", "1,000.00"),

        // ----- preview and send the reminder -------------------------------------------------------------------
        {
            content: "Preview the reminder",
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary:contains(Send Reminder)",
            run: "click",
        },
        {
            content: "The preview is of the first reminder",
            trigger: ".modal .o_field_widget[name=level_id] input:value(First reminder)",
        },
        {
            content: "It goes to the customer's address",
            trigger: ".modal .o_field_widget[name=recipients]:contains(ap@tourdebtor.example.com)",
        },
        {
            content: "Its subject is a payment reminder",
            trigger: ".modal .o_field_widget[name=subject]:contains(payment reminder)",
        },
        {
            content: "It lists the three invoices",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:eq(2)",
        },
        {
            content: "The email shows the invoice numbers and amounts, and their total",
            trigger: ".modal .o_field_widget[name=body]:contains(Dear Tour Debtor SA):contains(2,650.00)",
            run({ anchor }) {
                const text = anchor.textContent;
                for (const [key, name] of Object.entries(invoiceNames)) {
                    if (!text.includes(name)) {
                        fail(`the preview does not show the ${key} invoice ${name}`);
                    }
                }
                for (const amount of ["1,200.00", "450.00", "1,000.00"]) {
                    if (!text.includes(amount)) {
                        fail(`the preview does not show the amount ${amount}`);
                    }
                }
            },
        },
        {
            content: "Send it",
            trigger: ".modal .modal-footer button[name=action_send]",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The customer no longer needs action today",
            trigger: currentState("status", "Overdue"),
        },
        {
            content: "Its current level is the first reminder",
            trigger: ".o_field_widget[name=level_id]:contains(First reminder)",
        },
        {
            content: "The history shows the reminder",
            trigger: ".o_notebook .nav-link:contains(History)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=action_ids] .o_data_row:contains(First reminder)",
        },

        {
            content: "The chatter of the debtor file is on the page",
            trigger: ".o_form_view .o-mail-Chatter",
        },

        // ----- a call: the customer promises to pay the first invoice ------------------------------------------
        {
            content: "Log the call",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Log a Call)",
            run: "click",
        },
        {
            content: "Choose the outcome of the call",
            trigger: ".modal .o_field_widget[name=outcome] .o_select_menu input, .modal .o_field_widget[name=outcome] .o_select_menu_toggler",
            run: "click",
        },
        {
            content: "The customer promised to pay",
            trigger: ".o_select_menu_menu .o_select_menu_item:contains(Promised to pay)",
            run: "click",
        },
        {
            content: "Saving goes on to the promise",
            trigger: ".modal .modal-footer button:contains(Save and Record the Promise)",
            run: "click",
        },
        {
            content: "The promise wizard opens",
            trigger: ".modal .o_field_widget[name=date] input",
        },
        {
            content: "The promise covers the three overdue invoices at first",
            trigger: ".modal .o_field_widget[name=amount] input:value(2,650.00)",
        },
        {
            content: "The customer promises to pay the 1,200.00 invoice only: remove the 450.00 one",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(450.00) .o_list_record_remove button",
            run: "click",
        },
        {
            content: "and the 1,000.00 one",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(1,000.00) .o_list_record_remove button",
            run: "click",
        },
        {
            content: "The promised amount follows the items covered",
            trigger: ".modal .o_field_widget[name=amount] input:value(1,200.00)",
        },
        {
            content: "Promised for a week from today",
            trigger: ".modal .o_field_widget[name=date] input",
            run: `edit ${luxon.DateTime.now().plus({ days: 7 }).toFormat("MM/dd/yyyy")}`,
        },
        {
            content: "Leave the date field (the date picker closes)",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "click",
        },
        {
            content: "Record the promise",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The promise is listed on the debtor file",
            trigger: ".o_notebook .nav-link:contains(Promises)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=promise_ids] .o_data_row:contains(1,200.00)",
        },
        {
            content: "The call is in the debtor file's chatter",
            trigger: ".o_form_view .o-mail-Chatter .o-mail-Message:contains(Call logged: Promised to pay)",
        },

        // ----- a dispute on the second invoice -----------------------------------------------------------------
        {
            content: "Open the customer invoices",
            trigger: '.o_main_navbar [data-menu-xmlid="account.menu_finance_receivables"]',
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="account.menu_action_move_out_invoice_type"]',
            run: "click",
        },
        {
            content: "Open the 450.00 invoice of the customer",
            trigger: `.o_list_view .o_data_row:contains(${CUSTOMER}):contains(450.00) td[name=invoice_partner_display_name]`,
            run: "click",
        },
        {
            content: "It is the invoice the debtor file showed",
            trigger: ".o_form_view .o_field_widget[name=name]",
            run({ anchor }) {
                if (!anchor.textContent.includes(invoiceNames.disputed)) {
                    fail(`expected invoice ${invoiceNames.disputed}, got "${anchor.textContent.trim()}"`);
                }
            },
        },
        {
            content: "Raise a dispute",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_debtor_raise_dispute]",
            run: "click",
        },
        {
            content: "The dispute is for what the invoice still owes",
            trigger: ".modal .o_field_widget[name=disputed_amount] input:value(450.00)",
        },
        {
            content: "The goods arrived damaged",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Damaged",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Damaged goods)",
            run: "click",
        },
        {
            content: "Save the dispute",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The invoice shows it is in dispute",
            trigger: ".o_form_view .o_field_widget[name=debtor_dispute_state]:contains(In dispute)",
        },
        {
            content: "and links to its dispute",
            trigger: ".o_form_view .oe_stat_button[name=action_debtor_open_disputes]:contains(1)",
        },

        // ----- a payment plan for the third invoice ------------------------------------------------------------
        ...openWorkQueue(),
        {
            content: "Open the customer again",
            trigger: `.o_data_row:contains(${CUSTOMER}) td[name=partner_id]`,
            run: "click",
        },
        {
            content: "The debtor file counts the open dispute",
            trigger: ".o_form_view .oe_stat_button:contains(Disputes) .o_stat_value:contains(1)",
        },
        {
            content: "The steps besides the main ones are in the button box, under More at this width",
            trigger: ".o_form_view .o-form-buttonbox .o_button_more",
            run: "click",
        },
        {
            content: "Propose a payment plan",
            trigger: ".o_dropdown_more button[name=action_propose_plan]",
            run: "click",
        },
        {
            content: "The plan covers the invoice neither promised nor disputed",
            trigger: ".modal .o_field_widget[name=move_ids] .o_tag",
            run({ anchor, queryAll }) {
                const tags = queryAll(".modal .o_field_widget[name=move_ids] .o_tag").map((tag) =>
                    tag.textContent.trim()
                );
                if (tags.length !== 1 || !tags[0].includes(invoiceNames.planned)) {
                    fail(`the plan should cover ${invoiceNames.planned} only, it covers: ${tags.join(", ")}`);
                }
            },
        },
        {
            content: "It owes 1,000.00",
            trigger: ".modal .o_field_widget[name=open_amount]:contains(1,000.00)",
        },
        {
            content: "Three installments",
            trigger: ".modal .o_field_widget[name=installment_count] input",
            run: "edit 3",
        },
        {
            content: "Create the plan and send it to the customer",
            trigger: ".modal .modal-footer button[name=action_create]",
            run: "click",
        },
        {
            content: "The plan is proposed",
            trigger: currentState("state", "Proposed"),
        },
        {
            content: "Its total is the invoice's debt",
            trigger: ".o_form_view .o_field_widget[name=amount_total]:contains(1,000.00)",
        },
        {
            content: "Three installments, the rounding cent on the last one",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:eq(2):contains(333.34)",
            run({ queryAll }) {
                const rows = queryAll(".o_field_widget[name=line_ids] .o_data_row");
                const amounts = rows.map((row) => row.querySelector("td[name=amount]").textContent.trim());
                if (
                    rows.length !== 3 ||
                    !amounts[0].includes("333.33") ||
                    !amounts[1].includes("333.33") ||
                    !amounts[2].includes("333.34")
                ) {
                    fail(`unexpected schedule: ${amounts.join(" / ")}`);
                }
            },
        },
    ],
});
