"""The demo company: a 3,000-person manufacturer with seven service desks, five sites and one catalog.

Everything here is static description; `simulator.generate` turns it into records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SOURCE_SYSTEM = "esm_portal"
START = date(2024, 12, 1)
MONTHS = 24
GO_LIVE = date(2025, 12, 1)  # the month the new service process goes live

CHANNELS = ["portal", "email", "mobile", "wecom", "dingtalk", "feishu", "phone"]
CHANNEL_WEIGHTS_BEFORE = [0.30, 0.22, 0.08, 0.12, 0.08, 0.05, 0.15]
CHANNEL_WEIGHTS_AFTER = [0.36, 0.12, 0.12, 0.16, 0.10, 0.08, 0.06]


@dataclass(frozen=True)
class Site:
    site_id: str
    city_en: str
    city_zh: str
    country: str
    timezone: str
    calendar_id: str
    headcount: int


SITES = [
    Site("SHA", "Shanghai", "上海", "CN", "Asia/Shanghai", "cn_office", 900),
    Site("SZV", "Suzhou", "苏州", "CN", "Asia/Shanghai", "cn_plant", 1100),
    Site("SZX", "Shenzhen", "深圳", "CN", "Asia/Shanghai", "cn_office_shenzhen", 500),
    Site("CTU", "Chengdu", "成都", "CN", "Asia/Shanghai", "cn_office_chengdu", 300),
    Site("MUC", "Munich", "慕尼黑", "DE", "Europe/Berlin", "de_by_office", 200),
]

DEPARTMENTS = {
    "HR": ("Human Resources", "人力资源"),
    "IT": ("IT", "信息技术"),
    "FAC": ("Facilities & Admin", "行政后勤"),
    "FIN": ("Finance", "财务"),
    "LEG": ("Legal", "法务"),
    "PRC": ("Procurement", "采购"),
    "SEC": ("InfoSec", "信息安全"),
}

# agents per department and their cost per hour (CNY); Munich agents cost more.
AGENTS_PER_DEPARTMENT = {"HR": 14, "IT": 40, "FAC": 16, "FIN": 12, "LEG": 6, "PRC": 8, "SEC": 8}
AGENT_HOURS_PER_MONTH = 168  # business hours an agent has in a month
MEAN_EFFORT_MINUTES = 42  # mean effort per task done by a person (lognormal, median 35)
COST_PER_HOUR = {"HR": 160, "IT": 180, "FAC": 120, "FIN": 200, "LEG": 350, "PRC": 170, "SEC": 260}
ROLES = ["staff", "manager", "executive"]
ROLE_WEIGHTS = [0.85, 0.12, 0.03]

# Planted truths (see DECISIONLOG.md and tests/test_end_to_end.py)
BOTTLENECK_SITE = "SZV"  # Suzhou plant: Facilities device provisioning is understaffed
BOTTLENECK_STEP = "facilities_device"
RUBBER_STAMP_STEP = "line_manager_access"  # approves nearly everything within minutes


@dataclass(frozen=True)
class Service:
    service_id: str
    department: str
    category_en: str
    category_zh: str
    name_en: str
    name_zh: str
    weight: float  # relative volume
    hours: float  # median resolution time in hours (single-step services)
    process: str = "simple"  # simple | onboarding | offboarding | contract | access
    automatable: float = 0.0  # share of tasks done by automation after go-live
    seasonal: str = ""  # month_end | hiring


def _s(dept, cat_en, cat_zh, items):
    return [
        Service(
            service_id=f"{dept}-{i + 1:02d}-{cat_en[:3].upper()}",
            department=dept,
            category_en=cat_en,
            category_zh=cat_zh,
            name_en=name_en,
            name_zh=name_zh,
            **kw,
        )
        for i, (name_en, name_zh, kw) in enumerate(items)
    ]


SERVICES: list[Service] = [
    *_s("HR", "Employee lifecycle", "员工生命周期", [
        ("New hire onboarding", "新员工入职", dict(weight=3, hours=120, process="onboarding", seasonal="hiring")),
        ("Employee offboarding", "员工离职", dict(weight=2, hours=72, process="offboarding")),
        ("Internal transfer", "内部调动", dict(weight=1, hours=48)),
    ]),
    *_s("HR", "Payroll & benefits", "薪酬福利", [
        ("Payslip question", "工资条咨询", dict(weight=4, hours=16, seasonal="month_end")),
        ("Social insurance certificate", "社保证明", dict(weight=3, hours=20, automatable=0.6)),
        ("Housing fund withdrawal", "公积金提取", dict(weight=2, hours=30)),
        ("Benefits enrollment", "福利登记", dict(weight=1.5, hours=24)),
    ]),
    *_s("HR", "Certificates & records", "证明与档案", [
        ("Employment certificate", "在职证明", dict(weight=3, hours=12, automatable=0.7)),
        ("Leave balance correction", "假期余额更正", dict(weight=2, hours=10)),
        ("Personal data update", "个人信息更新", dict(weight=2, hours=8, automatable=0.5)),
    ]),
    *_s("IT", "Accounts & access", "账号与权限", [
        ("Password reset", "密码重置", dict(weight=12, hours=1, automatable=0.8)),
        ("System access request", "系统权限申请", dict(weight=6, hours=72, process="access")),
        ("Account unlock", "账号解锁", dict(weight=5, hours=1, automatable=0.8)),
        ("Shared mailbox request", "共享邮箱申请", dict(weight=1.5, hours=12)),
    ]),
    *_s("IT", "Hardware", "硬件", [
        ("Laptop repair", "笔记本维修", dict(weight=4, hours=30)),
        ("Printer issue", "打印机故障", dict(weight=4, hours=8)),
        ("Peripheral request", "外设申请", dict(weight=3, hours=24)),
        ("Mobile device setup", "移动设备配置", dict(weight=1.5, hours=10)),
    ]),
    *_s("IT", "Software & network", "软件与网络", [
        ("Software installation", "软件安装", dict(weight=5, hours=6, automatable=0.6)),
        ("VPN problem", "VPN 故障", dict(weight=4, hours=4)),
        ("Wi-Fi problem", "无线网络故障", dict(weight=3, hours=5)),
        ("ERP incident", "ERP 故障", dict(weight=3, hours=12)),
        ("MES incident (plant)", "MES 故障（工厂）", dict(weight=2.5, hours=6)),
        ("Email problem", "邮件故障", dict(weight=3, hours=4)),
    ]),
    *_s("FAC", "Workplace", "办公环境", [
        ("Desk move", "工位调整", dict(weight=2, hours=40)),
        ("Meeting room equipment", "会议室设备", dict(weight=2.5, hours=8)),
        ("Air conditioning", "空调报修", dict(weight=3, hours=10)),
        ("Cleaning request", "保洁需求", dict(weight=2, hours=6)),
    ]),
    *_s("FAC", "Assets & devices", "资产与设备", [
        ("Office supplies", "办公用品申领", dict(weight=3, hours=20, automatable=0.4)),
        ("Device handover", "设备领用", dict(weight=2, hours=24)),
        ("Badge and access card", "门禁卡", dict(weight=2.5, hours=12)),
    ]),
    *_s("FAC", "Travel & logistics", "差旅与物流", [
        ("Shuttle bus", "班车服务", dict(weight=1.5, hours=10)),
        ("Visitor registration", "访客登记", dict(weight=3, hours=2, automatable=0.7)),
        ("Courier dispatch", "快递寄送", dict(weight=2, hours=6)),
    ]),
    *_s("FIN", "Expenses", "费用报销", [
        ("Expense claim question", "报销咨询", dict(weight=5, hours=20, seasonal="month_end")),
        ("Travel advance", "差旅借款", dict(weight=2, hours=30, seasonal="month_end")),
        ("Corporate card", "公司信用卡", dict(weight=1, hours=48)),
    ]),
    *_s("FIN", "Accounting", "会计核算", [
        ("Invoice issue", "发票问题", dict(weight=4, hours=24, seasonal="month_end")),
        ("Vendor payment status", "供应商付款查询", dict(weight=3, hours=16, seasonal="month_end")),
        ("Cost center change", "成本中心变更", dict(weight=1, hours=40)),
        ("Month-end accrual", "月末预提", dict(weight=1.5, hours=24, seasonal="month_end")),
    ]),
    *_s("FIN", "Budget", "预算", [
        ("Budget transfer", "预算调整", dict(weight=1, hours=48, seasonal="month_end")),
        ("Capex request check", "资本支出审核", dict(weight=0.8, hours=72)),
    ]),
    *_s("LEG", "Contracts", "合同", [
        ("Contract review", "合同审核", dict(weight=3, hours=192, process="contract")),
        ("NDA request", "保密协议", dict(weight=2, hours=24, automatable=0.5)),
        ("Contract template", "合同模板", dict(weight=1, hours=12)),
    ]),
    *_s("LEG", "Advice & compliance", "法律咨询与合规", [
        ("Legal advice", "法律咨询", dict(weight=1, hours=72)),
        ("Seal usage", "用印申请", dict(weight=2, hours=16)),
        ("Compliance question", "合规问题", dict(weight=0.8, hours=48)),
    ]),
    *_s("PRC", "Purchasing", "采购执行", [
        ("Purchase request", "采购申请", dict(weight=3, hours=96)),
        ("Catalog order", "目录采购", dict(weight=2.5, hours=48, automatable=0.5)),
        ("Urgent purchase", "紧急采购", dict(weight=0.8, hours=30)),
    ]),
    *_s("PRC", "Suppliers", "供应商管理", [
        ("Supplier onboarding", "供应商准入", dict(weight=1, hours=120)),
        ("Supplier data change", "供应商信息变更", dict(weight=1, hours=30)),
        ("Quotation request", "询价", dict(weight=1.2, hours=60)),
    ]),
    *_s("SEC", "Security operations", "安全运营", [
        ("Phishing report", "钓鱼邮件举报", dict(weight=3, hours=3, automatable=0.5)),
        ("Malware alert", "恶意软件告警", dict(weight=1, hours=6)),
        ("Lost device", "设备丢失", dict(weight=0.6, hours=4)),
    ]),
    *_s("SEC", "Access governance", "权限治理", [
        ("Access review", "权限复核", dict(weight=1, hours=48)),
        ("Privileged access", "特权账号申请", dict(weight=0.8, hours=48)),
        ("Firewall rule change", "防火墙规则变更", dict(weight=1, hours=40)),
    ]),
    *_s("SEC", "Data protection", "数据保护", [
        ("USB exception", "USB 例外申请", dict(weight=1, hours=24)),
        ("Data export approval", "数据外发审批", dict(weight=1.2, hours=20)),
        ("Security awareness question", "安全意识咨询", dict(weight=0.8, hours=8)),
    ]),
]

# cross-department task chains: (step, department, mean days before go-live, mean days after)
CHAINS: dict[str, list[tuple[str, str, float, float]]] = {
    "onboarding": [
        ("hr_record", "HR", 0.4, 0.2),
        ("it_account", "IT", 0.7, 0.25),
        ("permissions", "SEC", 2.2, 0.8),
        ("facilities_device", "FAC", 0.6, 0.45),
        ("acceptance", "HR", 0.3, 0.25),
    ],
    "offboarding": [
        ("hr_exit", "HR", 0.5, 0.4),
        ("it_revoke", "IT", 0.7, 0.4),
        ("facilities_return", "FAC", 0.8, 0.6),
        ("final_pay", "FIN", 1.0, 0.8),
    ],
    "contract": [
        ("legal_review", "LEG", 2.5, 1.4),
        ("contract_approval", "LEG", 4.5, 2.1),
        ("legal_sign", "LEG", 1.0, 0.5),
    ],
    "access": [
        ("access_approval", "SEC", 2.0, 0.5),
        ("access_provision", "IT", 1.0, 0.5),
    ],
}

# approval levels by process: (step, level, approver role)
APPROVAL_STEPS = {
    "contract": [("contract_manager", 1), ("contract_director", 2), ("contract_cfo", 3)],
    "access": [("line_manager_access", 1), ("system_owner_access", 2)],
}
CONTRACT_LEVEL_LIMITS = [0, 100_000, 1_000_000]  # level n needed when amount exceeds limit n-1
