"""Generated data for measuring the pages at realistic sizes (`manage.py generate_data`, `manage.py bench`).

Three scales, each a function of (scale, seed, size) and nothing else (no clock, no database ids) — the
same seed gives the same names, texts, states and timestamps on every database:

- city:     one city — about 80 units (市政府办公室, 40 市直部门, 9 党委和司法机关, 8 县（市、区）政府,
            3 市属开发区, 19 其他单位 of which 8 are county 司法局 under their county), one plan (9 sections,
            22 tasks, about 1,500 assignments), 4 quarterly reporting periods, one report per assignment and
            period (about 6,000) in every state and progress, their audit trail (ReportEvent), a coordinator,
            a leader and one reporter per unit;
- province: 17 cities (河南省's), each with its own units, plan, periods and reporters;
- decade:   one city over ten years, 2016–2025: ten plans for the same units (the last one active).

Nothing here collides with the demo (聊城市, 聊政办字〔2022〕9号): the cities are others, usernames start
with ``gen_``, and the generated units sort after the demo's, so a short name such as “市司法局” still
resolves to the demo unit when the importer reads the demo notice.

A dataset is identified by (scale, seed): its coordinator's username ``gen_<scale><seed>_coordinator``
marks it as generated. Generating the same dataset twice is refused (`AlreadyGenerated`); a different
seed of the same scale picks another city (city, decade) but the province always uses the same 17, so a
second province seed, or a city seed that wraps around to a city already generated, is refused as a name
conflict (`NameConflict`) instead of half-written. Everything is written in one transaction.

``size`` (0 < size <= 1) shrinks every city (fewer units and tasks; at most round(17 × size) cities of
the province, at least 2) for tests and quick trials; the marker, the cities and the document numbers do
not depend on it.
"""

import datetime
import json
import random
import time
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction

from demo.management.commands.load_demo import ensure_role_groups
from tasks.models import Assignment, ProgressReport, ReportEvent, ReportingPeriod, Section, Task, WorkPlan
from units.models import Membership, Unit, User
from units.roles import COORDINATOR, LEADER

SCALES = ("city", "province", "decade")
DEFAULT_SEED = 1
PASSWORD = "Gen@2025"  # every generated user's password (hashed once per run)
CITY_YEAR = 2025  # the plan year of the city and province scales
DECADE_YEARS = tuple(range(2016, 2026))
UNIT_ORDER_BASE = 100_000  # after the demo's units (10–550) and units added by the importer (10,000)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

# (city, abbreviation used in the document number). None of them is 聊城; abbreviations are unique.
SHANDONG = [
    ("济南市", "济"),
    ("青岛市", "青"),
    ("淄博市", "淄"),
    ("枣庄市", "枣"),
    ("东营市", "东"),
    ("烟台市", "烟"),
    ("潍坊市", "潍"),
    ("济宁市", "济宁"),
    ("泰安市", "泰"),
    ("威海市", "威"),
    ("日照市", "日"),
    ("临沂市", "临"),
    ("德州市", "德"),
    ("滨州市", "滨"),
    ("菏泽市", "菏"),
]
HENAN = [
    ("郑州市", "郑"),
    ("开封市", "汴"),
    ("洛阳市", "洛"),
    ("平顶山市", "平"),
    ("安阳市", "安"),
    ("鹤壁市", "鹤"),
    ("新乡市", "新"),
    ("焦作市", "焦"),
    ("濮阳市", "濮"),
    ("许昌市", "许"),
    ("漯河市", "漯"),
    ("三门峡市", "三"),
    ("南阳市", "宛"),
    ("商丘市", "商"),
    ("信阳市", "信"),
    ("周口市", "周"),
    ("驻马店市", "驻"),
]
JIANGSU = [
    ("南京市", "宁"),
    ("无锡市", "锡"),
    ("徐州市", "徐"),
    ("常州市", "常"),
    ("苏州市", "苏"),
    ("南通市", "通"),
    ("连云港市", "连"),
    ("淮安市", "淮"),
    ("盐城市", "盐"),
    ("扬州市", "扬"),
    ("镇江市", "镇"),
    ("泰州市", "泰州"),
    ("宿迁市", "宿"),
]

