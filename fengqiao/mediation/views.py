"""The mediation section of the case page and its forms. Thin: validate, call a service
or selector, render. A refused form is shown again with what was typed and the reason;
nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fengqiao.audit.services import audit_record
from fengqiao.cases.models import Case, Kind
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.cases.services import CaseConflict
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.mediation import judicial, printing, services
from fengqiao.mediation.forms import (
    MAX_TERM_ROWS,
    AgreementForm,
    JudicialForm,
    JudicialResultForm,
    OutcomeForm,
    SessionForm,
    SignatureForm,
    StartForm,
    term_formset,
)
from fengqiao.mediation.models import Agreement, JudicialResult, Mediation, MediationAttachment
from fengqiao.mediation.selectors import (
    agreement_get_for_user,
    judicial_applied,
    judicial_days_left,
    judicial_warning,
    may_mediate,
    may_print,
    mediation_get_for_user,
    mediation_list_for_user,
    mediations_of_case,
    missing_signers,
    open_mediation,
    proposed_team_for,
    session_get_for_user,
)
from fengqiao.ui.downloads import download_response, stored_file_response

FORMATS = {"docx": "Word", "pdf": "PDF"}


# --------------------------------------------------------------------------- the panel
def case_panel_context(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The mediation section of a dispute's page (the case is already in the user's scope)."""
    if case.kind != Kind.DISPUTE:
        return None
    user = request.user
    today = clock.today()
    records = []
    for mediation in mediations_of_case(case=case):
        try:
            agreement = mediation.agreement
        except Agreement.DoesNotExist:
            agreement = None
        entry: dict[str, Any] = {
            "mediation": mediation,
            "sessions": mediation.sessions.select_related("recorder").prefetch_related(
                "attachments", "parties_present"
            ),
            "agreement": agreement,
            "can_act": may_mediate(user, case, mediation),
            "can_print": may_print(user, mediation),
        }
        if agreement is not None:
            entry.update(
                terms=agreement.terms.select_related("obligor").order_by("position"),
                signatures=agreement.signatures.select_related("party", "mediator"),
                missing=[] if agreement.oral else missing_signers(agreement),
                confirmations=agreement.judicial_confirmations.select_related("court"),
                days_left=judicial_days_left(agreement, today),
                warning=judicial_warning(agreement, today),
                applied=judicial_applied(agreement),
                attachments=agreement.attachments.all(),
                pending=JudicialResult.PENDING,
            )
        records.append(entry)
    can_start = (
        open_mediation(case) is None
        and case.is_open
        and case.state not in ("resolved", "reported")
        and may_mediate(user, case)
    )
    if not records and not can_start:
        return None
    return {
        "case": case,
        "records": records,
        "can_start": can_start,
        "proposed": proposed_team_for(case),
        "formats": FORMATS,
    }


# --------------------------------------------------------------------------- forms
def _back(case_id: int) -> HttpResponse:
    return redirect(reverse("case_detail", args=[case_id]) + "#mediation")


def _form_page(
    request: HttpRequest,
    *,
    case: Case,
    title: str,
    form: Any,
    status: int = 200,
    template: str = "mediation/form.html",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {"case": case, "title": title, "form": form, **extra},
        status=status,
    )


