"""The net: Schemathesis over every operation of the OpenAPI document, against the local stack
(Chalice's local server on the embedded AWS over HTTP), with real credentials.

Each operation is tested on its own (the document's examples, Schemathesis' coverage cases,
generated ones), then the stateful phase follows the links Schemathesis infers between
operations (order → shipment → read → return → step → pages). Every answer is checked: no 5xx,
the body matches the schema of its status, status and content type are documented, every error
is problem+json naming its own status (a page's own refusals are pages), authentication is
enforced, and a request the schema allows is refused only by a rule of the kinds JSON Schema
cannot state (``BEYOND_JSON_SCHEMA``, each with its reason).

Credentials are real. One auth provider gives each operation what its ``security`` names — the
merchant key, the customer token of the order the request is about (as the stack issued it in
the registration's answer), a webhook signature — and the ``before_call`` hook puts the token
and the signature in at the moment of the call, the signature over the very bytes it sends.
Hooks also put, now and then, the seeded order and return in place of ids that name nothing, and
in a schema-valid case a current order or the seeded parcel's events in place of the generated
body, so that the net reaches past the refusals.

The profile is bounded — ``EXAMPLES`` per operation, ``SCENARIOS`` stateful scenarios of at most
``STEPS`` calls — so that it adds a minute or two to ``make test`` on two cores.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from chalicelib.api.openapi import build_document
from tests.api.conftest import app_under_test
from tests.conftest import MERCHANT_KEY, TEST_ENV
from tests.integration.conftest import reset_embedded_aws
from tests.integration.test_returns_end_to_end import a_request, call, given_order, tracking_for
from tests.unit.tracking import senders

pytestmark = pytest.mark.integration

EXAMPLES = 12
SCENARIOS = 8
STEPS = 8
ORDER = "net-1001"  # seeded: registered, shipped, delivered, one return requested
WEBHOOKS = "/v1/webhooks/{source}"
SIGN_HERE = "signed-by-the-before-call-hook"
TOKEN_HERE = "the-orders-token-from-the-before-call-hook"
PROBLEM_JSON = "application/problem+json"
SUPPRESSED = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
]

app_under_test()  # its routes register the operations that the document lists
DOCUMENT = build_document()


# -- what the document cannot say ----------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """A kind of rule a schema-valid request can still break, and why JSON Schema cannot say it."""

    why: str
    codes: frozenset[str]  # the problem codes it answers with
    # The fields whose 422 it explains, per operation ("*": any), as their loc without list
    # indexes ("items.quantity"); "" is the body or query as a whole.
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def explains(self, operation: str, error: dict[str, Any]) -> bool:
        name = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
        return any(name in self.fields.get(key, ()) for key in (operation, "*"))


def operations_with_query(*names: str) -> list[str]:
    """The document's operations whose query holds all of ``names``."""
    return [
        f"{method.upper()} {path}"
        for path, methods in DOCUMENT["paths"].items()
        for method, operation in methods.items()
        if set(names) <= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    ]


# A schema-valid request refused for anything else is a gap between the document and the server.
BEYOND_JSON_SCHEMA: Mapping[str, Rule] = {
    "relations": Rule(
        "A value is right or wrong by another value, and JSON Schema compares a value only with "
        "constants: dates and instants are strings to it, so it can say neither that one comes "
        "after another (from ≤ to, earliest ≤ latest) nor that one lies within a span around "
        "today (a bound that moves every day); and each parameter of a query string has a "
        "schema of its own, so a postal code's form cannot follow the country beside it (a "
        "body states that with if/then)",
        frozenset({"validation_error"}),
        {
            "*": frozenset(
                {
                    "from",
                    "to",
                    "at",
                    "placed_at",
                    "events.occurred_at",
                    "events.estimated_delivery",
                    "promise",
                    "promise.earliest",
                    "promise.latest",
                }
            ),
            **{op: frozenset({""}) for op in operations_with_query("from", "to")},
            **{
                op: frozenset({"postal_code"})
                for op in operations_with_query("country", "postal_code")
            },
        },
    ),
    "state": Rule(
        "What is stored or configured decides, and the merchant's data is no part of the "
        "contract: an id that names nothing, a body replayed under a used id, a step the "
        "lifecycle does not allow, a return beyond what was delivered or for a SKU not offered "
        "in exchange, a shipment of more than is left to ship, a rating before the delivery, a "
        "SKU the catalogue does not list, a country the return policy does not cover — the "
        "same request is right on one day and wrong on the next",
        frozenset(
            {
                "not_found",
                "conflict",
                "illegal_transition",
                "return_not_allowed",
                "not_delivered",
                "already_rated",
                "validation_error",
            }
        ),
        {
            "POST /v1/orders/{order_id}/shipments": frozenset({"items.sku", "items.quantity"}),
            "GET /v1/promise/shipping-details": frozenset({"sku"}),
            "GET /v1/returns/policy": frozenset({"country", "sku"}),
        },
    ),
    "secrets": Rule(
        "Tokens and signatures are strings to a schema; only the secret that made them tells a "
        "genuine one: a promise token from no quote of this server, a customer token of another "
        "order, a webhook whose signature does not cover its bytes",
        frozenset({"unauthorized", "forbidden", "invalid_signature", "validation_error"}),
        {"*": frozenset({"promise_token", "token"})},
    ),
}