# City units: (full name after the city's name, short name as plans write it). The first 30 are the
# demo's departments, so the short names the real plan uses for lead units are found in every city.
DEPARTMENTS = [
    ("司法局", "市司法局"),
    ("发展和改革委员会", "市发展改革委"),
    ("教育和体育局", "市教育体育局"),
    ("科学技术局", "市科技局"),
    ("工业和信息化局", "市工业和信息化局"),
    ("公安局", "市公安局"),
    ("民政局", "市民政局"),
    ("财政局", "市财政局"),
    ("人力资源和社会保障局", "市人力资源社会保障局"),
    ("自然资源和规划局", "市自然资源和规划局"),
    ("生态环境局", "市生态环境局"),
    ("住房和城乡建设局", "市住房城乡建设局"),
    ("城市管理局", "市城管局"),
    ("交通运输局", "市交通运输局"),
    ("水利局", "市水利局"),
    ("农业农村局", "市农业农村局"),
    ("商务和投资促进局", "市商务投资促进局"),
    ("文化和旅游局", "市文化和旅游局"),
    ("卫生健康委员会", "市卫生健康委"),
    ("退役军人事务局", "市退役军人局"),
    ("应急管理局", "市应急局"),
    ("审计局", "市审计局"),
    ("市场监督管理局", "市市场监管局"),
    ("统计局", "市统计局"),
    ("医疗保障局", "市医保局"),
    ("信访局", "市信访局"),
    ("地方金融监督管理局", "市地方金融监管局"),
    ("行政审批服务局", "市行政审批局"),
    ("大数据局", "市大数据局"),
    ("人民政府国有资产监督管理委员会", "市国资委"),
    ("林业局", "市林业局"),
    ("人民政府外事办公室", "市外办"),
    ("民族宗教事务局", "市民族宗教局"),
    ("粮食和物资储备局", "市粮食和储备局"),
    ("能源局", "市能源局"),
    ("机关事务管理局", "市机关事务局"),
    ("人民防空办公室", "市人防办"),
    ("综合行政执法局", "市综合执法局"),
    ("公共资源交易中心", "市公共资源交易中心"),
    ("畜牧兽医事务中心", "市畜牧兽医中心"),
]
# (template with {c} for the city's name, short name)
PARTY_JUDICIAL = [
    ("中共{c}委全面依法治市委员会办公室", "市委依法治市办"),
    ("中共{c}委政法委员会", "市委政法委"),
    ("中共{c}委组织部", "市委组织部"),
    ("中共{c}委宣传部", "市委宣传部"),
    ("中共{c}委机构编制委员会办公室", "市委编办"),
    ("中共{c}委网络安全和信息化委员会办公室", "市委网信办"),
    ("中共{c}纪律检查委员会", "市纪委监委"),
    ("{c}中级人民法院", "市法院"),
    ("{c}人民检察院", "市检察院"),
]
DEV_ZONES = [
    ("{c}经济技术开发区管理委员会", "经开区管委会"),
    ("{c}高新技术产业开发区管理委员会", "高新区管委会"),
    ("{c}综合保税区管理委员会", "综保区管委会"),
]
OTHERS = [
    ("国家税务总局{c}税务局", "市税务局"),
    ("{c}烟草专卖局", "市烟草专卖局"),
    ("{c}残疾人联合会", "市残联"),
    ("{c}工商业联合会", "市工商联"),
    ("{c}妇女联合会", "市妇联"),
    ("{c}总工会", "市总工会"),
    ("共青团{c}委员会", "团市委"),
    ("{c}气象局", "市气象局"),
    ("{c}消防救援支队", "市消防救援支队"),
    ("{c}住房公积金管理中心", "市住房公积金中心"),
    ("{c}红十字会", "市红十字会"),
]
# County-level areas: a root from here and 区 / 县 / 市; each city takes 8 different roots.
COUNTY_ROOTS = (
    "东城 西城 南湖 北川 安平 永和 清河 长乐 宁远 兴隆 福山 龙泉 石门 青阳 临川 平原 高阳 新安 云梦 桃源 "
    "柳江 梅山 金川 银山 华容 太和 泰和 宜阳 武陵 乐安 广饶 博兴 阳信 沂水 蒙山 汶上 嘉祥 鱼台 金乡 邹平 "
    "惠民 无棣 庆云 宁津 乐陵 夏津 武城 齐河 临邑 平阴 商河 莱西 胶东 崇文 凤台 丰乐 瑞安 德兴 长丰 怀远"
).split()
COUNTY_KINDS = ["区", "区", "区", "县", "县", "县", "县", "市"]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
    "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞亮建国文辉力斌宇浩凯健俊帆旭宁林欣悦晨阳雪梅琳颖倩婷慧佳思雨嘉博晓志海峰波东春燕"

