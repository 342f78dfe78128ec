"""The console in a real headless Chromium: every login goes through the
scan flow (the test plays the phone: wx-login against the WeChat stand-in, then the confirm call
with its bearer token), and the walk is

HR registers an institution → the institution drafts a plan and uploads a roster with one bad
row (listed) → fixes it and submits → HR approves → the class teacher confirms check-ins → HR
sees the dashboard chart.

A screenshot of each page goes to `$CI_LOG_DIR/console-screenshots/` (or
`test-artifacts/console/`); Chromium's performance log proves that no page asked any other
origin for anything. Uses Debian's chromium and chromium-driver and fonts-wqy-microhei (installed
by `.ci/run` from .ci/apt-packages.txt); a missing browser FAILS this test, it is never skipped.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

import pytest
from openpyxl import load_workbook
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver import Chrome as WebDriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from backend import clock
from backend.accounts.access import load_actor
from backend.accounts.models import Institution, Role, User, WeChatIdentity
from backend.accounts.service import grant_role
from backend.attendance.models import Checkin
from backend.certificates import service as recordings
from backend.classes.models import ClassStatus, Enrolment, TrainingClass
from backend.classes.roster_import import build_template
from backend.classes.service import advance_due_classes
from backend.employment.outcomes import EmploymentStatus, Outcome, OutcomeSource, record_employment
from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind, Stage
from backend.followups.service import invitation_key
from backend.institutions.creditcode import make_credit_code
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
from backend.security.audit import AuditEntry
from backend.security.idcard import make_id_number
from backend.supervision.models import SessionFeedback
from tests.attendance.test_display_browser import FLAGS, _executables
from tests.support.client import Client
from tests.support.factories import (
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_session,
    make_trainee,
    make_user,
)

# A real browser: slow, and the same on either engine (it runs in the SQLite pass).
pytestmark = [pytest.mark.slow, pytest.mark.engine_agnostic]

T = TypeVar("T")
START = date(2026, 12, 21)  # a Monday; seven sessions, 21–27 December
TRAINEES = 4
SCANNERS = 3  # trainees who scan in on the first morning; the fourth does not come
ROOT = Path(__file__).resolve().parents[2]
_codes = itertools.count(1)


def _shots_dir() -> Path:
    base = os.environ.get("CI_LOG_DIR")
    folder = Path(base) / "console-screenshots" if base else ROOT / "test-artifacts" / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _start_browser(profile: str, width: int, height: int) -> WebDriver:
    browser, driver = _executables()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    flags = [f for f in FLAGS if not f.startswith("--window-size")]
    for flag in [*flags, f"--window-size={width},{height}", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


@dataclass
class Console:
    """The browser, the API as the phone sees it, and what the walk has seen so far."""

    driver: WebDriver
    client: Client
    shots: Path
    requested: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)
    series: str = ""  # a prefix of the screenshots' names: each walk its own run of numbers

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    async def wait(self, condition: Callable[[WebDriver], T], seconds: float = 15) -> T:
        """Wait for `condition`; on a timeout keep a screenshot of the page as FAILED.png."""
        wait = WebDriverWait(self.driver, seconds, poll_frequency=0.1)
        try:
            return await asyncio.to_thread(wait.until, condition)
        except TimeoutException:
            await self.run(self.driver.save_screenshot, str(self.shots / "FAILED.png"))
            raise

    async def element(self, css: str, seconds: float = 15) -> WebElement:
        def shown(driver: WebDriver) -> WebElement | bool:
            found = driver.find_elements(By.CSS_SELECTOR, css)
            return found[0] if found and found[0].is_displayed() else False

        return await self.wait(shown, seconds)  # type: ignore[arg-type]

    async def click(self, css: str) -> None:
        element = await self.element(css)
        await self.wait(lambda d: element.is_enabled())
        await self.run(element.click)

    async def click_text(self, text: str, css: str = "button") -> None:
        """Click the first shown element matching `css` whose text contains `text`."""

        def found(driver: WebDriver) -> WebElement | bool:
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and text in element.text:
                    return element
            return False

        element = await self.wait(found)
        await self.run(element.click)  # type: ignore[union-attr]

    async def type(self, css: str, text: str, *, enter: bool = False) -> None:
        element = await self.element(css)
        await self.run(element.send_keys, Keys.CONTROL + "a")
        await self.run(element.send_keys, text + (Keys.ENTER if enter else ""))

    async def choose(self, wrapper_css: str, option: str) -> None:
        """Open an Element Plus select and click the option with this text."""
        await self.click(f"{wrapper_css} .el-select__wrapper")
        await self.click_text(option, ".el-select-dropdown__item")

    async def text_of(self, css: str) -> str:
        return str(await self.run(lambda: self.driver.find_element(By.CSS_SELECTOR, css).text))

    async def wait_text(self, css: str, text: str, seconds: float = 15) -> None:
        def has(driver: WebDriver) -> bool:
            return any(text in e.text for e in driver.find_elements(By.CSS_SELECTOR, css))

        await self.wait(has, seconds)

    async def open(self, path: str) -> None:
        await self.run(self.driver.get, self.client.base_url + path)

    async def shot(self, name: str) -> None:
        """Let transitions settle, then keep a screenshot of the page as it is."""
        await asyncio.sleep(0.8)
        path = self.shots / f"{self.series}{len(self.taken) + 1:02d}-{name}.png"
        await self.run(self.driver.save_screenshot, str(path))
        self.taken.append(path.name)
        await self.collect()

    async def collect(self) -> None:
        """Every URL the browser asked for, and its console errors, since the last call."""
        for entry in await self.run(self.driver.get_log, "performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
        for entry in await self.run(self.driver.get_log, "browser"):
            if entry.get("level") == "SEVERE" and "/api/v1/" not in entry["message"]:
                self.console_errors.append(entry["message"])

    async def phone_login(self, login_code: str) -> str:
        """What the mini-program does first: wx.login's code for our bearer token."""
        code = f"test-{login_code}~{next(_codes)}"  # a code works once, as in WeChat
        response = await self.client.post("/api/v1/auth/wx-login", json={"code": code})
        assert response.status == 200, response.json
        return str(response.json["token"])

    async def scan_login(self, login_code: str, name: str) -> None:
        """Open the login page, 'scan' its QR code with the phone of `login_code`, confirm."""
        await self.run(self.driver.delete_all_cookies)
        await self.open("/console/login")
        qr = await self.element("#login-qr[data-ticket]")
        ticket = await self.run(qr.get_attribute, "data-ticket")
        assert ticket and len(ticket) >= 24
        await self.wait_text("#login-state", "等待扫码")
        if not self.taken:
            await self.shot("login-qr")
        bearer = {"Authorization": f"Bearer {await self.phone_login(login_code)}"}
        confirmed = await self.client.post(
            f"/api/v1/auth/web-login/{ticket}/confirm", headers=bearer
        )
        assert confirmed.status == 200, confirmed.json
        await self.wait(lambda d: "/console/home" in d.current_url)
        await self.wait_text(".who", name)
        assert "jr_session" not in await self.run(
            self.driver.execute_script, "return document.cookie"
        )