# -- the stack, and the credentials it issued ----------------------------------------------------
@dataclass
class Stack:
    """The running stack the net is thrown over, and what its answers have told."""

    base_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)  # order id → its customer token
    return_orders: dict[str, str] = field(default_factory=dict)  # return id → its order id
    statuses: dict[str, set[int]] = field(default_factory=dict)  # operation → statuses seen

    def start(self, base_url: str) -> None:
        """Seed the stack: an order, shipped and delivered, with a return requested."""
        self.base_url = base_url
        self.tokens = {ORDER: given_order(base_url, ORDER)}
        opened = call(base_url, "POST", f"/v1/orders/{ORDER}/returns", a_request())
        assert opened.status_code == 201, opened.text
        self.return_orders = {opened.json()["return_id"]: ORDER}
        self.statuses = {}

    @property
    def return_id(self) -> str:
        return next(iter(self.return_orders), "")

    def order_of(self, case: Any) -> str:
        params = case.path_parameters or {}
        if "order_id" in params:
            return str(params["order_id"])
        if "return_id" in params:
            return self.return_orders.get(str(params["return_id"]), ORDER)
        body = case.body if isinstance(case.body, dict) else {}
        return str(body.get("order_id", ORDER))

    def token_for(self, case: Any) -> str:
        """The order's own token where the stack issued one, else the seeded order's: a real
        token of another order, which must be refused."""
        return self.tokens.get(self.order_of(case), self.tokens[ORDER])

    def record(self, case: Any, response: Any) -> None:
        """Keep the tokens and returns the stack hands out, for the calls that follow."""
        self.statuses.setdefault(case.operation.label, set()).add(response.status_code)
        if response.status_code >= 300 or not is_json(response):
            return
        answer = response.json()
        if not isinstance(answer, dict) or "order_id" not in answer:
            return
        if isinstance(answer.get("token"), str):
            self.tokens[answer["order_id"]] = answer["token"]
        if isinstance(answer.get("return_id"), str):
            self.return_orders.setdefault(answer["return_id"], answer["order_id"])


STACK = Stack()


def is_json(response: Any) -> bool:
    return str(response.headers.get("content-type", [""])[0]).startswith("application/json")


def security_of(operation: Any) -> set[str]:
    return {name for need in operation.definition.raw.get("security", []) for name in need}


def carries_token(case: Any) -> bool:
    return "token" in (case.query or {}) or (isinstance(case.body, dict) and "token" in case.body)


# -- Schemathesis: the schema, its auth, its hooks, two more checks ------------------------------
CONFIG = schemathesis.Config.from_dict(
    {
        # Unknown query parameters are ignored, not refused: links in e-mails pick up tracking
        # parameters (utm_source=…) on their way to the customer (docs/api.md, Validation).
        "generation": {
            "max-examples": EXAMPLES, "database": "none", "allow-extra-parameters": False,
        },
        "phases": {"stateful": {"max-steps": STEPS}},
        "checks": {
            # Replaced by valid_requests_refused_only_by_rules_beyond_json_schema below.
            "positive_data_acceptance": {"enabled": False},
            # Nothing is ever deleted, and other methods are API Gateway's to refuse.
            "use_after_free": {"enabled": False},
            "ensure_resource_availability": {"enabled": False},
            "unsupported_method": {"enabled": False},
        },
    }
)  # fmt: skip
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).exclude(path_regex="^/probe/")


@schema.auth(refresh_interval=None)  # per case: each order has its own token
class RealCredentials:
    """What each operation's ``security`` names, marked for ``supply_credentials``: the merchant
    key; the customer token of the order in the request, where the request carries one (or the
    operation takes nothing else); the webhook signature."""

    def get(self, case: Any, ctx: Any) -> str | None:
        names = security_of(case.operation)
        if "webhookSignature" in names:
            return "signature"
        if "customerToken" in names and ("merchantKey" not in names or carries_token(case)):
            return "token"
        if "merchantKey" in names:
            return "merchant"
        if case.operation.method.upper() == "POST" and case.operation.path == "/v1/feedback":
            return "token"
        if case.operation.method.upper() == "POST" and case.operation.path.startswith("/v1/pages"):
            return "token"  # a page's form carries the token as a field
        return None

    def set(self, case: Any, data: str, ctx: Any) -> None:
        if data == "signature":
            case.headers = {**(case.headers or {}), "X-Signature": SIGN_HERE}
        elif data == "merchant":
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {MERCHANT_KEY}"}
        elif isinstance(case.body, dict) and case.operation.method.upper() == "POST":
            case.body["token"] = TOKEN_HERE
        else:
            case.query = {**(case.query or {}), "token": TOKEN_HERE}