QUARTERS = [
    ("第一季度", (1, 1), (3, 31), (4, 10)),
    ("第二季度", (4, 1), (6, 30), (7, 10)),
    ("第三季度", (7, 1), (9, 30), (10, 10)),
    ("第四季度", (10, 1), (12, 31), (12, 20)),
]

# Phrases of a real year-end report (聊城市 2017 年度法治政府建设情况的报告, 昌乐县 2020 年度报告).
PHRASES = """
充分发挥职能作用 持续推进依法行政 加快建设法治政府 在各方面取得了明显成效 进一步释放了改革红利
精简审批过程中的各类证明、盖章环节和申请材料 有效地精简了行政审批事项 实现了行政执法事项随机抽查全覆盖
落实各项减税降费政策 开展生产流通领域专项整治活动 着力简化办事环节和手续、优化公共服务流程
搭建起规范高效的实体大厅和贯通市县一体的政务服务网上平台 网格员实现全覆盖 积极打造县乡村三级综治中心
扎实推进公共安全视频监控联网应用 狠抓中央、省环保督察反馈问题整改 科学制定政府立法规划和年度立法计划
公开向社会征求立法项目意见 保障立法的科学性、民主性 围绕市委市政府中心工作
着眼解决服务民生、环境保护、道路交通安全等社会关注的热点问题 推动公众有序参与
通过召开座谈会、协调会、论证会、听证会、实地考察等形式 广泛收集和认真听取了社会群众、专家学者及相关部门的意见建议
并就意见采纳情况向社会进行了公开反馈 确保立法工作公开透明 合理界定规范性文件 加大规范性文件备案审查力度
改进备案审查工作机制和方法 实行规范性文件目录和文本动态化、信息化管理 启用规范性文件电子报备系统
建立了重大行政决策程序制度 建立健全了依法、科学民主的决策机制 落实重大行政决策合法性审查程序的具体要求
是否与上位法相抵触 是否符合法定程序等进行严格审查 建立党政一体法律顾问制度 充分发挥法律顾问的参谋助手作用
按照一个部门只保留一支执法队伍的原则 全力推行三项制度 进一步促进行政执法行为规范化 开展案卷评查工作
开展了行政执法人员年审培训、申领培训、考核、发证等工作 加强行政执法信息化建设和信息共享
强化科技、装备在行政执法中的应用 实现网上执法办案、信息查询和执法监督
实现行政执法全过程记录、行政执法公示、执法监督等三大功能 严格落实党建主体责任 切实把从严治党要求落到实处
实行了领导干部公开接访常态化 改进了民主评议政风行风工作 加强行政执法监督 健全完善行政执法监督体制
开展了建设性的社会监督和舆论监督 继续推进政府信息公开平台载体建设 努力满足社会公众日益增长的政府信息公开需求
统一调配法律服务资源 形成了有效工作合力 进一步提高了法律顾问工作知晓率 继续完善相对集中行政复议权制度
实行集中受理、集中审理、集中决定 完善行政复议案件审理机制 根据案件的繁简程度、争议大小 合理确定审理程序
依法运用调解、和解方式解决纠纷 提高行政复议办案质量 加大行政复议纠错力度 坚决纠正违法或者不当的行政行为
进一步畅通行政复议申请渠道 依法保障公民、法人和其他组织获得行政救济的权利 开展行政复议专业化、规范化、信息化建设
建立了全市应诉人员信息库 注重发挥政府法律顾问智囊团作用 邀请政府法律顾问参与应诉 有效化解矛盾纠纷
建立健全基层劳动人事争议预防调解体制机制 形成多渠道、广覆盖的劳动人事争议预防调解工作网络
加强专业性行业性调解组织和人民调解员队伍建设 拓展物业、消费等人民调解新领域 及时发现苗头隐患
实现了受理数据全录入、信访业务全应用、办理过程全公开 极大地方便了群众随时就地反映诉求
建立法治政府建设组织领导体系和工作协调机制 确立了法治政府建设第一责任人的责任 建立了法治政府建设工作协调机制
建立了法治政府建设报告制度的长效机制 举办多种形式的法治培训班、法治讲座 加大领导干部学法考核力度
实现了无纸化学法考法全覆盖 增强了普法的广泛性和实效性 加强重大行政决策和行政规范性文件合法性审查
推动合法性审查工作向部门、镇街延伸 推动实施日常评估清理 确保工作持续性、有效性 完善行政执法程序
严肃执法风纪 形成矛盾纠纷非诉化解合力 提升行政复议办案规范化水平 推行调解和解、公开听证等办案模式
深入开展宪法、党内法律法规、民法典等学习宣传教育 落实普法责任制 扎实推进重点对象学法用法 凝聚法治共识
""".split()
OPENERS = [
    "本期以来，我单位认真贯彻落实市委、市政府关于法治政府建设的决策部署，",
    "按照年度工作计划的分工要求，我单位高度重视，主要负责人亲自部署，",
    "对照任务清单，我单位明确责任科室和时间节点，",
    "围绕年度法治政府建设目标任务，我单位坚持统筹推进、重点突破，",
]
ORDINALS = "一二三四五六七八九十"
PROBLEMS = [
    "个别领导干部对法治政府建设的重要性、紧迫性认识不足，重部署、轻落实，影响工作推进实效。",
    "偏重落实上级决策部署要求，工作缺少开拓性、创新性。",
    "沟通协调机制不顺畅，督导检查工作办法不够灵活，导致一些工作落实不够理想。",
    "基层执法人员法律素养有待提高，执法规范化水平与上级要求还有一定差距。",
    "行政执法信息化建设相对滞后，部门间数据共享不够充分。",
    "普法宣传的针对性和实效性还需进一步增强。",
]
NEXT_STEPS = [
    "增强全社会厉行法治的积极性和主动性，推动全社会尊法学法守法用法。",
    "推进行政决策科学化、民主化、法治化，加强重大行政决策和行政规范性文件合法性审查。",
    "大力推进严格规范公正文明执法，加强行政执法规范化和制度化建设，提高执法效率。",
    "提升行政复议办案规范化水平，推行调解和解、公开听证等办案模式。",
    "落实普法责任制，扎实推进重点对象学法用法，以点带面推动普治共举。",
    "全面提升法治政府建设的质量和水平，确保各项任务按期完成。",
]
RETURN_NOTES = [
    "请补充具体工作数据和佐证材料。",
    "工作开展情况过于笼统，请对照任务内容逐项说明。",
    "存在的问题和下一步工作未填写完整，请补充后重新报送。",
    "请说明滞后原因及整改措施。",
]

