"""Logging in through the real login form, shared by every browser test."""

import re

from tenants.demo.loader import DEMO_PASSWORD

LANDED = re.compile(r"/workspace/demo/")


def log_in(page, username: str = "demo", next_path: str = "/workspace/") -> None:
    """Open `next_path`, which sends an anonymous visitor to the login form, and sign in;
    returns once the workspace page the form redirects to has loaded."""
    page.goto(next_path)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(LANDED)
