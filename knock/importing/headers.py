"""Column headers and cell vocabularies of billing-system exports, in Chinese and English.

A billing system's arrears list names its columns in its own words (楼栋 or 楼号,
应收金额 or 欠费金额(元), "Room No." ...). Everything here maps those words onto
Knock's field names, and the words found in cells (物业服务费, 保安, 已入住, 是)
onto Knock's codes. Matching ignores case, spaces, underscores, hyphens, dots and
a unit in brackets, so ``应收金额（元）`` and ``Amount_Yuan`` are read like
``应收金额`` and ``amount yuan``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NOISE = re.compile(r"[\s_\-.·:：*]+")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def normalise(text: object) -> str:
    """The form in which headers and vocabulary words are compared."""
    value = _BRACKETED.sub("", str(text if text is not None else ""))
    return _NOISE.sub("", value).lower()


@dataclass(frozen=True)
class Column:
    """A field an import understands, with every header that means it."""

    field: str
    """Knock's name for the field (``room``, ``amount`` ...)."""
    label: str
    """The Chinese header shown in messages when the column is missing altogether."""
    aliases: tuple[str, ...]
    """Headers that mean this field (compared after :func:`normalise`)."""


HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("building", "楼栋", ("楼栋", "楼号", "栋号", "楼栋号", "楼幢", "幢号", "building", "buildingno", "bldg", "block")),
    Column("unit", "单元", ("单元", "单元号", "unit", "unitno", "entrance")),
    Column("room", "房号", ("房号", "室号", "房间号", "房屋编号", "房屋", "房间", "门牌号", "房号名称", "房屋名称", "room", "roomno", "roomnumber", "flat", "apartment")),
    Column("billing_code", "房屋编码", ("房屋编码", "房产编码", "房间编码", "房屋代码", "资源编码", "房产编号", "billingcode", "roomcode", "propertycode")),
    Column("owner", "业主姓名", ("业主姓名", "业主", "业主名称", "客户姓名", "客户名称", "姓名", "owner", "ownername", "name")),
    Column("phone", "联系电话", ("联系电话", "手机", "手机号", "手机号码", "电话", "联系方式", "phone", "phones", "mobile", "tel", "telephone", "contact")),
    Column("area", "建筑面积", ("建筑面积", "面积", "房屋面积", "计费面积", "area", "floorarea", "aream2", "grossarea")),
    Column("item", "收费项目", ("收费项目", "费用项目", "费用名称", "收费科目", "收费名称", "项目", "item", "feeitem", "fee", "chargeitem")),
    Column("period", "所属期间", ("所属期间", "费用期间", "计费期间", "账期", "期间", "所属期", "费用所属期", "计费周期", "收费期间", "所属月份", "费用月份", "计费月份", "period", "billingperiod")),
    Column("period_start", "起始日期", ("起始日期", "开始日期", "计费开始日期", "计费起始日期", "费用开始日期", "periodstart", "start", "startdate", "from")),
    Column("period_end", "截止日期", ("截止日期", "结束日期", "计费结束日期", "计费截止日期", "费用截止日期", "periodend", "end", "enddate", "to")),
    Column("due_date", "应缴日期", ("应缴日期", "缴费截止日", "缴费截止日期", "缴费期限", "到期日", "duedate", "due", "paybefore")),
    Column("billed", "应收金额", ("应收金额", "应收", "应收费用", "应缴金额", "应缴", "计费金额", "本期应收", "billed", "amountbilled", "billedamount")),
    Column("paid", "实收金额", ("实收金额", "实收", "已收金额", "已收", "已缴金额", "已缴", "已交金额", "paid", "amountpaid", "paidamount", "received")),
    Column("reduction", "减免金额", ("减免金额", "减免", "优惠金额", "优惠", "折扣金额", "reduction", "discount", "waiver")),
    Column("outstanding", "欠费金额", ("欠费金额", "欠费", "欠款金额", "欠款", "未收金额", "未收", "未缴金额", "未缴", "欠缴金额", "欠缴", "金额", "outstanding", "amount", "amountdue", "amountyuan", "owed", "arrears", "balance")),
    Column("penalty", "滞纳金", ("滞纳金", "违约金", "滞纳金额", "违约金额", "penalty", "latefee", "latepaymentfee")),
    Column("occupancy", "入住状态", ("入住状态", "居住状态", "房屋状态", "occupancy", "status", "occupancystatus")),
    Column("notes", "备注", ("备注", "说明", "notes", "note", "remarks", "remark", "comment")),
)
"""Columns of an arrears list. One row is one charge of one household.

The money columns are five different things, as billing systems keep them:
billed (应收), paid (实收/已收), reduction (减免/优惠), outstanding (欠费/未收)
and penalty already charged (滞纳金/违约金). The arrears Knock collects are the
outstanding amount; see :mod:`knock.importing.households` for how they are read."""

FIELD_MEANINGS: dict[str, str] = {
    "building": "building (楼栋)",
    "unit": "unit (单元)",
    "room": "room, or a whole room code such as 1栋1单元101",
    "billing_code": "the billing system's own room code, kept for the export back",
    "owner": "owner name",
    "phone": "phone numbers",
    "area": "floor area in m²",
    "item": "fee item",
    "period": "period covered (2026-03, 2026-01至2026-06, 2026年1月-6月 ...)",
    "period_start": "period start date",
    "period_end": "period end date",
    "due_date": "due date",
    "billed": "billed (应收)",
    "paid": "already paid (实收)",
    "reduction": "reduction granted (减免)",
    "outstanding": "outstanding: the arrears Knock collects (欠费)",
    "penalty": "penalty already charged (滞纳金), kept apart from the fee",
    "occupancy": "occupancy",
    "notes": "notes",
}
"""What each household field means, for ``--dry-run``'s column report."""

