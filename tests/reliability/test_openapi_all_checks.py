"""Issue 6, point 6: schemathesis over /openapi.json with every check it has (the portal tests'
run uses the default set): server errors, status codes, content types, headers and bodies
against the schema, negative data refused, positive data accepted, unsupported methods, the
Allow header, authentication not ignored, and object-level authorisation. Bounded examples.
The app, its signed-in user and the schema are the portal tests' own fixtures."""

from __future__ import annotations

import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation

from tests.portal.test_openapi_fuzz import api_schema, bearer, portal_app  # noqa: F401  (fixtures)

load_all_checks()
ALL_CHECKS = CHECKS.get_all()
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")

schema = schemathesis.pytest.from_fixture("api_schema")


def test_every_check_is_used():
    names = {check.__name__ for check in ALL_CHECKS}
    assert {
        "not_a_server_error",
        "negative_data_rejection",
        "positive_data_acceptance",
        "ignored_auth",
        "use_after_free",
    } <= names
    assert len(names) >= 14


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_every_operation_passes_every_check(case, bearer):  # noqa: F811
    if case.operation.path.endswith("/auth/token") and case.method == "DELETE":
        return  # revoking the shared token would sign every later case out (its own tests)
    # Only the parts generated as valid are adjusted: a negative case must reach the portal as
    # invalid as it was generated, or negative_data_rejection would blame the portal for it.
    if isinstance(case.query, dict) and not case.meta.is_negative_at(ParameterLocation.QUERY):
        if case.query.pop("cursor", None) is not None:  # cursors are issued, not generated
            case.meta.mark_dirty(ParameterLocation.QUERY)
    headers_negative = case.meta.is_negative_at(ParameterLocation.HEADER)
    key = (case.headers or {}).get("Idempotency-Key")
    if not headers_negative and key is not None and _VALID_KEY.fullmatch(key):
        case.headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4().hex}"  # one payload per key
        case.meta.mark_dirty(ParameterLocation.HEADER)
    # Generated without valid credentials on purpose: sent that way, to be refused.
    sign_in = {} if headers_negative else bearer
    case.call_and_validate(headers=sign_in, checks=ALL_CHECKS)
