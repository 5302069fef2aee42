"""The printed mediation documents: 人民调解协议书 and 调解笔录, as Word and as PDF.

The samples follow the shaded-windows dispute in 万泉佳苑B区: a resident's windows shaded
by trees the property company had not pruned for years, settled by an agreement to prune
by a date and keep them pruned afterwards.
"""

from __future__ import annotations

import re
from dataclasses import replace
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from fengqiao.mediation.documents import (
    AgreementDocument,
    MinutesDocument,
    PartyParticulars,
    Signatory,
    TermText,
    render_agreement,
    render_minutes,
)
from fengqiao.mediation.documents.layout import agreement_layout, chinese_numeral

COMMITTEE = "万水泉镇人民调解委员会"

RESIDENT = PartyParticulars(
    role="申请人",
    name="田某某",
    sex="男",
    ethnicity="汉族",
    birth_date="1968年3月2日",
    id_number="150207196803021231",
    address="内蒙古自治区包头市稀土高新区万水泉镇万泉佳苑B区3号楼2单元101室",
    phone="13904721234",
)
PROPERTY_COMPANY = PartyParticulars(
    role="被申请人",
    name="包头市安居物业服务有限公司",
    is_organization=True,
    address="内蒙古自治区包头市稀土高新区万水泉镇万泉佳苑物业服务中心",
    phone="0472-5123456",
    representative="王某某（总经理）",
    agent="赵某，该公司万泉佳苑项目经理",
)

TERMS = (
    TermText(
        number=1,
        obligor="被申请人包头市安居物业服务有限公司",
        content="对万泉佳苑B区3号楼南侧、东侧的杨树、柳树进行修剪，修剪后树冠与住宅外墙、"
        "窗户及阳台的距离不少于3米，枯枝一并清除",
        manner="由被申请人组织专业绿化人员修剪，修剪前一日在楼栋单元门张贴告示，申请人可到场查看",
        due="2026年6月30日前",
    ),
    TermText(
        number=2,
        obligor="申请人田某某、被申请人包头市安居物业服务有限公司",
        content="修剪完成后共同到场验收，验收结果由网格员记录",
        manner="双方现场确认，网格员拍照存档",
        due="修剪完成之日起3日内",
    ),
    TermText(
        number=3,
        obligor="被申请人包头市安居物业服务有限公司",
        content="将B区楼栋周边树木纳入年度绿化养护计划，每年春、秋两季各修剪一次，"
        "保证树木不再遮挡住户窗户与阳台",
        manner="按年度养护计划执行，养护情况在小区公告栏公示",
        due="自2026年起每年4月30日前、10月31日前",
    ),
    TermText(
        number=4,
        obligor="申请人田某某",
        content="缴清2025年度物业服务费",
        manner="到物业服务中心缴纳或线上缴纳",
        due="2026年7月15日前",
    ),
)

AGREEMENT = AgreementDocument(
    number="（2026）万泉调字第12号",
    committee=COMMITTEE,
    regime="人民调解",
    parties=(RESIDENT, PROPERTY_COMPANY),
    facts=(
        "申请人田某某居住于万泉佳苑B区3号楼2单元101室。该楼栋周边的杨树、柳树由被申请人负责"
        "管护，多年未修剪，枝叶遮挡申请人家中窗户与阳台，致使室内采光严重不足，白天需开灯照明。"
        "申请人多次与被申请人沟通，被申请人以修剪费用未列入计划为由未予处理，申请人遂拒交2025年度"
        "物业服务费，双方矛盾激化。\n"
        "网格员巡查时发现该情况并报告镇综治中心，经双方同意，本委员会于2026年5月12日在现场组织调解。"
    ),
    matters="一、被申请人是否应当修剪遮挡申请人窗户的树木及修剪的范围和时限；"
    "二、今后树木的日常管护；三、申请人拖欠的物业服务费。",
    responsibilities=(
        "被申请人作为小区物业服务企业，负有小区绿化管护义务，长期未修剪树木，对纠纷的发生负主要责任；"
        "申请人以拒交物业服务费的方式表达诉求，方式不当，负次要责任。"
    ),
    terms=TERMS,
    performance_note="上述各项由各义务人按约定的方式和期限自行履行，本委员会负责督促履行并于期限届满后回访。",
    oral=False,
    copies=3,
    mediators=("李赫", "张某某"),
    signatories=(
        Signatory("当事人", "田某某", "2026年5月12日"),
        Signatory("当事人", "包头市安居物业服务有限公司"),
        Signatory("调解员", "李赫", "2026年5月12日"),
        Signatory("调解员", "张某某"),
        Signatory("记录人", "刘某"),
    ),
    made_on="2026年5月12日",
    effective_note="本协议自各方当事人签名、人民调解员签名并加盖人民调解委员会印章之日起生效。",
    judicial_note="双方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认。",
)