# How reports stand, by period (earlier periods are mostly settled); weights in the order of the choices.
STATES = [
    ProgressReport.State.DRAFT,
    ProgressReport.State.SUBMITTED,
    ProgressReport.State.RETURNED,
    ProgressReport.State.ACCEPTED,
]
STATE_WEIGHTS = [(10, 8, 7, 75), (15, 15, 10, 60), (23, 25, 12, 40), (40, 30, 15, 15)]
CLOSED_STATE_WEIGHTS = (3, 4, 3, 90)
PROGRESSES = [
    ProgressReport.Progress.NOT_STARTED,
    ProgressReport.Progress.ON_TRACK,
    ProgressReport.Progress.BEHIND,
    ProgressReport.Progress.DONE,
]
PROGRESS_WEIGHTS = [(25, 55, 10, 10), (10, 55, 15, 20), (5, 45, 15, 35), (2, 30, 13, 55)]

# ReportEvent.action of the generated audit trail
CREATE, SUBMIT, RETURN, ACCEPT = "create", "submit", "return", "accept"

BATCH = 1000
GENERATED_MODELS = [
    Unit,
    User,
    Membership,
    WorkPlan,
    Section,
    Task,
    Assignment,
    ReportingPeriod,
    ProgressReport,
    ReportEvent,
]


class GenerationError(Exception):
    """The dataset cannot be generated into this database; the message is Chinese, for the user."""


class AlreadyGenerated(GenerationError):
    pass


class NameConflict(GenerationError):
    pass


@dataclass(frozen=True)
class Dataset:
    """What (scale, seed, size) generates: its cities and years, and the names that identify it."""

    scale: str
    seed: int
    size: float
    cities: tuple  # ((name, abbreviation), …)
    years: tuple

    @property
    def tag(self):
        return f"{self.scale}{self.seed}"

    @property
    def coordinator_username(self):
        return f"gen_{self.tag}_coordinator"

    @property
    def leader_username(self):
        return f"gen_{self.tag}_leader"

    def doc_number(self, city, year):
        name, abbreviation = city
        number = random.Random(f"doc:{self.scale}:{self.seed}:{name}:{year}").randint(3, 30)
        return f"{abbreviation}政办字〔{year}〕{number}号"

    @property
    def doc_numbers(self):
        return [self.doc_number(city, year) for city in self.cities for year in self.years]

    @property
    def main_doc_number(self):
        """The plan the benchmark opens: the first city's latest plan."""
        return self.doc_number(self.cities[0], self.years[-1])