@pytest.fixture
async def console(client: Client) -> AsyncIterator[Console]:
    with tempfile.TemporaryDirectory(prefix="jobready-console-") as profile:
        driver = await asyncio.to_thread(_start_browser, profile, 1366, 768)
        try:
            yield Console(driver, client, _shots_dir())
        finally:
            await asyncio.to_thread(driver.quit)


@pytest.fixture
def frozen() -> Any:
    """The server's clock at a Shanghai-local moment (the browser keeps real time)."""

    def move(moment: str) -> None:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))

    yield move
    clock.set_clock(None)


async def _person(login_code: str, name: str, role: Role, **scope: Any) -> User:
    """Someone the WeChat stand-in knows: code test-<x> logs in as openid o-<x>."""
    user = await make_user(name, openid=f"o-{login_code}")
    await grant_role(user_id=user.id, role=role, **scope)
    return user


def _roster(bad_row: bool) -> tuple[str, list[tuple[str, str]]]:
    """A roster workbook from the template; with `bad_row`, one ID number is mistyped."""
    book = load_workbook(BytesIO(build_template()))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    people = []
    for n in range(TRAINEES):
        id_number = make_id_number("350102", date(2001, 1 + n, 3), 700 + n)
        if bad_row and n == 2:
            id_number = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
        values = {
            "姓名*": f"学员{'甲乙丙丁'[n]}",
            "身份证号码*": id_number,
            "手机号码*": f"1391000{n:04d}",
            "人员类别*": "离校未就业高校毕业生",
        }
        sheet.append([values.get(h) for h in headers])
        people.append((values["姓名*"], id_number))
    path = Path(tempfile.mkdtemp(prefix="jobready-roster-")) / (
        "花名册-有误.xlsx" if bad_row else "花名册.xlsx"
    )
    book.save(path)
    return str(path), people


