"""Notices (اطلاع‌رسانی): templates, campaigns, the outbox and the gateways that send it.

An information officer writes templates with named placeholders per channel (SMS, IVR entry-menu
text, website notice; :mod:`~db.notices.templates`), checked when saved and previewed with real
values and the SMS cost (:mod:`~db.notices.sms`: Persian is UCS-2, 70 characters in one part,
67 per part when split). A campaign sends an SMS template to a target (the subscribers of
districts or of an incident's area, the callers of an incident, the callers of open requests in
a category; :mod:`~db.notices.targets`); approving it freezes the recipients into the outbox,
and a large one needs a supervisor (:mod:`~db.notices.campaigns`).

The outbox (:mod:`~db.notices.outbox`) holds one row per message: queued -> sending -> sent ->
delivered / failed. The sender (:mod:`~db.notices.sender`, ``abfa-desk notices send`` from
cron) claims a row, calls the center's gateway (:mod:`~db.notices.gateways`: ``file`` by
default, ``http`` for a provider) with the row's id as idempotency key, and records the result
in a second transaction, so a sender killed mid-send resends with the same key and nothing is
delivered twice; passing failures are retried with back-off. :mod:`~db.notices.export` writes
the current IVR and website texts of the active incidents.

Settings (CenterSetting, :mod:`~db.notices.settings`): ``notices.gateway``, ``notices.retry``,
``notices.approval_threshold``, ``notices.lease_seconds``, ``notices.sms_max_parts``,
``notices.center_name``. Errors are :class:`NoticeError` with a stable ``reason`` and
``params``; missing roles raise :class:`db.accounts.PermissionDenied`. Working with notices
needs :data:`NOTICE_ROLES` (information officer, supervisor).
"""

from db.notices.campaigns import (
    CampaignPage,
    CampaignPreview,
    CampaignProgress,
    CampaignView,
    approve_campaign,
    campaign_progress,
    campaign_view,
    cancel_campaign,
    create_campaign,
    list_campaigns,
    preview_campaign,
    settle_campaigns,
)
from db.notices.errors import NoticeError
from db.notices.export import EXPORT_CHANNELS, NoticeText, current_texts, write_texts
from db.notices.gateways import (
    DeliveryReport,
    FileGateway,
    Gateway,
    HttpGateway,
    OutgoingMessage,
    SendResult,
    make_gateway,
)
from db.notices.outbox import (
    NOTICE_ROLES,
    SENDING,
    STATUSES,
    NewMessage,
    OutboxCounts,
    OutboxMessageView,
    OutboxPage,
    is_mobile,
    list_outbox,
    outbox_counts,
    queue_messages,
    retry_message,
)
from db.notices.placeholders import PLACEHOLDERS, Rendered, check_body, placeholders_of, render
from db.notices.sender import (
    Claimed,
    SendReport,
    SendTally,
    claim_next,
    record_result,
    send_outbox,
)
from db.notices.settings import (
    SETTING_APPROVAL_THRESHOLD,
    SETTING_CENTER_NAME,
    SETTING_GATEWAY,
    SETTING_LEASE_SECONDS,
    SETTING_RETRY,
    SETTING_SMS_MAX_PARTS,
    GatewayConfig,
    NoticeSettings,
    RetryPolicy,
    center_id_for,
    load_notice_settings,
)
from db.notices.sms import SmsCount, sms_count
from db.notices.targets import TARGET_KINDS, Recipient
from db.notices.templates import (
    Preview,
    PreviewWarning,
    TemplateView,
    create_template,
    get_template,
    list_templates,
    preview_template,
    preview_text,
    update_template,
)

__all__ = [
    "EXPORT_CHANNELS",
    "NOTICE_ROLES",
    "PLACEHOLDERS",
    "SENDING",
    "SETTING_APPROVAL_THRESHOLD",
    "SETTING_CENTER_NAME",
    "SETTING_GATEWAY",
    "SETTING_LEASE_SECONDS",
    "SETTING_RETRY",
    "SETTING_SMS_MAX_PARTS",
    "STATUSES",
    "TARGET_KINDS",
    "CampaignPage",
    "CampaignPreview",
    "CampaignProgress",
    "CampaignView",
    "Claimed",
    "DeliveryReport",
    "FileGateway",
    "Gateway",
    "GatewayConfig",
    "HttpGateway",
    "NewMessage",
    "NoticeError",
    "NoticeSettings",
    "NoticeText",
    "OutboxCounts",
    "OutboxMessageView",
    "OutboxPage",
    "OutgoingMessage",
    "Preview",
    "PreviewWarning",
    "Recipient",
    "Rendered",
    "RetryPolicy",
    "SendReport",
    "SendResult",
    "SendTally",
    "SmsCount",
    "TemplateView",
    "approve_campaign",
    "campaign_progress",
    "campaign_view",
    "cancel_campaign",
    "center_id_for",
    "check_body",
    "claim_next",
    "create_campaign",
    "create_template",
    "current_texts",
    "get_template",
    "is_mobile",
    "list_campaigns",
    "list_outbox",
    "list_templates",
    "load_notice_settings",
    "make_gateway",
    "outbox_counts",
    "placeholders_of",
    "preview_campaign",
    "preview_template",
    "preview_text",
    "queue_messages",
    "record_result",
    "render",
    "retry_message",
    "send_outbox",
    "settle_campaigns",
    "sms_count",
    "update_template",
    "write_texts",
]