MINUTES = MinutesDocument(
    case_number="FQ-2026-000123",
    committee=COMMITTEE,
    held_at="2026年5月12日 上午9时30分",
    place="万泉佳苑B区3号楼南侧",
    setting="现场",
    mediators=("李赫", "张某某"),
    recorder="刘某",
    parties=(RESIDENT, PROPERTY_COMPANY),
    others_present=("网格员孙某", "B区单元长周某"),
    rights_notice=(
        "调解员向当事人告知：人民调解遵循自愿、平等、合法的原则，不收取任何费用；当事人有权选择或者"
        "接受调解员，有权接受调解、拒绝调解或者要求终止调解，有权要求调解公开进行或者不公开进行，"
        "有权自主表达意愿、自愿达成调解协议；当事人应当如实陈述纠纷事实，遵守调解现场秩序，尊重"
        "调解员，尊重对方当事人行使权利。各方当事人表示已听清，同意接受调解。"
    ),
    body=(
        "调解员：今天我们在现场调解田某某与物业公司之间的树木遮挡采光纠纷。请申请人先说一下情况。\n"
        "申请人：楼下这几棵杨树、柳树好几年没人修了，现在都长到三楼了，我家窗户和阳台整天见不着太阳，"
        "白天也得开灯。我找物业说了不下五次，一直没人管。\n"
        "\n"
        "被申请人：我们不是不管，是修剪要请专业队伍，今年的预算里没有这笔钱。田某某去年的物业费也没交。\n"
        "调解员：小区绿化管护是物业服务合同约定的内容，修剪费用不能成为不履行的理由。物业费的问题"
        "我们一会儿一并商量。\n"
        "\n"
        "双方到申请人家中查看采光情况，网格员拍照记录。\n"
        "被申请人：我们同意6月底前修剪，以后每年春秋各修一次。\n"
        "申请人：只要修好了，物业费我7月中旬前交清。"
    ),
    outcome="经调解，双方自愿达成协议，另行制作人民调解协议书（（2026）万泉调字第12号）。",
    signatories=(
        Signatory("当事人", "田某某", "2026年5月12日"),
        Signatory("当事人", "包头市安居物业服务有限公司"),
        Signatory("调解员", "李赫", "2026年5月12日"),
        Signatory("调解员", "张某某"),
        Signatory("记录人", "刘某"),
    ),
)

ORAL = replace(
    AGREEMENT,
    number="（2026）万泉调字第13号",
    oral=True,
    terms=(TERMS[0],),
    facts="申请人反映楼下树木遮挡窗户，双方当场商定修剪。",
)

ESCAPE_NAME = '<b>王某</b>&<script>alert("x")</script>'
ESCAPED = replace(
    AGREEMENT,
    parties=(replace(RESIDENT, name=ESCAPE_NAME), PROPERTY_COMPANY),
    signatories=(),
)