async def _register_institution(c: Console) -> Institution:
    await c.open("/console/institutions")
    await c.element("#institutions")
    await c.click("#new-institution")
    await c.type("#institution-form input[name=name]", "福州远航职业培训学校")
    await c.type("#institution-form input[name=credit_code]", make_credit_code("52350102MJ0000077"))
    await c.choose("#district-select", "鼓楼区")
    await c.type("#institution-form input[name=address]", "福州市鼓楼区五一北路100号")
    await c.type("#institution-form input[name=contact_name]", "王校长")
    await c.type("#institution-form input[name=contact_phone]", "13905910001")
    await c.type("#institution-form input[name=team_lead_name]", "王校长")
    await c.type("#team-lead-years input", "8")
    evidence = await c.run(c.driver.find_elements, By.CSS_SELECTOR, ".qual-evidence input")
    for n, box in enumerate(evidence, start=1):
        await c.run(box.send_keys, f"闽人社培〔2026〕{n}号")
    await c.shot("hr-institution-form")
    await c.click("#save-institution")
    await c.wait_text("#institutions", "福州远航职业培训学校")
    await c.click_text("邀请机构管理员", "#institutions button")
    await c.wait(lambda d: len(d.find_element(By.ID, "invite-code").text) >= 8)
    await c.shot("hr-institutions")
    code = await c.text_of("#invite-code")
    # the future institution admin redeems the code in the mini-program
    bearer = {"Authorization": f"Bearer {await c.phone_login('inst-admin')}"}
    redeemed = await c.client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code, "name": "陈经理"}, headers=bearer
    )
    assert redeemed.status == 200, redeemed.json
    return await Institution.get(name="福州远航职业培训学校")


async def _draft_plan(c: Console, inst: Institution, staff_ids: list[int]) -> int:
    """The institution admin drafts the plan: class, instructors, team, seven sessions."""
    await c.scan_login("inst-admin", "陈经理")
    await c.shot("institution-home")
    await c.open("/console/classes")
    await c.click("#new-plan")
    await c.type("#plan-form input[name=title]", "2026年第12期求职能力实训学员班（鼓楼）")
    await c.choose("#plan-district", "鼓楼区")
    await c.type("#plan-start input", START.isoformat(), enter=True)
    await c.type("#plan-end input", (START + timedelta(days=6)).isoformat(), enter=True)
    await c.type("#plan-form input[name=venue_address]", "福州市鼓楼区五一北路100号 3楼")
    await c.type("#plan-form input[name=contract_amount]", "6000.00")
    await c.shot("institution-new-plan")
    await c.click("#save-plan")
    await c.wait(lambda d: "/console/classes/" in d.current_url)
    class_id = int(c.driver.current_url.split("/classes/")[1].split("?")[0])
    await c.click_text("课程安排", ".el-tabs__item")
    await c.choose("#instructor-picker", "许文华")
    await c.click_text("蔡雅琴", ".el-select-dropdown__item")
    await c.run(c.driver.find_element(By.TAG_NAME, "body").send_keys, Keys.ESCAPE)
    await c.click("#save-instructors")
    await c.wait_text(".el-tab-pane", "蔡雅琴")
    for css, user_id in zip(
        ("#staff-team-lead", "#staff-class-teacher", "#staff-staff"), staff_ids, strict=True
    ):
        await c.type(f"{css} input", str(user_id))
    await c.click("#save-staff")
    await c.wait_text(".el-tab-pane", "专职班主任：郑老师")
    await c.click("#add-week")
    await c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#sessions tbody tr")) == 7)
    await c.shot("institution-plan-schedule")
    return class_id