def dataset(scale, seed=DEFAULT_SEED, size=1.0):
    if scale not in SCALES:
        raise GenerationError(f"未知的规模“{scale}”，可选：{'、'.join(SCALES)}。")
    if not 0 < size <= 1:
        raise GenerationError("规模系数 size 须大于 0 且不大于 1。")
    if scale == "city":
        cities, years = (SHANDONG[seed % len(SHANDONG)],), (CITY_YEAR,)
    elif scale == "decade":
        cities, years = (JIANGSU[seed % len(JIANGSU)],), DECADE_YEARS
    else:
        cities, years = tuple(HENAN[: max(2, round(len(HENAN) * size))]), (CITY_YEAR,)
    return Dataset(scale, seed, size, cities, years)


def is_generated(data):
    return User.objects.filter(username=data.coordinator_username).exists()


# --- text --------------------------------------------------------------------------------------------


def body_text(rng, topic, period_name, low=300, high=1500):
    """Pseudo-text of `low`–`high` characters from real phrases: an opening, then 一是…二是… sentences."""
    target = rng.randint(low, high)
    parts = [f"{period_name}，", rng.choice(OPENERS), f"扎实推进“{topic}”各项工作。"]
    length = sum(map(len, parts))
    number = 0
    while length < target:
        clauses = rng.choices(PHRASES, k=rng.randint(2, 4))
        lead = f"{ORDINALS[number]}是" if number < len(ORDINALS) else ""
        sentence = lead + "，".join(clauses) + "。"
        parts.append(sentence)
        length += len(sentence)
        number += 1
    text = "".join(parts)
    return text if len(text) <= high else text[: high - 1] + "。"


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


# --- plan shape ----------------------------------------------------------------------------------------


def _plan_template():
    """The real plan's sections and items (fixtures/plan_2022.json): titles, contents and lead units."""
    path = settings.BASE_DIR / "fixtures" / "plan_2022.json"
    return json.loads(path.read_text(encoding="utf-8"))["sections"]


def _scaled(count, size, minimum=1):
    return max(minimum, min(count, round(count * size)))


@dataclass
class CityUnits:
    """A city's generated units, by kind (Unit objects with pks)."""

    office: Unit
    departments: list
    party: list
    counties: list
    zones: list
    others: list
    by_short_name: dict = field(default_factory=dict)

    @property
    def all(self):
        return [self.office, *self.departments, *self.party, *self.counties, *self.zones, *self.others]


def _unit_rows(rng, city_name, size):
    """(name, short name, kind, parent index or None) of one city's units, in display order."""
    rows = [(f"{city_name}人民政府办公室", "市政府办公室", Unit.Kind.CITY_OFFICE, None)]
    rows += [
        (city_name + suffix, short, Unit.Kind.CITY_DEPARTMENT, None)
        for suffix, short in DEPARTMENTS[: _scaled(len(DEPARTMENTS), size, 2)]
    ]
    rows += [
        (template.format(c=city_name), short, Unit.Kind.PARTY_JUDICIAL, None)
        for template, short in PARTY_JUDICIAL[: _scaled(len(PARTY_JUDICIAL), size)]
    ]
    county_count = _scaled(len(COUNTY_KINDS), size, 2)
    roots = rng.sample(COUNTY_ROOTS, county_count)
    counties = []
    for root, kind in zip(roots, COUNTY_KINDS[:county_count], strict=True):
        short = root + kind
        counties.append((f"{city_name}{short}人民政府", short))
    county_start = len(rows)
    rows += [(name, short, Unit.Kind.COUNTY, None) for name, short in counties]
    rows += [
        (template.format(c=city_name), short, Unit.Kind.DEV_ZONE, None)
        for template, short in DEV_ZONES[: _scaled(len(DEV_ZONES), size)]
    ]
    rows += [
        (template.format(c=city_name), short, Unit.Kind.OTHER, None)
        for template, short in OTHERS[: _scaled(len(OTHERS), size)]
    ]
    rows += [
        (f"{city_name}{short}司法局", f"{short}司法局", Unit.Kind.OTHER, county_start + i)
        for i, (_name, short) in enumerate(counties)
    ]
    return rows


