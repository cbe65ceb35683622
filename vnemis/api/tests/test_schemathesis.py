"""The API against its own schema: schemathesis generates requests for every operation, as an
authorised client (a province-wide token with every scope) and an unauthorised one (no
credentials), and no answer is a 5xx or breaks the schema (status, content type, body)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import hypothesis
import pytest
import schemathesis
from django.db import connection  # noqa: F401  # read by the skipif condition below
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import override_settings
from django.test.client import ClientHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vnemis.api.tests.helpers import ALL_SCOPES, issue
from vnemis.testing.personas import PersonaTestCase

# A few examples per operation and client keep the run within seconds; the property each
# checks does not depend on volume.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def django_wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The project as a WSGI application on the test's database connection: Django's test
    client handler, which does not close the connection at the end of each request (the plain
    WSGIHandler would, losing the test's transaction)."""
    response: HttpResponseBase = ClientHandler(enforce_csrf_checks=True)(environ)
    headers = list(response.items())
    headers += [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    if isinstance(response, StreamingHttpResponse):
        return [b"".join(bytes(chunk) for chunk in response.streaming_content)]  # type: ignore[union-attr]  # sync
    assert isinstance(response, HttpResponse)
    return [response.content]


# One database pass: the schema and the answers' shapes are the application's, the same on
# every database; evaluated when the test runs.
@pytest.mark.skipif(
    "connection.vendor == 'postgresql'",
    reason="the schema test runs once, on the SQLite pass (it is engine-independent)",
)
@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="vnemis-schemathesis-"))
class SchemaConformanceTests(PersonaTestCase):
    secret: ClassVar[str]
    requests: int

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        _token, cls.secret = issue(
            cls.world, cls.world.province, scopes=ALL_SCOPES, rate=1_000_000, name="schemathesis"
        )

    def test_every_operation_answers_within_its_schema(self) -> None:
        """Every operation, authorised and not, gives no 5xx and nothing the schema does not
        describe."""
        generator = SchemaGenerator()  # type: ignore[no-untyped-call]  # untyped package
        document = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        schema = schemathesis.openapi.from_dict(document)
        clients = {
            "authorised": {"Authorization": "Bearer " + self.secret},
            "unauthorised": {},
        }
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        self.assertGreaterEqual(len(operations), 25)
        self.requests = 0
        for operation in operations:
            for who, headers in clients.items():
                with self.subTest(operation=operation.label, client=who):
                    self._run(operation, headers)
        # The run really called the application: at least once per operation and client.
        self.assertGreaterEqual(self.requests, 2 * len(operations))

    def _run(self, operation: Any, headers: dict[str, str]) -> None:
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            self.requests += 1
            case.call_and_validate(app=django_wsgi, headers=headers, checks=CHECKS)

        check()
