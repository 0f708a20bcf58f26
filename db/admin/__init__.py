"""The admin mode's rules: everything the other units depend on, set with validation and an
audit trail. Only the admin role reaches these operations, and each checks that itself
(:func:`db.admin.scope.admin_center`, which also re-reads the actor's row).

One module per kind of record, each importable on its own; the public names are re-exported
here so callers write ``from db.admin import ...``:

- :mod:`~db.admin.errors`: AdminError, stable reasons with params.
- :mod:`~db.admin.scope`: the permission and center check, codes and texts, "in use?".
- :mod:`~db.admin.changes`: ``{field: [before, after]}`` audit rows, reusable by any unit.
- :mod:`~db.admin.users`: agents (the operations live in db.accounts).
- :mod:`~db.admin.districts`, :mod:`~db.admin.units`: districts, units and whom they serve.
- :mod:`~db.admin.categories`: request categories and their targets.
- :mod:`~db.admin.calendars`: SLA calendars, working week, holidays (CSV import).
- :mod:`~db.admin.canned`: canned answers.
- :mod:`~db.admin.settings`: the settings registry and a center's values.
- :mod:`~db.admin.audit_log`: reading the trail.
- :mod:`~db.admin.subscriber_import`: the billing system's CSV export.

Nothing that history points to is deleted: ``remove_*`` deactivates a unit, district,
category or canned answer in use and says so (:class:`Removal`); a calendar in use is refused.
"""

from db.admin.audit_log import AuditCursor, AuditPage, AuditRow, audit_entities, read_audit
from db.admin.calendars import (
    CalendarView,
    HolidayImport,
    HolidayView,
    add_calendar,
    import_holidays,
    list_calendars,
    list_holidays,
    read_holiday_csv,
    remove_calendar,
    remove_holiday,
    set_holiday,
    set_hours,
    update_calendar,
)
from db.admin.canned import (
    CannedAnswerView,
    add_canned,
    list_canned,
    remove_canned,
    update_canned,
)
from db.admin.categories import (
    REQUIRED_FIELDS,
    CategoryAdminView,
    add_category,
    list_categories,
    remove_category,
    update_category,
)
from db.admin.changes import apply_changes, diff, jsonable, record_change
from db.admin.csvfile import BadRow, RowWarning
from db.admin.districts import (
    DistrictView,
    add_district,
    list_districts,
    remove_district,
    update_district,
)
from db.admin.errors import AdminError
from db.admin.scope import UNSET, Removal, admin_center
from db.admin.settings import (
    SettingSpec,
    SettingView,
    clear_setting,
    get_setting,
    known_settings,
    list_settings,
    register_setting,
    set_setting,
)
from db.admin.subscriber_import import COLUMNS, ImportReport, import_subscribers
from db.admin.units import (
    UnitView,
    add_unit,
    list_units,
    remove_unit,
    set_unit_districts,
    update_unit,
)
from db.admin.users import (
    disable_agent,
    enable_agent,
    reset_password,
    set_roles,
    unlock_agent,
    update_agent,
)

__all__ = [
    "COLUMNS",
    "REQUIRED_FIELDS",
    "UNSET",
    "AdminError",
    "AuditCursor",
    "AuditPage",
    "AuditRow",
    "BadRow",
    "CalendarView",
    "CannedAnswerView",
    "CategoryAdminView",
    "DistrictView",
    "HolidayImport",
    "HolidayView",
    "ImportReport",
    "Removal",
    "RowWarning",
    "SettingSpec",
    "SettingView",
    "UnitView",
    "add_calendar",
    "add_canned",
    "add_category",
    "add_district",
    "add_unit",
    "admin_center",
    "apply_changes",
    "audit_entities",
    "clear_setting",
    "diff",
    "disable_agent",
    "enable_agent",
    "get_setting",
    "import_holidays",
    "import_subscribers",
    "jsonable",
    "known_settings",
    "list_calendars",
    "list_canned",
    "list_categories",
    "list_districts",
    "list_holidays",
    "list_settings",
    "list_units",
    "read_audit",
    "read_holiday_csv",
    "record_change",
    "register_setting",
    "remove_calendar",
    "remove_canned",
    "remove_category",
    "remove_district",
    "remove_holiday",
    "remove_unit",
    "reset_password",
    "set_holiday",
    "set_hours",
    "set_roles",
    "set_setting",
    "set_unit_districts",
    "unlock_agent",
    "update_agent",
    "update_calendar",
    "update_canned",
    "update_category",
    "update_district",
    "update_unit",
]