LONG = replace(
    AGREEMENT,
    terms=tuple(
        TermText(
            number=n,
            obligor="被申请人包头市安居物业服务有限公司",
            content=f"第{n}项养护工作：对B区{n}号楼周边树木进行修剪、补植和病虫害防治，并清运枝叶",
            manner="组织专业绿化人员实施，完成后在小区公告栏公示",
            due=f"2026年{(n - 1) % 12 + 1}月{n % 28 + 1}日前",
        )
        for n in range(1, 31)
    ),
)


def _docx_paragraphs(document) -> list[Paragraph]:
    """Every paragraph in reading order, those in table cells (the signatures) included."""
    paragraphs = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs.append(block)
        else:
            paragraphs += [p for row in block.rows for cell in row.cells for p in cell.paragraphs]
    return paragraphs


def _docx_text(data: bytes) -> tuple[object, str]:
    document = Document(BytesIO(data))
    return document, "\n".join(p.text for p in _docx_paragraphs(document))


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    """Text as extracted from a PDF breaks lines wherever the layout wrapped them."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], bytes]:
    samples = {
        "agreement": (render_agreement, AGREEMENT),
        "minutes": (render_minutes, MINUTES),
        "oral": (render_agreement, ORAL),
        "escaped": (render_agreement, ESCAPED),
    }
    out = {
        (name, fmt): render(doc, fmt)
        for name, (render, doc) in samples.items()
        for fmt in ("docx", "pdf")
    }
    out["long", "pdf"] = render_agreement(LONG, "pdf")
    return out


def text_of(rendered, name: str, fmt: str) -> str:
    data = rendered[name, fmt]
    return _squash(_docx_text(data)[1] if fmt == "docx" else _pdf_text(data)[1])


def party_texts(party: PartyParticulars) -> list[str]:
    return [
        value
        for value in (
            party.role,
            party.name,
            party.sex,
            party.ethnicity,
            party.birth_date,
            party.id_number,
            party.address,
            party.phone,
            party.representative,
            party.agent,
        )
        if value
    ]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_agreement_prints_the_form_in_full(rendered, fmt):
    text = text_of(rendered, "agreement", fmt)
    assert "人民调解协议书" in text
    assert "（2026）万泉调字第12号" in text
    for party in AGREEMENT.parties:
        for value in party_texts(party):
            assert _squash(value) in text, value
    assert "法定代表人：王某某（总经理）" in text
    assert "委托代理人：赵某，该公司万泉佳苑项目经理" in text
    assert "纠纷主要事实" in text and "争议事项" in text and "各方当事人的责任" in text
    assert "经调解，各方当事人自愿达成如下协议：" in text
    for term in AGREEMENT.terms:
        numeral = chinese_numeral(term.number) + "、"
        assert _squash(numeral + term.content) in text
        assert _squash(f"履行人：{term.obligor}") in text
        assert _squash(f"履行方式：{term.manner}") in text
        assert _squash(f"履行期限：{term.due}") in text
    assert "本协议一式三份，当事人各执一份，万水泉镇人民调解委员会留存一份。" in text
    assert _squash(AGREEMENT.effective_note) in text
    assert _squash(AGREEMENT.judicial_note) in text
    assert "当事人（签名盖章或按指印）：" in text
    assert "人民调解员（签名）：" in text
    assert "记录人（签名）：" in text
    assert text.index("人民调解员（签名）") < text.rindex("（印章）")
    assert "万水泉镇人民调解委员会（印章）2026年5月12日" in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_agreement_terms_keep_their_order(rendered, fmt):
    text = text_of(rendered, "agreement", fmt)
    positions = [text.index(chinese_numeral(t.number) + "、" + t.content[:6]) for t in TERMS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_every_signatory_has_a_line_signed_or_blank(rendered, fmt):
    text = text_of(rendered, "agreement", fmt)
    assert text.count("当事人（签名盖章或按指印）：") == 2
    assert text.count("人民调解员（签名）：") == 2
    assert "当事人（签名盖章或按指印）：田某某2026年5月12日" in text
    # not yet signed: the line is left blank, the signer's name beside it, the date open
    assert "当事人（签名盖章或按指印）：包头市安居物业服务有限公司年月日" in text
    assert "人民调解员（签名）：张某某年月日" in text
    assert "记录人（签名）：刘某年月日" in text


def test_a_role_left_out_of_the_signatories_still_gets_its_lines():
    lines = agreement_layout(replace(AGREEMENT, signatories=())).signatures
    assert [(line.label, line.name, line.signature) for line in lines] == [
        ("当事人（签名盖章或按指印）", "田某某", ""),
        ("当事人（签名盖章或按指印）", "包头市安居物业服务有限公司", ""),
        ("人民调解员（签名）", "李赫", ""),
        ("人民调解员（签名）", "张某某", ""),
    ]
    given = agreement_layout(
        replace(AGREEMENT, signatories=(Signatory("当事人", "田某某", "2026年5月12日"),))
    ).signatures
    assert [(line.name, line.date) for line in given if line.label.startswith("当事人")] == [
        ("田某某", "2026年5月12日")
    ]


def test_other_regimes_print_their_own_title_and_keeper():
    layout = agreement_layout(replace(AGREEMENT, regime="行政调解", committee=""))
    assert layout.title == "行政调解协议书"
    assert any(
        "调解组织留存一份" in line.text for section in layout.after for line in section.lines
    )
    assert any(line.label == "调解员（签名）" for line in layout.signatures)
    assert layout.issuer == "" and layout.seal == "（印章）"


def test_docx_signatures_are_lines_to_sign_on(rendered):
    document, _ = _docx_text(rendered["agreement", "docx"])
    table = document.tables[-1]
    rows = {row.cells[0].text: row for row in table.rows if "包头" in row.cells[1].text}
    unsigned = rows["当事人（签名盖章或按指印）："]
    line, _, name = unsigned.cells[1].text.partition("\n")
    assert not line.strip("\u3000") and name == "包头市安居物业服务有限公司"
    line_paragraph = unsigned.cells[1].paragraphs[0]
    assert line_paragraph._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
    assert _squash(unsigned.cells[2].text) == "年月日"
    signed = next(row for row in table.rows if row.cells[1].text == "田某某")
    assert signed.cells[2].text == "2026年5月12日"


@pytest.mark.parametrize("name", ["agreement", "minutes", "oral"])
def test_every_word_run_has_an_east_asian_font(rendered, name):
    document, _ = _docx_text(rendered[name, "docx"])
    paragraphs = _docx_paragraphs(document)
    for section in document.sections:
        paragraphs += section.footer.paragraphs
    runs = [run for p in paragraphs for run in p.runs if run.text]
    assert runs
    for run in runs:
        fonts = run._element.rPr.rFonts
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text


def test_docx_is_a4_with_official_margins(rendered):
    document, _ = _docx_text(rendered["agreement", "docx"])
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    title = document.paragraphs[0]
    assert title.text == "人民调解协议书"
    assert title.alignment == 1  # centred
    assert title.runs[0].bold
    assert "小标宋" in title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert document.paragraphs[1].text == "（2026）万泉调字第12号"
    assert document.paragraphs[1].alignment == 2  # right


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_minutes_print_header_dialogue_outcome_and_signatures(rendered, fmt):
    text = text_of(rendered, "minutes", fmt)
    assert "调解笔录" in text
    assert "FQ-2026-000123" in text
    for expected in (
        "时间：2026年5月12日上午9时30分",
        "地点：万泉佳苑B区3号楼南侧",
        "调解方式：现场",
        "调解员：李赫、张某某",
        "记录人：刘某",
        "其他在场人员：网格员孙某、B区单元长周某",
    ):
        assert expected in text
    for party in MINUTES.parties:
        for value in party_texts(party):
            assert _squash(value) in text, value
    assert _squash(MINUTES.rights_notice) in text
    assert "申请人：楼下这几棵杨树" in text
    assert "被申请人：我们同意6月底前修剪" in text
    assert "双方到申请人家中查看采光情况" in text
    assert _squash(MINUTES.outcome) in text
    assert text.count("当事人签名：") == 2
    assert text.count("调解员签名：") == 2
    assert "记录人签名：刘某年月日" in text


def test_minutes_keep_dialogue_lines_apart_in_word(rendered):
    document, _ = _docx_text(rendered["minutes", "docx"])
    lines = [p.text for p in _docx_paragraphs(document)]
    assert any(line.startswith("调解员：今天我们在现场") for line in lines)
    assert any(line.startswith("申请人：楼下这几棵杨树") for line in lines)
    speech = next(p for p in document.paragraphs if p.text.startswith("被申请人：我们不是"))
    assert speech.runs[0].text == "被申请人：" and speech.runs[0].bold


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_oral_agreement_prints_as_a_record_of_it(rendered, fmt):
    text = text_of(rendered, "oral", fmt)
    assert "口头调解协议记录" in text
    assert "人民调解协议书" not in text
    assert "自愿达成如下口头协议" in text
    assert _squash("一、" + TERMS[0].content) in text
    assert "本协议一式" not in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_markup_in_data_is_printed_as_text(rendered, fmt):
    text = text_of(rendered, "escaped", fmt)
    assert _squash(ESCAPE_NAME) in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_characters_that_cannot_print_are_dropped(fmt):
    doc = replace(MINUTES, body="调解员：请\x0b双方\x00陈述。\x0c", parties=(RESIDENT,))
    text = text_of({("m", fmt): render_minutes(doc, fmt)}, "m", fmt)
    assert "调解员：请双方陈述。" in text


def test_pdf_html_escapes_data():
    from fengqiao.mediation.documents.pdf import render_html

    html = render_html(agreement_layout(ESCAPED))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;王某&lt;/b&gt;&amp;" in html


@pytest.mark.parametrize("name", ["agreement", "minutes"])
def test_pdf_embeds_a_cjk_font_and_chinese_extracts(rendered, name):
    reader, text = _pdf_text(rendered[name, "pdf"])
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).replace("-", ""))
    assert any("NotoSerifCJK" in font for font in fonts), fonts
    assert any("NotoSansCJK" in font for font in fonts), fonts
    assert "万水泉镇人民调解委员会" in _squash(text)
    assert "\ufffd" not in text


def test_pdf_pages_are_a4_and_numbered(rendered):
    reader, _ = _pdf_text(rendered["agreement", "pdf"])
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    total = len(reader.pages)
    for index, page in enumerate(reader.pages, start=1):
        assert f"第{index}页共{total}页" in _squash(page.extract_text())


def test_long_agreement_spans_pages_with_every_term(rendered):
    reader, text = _pdf_text(rendered["long", "pdf"])
    total = len(reader.pages)
    assert total >= 3
    squashed = _squash(text)
    for n in (1, 10, 11, 20, 21, 30):
        assert f"{chinese_numeral(n)}、第{n}项养护工作" in squashed
    assert f"第{total}页共{total}页" in _squash(reader.pages[-1].extract_text())
    # the signature block is kept together: every signature line is on the last page
    assert _squash(reader.pages[-1].extract_text()).count("（签名") == 5


@pytest.mark.parametrize("render", [render_agreement, render_minutes])
def test_unknown_format_is_refused(render):
    doc = AGREEMENT if render is render_agreement else MINUTES
    with pytest.raises(ValueError):
        render(doc, "odt")


@pytest.mark.parametrize(
    ("number", "numeral"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (30, "三十"),
        (105, "一百零五"),
        (110, "一百一十"),
    ],
)
def test_chinese_numerals(number, numeral):
    assert chinese_numeral(number) == numeral
