"""応募設定 → Webhooks (company administrators): endpoints, their secret, their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.access import company_admin_required, company_of
from interviewmaker.numbers import ascii_int
from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint

SHOWN_ONCE = "webhook_secret"  # the session key that shows a new secret once


def _save(request: HttpRequest, form: EndpointForm) -> WebhookEndpoint:
    data = form.cleaned_data
    return services.endpoint_save(
        company=company_of(request),
        endpoint=form.instance if form.instance.pk else None,
        url=data["url"],
        events=data["events"],
        enabled=data["enabled"],
        description=data["description"],
        by=request.user,
    )


@company_admin_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = _save(request, form)
        request.session[SHOWN_ONCE] = {"pk": endpoint.pk, "secret": endpoint.secret}
        messages.success(
            request, _("The endpoint was added. Copy its signing secret now: it is shown only once.")
        )
        return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    endpoints = selectors.endpoint_list(company=company)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints, "form": form})


@company_admin_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(company=company_of(request), pk=pk)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        _save(request, form)
        messages.success(request, _("The endpoint was saved."))
        return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    shown = request.session.pop(SHOWN_ONCE, None)
    secret = shown["secret"] if shown and shown.get("pk") == endpoint.pk else ""
    status = request.GET.get("status", "")[:20]
    deliveries = selectors.delivery_list(endpoint=endpoint, status=status)
    page = Paginator(deliveries, 50).get_page(ascii_int(request.GET.get("page", "")) or 1)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "secret": secret,
            "page": page,
            "status": status,
            "statuses": WebhookDelivery.Status.choices,
            "query": f"status={status}&" if status in WebhookDelivery.Status.values else "",
        },
        status=400 if form.errors else 200,
    )


@company_admin_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = services.endpoint_rotate_secret(
        endpoint=selectors.endpoint_get(company=company_of(request), pk=pk)
    )
    request.session[SHOWN_ONCE] = {"pk": endpoint.pk, "secret": endpoint.secret}
    messages.success(
        request,
        _("A new signing secret was made. Deliveries carry signatures with both secrets until %(until)s.")
        % {
            "until": endpoint.previous_secret_until.strftime("%Y-%m-%d %H:%M")
            if endpoint.previous_secret_until
            else ""
        },
    )
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@company_admin_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.endpoint_get(company=company_of(request), pk=pk).delete()
    messages.success(request, _("The endpoint was deleted; its deliveries with it."))
    return redirect("webhooks:endpoint_list")


@company_admin_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(company=company_of(request), pk=pk)
    services.delivery_redeliver(delivery=delivery)
    messages.success(request, _("The delivery will be sent again, after those already waiting."))
    return redirect("webhooks:endpoint_detail", pk=delivery.endpoint_id)