IGNORE = "ignore"
"""A mapping target that tells the import to skip a column without a warning."""

_TARGET_SYNONYMS = {"amount": "outstanding"}
"""Older or looser field names accepted as mapping targets."""

HOUSEHOLD_REQUIRED = ("room", "owner")
"""Columns every household file must have (building and unit may be inside the room code)."""

MONEY_FIELDS = ("billed", "paid", "reduction", "outstanding", "penalty")
"""Columns that hold yuan amounts."""

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("姓名", "员工姓名", "名字", "name", "staffname", "fullname")),
    Column("role", "岗位", ("岗位", "职位", "职务", "工种", "role", "position", "job", "jobtitle")),
    Column("team", "班组", ("班组", "小组", "部门", "team", "group", "department", "dept")),
    Column("phone", "电话", ("电话", "联系电话", "手机", "手机号", "手机号码", "phone", "mobile", "tel", "telephone")),
    Column("active", "在职", ("在职", "是否在职", "在职状态", "状态", "active", "employed", "status")),
)
"""Columns of a staff list."""

STAFF_REQUIRED = ("name", "role")
"""Columns every staff file must have."""


def _vocabulary(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(word): code for code, words in pairs.items() for word in (code, *words)}


FEE_ITEM_WORDS = _vocabulary(
    {
        "property_fee": ("物业费", "物业服务费", "物业管理费", "管理费", "property fee", "property management fee", "management fee", "service fee"),
        "parking": ("停车费", "车位费", "车位管理费", "停车管理费", "parking", "parking fee", "car park", "parking space fee"),
        "shared_utilities": ("公摊水电", "公摊水电费", "公共能耗", "公共能耗费", "公摊费", "shared utilities", "common utilities", "shared utility fee"),
    }
)
"""Fee item names a billing system uses, mapped to Knock's fee items. Others are kept as written."""

OCCUPANCY_WORDS = _vocabulary(
    {
        "occupied": ("已入住", "入住", "自住", "在住", "occupied", "owner occupied", "lived in"),
        "vacant": ("空置", "未入住", "空房", "vacant", "empty", "not moved in"),
        "rented": ("出租", "已出租", "租住", "rented", "let", "tenant"),
    }
)
"""入住状态 words mapped to Knock's occupancy codes."""

ROLE_WORDS = _vocabulary(
    {
        "guard": ("保安", "保安员", "秩序维护员", "秩序员", "门岗", "security", "security guard"),
        "cleaner": ("保洁", "保洁员", "清洁工", "环境", "cleaning"),
        "maintenance": ("维修", "维修工", "维修员", "工程", "工程部", "工程维修", "engineering", "repair", "technician"),
        "customer_service": ("客服", "客服专员", "客服员", "客服部", "前台", "customer service", "cs", "service desk"),
        "manager": ("经理", "主管", "项目经理", "物业经理", "客服主管", "组长", "supervisor", "team lead", "lead"),
    }
)
"""岗位 words mapped to Knock's roles."""

YES_WORDS = frozenset(normalise(w) for w in ("是", "在职", "有效", "yes", "y", "true", "1", "active", "√", "✓"))
NO_WORDS = frozenset(normalise(w) for w in ("否", "离职", "停用", "无效", "no", "n", "false", "0", "inactive", "×", "✗"))
"""在职 answers."""


@lru_cache(maxsize=1024)
def fee_item(text: str) -> str:
    """Knock's fee item for a billing system's item name; unknown items are kept as written."""
    return FEE_ITEM_WORDS.get(normalise(text), text.strip())


def mapping_target(target: str, *, where: str = "") -> str:
    """The household field a column mapping names: a field (``outstanding``), any header Knock
    knows for it (``欠费金额``), or ``ignore``. Raises ValueError naming ``where`` otherwise."""
    key = normalise(target)
    if key == IGNORE:
        return IGNORE
    key = _TARGET_SYNONYMS.get(key, key)
    for column in HOUSEHOLD_COLUMNS:
        if key == normalise(column.field) or key in (normalise(a) for a in column.aliases):
            return column.field
    fields = ", ".join(c.field for c in HOUSEHOLD_COLUMNS)
    prefix = f"{where}: " if where else ""
    raise ValueError(f"{prefix}unknown field {target!r}; map a column to one of {fields} or ignore")


def match_headers(
    cells: list[object], columns: tuple[Column, ...], mapping: dict[str, str] | None = None
) -> tuple[dict[str, int], list[tuple[int, str]], list[tuple[int, str, int]]]:
    """Map a header row onto fields.

    Returns ``(field -> column index, unknown headers as (index, text),
    repeated fields as (index, field, index of the first))``. Blank header
    cells are ignored. ``mapping`` (normalised header -> field or ``ignore``)
    is consulted before Knock's own header words.
    """
    lookup = {normalise(alias): column.field for column in columns for alias in (column.field, *column.aliases)}
    if mapping:
        lookup |= mapping
    found: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    repeated: list[tuple[int, str, int]] = []
    for index, cell in enumerate(cells):
        key = normalise(cell)
        if not key:
            continue
        field = lookup.get(key)
        if field == IGNORE:
            continue
        if field is None:
            unknown.append((index, str(cell).strip()))
        elif field in found:
            repeated.append((index, field, found[field]))
        else:
            found[field] = index
    return found, unknown, repeated


def label_of(field: str, columns: tuple[Column, ...]) -> str:
    """The Chinese label of a field, for messages about a missing column."""
    for column in columns:
        if column.field == field:
            return column.label
    return field