def _create_units(rng, city_index, city_name, size):
    rows = _unit_rows(rng, city_name, size)
    base = UNIT_ORDER_BASE + city_index * 1000
    units = [
        Unit(name=name, short_name=short, kind=kind, order=base + 10 * (i + 1))
        for i, (name, short, kind, _parent) in enumerate(rows)
    ]
    top = [unit for unit, row in zip(units, rows, strict=True) if row[3] is None]
    Unit.objects.bulk_create(top, batch_size=BATCH)
    children = []
    for unit, row in zip(units, rows, strict=True):
        if row[3] is not None:
            unit.parent = units[row[3]]
            children.append(unit)
    Unit.objects.bulk_create(children, batch_size=BATCH)
    by_kind = {kind: [u for u in units if u.kind == kind] for kind in Unit.Kind.values}
    return CityUnits(
        office=by_kind[Unit.Kind.CITY_OFFICE][0],
        departments=by_kind[Unit.Kind.CITY_DEPARTMENT],
        party=by_kind[Unit.Kind.PARTY_JUDICIAL],
        counties=by_kind[Unit.Kind.COUNTY],
        zones=by_kind[Unit.Kind.DEV_ZONE],
        others=by_kind[Unit.Kind.OTHER],
        by_short_name={u.short_name: u for u in units},
    )


def _task_units(rng, item, units):
    """(leads, responsibles) for one task: the real item's lead units where the city has them, and
    nearly every city-level unit, every county and zone and some other units as responsible."""
    leads = [units.by_short_name[name] for name in item["lead_units"] if name in units.by_short_name]
    if not leads:
        leads = [rng.choice(units.departments)]
    lead_ids = {unit.pk for unit in leads}
    city_level = [u for u in [units.office, *units.departments, *units.party] if u.pk not in lead_ids]
    dropped = set(rng.sample(range(len(city_level)), min(len(city_level) - 1, rng.randint(0, 8))))
    responsibles = [u for i, u in enumerate(city_level) if i not in dropped]
    responsibles += units.counties + units.zones
    extra = rng.sample(units.others, rng.randint(min(4, len(units.others)), len(units.others)))
    responsibles += sorted(extra, key=lambda u: u.order)
    return leads, [u for u in responsibles if u.pk not in lead_ids]


def _responsibility_text(leads, extra):
    names = "、".join(unit.short_name for unit in leads)
    others = "、".join(unit.short_name for unit in extra)
    text = f"〔牵头单位:{names};责任单位:市直各部门,各县(市、区)人民政府、市属开发区管委会"
    return text + (f",{others}〕" if others else "〕")


# --- reports -------------------------------------------------------------------------------------------


def _moment(rng, day, earliest=None):
    """A working-hours moment on `day` (Asia/Shanghai), after `earliest` if given."""
    moment = datetime.datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=TZ
    )
    if earliest is not None and moment <= earliest:
        moment = earliest + datetime.timedelta(minutes=rng.randint(5, 600))
    return moment


def _report_with_events(rng, assignment, period, index, closed, reporter, coordinator, topic):
    weights = CLOSED_STATE_WEIGHTS if closed else STATE_WEIGHTS[min(index, 3)]
    state = rng.choices(STATES, weights)[0]
    progress = rng.choices(PROGRESSES, PROGRESS_WEIGHTS[min(index, 3)])[0]
    span = max(1, (period.due_on - period.starts_on).days - 3)
    created = _moment(rng, period.starts_on + datetime.timedelta(days=rng.randint(0, span)))
    report = ProgressReport(
        assignment=assignment,
        period=period,
        state=state,
        progress=progress,
        body=body_text(rng, topic, period.name),
        problems="" if progress == ProgressReport.Progress.DONE else rng.choice(PROBLEMS),
        next_steps=rng.choice(NEXT_STEPS),
        created_at=created,
    )
    events = [(reporter, created, CREATE, "", ProgressReport.State.DRAFT, "")]
    last = created
    if state != ProgressReport.State.DRAFT:
        version = 1
        submitted = _moment(rng, period.due_on - datetime.timedelta(days=rng.randint(0, 3)), last)
        events.append(
            (reporter, submitted, SUBMIT, ProgressReport.State.DRAFT, ProgressReport.State.SUBMITTED, "")
        )
        last = submitted
        cycle = state == ProgressReport.State.RETURNED or (
            state == ProgressReport.State.ACCEPTED and rng.random() < 0.2
        )
        if cycle:
            note = rng.choice(RETURN_NOTES)
            returned = last + datetime.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
            events.append(
                (
                    coordinator,
                    returned,
                    RETURN,
                    ProgressReport.State.SUBMITTED,
                    ProgressReport.State.RETURNED,
                    note,
                )
            )
            report.reviewed_by, report.reviewed_at, report.review_note = coordinator, returned, note
            last = returned
            if state == ProgressReport.State.ACCEPTED:
                version = 2
                submitted = last + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5))
                events.append(
                    (
                        reporter,
                        submitted,
                        SUBMIT,
                        ProgressReport.State.RETURNED,
                        ProgressReport.State.SUBMITTED,
                        "",
                    )
                )
                last = submitted
        report.submitted_by, report.submitted_at, report.version = reporter, submitted, version
        if state == ProgressReport.State.ACCEPTED:
            accepted = last + datetime.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 5))
            events.append(
                (
                    coordinator,
                    accepted,
                    ACCEPT,
                    ProgressReport.State.SUBMITTED,
                    ProgressReport.State.ACCEPTED,
                    "",
                )
            )
            report.reviewed_by, report.reviewed_at, report.review_note = coordinator, accepted, ""
            last = accepted
    report.updated_at = last
    return report, events