def _handle(
    request: HttpRequest,
    *,
    case: Case,
    title: str,
    form: Any,
    act: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """Validate a bound form and call the service; show it again with the reason if not."""
    if not form.is_valid():
        return _form_page(request, case=case, title=title, form=form, status=400)
    try:
        act()
    except CaseConflict as conflict:
        form.add_error(None, conflict.message)
        return _form_page(request, case=case, title=title, form=form, status=409)
    except DomainError as error:
        form.apply_domain_error(error)
        status = error.status
        return _form_page(request, case=case, title=title, form=form, status=status)
    messages.success(request, done)
    return _back(case.pk)


@require_http_methods(["GET", "POST"])
def mediation_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(user=request.user, pk=case_id)
    title = _("Start a mediation")
    if request.method == "GET":
        return _form_page(
            request, case=case, title=title, form=StartForm(case=case, user=request.user)
        )
    form = StartForm(request.POST, case=case, user=request.user)
    return _handle(
        request,
        case=case,
        title=title,
        form=form,
        act=lambda: services.mediation_start(
            actor=request.user, case_id=case.pk, **form.arguments()
        ),
        done=_("The mediation has started."),
    )


@require_http_methods(["GET", "POST"])
def session_record(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = mediation_get_for_user(user=request.user, pk=pk)
    title = _("Record a session")
    if request.method == "GET":
        return _form_page(
            request, case=mediation.case, title=title, form=SessionForm(mediation=mediation)
        )
    form = SessionForm(request.POST, request.FILES, mediation=mediation)
    return _handle(
        request,
        case=mediation.case,
        title=title,
        form=form,
        act=lambda: services.mediation_session_record(
            actor=request.user, mediation_id=mediation.pk, **form.arguments()
        ),
        done=_("The session is recorded."),
    )


@require_http_methods(["GET", "POST"])
def outcome_record(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = mediation_get_for_user(user=request.user, pk=pk)
    title = _("Record the outcome")
    if request.method == "GET":
        form = OutcomeForm(initial={"version": mediation.case.version})
        return _form_page(request, case=mediation.case, title=title, form=form)
    form = OutcomeForm(request.POST)
    return _handle(
        request,
        case=mediation.case,
        title=title,
        form=form,
        act=lambda: services.mediation_outcome_record(
            actor=request.user, mediation_id=mediation.pk, **form.arguments()
        ),
        done=_("The outcome is recorded and the case's result with it."),
    )


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = mediation_get_for_user(user=request.user, pk=pk)
    case = mediation.case
    existing = Agreement.objects.filter(mediation=mediation).first()
    title = _("Draft the agreement")
    page = {"template": "mediation/agreement_form.html"}
    if request.method == "GET":
        initial: dict[str, Any] = {
            "made_on": clock.today(),
            "parties": list(case.parties.values_list("pk", flat=True)),
        }
        if existing is not None:
            initial = {
                "oral": existing.oral,
                "made_on": existing.made_on,
                "facts": existing.facts,
                "matters": existing.matters,
                "responsibilities": existing.responsibilities,
                "performance_note": existing.performance_note,
                "parties": list(existing.parties.values_list("pk", flat=True)),
            }
        else:
            initial["facts"] = case.account
        form = AgreementForm(mediation=mediation, initial=initial)
        terms = term_formset(mediation, agreement=existing)
        return _form_page(request, case=case, title=title, form=form, terms=terms, **page)
    form = AgreementForm(request.POST, mediation=mediation)
    terms = term_formset(mediation, data=request.POST)
    if "add_term" in request.POST:
        # One more empty row; what was typed stays, and nothing is judged yet.
        form, terms = _with_another_term(request, mediation)
        return _form_page(request, case=case, title=title, form=form, terms=terms, **page)
    if not (form.is_valid() and terms.is_valid()):
        return _form_page(
            request, case=case, title=title, form=form, terms=terms, status=400, **page
        )
    data = form.cleaned_data
    try:
        services.agreement_draft(
            actor=request.user,
            mediation_id=mediation.pk,
            parties=list(data["parties"]),
            facts=data["facts"],
            matters=data["matters"],
            responsibilities=data["responsibilities"],
            performance_note=data["performance_note"],
            made_on=data["made_on"],
            oral=data["oral"],
            terms=terms.term_inputs(),
        )
    except DomainError as error:
        for problem in error.problems:
            if not terms.apply_domain_error(problem):
                form.apply_domain_error(problem)
        status = error.status
        return _form_page(
            request, case=case, title=title, form=form, terms=terms, status=status, **page
        )
    messages.success(request, _("The agreement is saved."))
    return _back(case.pk)


def _with_another_term(request: HttpRequest, mediation: Mediation) -> tuple[Any, Any]:
    posted = request.POST
    initial = {name: posted.get(name, "") for name in AgreementForm.base_fields}
    initial["oral"] = bool(posted.get("oral"))
    initial["parties"] = posted.getlist("parties")
    rows = []
    try:
        total = min(int(posted.get("terms-TOTAL_FORMS") or 0), MAX_TERM_ROWS - 1)
    except ValueError:
        total = 0
    for index in range(total):
        rows.append(
            {
                name: posted.get(f"terms-{index}-{name}", "")
                for name in ("obligor", "obligor_text", "content", "manner", "due_on", "recurring")
            }
        )
    rows.append({})
    form = AgreementForm(mediation=mediation, initial=initial)
    return form, term_formset(mediation, initial=rows)


@require_http_methods(["GET", "POST"])
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    case = agreement.mediation.case
    title = _("Record a signature")
    if request.method == "GET":
        form = SignatureForm(agreement=agreement, initial={"signed_on": clock.today()})
        return _form_page(request, case=case, title=title, form=form)
    form = SignatureForm(request.POST, request.FILES, agreement=agreement)
    return _handle(
        request,
        case=case,
        title=title,
        form=form,
        act=lambda: services.agreement_sign(
            actor=request.user, agreement_id=agreement.pk, **form.arguments()
        ),
        done=_("The signature is recorded."),
    )


@require_http_methods(["GET", "POST"])
def judicial_apply(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    case = agreement.mediation.case
    title = _("Apply for judicial confirmation")
    if request.method == "GET":
        form = JudicialForm(initial={"applied_on": clock.today()})
        return _form_page(request, case=case, title=title, form=form)
    form = JudicialForm(request.POST)
    return _handle(
        request,
        case=case,
        title=title,
        form=form,
        act=lambda: judicial.judicial_apply(
            actor=request.user, agreement_id=agreement.pk, **form.arguments()
        ),
        done=_("The application is recorded."),
    )


@require_http_methods(["GET", "POST"])
def judicial_result(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    confirmation = agreement.judicial_confirmations.filter(result=JudicialResult.PENDING).first()
    if confirmation is None:
        raise Http404
    case = agreement.mediation.case
    title = _("Record the court's result")
    if request.method == "GET":
        form = JudicialResultForm(initial={"result_on": clock.today()})
        return _form_page(request, case=case, title=title, form=form)
    form = JudicialResultForm(request.POST)
    return _handle(
        request,
        case=case,
        title=title,
        form=form,
        act=lambda: judicial.judicial_result_record(
            actor=request.user, confirmation_id=confirmation.pk, **form.arguments()
        ),
        done=_("The court's result is recorded."),
    )


# --------------------------------------------------------------------------- files
@require_GET
def agreement_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    if fmt not in printing.FORMATS:
        raise Http404
    content = printing.agreement_document(actor=request.user, agreement=agreement, fmt=fmt)
    return download_response(content, filename=f"人民调解协议书{agreement.number}.{fmt}")


@require_GET
def minutes_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    session = session_get_for_user(user=request.user, pk=pk)
    if fmt not in printing.FORMATS:
        raise Http404
    content = printing.minutes_document(actor=request.user, session=session, fmt=fmt)
    stamp = session.held_at.strftime("%Y%m%d")
    return download_response(
        content, filename=f"调解笔录{session.mediation.case.number}-{stamp}.{fmt}"
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = (
        MediationAttachment.objects.filter(
            pk=pk, mediation__in=mediation_list_for_user(user=request.user).values("pk")
        )
        .select_related("mediation__case")
        .first()
    )
    if attachment is None:
        raise Http404
    audit_record(
        action="mediation.attachment_download",
        actor=request.user,
        target=attachment.mediation.case,
        details={"attachment": attachment.pk, "name": attachment.original_name},
    )
    return stored_file_response(
        default_storage.open(attachment.file.name, "rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
