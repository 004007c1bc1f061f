"""The Genius API as the sandbox serves it (see `docs/genius-erp-api.md`).

One handler per route; `gateway.genius_endpoint` has already checked the
credentials and the faults when a handler runs. Each write that changes a
record publishes its webhook event, which says who made the change: the
API key's id, or, when the request carries the sandbox-only
`X-Genius-Sandbox-User` header, that user, as if the change had been made
in Genius's own screens.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.genius.gateway import (
    Handler,
    Missing,
    genius_endpoint,
    page_of,
    read_body,
    reply,
)
from sandbox.genius.metadata import describe_fields, describe_statuses
from sandbox.genius.records import (
    build_customer,
    build_quote,
    change_customer,
    change_quote,
)
from sandbox.genius.state import Company, key_id
from sandbox.genius.validation import Rejection, problem
from sandbox.genius.webhooks import make_subscription

USER_HEADER = "X-Genius-Sandbox-User"
USER_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


def changed_by(request: Request, sandbox: Any) -> dict[str, str]:
    """Who makes this request's changes, as `ChangedBy` reports it."""
    user = request.headers.get(USER_HEADER)
    if user is None:
        return {"Type": "ApiKey", "Id": key_id(_api_key(request, sandbox))}
    if not USER_CODE.match(user):
        message = f"{USER_HEADER} is 1-20 letters, digits, '_', '.' or '-'"
        raise Rejection(422, [problem("", "invalid_format", message)])
    return {"Type": "User", "Id": user.upper()}


def _api_key(request: Request, sandbox: Any) -> str:
    return request.headers.get(sandbox.shape.key_header, "")


async def get_company(request: Request, sandbox: Any, company: Company) -> Response:
    return reply(company.describe() | {"ApiKeyId": key_id(_api_key(request, sandbox))})


async def list_customers(request: Request, _sandbox: Any, company: Company) -> Response:
    return reply(page_of(list(company.customers.values()), request, "Code"))


async def get_customer(request: Request, _sandbox: Any, company: Company) -> Response:
    return reply(_customer(company, request.path_params["code"]))


def _customer(company: Company, code: str) -> dict[str, Any]:
    customer = company.customers.get(code.upper())
    if customer is None:
        raise Missing(f"no customer with code {code!r}")
    return customer


async def create_customer(request: Request, sandbox: Any, company: Company) -> Response:
    author = changed_by(request, sandbox)
    customer = build_customer(
        await read_body(request),
        taken=set(company.customers),
        defaults={"Currency": company.currency, "Language": company.language},
        now_text=company.now_text(sandbox.state.clock),
    )
    company.customers[customer["Code"]] = customer
    _publish(sandbox, company, "customer.created", customer, "Code", author)
    return reply(customer, 201, {"Location": f"customers/{customer['Code']}"})


async def update_customer(request: Request, sandbox: Any, company: Company) -> Response:
    author = changed_by(request, sandbox)
    customer = _customer(company, request.path_params["code"])
    changes = await read_body(request)
    if change_customer(
        customer, changes, now_text=company.now_text(sandbox.state.clock)
    ):
        _publish(sandbox, company, "customer.updated", customer, "Code", author)
    return reply(customer)


async def list_items(request: Request, _sandbox: Any, company: Company) -> Response:
    return reply(page_of(list(company.items.values()), request, "Code"))


async def get_item(request: Request, _sandbox: Any, company: Company) -> Response:
    code = request.path_params["code"]
    item = company.items.get(code.upper())
    if item is None:
        raise Missing(f"no item with code {code!r}")
    return reply(item)


async def list_quotes(request: Request, _sandbox: Any, company: Company) -> Response:
    reference = request.query_params.get("externalReference")
    customer = request.query_params.get("customerCode", "").upper()
    quotes = [
        quote
        for quote in company.quotes.values()
        if (reference is None or quote["ExternalReference"] == reference)
        and (not customer or quote["CustomerCode"] == customer)
    ]
    return reply(page_of(quotes, request, "Number"))


async def get_quote(request: Request, _sandbox: Any, company: Company) -> Response:
    return reply(_quote(company, request.path_params["number"]))


def _quote(company: Company, number: str) -> dict[str, Any]:
    quote = company.quotes.get(number.upper())
    if quote is None:
        raise Missing(f"no quote with number {number!r}")
    return quote