@contextmanager
def _explicit_timestamps(*fields):
    """Let bulk_create keep the timestamps given (auto_now / auto_now_add would overwrite them)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _timestamp_fields():
    return (
        ProgressReport._meta.get_field("created_at"),
        ProgressReport._meta.get_field("updated_at"),
        ReportEvent._meta.get_field("at"),
    )


# --- one city ------------------------------------------------------------------------------------------


@dataclass
class Counts:
    units: int = 0
    plans: int = 0
    sections: int = 0
    tasks: int = 0
    assignments: int = 0
    periods: int = 0
    reports: int = 0
    events: int = 0
    users: int = 0


def _create_reporters(rng, data, city_index, units, password):
    """One reporter (联络员) per unit; returns {unit pk: User}."""
    users = [
        User(
            username=f"gen_{data.tag}_{city_index:02d}_{i:03d}", full_name=person_name(rng), password=password
        )
        for i in range(len(units.all))
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(
        [
            Membership(user=user, unit=unit, role=Membership.Role.REPORTER)
            for user, unit in zip(users, units.all, strict=True)
        ],
        batch_size=BATCH,
    )
    return {unit.pk: user for user, unit in zip(users, units.all, strict=True)}


def _create_plan(rng, data, city, year, units, reporters, coordinator, template, counts):
    city_name, _abbreviation = city
    closed = year != data.years[-1]
    plan = WorkPlan.objects.create(
        year=year,
        title=f"{city_name}{year}年法治政府建设工作计划",
        doc_number=data.doc_number(city, year),
        issuer=f"{city_name}人民政府办公室",
        issued_on=datetime.date(year, 3, rng.randint(5, 28)),
        status=WorkPlan.Status.CLOSED if closed else WorkPlan.Status.ACTIVE,
    )
    items_wanted = _scaled(sum(len(s["items"]) for s in template), data.size, 3)
    sections, tasks, plan_items, number = [], [], [], 0
    for section_data in template:
        items = section_data["items"][: max(0, items_wanted - number)]
        if not items:
            break
        section = Section(plan=plan, number=section_data["number"], title=section_data["title"])
        sections.append(section)
        for item in items:
            number += 1
            plan_items.append((section, item))
    Section.objects.bulk_create(sections, batch_size=BATCH)
    task_units = []
    for section, item in plan_items:
        leads, responsibles = _task_units(rng, item, units)
        deadline = datetime.date(year, 6, 30) if rng.random() < 0.15 else datetime.date(year, 12, 31)
        extra = [u for u in responsibles if u.kind == Unit.Kind.OTHER]
        tasks.append(
            Task(
                plan=plan,
                section=section,
                number=item["number"],
                title=item["title"],
                content=item["content"],
                deadline=deadline,
                responsibility_text=_responsibility_text(leads, extra),
            )
        )
        task_units.append((leads, responsibles))
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    assignments = [
        Assignment(task=task, unit=unit, role=role, deadline=task.deadline, order=order)
        for task, (leads, responsibles) in zip(tasks, task_units, strict=True)
        for role, group in ((Assignment.Role.LEAD, leads), (Assignment.Role.RESPONSIBLE, responsibles))
        for order, unit in enumerate(group)
    ]
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    periods = []
    for i, (name, starts, ends, due) in enumerate(QUARTERS):
        periods.append(
            ReportingPeriod(
                plan=plan,
                name=name,
                starts_on=datetime.date(year, *starts),
                ends_on=datetime.date(year, *ends),
                due_on=datetime.date(year, *due),
                locked=closed or i < len(QUARTERS) - 1,
            )
        )
    ReportingPeriod.objects.bulk_create(periods)
    reports, event_rows = [], []
    topics = {task.pk: task.title.rstrip("。") for task in tasks}
    for index, period in enumerate(periods):
        for assignment in assignments:
            report, events = _report_with_events(
                rng,
                assignment,
                period,
                index,
                closed,
                reporters[assignment.unit_id],
                coordinator,
                topics[assignment.task_id],
            )
            reports.append(report)
            event_rows.append(events)
    ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
    events = [
        ReportEvent(
            report=report, actor=actor, at=at, action=action, from_state=before, to_state=after, comment=note
        )
        for report, rows in zip(reports, event_rows, strict=True)
        for actor, at, action, before, after, note in rows
    ]
    ReportEvent.objects.bulk_create(events, batch_size=BATCH)
    counts.plans += 1
    counts.sections += len(sections)
    counts.tasks += len(tasks)
    counts.assignments += len(assignments)
    counts.periods += len(periods)
    counts.reports += len(reports)
    counts.events += len(events)


# --- the whole dataset ---------------------------------------------------------------------------------


def check_free(data):
    """Raise AlreadyGenerated / NameConflict if the dataset cannot be written into this database."""
    if is_generated(data):
        raise AlreadyGenerated(
            f"规模 {data.scale}、种子 {data.seed} 的数据已经生成过（账号 {data.coordinator_username} 已存在），"
            "不再重复生成；请换一个 --seed，或使用另一个数据库。"
        )
    taken = list(
        WorkPlan.objects.filter(doc_number__in=data.doc_numbers).values_list("doc_number", flat=True)
    )
    office_names = [f"{name}人民政府办公室" for name, _abbreviation in data.cities]
    taken += list(Unit.objects.filter(name__in=office_names).values_list("name", flat=True))
    taken += list(
        User.objects.filter(username__startswith=f"gen_{data.tag}_").values_list("username", flat=True)[:3]
    )
    if taken:
        raise NameConflict(
            f"与数据库中已有的数据重名：{'、'.join(taken[:5])}（可能是同一城市的另一次生成），"
            "请换一个 --seed，或使用另一个数据库。"
        )


@transaction.atomic
def generate(scale, seed=DEFAULT_SEED, size=1.0):
    """Write the dataset (scale, seed, size) in one transaction; returns (Dataset, Counts, seconds)."""
    started = time.perf_counter()
    data = dataset(scale, seed, size)
    check_free(data)
    ensure_role_groups()  # the coordinator and leader groups with their permissions, as in the demo
    counts = Counts()
    password = make_password(PASSWORD)
    people = random.Random(f"people:{scale}:{seed}")
    coordinator = User(username=data.coordinator_username, full_name=person_name(people), password=password)
    leader = User(username=data.leader_username, full_name=person_name(people), password=password)
    User.objects.bulk_create([coordinator, leader])
    groups = {group.name: group for group in Group.objects.filter(name__in=[COORDINATOR, LEADER])}
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=coordinator.pk, group_id=groups[COORDINATOR].pk),
            User.groups.through(user_id=leader.pk, group_id=groups[LEADER].pk),
        ]
    )
    counts.users += 2
    template = _plan_template()
    with _explicit_timestamps(*_timestamp_fields()):
        for city_index, city in enumerate(data.cities):
            rng = random.Random(f"city:{scale}:{seed}:{size}:{city[0]}")
            units = _create_units(rng, city_index, city[0], size)
            reporters = _create_reporters(rng, data, city_index, units, password)
            counts.units += len(units.all)
            counts.users += len(reporters)
            for year in data.years:
                year_rng = random.Random(f"plan:{scale}:{seed}:{size}:{city[0]}:{year}")
                _create_plan(year_rng, data, city, year, units, reporters, coordinator, template, counts)
    _analyze()
    return data, counts, time.perf_counter() - started


def _analyze():
    """Fresh planner statistics on PostgreSQL, so that a benchmark right after generating is not measuring
    plans made for empty tables (autovacuum would get there, later)."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in GENERATED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in tables))


def summary(data, counts, seconds):
    """The one-line report of a generation."""
    c = counts
    cities = "、".join(name for name, _abbreviation in data.cities[:3]) + (
        "等" if len(data.cities) > 3 else ""
    )
    return (
        f"已生成 {data.scale}（种子 {data.seed}，{cities}）：{c.units:,} 个单位、{c.plans:,} 个计划、"
        f"{c.sections:,} 个部分、{c.tasks:,} 项任务、{c.assignments:,} 条分工、{c.periods:,} 个报送期、"
        f"{c.reports:,} 份进展报告、{c.events:,} 条报告记录、{c.users:,} 个账号（密码 {PASSWORD}），"
        f"用时 {seconds:.1f} 秒。"
    )