async def _upload_roster(c: Console) -> list[tuple[str, str]]:
    """A roster with one bad row is refused with that row listed; the fixed one imports."""
    await c.click_text("花名册", ".el-tabs__item")
    bad, _ = _roster(bad_row=True)
    await c.run((await c.element("#roster-file")).send_keys, bad)
    await c.click("#roster-check")
    await c.wait_text("#roster-problems", "身份证")
    rows = await c.run(c.driver.find_elements, By.CSS_SELECTOR, "#roster-problems tbody tr")
    assert len(rows) == 1  # the one bad row, with its row number, column and reason
    assert "校验码" in await c.text_of("#roster-problems")
    await c.shot("institution-roster-bad-row")
    good, people = _roster(bad_row=False)
    await c.run((await c.element("#roster-file")).send_keys, good)
    await c.click("#roster-check")
    await c.wait_text("#roster-outcome", "检查通过")
    await c.click("#roster-import")
    await c.wait_text("#roster-outcome", f"已导入 {TRAINEES} 名学员")
    await c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#roster tbody tr")) == TRAINEES)
    await c.shot("institution-roster-imported")
    return people


async def _submit(c: Console) -> None:
    await c.click_text("方案与审核", ".el-tabs__item")
    await c.click("#submit-plan")

    def settled(driver: WebDriver) -> str | bool:
        if driver.find_elements(By.ID, "plan-violations"):
            return driver.find_element(By.ID, "plan-violations").text
        return "submitted" if "已申报" in driver.find_element(By.ID, "class-status").text else False

    outcome = await c.wait(settled)
    assert outcome == "submitted", outcome
    await c.shot("institution-plan-submitted")


async def _approve(c: Console, class_id: int) -> None:
    await c.scan_login("hr19", "林主任")
    await c.wait_text("#work-queue", "2026年第12期")
    await c.shot("hr-work-queue")
    await c.open(f"/console/classes/{class_id}")
    await c.type("#review-reason", "方案符合第十八至二十条要求")
    await c.shot("hr-review")
    await c.click("#approve-plan")
    await c.wait_text("#class-status", "已审核通过")
    await c.shot("hr-approved")


async def _scan_in(c: Console, class_id: int, people: list[tuple[str, str]]) -> int:
    """On the first morning three trainees bind and scan the projector's code (the phone's part)."""
    assert await advance_due_classes() == 1
    teacher = {"Authorization": f"Bearer {await c.phone_login('teacher19')}"}
    detail = (await c.client.get(f"/api/v1/classes/{class_id}", headers=teacher)).json
    session_id = int(detail["sessions"][0]["id"])
    for n, (name, id_number) in enumerate(people[:SCANNERS]):
        trainee = {"Authorization": f"Bearer {await c.phone_login(f'trainee19-{n}')}"}
        # getPhoneNumber first: binding checks the roster's phone (the roster's 1391000nnnn)
        phone = {"code": f"phone-1391000{n:04d}"}
        shared = await c.client.post("/api/v1/me/phone", json=phone, headers=trainee)
        assert shared.status == 200, shared.json
        bound = await c.client.post(
            "/api/v1/auth/bind-trainee",
            json={"name": name, "id_number": id_number},
            headers=trainee,
        )
        assert bound.status == 200, bound.json
        code = (await c.client.get(f"/api/v1/sessions/{session_id}/qr", headers=teacher)).json
        scanned = await c.client.post(
            "/api/v1/checkins", json={"token": code["token"]}, headers=trainee
        )
        assert scanned.status == 201, scanned.json
    return session_id


