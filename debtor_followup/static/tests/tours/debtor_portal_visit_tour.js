import { registry } from "@web/core/registry";

/**
 * The debtor's visit (prepared and checked by tests/test_portal_tour.py, TestPortalTour).
 *
 * "Tour Payer BV" has three invoices ten days overdue: 450.00 (to be disputed), 1,200.00 (to be promised for next
 * week) and 1,000.00 (to be paid now with the demo provider). The tour starts at the link of the queued reminder.
 */

/** Choose in the ``select`` of an answer form the invoice whose option shows ``amount``. */
function chooseInvoice(kind, amount) {
    return {
        content: `Choose the invoice of ${amount}`,
        trigger: `#debtor_answer_${kind} select[name=move_ids]`,
        run({ anchor }) {
            const option = [...anchor.options].find((opt) => opt.textContent.includes(amount));
            if (!option) {
                throw new Error(`no invoice of ${amount} to choose`);
            }
            for (const opt of anchor.options) {
                opt.selected = opt === option;
            }
            anchor.dispatchEvent(new Event("change", { bubbles: true }));
        },
    };
}

function isoDateIn(days) {
    return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

registry.category("web_tour.tours").add("debtor_followup_portal_visit", {
    steps: () => [
        {
            content: "The customer's page shows its three open invoices",
            trigger: ".o_debtor_portal .o_debtor_items tbody:has(tr.o_debtor_item:contains(450.00)):has(tr.o_debtor_item:contains(1,200.00)):has(tr.o_debtor_item:contains(1,000.00))",
        },
        // ----- dispute the invoice of 450.00 ------------------------------------------------------------------
        {
            content: "Open 'I dispute an invoice'",
            trigger: ".o_debtor_answer_dispute .accordion-button",
            run: "click",
        },
        chooseInvoice("dispute", "450.00"),
        {
            content: "Say what is wrong",
            trigger: "#debtor_answer_dispute textarea[name=comment]",
            run: "edit Two chairs arrived broken",
        },
        {
            content: "Send the dispute",
            trigger: "#debtor_answer_dispute .o_debtor_submit_dispute",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The dispute is registered",
            trigger: ".o_debtor_answered:contains(your dispute is registered)",
        },
        {
            content: "The disputed invoice reads 'In dispute'",
            trigger: "tr.o_debtor_item:contains(450.00) .o_debtor_item_state:contains(In dispute)",
        },
        // ----- promise to pay the invoice of 1,200.00 next week -----------------------------------------------
        {
            content: "Open 'I promise to pay on a date'",
            trigger: ".o_debtor_answer_promise .accordion-button",
            run: "click",
        },
        chooseInvoice("promise", "1,200.00"),
        {
            content: "Promise to pay in a week",
            trigger: "#debtor_answer_promise input[name=date]",
            run({ anchor }) {
                anchor.value = isoDateIn(7);
                anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Send the promise",
            trigger: "#debtor_answer_promise .o_debtor_submit_promise",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The promise is registered",
            trigger: ".o_debtor_answered:contains(your promise to pay is registered)",
        },
        {
            content: "The promised invoice reads 'Promise to pay'",
            trigger: "tr.o_debtor_item:contains(1,200.00) .o_debtor_item_state:contains(Promise to pay)",
        },
        // ----- pay the invoice of 1,000.00 now ---------------------------------------------------------------
        {
            content: "Select the invoice of 1,000.00",
            trigger: "tr.o_debtor_item:contains(1,000.00) input[name=move_ids]",
            run: "check",
        },
        {
            content: "Pay it now",
            trigger: ".o_debtor_pay_now",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The payment page is for 1,000.00",
            trigger: ".o_debtor_pay h1:contains(1,000.00)",
        },
        {
            content: "Enter the demo card number",
            trigger: 'input[name="customer_input"]',
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: 'button[name="o_payment_submit_button"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back on the customer's page, the payment is thanked for",
            trigger: ".o_debtor_answered:contains(Thank you for your payment)",
        },
    ],
});

registry.category("web_tour.tours").add("debtor_followup_portal_queue", {
    url: "/odoo/action-debtor_followup.debtor_customer_action",
    steps: () => [
        {
            content: "Leave the default 'Overdue' filter: the answered invoices are no longer chased",
            trigger: ".o_searchview_facet:contains(Overdue) .o_facet_remove",
            run: "click",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the customers who answered",
            trigger: ".o_filter_menu .o_menu_item:contains(Answered by the Customer)",
            run: "click",
        },
        {
            content: "The customer is flagged as having answered",
            trigger: ".o_data_row:contains(Tour Payer BV) td[name=queue_flags]:contains(Answered)",
            run: "click",
        },
        {
            content: "Its file counts three answers",
            trigger: ".o_form_view button[name=action_open_portal_answers] .o_stat_value:contains(3)",
            run: "click",
        },
        {
            content: "The answers: a dispute, a promise and a payment",
            trigger: ".o_list_view tbody:has(.o_data_row:contains(Dispute)):has(.o_data_row:contains(Promise to pay)):has(.o_data_row:contains(Pay now))",
        },
    ],
});
