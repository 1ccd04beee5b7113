"""The forms an emulator serves: their fields, and the standard contact and customer forms.

The standard forms are what ``docs/connectors/jiandaoyun.md`` tells an installation to
build, with the aliases the default mapping (``mappings/jiandaoyun.toml``) uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

APP_ID = "65a0000000000000000a0001"
EMERGENCY_ENTRY = "65a0000000000000000e0001"
BUSINESS_ENTRY = "65a0000000000000000e0002"
CUSTOMER_ENTRY = "65a0000000000000000e0003"
API_USER = "fake_user_01"

MEMBERS: dict[str, dict[str, Any]] = {
    "fake_user_01": {"name": "测试甲", "departments": [1, 3]},
    "fake_user_02": {"name": "测试乙", "departments": [1]},
}
DEPARTMENTS: dict[int, dict[str, Any]] = {
    1: {"name": "经理部", "parent_no": 2},
    2: {"name": "总部", "parent_no": 1},
    3: {"name": "客服部", "parent_no": 2},
    12: {"name": "华东区", "parent_no": 2},
    13: {"name": "华南区", "parent_no": 2},
}


@dataclass(frozen=True)
class WidgetDef:
    """One field of an emulated form.

    Attributes:
        widget_id: the fixed ``_widget_…`` id.
        type: the field type (``text``, ``phone``, ``subform``...).
        label: the title.
        alias: the field alias; data then uses it as the field's name.
        items: a subform's fields.
    """

    widget_id: str
    type: str
    label: str = ""
    alias: str | None = None
    items: tuple[WidgetDef, ...] = ()

    @property
    def name(self) -> str:
        return self.alias or self.widget_id

    def item(self, name: str) -> WidgetDef | None:
        return next((w for w in self.items if w.name == name), None)

    def listing(self) -> dict[str, Any]:
        """The field as ``widget/list`` shows it."""
        shown: dict[str, Any] = {
            "name": self.name,
            "widgetName": self.widget_id,
            "label": self.label or self.name,
            "type": self.type,
        }
        if self.type == "subform":
            shown["items"] = [item.listing() for item in self.items]
        return shown


@dataclass
class FormDef:
    """An emulated form.

    Attributes:
        app_id, entry_id: where it is.
        widgets: its fields, in form order.
        template: a form of the built-in CRM template (every call answers error 30002).
        flow, wechat, ext: the optional system fields shown (flow state, WeChat
            enhancement, extension field).
    """

    app_id: str
    entry_id: str
    name: str
    widgets: list[WidgetDef] = field(default_factory=list)
    template: bool = False
    flow: bool = False
    wechat: bool = False
    ext: bool = False

    def widget(self, name: str) -> WidgetDef | None:
        found = [w for w in self.widgets if w.name == name]
        return found[-1] if found else None

    def sys_widgets(self) -> list[dict[str, str]]:
        names = [
            *(["flowState"] if self.flow else []),
            *(["wx_open_id", "wx_nickname", "wx_gender"] if self.wechat else []),
            "creator", "updater", "deleter",
            *(["ext"] if self.ext else []),
            "createTime", "updateTime", "deleteTime",
        ]  # fmt: skip
        return [{"name": name} for name in names]


def _widgets(specs: Iterable[tuple[str, str, str]], base: int) -> list[WidgetDef]:
    return [
        WidgetDef(f"_widget_17000{base + i:08d}", kind, label, alias)
        for i, (alias, kind, label) in enumerate(specs)
    ]


EMERGENCY_FIELDS = (
    ("contactsync_key", "text", "同步编号"),
    ("customer", "linkdata", "客户"),
    ("name", "text", "姓名"),
    ("phone", "phone", "手机"),
    ("mobile", "phone", "备用电话"),
    ("email", "text", "邮箱"),
    ("wechat_id", "text", "微信号"),
    ("role", "text", "角色"),
    ("relationship", "text", "与客户关系"),
    ("priority", "number", "优先级"),
    ("decision_authority", "radiogroup", "有决策权"),
    ("response_minutes", "number", "响应时限(分钟)"),
    ("contactable_hours", "textarea", "可联系时间"),
    ("responsibility", "textarea", "职责"),
    ("emergency_only", "radiogroup", "仅限紧急"),
    ("preferred_channels", "checkboxgroup", "联系方式"),
    ("last_reviewed_at", "datetime", "复核时间"),
    ("reviewed_by", "text", "复核人"),
    ("review_interval_months", "number", "复核周期(月)"),
)
"""紧急联系人记录: (alias, type, label) of each field."""

BUSINESS_FIELDS = (
    ("contactsync_key", "text", "同步编号"),
    ("customer", "linkdata", "客户"),
    ("name", "text", "姓名"),
    ("phone", "phone", "手机"),
    ("mobile", "phone", "座机"),
    ("email", "text", "邮箱"),
    ("wechat_id", "text", "微信号"),
    ("title", "text", "职务"),
    ("department", "text", "部门"),
    ("contact_type", "combo", "联系人类型"),
    ("project", "text", "项目"),
    ("business_line", "text", "业务线"),
    ("owner", "text", "负责人"),
    ("tags", "text", "标签"),
)
"""联系人信息表: (alias, type, label) of each field."""

CUSTOMER_FIELDS = (
    ("customer_no", "text", "客户编号"),
    ("customer_name", "text", "客户名称"),
    ("credit_code", "text", "统一社会信用代码"),
)
"""客户: the customer form the contact forms link to."""


def standard_forms(
    app_id: str = APP_ID,
    emergency: str = EMERGENCY_ENTRY,
    business: str = BUSINESS_ENTRY,
    customers: str = CUSTOMER_ENTRY,
) -> list[FormDef]:
    """The emergency, business and customer forms of the documented set-up."""
    return [
        FormDef(app_id, emergency, "紧急联系人记录", _widgets(EMERGENCY_FIELDS, 1000)),
        FormDef(app_id, business, "联系人信息表", _widgets(BUSINESS_FIELDS, 2000)),
        FormDef(app_id, customers, "客户", _widgets(CUSTOMER_FIELDS, 3000)),
    ]


def member(username: str) -> dict[str, Any]:
    """A member as data shows it (creator, updater, member fields)."""
    known = MEMBERS.get(username, {"name": username, "departments": []})
    return {
        "name": known["name"],
        "username": username,
        "status": 1,
        "type": 0,
        "departments": list(known["departments"]),
        "integrate_id": username,
    }


def department(number: int) -> dict[str, Any]:
    """A department as data shows it."""
    known = DEPARTMENTS.get(number, {"name": f"部门{number}", "parent_no": 1})
    return {
        "name": known["name"],
        "dept_no": number,
        "type": 0,
        "parent_no": known["parent_no"],
        "status": 1,
        "integrate_id": number,
    }


__all__ = [
    "API_USER",
    "APP_ID",
    "BUSINESS_ENTRY",
    "BUSINESS_FIELDS",
    "CUSTOMER_ENTRY",
    "CUSTOMER_FIELDS",
    "EMERGENCY_ENTRY",
    "EMERGENCY_FIELDS",
    "FormDef",
    "WidgetDef",
    "department",
    "member",
    "standard_forms",
]