SIGNERS: dict[str, Callable[[bytes, str, datetime], dict[str, str]]] = {
    "generic": senders.generic_headers,
    "shippo": senders.shippo_headers,
    "easypost": lambda body, secret, _: senders.easypost_headers(body, secret),
    "aftership": lambda body, secret, _: senders.aftership_headers(body, secret),
    "17track": lambda body, secret, _: senders.seventeen_track_headers(body, secret),
}


def supply_credentials(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A ``before_call`` hook: put in the credentials the auth provider marked, as the call
    goes out — the order's token as the stack issued it, and a webhook's signature in its
    sender's scheme over the bytes sent (passed as they are, so that nothing re-serialises them).
    A request without the marks is one Schemathesis strips of its credentials on purpose."""
    if (case.query or {}).get("token") == TOKEN_HERE:
        case.query["token"] = STACK.token_for(case)
    if isinstance(case.body, dict) and case.body.get("token") == TOKEN_HERE:
        case.body["token"] = STACK.token_for(case)
    headers = case.headers or {}
    if headers.get("X-Signature") != SIGN_HERE:
        return
    del headers["X-Signature"]
    body = raw_body(case.body)
    kwargs["data"] = body
    signer = SIGNERS.get(str(case.path_parameters.get("source")))
    if signer is not None:
        headers.update(signer(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC)))


def raw_body(body: Any) -> bytes:
    if isinstance(body, NotSet):
        return b""
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@schema.hook
def after_call(ctx: Any, case: Any, response: Any) -> None:
    STACK.record(case, response)


@schema.hook
def flatmap_path_parameters(ctx: Any, params: dict[str, Any]) -> Any:
    """Now and then the seeded order or return in place of an id that names nothing."""
    for name, seeded in (("order_id", ORDER), ("return_id", STACK.return_id)):
        if params and name in params and documented_form(ctx.operation, name, params[name]):
            return st.sampled_from([params, {**params, name: seeded}])
    return st.just(params)


def documented_form(operation: Any, name: str, value: Any) -> bool:
    """Whether a path parameter has the form the document gives it: one that does not is a
    negative case on purpose, and stays as it is."""
    for parameter in operation.definition.raw.get("parameters", []):
        if parameter["name"] == name and parameter["in"] == "path":
            pattern = parameter["schema"].get("pattern")
            return pattern is None or re.search(pattern, str(value)) is not None
    return False


@schema.hook
def flatmap_case(ctx: Any, case: Any) -> Any:
    """Now and then, for a case the schema allows, a body that gets past the rules of
    BEYOND_JSON_SCHEMA: an order placed an hour ago with a promise for the coming days, a
    shipment of what such an order holds, events of the seeded parcel. A negative case keeps
    its body: what makes it negative may lie in the part replaced."""
    if case.meta is not None and not case.meta.generation.mode.is_positive:
        return st.just(case)
    body = case.body if isinstance(case.body, dict) else None
    path = case.operation.path
    if body is None:
        return st.just(case)
    if path == "/v1/orders":
        body = a_current_order(body)
    elif path == "/v1/orders/{order_id}/shipments":
        body = {**body, "items": [{"sku": "TSHIRT-M", "quantity": 1}]}
    elif path == WEBHOOKS and isinstance(body.get("events"), list):
        body = events_of_the_seeded_parcel(body)
    else:
        return st.just(case)
    realistic = case.derive(keep_auth=True)
    realistic.body = body
    return st.sampled_from([case, realistic])


def a_current_order(body: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    promise = {
        "method": "standard",
        "earliest": (now.date() + timedelta(days=1)).isoformat(),
        "latest": (now.date() + timedelta(days=3)).isoformat(),
    }
    current = {k: v for k, v in body.items() if k != "promise_token"}
    current["items"] = [{"sku": "TSHIRT-M", "quantity": 2, "exchange_skus": ["TSHIRT-L"]}]
    return {**current, "placed_at": (now - timedelta(hours=1)).isoformat(), "promise": promise}


def events_of_the_seeded_parcel(body: dict[str, Any]) -> dict[str, Any]:
    parcel = {"carrier": "dhl", "tracking_number": tracking_for(ORDER)}
    return {
        **body,
        "events": [{**e, **parcel} if isinstance(e, dict) else e for e in body["events"]],
    }


@schemathesis.check
def errors_are_problems(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx and 5xx is problem+json naming its own status; a page's own refusals are
    pages, where the document says so."""
    if response.status_code < 400:
        return None
    content_type = str(response.headers.get("content-type", [""])[0])
    documented = case.operation.definition.raw["responses"].get(str(response.status_code), {})
    if content_type.startswith("text/html") and "text/html" in documented.get("content", {}):
        return None
    assert content_type.startswith(PROBLEM_JSON), f"{response.status_code} as {content_type!r}"
    problem = response.json()
    assert problem["status"] == response.status_code, problem
    assert problem["type"] and problem["title"] and problem["code"], problem
    return None


@schemathesis.check
def valid_requests_refused_only_by_rules_beyond_json_schema(
    ctx: Any, response: Any, case: Any
) -> bool | None:
    """A request the schema allows is accepted, or refused by a rule of BEYOND_JSON_SCHEMA."""
    meta = case.meta
    if (
        meta is None
        or not meta.generation.mode.is_positive
        or not 400 <= response.status_code < 500
    ):
        return None
    if not str(response.headers.get("content-type", [""])[0]).startswith(PROBLEM_JSON):
        return None  # a page's refusal: errors_are_problems holds it to its documented status
    problem = response.json()
    rules = [rule for rule in BEYOND_JSON_SCHEMA.values() if problem["code"] in rule.codes]
    assert rules, f"a schema-valid request refused as {problem['code']}: {problem}"
    if problem["code"] != "validation_error":
        return None
    for error in problem.get("errors") or []:
        assert any(rule.explains(case.operation.label, error) for rule in rules), (
            f"a schema-valid request refused for {error}: the document does not state this rule"
        )
    return None


# -- the tests -----------------------------------------------------------------------------------
@pytest.fixture
def stack(api: str) -> Iterator[Stack]:
    """The seeded local stack, with the credentials hook in place for the calls."""
    STACK.start(api)
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(supply_credentials, "before_call")
    yield STACK
    GLOBAL_HOOK_DISPATCHER.unregister(supply_credentials)


def test_the_net_is_the_document_the_stack_serves(stack: Stack) -> None:
    served = requests.get(f"{stack.base_url}/v1/openapi.json", timeout=30).json()

    assert served == json.loads(json.dumps(DOCUMENT))


def test_the_net_carries_real_credentials(stack: Stack) -> None:
    """Without them nearly every answer would be a refusal, and the net would test only those."""
    scan = {
        "event_id": "net-scan", "carrier": "dhl", "tracking_number": tracking_for(ORDER),
        "status": "delivered", "occurred_at": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    webhook = a_case(
        "POST", WEBHOOKS, path_parameters={"source": "generic"}, body={"events": [scan]}
    )
    as_customer = a_case(
        "GET", "/v1/orders/{order_id}", path_parameters={"order_id": ORDER}, query={"token": "?"}
    )
    as_merchant = a_case(
        "GET", "/v1/returns/{return_id}", path_parameters={"return_id": stack.return_id}
    )
    other_order = a_case("GET", "/v1/pages/orders/{order_id}", path_parameters={"order_id": "2002"})

    assert webhook.call(base_url=stack.base_url).json()["accepted"] == 1
    assert as_customer.call(base_url=stack.base_url).status_code == 200
    assert as_merchant.call(base_url=stack.base_url).json()["order_id"] == ORDER
    assert other_order.call(base_url=stack.base_url).status_code == 403  # the seeded order's token


def a_case(method: str, path: str, **parts: Any) -> Any:
    """A case of the operation with the given parts, its credentials set as for generated ones."""
    operation = schema[path][method]
    case = operation.Case(**parts, media_type="application/json" if "body" in parts else None)
    credential = RealCredentials().get(case, None)
    assert credential is not None
    RealCredentials().set(case, credential, None)
    return case


# A fixed seed (derandomize): `make test` answers the same for the same code, so a red run is a
# change's doing; exploring further is a local run with SCHEMA_NET_EXPLORE=1.
EXPLORE = os.environ.get("SCHEMA_NET_EXPLORE") == "1"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, suppress_health_check=SUPPRESSED, deadline=None, derandomize=not EXPLORE
)
def test_every_operation(case: Any, stack: Stack) -> None:
    case.call_and_validate(base_url=stack.base_url)


def test_the_links_between_operations(stack: Stack, embedded_aws: dict[str, Any]) -> None:
    class Scenario(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario from the same stack: Hypothesis replays a scenario's first steps
            # and must meet the answers it met before (a repeated order is 200, not 201).
            reset_embedded_aws(embedded_aws["endpoint"])
            stack.start(stack.base_url)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": stack.base_url}

    Scenario.run(
        settings=settings(
            max_examples=SCENARIOS, stateful_step_count=STEPS,
            suppress_health_check=SUPPRESSED, deadline=None, derandomize=not EXPLORE,
        )
    )  # fmt: skip