async def _confirm_checkins(c: Console, class_id: int, session_id: int) -> None:
    await c.scan_login("teacher19", "")
    await c.open(f"/console/classes/{class_id}?tab=attendance")
    await c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".confirm-one")) == SCANNERS)
    await c.shot("teacher-attendance-pending")
    await c.click(".confirm-one")
    await c.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".confirm-one")) == SCANNERS - 1)
    await c.click("#confirm-all")
    await c.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, ".confirm-one"))
    await c.wait_text("#attendance-matrix", "√")
    await c.shot("teacher-attendance-confirmed")
    confirmed = await Checkin.filter(session_id=session_id, review="confirmed").count()
    assert confirmed == SCANNERS


async def _dashboard(c: Console) -> None:
    await c.scan_login("hr19", "林主任")
    await c.open("/console/dashboard")
    await c.wait_text("#chart-attendance", "%")
    hr = {"Authorization": f"Bearer {await c.phone_login('hr19')}"}
    query = "by=district&start=2026-01-01&end=2026-12-31"
    figures = (await c.client.get(f"/api/v1/dashboard?{query}", headers=hr)).json
    rate = round(float(figures["groups"][0]["attendance"]["rate"]) * 100, 1)
    await c.wait_text("#chart-attendance", f"{rate:g}%")
    await c.wait_text("#chart-attendance", "鼓楼区")
    await c.shot("hr-dashboard")
    await c.run(c.driver.set_window_size, 1920, 1080)
    await c.click_text("按培训机构", "#group-by label")
    await c.wait_text("#chart-employment", "福州远航")
    await c.shot("hr-dashboard-1920")
    await c.open("/docs")
    await c.element(".swagger-ui .info")
    await c.shot("api-docs")


async def test_staff_log_in_by_scanning_and_walk_a_plan_from_institution_to_dashboard(
    console: Console, frozen: Any
) -> None:
    c = console
    frozen("2026-12-01 10:00")
    await _person("hr19", "林主任", Role.HR_ADMIN, district_code="350102")
    for name in ("许文华", "蔡雅琴"):
        instructor, _ = await make_instructor()
        instructor.name = name
        await instructor.save()

    await c.scan_login("hr19", "林主任")
    await c.shot("hr-home")
    inst = await _register_institution(c)
    teacher = await _person("teacher19", "郑老师", Role.CLASS_TEACHER, institution_id=inst.id)
    staff = await _person("staff19", "吴同事", Role.STAFF, institution_id=inst.id)
    admin = await WeChatIdentity.get(openid="o-inst-admin")

    class_id = await _draft_plan(c, inst, [admin.user_id, teacher.id, staff.id])
    people = await _upload_roster(c)
    await _submit(c)
    frozen("2026-12-08 15:00")
    await _approve(c, class_id)
    frozen("2026-12-21 09:01")
    session_id = await _scan_in(c, class_id, people)
    await _confirm_checkins(c, class_id, session_id)
    await _dashboard(c)

    await c.collect()
    base = c.client.base_url
    network = [u for u in c.requested if u.split(":", 1)[0] in ("http", "https", "ws", "wss")]
    elsewhere = [u for u in network if not u.startswith(base + "/")]  # chrome:// is the browser
    assert elsewhere == [], f"pages asked other origins: {elsewhere}"
    assert any(u.startswith(base + "/console/assets/") for u in c.requested)
    assert c.console_errors == []
    assert len(c.taken) >= 12, c.taken


async def test_a_demo_link_logs_in_as_that_person_through_the_wechat_stand_in(
    console: Console,
) -> None:
    inst = await make_institution()
    await _person("demo19", "陈经理", Role.INSTITUTION_ADMIN, institution_id=inst.id)
    await console.open("/console/login?as=test-demo19")
    await console.wait(lambda d: "/console/home" in d.current_url)
    await console.wait_text(".who", "陈经理")
    assert "jr_session" not in await console.run(
        console.driver.execute_script, "return document.cookie"
    )


