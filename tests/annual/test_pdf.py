"""The written .docx as LibreOffice lays it out: A4, several pages, the text and the page numbers in the PDF.

Skipped where LibreOffice (soffice) or poppler (pdfinfo, pdftotext) is not installed.
"""

import datetime
import re
import shutil
import subprocess
from typing import NamedTuple

import pytest

from annual.docx import HEADING1, HEADING2, PARAGRAPH, Block, OfficialDocument, write_docx

pytestmark = [
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
        reason="poppler-utils is not installed",
    ),
]

TITLE = "聊城市人民政府关于2022年度法治政府建设情况的报告"
ISSUER = "聊城市人民政府"
A4_POINTS = (595.3, 841.9)
PAGE_WIDTH = A4_POINTS[0]
MIDDLE = PAGE_WIDTH / 2
LEFT_MARGIN, RIGHT_MARGIN = 28 / 25.4 * 72, 26 / 25.4 * 72
BODY_BOTTOM = A4_POINTS[1] - 35 / 25.4 * 72
BODY_CENTRE = LEFT_MARGIN + 156 / 25.4 * 72 / 2
PAGE_NUMBER_LINE = re.compile(r"^— \d+ —$", re.MULTILINE)
CONVERSION_SECONDS = 120

# Sentences of the city's year-end report for 2017 (seed 000), five parts as the real report has them.
PARTS = [
    (
        "一、依法全面履行政府职能",
        [
            Block(HEADING2, "（一）推进政府职能转变"),
            Block(
                PARAGRAPH,
                "市委办公室、市政府办公室联合印发了《关于深化放管服改革进一步优化政务环境的实施意见》"
                "（聊办发〔2017〕44号），确定了削权减证、流程再造、精准监管、体制创新、规范用权五大行动、"
                "50项具体改革任务，为实现创新发展、持续发展、领先发展提供了有力保障。",
            ),
            Block(
                HEADING2,
                "（二）深化行政审批制度改革。市政府办公室印发了《聊城市深化重点领域行政审批制度改革实施方案》，"
                "着力深化市场准入、投资项目两个重点领域行政审批制度改革，进一步释放了改革红利，消减行政权力事项"
                "42项，清理规范中介服务收费项目3项，精简审批过程中的各类证明、盖章环节和申请材料，有效地精简了"
                "行政审批事项。",
            ),
            Block(
                HEADING2,
                "（三）加强市场监管。多部门联合执法，开展生产流通领域专项整治活动，强化市场监管，规范了市场秩序。"
                "开展流通领域家用电子电器、装饰装修材料、服装鞋帽、儿童用品、工业制品、消防产品、化工商品等七大类"
                "380个批次的商品抽查检验工作。其中，抽检成品油样品1090个、监测市属媒体广告2383条，户外广告2576条。",
            ),
        ],
    ),
    (
        "二、完善依法行政制度体系",
        [
            Block(HEADING2, "（一）完善政府立法体制机制"),
            Block(
                PARAGRAPH,
                "科学制定政府立法规划和年度立法计划，公开向社会征求立法项目意见。经过认真筛选，组织市政府法律顾问、"
                "行政管理部门分管负责人论证，征求市人大常委会、市人大常委会法工委的意见后，市政府印发立法规划和"
                "年度立法工作计划，从制度上重点解决民生服务、环境保护、道路交通安全等社会关注的热点问题。",
            ),
            Block(
                HEADING2,
                "（二）加强重点领域政府立法。结合我市实际，围绕市委市政府中心工作，着眼解决服务民生、环境保护、"
                "道路交通安全等社会关注的热点问题，出台《聊城市停车场建设和管理办法》《聊城市城市供水管理办法》"
                "《聊城市燃气管理办法》三部地方政府规章。",
            ),
        ],
    ),
    (
        "三、推进行政决策科学化、民主化、法治化",
        [
            Block(HEADING2, "（一）落实重大行政决策程序"),
            Block(
                PARAGRAPH,
                "印发了《聊城市人民政府重大行政决策程序规定》，对于重大行政决策的具体程序进行了详细规定，并附"
                "《公众参与程序细则》《专家咨询论证程序细则》《风险评估程序细则》《合法性审查程序细则》。"
                "制定了重大行政决策全过程记录和档案规范化监督管理制度，建立健全了依法、科学民主的决策机制。",
            ),
            Block(
                HEADING2,
                "（二）加强重大行政决策合法性审查。落实重大行政决策合法性审查程序的具体要求，建立承办人员初审、"
                "承办科室会审、分管领导审核、主要领导审批的工作程序。2017年对57起决策事项进行了合法性审查，"
                "依法要求决策承办部门修改实体问题50余个。",
            ),
        ],
    ),
    (
        "四、坚持严格规范公正文明执法",
        [
            Block(HEADING2, "（一）理顺行政执法体制"),
            Block(
                PARAGRAPH,
                "按照一个部门只保留一支执法队伍的原则，整合执法力量，规范执法队伍：市级执法队伍由60支精简到30支；"
                "县（市、区）组建综合行政执法局，执法队伍由120支精简至60支。",
            ),
            Block(
                HEADING2,
                "（二）规范行政执法行为。全力推行三项制度，进一步促进行政执法行为规范化。12月，出台《聊城市行政执法"
                "信息公示办法》《聊城市行政执法全过程记录实施办法》；34个市直单位的《行政执法事项清单》"
                "《行政执法主体资格清单》和《行政执法人员资格清单》在聊城市政府门户网站公示。",
            ),
        ],
    ),
    (
        "五、强化对行政权力的制约和监督",
        [
            Block(HEADING2, "（一）自觉接受各方面监督"),
            Block(
                PARAGRAPH,
                "严格落实党建主体责任，扎实开展“两学一做”学习教育，切实把从严治党要求落到实处。认真落实"
                "“企业工作日”“金融工作日”“群众工作日”制度，实行了领导干部公开接访常态化，帮助解决问题1253件。"
                "办理人大代表建议190件、政协委员提案206件，满意率和基本满意率分别达到98%和100%。",
            ),
            Block(
                HEADING2,
                "（二）完善政府内部层级监督。加强行政执法监督，健全完善行政执法监督体制，制定了《聊城市行政执法监督"
                "体制机制改革实施方案》。5月，省编办批复同意设立聊城市人民政府行政执法监督局，为建立专职行政执法"
                "监督队伍提供了体制保障。",
            ),
        ],
    ),
]
INTRO = (
    "2022年，聊城市政府深入学习贯彻习近平法治思想，以贯彻落实《法治政府建设实施纲要（2021—2025年）》为主线，"
    "充分发挥职能作用，持续推进依法行政，加快建设法治政府，在各方面取得了明显成效。现将有关情况报告如下："
)


