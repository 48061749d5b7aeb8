"""In Chromium, against a running Heron: an owner makes a team, gives it one project, invites a member into it by
link; the newcomer signs up through the link in another browser and sees only that team's project."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import add_project
from tests.api.sending import error_event, send_and_digest
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer
from tests.web.browsing import sign_in_with_browser

NEW_PASSWORD = "a long enough passphrase"


def test_an_invited_member_signs_up_and_sees_only_their_teams_project(
    heron: HeronServer, page: Page, chromium: Browser
) -> None:
    tenant = fresh_tenant(heron, "invite")
    ios = add_project(heron, tenant, "ios")
    send_and_digest(heron, tenant, error_event("WebOnlyError", "checkout broke"))
    send_and_digest(heron, ios, error_event("MobileOnlyError", "tap broke"))
    org = tenant.org_slug

    sign_in_with_browser(page, heron.url, tenant.email, f"/settings/{org}/teams/")
    page.fill("input[name=slug]", "mobile")
    page.fill("input[name=name]", "Mobile")
    page.click("form[aria-label='New team'] button[type=submit]")
    expect(page.locator(".settings-table")).to_contain_text("#mobile")

    page.goto(f"{heron.url}/settings/{org}/projects/ios/")
    access = page.locator("form[aria-label='Team access']")
    access.get_by_label("Mobile").check()
    for box in access.locator("input[type=checkbox]").all():
        if box.locator("xpath=..").inner_text().strip() != "Mobile":
            box.uncheck()
    access.locator("button[type=submit]").click()
    expect(page.locator("form[aria-label='Team access']").get_by_label("Mobile")).to_be_checked()

    page.goto(f"{heron.url}/settings/{org}/members/")
    invite = page.locator("form[aria-label='Invite a member']")
    invite.locator("select[name=role]").select_option("member")
    invite.get_by_label("Mobile").check()
    invite.locator("button[type=submit]").click()
    link = page.locator("#invite-link").input_value()
    assert link.startswith(f"{heron.url}/accept-invite/")

    newcomer_context = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        newcomer = newcomer_context.new_page()
        newcomer.goto(link)
        expect(newcomer.locator("h1")).to_contain_text("Join")
        newcomer.fill("input[name=email]", f"kim.{org}@example.com")
        newcomer.fill("input[name=name]", "Kim")
        newcomer.fill("input[name=password]", NEW_PASSWORD)
        newcomer.click("form[aria-label='Create your account'] button[type=submit]")
        expect(newcomer.locator("h1")).to_have_text("Projects")
        cards = newcomer.locator(".card-title")
        expect(cards).to_have_count(1)
        expect(cards.first).to_have_text("ios")

        newcomer.goto(f"{heron.url}/organizations/{org}/issues/?query=")
        expect(newcomer.locator("a.issue-title", has_text="MobileOnlyError")).to_be_visible()
        expect(newcomer.locator("a.issue-title", has_text="WebOnlyError")).to_have_count(0)
        response = newcomer.goto(f"{heron.url}/organizations/{org}/issues/?project={tenant.project_id}")
        assert response is not None and response.status == 404
        response = newcomer.goto(link)
        assert response is not None and response.status == 404  # the link works once

        page.goto(f"{heron.url}/settings/{org}/members/")
        expect(page.locator(".settings-table").first).to_contain_text(f"kim.{org}@example.com")
    finally:
        newcomer_context.close()