async def _followed_up_class(
    inst: Institution, admin: User, start: date = date(2026, 5, 4), employed: int = 2
) -> TrainingClass:
    """A class in follow-up: ratings, scores, survey invitations, `employed` claims of three."""
    title = f"2026年第{start.month}期求职能力实训学员班"
    klass = await make_class(inst, start=start, status=ClassStatus.FOLLOWING_UP, title=title)
    first = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=1)
    session = await make_session(klass, starts_at=first)
    now = clock.now()
    for n in range(3):
        trainee = await make_trainee(f"{'' if employed == 2 else '陈'}学员{'甲乙丙'[n]}")
        await enrol(klass, trainee)
        await SessionFeedback.create(
            session=session,
            trainee=trainee,
            content_score=5 - n,
            instructor_score=5,
            organisation_score=4,
        )
        scored = await recordings.record_result(
            actor=await load_actor(admin.id),
            class_id=klass.id,
            trainee_id=trainee.id,
            score=Decimal(85 - 20 * n),
        )
        assert scored is not None
        milestone = await FollowupMilestone.create(
            training_class=klass,
            trainee=trainee,
            stage=Stage.WEEK_1,
            due_date=start + timedelta(days=13),
            invited_at=now,
            answered_at=now if n < 2 else None,
        )
        await OutboxMessage.create(
            dedupe_key=invitation_key(milestone.id),
            channel=Channel.SUBSCRIBE,
            template_key="followup_survey",
            status=OutboxStatus.SENT,
            next_attempt_at=now,
        )
        for k in range(3 - n):
            await FollowupService.create(
                training_class=klass,
                trainee=trainee,
                kind=ServiceKind.PHONE_CALL,
                stage=Stage.WEEK_1.value,
                served_at=first + timedelta(days=16 + k),
            )
        if n < employed:
            await record_employment(
                trainee_id=trainee.id,
                class_id=klass.id,
                recorded_by_id=None,
                outcome=Outcome(
                    status=EmploymentStatus.EMPLOYED,
                    source=OutcomeSource.SURVEY,
                    employer="福州某科技有限公司",
                    position="客服专员",
                ),
            )
    return klass