def realistic_document():
    blocks = [Block(PARAGRAPH, INTRO)]
    for heading, part in PARTS:
        blocks += [Block(HEADING1, heading), *part]
    return OfficialDocument(
        title=TITLE, blocks=blocks, issuer=ISSUER, date=datetime.date(2023, 3, 1), addressee="市委："
    )


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    """The realistic document written and converted to PDF by LibreOffice."""
    folder = tmp_path_factory.mktemp("pdf")
    docx_path = folder / "report.docx"
    write_docx(realistic_document(), docx_path)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERSION_SECONDS,
    )
    return folder / "report.pdf"


def pdf_info(path):
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdf_text(path, *options):
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


class Word(NamedTuple):
    left: float
    top: float
    right: float
    text: str


def pages_words(path):
    """For each page, its words with their positions in points from the top left, from pdftotext's boxes."""
    pages = pdf_text(path, "-bbox").split("<page ")[1:]
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')
    return [
        [Word(float(left), float(top), float(right), text) for left, top, right, text in word.findall(page)]
        for page in pages
    ]


def running_text(path):
    """The PDF's text without its page numbers and without spaces (pdftotext puts some around digits)."""
    return re.sub(r"\s+", "", PAGE_NUMBER_LINE.sub("", pdf_text(path, "-raw")))


def without_spaces(text):
    return re.sub(r"\s+", "", text)


def test_libreoffice_lays_it_out_on_several_a4_pages(pdf):
    info = pdf_info(pdf)

    width, height = (float(number) for number in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width, 1), round(height, 1)) == A4_POINTS
    assert int(info["Pages"]) >= 3


def test_the_pdf_holds_the_title_the_headings_and_the_signature(pdf):
    text = running_text(pdf)

    assert text.startswith(TITLE)
    positions = [text.index(without_spaces(heading)) for heading, _part in PARTS]
    assert positions == sorted(positions)
    for _heading, part in PARTS:
        for block in part:
            assert without_spaces(block.text) in text
    assert text.endswith("聊城市人民政府2023年3月1日")


def test_every_page_is_numbered_with_the_rendered_page_field(pdf):
    text = pdf_text(pdf, "-raw")
    pages = int(pdf_info(pdf)["Pages"])

    for number in range(1, pages + 1):
        assert f"— {number} —" in text
    assert "— 2 —" in text


def test_page_numbers_alternate_right_and_left(pdf):
    for number, words in enumerate(pages_words(pdf), start=1):
        foot = [word for word in words if word.top > BODY_BOTTOM and word.text in ("—", str(number))]
        assert len(foot) == 3, foot
        if number % 2:
            assert MIDDLE < foot[0].left and foot[-1].right < PAGE_WIDTH - RIGHT_MARGIN, foot
        else:
            assert LEFT_MARGIN < foot[0].left and foot[-1].right < MIDDLE, foot


def test_the_title_is_centred_and_the_signature_right_aligned(pdf):
    pages = pages_words(pdf)

    title_line = [word for word in pages[0] if word.top == pages[0][0].top]
    assert (title_line[0].left + title_line[-1].right) / 2 == pytest.approx(BODY_CENTRE, abs=2)
    (issuer,) = [word for word in pages[-1] if word.text == ISSUER]
    assert issuer.left > MIDDLE
    assert PAGE_WIDTH - RIGHT_MARGIN - issuer.right == pytest.approx(4 * 16, abs=2)  # four characters in
