"""bench/load.py's simulated users: an HTTP session per user, the pages of the mix, and how
each account's pages are found on the live site."""

from __future__ import annotations

import html
import http.client
import re
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

ACCOUNTS = (
    "so.quantri",
    "so.chuyenvien",
    "batxat.chuyenvien",
    "baothang.chuyenvien",
    "xa.chuyenvien",
    "hieutruong",
)
# Page name -> weight in the mix (percent of requests when an account has every page).
WEIGHTS = {
    "home": 10,
    "dashboard": 15,
    "dashboard by unit": 10,
    "drill-through": 10,
    "students": 10,
    "student search": 10,
    "student detail": 10,
    "schools": 8,
    "school search": 5,
    "staff": 7,
    "reports": 4,
    "report xlsx": 1,
}
STUDENT_QUERY = "nguyen van"
SCHOOL_QUERY = "bat xat"
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 180.0  # above gunicorn's --timeout 120 that serve sets

HREF = re.compile(r'href="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(RuntimeError):
    """The installation or the server is not in a state the bench can measure."""


# HTTP client: one keep-alive-capable connection and one cookie jar per simulated user.
# gunicorn's sync workers close the connection after each answer; http.client then opens a
# new one for the next request (a local TCP connect, as a browser behind no proxy would).


class Session:
    """One user's connection and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, form: bool = False
    ) -> tuple[int, bytes, str]:
        """Send a request; return status, body and Location (empty when none)."""
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, data, response.getheader("Location") or ""

    def get(self, path: str) -> tuple[int, str]:
        status, data, _location = self.request("GET", path)
        return status, data.decode("utf-8", errors="replace")

    def login(self, username: str, password: str) -> None:
        status, page = self.get("/accounts/login/")
        tokens = CSRF.findall(page)
        if status != 200 or not tokens:
            raise BenchError(f"login page answered {status} without a CSRF token")
        body = urlencode(
            {"csrfmiddlewaretoken": tokens[-1], "username": username, "password": password}
        ).encode()
        status, _data, location = self.request("POST", "/accounts/login/", body, form=True)
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"login of {username} failed (status {status}, to {location!r})")

    def close(self) -> None:
        self.conn.close()


def links(page: str, base: str, pattern: str) -> list[str]:
    """The distinct links of a page (resolved against ``base``, without fragment) matching a
    regular expression, in page order."""
    found: list[str] = []
    for raw in HREF.findall(page):
        url = urljoin(base, html.unescape(raw)).split("#", 1)[0]
        if re.fullmatch(pattern, url) and url not in found:
            found.append(url)
    return found


@dataclass
class Account:
    username: str
    pages: dict[str, list[str]] = field(default_factory=dict)  # page name -> its URLs
    skipped: dict[str, str] = field(default_factory=dict)  # page name -> why


def discover(session: Session, account: Account, report_xlsx: str) -> None:
    """Find the account's URLs for each page of the mix; skip the pages it may not open."""

    def check(name: str, urls: list[str], missing: str = "") -> str:
        """Keep the page if its first URL answers; return the page's body ("" if skipped)."""
        if not urls:
            account.skipped[name] = missing
            return ""
        status, body = session.get(urls[0])
        if status in (403, 404):
            account.skipped[name] = f"{status} for {urls[0]}"
            return ""
        if 300 <= status < 400:
            account.skipped[name] = f"{status} (redirect) for {urls[0]}"
            return ""
        # Any other answer, a 500 too, stays in the mix: the run counts it as an error.
        account.pages[name] = urls
        return body

    check("home", ["/"])
    dashboard = check("dashboard", ["/dashboard/"])
    # One link per indicator to the by-unit view of the dashboard's own unit (the unit most
    # links name); the page also links the by-unit views of the units below.
    by_unit = [
        urljoin("/dashboard/", html.unescape(raw)).split("#", 1)[0]
        for raw in HREF.findall(dashboard)
        if "indicator=" in raw and raw.endswith("#by-unit")
    ]
    orgs = Counter(parse_qs(urlsplit(url).query).get("org", [""])[0] for url in by_unit)
    own = orgs.most_common(1)[0][0] if orgs else ""
    by_unit = [u for u in by_unit if parse_qs(urlsplit(u).query).get("org", [""])[0] == own]
    check("dashboard by unit", list(dict.fromkeys(by_unit)), "no by-unit link on /dashboard/")
    # The records behind a figure, not their complement nor a file export of them.
    drill = [
        url
        for url in links(dashboard, "/dashboard/", r"/dashboard/records/\?.*")
        if not re.search(r"[?&](complement|format|export|download)=", url)
    ]
    check("drill-through", drill, "no /dashboard/records/ link on /dashboard/")
    students = check("students", ["/students/"])
    check("student search", ["/students/?" + urlencode({"q": STUDENT_QUERY})])
    # A student code has digits; a link such as /students/export/ is not a student.
    detail = links(students, "/students/", r"/students/(?=[^/?]*\d)[^/?]+/")
    check("student detail", detail, "no student link on /students/")
    check("schools", ["/schools/"])
    check("school search", ["/schools/?" + urlencode({"q": SCHOOL_QUERY})])
    check("staff", ["/staff/"])
    check("reports", ["/reports/"])
    check("report xlsx", [report_xlsx] if report_xlsx else [], "no Department report found")


def department_report_xlsx(session: Session) -> str:
    """The XLSX download of the first report on a Department officer's report list."""
    status, page = session.get("/reports/")
    if status != 200:
        return ""
    for url in links(page, "/reports/", r"/reports/\d+/(download/xlsx/)?"):
        if url.endswith("/download/xlsx/"):
            return url
        status, edit = session.get(url)
        found = links(edit, url, r"/reports/\d+/download/xlsx/")
        return found[0] if found else f"{url}download/xlsx/"
    return ""