async def test_city_hr_and_an_institution_walk_the_supervision_pages_and_a_followed_up_class(
    console: Console, frozen: Any
) -> None:
    """The pages beyond the plan walk: calendar, notices, inspections, blacklist,
    typical cases, the PII audit log; a followed-up class's tabs; the dashboard's trend and
    funnel. Screenshots of each; no request leaves the origin."""
    c = console
    c.series = "pages-"
    frozen("2026-12-01 10:00")
    city = await _person("hrcity19", "黄处长", Role.HR_ADMIN)
    inst = await make_institution("350102", name="福州启航职业培训学校")
    admin = await _person("admin19b", "陈经理", Role.INSTITUTION_ADMIN, institution_id=inst.id)
    klass = await _followed_up_class(inst, admin)
    other = await make_institution("350104", name="福州海峡人才培训中心")
    other_admin = await _person(
        "admin19c", "周校长", Role.INSTITUTION_ADMIN, institution_id=other.id
    )
    await _followed_up_class(other, other_admin, date(2026, 6, 1), employed=3)
    await _followed_up_class(inst, admin, date(2026, 7, 6), employed=1)
    hr = {"Authorization": f"Bearer {await c.phone_login('hrcity19')}"}
    own = {"Authorization": f"Bearer {await c.phone_login('admin19b')}"}
    trainee_id = (await Enrolment.filter(training_class_id=klass.id).first()).trainee_id  # type: ignore[union-attr]
    seeded = [
        await c.client.post(
            "/api/v1/blacklist",
            headers=hr,
            json={
                "kind": "trainee",
                "subject_id": trainee_id,
                "reason": "冒名顶替参加培训（第二十七条）",
            },
        ),
        await c.client.post(
            "/api/v1/inspections",
            headers=hr,
            json={
                "institution_id": inst.id,
                "class_id": klass.id,
                "mode": "unannounced",
                "inspector": "市人社局监督科",
                "findings": "签到表与实际到课人数一致",
                "scores": [
                    {"item": "training_organisation", "score": 92, "note": ""},
                    {"item": "teaching_delivery", "score": 88, "note": ""},
                ],
            },
        ),
        await c.client.post(
            "/api/v1/typical-cases",
            headers=own,
            json={
                "trainee_id": trainee_id,
                "title": "从待业到客服主管：学员甲的求职之路",
                "story": "学员甲参加实训后，经模拟面试和岗位推送，两周内入职福州某科技有限公司。",
                "occupation": "客服专员",
            },
        ),
        await c.client.post(
            f"/api/v1/trainees/{trainee_id}/pii", headers=own, json={"reason": "补贴材料核对"}
        ),
    ]
    assert [r.status for r in seeded] == [201, 201, 201, 200], [r.json for r in seeded]

    await c.scan_login("hrcity19", "黄处长")
    await c.open("/console/calendar")
    await c.wait_text("#holidays", "元旦")
    await c.wait_text("#calendar-source", "国务院")
    await c.shot("hr-calendar")

    await c.open("/console/notices")
    await c.wait_text("#notice-standing", "福州启航")
    await c.click("#new-notice")
    await c.type("#notice-reason", "未按规定公示培训课程表（第九条）")
    await c.click("#save-notice")
    await c.wait_text("#notices", "未按规定公示培训课程表")
    await c.wait_text("#notice-standing", "已通报 1 次")
    await c.shot("hr-notices")

    await c.open("/console/inspections")
    await c.wait_text("#inspections", "市人社局监督科")
    await c.shot("hr-inspections")

    await c.open("/console/blacklist")
    await c.wait_text("#blacklist", "冒名顶替")
    await c.shot("hr-blacklist")

    await c.open("/console/cases")
    await c.wait_text("#cases", "求职之路")
    await c.shot("hr-typical-cases")

    await c.open("/console/audit")
    await c.wait_text("#pii-reads", "补贴材料核对")
    await c.wait_text("#pii-reads", "陈经理")
    await c.shot("hr-pii-audit-log")

    for tab, table, text in (
        ("feedback", "#feedback-sessions", "简历制作"),
        ("completion", "#completion", "学员甲"),
        ("followup", "#followup-trainees", "未达标"),
        ("employment", "#employment-claims", "福州某科技"),
        ("subsidy", "#subsidy-tranches", "第1批"),
    ):
        await c.open(f"/console/classes/{klass.id}?tab={tab}")
        await c.wait_text(table, text)
        await c.shot(f"hr-class-{tab}")
    # Its tranches hold at 0.00 (nobody counted yet): nothing to pay, and no button the API refuses
    tranches = await c.text_of("#subsidy-tranches")
    assert "登记拨付" not in tranches and "金额为 0，无需拨付" in tranches

    await c.open("/console/dashboard")
    await c.wait_text("#chart-trend", "2026-05")
    await c.wait_text("#chart-funnel", "已作答")
    await c.shot("hr-dashboard")
    scroll = "document.getElementById('chart-trend').scrollIntoView({block: 'center'})"
    await c.run(c.driver.execute_script, scroll)
    await c.shot("hr-dashboard-trend-funnel")

    await c.scan_login("admin19b", "陈经理")
    await c.open("/console/notices")
    await c.wait_text("#notices", "未按规定公示培训课程表")
    menu = await c.text_of(".aside")
    assert "查阅审计" not in menu and "黑名单" not in menu  # the API's scope, not a second copy
    await c.shot("institution-notices")

    await c.collect()
    base = c.client.base_url
    network = [u for u in c.requested if u.split(":", 1)[0] in ("http", "https", "ws", "wss")]
    elsewhere = [u for u in network if not u.startswith(base + "/")]
    assert elsewhere == [], f"pages asked other origins: {elsewhere}"
    assert c.console_errors == []
    assert await AuditEntry.filter(action="pii.read").count() == 1
    assert city.id
