"""Who may call each route: the one list a test checks the whole URL map against.

A route missing here fails that test, so a new route cannot ship without a decision.
``public``: anyone (visitor pages, submit, health, docs). ``visitor_token``: anyone with
the verification's status token (or staff). ``coordinator``/``admin``: staff roles
(admin includes coordinator).
"""

from __future__ import annotations

PUBLIC = "public"
VISITOR_TOKEN = "visitor_token"  # noqa: S105 - an access level, not a secret
COORDINATOR = "coordinator"
ADMIN = "admin"

ACCESS: dict[tuple[str, str], str] = {
    ("static", "GET"): PUBLIC,
    ("api-docs.openapi_json", "GET"): PUBLIC,
    ("ops.docs", "GET"): PUBLIC,
    ("ops.docs_init", "GET"): PUBLIC,
    ("ops.docs_assets", "GET"): PUBLIC,
    ("ops.healthz", "GET"): PUBLIC,
    ("ops.readyz", "GET"): PUBLIC,
    ("ops.metrics", "GET"): PUBLIC,  # VERIFIER_METRICS_TOKEN, or loopback clients only
    ("verifications.Verifications", "POST"): PUBLIC,
    ("verifications.Verification", "GET"): VISITOR_TOKEN,
    ("payers.Payers", "GET"): PUBLIC,
    ("part2.Consent", "GET"): PUBLIC,  # the consent text, no PHI
    ("staff_verifications.StaffVerifications", "GET"): COORDINATOR,
    ("staff_verifications.StaffExport", "GET"): COORDINATOR,
    ("staff_verifications.StaffExport", "POST"): COORDINATOR,
    ("staff_verifications.StaffSearch", "POST"): COORDINATOR,
    ("staff_verifications.StaffRerun", "POST"): COORDINATOR,
    ("staff_verifications.StaffNotes", "POST"): COORDINATOR,
    ("staff_verifications.StaffManual", "POST"): COORDINATOR,
    ("staff_verifications.StaffReview", "POST"): COORDINATOR,
    ("staff_verifications.StaffPatient", "POST"): COORDINATOR,
    ("staff_verifications.StaffPatient", "DELETE"): COORDINATOR,
    ("batches.Batches", "POST"): COORDINATOR,
    ("batches.BatchProgress", "GET"): COORDINATOR,
    ("batches.BatchResults", "GET"): COORDINATOR,
    ("console.static", "GET"): PUBLIC,
    ("console.login", "GET"): PUBLIC,
    ("console.login_submit", "POST"): PUBLIC,
    ("console.logout", "POST"): COORDINATOR,
    ("console.queue", "GET"): COORDINATOR,
    ("console.password", "GET"): COORDINATOR,
    ("console.password_submit", "POST"): COORDINATOR,
    ("console.search", "GET"): COORDINATOR,
    ("console.search", "POST"): COORDINATOR,
    ("console.detail", "GET"): COORDINATOR,
    ("console.rerun", "POST"): COORDINATOR,
    ("console.note", "POST"): COORDINATOR,
    ("console.manual", "POST"): COORDINATOR,
    ("console.review", "POST"): COORDINATOR,
    ("console.patient", "POST"): COORDINATOR,
    ("console.part2_revoke", "POST"): COORDINATOR,
    ("console.part2_consent", "POST"): COORDINATOR,
    ("console.part2_disclosures", "GET"): COORDINATOR,
    ("console.export", "GET"): COORDINATOR,
    ("console.export", "POST"): COORDINATOR,
    ("console.audit_log", "GET"): ADMIN,
    # Webhooks and FHIR out (issue 20).
    ("webhooks.Webhooks", "GET"): ADMIN,
    ("webhooks.Webhooks", "POST"): ADMIN,
    ("webhooks.Webhook", "GET"): ADMIN,
    ("webhooks.WebhookDisable", "POST"): ADMIN,
    ("webhooks.WebhookEnable", "POST"): ADMIN,
    ("webhooks.WebhookRotate", "POST"): ADMIN,
    ("webhooks.WebhookDeliveries", "GET"): ADMIN,
    ("webhooks.WebhookReplayOne", "POST"): ADMIN,
    ("webhooks.WebhookReplaySince", "POST"): ADMIN,
    ("staff_fhir.VerificationFhir", "GET"): COORDINATOR,
    ("console.webhooks", "GET"): ADMIN,
    ("console.webhook_action", "POST"): ADMIN,
    ("console.callbacks", "GET"): COORDINATOR,
    ("console.callback_status", "POST"): COORDINATOR,
    ("console.add_authorization", "POST"): COORDINATOR,
    ("console.update_authorization", "POST"): COORDINATOR,
    ("staff_verifications.StaffAuthorizations", "GET"): COORDINATOR,
    ("staff_verifications.StaffAuthorizations", "POST"): COORDINATOR,
    ("staff_verifications.StaffAuthorization", "PATCH"): COORDINATOR,
    ("staff_verifications.StaffPhoneVobs", "GET"): COORDINATOR,
    ("web.static", "GET"): PUBLIC,
    ("web.form", "GET"): PUBLIC,
    ("web.submit", "POST"): PUBLIC,
    ("web.result", "GET"): VISITOR_TOKEN,
    ("web.status", "GET"): VISITOR_TOKEN,
    ("web.callback_form", "GET"): PUBLIC,
    ("web.callback", "POST"): PUBLIC,
    ("web.again", "POST"): VISITOR_TOKEN,
    ("web.result_callback", "POST"): VISITOR_TOKEN,
    ("web.landing", "GET"): PUBLIC,
    ("web.widget", "GET"): PUBLIC,
}
