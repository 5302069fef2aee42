"""The seed's story end to end, in real Chromium: the shaded windows of 万泉佳苑.

A grid worker reports on her phone that the poplars and willows by a block have not been
pruned for years and darken a resident's windows → the centre accepts it as a general
property dispute → the dispatcher sends it to the property team → the team's mediator holds
an on-site session and drafts, on the phone, an agreement: the property company prunes by a
date and keeps the trees trimmed afterwards → the agreement is signed, printed as Word and
PDF and opened → the follow-ups find the pruning done and the resident satisfied → the case
is closed. In the variant, the follow-up after the deadline finds nothing done: a centre
leader reopens the case from the finding.

Every step is done on the pages by the person who does it; the clock is moved between
steps (`fengqiao.core.clock.now`, read by the live server's thread as well).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from fengqiao.cases.models import Case, CaseCategory, State
from fengqiao.core import clock
from fengqiao.followups.models import FollowUp, Reason, Status
from fengqiao.mediation.models import Agreement, MediationStatus
from fengqiao.people.services import organization_create
from tests.fixtures import (
    DESK,
    PASSWORD,
    PHONE,
    SCREENSHOTS,
    PersonFactory,
    Town,
    build_town,
    local_only,
    phone_context,
    property_team,
    shanghai,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Monday 2 March 2026, 9:00 in Shanghai: the grid worker reports.
REPORTED_AT = shanghai(2026, 3, 2, 9, 0)
SESSION_DAY = dt.date(2026, 3, 4)  # Wednesday: the on-site session, agreement, signatures
PRUNE_BY = dt.date(2026, 3, 18)  # the agreed deadline for the pruning
RESIDENT = "田秀兰"
COMPANY = "万泉物业服务有限公司"
TITLE = "楼栋周边树木遮挡窗户采光"
PRUNING = "修剪B区3号楼周边杨树、柳树，枝叶不得遮挡住户窗户与阳台"
UPKEEP = "此后每年春季、秋季各修剪一次"


# --------------------------------------------------------------------------- the cast
@dataclass
class Story:
    """The people of the story, each on their own device, and the clock they share."""

    browser: Any
    base: str
    town: Town
    monkeypatch: pytest.MonkeyPatch
    pages: dict[str, Any] = field(default_factory=dict)

    def at(self, *moment: int) -> dt.datetime:
        when = shanghai(*moment)
        self.monkeypatch.setattr(clock, "now", lambda: when)
        return when

    def on_phone(self, role: str) -> Any:
        return self._page(role, phone=True)

    def at_desk(self, role: str) -> Any:
        return self._page(role, phone=False)

    def _page(self, role: str, *, phone: bool) -> Any:
        key = f"{role}-{'phone' if phone else 'desk'}"
        if key not in self.pages:
            if phone:
                context = phone_context(self.browser)
            else:
                context = self.browser.new_context(viewport=DESK, locale="zh-CN")
                context.route("**/*", local_only)
            page = context.new_page()
            log_in(page, self.base, self.town.user(role).username)
            self.pages[key] = page
        return self.pages[key]

    def keep_evidence(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for key, page in self.pages.items():
            if not page.is_closed():
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{key}.png"), full_page=True)


@contextmanager
def story_told(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> Iterator[Story]:
    """The story's cast; on a failure each person's screen is kept under var/screenshots."""
    town = build_town()
    team = property_team(town)
    team.categories.add(CaseCategory.objects.get(code="property"))
    story = Story(browser, live_server.url, town, monkeypatch)
    try:
        yield story
    except Exception:
        story.keep_evidence(name)
        raise


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    through(page, "button[type=submit].primary")
    page.wait_for_selector("nav.mainnav", state="attached")


# --------------------------------------------------------------------------- what people see
def through(page: Any, target: Any) -> None:
    """Click what leads to another page, and wait until that page has loaded."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def follow_menu(page: Any, path: str) -> None:
    """Through the main menu; on a phone it opens from its button first."""
    # Only once the stylesheet is in does the menu know whether it is folded.
    page.wait_for_load_state("load")
    link = page.locator(f"nav.mainnav a[href='{path}']")
    if not link.is_visible():
        page.click(".nav-toggle-label")
    through(page, link)