async def create_quote(request: Request, sandbox: Any, company: Company) -> Response:
    author = changed_by(request, sandbox)
    fields = await read_body(request)
    clock = sandbox.state.clock
    quote = build_quote(
        fields,
        customers=company.customers,
        items=company.items,
        number=f"S-{company.next_quote_number:06d}",
        today=company.today(clock),
        now_text=company.now_text(clock),
    )
    quote["Number"] = company.take_quote_number()
    company.quotes[quote["Number"]] = quote
    _publish(sandbox, company, "quote.created", quote, "Number", author)
    return reply(quote, 201, {"Location": f"quotes/{quote['Number']}"})


async def update_quote(request: Request, sandbox: Any, company: Company) -> Response:
    author = changed_by(request, sandbox)
    quote = _quote(company, request.path_params["number"])
    previous_status = quote["Status"]
    clock = sandbox.state.clock
    changed = change_quote(
        quote,
        await read_body(request),
        customers=company.customers,
        items=company.items,
        today=company.today(clock),
        now_text=company.now_text(clock),
    )
    if changed:
        _publish(sandbox, company, "quote.updated", quote, "Number", author)
    if quote["Status"] != previous_status:
        data = {
            "Number": quote["Number"],
            "PreviousStatus": previous_status,
            "Status": quote["Status"],
            "ModifiedAt": quote["ModifiedAt"],
        }
        sandbox.dispatcher.publish(
            company, "quote.status_changed", data, changed_by=author
        )
    return reply(quote)


def _publish(
    sandbox: Any,
    company: Company,
    event: str,
    record: dict[str, Any],
    key: str,
    author: dict[str, str],
) -> None:
    sandbox.state.dirty = True
    data = {key: record[key], "ModifiedAt": record["ModifiedAt"]}
    sandbox.dispatcher.publish(company, event, data, changed_by=author)


async def quote_statuses(
    _request: Request, _sandbox: Any, _company: Company
) -> Response:
    return reply(describe_statuses())


async def resource_fields(
    request: Request, _sandbox: Any, _company: Company
) -> Response:
    resource = request.path_params["resource"]
    described = describe_fields(resource)
    if described is None:
        raise Missing(f"no resource {resource!r}")
    return reply(described)


async def get_subscription(
    _request: Request, _sandbox: Any, company: Company
) -> Response:
    if company.webhook is None:
        raise Missing(f"company {company.code} has no webhook subscription")
    return reply({k: v for k, v in company.webhook.items() if k != "Secret"})


async def put_subscription(
    request: Request, sandbox: Any, company: Company
) -> Response:
    try:
        company.webhook = make_subscription(
            await read_body(request), allow_remote=sandbox.allow_remote_webhooks
        )
    except ValueError as exc:
        raise Rejection(422, [problem(*exc.args)]) from None
    sandbox.state.dirty = True
    return reply(company.webhook)


async def delete_subscription(
    _request: Request, sandbox: Any, company: Company
) -> Response:
    company.webhook = None
    sandbox.state.dirty = True
    return Response(status_code=204)


def _route(path: str, handler: Handler, methods: list[str]) -> Route:
    return Route(path, genius_endpoint(handler), methods=methods)


routes = [
    _route("/company", get_company, ["GET"]),
    _route("/customers", list_customers, ["GET"]),
    _route("/customers", create_customer, ["POST"]),
    _route("/customers/{code}", get_customer, ["GET"]),
    _route("/customers/{code}", update_customer, ["PATCH"]),
    _route("/items", list_items, ["GET"]),
    _route("/items/{code}", get_item, ["GET"]),
    _route("/quotes", list_quotes, ["GET"]),
    _route("/quotes", create_quote, ["POST"]),
    _route("/quotes/{number}", get_quote, ["GET"]),
    _route("/quotes/{number}", update_quote, ["PATCH"]),
    _route("/metadata/quote-statuses", quote_statuses, ["GET"]),
    _route("/metadata/fields/{resource}", resource_fields, ["GET"]),
    _route("/webhooks/subscription", get_subscription, ["GET"]),
    _route("/webhooks/subscription", put_subscription, ["PUT"]),
    _route("/webhooks/subscription", delete_subscription, ["DELETE"]),
]
