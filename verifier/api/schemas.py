"""Response and query schemas of the public API (docs/design.md §5).

The submit contract itself is ``verifier.verifications.schemas``: every way in (API,
pages, console, batches) shares it.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from verifier.verifications.schemas import StrictSchema


class SubmittedSchema(ma.Schema):
    id = fields.String()
    status = fields.String()
    status_url = fields.String()
    token = fields.String(metadata={"description": "Send as X-Status-Token to read the result"})


class VisitorVerificationSchema(ma.Schema):
    id = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    level_of_care = fields.String()
    condition = fields.String()
    payer_id = fields.String()
    next_attempt_at = fields.String()
    summary = fields.Dict(metadata={"description": "Visitor view: plain_text and safe fields"})


class PayerSchema(ma.Schema):
    id = fields.String()
    name = fields.String()
    aliases = fields.List(fields.String())
    capabilities = fields.Dict()


class PayerQuerySchema(StrictSchema):
    q = fields.String(load_default="", validate=validate.Length(max=100))


class StatusTokenHeaderSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    token = fields.String(
        data_key="X-Status-Token", load_default=None, metadata={"description": "From submit"}
    )
