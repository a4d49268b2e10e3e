"""The 办事 worklist in the console: a resident applies for 法律援助 through the API; the
district officer finds the case in the worklist, opens it (answers, materials, the uploaded
file as a blob: URL), claims and accepts it, and the API holds it accepted with its due time,
which the worklist then shows; a reject without a reason is refused in the API's words; the
review, the decision and the delivery follow in the page, and the resident's progress shows
the case done. A street officer is not shown the district's case."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image
from playwright.async_api import Browser, ViewportSize, expect

from tests.browser.live import accessibility_violations, api_token, log_in, screenshot

DESK = ViewportSize(width=1280, height=900)
RESIDENT, STREET_OFFICER, DISTRICT_OFFICER = "13800000001", "13800000019", "13800000020"
APP = "/v1/miniapps/gov_services"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (240, 240, 230)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _submitted(http: httpx.AsyncClient, resident: dict[str, str], paper: bytes) -> int:
    """A legal aid application made and submitted as the phone shell would make it."""
    started = await http.post(
        f"{APP}/applications", json={"item_code": "legal_aid"}, headers=resident
    )
    assert started.status_code == 201, started.text
    draft = started.json()
    one = f"{APP}/applications/{draft['id']}"
    answers = {
        **draft["answers"],
        "phone": "13912345678",
        "residence_address": "高新区枫杨街道西岗社区 8 号楼 2 单元 301",
        "case_type": "劳动争议",
        "case_summary": "公司拖欠三个月工资共计一万二千元，多次催要未果。",
        "opposing_party": {"name": "某某科技有限公司", "kind": "单位"},
        "special_group": True,
        "special_group_type": "追索劳动报酬的农民工",
    }
    steps = [
        await http.put(f"{one}/answers", json={"answers": answers}, headers=resident),
        await http.post(
            f"{one}/materials/licences",
            json={
                "material_code": "id_card",
                "licence_ref": draft["needs"][0]["licences"][0],
                "consent": True,
            },
            headers=resident,
        ),
        await http.post(
            f"{one}/materials/commitments",
            json={"material_code": "financial_hardship", "signed": True},
            headers=resident,
        ),
        await http.post(
            f"{one}/materials/files",
            data={"material_code": "case_materials"},
            files={"file": ("contract.png", paper, "image/png")},
            headers=resident,
        ),
        await http.post(f"{one}/submit", headers=resident),
    ]
    for answer in steps:
        assert answer.status_code in (200, 201), answer.text
    assert steps[-1].json()["status"] == "submitted"
    return int(draft["id"])


async def test_an_officer_works_a_case_from_the_worklist(browser: Browser, base: str) -> None:
    resident = _auth(await api_token(base, RESIDENT))
    officer = _auth(await api_token(base, DISTRICT_OFFICER))
    paper = _png()
    async with httpx.AsyncClient(base_url=base) as http:
        case_id = await _submitted(http, resident, paper)
        ref = (await http.get(f"{APP}/applications/{case_id}", headers=resident)).json()["ref"]

        context = await browser.new_context(viewport=DESK, locale="zh-CN")
        page = await context.new_page()
        await log_in(page, base, DISTRICT_OFFICER, "console")
        await page.click("header.bar nav button:has-text('办事待办')")
        row = page.locator(f"tr[data-case='{case_id}']")
        await expect(row.locator("th")).to_have_text(ref)
        await expect(row).to_have_attribute("data-status", "submitted")
        await expect(row.locator("td.due")).to_have_text("未受理")
        await expect(row).to_contain_text("法律援助申请")
        await screenshot(page, "console-worklist")
        assert await accessibility_violations(page) == []

        await row.locator("button[name=open]").click()
        await page.wait_for_url(re.compile(rf"#/worklist/{case_id}$"))
        case = page.locator("article.case")
        await expect(case).to_have_attribute("data-status", "submitted")
        await expect(case.locator("tr[data-field=case_type] td")).to_have_text("劳动争议")
        await expect(case.locator("tr[data-field=applicant_name] th")).to_have_text("申请人姓名")
        # The uploaded file, fetched through the API into a blob: URL, is the resident's.
        upload = case.locator("tr[data-material=case_materials]")
        await upload.locator("button").click()
        link = upload.locator("a[data-material-file]")
        href = str(await link.get_attribute("href"))
        assert href.startswith("blob:")
        image = upload.locator("img")
        await expect(image).to_have_attribute("src", href)
        assert await image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 80

        # A reject without its reason: the API refuses it, and the page says so in its words.
        refused = await http.post(
            f"{APP}/work/{case_id}/reject",
            json={"reason_code": "not_eligible", "text": ""},
            headers=officer,
        )
        assert refused.status_code == 400
        await page.click("form[name=reject] button[type=submit]")
        banner = page.locator(".case-steps [role=alert]")
        await expect(banner).to_have_attribute("data-code", refused.json()["code"])
        await expect(banner.locator("strong")).to_have_text(refused.json()["title"])
        await expect(case).to_have_attribute("data-status", "submitted")

        await page.click("button[name=claim]")
        await expect(page.locator(".case-steps [role=status]")).to_have_text("已办理：签收")
        await expect(banner).to_have_count(0)
        await page.fill("input[name=note]", "材料齐全")
        await page.click("button[name=accept]")
        await expect(case).to_have_attribute("data-status", "in_progress")
        held = (await http.get(f"{APP}/work/{case_id}", headers=officer)).json()
        assert (held["status"], held["step"]) == ("in_progress", "review")
        assert held["accepted_at"]
        assert held["due_at"]
        assert [entry["action"] for entry in held["history"]] == ["submit", "claim", "accept"]
        assert held["history"][-1]["reason"] == "材料齐全"
        await expect(case.locator("td.due time")).to_have_attribute("datetime", held["due_at"])
        await screenshot(page, "console-case")
        assert await accessibility_violations(page) == []

        # The worklist now shows its due time.
        await page.click("text=返回待办")
        await expect(row.locator("td.due time")).to_have_attribute("datetime", held["due_at"])
        await expect(row).to_have_attribute("data-overdue", "0")
        await row.locator("button[name=open]").click()

        await page.click("button[name=advance]")
        await expect(case).to_have_attribute("data-step", "decide")
        await page.check("input[name=outcome][value=approved]")
        await page.fill("textarea[name=decision-text]", "符合法律援助条件")
        await page.click("form[name=decide] button[type=submit]")
        await expect(case).to_have_attribute("data-status", "decided")
        await page.select_option("select[name=method]", "electronic")
        await page.click("form[name=deliver] button[type=submit]")
        await expect(case).to_have_attribute("data-status", "delivered")

        done = (await http.get(f"{APP}/applications/{case_id}/progress", headers=resident)).json()
        assert done["status"] == "delivered", done
        application = (await http.get(f"{APP}/applications/{case_id}", headers=resident)).json()
        assert application["status"] == "delivered"
        await context.close()

        # The street officer holds no step of a district item: the case is not theirs.
        context = await browser.new_context(viewport=DESK, locale="zh-CN")
        page = await context.new_page()
        await log_in(page, base, STREET_OFFICER, "console")
        await page.click("header.bar nav button:has-text('办事待办')")
        await expect(page.locator("text=暂无待办件")).to_be_visible()
        await expect(page.locator(f"tr[data-case='{case_id}']")).to_have_count(0)
        await context.close()