def fits_the_phone(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def success_message(page: Any) -> str:
    return page.inner_text(".messages .success")


def state_label(page: Any) -> str:
    return page.inner_text(".case-card-tags .tag[class*='state-']")


def timeline(page: Any) -> list[str]:
    """The headings of the case's timeline, oldest first (not the mediation's sessions)."""
    section = page.locator("section.card", has=page.locator("h2", has_text="办理记录"))
    return section.locator(".timeline-head strong").all_inner_texts()


def open_case(page: Any, base: str, case: Case) -> None:
    page.goto(f"{base}/cases/{case.pk}/")


def take_action(page: Any, action: str) -> None:
    """Unfold an action of the case page and press its button."""
    page.click(f"#action-{action} > summary")
    through(page, f"#action-{action} button[type=submit]")
    page.wait_for_selector(".messages .success")


# --------------------------------------------------------------------------- the steps
def grid_worker_reports(story: Story, resident: Any) -> Case:
    """On her phone, the grid worker reports what the resident told her on the patrol."""
    story.at(2026, 3, 2, 9, 0)
    page = story.on_phone("grid_worker")
    follow_menu(page, "/cases/new/")
    assert fits_the_phone(page)
    # A grid worker registers; accepting is the centre's.
    assert page.locator("#id_accept_now").count() == 0
    assert page.input_value("#id_kind") == "dispute"
    assert page.input_value("#id_grade") == "general"
    page.select_option("#id_category", label="物业纠纷")
    page.select_option("#id_channel", "grid_report")
    page.fill("#id_title", TITLE)
    page.fill(
        "#id_account",
        "万泉佳苑B区居民田秀兰反映：楼栋周边杨树、柳树多年未修剪，枝叶遮挡窗户与阳台，"
        "家中采光严重不足，多次与物业沟通无果，双方矛盾激化。",
    )
    page.fill("#id_area_search", "1组")
    page.click(".picker-choice:has-text('东村1组')")
    page.fill("#id_address", "万泉佳苑B区3号楼")

    applicant, respondent = (
        page.locator("fieldset.party").nth(0),
        page.locator("fieldset.party").nth(1),
    )
    applicant.locator(".party-search").fill(resident.phone)
    applicant.locator(".party-choice").click()
    assert applicant.locator(".party-chosen-label").inner_text().startswith(RESIDENT)
    respondent.locator(".party-search").fill("万泉物业")
    respondent.locator(".party-choice", has_text=COMPANY).click()
    assert respondent.locator(".party-chosen-label").inner_text().startswith(COMPANY)
    assert fits_the_phone(page)

    through(page, "form.intake button[type=submit].primary")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get()
    assert case.number in page.inner_text("h1")
    assert state_label(page) == "待受理"
    assert fits_the_phone(page)
    return case


def centre_accepts(story: Story, case: Case) -> None:
    """The intake clerk finds the report in the town's queue and accepts it as it stands."""
    story.at(2026, 3, 2, 9, 40)
    page = story.at_desk("intake_clerk")
    page.goto(f"{story.base}/cases/")
    row = page.locator(".case-card", has=page.locator(f"a[href='/cases/{case.pk}/']"))
    assert row.locator(".tag").all_inner_texts() == ["待受理", "一般 · 矛盾纠纷", "物业纠纷"]
    through(page, row.locator("a.case-title"))
    assert "网格上报" in page.inner_text("dl.facts")
    take_action(page, "accept")
    assert state_label(page) == "已受理，待分派"


def dispatcher_sends_to_the_property_team(story: Story, case: Case) -> None:
    story.at(2026, 3, 2, 10, 0)
    team = property_team(story.town)
    page = story.at_desk("dispatcher")
    page.goto(f"{story.base}/cases/")
    through(page, f"a[href='/cases/{case.pk}/']")
    page.click("#action-dispatch > summary")
    # The team that takes property disputes is proposed.
    assert page.input_value("#id_dispatch-handler") == f"team:{team.pk}"
    through(page, "#action-dispatch button[type=submit]")
    page.wait_for_selector(".messages .success")
    assert state_label(page) == "已分派，待签收"
    assert team.name in page.inner_text("dl.facts")


def mediator_takes_it_on(story: Story, case: Case) -> None:
    """On the phone: the team's queue, acknowledge, start work."""
    story.at(2026, 3, 2, 10, 30)
    page = story.on_phone("mediator")
    page.goto(f"{story.base}/cases/")
    row = page.locator(".case-card", has=page.locator(f"a[href='/cases/{case.pk}/']"))
    assert row.locator(".tag").first.inner_text() == "已分派，待签收"
    through(page, row.locator("a.case-title"))
    take_action(page, "acknowledge")
    assert state_label(page) == "已签收"
    take_action(page, "start")
    assert state_label(page) == "办理中"
    assert fits_the_phone(page)


def mediator_mediates_on_site(story: Story, case: Case) -> Agreement:
    """On the phone, at the block: start the mediation, record the session, draft the
    agreement with its term and the upkeep afterwards."""
    story.at(2026, 3, 4, 16, 0)
    page = story.on_phone("mediator")
    open_case(page, story.base, case)
    panel = page.locator("#mediation")
    assert "物业纠纷调解队" in panel.inner_text()  # the proposed team
    through(page, panel.locator("a", has_text="启动调解"))
    assert page.input_value("#id_regime") == "people"
    assert page.input_value("#id_organization") == str(property_team(story.town).pk)
    assert page.locator("input[name=mediators]:checked").count() == 1
    assert fits_the_phone(page)
    through(page, "form.form button[type=submit].primary")
    page.wait_for_selector(".messages .success")

    through(page, page.locator("#mediation a", has_text="记录调解"))
    page.fill("#id_held_at", "2026-03-04T14:30")
    page.fill("#id_place", "万泉佳苑B区3号楼楼下")
    page.select_option("#id_setting", "on_site")
    page.check("#id_parties_present_0")
    page.check("#id_parties_present_1")
    page.fill("#id_others_present", "社区网格员\n小区楼长")
    page.fill(
        "#id_minutes",
        "调解员：告知双方权利义务。\n田秀兰：树枝挡住窗户，白天屋里也得开灯。\n"
        "物业：绿化养护费用紧张，愿意安排修剪。\n"
        "经现场查看，双方同意由物业于3月18日前完成修剪，此后定期养护。",
    )
    assert fits_the_phone(page)
    through(page, "form.form button[type=submit].primary")
    page.wait_for_selector(".messages .success")
    sessions = page.locator("#mediation .timeline").inner_text()
    assert "万泉佳苑B区3号楼楼下" in sessions and "现场调解" in sessions

    through(page, page.locator("#mediation a", has_text="拟定调解协议"))
    # The parties of the case are the agreement's; today is the day it is made.
    assert page.locator("input[name=parties]:checked").count() == 2
    assert page.input_value("#id_made_on") == SESSION_DAY.isoformat()
    page.fill("#id_matters", "楼栋周边树木长期未修剪，遮挡住户采光；物业管护责任如何落实。")
    page.fill("#id_responsibilities", "小区绿化由物业负责管护，物业未及时修剪，应予整改。")
    company = case.parties.get(organization__isnull=False)
    page.select_option("#id_terms-0-obligor", str(company.pk))
    page.fill("#id_terms-0-content", PRUNING)
    page.fill("#id_terms-0-manner", "由物业绿化班组修剪，清运枝叶")
    page.fill("#id_terms-0-due_on", PRUNE_BY.isoformat())
    page.fill("#id_terms-0-recurring", UPKEEP)
    assert fits_the_phone(page)
    through(page, "form.form button[type=submit].primary")
    page.wait_for_selector(".messages .success")
    agreement = Agreement.objects.get(mediation__case=case)
    terms = page.inner_text("#mediation ol.terms")
    assert PRUNING in terms and "2026-03-18" in terms and UPKEEP in terms
    assert agreement.number in page.inner_text("#mediation")
    assert fits_the_phone(page)
    return agreement


def signed_and_resolved(story: Story, case: Case, agreement: Agreement) -> None:
    """Back at the centre: the signatures on the paper, then the outcome."""
    story.at(2026, 3, 4, 17, 0)
    page = story.at_desk("mediator")
    open_case(page, story.base, case)
    assert "尚未生效：等待" in page.inner_text("#mediation")
    resident_party = case.parties.get(person__isnull=False)
    company = case.parties.get(organization__isnull=False)
    mediator = story.town.user("mediator")
    for signer in (
        f"party:{resident_party.pk}",
        f"party:{company.pk}",
        f"mediator:{mediator.pk}",
    ):
        through(page, page.locator("#mediation a", has_text="登记签字"))
        assert page.input_value("#id_signed_on") == SESSION_DAY.isoformat()
        page.select_option("#id_signer", signer)
        through(page, "form.form button[type=submit].primary")
        page.wait_for_selector(".messages .success")
    agreement.refresh_from_db()
    assert agreement.effective_on == SESSION_DAY
    # In effect: nobody is waited for, and the window for judicial confirmation opens.
    panel = page.inner_text("#mediation")
    assert "尚未生效" not in panel and "司法确认" in panel
    assert page.locator("#mediation a", has_text="登记签字").count() == 0

    through(page, page.locator("#mediation a", has_text="登记调解结果"))
    page.check("input[name=outcome][value=success]")
    page.fill("#id_note", "双方达成协议：物业于2026年3月18日前完成修剪，此后定期养护。")
    through(page, "form.form button[type=submit].primary")
    page.wait_for_selector(".messages .success")
    assert state_label(page) == "已办理，待办结"
    entries = timeline(page)
    for label in ("启动调解", "调解", "拟定调解协议", "调解协议签字", "登记办理结果"):
        assert label in entries, (label, entries)
    case.refresh_from_db()
    assert case.state == State.RESOLVED
    assert case.mediations.get().status == MediationStatus.SUCCEEDED


def the_dispute_is_mediated(story: Story) -> tuple[Case, Agreement]:
    resident = PersonFactory(name=RESIDENT, area=story.town.unit_a1)
    organization_create(
        actor=None, name=COMPANY, area=story.town.grid_a1, legal_representative="孙建国"
    )
    case = grid_worker_reports(story, resident)
    # The page's "now" is the moved clock: the live server reads the same clock.
    assert case.received_at == REPORTED_AT
    centre_accepts(story, case)
    dispatcher_sends_to_the_property_team(story, case)
    mediator_takes_it_on(story, case)
    agreement = mediator_mediates_on_site(story, case)
    signed_and_resolved(story, case, agreement)
    return case, agreement


# --------------------------------------------------------------------------- documents
def _download(page: Any, link: str) -> tuple[bytes, str]:
    with page.expect_download() as info:
        page.click(link)
    download = info.value
    return Path(download.path()).read_bytes(), download.suggested_filename


def _docx_text(data: bytes) -> str:
    document = Document(BytesIO(data))
    paragraphs = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs.append(block.text)
        else:
            paragraphs += [
                p.text for row in block.rows for cell in row.cells for p in cell.paragraphs
            ]
    return "\n".join(paragraphs)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def documents_are_printed_and_read(story: Story, case: Case, agreement: Agreement) -> None:
    page = story.at_desk("mediator")
    open_case(page, story.base, case)
    for fmt, label, read in (("docx", "Word", _docx_text), ("pdf", "PDF", _pdf_text)):
        link = f"#mediation a[href='/mediation/agreements/{agreement.pk}/document.{fmt}']"
        assert page.inner_text(link) == label
        content, name = _download(page, link)
        assert name == f"人民调解协议书{agreement.number}.{fmt}"
        text = _squash(read(content))
        assert "人民调解协议书" in text
        assert _squash(agreement.number) in text
        for words in (RESIDENT, COMPANY, PRUNING, UPKEEP):
            assert _squash(words) in text, (fmt, words)


# --------------------------------------------------------------------------- follow-ups
def followup_for(case: Case, *, reason: str, days: int = 0) -> FollowUp:
    found = FollowUp.objects.filter(case=case, reason=reason)
    if reason == Reason.AFTER_RESULT:
        found = found.filter(offset_days=days)
    return found.get()


def at_morning_of(story: Story, day: dt.date, hour: int = 9) -> None:
    story.at(day.year, day.month, day.day, hour, 30)


def grid_worker_follows_up(
    story: Story,
    followup: FollowUp,
    *,
    method: str,
    satisfaction: str,
    performed: str | None = None,
    notes: str = "",
    overdue: bool = False,
) -> Any:
    """From her follow-up queue, on the phone: open the follow-up and record it."""
    page = story.on_phone("grid_worker")
    follow_menu(page, "/followups/")
    row = page.locator(
        ".followup-list li", has=page.locator(f"a[href='/followups/{followup.pk}/']")
    )
    assert followup.case.number in row.inner_text()
    tags = row.locator(".tag").all_inner_texts()
    assert ("超期" in tags) is overdue, tags
    assert fits_the_phone(page)
    through(page, row.locator(f"a[href='/followups/{followup.pk}/']"))
    page.check(f"input[name=method][value={method}]")
    page.check("input[name=reached][value=yes]")
    term = page.locator("input[name^=term_][value=yes]")
    if performed is not None:
        assert PRUNING in page.inner_text(".followup-form")
        page.check(f"input[name^=term_][value={performed}]")
    else:
        assert term.count() == 1  # the term may be answered, and need not be
    page.check(f"input[name=satisfaction][value={satisfaction}]")
    if notes:
        page.fill("#id_notes", notes)
    assert fits_the_phone(page)
    through(page, ".followup-form button[type=submit].primary")
    page.wait_for_selector(".messages li")
    return page


def test_the_shaded_windows_are_mediated_pruned_followed_up_and_closed(
    live_server, browser, monkeypatch
):
    with story_told(live_server, browser, monkeypatch, "story-kept") as story:
        case, agreement = the_dispute_is_mediated(story)
        documents_are_printed_and_read(story, case, agreement)

        # Resolving scheduled the follow-ups: 7 and 30 days on, and the pruning deadline;
        # the grid worker of the grid takes them.
        day_7 = followup_for(case, reason=Reason.AFTER_RESULT, days=7)
        deadline = followup_for(case, reason=Reason.TERM_DEADLINE)
        day_30 = followup_for(case, reason=Reason.AFTER_RESULT, days=30)
        assert deadline.due_on == PRUNE_BY
        assert {f.assignee for f in (day_7, deadline, day_30)} == {story.town.user("grid_worker")}

        # A week on, a call: the pruning is not due yet.
        at_morning_of(story, day_7.due_on)
        page = grid_worker_follows_up(
            story, day_7, method="phone", satisfaction="basically_satisfied"
        )
        assert success_message(page) == "回访已登记。"

        # The day after the deadline, on site: the trees are pruned, the rooms are light.
        at_morning_of(story, PRUNE_BY + dt.timedelta(days=1))
        page = grid_worker_follows_up(
            story,
            deadline,
            method="on_site",
            performed="yes",
            satisfaction="satisfied",
            notes="屋里终于亮堂了，心里也亮堂了。",
            overdue=True,
        )
        assert success_message(page) == "回访已登记。"
        assert "已履行" in page.locator(".followup-list").inner_text()
        through(page, f"a[href='/cases/{case.pk}/']")
        assert state_label(page) == "已办理，待办结"
        assert timeline(page)[-1] == "回访：协议已履行"
        assert fits_the_phone(page)

        # Thirty days on, a last call; then the centre closes the case.
        at_morning_of(story, day_30.due_on)
        grid_worker_follows_up(story, day_30, method="phone", satisfaction="satisfied")
        assert set(case.followups.values_list("status", flat=True)) == {Status.DONE}

        story.at(day_30.due_on.year, day_30.due_on.month, day_30.due_on.day, 15, 0)
        clerk = story.at_desk("intake_clerk")
        open_case(clerk, story.base, case)
        panel = clerk.inner_text("#followups")
        assert panel.count("已完成") == 3
        take_action(clerk, "close")
        assert success_message(clerk) == "已完成：办结归档。"
        assert state_label(clerk) == "已办结"
        assert timeline(clerk)[-4:] == [
            "回访：协议已履行",
            "回访：协议已履行",
            "回访：协议已履行",
            "办结归档",
        ]
        case.refresh_from_db()
        assert case.state == State.CLOSED


def test_the_follow_up_finds_the_trees_unpruned_and_the_case_reopens(
    live_server, browser, monkeypatch
):
    with story_told(live_server, browser, monkeypatch, "story-not-kept") as story:
        case, _agreement = the_dispute_is_mediated(story)
        deadline = followup_for(case, reason=Reason.TERM_DEADLINE)

        # The day after the deadline, on site: nothing has been cut.
        at_morning_of(story, PRUNE_BY + dt.timedelta(days=1))
        page = grid_worker_follows_up(
            story,
            deadline,
            method="on_site",
            performed="no",
            satisfaction="dissatisfied",
            notes="物业未按期修剪，树枝仍遮挡窗户。",
            overdue=True,
        )
        # A grid worker cannot reopen a case: the finding goes to the centre's leaders.
        assert page.inner_text(".messages li") == "已登记。已提请中心领导重新启动办理。"
        assert "提请：重新办理。由中心领导决定。" in page.inner_text("section.card")
        assert page.locator("form[action$='/decide/']").count() == 0
        case.refresh_from_db()
        assert case.state == State.RESOLVED

        # The leader finds it among the follow-ups awaiting a decision, and reopens.
        story.at(2026, 3, 19, 11, 0)
        leader = story.at_desk("leader")
        follow_menu(leader, "/followups/")
        through(leader, "a[href='?bucket=decision']")
        row = leader.locator(".followup-list li")
        assert row.count() == 1
        assert case.number in row.inner_text() and "待领导决定" in row.inner_text()
        through(leader, row.locator(f"a[href='/followups/{deadline.pk}/']"))
        finding = leader.inner_text("blockquote")
        assert "未履行" in finding and "不满意" in finding and "物业未按期修剪" in finding
        through(leader, "form[action$='/decide/'] button[type=submit]")
        leader.wait_for_url(f"**/cases/{case.pk}/")
        assert success_message(leader) == "已处理：事件现为“办理中”。"
        assert state_label(leader) == "办理中"
        assert timeline(leader)[-2:] == ["回访：协议未履行", "重新办理"]
        last = leader.locator("section.card", has=leader.locator("h2", has_text="办理记录"))
        assert "已办理，待办结 → 办理中" in last.locator("li").last.inner_text()

        case.refresh_from_db()
        assert case.state == State.IN_PROGRESS
        # What remained to follow up is cancelled; the grid worker's queue is empty of it.
        assert set(case.followups.exclude(pk=deadline.pk).values_list("status", flat=True)) == {
            Status.CANCELLED
        }
        worker = story.on_phone("grid_worker")
        follow_menu(worker, "/followups/")
        assert worker.locator(".followup-list a[href^='/followups/']").count() == 0
