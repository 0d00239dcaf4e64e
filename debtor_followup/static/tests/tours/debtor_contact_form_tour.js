import { registry } from "@web/core/registry";

/**
 * A reminded customer's contact form opens without an error dialog (prepared by tests/test_tours_ux.py,
 * TestContactFormTour, which starts it on the contact as each role): the reminder and its statement PDF are in the
 * chatter; the web client makes the PDF's thumbnail, which once answered 404 with an "Oops" dialog.
 */

registry.category("web_tour.tours").add("debtor_followup_contact_form", {
    steps: () => [
        {
            content: "The contact form of the reminded customer",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Thumbnail Tour BV), .o_form_view .o_field_widget[name=name] input:value(Thumbnail Tour BV)",
        },
        {
            content: "The reminder is in the chatter",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(payment reminder)",
        },
        {
            content: "with its statement",
            trigger: ".o-mail-Chatter .o-mail-Message .o-mail-AttachmentCard:contains(Statement), .o-mail-Chatter .o-mail-Message .o-mail-AttachmentImage",
        },
        {
            content: "Give the thumbnail time to be made and stored",
            trigger: ".o-mail-Chatter",
            async run() {
                await new Promise((resolve) => setTimeout(resolve, 2000));
            },
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog, .o_dialog .modal-title:contains(Oops)))",
        },
    ],
});
