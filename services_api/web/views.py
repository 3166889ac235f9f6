"""Routes of the search page: search (GET empty, POST with the criteria), a service's page, reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, render_template, request
from flask_babel import get_locale
from werkzeug.exceptions import NotFound

from services_api.api.errors import ApiError
from services_api.api.public.reports import find_reported_service, store_report
from services_api.core.errors import DomainError
from services_api.web import pages
from services_api.web.languages import LANGUAGES, PREFIX_RULE, text_direction

# The neutral page the quick exit goes to (the GOV.UK Design System's example).
EXIT_URL = "https://www.bbc.co.uk/weather"

blueprint = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)


def _route(rule: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view at `rule` and at the same rule under each language prefix (/es/...)."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        blueprint.add_url_rule(rule, view_func=view, **options)
        blueprint.add_url_rule(PREFIX_RULE + rule, view_func=view, **options)
        return view

    return register


@blueprint.url_value_preprocessor
def _take_language(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.lang = (values or {}).pop("lang", None)


@blueprint.url_defaults
def _keep_language(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "web.static" and "lang" not in values and g.get("lang"):
        values["lang"] = g.lang


@blueprint.context_processor
def _page_context() -> dict[str, Any]:
    language = str(get_locale() or "en")
    return {
        "language": language,
        "direction": text_direction(language),
        "languages": LANGUAGES,
        "chosen_language": g.get("lang"),
        "exit_url": current_app.config.get("EXIT_URL", EXIT_URL),
        "same_page": _same_page_endpoint(),
        "language_name": pages.language_name,
    }


def _same_page_endpoint() -> str:
    """Return the endpoint the language switcher links to: this page, or the page a form was posted from."""
    if request.endpoint == "web.report":
        return "web.service"
    return request.endpoint if request.endpoint in ("web.search", "web.service") else "web.search"


@blueprint.errorhandler(NotFound)
def _not_found(_error: NotFound) -> Any:
    return render_template("not_found.html"), 404


@_route("/", methods=["GET", "POST"])
def search() -> Any:
    """The search form; posted, the results as well (a POST keeps the place out of URLs and logs)."""
    criteria = pages.Criteria.read(request.form if request.method == "POST" else None)
    context: dict[str, Any] = {"criteria": criteria, "choices": pages.choices()}
    if request.method == "POST":
        try:
            context["found"] = pages.find(criteria)
        except DomainError as error:
            context.update(pages.explain(error, criteria))
    status = 422 if context.get("problems") else 200
    return render_template("search.html", **context), status


@_route("/services/<string:service_id>")
def service(service_id: str) -> Any:
    """One service's page: the week's hours, who it is for, how to apply, costs, and a report form."""
    return render_template("service.html", **pages.detail(service_id))


@_route("/services/<string:service_id>/report", methods=["POST"])
def report(service_id: str) -> Any:
    """Store a report about a listing with the public reports endpoint's own rules."""
    context = pages.detail(service_id)
    body = {"kind": request.form.get("kind", ""), "message": request.form.get("message", "")}
    try:
        found = find_reported_service(service_id)
        store_report(found, body)
    except ApiError as error:
        if error.code == 404:
            raise NotFound() from None
        context["report_problems"] = pages.report_problems(error.errors, error.code or 400)
        context["report"] = body
        return render_template("service.html", **context), error.code or 400
    except DomainError as error:
        context["report_problems"] = pages.report_problems(error.problems, 422)
        context["report"] = body
        return render_template("service.html", **context), 422
    return render_template("report_sent.html", **context)
